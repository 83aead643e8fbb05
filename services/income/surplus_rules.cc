#include "services/income/surplus_rules.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/money.h"
#include "services/common/status.h"

namespace cooplink::income {
namespace {

__extension__ typedef __int128 Int128;

absl::CivilDay LastDayOf(int year, int month) {
  return absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
}

// Splits `total` (any sign) into `n` equal parts by largest remainder, ties to the lower index.
std::vector<int64_t> SplitEqually(int64_t total, size_t n) {
  const std::vector<int64_t> weights(n, 1);
  const int64_t magnitude = total < 0 ? -total : total;
  auto parts = SplitByWeights(magnitude, weights);
  std::vector<int64_t> out = parts.ok() ? *parts : std::vector<int64_t>(n, 0);
  if (total < 0) {
    for (int64_t& p : out) p = -p;
  }
  return out;
}

// Splits a pool among members' weights; all zeros for an empty pool.
absl::StatusOr<std::vector<int64_t>> SplitPool(int64_t pool, const std::vector<int64_t>& weights,
                                               const char* what) {
  if (pool == 0) return std::vector<int64_t>(weights.size(), 0);
  const bool any = std::any_of(weights.begin(), weights.end(), [](int64_t w) { return w > 0; });
  if (!any) {
    return FailedPrecondition(
        "NO_ALLOCATION_BASIS",
        std::string("the ") + what + " is not zero but every member's weight for it is 0");
  }
  return SplitByWeights(pool, weights);
}

}  // namespace

FiscalYear FiscalYearOf(int year, int end_month) {
  FiscalYear fy;
  fy.year = year;
  fy.last = LastDayOf(year, end_month);
  fy.first = LastDayOf(year - 1, end_month) + 1;
  return fy;
}

int CurrentFiscalYear(absl::CivilDay today, int end_month) {
  const int year = static_cast<int>(today.year());
  return today <= LastDayOf(year, end_month) ? year : year + 1;
}

int LastEndedFiscalYear(absl::CivilDay today, int end_month) {
  return CurrentFiscalYear(today, end_month) - 1;
}

int MemberDays(const FiscalYear& fy, absl::CivilDay join, std::optional<absl::CivilDay> exit) {
  const absl::CivilDay from = std::max(fy.first, join);
  const absl::CivilDay to = exit ? std::min(fy.last, *exit) : fy.last;
  return to < from ? 0 : static_cast<int>(to - from) + 1;
}

int64_t Prorate(int64_t amount, int days, int fy_days) {
  if (fy_days <= 0 || days <= 0) return 0;
  if (days >= fy_days) return amount;
  const Int128 product = static_cast<Int128>(amount) * days;
  return static_cast<int64_t>(product / fy_days);  // amount ≥ 0: truncation is floor
}

std::map<std::string, int64_t> TransactionAmounts(const std::vector<MemberSpan>& members,
                                                  const std::vector<DaySum>& day_sums) {
  std::map<std::string, int64_t> out;
  // Members of each household, ordered by member_id.
  std::map<std::string, std::vector<const MemberSpan*>> by_household;
  for (const MemberSpan& m : members) {
    out[m.member_id] = 0;
    if (!m.household_id.empty()) by_household[m.household_id].push_back(&m);
  }
  for (auto& [household, list] : by_household) {
    std::sort(list.begin(), list.end(),
              [](const MemberSpan* a, const MemberSpan* b) { return a->member_id < b->member_id; });
  }
  // Per household: the sum per set of belonging members (indexes into its sorted list).
  std::map<std::pair<std::string, std::vector<size_t>>, int64_t> groups;
  for (const DaySum& d : day_sums) {
    auto it = by_household.find(d.household_id);
    if (it == by_household.end()) continue;
    std::vector<size_t> present;
    for (size_t i = 0; i < it->second.size(); ++i) {
      const MemberSpan& m = *it->second[i];
      if (m.join <= d.day && (!m.exit || d.day <= *m.exit)) present.push_back(i);
    }
    if (present.empty()) continue;
    groups[{d.household_id, present}] += d.fen;
  }
  for (const auto& [key, total] : groups) {
    const auto& list = by_household[key.first];
    const std::vector<int64_t> parts = SplitEqually(total, key.second.size());
    for (size_t i = 0; i < key.second.size(); ++i) {
      out[list[key.second[i]]->member_id] += parts[i];
    }
  }
  for (auto& [member, fen] : out) fen = std::max<int64_t>(fen, 0);
  return out;
}

absl::StatusOr<SurplusSplit> SplitSurplus(int64_t surplus, int32_t reserve_fund_bps,
                                          int32_t patronage_share_bps,
                                          const std::vector<SurplusWeights>& members) {
  if (surplus < 0 || reserve_fund_bps < 0 || reserve_fund_bps > 10000 || patronage_share_bps < 0 ||
      patronage_share_bps > 10000) {
    return absl::InvalidArgumentError("surplus or rate out of range");
  }
  SurplusSplit s;
  auto reserve = SplitByWeights(
      surplus, std::vector<int64_t>{reserve_fund_bps, 10000 - int64_t{reserve_fund_bps}});
  if (!reserve.ok()) return reserve.status();
  s.reserve_fund = (*reserve)[0];
  s.distributable = (*reserve)[1];
  auto pools = SplitByWeights(
      s.distributable,
      std::vector<int64_t>{patronage_share_bps, 10000 - int64_t{patronage_share_bps}});
  if (!pools.ok()) return pools.status();
  s.patronage_pool = (*pools)[0];
  s.capital_pool = (*pools)[1];
  std::vector<int64_t> tx, cap;
  for (const SurplusWeights& m : members) {
    tx.push_back(m.transaction_fen);
    cap.push_back(m.capital_and_reserve_fen);
  }
  auto patronage = SplitPool(s.patronage_pool, tx, "patronage pool");
  if (!patronage.ok()) return patronage.status();
  auto capital = SplitPool(s.capital_pool, cap, "capital pool");
  if (!capital.ok()) return capital.status();
  s.patronage = *std::move(patronage);
  s.capital = *std::move(capital);
  return s;
}

absl::Status CheckFiscalMemberCount(int64_t members, int fiscal_year) {
  if (members == 0) {
    return FailedPrecondition(
        "NO_MEMBERS", absl::StrCat("the cooperative had no members in fiscal year ", fiscal_year));
  }
  if (members > surplus_limits::kMaxMembers) {
    return FailedPrecondition(
        "TOO_MANY_MEMBERS",
        absl::StrCat("the cooperative had ", members, " members in fiscal year ", fiscal_year,
                     "; at most ", surplus_limits::kMaxMembers));
  }
  return absl::OkStatus();
}

}  // namespace cooplink::income
