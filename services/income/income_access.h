// Who the caller is to a household or a cooperative: income's one way of checking permission
// (the pattern of docs/architecture.md "A new permission").
//
// A call resolves the caller's IncomeScope once, BEFORE any transaction: membership is asked (on
// every call, uncached) only for a social worker's caseload; the other roles' scope is in the
// token. Then RelationToHousehold / RelationToCooperative (pure) name the caller's relation from
// the resource's facts, and the method compares it with what the action allows. Outside the
// caller's scope reads as NOT_FOUND, worded like a missing resource; in scope but not allowed is
// PERMISSION_DENIED. Lists filter by the same scope in SQL (the caseload's villages).
#ifndef COOPLINK_SERVICES_INCOME_INCOME_ACCESS_H_
#define COOPLINK_SERVICES_INCOME_INCOME_ACCESS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/auth.h"
#include "services/common/call_context.h"
#include "services/income/household_directory.h"

namespace cooplink::income {

enum class IncomeRelation {
  kNone,  // outside the caller's scope: NOT_FOUND
  kPlatformAdmin,
  kAssignedWorker,    // social worker assigned to the household's village / the cooperative
  kCooperativeAdmin,  // admin of the cooperative (for households: decided by the method)
  kOwnMember,         // a member of the household / the member itself
};

// What the caller may see. `principal` must outlive the scope.
struct IncomeScope {
  const Principal* principal = nullptr;
  Caseload caseload;  // social workers only; both lists sorted
};

// Asks membership (with the call's deadline) only for a social worker; PERMISSION_DENIED
// ROLE_NOT_ALLOWED for a partner and an unknown role.
absl::StatusOr<IncomeScope> ResolveIncomeScope(const CallContext& call,
                                               HouseholdDirectory& directory);

// The caller's relation to a household in `village_code` with id `household_id`: platform admin;
// a worker assigned to the village; a member of the household. A cooperative admin's relation to
// a household depends on membership (a member in its cooperative) and is decided by the method:
// kNone here.
IncomeRelation RelationToHousehold(const IncomeScope& scope, const std::string& household_id,
                                   const std::string& village_code);
// The caller's relation to a cooperative: platform admin; a worker assigned to it; its admin; a
// member of it (kOwnMember).
IncomeRelation RelationToCooperative(const IncomeScope& scope, const std::string& cooperative_id);

// NOT_FOUND worded like a missing resource (status.h NotFound).
absl::Status NotFoundFor(const std::string& what, const std::string& id);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_INCOME_ACCESS_H_
