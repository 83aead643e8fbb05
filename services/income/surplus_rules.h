// Pure surplus distribution rules (农民专业合作社法 Art. 44, member accounts Art. 43): fiscal
// years, member days, the proration of the capital weight, the transaction amounts of members who
// share a household, and the split of a surplus into reserve, patronage and capital pools and among
// members. No SQL, no clock: today and the facts are parameters. Every split is largest remainder
// (services/common/money.h), so parts always sum to the whole.
#ifndef COOPLINK_SERVICES_INCOME_SURPLUS_RULES_H_
#define COOPLINK_SERVICES_INCOME_SURPLUS_RULES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace cooplink::income {

// Bounds of surplus distributions that are not request-field limits (those are in
// income_limits.h).
namespace surplus_limits {
// Fiscal years: from 2000 (GetMemberAccount's documented lower bound; also applied on create).
inline constexpr int kFirstFiscalYear = 2000;
// Members of one distribution (TOO_MANY_MEMBERS above).
inline constexpr int kMaxMembers = 5000;
// The display period before the members' assembly (Art. 44: 15 days).
inline constexpr int kDisplayDays = 15;
}  // namespace surplus_limits

// NO_MEMBERS when nobody belonged to the cooperative in the fiscal year, TOO_MANY_MEMBERS above
// surplus_limits::kMaxMembers (FAILED_PRECONDITION both, as the proto's allocations comment says).
absl::Status CheckFiscalMemberCount(int64_t members, int fiscal_year);

// A fiscal year named by the calendar year it ends in, ending on the last day of the
// cooperative's fiscal_year_end_month (1..12).
struct FiscalYear {
  int year = 0;
  absl::CivilDay first;
  absl::CivilDay last;
  int days() const { return static_cast<int>(last - first) + 1; }
};
FiscalYear FiscalYearOf(int year, int end_month);
// The fiscal year containing `today`.
int CurrentFiscalYear(absl::CivilDay today, int end_month);
// The newest fiscal year whose last day is before `today`.
int LastEndedFiscalYear(absl::CivilDay today, int end_month);

// Days of `fy` on which a member who joined on `join` and left after `exit` (its last day; none
// while a member) belonged; 0 when it did not belong at all.
int MemberDays(const FiscalYear& fy, absl::CivilDay join, std::optional<absl::CivilDay> exit);
// floor(amount × days ÷ fy_days), exact (128-bit intermediate); amount ≥ 0, 0 ≤ days ≤ fy_days.
int64_t Prorate(int64_t amount, int days, int fy_days);

// One member as the transaction rule sees it.
struct MemberSpan {
  std::string member_id;
  std::string household_id;  // "" for organizations: no transactions
  absl::CivilDay join;
  std::optional<absl::CivilDay> exit;
};
// The sum of a household's counted entries on one day.
struct DaySum {
  std::string household_id;
  absl::CivilDay day;
  int64_t fen = 0;
};
// Each member's transaction amount (MemberAllocation.transaction_amount): a household's entry on
// a day counts for the members of that household who belonged on that day (join ≤ day ≤ exit). A
// household's sum over the days with the same set of belonging members is split equally among
// them by largest remainder (ties by the lower member_id; a negative sum is split by its
// magnitude), so a household with one member gives that member everything of its days of
// membership. Totals below 0 become 0. Returns an entry for every member of `members`.
std::map<std::string, int64_t> TransactionAmounts(const std::vector<MemberSpan>& members,
                                                  const std::vector<DaySum>& day_sums);

// The split (the SurplusDistribution message comment). Members in the order of the output
// (ordered by member_id): ties go to the earlier one.
struct SurplusWeights {
  int64_t transaction_fen = 0;          // weight in the patronage pool
  int64_t capital_and_reserve_fen = 0;  // weight in the capital pool
};
struct SurplusSplit {
  int64_t reserve_fund = 0;
  int64_t distributable = 0;
  int64_t patronage_pool = 0;
  int64_t capital_pool = 0;
  std::vector<int64_t> patronage;  // per member, in input order
  std::vector<int64_t> capital;
};
// FAILED_PRECONDITION NO_ALLOCATION_BASIS when a non-zero pool has all-zero weights;
// INVALID_ARGUMENT for inputs out of range (surplus < 0, bps out of 0..10000).
absl::StatusOr<SurplusSplit> SplitSurplus(int64_t surplus, int32_t reserve_fund_bps,
                                          int32_t patronage_share_bps,
                                          const std::vector<SurplusWeights>& members);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_SURPLUS_RULES_H_
