// The shared client of membership (catalog's and orders') against a real membership server:
// GrpcMembershipDirectory's answers (a cooperative's fee, a partner's commission, platform and
// refund decider included) and the status codes and reasons it keeps, the caller's deadline,
// caseloads read fresh on every call (nothing cached), an unreachable membership; and the shared
// ServiceClient and revocation feed over the wire (service token, field violations, revocations).
#include "services/common/membership_directory.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/revocation_feed.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

using Stub = mv1::MembershipService::StubInterface;
constexpr char kUnknownId[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

CallContext Background() { return CallContext::Internal(Principal{}); }

class MembershipDirectoryTest : public CatalogFixture {
 protected:
  MembershipClient Client(const std::string& target, const std::string& token) {
    auto channel = MakeChannel(target, ClientTls{});
    EXPECT_TRUE(channel.ok());
    ServiceClientOptions options;
    options.callee = "membership";
    return MembershipClient(mv1::MembershipService::NewStub(*channel), token, options);
  }
  MembershipClient Client() {
    return Client(absl::StrCat("127.0.0.1:", (*membership_)->port()), admin());
  }
  std::unique_ptr<MembershipDirectory> Directory() {
    return std::make_unique<GrpcMembershipDirectory>(Client());
  }
  mv1::SocialWorker NewWorker() {
    mv1::CreateSocialWorkerRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_social_worker()->set_name("缓存测试社工");
    req.mutable_social_worker()->set_county_code("530828");
    mv1::SocialWorker out;
    EXPECT_TRUE(members().CreateSocialWorker(Ctx(admin()).get(), req, &out).ok());
    return out;
  }
};

TEST_F(MembershipDirectoryTest, AnswersComeFromMembership) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner(common::v1::CHANNEL_KIND_PLATFORM_832);
  auto directory = Directory();

  auto coop = directory->GetCooperative(Background(), world.cooperative.id());
  ASSERT_TRUE(coop.ok()) << coop.status();
  EXPECT_EQ(coop->region_code, "530828");
  auto p = directory->GetPartner(Background(), partner.partner.id());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->channel_kind, common::v1::CHANNEL_KIND_PLATFORM_832);
  EXPECT_TRUE(*directory->HouseholdIsActiveMember(Background(), world.cooperative.id(),
                                                  world.household.id()));
  const CoopWorld other = NewCoop();
  EXPECT_FALSE(*directory->HouseholdIsActiveMember(Background(), other.cooperative.id(),
                                                   world.household.id()));
  // Membership's NOT_FOUND stays NOT_FOUND (not flattened to INTERNAL/UNKNOWN), with its reason.
  absl::Status missing = directory->GetCooperative(Background(), kUnknownId).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(missing), "NOT_FOUND");
}

// What orders settles and decides with: the cooperative's service fee, the partner's commission,
// its platform and who decides its refunds (membership's default when unset, and a stored choice).
TEST_F(MembershipDirectoryTest, FeesPlatformAndRefundDeciderComeFromMembership) {
  const CoopWorld world = NewCoop();        // service_fee_bps 300
  const PartnerWorld plain = NewPartner();  // commission 500, no platform
  mv1::CreatePartnerRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_partner()->set_name(absl::StrCat("淘宝店", NextSequence()));
  req.mutable_partner()->set_channel_kind(common::v1::CHANNEL_KIND_ECOMMERCE);
  req.mutable_partner()->set_commission_rate_bps(650);
  req.mutable_partner()->set_platform(common::v1::PLATFORM_TAOBAO);
  mv1::Partner taobao;
  ASSERT_TRUE(members().CreatePartner(Ctx(admin()).get(), req, &taobao).ok());
  req.set_request_id(NewRequestId());
  req.mutable_partner()->set_name(absl::StrCat("抖店", NextSequence()));
  req.mutable_partner()->set_commission_rate_bps(0);
  req.mutable_partner()->set_platform(common::v1::PLATFORM_DOUYIN);
  req.mutable_partner()->set_refund_decider(common::v1::REFUND_DECIDER_COOPERATIVE);
  mv1::Partner douyin;
  ASSERT_TRUE(members().CreatePartner(Ctx(admin()).get(), req, &douyin).ok());
  auto directory = Directory();

  auto coop = directory->GetCooperative(Background(), world.cooperative.id());
  ASSERT_TRUE(coop.ok()) << coop.status();
  EXPECT_EQ(coop->id, world.cooperative.id());
  EXPECT_EQ(coop->service_fee_bps, 300);

  auto p = directory->GetPartner(Background(), plain.partner.id());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->id, plain.partner.id());
  EXPECT_EQ(p->commission_rate_bps, 500);
  EXPECT_EQ(p->platform, common::v1::PLATFORM_UNSPECIFIED);
  EXPECT_EQ(p->refund_decider, common::v1::REFUND_DECIDER_COOPERATIVE);  // no platform: default

  p = directory->GetPartner(Background(), taobao.id());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->commission_rate_bps, 650);
  EXPECT_EQ(p->channel_kind, common::v1::CHANNEL_KIND_ECOMMERCE);
  EXPECT_EQ(p->platform, common::v1::PLATFORM_TAOBAO);
  EXPECT_EQ(p->refund_decider, common::v1::REFUND_DECIDER_PLATFORM);  // a platform: its default

  p = directory->GetPartner(Background(), douyin.id());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->commission_rate_bps, 0);
  EXPECT_EQ(p->platform, common::v1::PLATFORM_DOUYIN);
  EXPECT_EQ(p->refund_decider, common::v1::REFUND_DECIDER_COOPERATIVE);  // as stored
}

