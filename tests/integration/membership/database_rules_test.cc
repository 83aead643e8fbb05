// Membership's CHECK constraints against the real database (issue 7 items 4 and 5): a write that
// bypasses the rules gets membership's precise status for the constraint it breaks, and a database
// that lost one of its CHECK constraints stops the service at start-up with a message naming it.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/status.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

class DatabaseRulesTest : public MembershipFixture {
 protected:
  // A second handle on the service's database with membership's rules, for writes that skip the
  // domain's validation (what a bug in a rule would let through).
  std::unique_ptr<Database> RawDatabase() {
    auto db = Database::Open(config_->db, membership::CheckConstraintRules());
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }
};

TEST_F(DatabaseRulesTest, AWriteBreakingAnInputConstraintIsInvalidArgumentOnTheField) {
  const auto coop = CreateCooperative();
  auto raw = RawDatabase();
  ASSERT_NE(raw, nullptr);
  absl::Status s = raw->Transact([&](Tx& tx) {
    tx.Execute("UPDATE cooperatives SET service_fee_bps = ? WHERE id = ?", 4321, coop.id());
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  const grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(ViolatedFields(g), std::vector<std::string>{"cooperative.service_fee_bps"});
  EXPECT_FALSE(absl::StrContains(g.error_message(), "4321")) << g.error_message();

  // Unchanged.
  mv1::GetCooperativeRequest get;
  get.set_id(coop.id());
  mv1::Cooperative now;
  ASSERT_TRUE(stub().GetCooperative(Ctx(admin()).get(), get, &now).ok());
  EXPECT_EQ(now.service_fee_bps(), coop.service_fee_bps());
}

TEST_F(DatabaseRulesTest, AWriteBreakingAStateConstraintIsFailedPreconditionWithItsReason) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  auto raw = RawDatabase();
  ASSERT_NE(raw, nullptr);
  absl::Status s = raw->Transact([&](Tx& tx) {
    tx.Execute(
        "UPDATE members SET contribution_total_fen = contribution_total_fen - 88 "
        "WHERE id = ?",
        member.id());
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(ReasonOf(s), "CAPITAL_TOTAL_OUT_OF_RANGE");
  EXPECT_FALSE(absl::StrContains(s.message(), "88")) << s;
}

TEST(MembershipStartUpTest, ADroppedCheckConstraintStopsTheServiceNamingIt) {
  membership::MembershipConfig config;
  config.db = TestDbConfig("test_membership_startup_checks");
  config.server.listen = "127.0.0.1:0";
  config.token_key = RandomKeyBase64();
  config.pii_key = RandomKeyBase64();
  config.access_log = false;
  ASSERT_TRUE(membership::MigrateMembership(config.db).ok());
  {
    auto db = Database::Open(config.db);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(
        (*db)->ExecuteScript("ALTER TABLE households DROP CONSTRAINT chk_households_size;").ok());
  }
  FakeClock clock(absl::FromUnixSeconds(1772326800));
  auto server = membership::MembershipServer::Start(config, &clock);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition) << server.status();
  EXPECT_EQ(ReasonOf(server.status()), "DATABASE_SERVER_UNSUITABLE");
  EXPECT_TRUE(absl::StrContains(server.status().message(), "chk_households_size is missing"))
      << server.status();
  EXPECT_FALSE(absl::StrContains(server.status().message(), "chk_members_refund"))
      << server.status();
  // The `migrate` command refuses alike.
  EXPECT_EQ(membership::MigrateMembership(config.db).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cooplink::testing
