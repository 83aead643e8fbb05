// Storage of the search index (product_tokens) and the search statement. SQL texts are named
// constants in search_store.cc, assembled in a bounded number of shapes (see SearchQuery).
#ifndef COOPLINK_SERVICES_CATALOG_SEARCH_STORE_H_
#define COOPLINK_SERVICES_CATALOG_SEARCH_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/access.h"
#include "services/common/db.h"
#include "services/common/sql_shapes.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// Rewrites the product's rows in product_tokens from its title, description and labels
// (ProductTokens). Called in the same transaction as every create or update of those fields.
void IndexProduct(Tx& tx, const v1::Product& product);

// The length of a token's posting list, counted up to a cap (only used to pick the scan driver).
int64_t PostingLength(Tx& tx, const std::string& token);

// How one page of a search is read.
struct SearchPlan {
  std::string driver;               // the token whose posting list is scanned (the rarest)
  std::vector<std::string> others;  // every other token, most selective first
  v1::ProductCategory category = v1::PRODUCT_CATEGORY_UNSPECIFIED;  // UNSPECIFIED = any
  std::string after;  // keyset: products with a greater id
  int limit = 1;
};
// The first tokens of SearchPlan::others are checked by primary-key joins, the rest (if any) by
// one counting subquery.
inline constexpr size_t kMaxJoinedTokens = 8;

// The statement for one page of ACTIVE products matching every token of `plan` that `scope` may
// see, in product id order; false when the caller sees nothing. Its text depends only on the
// scope's shape and on the number of other tokens, rounded up (joins to 0, 1, 2, 4 or 8; beyond
// that an IN list padded by sql_shapes.h): a few dozen texts in all.
bool SearchQuery(const Scope& scope, const SearchPlan& plan, SqlQuery* query);

// The multi-row INSERT of one chunk of index rows, padded to a fixed size (exposed for tests).
SqlQuery IndexChunkQuery(const std::string& product_id, const std::vector<std::string>& tokens);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_SEARCH_STORE_H_
