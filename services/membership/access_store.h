// The storage side of access (access_rules.h): resolving the caller's scope from the token and,
// for a social worker, from its ACTIVE assignments; and the SQL form of RelationTo that limits a
// list to the rows the caller may see.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_ACCESS_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_ACCESS_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/call_context.h"
#include "services/common/db.h"
#include "services/membership/access_rules.h"

namespace cooplink::membership {

// The caller's scope for one call. A social worker's assignments are read once, in a read of
// their own before the call's transaction; every other role's scope comes from its token without
// touching the database. UNAVAILABLE (or another storage error) when the read fails.
absl::StatusOr<Scope> ResolveScope(Database& db, const CallContext& call);

// The condition each role's rows of one listed resource must meet: RelationTo in SQL, over the
// list's table alias. Subqueries over assignments rather than IN lists of the resolved scope keep
// each statement to one shape whatever the caseload's size.
struct ScopeFilter {
  ResourceKind kind;
  const char* assigned_worker;    // binds the worker's id, then ASSIGNMENT_STATE_ACTIVE
  const char* cooperative_admin;  // binds the admin's cooperative id at each '?'
  const char* self;               // binds the member principal's OwnIdOf(kind)
};
// Appends `filter`'s condition for the caller's role to `sql` and its values to `params` (none
// for a platform admin). False when the caller can list nothing at all (a worker without
// assignments of that kind, a role without access): skip the query.
bool AppendScopeFilter(const Scope& scope, const ScopeFilter& filter, std::string* sql,
                       std::vector<SqlParam>* params);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_ACCESS_STORE_H_
