// Who the caller is (GetCallerIdentity): the principal and token rows behind the bearer token and,
// for a social worker, the caseload it may act on now. Reads only: the principal and token through
// principal_store.h, the caseload through access_store.h (the same read every scoped call makes).
#include <algorithm>

#include "services/membership/access_store.h"
#include "services/membership/membership.h"
#include "services/membership/principal_store.h"

namespace cooplink::membership {

absl::Status Membership::GetCallerIdentity(const CallContext& call,
                                           const v1::GetCallerIdentityRequest& /*req*/,
                                           v1::CallerIdentity* out) {
  const Principal& p = call.principal();
  auto scope = ResolveScope(*db_, call);  // reads assignments for a social worker only
  if (!scope.ok()) return scope.status();
  std::sort(scope->villages.begin(), scope->villages.end());
  std::sort(scope->cooperatives.begin(), scope->cooperatives.end());
  return db_->Read([&](Tx& tx) -> absl::Status {
    out->Clear();
    // A verified token names rows membership wrote when it issued the token.
    if (auto s = LoadPrincipal(tx, p.id, out->mutable_principal()); !s.ok()) return s;
    if (auto s = LoadToken(tx, p.token_id, /*for_update=*/false, out->mutable_token()); !s.ok()) {
      return s;
    }
    for (const auto& village : scope->villages) out->add_assigned_village_codes(village);
    for (const auto& cooperative : scope->cooperatives) {
      out->add_assigned_cooperative_ids(cooperative);
    }
    return absl::OkStatus();
  });
}

}  // namespace cooplink::membership
