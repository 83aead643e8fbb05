#include "services/orders/order_access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::orders {

absl::StatusOr<OrderScope> ResolveOrderScope(const CallContext& call,
                                             MembershipDirectory& directory) {
  const Principal& p = call.principal();
  OrderScope scope;
  scope.principal = &p;
  switch (p.role) {
    case Role::kPlatformAdmin:
    case Role::kPartner:
    case Role::kCooperativeAdmin:
      return scope;
    case Role::kSocialWorker: {
      auto coops = directory.WorkerCooperatives(call, p.social_worker_id);
      if (!coops.ok()) return coops.status();
      scope.worker_cooperatives = *std::move(coops);
      std::sort(scope.worker_cooperatives.begin(), scope.worker_cooperatives.end());
      return scope;
    }
    default:
      return PermissionDenied("ROLE_NOT_ALLOWED",
                              absl::StrCat("role ", RoleName(p.role), " may not call this method"));
  }
}

OrderRelation RelationToOrder(const OrderScope& scope, const std::string& partner_id,
                              absl::Span<const std::string> cooperatives) {
  const Principal& p = *scope.principal;
  auto has = [&](const std::string& coop) {
    return std::find(cooperatives.begin(), cooperatives.end(), coop) != cooperatives.end();
  };
  switch (p.role) {
    case Role::kPlatformAdmin:
      return OrderRelation::kPlatformAdmin;
    case Role::kPartner:
      return !p.partner_id.empty() && p.partner_id == partner_id ? OrderRelation::kPartner
                                                                 : OrderRelation::kNone;
    case Role::kCooperativeAdmin:
      return !p.cooperative_id.empty() && has(p.cooperative_id) ? OrderRelation::kCooperativeAdmin
                                                                : OrderRelation::kNone;
    case Role::kSocialWorker:
      for (const std::string& coop : scope.worker_cooperatives) {
        if (has(coop)) return OrderRelation::kAssignedWorker;
      }
      return OrderRelation::kNone;
    default:
      return OrderRelation::kNone;
  }
}

OrderRelation RelationToPart(const OrderScope& scope, const std::string& partner_id,
                             const std::string& cooperative_id) {
  const std::string coops[] = {cooperative_id};
  return RelationToOrder(scope, partner_id, coops);
}

bool AppendPartScope(const OrderScope& scope, const PartScopeClauses& clauses, SqlQuery* q) {
  const Principal& p = *scope.principal;
  if (p.is(Role::kPartner)) q->Add(clauses.partner, p.partner_id);
  if (p.is(Role::kCooperativeAdmin)) q->Add(clauses.cooperative, p.cooperative_id);
  if (p.is(Role::kSocialWorker)) {
    if (scope.worker_cooperatives.empty()) return false;
    q->sql += clauses.cooperative_in;
    AppendInList(scope.worker_cooperatives, &q->sql, &q->params);
  }
  return true;
}

absl::Status RequireOrderRelation(OrderRelation relation, absl::Span<const OrderRelation> allowed,
                                  const char* what, const std::string& id) {
  if (relation == OrderRelation::kNone) return NotFound(what, id);
  if (std::find(allowed.begin(), allowed.end(), relation) != allowed.end()) {
    return absl::OkStatus();
  }
  return PermissionDenied("ROLE_NOT_ALLOWED",
                          absl::StrCat("the caller may not do this to ", what, " ", id));
}

}  // namespace cooplink::orders
