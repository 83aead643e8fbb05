// GetCallerIdentity through real gRPC against the real MariaDB: every role learns its principal,
// scope ids and token, a social worker its current caseload; no token, no identity.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

using common::v1::Role;

class CallerIdentityTest : public MembershipFixture {
 protected:
  // A principal of `principal`'s role and scope with a token of `ttl_seconds`.
  struct Issued {
    mv1::Principal principal;
    mv1::IssueTokenResponse token;
  };
  Issued Issue(mv1::Principal principal, int64_t ttl_seconds = 3600) {
    mv1::CreatePrincipalRequest create;
    create.set_request_id(NewRequestId());
    principal.set_display_name("身份查询");
    *create.mutable_principal() = principal;
    Issued out;
    EXPECT_TRUE(stub().CreatePrincipal(Ctx(admin()).get(), create, &out.principal).ok());
    mv1::IssueTokenRequest issue;
    issue.set_request_id(NewRequestId());
    issue.set_principal_id(out.principal.id());
    issue.mutable_ttl()->set_seconds(ttl_seconds);
    EXPECT_TRUE(stub().IssueToken(Ctx(admin()).get(), issue, &out.token).ok());
    return out;
  }

  grpc::Status WhoAmI(const std::string& token, mv1::CallerIdentity* out) {
    return stub().GetCallerIdentity(Ctx(token).get(), mv1::GetCallerIdentityRequest(), out);
  }

  // The identity of `issued`'s token: the principal as created, the token as issued.
  mv1::CallerIdentity ExpectIdentity(const Issued& issued) {
    mv1::CallerIdentity me;
    grpc::Status s = WhoAmI(issued.token.token(), &me);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(me.principal().SerializeAsString(), issued.principal.SerializeAsString());
    EXPECT_EQ(me.token().SerializeAsString(), issued.token.token_info().SerializeAsString());
    EXPECT_EQ(me.token().principal_id(), issued.principal.id());
    EXPECT_FALSE(me.token().has_revoke_time());
    if (issued.principal.role() != Role::ROLE_SOCIAL_WORKER) {  // only a worker has a caseload
      EXPECT_EQ(me.assigned_village_codes_size(), 0);
      EXPECT_EQ(me.assigned_cooperative_ids_size(), 0);
    }
    return me;
  }
};

TEST_F(CallerIdentityTest, EachRoleLearnsItsPrincipalScopeAndToken) {
  const auto coop = CreateCooperative("身份合作社");
  const auto household = CreateHousehold("530828100201");
  const auto member = CreateMember(coop.id(), household.id());
  const auto partner = CreatePartner();
  const auto worker = CreateSocialWorker();

  mv1::Principal admin_p;
  admin_p.set_role(Role::ROLE_PLATFORM_ADMIN);
  const Issued platform_admin = Issue(admin_p, 7200);
  mv1::CallerIdentity me = ExpectIdentity(platform_admin);
  EXPECT_EQ(me.principal().role(), Role::ROLE_PLATFORM_ADMIN);
  EXPECT_EQ(me.token().expire_time().seconds() - me.token().create_time().seconds(), 7200);
  EXPECT_TRUE(me.principal().cooperative_id().empty());
  EXPECT_TRUE(me.principal().partner_id().empty());

  mv1::Principal coop_admin_p;
  coop_admin_p.set_role(Role::ROLE_COOPERATIVE_ADMIN);
  coop_admin_p.set_cooperative_id(coop.id());
  me = ExpectIdentity(Issue(coop_admin_p));
  EXPECT_EQ(me.principal().role(), Role::ROLE_COOPERATIVE_ADMIN);
  EXPECT_EQ(me.principal().cooperative_id(), coop.id());

  mv1::Principal member_p;
  member_p.set_role(Role::ROLE_MEMBER);
  member_p.set_cooperative_id(coop.id());
  member_p.set_household_id(household.id());
  member_p.set_member_id(member.id());
  me = ExpectIdentity(Issue(member_p));
  EXPECT_EQ(me.principal().role(), Role::ROLE_MEMBER);
  EXPECT_EQ(me.principal().cooperative_id(), coop.id());
  EXPECT_EQ(me.principal().household_id(), household.id());
  EXPECT_EQ(me.principal().member_id(), member.id());

  mv1::Principal partner_p;
  partner_p.set_role(Role::ROLE_PARTNER);
  partner_p.set_partner_id(partner.id());
  me = ExpectIdentity(Issue(partner_p));
  EXPECT_EQ(me.principal().role(), Role::ROLE_PARTNER);
  EXPECT_EQ(me.principal().partner_id(), partner.id());  // what CreateReservation uses

  mv1::Principal worker_p;
  worker_p.set_role(Role::ROLE_SOCIAL_WORKER);
  worker_p.set_social_worker_id(worker.id());
  const Issued social_worker = Issue(worker_p);
  me = ExpectIdentity(social_worker);
  EXPECT_EQ(me.principal().social_worker_id(), worker.id());
  EXPECT_EQ(me.assigned_village_codes_size(), 0);
  EXPECT_EQ(me.assigned_cooperative_ids_size(), 0);
}

