#include "services/income/household_directory.h"

namespace cooplink::income {
namespace {

namespace mv1 = ::cooplink::membership::v1;
using Stub = mv1::MembershipService::StubInterface;

absl::CivilDay DayOf(const common::v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

// Membership's Date fields may be unset (year 0): the earliest day then.
absl::CivilDay DayOrEarliest(const common::v1::Date& d) {
  return d.year() == 0 ? absl::CivilDay(1900, 1, 1) : DayOf(d);
}

MemberFacts MemberFactsFrom(const MemberInfo& m, const std::string& cooperative_id) {
  MemberFacts f;
  f.id = m.id;
  f.cooperative_id = cooperative_id;
  f.household_id = m.household_id;
  f.kind = m.member_kind;
  f.state = m.state;
  f.join_date = DayOrEarliest(m.join_date);
  if (m.exit_effective_date.has_value() && m.exit_effective_date->year() != 0) {
    f.exit_effective_date = DayOf(*m.exit_effective_date);
  }
  f.capital_contribution_total_fen = m.capital_contribution_total_fen;
  return f;
}

}  // namespace

HouseholdFacts HouseholdFactsFrom(const HouseholdInfo& h) {
  HouseholdFacts f;
  f.id = h.id;
  f.village_code = h.village_code;
  f.head_name = h.head_name;
  f.category = h.monitoring_category;
  f.resident_size = h.resident_size;
  for (const ResidentSizePeriod& p : h.size_history) {
    f.sizes.push_back({DayOrEarliest(p.effective_date), p.size});
  }
  if (f.sizes.empty()) f.sizes.push_back({absl::CivilDay(1900, 1, 1), h.resident_size});
  return f;
}

absl::StatusOr<HouseholdFacts> GrpcHouseholdDirectory::GetHousehold(
    const CallContext& call, const std::string& household_id) {
  auto h = membership_.GetHousehold(call, household_id);
  if (!h.ok()) return h.status();
  return HouseholdFactsFrom(*h);
}

absl::StatusOr<std::vector<HouseholdFacts>> GrpcHouseholdDirectory::ListHouseholds(
    const CallContext& call, const std::string& village_prefix, const std::string& cooperative_id,
    int limit) {
  std::vector<HouseholdFacts> out;
  // Stops the paging once past the limit (the callback's error is not a failure here).
  const absl::Status enough = absl::CancelledError("limit reached");
  absl::Status s = membership_.ForEachHousehold(
      call, village_prefix, cooperative_id, [&](const HouseholdInfo& h) {
        out.push_back(HouseholdFactsFrom(h));
        return static_cast<int>(out.size()) > limit ? enough : absl::OkStatus();
      });
  if (!s.ok() && s != enough) return s;
  return out;
}

absl::StatusOr<Caseload> GrpcHouseholdDirectory::WorkerCaseload(
    const CallContext& call, const std::string& social_worker_id) {
  auto c = membership_.WorkerCaseload(call, social_worker_id);
  if (!c.ok()) return c.status();
  return Caseload{std::move(c->village_codes), std::move(c->cooperative_ids)};
}

absl::StatusOr<CooperativeFacts> GrpcHouseholdDirectory::GetCooperative(
    const CallContext& call, const std::string& cooperative_id) {
  auto c = membership_.GetCooperative(call, cooperative_id);
  if (!c.ok()) return c.status();
  return CooperativeFacts{c->id, c->region_code, c->fiscal_year_end_month};
}

absl::StatusOr<MemberFacts> GrpcHouseholdDirectory::GetMember(const CallContext& call,
                                                              const std::string& member_id) {
  mv1::GetMemberRequest req;
  req.set_id(member_id);
  auto m = client_.Read(call, &Stub::GetMember, req);
  if (!m.ok()) return m.status();
  MemberInfo info{m->id(),
                  m->household_id(),
                  m->member_kind(),
                  m->state(),
                  m->join_date(),
                  std::nullopt,
                  m->capital_contribution_total().fen()};
  if (m->has_exit_effective_date()) info.exit_effective_date = m->exit_effective_date();
  return MemberFactsFrom(info, m->cooperative_id());
}

absl::StatusOr<bool> GrpcHouseholdDirectory::HouseholdHasMember(const CallContext& call,
                                                                const std::string& cooperative_id,
                                                                const std::string& household_id) {
  mv1::ListMembersRequest req;
  req.set_cooperative_id(cooperative_id);
  req.set_household_id(household_id);  // any state
  req.set_page_size(1);
  auto resp = client_.Read(call, &Stub::ListMembers, req);
  if (resp.status().code() == absl::StatusCode::kNotFound) return false;  // no such cooperative
  if (!resp.ok()) return resp.status();
  return resp->members_size() > 0;
}

absl::StatusOr<std::vector<MemberFacts>> GrpcHouseholdDirectory::ListMembers(
    const CallContext& call, const std::string& cooperative_id) {
  auto members = membership_.ListMembers(call, cooperative_id);
  if (!members.ok()) return members.status();
  std::vector<MemberFacts> out;
  out.reserve(members->size());
  for (const MemberInfo& m : *members) out.push_back(MemberFactsFrom(m, cooperative_id));
  return out;
}

absl::StatusOr<std::vector<Contribution>> GrpcHouseholdDirectory::ListContributions(
    const CallContext& call, const std::string& member_id) {
  auto contributions = membership_.ListCapitalContributions(call, member_id);
  if (!contributions.ok()) return contributions.status();
  std::vector<Contribution> out;
  for (const CapitalContributionInfo& c : *contributions) {
    out.push_back({DayOf(c.contribution_date), c.amount_fen});
  }
  return out;
}

}  // namespace cooplink::income
