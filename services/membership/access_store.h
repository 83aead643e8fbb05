// Resolving the caller's scope (access_rules.h) from the token and, for a social worker, from
// its ACTIVE assignments in the database.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_ACCESS_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_ACCESS_STORE_H_

#include "absl/status/statusor.h"
#include "services/common/call_context.h"
#include "services/common/db.h"
#include "services/membership/access_rules.h"

namespace cooplink::membership {

// The caller's scope for one call. A social worker's assignments are read once, in a read of
// their own before the call's transaction; every other role's scope comes from its token without
// touching the database. UNAVAILABLE (or another storage error) when the read fails.
absl::StatusOr<Scope> ResolveScope(Database& db, const CallContext& call);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_ACCESS_STORE_H_
