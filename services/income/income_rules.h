// Pure income arithmetic (防止返贫动态监测, the proto's "Income arithmetic"): periods and their
// months, resident person-months from a household's size history, the components of net income
// from ledger entries, per-capita net income, the exact below/near comparisons with a monitoring
// line, the most specific line of a region, and the gain over a baseline.
//
// No SQL, no clock, no gRPC: "today" is a parameter. Every comparison is exact integer arithmetic
// in 128 bits (no rounding before comparing); only PerCapita rounds, down (towards −∞), and
// GainBps, towards zero. Shared by summaries, alerts, reports and surplus.
#ifndef COOPLINK_SERVICES_INCOME_INCOME_RULES_H_
#define COOPLINK_SERVICES_INCOME_INCOME_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "cooplink/income/v1/income.pb.h"
#include "services/income/household_directory.h"

namespace cooplink::income {

namespace v1 = ::cooplink::income::v1;

// Days first..last, inclusive (first <= last). It covers the calendar months from first's month to
// last's month, each counted whole for the divisor (a period is never projected).
struct Period {
  absl::CivilDay first;
  absl::CivilDay last;

  // The months covered, oldest first (never empty).
  std::vector<absl::CivilMonth> Months() const;
  int MonthCount() const;
  bool Contains(absl::CivilDay day) const { return first <= day && day <= last; }
};

// 1 January to 31 December of `year`.
Period CalendarYear(int year);
// The monitoring window: the first day of the month 11 months before today's, to today.
Period Trailing12Months(absl::CivilDay today);
// The 12 whole months before Trailing12Months(today) (INCOME_DROP's comparison window).
Period Previous12Months(absl::CivilDay today);

// The resident size in effect on `day`: the last period whose `from` is on or before it; before
// the first period, the first period's size. `sizes` oldest first; 0 when empty.
int32_t SizeOn(absl::Span<const SizePeriod> sizes, absl::CivilDay day);
// A month counts with the size in effect on its first day.
int32_t SizeInMonth(absl::Span<const SizePeriod> sizes, absl::CivilMonth month);
// Sum over the period's months of SizeInMonth.
int64_t ResidentPersonMonths(absl::Span<const SizePeriod> sizes, const Period& period);
// The size in effect in the period's last month (HouseholdIncomeSummary.resident_size).
int32_t SizeInLastMonth(absl::Span<const SizePeriod> sizes, const Period& period);

// What the arithmetic needs of one ledger entry (reversals included, with their negated amount).
struct LedgerAmount {
  v1::IncomeKind kind = v1::INCOME_KIND_UNSPECIFIED;
  int64_t amount_fen = 0;
  absl::CivilDay occurred;
  v1::IncomeSource source = v1::INCOME_SOURCE_UNSPECIFIED;
  bool has_support_source = false;
};

// The components of a household's income over a period, in fen.
struct IncomeComponents {
  int64_t wage = 0;
  int64_t production_business = 0;  // marketplace included
  int64_t property = 0;
  int64_t transfer = 0;
  int64_t production_cost = 0;
  int64_t net = 0;          // the four incomes minus production_cost
  int64_t marketplace = 0;  // MARKETPLACE_SETTLEMENT entries
  int64_t supported = 0;    // entries naming a support source
  int32_t count = 0;        // entries counted
};

// Sums the entries whose occurred date lies in `period` (the others are ignored).
IncomeComponents SumComponents(absl::Span<const LedgerAmount> entries, const Period& period);

// net × 12 ÷ person_months, rounded towards −∞; 0 when person_months <= 0; clamped to int64.
int64_t PerCapita(int64_t net_fen, int64_t person_months);
// net × 12 < line × person_months, exactly.
bool Below(int64_t net_fen, int64_t person_months, int64_t line_fen);
// Not Below, and net × 12 × 10000 < line × person_months × (10000 + margin_bps), exactly.
bool Near(int64_t net_fen, int64_t person_months, int64_t line_fen, int32_t margin_bps);

// A monitoring line as the rules see it.
struct ThresholdCandidate {
  std::string id;
  std::string region_code;  // 6 digits
  int32_t year = 0;
  int64_t amount_fen = 0;
};

// True for a region code a threshold may name: 6 digits, and "000000" (national), "xx0000"
// (province, xx not 00), "xxxx00" (prefecture, not "xx00yy") or a county.
bool IsThresholdRegion(const std::string& region_code);
// The regions whose line may apply to a village, most specific first: its county
// (village_code[0:6]), prefecture (xxxx00), province (xx0000), "000000" (duplicates dropped).
std::vector<std::string> RegionChain(const std::string& village_code);
// The prefix of the village codes a threshold region covers: county 6 digits, prefecture 4,
// province 2, national "".
std::string VillagePrefixOf(const std::string& region_code);
// The most specific candidate of `year` for the village (county, prefecture, province, national);
// nullopt when none applies.
std::optional<ThresholdCandidate> ChooseThreshold(const std::string& village_code, int32_t year,
                                                  absl::Span<const ThresholdCandidate> candidates);

// per_capita - baseline (saturating).
int64_t GainOverBaseline(int64_t per_capita_fen, int64_t baseline_fen);
// gain ÷ baseline in basis points, rounded towards zero; 0 when baseline <= 0.
int64_t GainBps(int64_t gain_fen, int64_t baseline_fen);

// "5,400.00" (yuan with two decimals and thousands separators; "-12.30" for negatives).
std::string FormatYuan(int64_t fen);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_INCOME_RULES_H_
