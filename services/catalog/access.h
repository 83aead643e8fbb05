// Who the caller is to a product: the catalog's one way of checking permission.
//
// A call resolves the caller's Scope once, BEFORE any transaction (membership is asked, on every
// call and uncached, only for a social worker's caseload; the other roles' scope is in their
// token), so an assignment or unassignment that membership has acknowledged decides the worker's
// next call. Then
//   - for one product: RelationIn() (pure) names the caller's relation to the product's
//     cooperative and household, and RequireRelation() checks it against the relations an action
//     allows;
//   - for lists: one SQL filter built from the same Scope (AppendProductScope, products_store.h).
// Outside the caller's scope reads as NOT_FOUND (existence is not leaked); in scope but not
// allowed is PERMISSION_DENIED. Everything here but ResolveScope/RelationTo is pure.
#ifndef COOPLINK_SERVICES_CATALOG_ACCESS_H_
#define COOPLINK_SERVICES_CATALOG_ACCESS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/common/auth.h"
#include "services/common/call_context.h"
#include "services/common/membership_directory.h"

namespace cooplink::catalog {

enum class Relation {
  kNone,  // outside the caller's scope: report NOT_FOUND
  kPlatformAdmin,
  kAssignedWorker,    // social worker assigned to the cooperative
  kCooperativeAdmin,  // admin of the cooperative
  kProducerMember,    // member of the cooperative whose household produces the product
  kPartner,           // a partner (visibility is decided by its offers: PartnerSeesProduct)
};

// What the caller may see. `principal` must outlive the Scope.
struct Scope {
  const Principal* principal;
  std::vector<std::string> worker_cooperatives;  // social workers only
};

// Asks membership (through the directory, with the call's deadline) only for a social worker.
absl::StatusOr<Scope> ResolveScope(const CallContext& call, MembershipDirectory& directory);

// The caller's relation to a product of `cooperative_id` produced by `household_id`.
Relation RelationIn(const Scope& scope, const std::string& cooperative_id,
                    const std::string& household_id);

// ResolveScope + RelationIn, for a call that looks at one product.
absl::StatusOr<Relation> RelationTo(const CallContext& call, const std::string& cooperative_id,
                                    const std::string& household_id,
                                    MembershipDirectory& directory);

// NOT_FOUND("product", id) when `relation` is kNone; OK when it is one of `allowed`; else
// PERMISSION_DENIED ROLE_NOT_ALLOWED (the relation exists but may not perform this action).
absl::Status RequireRelation(Relation relation, absl::Span<const Relation> allowed,
                             const std::string& product_id);

// Everyone in scope but partners: who may read and edit a product, its lots and its history.
inline constexpr Relation kStaffRelations[] = {Relation::kPlatformAdmin, Relation::kAssignedWorker,
                                               Relation::kCooperativeAdmin,
                                               Relation::kProducerMember};
// Who reviews (approves or rejects) a submitted product.
inline constexpr Relation kReviewerRelations[] = {
    Relation::kPlatformAdmin, Relation::kAssignedWorker, Relation::kCooperativeAdmin};
// Who manages a product's life after review (pause, resume, archive) and its stock.
inline constexpr Relation kManagerRelations[] = {Relation::kPlatformAdmin,
                                                 Relation::kCooperativeAdmin};

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_ACCESS_H_
