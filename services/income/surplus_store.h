// The SQL of surplus distributions (surplus_distributions, surplus_allocations) and of the
// transaction amounts they are computed from (income_entries of a cooperative). Functions run in
// the caller's transaction.
#ifndef COOPLINK_SERVICES_INCOME_SURPLUS_STORE_H_
#define COOPLINK_SERVICES_INCOME_SURPLUS_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "cooplink/income/v1/income.pb.h"
#include "services/common/db.h"
#include "services/common/sql_shapes.h"
#include "services/income/surplus_rules.h"

namespace cooplink::income {

namespace v1 = ::cooplink::income::v1;

// The day sums of a cooperative's MARKETPLACE_SETTLEMENT and COOPERATIVE_TRANSACTION entries
// (reversals included) with occurred_date in first..last, per household and day.
std::vector<DaySum> LoadCooperativeDaySums(Tx& tx, const std::string& cooperative_id,
                                           absl::CivilDay first, absl::CivilDay last);

// The same for one household.
std::vector<DaySum> LoadHouseholdDaySums(Tx& tx, const std::string& cooperative_id,
                                         const std::string& household_id, absl::CivilDay first,
                                         absl::CivilDay last);

// Inserts a DRAFT distribution and its allocations (ids and times set by the caller).
void InsertDistribution(Tx& tx, const v1::SurplusDistribution& d, const std::string& created_by);

// The distribution with its allocations (ordered by member_id); nullopt when there is none.
std::optional<v1::SurplusDistribution> LoadDistribution(Tx& tx, const std::string& id,
                                                        bool for_update);
// The id of the cooperative's PUBLISHED or APPROVED distribution of the year, locked.
std::optional<std::string> FindPublished(Tx& tx, const std::string& published_key);
// The cooperative's PUBLISHED or APPROVED distribution of the year (plain read), with allocations.
std::optional<v1::SurplusDistribution> LoadPublished(Tx& tx, const std::string& published_key);
std::string PublishedKey(const std::string& cooperative_id, int fiscal_year);

// DRAFT → PUBLISHED; false when the row was not a DRAFT any more.
bool MarkPublished(Tx& tx, const std::string& id, const std::string& published_key,
                   int64_t publish_us, int64_t display_end_us);
// PUBLISHED → APPROVED; false when the row was not PUBLISHED any more.
bool MarkApproved(Tx& tx, const std::string& id, absl::CivilDay assembly_date,
                  const std::string& approved_by, int64_t approve_us);

// The head of a list ("SELECT … FROM surplus_distributions d WHERE 1 = 1"); the caller appends
// filters with SqlQuery::Add, then ListDistributions appends the keyset, order and limit.
SqlQuery DistributionListQuery();
std::vector<v1::SurplusDistribution> ListDistributions(Tx& tx, SqlQuery query,
                                                       const std::string& after, int limit);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_SURPLUS_STORE_H_
