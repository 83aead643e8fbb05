// Helpers shared by the catalog domain files: product rows, the caller's relation to a product's
// cooperative (from the token, or from membership for social workers), partner visibility, and
// appending to the change feed.
#ifndef COOPLINK_SERVICES_CATALOG_INTERNAL_H_
#define COOPLINK_SERVICES_CATALOG_INTERNAL_H_

#include <cppconn/resultset.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/membership_directory.h"
#include "services/common/auth.h"
#include "services/common/call_context.h"
#include "services/common/db.h"
#include "services/common/fields.h"
#include "services/common/status.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// --- Product rows ------------------------------------------------------------------------------
// The column list every product SELECT uses (table alias p), and its mapping.
extern const char* const kProductColumns;
void ProductFromRow(sql::ResultSet& rs, v1::Product* out);
// Loads one product (optionally FOR UPDATE); NOT_FOUND when absent.
absl::Status LoadProduct(Tx& tx, const std::string& id, bool for_update, v1::Product* out);
// The serialised repeated fields (labels, image URLs, certifications) stored in products.extras.
std::string EncodeExtras(const v1::Product& product);

// --- Search index (search.cc) ----------------------------------------------------------------
// Rewrites the product's rows in product_tokens from its title, description and labels. Called
// in the same transaction as every create or update of those fields.
void IndexProduct(Tx& tx, const v1::Product& product);

// --- Who the caller is to a product ------------------------------------------------------------
enum class Relation {
  kNone,             // outside the caller's scope: report NOT_FOUND
  kPlatformAdmin,
  kAssignedWorker,   // social worker assigned to the cooperative
  kCooperativeAdmin, // admin of the cooperative
  kProducerMember,   // member of the cooperative whose household produces the product
  kPartner,          // a partner (visibility is decided by its offers: PartnerSeesProduct)
};
// What the caller may see, resolved once per call BEFORE any transaction: membership is asked
// (cached) only for a social worker's caseload; the other roles' scope is in their token.
struct Scope {
  const Principal* principal;
  std::vector<std::string> worker_cooperatives;  // social workers only
};
absl::StatusOr<Scope> ResolveScope(const CallContext& call, MembershipDirectory& directory);
Relation RelationIn(const Scope& scope, const std::string& cooperative_id,
                    const std::string& household_id);
// Appends to a WHERE clause over `products p` the conditions limiting rows to what the caller may
// list (a partner: ACTIVE products with an ACTIVE offer to it). Returns false when the caller
// can see nothing at all (a worker without cooperatives, an unknown role): skip the query.
bool AppendProductScope(const Scope& scope, std::string* sql, std::vector<SqlParam>* params);
// ResolveScope + RelationIn, for a call that looks at one product.
absl::StatusOr<Relation> RelationTo(const CallContext& call, const std::string& cooperative_id,
                                    const std::string& household_id,
                                    MembershipDirectory& directory);
// NOT_FOUND("product", id) unless `relation` is one of `allowed`; PERMISSION_DENIED when the
// relation exists but may not perform this action (e.g. a member archiving).
absl::Status RequireRelation(Relation relation, std::initializer_list<Relation> allowed,
                             const std::string& product_id);

// A partner sees a product only while it is ACTIVE and has an ACTIVE offer to the partner.
bool PartnerSeesProduct(Tx& tx, const std::string& partner_id, const std::string& product_id);

// --- Change feed -------------------------------------------------------------------------------
struct ChangeRow {
  v1::CatalogChangeKind kind;
  std::string product_id;
  std::string cooperative_id;
  std::string household_id;
  std::string offer_id;    // OFFER_CHANGED only
  std::string partner_id;  // OFFER_CHANGED only
};
// Records `changes` in the outbox (topic kChangeTopic, key product id), in the caller's
// transaction (so they commit or vanish with it). Takes no global lock: the relay's
// ChangeSequencer later gives them their feed sequence (watch.cc).
void AppendChanges(Tx& tx, const std::vector<ChangeRow>& changes, int64_t now_us);
// The outbox payload of a change and back: JSON of a CatalogChange holding only kind, the
// product's id/cooperative_id/household_id and the offer's id/partner_id (field names as in the
// proto, enums as numbers, so SQL and people can read it).
std::string EncodeChange(const ChangeRow& change);
absl::StatusOr<ChangeRow> DecodeChange(absl::string_view payload);
inline ChangeRow ProductChange(v1::CatalogChangeKind kind, const v1::Product& p) {
  return {kind, p.id(), p.cooperative_id(), p.household_id(), "", ""};
}

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_INTERNAL_H_
