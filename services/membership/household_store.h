// Storage of households, their category changes and their resident-size history: the SQL
// statements (named constants in household_store.cc), row mapping and small functions that run in
// the caller's transaction. A household is loaded together with the facts access needs
// (access_rules.h Subject): its village, the cooperative that registered it and the cooperatives
// its members belong to; and always with its resident_size_history (a list page with one more
// query for the whole page).
#ifndef COOPLINK_SERVICES_MEMBERSHIP_HOUSEHOLD_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_HOUSEHOLD_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/db.h"
#include "services/common/paging.h"
#include "services/membership/access_rules.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

void InsertHousehold(Tx& tx, const std::string& id, const v1::Household& h,
                     const std::optional<std::string>& created_by_cooperative_id, int64_t now_us);
// NOT_FOUND("household", id) when there is none. With `for_update` the row and its size history
// stay locked. When `subject` is given it receives the household's access facts.
absl::Status LoadHousehold(Tx& tx, const std::string& id, bool for_update, v1::Household* out,
                           Subject* subject = nullptr);
// Only the access facts; nullopt when there is no such household.
std::optional<Subject> LoadHouseholdSubject(Tx& tx, const std::string& id);
// Writes the updatable fields of `next` (the row must be locked) and bumps its version.
void SaveHousehold(Tx& tx, const v1::Household& next, int64_t now_us);
// Sets the household's category (the row must be locked) and bumps its version.
void UpdateMonitoringCategory(Tx& tx, const std::string& id, v1::MonitoringCategory category,
                              int64_t now_us);
// The page of households the scope may list, with the request's filters (validated): village
// prefix, category (UNSPECIFIED means any), cooperative (empty means any; else a member of it in
// any state).
void LoadHouseholdPage(Tx& tx, const Scope& scope, const v1::ListHouseholdsRequest& req,
                       const PageRequest& page, const std::string& filters,
                       v1::ListHouseholdsResponse* out);

// Records that the household has `resident_size` residents from `effective` on, with an id that
// sorts after its earlier size changes (OrderedChangeId). The caller holds the household's row
// lock or has just inserted it, which serialises the changes of one household; it has checked
// that `effective` is not before the last period (household_rules.h CheckSizeChangeDate).
void InsertSizeChange(Tx& tx, const std::string& household_id, int32_t resident_size,
                      absl::CivilDay effective, const std::string& changed_by, absl::Time now);

// Records a change of the household's category with an id that sorts after its earlier changes
// (household_rules.h OrderedChangeId). The caller holds the household's row lock or has just
// inserted it, which serialises the changes of one household.
void InsertCategoryChange(Tx& tx, const std::string& household_id, v1::MonitoringCategory from,
                          v1::MonitoringCategory to, const std::string& reason,
                          const std::string& effective_date_sql, const std::string& changed_by,
                          absl::Time now);
void LoadCategoryChangePage(Tx& tx, const std::string& household_id, const PageRequest& page,
                            v1::ListCategoryChangesResponse* out);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_HOUSEHOLD_STORE_H_