// Every question reaches membership: an assignment counts from the next question on, and so does
// its end (issue 8, item 8: catalog used to keep a caseload for 5 s).
TEST_F(MembershipDirectoryTest, CaseloadsAreReadFreshOnEveryCall) {
  const CoopWorld world = NewCoop();
  const mv1::SocialWorker worker = NewWorker();
  auto directory = Directory();
  auto before = directory->WorkerCooperatives(Background(), worker.id());
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->empty());

  mv1::AssignSocialWorkerRequest assign;
  assign.set_request_id(NewRequestId());
  assign.set_social_worker_id(worker.id());
  assign.set_cooperative_id(world.cooperative.id());
  mv1::Assignment assignment;
  ASSERT_TRUE(members().AssignSocialWorker(Ctx(admin()).get(), assign, &assignment).ok());
  auto assigned = directory->WorkerCooperatives(Background(), worker.id());
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(*assigned, std::vector<std::string>{world.cooperative.id()});

  mv1::UnassignSocialWorkerRequest unassign;
  unassign.set_request_id(NewRequestId());
  unassign.set_assignment_id(assignment.id());
  ASSERT_TRUE(members().UnassignSocialWorker(Ctx(admin()).get(), unassign, &assignment).ok());
  auto ended = directory->WorkerCooperatives(Background(), worker.id());
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_TRUE(ended->empty());  // the ENDED assignment is listed by membership but not counted
}

TEST_F(MembershipDirectoryTest, UnreachableMembershipIsUnavailable) {
  GrpcMembershipDirectory directory(Client("127.0.0.1:1", admin()));
  EXPECT_EQ(directory.GetPartner(Background(), kUnknownId).status().code(),
            absl::StatusCode::kUnavailable);
}

// The caller's deadline bounds the call: with no time left nothing is sent (even to a membership
// that is down, the answer is DEADLINE_EXCEEDED, not UNAVAILABLE).
TEST_F(MembershipDirectoryTest, CallerWithoutTimeLeftGetsDeadlineExceeded) {
  const CallContext late(Principal{}, absl::Now() - absl::Milliseconds(1));
  GrpcMembershipDirectory reachable(Client());
  EXPECT_EQ(reachable.GetPartner(late, kUnknownId).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  GrpcMembershipDirectory unreachable(Client("127.0.0.1:1", admin()));
  EXPECT_EQ(unreachable.WorkerCooperatives(late, kUnknownId).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  // A caller with time left is answered as usual.
  const CallContext timely(Principal{}, absl::Now() + absl::Seconds(5));
  EXPECT_EQ(reachable.GetPartner(timely, kUnknownId).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MembershipDirectoryTest, ClientKeepsMembershipsReasonsAndFieldViolations) {
  MembershipClient client = Client();
  mv1::AssignSocialWorkerRequest assign;
  assign.set_request_id(NewRequestId());
  assign.set_social_worker_id(kUnknownId);
  assign.set_cooperative_id(NewCoop().cooperative.id());
  absl::Status refused = client.Write(Background(), &Stub::AssignSocialWorker, assign).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(refused), "REFERENCED_RESOURCE_NOT_FOUND");

  mv1::CreateSocialWorkerRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_social_worker()->set_name("字段错误");
  create.mutable_social_worker()->set_county_code("53");
  absl::Status invalid = client.Write(Background(), &Stub::CreateSocialWorker, create).status();
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  auto payload = invalid.GetPayload("type.googleapis.com/google.rpc.BadRequest");
  ASSERT_TRUE(payload.has_value());
  google::rpc::BadRequest bad;
  ASSERT_TRUE(bad.ParseFromString(std::string(*payload)));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "social_worker.county_code");
}

TEST_F(MembershipDirectoryTest, ClientSendsTheServiceToken) {
  mv1::GetPartnerRequest req;
  req.set_id(kUnknownId);
  // The admin token reaches membership: it answers the request itself (NOT_FOUND).
  EXPECT_EQ(Client().Read(Background(), &Stub::GetPartner, req).status().code(),
            absl::StatusCode::kNotFound);
  const std::string target = absl::StrCat("127.0.0.1:", (*membership_)->port());
  EXPECT_EQ(
      Client(target, "cl1.forged.token").Read(Background(), &Stub::GetPartner, req).status().code(),
      absl::StatusCode::kUnauthenticated);
}

TEST_F(MembershipDirectoryTest, RevocationFeedReturnsRevokedTokens) {
  RevocationList::Source feed = MembershipRevocationFeed(Client());
  auto before = feed(0);
  ASSERT_TRUE(before.ok()) << before.status();
  const int64_t last = before->empty() ? 0 : before->back().sequence;

  // A token of a principal of its own (the suite's admin token must stay valid).
  mv1::CreatePrincipalRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_principal()->set_display_name("吊销测试");
  create.mutable_principal()->set_role(common::v1::ROLE_PLATFORM_ADMIN);
  mv1::Principal principal;
  ASSERT_TRUE(members().CreatePrincipal(Ctx(admin()).get(), create, &principal).ok());
  mv1::IssueTokenRequest issue;
  issue.set_request_id(NewRequestId());
  issue.set_principal_id(principal.id());
  mv1::IssueTokenResponse issued;
  ASSERT_TRUE(members().IssueToken(Ctx(admin()).get(), issue, &issued).ok());
  mv1::RevokeTokenRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_token_id(issued.token_info().id());
  mv1::Token revoked;
  ASSERT_TRUE(members().RevokeToken(Ctx(admin()).get(), revoke, &revoked).ok());

  // The revocation enters the feed once membership's relay has sequenced it (100 ms by default).
  auto after = feed(last);
  for (int i = 0; i < 100 && after.ok() && after->empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = feed(last);
  }
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().token_id, revoked.id());
  EXPECT_GT(after->front().sequence, last);
}

}  // namespace
}  // namespace cooplink::testing
