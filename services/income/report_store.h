// The SQL of reports: the ledger sums of a set of households over a period — per household, kind,
// source and "names a support source" (one grouped statement per chunk of up to 1024 household
// ids, IN lists padded by sql_shapes.h), per month, and per support source — plus the monitoring
// lines of a year and the support sources' names. Every ledger statement reads the households'
// ranges of idx_income_entries_report (household_id, occurred_date, kind, source, amount_fen,
// support_source_id; migration 0004), which covers them: no primary-key lookup per entry.
#ifndef COOPLINK_SERVICES_INCOME_REPORT_STORE_H_
#define COOPLINK_SERVICES_INCOME_REPORT_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/common/db.h"
#include "services/income/report_rules.h"

namespace cooplink::income {

// What the statements select: every entry of the period, or (PRODUCER_SALES) only the
// MARKETPLACE_SETTLEMENT entries of one cooperative.
struct LedgerFilter {
  absl::CivilDay start;
  absl::CivilDay end;
  std::string marketplace_cooperative_id;  // set: PRODUCER_SALES
};

// household_id → sums.
std::map<std::string, HouseholdSums> LoadHouseholdSums(Tx& tx,
                                                       const std::vector<std::string>& households,
                                                       const LedgerFilter& f);
// "YYYY-MM" → net and marketplace sums.
std::map<std::string, MonthSums> LoadMonthlySums(Tx& tx, const std::vector<std::string>& households,
                                                 const LedgerFilter& f);
// Per household and support source (non-zero or not), HOUSEHOLD_INCOME only.
std::vector<SourceSum> LoadSourceSums(Tx& tx, const std::vector<std::string>& households,
                                      const LedgerFilter& f);
// region_code → amount per capita, of `year`.
std::map<std::string, int64_t> LoadLines(Tx& tx, int year);
// id → name of the given support sources.
std::map<std::string, std::string> LoadSourceNames(Tx& tx, const std::vector<std::string>& ids);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_REPORT_STORE_H_
