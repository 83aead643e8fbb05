// The shared client of membership (catalog's and orders') against a real membership server:
// GrpcMembershipDirectory's answers (a cooperative's fee, a partner's commission, platform and
// refund decider included) and the status codes and reasons it keeps, the caller's deadline,
// caseloads read fresh on every call (nothing cached), an unreachable membership; and the shared
// ServiceClient and revocation feed over the wire (service token, field violations, revocations);
// and what income reads: households with their size history (one, a page, all of a cooperative's),
// a worker's caseload, a cooperative's members in every state and a member's contributions.
#include "services/common/membership_directory.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/fields.h"
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

TEST_F(MembershipDirectoryTest, HouseholdsComeWithTheirSizeHistory) {
  const CoopWorld world = NewCoop();  // its household: 4 residents
  auto directory = Directory();
  const absl::CivilDay registered = Today(clock_->Now());
  clock_->Advance(absl::Hours(24));
  mv1::UpdateHouseholdRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_id(world.household.id());
  update.mutable_household()->set_resident_size(6);
  update.mutable_update_mask()->add_paths("resident_size");
  mv1::Household updated;
  ASSERT_TRUE(members().UpdateHousehold(Ctx(admin()).get(), update, &updated).ok());

  auto h = directory->GetHousehold(Background(), world.household.id());
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->id, world.household.id());
  EXPECT_EQ(h->village_code, world.household.village_code());
  EXPECT_EQ(h->head_name, world.household.head_name());
  EXPECT_EQ(h->monitoring_category, mv1::MONITORING_CATEGORY_ORDINARY);
  EXPECT_EQ(h->resident_size, 6);
  EXPECT_EQ(absl::ToUnixMicros(h->create_time), TimestampMicros(world.household.create_time()));
  ASSERT_EQ(h->size_history.size(), 2u);
  EXPECT_EQ(DateToSql(h->size_history[0].effective_date), CivilToSql(registered));
  EXPECT_EQ(h->size_history[0].size, 4);
  EXPECT_EQ(DateToSql(h->size_history[1].effective_date), CivilToSql(registered + 1));
  EXPECT_EQ(h->size_history[1].size, 6);

  absl::Status missing = directory->GetHousehold(Background(), kUnknownId).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
}

