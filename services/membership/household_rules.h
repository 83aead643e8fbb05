// The rules of households and their monitoring categories (防止返贫动态监测): valid values, who
// may register which category, where a social worker may put a household, and the order of a
// household's category changes and resident-size history. Pure: no SQL, no transaction, no gRPC.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_HOUSEHOLD_RULES_H_
#define COOPLINK_SERVICES_MEMBERSHIP_HOUSEHOLD_RULES_H_

#include <google/protobuf/field_mask.pb.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/auth.h"
#include "services/common/status.h"
#include "services/membership/access_rules.h"
#include "services/membership/membership_limits.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

// Reason recorded on the first CategoryChange of a household (the proto leaves it to us).
inline constexpr const char* kInitialCategoryReason = "initial category at registration";
// The fields UpdateHousehold may change.
inline constexpr std::initializer_list<const char*> kHouseholdUpdatePaths = {
    "head_name", "village_code", "resident_size", "ethnicity"};

// Validates a household to register and normalises it in place (trimmed texts); an UNSPECIFIED
// category becomes ORDINARY.
void ValidateNewHousehold(FieldViolations& v, v1::Household& h);
// Validates and normalises the fields of `patch` named in `mask` (checked against
// kHouseholdUpdatePaths).
void ValidateHouseholdPatch(FieldViolations& v, v1::Household& patch,
                            const google::protobuf::FieldMask& mask);
// `current` with the masked fields of a validated `patch` copied over.
v1::Household ApplyHouseholdPatch(const v1::Household& current, const v1::Household& patch,
                                  const google::protobuf::FieldMask& mask);
// The filters of ListHouseholds: a village code prefix of up to 12 digits, a defined category,
// an empty or well-formed cooperative id.
void ValidateHouseholdFilters(FieldViolations& v, const v1::ListHouseholdsRequest& req);

// The date from which UpdateHousehold records a changed resident size: the request's
// resident_size_effective_date (a real date, not after `today`), default `today`. Setting it
// without "resident_size" in the mask is a violation.
absl::CivilDay ValidateSizeEffectiveDate(FieldViolations& v, const v1::UpdateHouseholdRequest& req,
                                         absl::CivilDay today);
// A household's size history only grows forward: INVALID_ARGUMENT on
// resident_size_effective_date when `effective` is before the effective date of the last period
// of `current`'s resident_size_history. The same date is allowed (the new size replaces it).
absl::Status CheckSizeChangeDate(const v1::Household& current, absl::CivilDay effective);

// A cooperative admin may register only ORDINARY households (PERMISSION_DENIED otherwise): the
// monitoring category is set by social workers.
absl::Status CheckRegistrationCategory(const Principal& p, v1::MonitoringCategory category);
// The cooperative recorded as having registered a household: a cooperative admin's own.
std::optional<std::string> RegisteringCooperative(const Principal& p);
// A social worker may register a household only in, and move one only into, a village of its
// ACTIVE assignments: PERMISSION_DENIED (VILLAGE_NOT_ASSIGNED) otherwise. Other roles: OK.
absl::Status CheckVillageAssigned(const Scope& scope, const std::string& village_code);

// Validates a category change request; returns the trimmed reason.
std::string ValidateCategoryChange(FieldViolations& v,
                                   const v1::ChangeMonitoringCategoryRequest& req,
                                   absl::CivilDay today);
// FAILED_PRECONDITION (CATEGORY_UNCHANGED) when the household already is in `to`.
absl::Status CheckCategoryChange(v1::MonitoringCategory current, v1::MonitoringCategory to);

// Category changes are listed oldest first, ordered by id. A fresh id (NewId) that does not sort
// after the household's last change (several changes within one millisecond) is replaced by the
// last id's successor, so the order holds.
std::string OrderedChangeId(const std::string& fresh_id, const std::optional<std::string>& last_id);
// The id following `id` in the base32 order NewId uses (same length).
std::string IdSuccessor(std::string id);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_HOUSEHOLD_RULES_H_
