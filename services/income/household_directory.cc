#include "services/income/household_directory.h"

#include <set>

namespace cooplink::income {
namespace {

namespace mv1 = ::cooplink::membership::v1;
using Stub = mv1::MembershipService::StubInterface;

constexpr int kPageSize = 500;
// Bounds a runaway paging loop (500 × 2000 = one million rows).
constexpr int kMaxPages = 2000;

absl::CivilDay DayOf(const common::v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

// Membership's Date fields may be unset (year 0): the earliest day then.
absl::CivilDay DayOrEarliest(const common::v1::Date& d) {
  return d.year() == 0 ? absl::CivilDay(1900, 1, 1) : DayOf(d);
}

MemberFacts MemberFactsFrom(const mv1::Member& m) {
  MemberFacts f;
  f.id = m.id();
  f.cooperative_id = m.cooperative_id();
  f.household_id = m.household_id();
  f.kind = m.member_kind();
  f.state = m.state();
  f.join_date = DayOrEarliest(m.join_date());
  if (m.has_exit_effective_date() && m.exit_effective_date().year() != 0) {
    f.exit_effective_date = DayOf(m.exit_effective_date());
  }
  f.capital_contribution_total_fen = m.capital_contribution_total().fen();
  return f;
}

}  // namespace

HouseholdFacts HouseholdFactsFrom(const mv1::Household& h) {
  HouseholdFacts f;
  f.id = h.id();
  f.village_code = h.village_code();
  f.head_name = h.head_name();
  f.category = h.monitoring_category();
  f.resident_size = h.resident_size();
  for (const mv1::ResidentSizePeriod& p : h.resident_size_history()) {
    f.sizes.push_back({DayOrEarliest(p.effective_date()), p.resident_size()});
  }
  if (f.sizes.empty()) f.sizes.push_back({absl::CivilDay(1900, 1, 1), h.resident_size()});
  return f;
}

absl::StatusOr<HouseholdFacts> GrpcHouseholdDirectory::GetHousehold(
    const CallContext& call, const std::string& household_id) {
  mv1::GetHouseholdRequest req;
  req.set_id(household_id);
  auto resp = client_.Read(call, &Stub::GetHousehold, req);
  if (!resp.ok()) return resp.status();
  return HouseholdFactsFrom(*resp);
}

absl::StatusOr<std::vector<HouseholdFacts>> GrpcHouseholdDirectory::ListHouseholds(
    const CallContext& call, const std::string& village_prefix, const std::string& cooperative_id,
    int limit) {
  std::vector<HouseholdFacts> out;
  mv1::ListHouseholdsRequest req;
  req.set_village_code_prefix(village_prefix);
  req.set_cooperative_id(cooperative_id);
  req.set_page_size(kPageSize);
  for (int page = 0; page < kMaxPages; ++page) {
    auto resp = client_.Read(call, &Stub::ListHouseholds, req);
    if (!resp.ok()) return resp.status();
    for (const mv1::Household& h : resp->households()) {
      out.push_back(HouseholdFactsFrom(h));
      if (static_cast<int>(out.size()) > limit) return out;
    }
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  return out;
}

absl::StatusOr<Caseload> GrpcHouseholdDirectory::WorkerCaseload(
    const CallContext& call, const std::string& social_worker_id) {
  Caseload caseload;
  mv1::ListAssignmentsRequest req;
  req.set_social_worker_id(social_worker_id);
  req.set_page_size(kPageSize);
  for (int page = 0; page < kMaxPages; ++page) {
    auto resp = client_.Read(call, &Stub::ListAssignments, req);
    if (!resp.ok()) return resp.status();
    for (const mv1::Assignment& a : resp->assignments()) {
      if (a.state() != mv1::ASSIGNMENT_STATE_ACTIVE) continue;
      if (!a.village_code().empty()) caseload.village_codes.push_back(a.village_code());
      if (!a.cooperative_id().empty()) caseload.cooperative_ids.push_back(a.cooperative_id());
    }
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  return caseload;
}

absl::StatusOr<CooperativeFacts> GrpcHouseholdDirectory::GetCooperative(
    const CallContext& call, const std::string& cooperative_id) {
  mv1::GetCooperativeRequest req;
  req.set_id(cooperative_id);
  auto resp = client_.Read(call, &Stub::GetCooperative, req);
  if (!resp.ok()) return resp.status();
  return CooperativeFacts{resp->id(), resp->region_code(),
                          resp->fiscal_year_end_month() == 0 ? 12 : resp->fiscal_year_end_month()};
}

absl::StatusOr<MemberFacts> GrpcHouseholdDirectory::GetMember(const CallContext& call,
                                                              const std::string& member_id) {
  mv1::GetMemberRequest req;
  req.set_id(member_id);
  auto resp = client_.Read(call, &Stub::GetMember, req);
  if (!resp.ok()) return resp.status();
  return MemberFactsFrom(*resp);
}

absl::StatusOr<std::vector<MemberFacts>> GrpcHouseholdDirectory::ListMembers(
    const CallContext& call, const std::string& cooperative_id) {
  std::vector<MemberFacts> out;
  mv1::ListMembersRequest req;
  req.set_cooperative_id(cooperative_id);
  req.set_page_size(kPageSize);
  for (int page = 0; page < kMaxPages; ++page) {
    auto resp = client_.Read(call, &Stub::ListMembers, req);
    if (!resp.ok()) return resp.status();
    for (const mv1::Member& m : resp->members()) out.push_back(MemberFactsFrom(m));
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  return out;
}

absl::StatusOr<std::vector<Contribution>> GrpcHouseholdDirectory::ListContributions(
    const CallContext& call, const std::string& member_id) {
  std::vector<Contribution> out;
  mv1::ListCapitalContributionsRequest req;
  req.set_member_id(member_id);
  req.set_page_size(kPageSize);
  for (int page = 0; page < kMaxPages; ++page) {
    auto resp = client_.Read(call, &Stub::ListCapitalContributions, req);
    if (!resp.ok()) return resp.status();
    for (const mv1::CapitalContribution& c : resp->contributions()) {
      out.push_back({DayOf(c.contribution_date()), c.amount().fen()});
    }
    if (resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  return out;
}

}  // namespace cooplink::income
