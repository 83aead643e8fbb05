#include "services/common/membership_directory.h"

namespace cooplink {
namespace {

namespace mv1 = ::cooplink::membership::v1;
using Stub = mv1::MembershipService::StubInterface;

// A caseload is a handful of assignments; the bound only stops a runaway paging loop.
constexpr int kAssignmentPageSize = 500;
constexpr int kMaxAssignmentPages = 100;

}  // namespace

absl::StatusOr<std::vector<std::string>> GrpcMembershipDirectory::WorkerCooperatives(
    const CallContext& call, const std::string& social_worker_id) {
  std::vector<std::string> cooperatives;
  mv1::ListAssignmentsRequest req;
  req.set_social_worker_id(social_worker_id);
  req.set_page_size(kAssignmentPageSize);
  for (int page = 0; page < kMaxAssignmentPages; ++page) {
    auto resp = client_.Read(call, &Stub::ListAssignments, req);
    if (!resp.ok()) return resp.status();
    for (const auto& a : resp->assignments()) {
      if (a.state() == mv1::ASSIGNMENT_STATE_ACTIVE && !a.cooperative_id().empty()) {
        cooperatives.push_back(a.cooperative_id());
      }
    }
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  return cooperatives;
}

absl::StatusOr<bool> GrpcMembershipDirectory::HouseholdIsActiveMember(
    const CallContext& call, const std::string& cooperative_id, const std::string& household_id) {
  mv1::ListMembersRequest req;
  req.set_cooperative_id(cooperative_id);
  req.set_household_id(household_id);
  req.set_state(mv1::MEMBER_STATE_ACTIVE);
  req.set_page_size(1);
  auto resp = client_.Read(call, &Stub::ListMembers, req);
  if (resp.status().code() == absl::StatusCode::kNotFound) return false;  // no such cooperative
  if (!resp.ok()) return resp.status();
  return resp->members_size() > 0;
}

absl::StatusOr<CooperativeInfo> GrpcMembershipDirectory::GetCooperative(
    const CallContext& call, const std::string& cooperative_id) {
  mv1::GetCooperativeRequest req;
  req.set_id(cooperative_id);
  auto resp = client_.Read(call, &Stub::GetCooperative, req);
  if (!resp.ok()) return resp.status();
  return CooperativeInfo{resp->id(), resp->region_code(), resp->service_fee_bps()};
}

absl::StatusOr<PartnerInfo> GrpcMembershipDirectory::GetPartner(const CallContext& call,
                                                                const std::string& partner_id) {
  mv1::GetPartnerRequest req;
  req.set_id(partner_id);
  auto resp = client_.Read(call, &Stub::GetPartner, req);
  if (!resp.ok()) return resp.status();
  return PartnerInfo{resp->id(), resp->channel_kind(), resp->commission_rate_bps(),
                     resp->refund_decider(), resp->platform()};
}

}  // namespace cooplink
