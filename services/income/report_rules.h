// Pure report rules (GenerateReport): the period's months and person-months, each household's row
// from its summed ledger amounts, the summary (mean and median per-capita income, below/near
// counts, sources, monthly series) and the CSV a county's 乡村振兴 office reads (UTF-8 with a
// byte-order mark, CRLF, RFC 4180 quoting, Chinese headers, yuan with two decimals, 是/否).
// No SQL, no clock.
// The per-capita arithmetic is income_rules.h's, the same as the summaries and the alerts use.
#ifndef COOPLINK_SERVICES_INCOME_REPORT_RULES_H_
#define COOPLINK_SERVICES_INCOME_REPORT_RULES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "cooplink/income/v1/income.pb.h"
#include "services/income/household_directory.h"
#include "services/income/income_rules.h"

namespace cooplink::income {

namespace v1 = ::cooplink::income::v1;

// One household's sums over the period (from the grouped ledger query).
struct HouseholdSums {
  int64_t wage = 0;
  int64_t production_business = 0;
  int64_t property = 0;
  int64_t transfer = 0;
  int64_t production_cost = 0;
  int64_t marketplace = 0;
  int64_t supported = 0;
  // Adds `fen` of entries of one kind and source, naming a support source or not.
  void Add(v1::IncomeKind kind, v1::IncomeSource source, bool has_support_source, int64_t fen);
  int64_t Net() const { return wage + production_business + property + transfer - production_cost; }
};

struct ReportParams {
  v1::ReportKind kind = v1::REPORT_KIND_HOUSEHOLD_INCOME;
  absl::CivilDay start;
  absl::CivilDay end;
  int32_t near_margin_bps = 1000;
  // Monitoring lines of end_date's year by region code.
  std::map<std::string, int64_t> lines;
};

// A row from the household's facts and sums (PRODUCER_SALES: the identifying columns and
// marketplace_income only).
v1::ReportRow MakeRow(const HouseholdFacts& h, const HouseholdSums& sums, const ReportParams& p);

// Median of the values: the middle one, or the mean of the two middle ones rounded down; 0 for
// none. Sorts a copy.
int64_t Median(std::vector<int64_t> values);
// Mean rounded down (towards −∞); 0 for none. Exact (128-bit sum).
int64_t Mean(const std::vector<int64_t> values);

// What one support source brought one household.
struct SourceSum {
  std::string household_id;
  std::string support_source_id;
  int64_t fen = 0;
};
struct MonthSums {
  int64_t net = 0;
  int64_t marketplace = 0;
};
// The summary of the rows; `sources` and `monthly` (by "YYYY-MM") from their queries, `names` the
// support sources' names.
v1::ReportSummary Summarize(const std::vector<v1::ReportRow>& rows, const ReportParams& p,
                            const std::vector<SourceSum>& sources,
                            const std::map<std::string, std::string>& names,
                            const std::map<std::string, MonthSums>& monthly);

// Fen as yuan with two decimals: 123456 → "1234.56", -5 → "-0.05" (no thousands separators, so a
// spreadsheet reads a number).
std::string YuanText(int64_t fen);
// A CSV field, quoted (RFC 4180: inner quotes doubled) when it holds a comma, a quote, CR or LF.
std::string CsvField(const std::string& value);
// The Chinese name of a monitoring category (e.g. 脱贫不稳定户); "" for UNSPECIFIED.
std::string CategoryName(const std::string& enum_name);
// The rows as CSV: BOM, the header row of the proto, CRLF after every line.
std::string ReportCsv(v1::ReportKind kind, const std::vector<v1::ReportRow>& rows);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_REPORT_RULES_H_
