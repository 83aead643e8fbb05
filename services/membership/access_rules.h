// Who may see and change which membership resource: pure functions of the caller's scope and of
// facts loaded with the resource's row. No SQL, no transaction, no gRPC.
//
// The one way membership checks access (the same as catalog's):
//   1. ResolveScope (access_store.h), once per call and before any transaction: a social worker's
//      ACTIVE assignments (cooperatives and villages); every other role's scope is in its token.
//   2. RequireAccess(scope, subject, access) on each resource the call touches, where the subject
//      carries the facts loaded with the row (for a household: its village, the cooperative that
//      registered it and the cooperatives its members belong to). It answers
//        - OK;
//        - PERMISSION_DENIED (ROLE_NOT_ALLOWED) for a role that may never do this, whatever the
//          resource: a partner or an unspecified role, or a member principal changing anything;
//        - NOT_FOUND for a resource outside the caller's scope, worded exactly like a missing one
//          so that a scoped caller cannot probe for existence.
//   3. Lists apply one SQL scope filter per listed resource (access_store.h AppendScopeFilter with
//      the resource's ScopeFilter, in cooperative_store.cc and household_store.cc) selecting the
//      rows that RelationTo admits.
// Admission (CreateMember) reaches one step further than RelationTo: a cooperative admin may admit
// a member from any household whose village lies in the cooperative's region (a social worker
// registers households of its villages; the admin cannot see them until one of their members
// joins). RequireAdmissionFrom decides it; it widens no read or list, so no SQL twin.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_ACCESS_RULES_H_
#define COOPLINK_SERVICES_MEMBERSHIP_ACCESS_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/common/auth.h"

namespace cooplink::membership {

// What the caller may reach during one call.
struct Scope {
  Principal principal;
  std::vector<std::string> cooperatives;  // social worker: cooperatives of ACTIVE assignments
  std::vector<std::string> villages;      // social worker: villages of ACTIVE assignments

  bool HasCooperative(const std::string& cooperative_id) const;
  bool HasVillage(const std::string& village_code) const;
};

// The kinds of resource whose access depends on scope.
enum class ResourceKind { kCooperative, kHousehold, kMember };

// One resource as access sees it.
struct Subject {
  ResourceKind kind = ResourceKind::kCooperative;
  std::string id;
  // The cooperatives the resource belongs to: a cooperative itself; a member's cooperative; for a
  // household, the cooperatives of its members (in any state; empty when it has none).
  std::vector<std::string> cooperative_ids;
  std::string village_code;                              // households only
  std::optional<std::string> created_by_cooperative_id;  // households only
};
Subject CooperativeSubject(const std::string& cooperative_id);
Subject MemberSubject(const std::string& member_id, const std::string& cooperative_id);
Subject HouseholdSubject(const std::string& household_id, const std::string& village_code,
                         std::optional<std::string> created_by_cooperative_id,
                         std::vector<std::string> member_cooperative_ids);

// Who the caller is to a resource.
enum class Relation {
  kNone,               // outside the caller's scope
  kPlatformAdmin,      // every resource
  kAssignedWorker,     // social worker assigned to its cooperative (a household: to its village)
  kCooperativeAdmin,   // admin of its cooperative; for a household: of a cooperative one of its
                       // members belongs to, or of the one that registered it while it has none
  kSelf,               // member principal: its own cooperative, household or member record
  kRoleWithoutAccess,  // partner or unspecified role: never has access to these resources
};
Relation RelationTo(const Scope& scope, const Subject& subject);
// The id a member principal holds for a resource of `kind` (its cooperative, household or member
// record): what kSelf compares with.
const std::string& OwnIdOf(const Principal& p, ResourceKind kind);

enum class Access { kRead, kWrite };
// OK, PERMISSION_DENIED or NOT_FOUND as described in the file comment.
absl::Status RequireAccess(const Scope& scope, const Subject& subject, Access access);

// The village-code prefix a cooperative's GB/T 2260 region code covers: a county code ("530828")
// as it is; a prefecture-level code ("530800") its first 4 digits; a province-level code
// ("530000") its first 2. Empty (covering nothing) for anything but 6 digits.
std::string RegionPrefix(const std::string& region_code);
// Whether the 12-digit village code lies in the region.
bool VillageInRegion(const std::string& village_code, const std::string& region_code);
// May the caller, already allowed to write the cooperative (RequireAccess on it), admit a member
// of `household` to it? A platform admin: any household. A cooperative admin: a household in its
// scope (RelationTo), or one whose village lies in `cooperative_region_code`. Anyone else, or a
// household outside: FAILED_PRECONDITION REFERENCED_RESOURCE_NOT_FOUND (AdmissionRefusal), worded
// like a missing household so that admission probes nothing outside the region.
absl::Status RequireAdmissionFrom(const Scope& scope, const Subject& household,
                                  const std::string& cooperative_region_code);
// The refusal of an admission from a household that is missing or outside the caller's reach.
absl::Status AdmissionRefusal();

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_ACCESS_RULES_H_
