// Who the caller is to an order: orders' one way of checking permission (the pattern of
// docs/architecture.md "A new permission").
//
// A call resolves the caller's OrderScope once, BEFORE any transaction: membership is asked (on
// every call, uncached) only for a social worker's caseload; the other roles' scope is in the
// token. Then
//   - for one order: RelationToOrder() (pure) names the caller's relation from the order's partner
//     and the cooperatives of its lines, and RequireOrderRelation() checks it against the
//     relations an action allows;
//   - for lists: the same scope as one SQL filter (order_queries.h).
// Outside the caller's scope reads as NOT_FOUND, worded like a missing order (a partner probing
// another partner's order id learns nothing); in scope but not allowed is PERMISSION_DENIED.
#ifndef COOPLINK_SERVICES_ORDERS_ORDER_ACCESS_H_
#define COOPLINK_SERVICES_ORDERS_ORDER_ACCESS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/common/auth.h"
#include "services/common/call_context.h"
#include "services/common/membership_directory.h"
#include "services/common/sql_shapes.h"

namespace cooplink::orders {

enum class OrderRelation {
  kNone,  // outside the caller's scope: NOT_FOUND
  kPlatformAdmin,
  kPartner,           // the order's partner
  kCooperativeAdmin,  // admin of a cooperative with a line in the order
  kAssignedWorker,    // social worker assigned to such a cooperative
};

// What the caller may see. `principal` must outlive the scope.
struct OrderScope {
  const Principal* principal = nullptr;
  std::vector<std::string> worker_cooperatives;  // social workers only, sorted
};

// Asks membership (with the call's deadline) only for a social worker; PERMISSION_DENIED
// ROLE_NOT_ALLOWED for a member (who reads settlements only) and for an unknown role.
absl::StatusOr<OrderScope> ResolveOrderScope(const CallContext& call,
                                             MembershipDirectory& directory);

// The caller's relation to an order of `partner_id` whose lines belong to `cooperatives`.
OrderRelation RelationToOrder(const OrderScope& scope, const std::string& partner_id,
                              absl::Span<const std::string> cooperatives);
// The caller's relation to one cooperative's part of an order (a fulfilment, an after-sale, a
// settlement): like RelationToOrder with that cooperative alone.
OrderRelation RelationToPart(const OrderScope& scope, const std::string& partner_id,
                             const std::string& cooperative_id);

// The SQL twin of RelationToPart for a list of one table of parts (fulfilments, after-sales,
// settlements): the table's clauses, each " AND ..." with one "?" (cooperative_in without it).
struct PartScopeClauses {
  const char* partner;         // the part's order is the partner's
  const char* cooperative;     // the part is the cooperative's
  const char* cooperative_in;  // the part is one of these cooperatives' (an IN list follows)
};
// Appends the caller's scope to `q`: nothing for a platform admin, the partner's or cooperative's
// clause, a worker's caseload as an IN list. False when the scope is empty (a worker with no
// assignment): the list is empty without a query. A member's scope is the caller's own clause.
bool AppendPartScope(const OrderScope& scope, const PartScopeClauses& clauses, SqlQuery* q);

// NOT_FOUND (`what`, `id`) for kNone; OK when `relation` is allowed; else PERMISSION_DENIED
// ROLE_NOT_ALLOWED.
absl::Status RequireOrderRelation(OrderRelation relation, absl::Span<const OrderRelation> allowed,
                                  const char* what, const std::string& id);

// Who reads an order (masked): everyone in scope.
inline constexpr OrderRelation kOrderReaders[] = {
    OrderRelation::kPlatformAdmin, OrderRelation::kPartner, OrderRelation::kCooperativeAdmin,
    OrderRelation::kAssignedWorker};
// Who may see the buyer contact in full (SHIPPING view): the shipping cooperatives' admins.
inline constexpr OrderRelation kShippingViewers[] = {OrderRelation::kPlatformAdmin,
                                                     OrderRelation::kCooperativeAdmin};
// Who reports what the platform says about an order (upsert, complete).
inline constexpr OrderRelation kOrderReporters[] = {OrderRelation::kPlatformAdmin,
                                                    OrderRelation::kPartner};
// Who handles a cooperative's part (packing, shipping).
inline constexpr OrderRelation kFulfillers[] = {OrderRelation::kPlatformAdmin,
                                                OrderRelation::kCooperativeAdmin};

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDER_ACCESS_H_