TEST_F(CallerIdentityTest, ASocialWorkersCaseloadIsCurrentNotFromTheToken) {
  const auto worker = CreateSocialWorker();
  const auto coop = CreateCooperative("个案合作社");
  mv1::Principal p;
  p.set_role(Role::ROLE_SOCIAL_WORKER);
  p.set_social_worker_id(worker.id());
  const Issued issued = Issue(p);
  AssignVillage(worker.id(), "530828100202");
  AssignVillage(worker.id(), "530828100201");
  const mv1::Assignment coop_assignment = AssignCooperative(worker.id(), coop.id());

  mv1::CallerIdentity me = ExpectIdentity(issued);
  EXPECT_EQ(std::vector<std::string>(me.assigned_village_codes().begin(),
                                     me.assigned_village_codes().end()),
            (std::vector<std::string>{"530828100201", "530828100202"}));  // sorted
  EXPECT_EQ(std::vector<std::string>(me.assigned_cooperative_ids().begin(),
                                     me.assigned_cooperative_ids().end()),
            std::vector<std::string>{coop.id()});

  // Unassigned: gone at once, with the same token.
  mv1::UnassignSocialWorkerRequest unassign;
  unassign.set_request_id(NewRequestId());
  unassign.set_assignment_id(coop_assignment.id());
  mv1::Assignment ended;
  ASSERT_TRUE(stub().UnassignSocialWorker(Ctx(admin()).get(), unassign, &ended).ok());
  ASSERT_TRUE(WhoAmI(issued.token.token(), &me).ok());
  EXPECT_EQ(me.assigned_cooperative_ids_size(), 0);
  EXPECT_EQ(me.assigned_village_codes_size(), 2);
}

TEST_F(CallerIdentityTest, WithoutAValidTokenThereIsNoIdentity) {
  mv1::CallerIdentity me;
  grpc::Status s = WhoAmI("", &me);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(s), "TOKEN_MISSING");
  s = WhoAmI("cl1.forged.token", &me);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorReason(s), "TOKEN_MALFORMED");

  // A revoked token stops answering (within one revocation refresh).
  mv1::Principal p;
  p.set_role(Role::ROLE_PLATFORM_ADMIN);
  const Issued issued = Issue(p);
  ASSERT_TRUE(WhoAmI(issued.token.token(), &me).ok());
  mv1::RevokeTokenRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_token_id(me.token().id());  // the id GetCallerIdentity gave
  mv1::Token revoked;
  ASSERT_TRUE(stub().RevokeToken(Ctx(issued.token.token()).get(), revoke, &revoked).ok());
  std::string reason;
  for (int i = 0; i < 50 && reason != "TOKEN_REVOKED"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    reason = ErrorReason(WhoAmI(issued.token.token(), &me));
  }
  EXPECT_EQ(reason, "TOKEN_REVOKED");
}

}  // namespace
}  // namespace cooplink::testing
