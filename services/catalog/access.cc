#include "services/catalog/access.h"

#include <algorithm>

#include "services/common/status.h"

namespace cooplink::catalog {

absl::StatusOr<Scope> ResolveScope(const CallContext& call, MembershipDirectory& directory) {
  const Principal& p = call.principal();
  Scope scope{&p, {}};
  if (p.is(Role::kSocialWorker)) {
    auto cooperatives = directory.WorkerCooperatives(call, p.social_worker_id);
    if (!cooperatives.ok()) return cooperatives.status();
    scope.worker_cooperatives = *std::move(cooperatives);
  }
  return scope;
}

Relation RelationIn(const Scope& scope, const std::string& cooperative_id,
                    const std::string& household_id) {
  const Principal& p = *scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return Relation::kPlatformAdmin;
    case Role::kSocialWorker:
      return std::find(scope.worker_cooperatives.begin(), scope.worker_cooperatives.end(),
                       cooperative_id) != scope.worker_cooperatives.end()
                 ? Relation::kAssignedWorker
                 : Relation::kNone;
    case Role::kCooperativeAdmin:
      return p.cooperative_id == cooperative_id ? Relation::kCooperativeAdmin : Relation::kNone;
    case Role::kMember:
      return p.cooperative_id == cooperative_id && p.household_id == household_id
                 ? Relation::kProducerMember
                 : Relation::kNone;
    case Role::kPartner:
      return Relation::kPartner;
    case Role::kUnspecified:
      break;
  }
  return Relation::kNone;
}

absl::StatusOr<Relation> RelationTo(const CallContext& call, const std::string& cooperative_id,
                                    const std::string& household_id,
                                    MembershipDirectory& directory) {
  auto scope = ResolveScope(call, directory);
  if (!scope.ok()) return scope.status();
  return RelationIn(*scope, cooperative_id, household_id);
}

absl::Status RequireRelation(Relation relation, absl::Span<const Relation> allowed,
                             const std::string& product_id) {
  if (relation == Relation::kNone) return NotFound("product", product_id);
  if (std::find(allowed.begin(), allowed.end(), relation) != allowed.end()) {
    return absl::OkStatus();
  }
  return PermissionDenied("ROLE_NOT_ALLOWED", "this role may not perform this action");
}

}  // namespace cooplink::catalog
