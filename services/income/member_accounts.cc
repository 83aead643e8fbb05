// Member accounts (成员账户, 农民专业合作社法 Art. 43): a member's 出资额, 公积金份额 and
// transaction amount for one fiscal year, and its allocation in the cooperative's PUBLISHED or
// APPROVED distribution of that year. With such a distribution its figures are the account's;
// without one the transaction amount is computed now (surplus_rules.h TransactionAmounts, over
// the members of the member's household) and the reserve share is 0.
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/status.h"
#include "services/income/income.h"
#include "services/income/income_access.h"
#include "services/income/surplus_rules.h"
#include "services/income/surplus_store.h"

namespace cooplink::income {

absl::Status Income::GetMemberAccount(const CallContext& call,
                                      const v1::GetMemberAccountRequest& req,
                                      v1::MemberAccount* out) {
  auto scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  CheckId(v, "member_id", req.member_id());
  if (req.fiscal_year() < surplus_limits::kFirstFiscalYear) {
    v.Add("fiscal_year", "must be 2000 to the current fiscal year");
  }
  if (auto s = v.ToStatus(); !s.ok()) return s;

  // Membership first: the member, its cooperative's fiscal year, its contributions.
  auto member = directory_->GetMember(call, req.member_id());
  if (!member.ok()) {
    if (member.status().code() == absl::StatusCode::kNotFound) {
      return NotFoundFor("member", req.member_id());
    }
    return member.status();
  }
  const IncomeRelation r = RelationToCooperative(*scope, member->cooperative_id);
  const Principal& p = *scope->principal;
  if (r == IncomeRelation::kNone ||
      (r == IncomeRelation::kOwnMember && p.member_id != member->id)) {
    return NotFoundFor("member", req.member_id());
  }
  auto coop = directory_->GetCooperative(call, member->cooperative_id);
  if (!coop.ok()) return coop.status();
  const int current = CurrentFiscalYear(Today(clock_->Now()), coop->fiscal_year_end_month);
  if (req.fiscal_year() > current) {
    return InvalidField("fiscal_year",
                        absl::StrCat("must be 2000 to the current fiscal year (", current, ")"));
  }
  const FiscalYear fy = FiscalYearOf(req.fiscal_year(), coop->fiscal_year_end_month);
  int64_t capital = 0;
  if (member->capital_contribution_total_fen != 0) {
    auto contributions = directory_->ListContributions(call, member->id);
    if (!contributions.ok()) return contributions.status();
    for (const Contribution& c : *contributions) {
      if (c.date <= fy.last) capital += c.amount_fen;
    }
  }

  out->set_member_id(member->id);
  out->set_cooperative_id(member->cooperative_id);
  out->set_household_id(member->household_id);
  out->set_fiscal_year(fy.year);
  *out->mutable_start_date() = ToDate(fy.first);
  *out->mutable_end_date() = ToDate(fy.last);
  out->mutable_capital_contribution()->set_fen(capital);
  out->mutable_reserve_and_subsidy_share()->set_fen(0);

  std::optional<v1::SurplusDistribution> published;
  if (auto s = db_->Read([&](Tx& tx) -> absl::Status {
        published = LoadPublished(tx, PublishedKey(member->cooperative_id, fy.year));
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (published) {
    out->set_distribution_id(published->id());
    out->set_distribution_state(published->state());
    for (const v1::MemberAllocation& a : published->allocations()) {
      if (a.member_id() != member->id) continue;
      *out->mutable_allocation() = a;
      *out->mutable_reserve_and_subsidy_share() = a.reserve_and_subsidy_share();
      *out->mutable_transaction_amount() = a.transaction_amount();
      return absl::OkStatus();
    }
    // Not a member of that year: the account has no allocation; compute the amount below.
  }
  out->mutable_transaction_amount()->set_fen(0);
  if (member->household_id.empty()) return absl::OkStatus();
  // The household's other members share its amount (surplus_rules.h TransactionAmounts).
  auto members = directory_->ListMembers(call, member->cooperative_id);
  if (!members.ok()) return members.status();
  std::vector<MemberSpan> spans;
  for (const MemberFacts& m : *members) {
    if (m.household_id != member->household_id) continue;
    if (MemberDays(fy, m.join_date, m.exit_effective_date) == 0) continue;
    spans.push_back({m.id, m.household_id, m.join_date, m.exit_effective_date});
  }
  return db_->Read([&](Tx& tx) -> absl::Status {
    const auto amounts = TransactionAmounts(
        spans,
        LoadHouseholdDaySums(tx, member->cooperative_id, member->household_id, fy.first, fy.last));
    auto it = amounts.find(member->id);
    out->mutable_transaction_amount()->set_fen(it == amounts.end() ? 0 : it->second);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
