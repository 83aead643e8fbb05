#include "services/income/income_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::income {

absl::StatusOr<IncomeScope> ResolveIncomeScope(const CallContext& call,
                                               HouseholdDirectory& directory) {
  const Principal& p = call.principal();
  IncomeScope scope;
  scope.principal = &p;
  switch (p.role) {
    case Role::kPlatformAdmin:
    case Role::kCooperativeAdmin:
    case Role::kMember:
      return scope;
    case Role::kSocialWorker: {
      auto caseload = directory.WorkerCaseload(call, p.social_worker_id);
      if (!caseload.ok()) return caseload.status();
      scope.caseload = *std::move(caseload);
      std::sort(scope.caseload.village_codes.begin(), scope.caseload.village_codes.end());
      std::sort(scope.caseload.cooperative_ids.begin(), scope.caseload.cooperative_ids.end());
      return scope;
    }
    default:
      return PermissionDenied("ROLE_NOT_ALLOWED",
                              absl::StrCat("role ", RoleName(p.role), " may not call this method"));
  }
}

IncomeRelation RelationToHousehold(const IncomeScope& scope, const std::string& household_id,
                                   const std::string& village_code) {
  const Principal& p = *scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return IncomeRelation::kPlatformAdmin;
    case Role::kSocialWorker:
      return std::binary_search(scope.caseload.village_codes.begin(),
                                scope.caseload.village_codes.end(), village_code)
                 ? IncomeRelation::kAssignedWorker
                 : IncomeRelation::kNone;
    case Role::kMember:
      return !p.household_id.empty() && p.household_id == household_id ? IncomeRelation::kOwnMember
                                                                       : IncomeRelation::kNone;
    default:
      return IncomeRelation::kNone;
  }
}

IncomeRelation RelationToCooperative(const IncomeScope& scope, const std::string& cooperative_id) {
  const Principal& p = *scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return IncomeRelation::kPlatformAdmin;
    case Role::kSocialWorker:
      return std::binary_search(scope.caseload.cooperative_ids.begin(),
                                scope.caseload.cooperative_ids.end(), cooperative_id)
                 ? IncomeRelation::kAssignedWorker
                 : IncomeRelation::kNone;
    case Role::kCooperativeAdmin:
      return p.cooperative_id == cooperative_id ? IncomeRelation::kCooperativeAdmin
                                                : IncomeRelation::kNone;
    case Role::kMember:
      return p.cooperative_id == cooperative_id ? IncomeRelation::kOwnMember
                                                : IncomeRelation::kNone;
    default:
      return IncomeRelation::kNone;
  }
}

absl::Status NotFoundFor(const std::string& what, const std::string& id) {
  return NotFound(what, id);
}

}  // namespace cooplink::income
