// Principals and bearer tokens through real gRPC against the real MariaDB.
#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "services/common/auth.h"
#include "services/common/crypto.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

class PrincipalsTest : public MembershipFixture {
 protected:
  mv1::Principal CreateAdminPrincipal(const std::string& name) {
    mv1::CreatePrincipalRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_principal()->set_display_name(name);
    req.mutable_principal()->set_role(common::v1::ROLE_PLATFORM_ADMIN);
    mv1::Principal out;
    EXPECT_TRUE(stub().CreatePrincipal(Ctx(admin()).get(), req, &out).ok());
    return out;
  }
  mv1::IssueTokenResponse Issue(const std::string& principal_id,
                                const std::string& request_id = NewRequestId()) {
    mv1::IssueTokenRequest req;
    req.set_request_id(request_id);
    req.set_principal_id(principal_id);
    mv1::IssueTokenResponse out;
    grpc::Status s = stub().IssueToken(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::StatusCode Probe(const std::string& token) {
    mv1::ListPartnersRequest req;
    mv1::ListPartnersResponse out;
    return stub().ListPartners(Ctx(token).get(), req, &out).error_code();
  }
};

TEST_F(PrincipalsTest, IssuedTokenAuthenticatesAndReplayReturnsTheSameToken) {
  const auto principal = CreateAdminPrincipal("运维账号");
  const std::string rid = NewRequestId();
  const auto first = Issue(principal.id(), rid);
  const auto again = Issue(principal.id(), rid);
  EXPECT_FALSE(first.token().empty());
  EXPECT_EQ(first.token(), again.token());
  EXPECT_EQ(first.token_info().id(), again.token_info().id());
  EXPECT_EQ(Probe(first.token()), grpc::StatusCode::OK);

  mv1::GetPrincipalRequest get;
  get.set_id(principal.id());
  mv1::Principal self;
  ASSERT_TRUE(stub().GetPrincipal(Ctx(first.token()).get(), get, &self).ok());
  EXPECT_EQ(self.display_name(), "运维账号");
  EXPECT_EQ(self.role(), common::v1::ROLE_PLATFORM_ADMIN);
}

TEST_F(PrincipalsTest, BearerTokensAreNeverStored) {
  const auto principal = CreateAdminPrincipal("存储检查");
  const auto issued = Issue(principal.id());
  const std::string signature = issued.token().substr(issued.token().rfind('.') + 1);
  for (const char* sql : {"SELECT reply AS v FROM idempotency_keys WHERE reply IS NOT NULL",
                          "SELECT CONCAT(id, principal_id) AS v FROM tokens"}) {
    ASSERT_TRUE(db().Read([&](Tx& tx) {
                      auto rs = tx.Query(sql);
                      while (rs->next()) {
                        const std::string v =
                            rs->isNull("v") ? "" : std::string(rs->getString("v"));
                        EXPECT_EQ(v.find(signature), std::string::npos) << sql;
                        EXPECT_EQ(v.find(issued.token()), std::string::npos) << sql;
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }
}

TEST_F(PrincipalsTest, TokenExpiresWithTheClock) {
  const auto principal = CreateAdminPrincipal("短期账号");
  mv1::IssueTokenRequest req;
  req.set_request_id(NewRequestId());
  req.set_principal_id(principal.id());
  req.mutable_ttl()->set_seconds(3600);
  mv1::IssueTokenResponse issued;
  ASSERT_TRUE(stub().IssueToken(Ctx(admin()).get(), req, &issued).ok());
  EXPECT_EQ(Probe(issued.token()), grpc::StatusCode::OK);
  const absl::Time start = clock_->Now();
  clock_->Advance(absl::Minutes(61));
  EXPECT_EQ(Probe(issued.token()), grpc::StatusCode::UNAUTHENTICATED);
  clock_->Set(start);
}

TEST_F(PrincipalsTest, RevokedTokenStopsWorkingWithinSeconds) {
  const auto principal = CreateAdminPrincipal("将被吊销");
  const auto issued = Issue(principal.id());
  ASSERT_EQ(Probe(issued.token()), grpc::StatusCode::OK);

  // The owner revokes its own token; revoking again returns it unchanged.
  mv1::RevokeTokenRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_token_id(issued.token_info().id());
  mv1::Token revoked;
  ASSERT_TRUE(stub().RevokeToken(Ctx(issued.token()).get(), revoke, &revoked).ok());
  EXPECT_TRUE(revoked.has_revoke_time());
  revoke.set_request_id(NewRequestId());
  mv1::Token again;
  ASSERT_TRUE(stub().RevokeToken(Ctx(admin()).get(), revoke, &again).ok());
  EXPECT_EQ(again.revoke_time().seconds(), revoked.revoke_time().seconds());

  // The cache refreshes every 200 ms in tests (15 s by default, well inside 60 s).
  grpc::StatusCode code = grpc::StatusCode::OK;
  for (int i = 0; i < 50 && code == grpc::StatusCode::OK; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    code = Probe(issued.token());
  }
  EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);

  mv1::ListTokenRevocationsRequest feed;
  mv1::ListTokenRevocationsResponse revocations;
  ASSERT_TRUE(stub().ListTokenRevocations(Ctx(admin()).get(), feed, &revocations).ok());
  ASSERT_GE(revocations.revocations_size(), 1);
  EXPECT_EQ(revocations.last_sequence(),
            revocations.revocations(revocations.revocations_size() - 1).sequence());
  feed.set_after_sequence(revocations.last_sequence());
  mv1::ListTokenRevocationsResponse none;
  ASSERT_TRUE(stub().ListTokenRevocations(Ctx(admin()).get(), feed, &none).ok());
  EXPECT_EQ(none.revocations_size(), 0);
  EXPECT_EQ(none.last_sequence(), revocations.last_sequence());
}

// Each token problem is UNAUTHENTICATED with its own ErrorInfo reason, so a client knows whether
// to fix its set-up (missing, malformed, not ours) or to get a new token (expired, revoked).
TEST_F(PrincipalsTest, EachTokenProblemHasItsOwnReason) {
  auto reason_of = [&](const std::string& header) {
    grpc::ClientContext ctx;
    if (!header.empty()) ctx.AddMetadata("authorization", header);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    mv1::ListPartnersRequest req;
    mv1::ListPartnersResponse out;
    grpc::Status s = stub().ListPartners(&ctx, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << header;
    return ErrorReason(s);
  };
  EXPECT_EQ(reason_of(""), "TOKEN_MISSING");
  EXPECT_EQ(reason_of("Bearer "), "TOKEN_MISSING");
  EXPECT_EQ(reason_of("Bearer not-a-token"), "TOKEN_MALFORMED");
  EXPECT_EQ(reason_of("Bearer cl1.forged.token"), "TOKEN_MALFORMED");
  EXPECT_EQ(reason_of(admin()), "TOKEN_MALFORMED");  // no "Bearer " scheme

  // A well-formed token signed with another key (another environment, a changed --token_key).
  auto foreign_key = TokenCodec::Create(RandomBytes(32));
  ASSERT_TRUE(foreign_key.ok());
  Principal impostor;
  impostor.id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  impostor.token_id = "01ARZ3NDEKTSV4RRFFQ69G5FAW";
  impostor.role = Role::kPlatformAdmin;
  impostor.expire_time = clock_->Now() + absl::Hours(1);
  EXPECT_EQ(reason_of("Bearer " + foreign_key->Sign(impostor)), "TOKEN_SIGNATURE_INVALID");

  // Expired: the reply says when.
  const auto principal = CreateAdminPrincipal("过期与吊销");
  mv1::IssueTokenRequest issue;
  issue.set_request_id(NewRequestId());
  issue.set_principal_id(principal.id());
  issue.mutable_ttl()->set_seconds(3600);
  mv1::IssueTokenResponse short_lived;
  ASSERT_TRUE(stub().IssueToken(Ctx(admin()).get(), issue, &short_lived).ok());
  const absl::Time start = clock_->Now();
  clock_->Advance(absl::Minutes(61));
  mv1::ListPartnersResponse out;
  grpc::Status s = stub().ListPartners(Ctx(short_lived.token()).get(), {}, &out);
  clock_->Set(start);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(s), "TOKEN_EXPIRED");
  const absl::Time expiry = absl::FromUnixSeconds(short_lived.token_info().expire_time().seconds());
  EXPECT_EQ(
      ErrorMetadata(s),
      (std::map<std::string, std::string>{
          {"expire_time", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", expiry, absl::UTCTimeZone())}}));

  // Revoked (within one revocation refresh, 200 ms in tests).
  const auto revoked = Issue(principal.id());
  ASSERT_EQ(Probe(revoked.token()), grpc::StatusCode::OK);
  mv1::RevokeTokenRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_token_id(revoked.token_info().id());
  mv1::Token token;
  ASSERT_TRUE(stub().RevokeToken(Ctx(admin()).get(), revoke, &token).ok());
  std::string reason;
  for (int i = 0; i < 50 && reason != "TOKEN_REVOKED"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    reason = ErrorReason(stub().ListPartners(Ctx(revoked.token()).get(), {}, &out));
  }
  EXPECT_EQ(reason, "TOKEN_REVOKED");
}

TEST_F(PrincipalsTest, ScopeFieldsMustMatchTheRole) {
  const int64_t before = CountRows(db(), "principals");
  mv1::CreatePrincipalRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_principal()->set_display_name("错误的范围");
  req.mutable_principal()->set_role(common::v1::ROLE_COOPERATIVE_ADMIN);  // needs cooperative_id
  req.mutable_principal()->set_partner_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");  // not for this role
  mv1::Principal out;
  grpc::Status s = stub().CreatePrincipal(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"principal.cooperative_id", "principal.partner_id"}));
  req.mutable_principal()->set_role(common::v1::ROLE_UNSPECIFIED);
  EXPECT_EQ(ViolatedFields(stub().CreatePrincipal(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"principal.role"});
  // A well-formed id that names nothing.
  req.mutable_principal()->set_role(common::v1::ROLE_PARTNER);
  s = stub().CreatePrincipal(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  EXPECT_EQ(CountRows(db(), "principals"), before);
}

TEST_F(PrincipalsTest, OnlyPlatformAdminsManagePrincipals) {
  const auto coop = CreateCooperative("令牌测试合作社");
  const std::string coop_admin = CoopAdminToken(coop.id());
  const auto other = CreateAdminPrincipal("别人");
  mv1::CreatePrincipalRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_principal()->set_display_name("越权");
  create.mutable_principal()->set_role(common::v1::ROLE_PLATFORM_ADMIN);
  mv1::Principal p;
  EXPECT_EQ(stub().CreatePrincipal(Ctx(coop_admin).get(), create, &p).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  mv1::IssueTokenRequest issue;
  issue.set_request_id(NewRequestId());
  issue.set_principal_id(other.id());
  mv1::IssueTokenResponse t;
  EXPECT_EQ(stub().IssueToken(Ctx(coop_admin).get(), issue, &t).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Another principal's record and tokens look like nothing at all.
  mv1::GetPrincipalRequest get;
  get.set_id(other.id());
  EXPECT_EQ(stub().GetPrincipal(Ctx(coop_admin).get(), get, &p).error_code(),
            grpc::StatusCode::NOT_FOUND);
  mv1::ListTokensRequest list;
  list.set_principal_id(other.id());
  mv1::ListTokensResponse tokens;
  EXPECT_EQ(stub().ListTokens(Ctx(coop_admin).get(), list, &tokens).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const auto other_token = Issue(other.id());
  mv1::RevokeTokenRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_token_id(other_token.token_info().id());
  mv1::Token token;
  EXPECT_EQ(stub().RevokeToken(Ctx(coop_admin).get(), revoke, &token).error_code(),
            grpc::StatusCode::NOT_FOUND);
  mv1::ListTokenRevocationsRequest feed;
  mv1::ListTokenRevocationsResponse revocations;
  EXPECT_EQ(stub().ListTokenRevocations(Ctx(coop_admin).get(), feed, &revocations).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PrincipalsTest, ListTokensNewestFirstWithPaging) {
  const auto principal = CreateAdminPrincipal("多令牌");
  std::vector<std::string> issued;
  for (int i = 0; i < 3; ++i) {
    issued.push_back(Issue(principal.id()).token_info().id());
    clock_->Advance(absl::Milliseconds(2));
  }
  mv1::ListTokensRequest list;
  list.set_principal_id(principal.id());
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    mv1::ListTokensResponse page;
    ASSERT_TRUE(stub().ListTokens(Ctx(admin()).get(), list, &page).ok());
    for (const auto& t : page.tokens()) seen.push_back(t.id());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{issued[2], issued[1], issued[0]}));
}

TEST_F(PrincipalsTest, BadTtlAndRequestIdReuseAreRefused) {
  const auto principal = CreateAdminPrincipal("参数检查");
  mv1::IssueTokenRequest req;
  req.set_request_id(NewRequestId());
  req.set_principal_id(principal.id());
  req.mutable_ttl()->set_seconds(31 * 24 * 3600);
  mv1::IssueTokenResponse out;
  EXPECT_EQ(ViolatedFields(stub().IssueToken(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"ttl"});
  req.mutable_ttl()->set_seconds(-5);
  EXPECT_EQ(ViolatedFields(stub().IssueToken(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"ttl"});
  req.mutable_ttl()->set_seconds(600);
  ASSERT_TRUE(stub().IssueToken(Ctx(admin()).get(), req, &out).ok());
  const int64_t tokens = CountRows(db(), "tokens");
  req.mutable_ttl()->set_seconds(700);
  grpc::Status s = stub().IssueToken(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "tokens"), tokens);
}

}  // namespace
}  // namespace cooplink::testing