TEST_F(MembershipDirectoryTest, ListsACooperativesHouseholdsByPageAndAll) {
  const CoopWorld world = NewCoop();
  const mv1::Member second = AddMember(world).first;
  NewCoop();  // another cooperative's household in the same village
  auto directory = Directory();

  auto first = directory->ListHouseholds(Background(), "530828", world.cooperative.id(), "", 1);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->households.size(), 1u);
  ASSERT_FALSE(first->next_page_token.empty());
  EXPECT_FALSE(first->households[0].size_history.empty());
  auto rest = directory->ListHouseholds(Background(), "530828", world.cooperative.id(),
                                        first->next_page_token, 1);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->households.size(), 1u);
  EXPECT_TRUE(rest->next_page_token.empty());
  const std::set<std::string> paged = {first->households[0].id, rest->households[0].id};
  EXPECT_EQ(paged, (std::set<std::string>{world.household.id(), second.household_id()}));

  std::set<std::string> all;
  ASSERT_TRUE(directory
                  ->ForEachHousehold(Background(), "", world.cooperative.id(),
                                     [&](const HouseholdInfo& h) {
                                       all.insert(h.id);
                                       EXPECT_EQ(h.size_history.back().size, h.resident_size);
                                       return absl::OkStatus();
                                     })
                  .ok());
  EXPECT_EQ(all, paged);
  // The visitor's error ends the walk and comes back.
  int visited = 0;
  absl::Status stopped = directory->ForEachHousehold(Background(), "", world.cooperative.id(),
                                                     [&](const HouseholdInfo&) {
                                                       ++visited;
                                                       return absl::CancelledError("enough");
                                                     });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(visited, 1);
  // Membership's field violation comes back as it is.
  EXPECT_EQ(directory->ListHouseholds(Background(), "x", "", "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(MembershipDirectoryTest, AWorkersCaseloadHasItsActiveVillagesAndCooperatives) {
  const CoopWorld world = NewCoop();
  const mv1::SocialWorker worker = NewWorker();
  auto directory = Directory();
  auto assign = [&](const std::string& village, const std::string& cooperative) {
    mv1::AssignSocialWorkerRequest req;
    req.set_request_id(NewRequestId());
    req.set_social_worker_id(worker.id());
    if (!village.empty()) req.set_village_code(village);
    if (!cooperative.empty()) req.set_cooperative_id(cooperative);
    mv1::Assignment out;
    EXPECT_TRUE(members().AssignSocialWorker(Ctx(admin()).get(), req, &out).ok());
    return out;
  };
  assign("530828100201", "");
  const mv1::Assignment ended = assign("530828100202", "");
  assign("", world.cooperative.id());
  mv1::UnassignSocialWorkerRequest unassign;
  unassign.set_request_id(NewRequestId());
  unassign.set_assignment_id(ended.id());
  mv1::Assignment out;
  ASSERT_TRUE(members().UnassignSocialWorker(Ctx(admin()).get(), unassign, &out).ok());

  auto caseload = directory->WorkerCaseload(Background(), worker.id());
  ASSERT_TRUE(caseload.ok()) << caseload.status();
  EXPECT_EQ(caseload->village_codes, std::vector<std::string>{"530828100201"});
  EXPECT_EQ(caseload->cooperative_ids, std::vector<std::string>{world.cooperative.id()});
  auto cooperatives = directory->WorkerCooperatives(Background(), worker.id());
  ASSERT_TRUE(cooperatives.ok());
  EXPECT_EQ(*cooperatives, caseload->cooperative_ids);
}

TEST_F(MembershipDirectoryTest, MembersInEveryStateAndTheirContributions) {
  const CoopWorld world = NewCoop();
  const mv1::Member leaving = AddMember(world).first;
  const absl::CivilDay today = Today(clock_->Now());
  auto record = [&](const std::string& member_id, int64_t fen, absl::CivilDay day) {
    mv1::RecordCapitalContributionRequest req;
    req.set_request_id(NewRequestId());
    req.set_member_id(member_id);
    req.mutable_amount()->set_fen(fen);
    *req.mutable_contribution_date() = ToDate(day);
    mv1::CapitalContribution out;
    grpc::Status s = members().RecordCapitalContribution(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  };
  record(world.member.id(), 100000, today - 1);
  record(world.member.id(), 25000, today);
  mv1::RequestMemberExitRequest exit;
  exit.set_request_id(NewRequestId());
  exit.set_member_id(leaving.id());
  mv1::Member exited;
  ASSERT_TRUE(members().RequestMemberExit(Ctx(admin()).get(), exit, &exited).ok());
  auto directory = Directory();

  auto listed = directory->ListMembers(Background(), world.cooperative.id());
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  for (const MemberInfo& m : *listed) {
    if (m.id == world.member.id()) {
      EXPECT_EQ(m.household_id, world.household.id());
      EXPECT_EQ(m.state, mv1::MEMBER_STATE_ACTIVE);
      EXPECT_EQ(m.member_kind, world.member.member_kind());
      EXPECT_EQ(DateToSql(m.join_date), DateToSql(world.member.join_date()));
      EXPECT_FALSE(m.exit_effective_date.has_value());
      EXPECT_EQ(m.capital_contribution_total_fen, 125000);
    } else {
      EXPECT_EQ(m.id, leaving.id());
      EXPECT_EQ(m.state, mv1::MEMBER_STATE_EXIT_REQUESTED);
      ASSERT_TRUE(m.exit_effective_date.has_value());
      EXPECT_EQ(DateToSql(*m.exit_effective_date), DateToSql(exited.exit_effective_date()));
      EXPECT_EQ(m.capital_contribution_total_fen, 0);
    }
  }
  EXPECT_EQ(directory->ListMembers(Background(), kUnknownId).status().code(),
            absl::StatusCode::kNotFound);

  auto contributions = directory->ListCapitalContributions(Background(), world.member.id());
  ASSERT_TRUE(contributions.ok()) << contributions.status();
  ASSERT_EQ(contributions->size(), 2u);
  EXPECT_EQ((*contributions)[0].amount_fen, 100000);
  EXPECT_EQ(DateToSql((*contributions)[0].contribution_date), CivilToSql(today - 1));
  EXPECT_EQ((*contributions)[1].amount_fen, 25000);
  EXPECT_EQ(DateToSql((*contributions)[1].contribution_date), CivilToSql(today));
  auto none = directory->ListCapitalContributions(Background(), leaving.id());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(directory->ListCapitalContributions(Background(), kUnknownId).status().code(),
            absl::StatusCode::kNotFound);
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
