// Storage of products: the SQL (each statement a named constant in products_store.cc) and the row
// mapping of products, their transition log and price history, and the one SQL filter that
// limits a product list to the caller's Scope (access.h).
//
// Functions taking Tx& run inside the caller's transaction and may throw sql::SQLException, which
// Database::Transact/Read map to a status. Builders (ListProductsQuery, AppendProductScope) are
// pure and produce a bounded number of SQL texts (IN lists padded by sql_shapes.h), so a
// long-running server prepares a bounded number of statements.
#ifndef COOPLINK_SERVICES_CATALOG_PRODUCTS_STORE_H_
#define COOPLINK_SERVICES_CATALOG_PRODUCTS_STORE_H_

#include <cppconn/resultset.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/access.h"
#include "services/common/db.h"
#include "services/common/paging.h"
#include "services/common/sql_shapes.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// The column list every product SELECT uses (table alias p), and its mapping.
extern const char* const kProductColumns;
void ProductFromRow(sql::ResultSet& rs, v1::Product* out);
// Loads one product (optionally FOR UPDATE); NOT_FOUND when absent.
absl::Status LoadProduct(Tx& tx, const std::string& id, bool for_update, v1::Product* out);
// The serialised repeated fields (labels, image URLs, certifications) stored in products.extras.
std::string EncodeExtras(const v1::Product& product);

// Inserts `product` as a new DRAFT with id `id` (version 1).
void InsertProduct(Tx& tx, const std::string& id, const v1::Product& product, int64_t now_us);
// Writes the writable fields of `next` (by next.id()) and bumps the version.
void UpdateProductFields(Tx& tx, const v1::Product& next, int64_t now_us);
// Sets the state (and the rejection reason, "" unless REJECTED) and bumps the version.
void SetProductState(Tx& tx, const std::string& id, v1::ProductState state,
                     const std::string& rejection_reason, int64_t now_us);
void SetSubmitter(Tx& tx, const std::string& id, const std::string& principal_id);
// Who submitted the product for review ("" when nobody has).
std::string Submitter(Tx& tx, const std::string& id);
// Whether the product has lots or stock movements (its unit may then not change).
bool UnitLocked(Tx& tx, const std::string& id);

void RecordTransition(Tx& tx, const std::string& transition_id, const std::string& product_id,
                      v1::ProductState from, v1::ProductState to, const std::string& reason,
                      const std::string& actor, int64_t now_us);
void RecordPriceChange(Tx& tx, const std::string& change_id, const std::string& product_id,
                       int64_t old_fen, int64_t new_fen, const std::string& actor, int64_t now_us);
// Keyset pages (page.size + 1 rows after page.after) of a product's history.
std::unique_ptr<sql::ResultSet> SelectTransitions(Tx& tx, const std::string& product_id,
                                                  const PageRequest& page);
std::unique_ptr<sql::ResultSet> SelectPriceChanges(Tx& tx, const std::string& product_id,
                                                   const PageRequest& page);
void TransitionFromRow(sql::ResultSet& rs, v1::ProductTransition* t);
void PriceChangeFromRow(sql::ResultSet& rs, v1::PriceChange* c);

// A partner sees a product only while it is ACTIVE and has an ACTIVE offer to the partner.
bool PartnerSeesProduct(Tx& tx, const std::string& partner_id, const std::string& product_id);
// OK when the caller may read `product`: staff by their relation (kStaffRelations), a partner
// only while the product is offered to it (else NOT_FOUND).
absl::Status CheckProductRead(Tx& tx, const Scope& scope, const v1::Product& product);
// Loads product `id` and checks it with CheckProductRead (NOT_FOUND when absent).
absl::Status CheckProductReadable(Tx& tx, const Scope& scope, const std::string& id);

// Appends to a WHERE clause over `products p` the conditions limiting rows to what the caller may
// list (a partner: ACTIVE products with an ACTIVE offer to it). Returns false when the caller
// can see nothing at all (a worker without cooperatives, an unknown role): skip the query.
bool AppendProductScope(const Scope& scope, std::string* sql, std::vector<SqlParam>* params);

// The filters of ListProducts after validation; the keyset position is (after_time, after_id),
// after_time < 0 on the first page.
struct ProductListFilter {
  std::string cooperative_id;  // "" = any
  v1::ProductCategory category = v1::PRODUCT_CATEGORY_UNSPECIFIED;
  std::string region_prefix;  // digits, "" = any
  v1::ProductState state = v1::PRODUCT_STATE_UNSPECIFIED;
  int64_t updated_since_us = 0;
  int64_t after_time_us = -1;
  std::string after_id;
  int limit = 1;
};
// The ListProducts statement, ordered by (update_time, id); false when the caller sees nothing.
// Optional filters on unindexed columns are always present and switched off by their values, so
// the text varies only with the scope's shape and the cooperative filter.
bool ListProductsQuery(const Scope& scope, const ProductListFilter& filter, SqlQuery* query);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_PRODUCTS_STORE_H_
