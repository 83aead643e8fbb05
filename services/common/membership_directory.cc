#include "services/common/membership_directory.h"

#include "services/common/fields.h"

namespace cooplink {
namespace {

namespace mv1 = ::cooplink::membership::v1;
using Stub = mv1::MembershipService::StubInterface;

// Membership's largest page.
constexpr int kPageSize = 500;
// A caseload is a handful of assignments; the bound only stops a runaway paging loop.
constexpr int kMaxAssignmentPages = 100;

// Every page of a list, `visit`ed in order: `req` carries the filters; its page_token and
// page_size are set here. A page token membership hands back twice is INTERNAL (a loop, not an
// answer).
template <typename Req, typename Resp, typename Visit>
absl::Status ForEachPage(MembershipClient& client,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                         const CallContext& call, Req req, Visit visit) {
  req.set_page_size(kPageSize);
  while (true) {
    auto resp = client.Read(call, method, req);
    if (!resp.ok()) return resp.status();
    if (auto s = visit(*resp); !s.ok()) return s;
    if (resp->next_page_token().empty()) return absl::OkStatus();
    if (resp->next_page_token() == req.page_token()) {
      return absl::InternalError("membership returned the same page token twice");
    }
    req.set_page_token(resp->next_page_token());
  }
}

HouseholdInfo HouseholdFromProto(const mv1::Household& h) {
  HouseholdInfo out{h.id(),
                    h.village_code(),
                    h.head_name(),
                    h.monitoring_category(),
                    h.resident_size(),
                    {},
                    absl::FromUnixMicros(TimestampMicros(h.create_time()))};
  for (const auto& p : h.resident_size_history()) {
    out.size_history.push_back({p.effective_date(), p.resident_size()});
  }
  return out;
}

}  // namespace

absl::StatusOr<WorkerCaseloadInfo> GrpcMembershipDirectory::WorkerCaseload(
    const CallContext& call, const std::string& social_worker_id) {
  WorkerCaseloadInfo caseload;
  mv1::ListAssignmentsRequest req;
  req.set_social_worker_id(social_worker_id);
  req.set_page_size(kPageSize);
  for (int page = 0; page < kMaxAssignmentPages; ++page) {
    auto resp = client_.Read(call, &Stub::ListAssignments, req);
    if (!resp.ok()) return resp.status();
    for (const auto& a : resp->assignments()) {
      if (a.state() != mv1::ASSIGNMENT_STATE_ACTIVE) continue;
      if (!a.cooperative_id().empty()) caseload.cooperative_ids.push_back(a.cooperative_id());
      if (!a.village_code().empty()) caseload.village_codes.push_back(a.village_code());
    }
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  return caseload;
}

absl::StatusOr<std::vector<std::string>> GrpcMembershipDirectory::WorkerCooperatives(
    const CallContext& call, const std::string& social_worker_id) {
  auto caseload = WorkerCaseload(call, social_worker_id);
  if (!caseload.ok()) return caseload.status();
  return std::move(caseload->cooperative_ids);
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

absl::StatusOr<HouseholdInfo> GrpcMembershipDirectory::GetHousehold(
    const CallContext& call, const std::string& household_id) {
  mv1::GetHouseholdRequest req;
  req.set_id(household_id);
  auto resp = client_.Read(call, &Stub::GetHousehold, req);
  if (!resp.ok()) return resp.status();
  return HouseholdFromProto(*resp);
}

absl::StatusOr<HouseholdPage> GrpcMembershipDirectory::ListHouseholds(
    const CallContext& call, const std::string& village_code_prefix,
    const std::string& cooperative_id, const std::string& page_token, int32_t page_size) {
  mv1::ListHouseholdsRequest req;
  req.set_village_code_prefix(village_code_prefix);
  req.set_cooperative_id(cooperative_id);
  req.set_page_token(page_token);
  req.set_page_size(page_size);
  auto resp = client_.Read(call, &Stub::ListHouseholds, req);
  if (!resp.ok()) return resp.status();
  HouseholdPage page;
  for (const auto& h : resp->households()) page.households.push_back(HouseholdFromProto(h));
  page.next_page_token = resp->next_page_token();
  return page;
}

absl::StatusOr<std::vector<MemberInfo>> GrpcMembershipDirectory::ListMembers(
    const CallContext& call, const std::string& cooperative_id) {
  std::vector<MemberInfo> members;
  mv1::ListMembersRequest req;
  req.set_cooperative_id(cooperative_id);
  auto s = ForEachPage(client_, &Stub::ListMembers, call, req,
                       [&](const mv1::ListMembersResponse& resp) {
                         for (const auto& m : resp.members()) {
                           MemberInfo info{m.id(),
                                           m.household_id(),
                                           m.member_kind(),
                                           m.state(),
                                           m.join_date(),
                                           std::nullopt,
                                           m.capital_contribution_total().fen()};
                           if (m.has_exit_effective_date()) {
                             info.exit_effective_date = m.exit_effective_date();
                           }
                           members.push_back(std::move(info));
                         }
                         return absl::OkStatus();
                       });
  if (!s.ok()) return s;
  return members;
}

absl::StatusOr<std::vector<CapitalContributionInfo>>
GrpcMembershipDirectory::ListCapitalContributions(const CallContext& call,
                                                  const std::string& member_id) {
  std::vector<CapitalContributionInfo> contributions;
  mv1::ListCapitalContributionsRequest req;
  req.set_member_id(member_id);
  auto s = ForEachPage(client_, &Stub::ListCapitalContributions, call, req,
                       [&](const mv1::ListCapitalContributionsResponse& resp) {
                         for (const auto& c : resp.contributions()) {
                           contributions.push_back({c.contribution_date(), c.amount().fen()});
                         }
                         return absl::OkStatus();
                       });
  if (!s.ok()) return s;
  return contributions;
}

absl::Status MembershipDirectory::ForEachHousehold(
    const CallContext& call, const std::string& village_code_prefix,
    const std::string& cooperative_id,
    const std::function<absl::Status(const HouseholdInfo&)>& fn) {
  std::string token;
  while (true) {
    auto page = ListHouseholds(call, village_code_prefix, cooperative_id, token, kPageSize);
    if (!page.ok()) return page.status();
    for (const HouseholdInfo& h : page->households) {
      if (auto s = fn(h); !s.ok()) return s;
    }
    if (page->next_page_token.empty()) return absl::OkStatus();
    if (page->next_page_token == token) {
      return absl::InternalError("membership returned the same page token twice");
    }
    token = std::move(page->next_page_token);
  }
}

}  // namespace cooplink
