// Storage of the search index (product_terms: one row per (term, product) with the best field the
// term occurs in) and the statements of a ranked search (search.cc). SQL texts are named
// constants in search_store.cc, assembled in a bounded number of shapes (sql_shapes.h).
#ifndef COOPLINK_SERVICES_CATALOG_SEARCH_STORE_H_
#define COOPLINK_SERVICES_CATALOG_SEARCH_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/access.h"
#include "services/catalog/search_rules.h"
#include "services/common/db.h"
#include "services/common/sql_shapes.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// Rewrites the product's rows in product_terms from its title, description and labels
// (ProductTerms). Called in the same transaction as every create or update of those fields.
void IndexProduct(Tx& tx, const v1::Product& product);

// The number of products (any state, any scope) containing `term`, counted up to kDfCap.
int64_t DocumentFrequency(Tx& tx, const std::string& term);

// One scan for candidates.
struct PostingScan {
  std::string driver;               // the term whose postings are scanned (the rarest)
  std::vector<std::string> others;  // terms a candidate must also contain (most selective first)
  v1::ProductCategory category = v1::PRODUCT_CATEGORY_UNSPECIFIED;  // UNSPECIFIED = any
  int limit = 1;
};
// The first terms of PostingScan::others are checked by joins, the rest (if any) by one counting
// subquery.
inline constexpr size_t kMaxJoinedTokens = 8;
// A postings-first scan reads at most this many of its driver's postings (title matches first,
// then in product id order), so its cost is bounded however common the term.
inline constexpr int64_t kDriverWindow = 3000;
// A caller who may see fewer ACTIVE products than this and than the rarest query unit's document
// frequency is searched scope first (ScopeHitsQuery).
inline constexpr int64_t kScopeFirstMax = 20000;

// The statement counting the ACTIVE products `scope` may see, up to kScopeFirstMax (column n);
// false when the caller sees nothing.
bool ScopeCountQuery(const Scope& scope, SqlQuery* query);

// The statement selecting the ids (column product_id) of ACTIVE products that `scope` may see,
// that contain the driver and every other term of `scan`, among the first kDriverWindow
// postings of the driver (title matches first, then in id order), up to the limit. False when
// the caller sees nothing. Its text depends only on the scope's shape and on the number of other
// terms, rounded up (joins to 0, 1, 2, 4 or 8; beyond that an IN list padded by sql_shapes.h):
// a few dozen texts in all.
bool PostingQuery(const Scope& scope, const PostingScan& scan, SqlQuery* query);

// The statement selecting (product_id, term, field) of every index row of `terms` (non-empty;
// IN list padded) of every ACTIVE product of `category` (UNSPECIFIED = any) that `scope` may
// see, read from the caller's products (for a small scope); false when the caller sees nothing.
bool ScopeHitsQuery(const Scope& scope, const std::vector<std::string>& terms,
                    v1::ProductCategory category, SqlQuery* query);

// The statement selecting (product_id, term, field) of the index rows of `product_ids` for
// `terms` (both non-empty; IN lists padded).
SqlQuery TermHitsQuery(const std::vector<std::string>& product_ids,
                       const std::vector<std::string>& terms);

// The statement selecting the products (kProductColumns) among `ids` (non-empty) that are
// ACTIVE and that `scope` may see, in no particular order; false when the caller sees nothing.
bool RankedPageQuery(const Scope& scope, const std::vector<std::string>& ids, SqlQuery* query);

// The multi-row INSERT of one chunk of index rows, padded to a fixed size (exposed for tests).
SqlQuery IndexChunkQuery(const std::string& product_id, const std::vector<IndexTerm>& terms);

// Indexes every product the index has not seen since migration 0007 created it, walking the
// products in id order in batches of `batch`, one transaction each; progress is kept in
// search_backfill, so an interrupted backfill resumes and a finished one costs one read.
// Idempotent and safe with several replicas (the progress row is locked per batch).
absl::Status BackfillSearchIndex(Database& db, int batch = 200);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_SEARCH_STORE_H_
