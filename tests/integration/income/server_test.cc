// The income server beside membership, catalog and orders: it serves over gRPC, authenticates,
// walls partners off, and its settlement importer follows orders' event stream (its cursor moves
// with orders' heartbeats).
#include <gtest/gtest.h>

#include <thread>

#include "services/common/stream_consumer.h"
#include "tests/support/income_fixture.h"

namespace cooplink::testing {
namespace {

class IncomeServerTest : public IncomeFixture {};

TEST_F(IncomeServerTest, AlertSettingsAreTheConfiguredDefaults) {
  iv1::AlertSettings settings;
  grpc::Status s =
      income().GetAlertSettings(Ctx(admin()).get(), iv1::GetAlertSettingsRequest(), &settings);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(settings.near_margin_bps(), 1000);
  EXPECT_EQ(settings.drop_share_bps(), 2000);
}

TEST_F(IncomeServerTest, APartnerIsRefusedAndAMissingTokenIsUnauthenticated) {
  PartnerWorld partner = NewPartner();
  iv1::AlertSettings settings;
  grpc::Status s = income().GetAlertSettings(Ctx(partner.token).get(),
                                             iv1::GetAlertSettingsRequest(), &settings);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  grpc::ClientContext bare;
  s = income().GetAlertSettings(&bare, iv1::GetAlertSettingsRequest(), &settings);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IncomeServerTest, TheImporterStoresACursorFromOrdersStream) {
  std::string cursor;
  for (int i = 0; i < 300 && cursor.empty(); ++i) {
    auto stored = LoadStreamCursor(income_db(), income::kSettlementImporter);
    ASSERT_TRUE(stored.ok()) << stored.status();
    cursor = *stored;
    if (cursor.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(cursor.empty()) << "the importer never stored a cursor (no heartbeat applied)";
}

}  // namespace
}  // namespace cooplink::testing
