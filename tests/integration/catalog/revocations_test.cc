// Token revocation across services, through the real membership and catalog servers (port 0, real
// gRPC, revocation lists refreshed every 200 ms): two revocations committed in the inverted order
// of their INSERTs are both refused by catalog's revocation list (fed by ListTokenRevocations) and
// by membership's own, and both are in the feed with consecutive sequences after the cursor a
// poller held while the first was still uncommitted.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "services/common/fields.h"
#include "services/membership/principal_store.h"
#include "services/membership/revocation_log.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

constexpr char kUnknownProduct[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

class RevocationsTest : public CatalogFixture {
 protected:
  // A platform-admin principal of its own and a token for it (the suite's admin stays valid).
  mv1::IssueTokenResponse NewToken() {
    mv1::CreatePrincipalRequest create;
    create.set_request_id(NewRequestId());
    create.mutable_principal()->set_display_name("吊销顺序测试");
    create.mutable_principal()->set_role(common::v1::ROLE_PLATFORM_ADMIN);
    mv1::Principal principal;
    EXPECT_TRUE(members().CreatePrincipal(Ctx(admin()).get(), create, &principal).ok());
    mv1::IssueTokenRequest issue;
    issue.set_request_id(NewRequestId());
    issue.set_principal_id(principal.id());
    mv1::IssueTokenResponse issued;
    EXPECT_TRUE(members().IssueToken(Ctx(admin()).get(), issue, &issued).ok());
    return issued;
  }
  bool CatalogAccepts(const std::string& token) {
    cv1::GetProductRequest req;
    req.set_id(kUnknownProduct);
    cv1::Product out;
    return catalog().GetProduct(Ctx(token).get(), req, &out).error_code() !=
           grpc::StatusCode::UNAUTHENTICATED;
  }
  bool MembershipAccepts(const std::string& token) {
    mv1::ListPartnersRequest req;
    mv1::ListPartnersResponse out;
    return members().ListPartners(Ctx(token).get(), req, &out).error_code() !=
           grpc::StatusCode::UNAUTHENTICATED;
  }
  // Polls `refused` every 50 ms for up to 10 s (lists refresh every 200 ms here).
  static bool Eventually(const std::function<bool()>& refused) {
    for (int i = 0; i < 200; ++i) {
      if (refused()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  mv1::ListTokenRevocationsResponse FeedAfter(int64_t after) {
    mv1::ListTokenRevocationsRequest req;
    req.set_after_sequence(after);
    mv1::ListTokenRevocationsResponse out;
    EXPECT_TRUE(members().ListTokenRevocations(Ctx(admin()).get(), req, &out).ok());
    return out;
  }
};

TEST_F(RevocationsTest, RevocationsCommittedInInvertedOrderAreBothRefusedEverywhere) {
  const mv1::IssueTokenResponse first = NewToken();   // inserted first, committed last
  const mv1::IssueTokenResponse second = NewToken();  // revoked through the RPC meanwhile
  ASSERT_TRUE(CatalogAccepts(first.token()) && CatalogAccepts(second.token()));
  const int64_t cursor_before = FeedAfter(0).last_sequence();

  // The first revocation, as RevokeToken writes it, held open on a connection of its own.
  Database& membership_db = (*membership_)->database();
  absl::Notification appended, commit;
  std::thread tx1([&] {
    EXPECT_TRUE(
        membership_db
            .Transact([&](Tx& tx) -> absl::Status {
              mv1::Token token;
              if (auto s = membership::LoadToken(tx, first.token_info().id(),
                                                 /*for_update=*/true, &token);
                  !s.ok()) {
                return s;
              }
              const absl::Time now = clock_->Now();
              if (auto s = membership::MarkTokenRevoked(tx, token.id(), ToMicros(now)); !s.ok()) {
                return s;
              }
              membership::AppendRevocation(
                  tx, token.id(), absl::FromUnixSeconds(token.expire_time().seconds()), now);
              appended.Notify();
              commit.WaitForNotification();
              return absl::OkStatus();
            })
            .ok());
  });
  appended.WaitForNotification();
  mv1::RevokeTokenRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_token_id(second.token_info().id());
  mv1::Token revoked;
  ASSERT_TRUE(members().RevokeToken(Ctx(admin()).get(), revoke, &revoked).ok());

  // Membership refuses the committed revocation within its refresh, whether or not the relay
  // could sequence it yet; a poller reads the feed meanwhile.
  EXPECT_TRUE(Eventually([&] { return !MembershipAccepts(second.token()); }));
  const mv1::ListTokenRevocationsResponse during = FeedAfter(cursor_before);

  commit.Notify();
  tx1.join();
  EXPECT_TRUE(Eventually([&] { return !CatalogAccepts(first.token()); }));
  EXPECT_TRUE(Eventually([&] { return !CatalogAccepts(second.token()); }));
  EXPECT_TRUE(Eventually([&] { return !MembershipAccepts(first.token()); }));

  // The poller's next read, from the cursor it held, has the rest: both, consecutively numbered.
  const mv1::ListTokenRevocationsResponse after = FeedAfter(during.last_sequence());
  std::vector<std::string> tokens;
  std::vector<int64_t> sequences;
  for (const auto* page : {&during, &after}) {
    for (const auto& r : page->revocations()) {
      tokens.push_back(r.token_id());
      sequences.push_back(r.sequence());
    }
  }
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()),
            (std::set<std::string>{first.token_info().id(), second.token_info().id()}));
  EXPECT_EQ(sequences, (std::vector<int64_t>{cursor_before + 1, cursor_before + 2}));
}

}  // namespace
}  // namespace cooplink::testing
