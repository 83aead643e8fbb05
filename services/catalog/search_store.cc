#include "services/catalog/search_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/catalog/products_store.h"

namespace cooplink::catalog {
namespace {

// Rows per index INSERT before padding (a product has at most kMaxTokensPerProduct terms).
constexpr size_t kRowsPerInsert = 256;

constexpr const char* kDeleteTerms = "DELETE FROM product_terms WHERE product_id = ?";
// Padding repeats the last row; the repeats hit the primary key and change nothing.
constexpr const char* kInsertTermsHead =
    "INSERT INTO product_terms (term, field, product_id) VALUES ";
constexpr const char* kInsertTermsRow = "(?, ?, ?)";
constexpr const char* kInsertTermsTail = " ON DUPLICATE KEY UPDATE product_id = product_id";
constexpr const char* kDocumentFrequency =
    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM product_terms WHERE term = ? LIMIT ?) x";

// A posting scan. STRAIGHT_JOIN keeps the written order: a window of the driver's postings (at
// most kDriverWindow, in primary key order: field, then product id), then the other terms
// (probes of idx_product_terms_product; a padded join repeats the last term and so filters
// nothing more), and only then the wide product row and the scope. Terms beyond
// kMaxJoinedTokens are counted by a subquery correlated on p, so it runs only for rows that
// passed the joins. The category filter is switched off by its value (0).
//
// A scope-first read (a small scope): the caller's products (by the cooperative and household
// indexes, or a partner's offers by uk_offers_active), then their rows of the query's terms by
// probes of idx_product_terms_product. Either way the scope filter is AppendProductScope's,
// exactly as every product list applies it.
constexpr const char* kScanSelect = "SELECT t.product_id FROM ";
constexpr const char* kScanWindow =
    "(SELECT product_id, field FROM product_terms WHERE term = ? "
    "ORDER BY field, product_id LIMIT ?) t";
constexpr const char* kScanJoin = " STRAIGHT_JOIN product_terms t";
constexpr const char* kScanJoinOn = ".product_id = t.product_id AND t";
constexpr const char* kScanJoinOnTerm = ".term = ?";
constexpr const char* kScanWindowProduct =
    " STRAIGHT_JOIN products p ON p.id = t.product_id WHERE p.state = ?";
constexpr const char* kScopeProducts = "products p";
constexpr const char* kScopePartnerOffers =
    "offers o STRAIGHT_JOIN products p ON p.id = o.active_product_id";
constexpr const char* kScopeHitsSelect = "SELECT t.product_id, t.term, t.field FROM ";
constexpr const char* kScopeHitsJoin =
    " STRAIGHT_JOIN product_terms t ON t.product_id = p.id AND t.term IN ";
constexpr const char* kScopeWhere = " WHERE p.state = ?";
constexpr const char* kScopeWherePartner = " WHERE o.partner_id = ? AND p.state = ?";
constexpr const char* kScanCategory = " AND (? = 0 OR p.category = ?)";
constexpr const char* kScanRestHead =
    " AND (SELECT COUNT(*) FROM product_terms x WHERE x.product_id = p.id AND x.term IN ";
constexpr const char* kScanRestTail = ") = ?";
constexpr const char* kScanTail = " ORDER BY t.field, t.product_id LIMIT ?";
// How many ACTIVE products the caller may see, counted up to a cap (picks the plan).
constexpr const char* kScopeCountHead = "SELECT COUNT(*) AS n FROM (SELECT 1 FROM ";
constexpr const char* kScopeCountTail = " LIMIT ?) x";

// Which query terms each candidate contains, and where.
constexpr const char* kTermHitsHead =
    "SELECT product_id, term, field FROM product_terms WHERE product_id IN ";
constexpr const char* kTermHitsTerms = " AND term IN ";

// One page of ranked results, rechecked against state and scope.
constexpr const char* kPageHead = " FROM products p WHERE p.state = ? AND p.id IN ";

// The start-up backfill (migration 0007 inserts the progress row).
constexpr const char* kBackfillName = "product_terms";
constexpr const char* kLockBackfill =
    "SELECT after_id, done FROM search_backfill WHERE name = ? FOR UPDATE";
constexpr const char* kProductsAfter = "SELECT id FROM products WHERE id > ? ORDER BY id LIMIT ?";
constexpr const char* kSaveBackfill =
    "UPDATE search_backfill SET after_id = ?, done = ? WHERE name = ?";

// The number of joins for `n` other terms: 0, 1, 2, 4 or kMaxJoinedTokens.
size_t JoinShape(size_t n) {
  if (n == 0) return 0;
  size_t joins = 1;
  while (joins < n && joins < kMaxJoinedTokens) joins *= 2;
  return std::min(joins, kMaxJoinedTokens);
}

}  // namespace

SqlQuery IndexChunkQuery(const std::string& product_id, const std::vector<IndexTerm>& terms) {
  const std::vector<IndexTerm> padded = PaddedToShape(terms);
  SqlQuery q;
  q.sql = absl::StrCat(kInsertTermsHead, Repeated(padded.size(), kInsertTermsRow, ","),
                       kInsertTermsTail);
  q.params.reserve(3 * padded.size());
  for (const IndexTerm& t : padded) {
    q.params.push_back(Param(t.term));
    q.params.push_back(Param(static_cast<int>(t.field)));
    q.params.push_back(Param(product_id));
  }
  return q;
}

void IndexProduct(Tx& tx, const v1::Product& product) {
  const std::vector<IndexTerm> terms = ProductTerms(product);
  tx.Execute(kDeleteTerms, product.id());
  for (size_t start = 0; start < terms.size(); start += kRowsPerInsert) {
    const size_t end = std::min(terms.size(), start + kRowsPerInsert);
    const SqlQuery q = IndexChunkQuery(
        product.id(), std::vector<IndexTerm>(terms.begin() + start, terms.begin() + end));
    tx.ExecuteParams(q.sql, q.params);
  }
}

int64_t DocumentFrequency(Tx& tx, const std::string& term) {
  auto rs = tx.Query(kDocumentFrequency, term, kDfCap);
  rs->next();
  return rs->getInt64("n");
}

namespace {

// The scope-first source and its WHERE head (partners start from their offers).
void AppendScopeSource(const Scope& scope, std::string* sql, std::string* where) {
  const bool partner = scope.principal->role == Role::kPartner;
  absl::StrAppend(sql, partner ? kScopePartnerOffers : kScopeProducts);
  *where = partner ? kScopeWherePartner : kScopeWhere;
}

void AppendWhereHead(const Scope& scope, const std::string& where, std::string* sql,
                     std::vector<SqlParam>* params) {
  absl::StrAppend(sql, where);
  if (scope.principal->role == Role::kPartner)
    params->push_back(Param(scope.principal->partner_id));
  params->push_back(Param(static_cast<int>(v1::PRODUCT_STATE_ACTIVE)));
}

}  // namespace

bool ScopeCountQuery(const Scope& scope, SqlQuery* query) {
  query->sql = kScopeCountHead;
  query->params.clear();
  std::string where;
  AppendScopeSource(scope, &query->sql, &where);
  AppendWhereHead(scope, where, &query->sql, &query->params);
  if (!AppendProductScope(scope, &query->sql, &query->params)) return false;
  absl::StrAppend(&query->sql, kScopeCountTail);
  query->params.push_back(Param(static_cast<int64_t>(kScopeFirstMax)));
  return true;
}

bool ScopeHitsQuery(const Scope& scope, const std::vector<std::string>& terms,
                    v1::ProductCategory category, SqlQuery* query) {
  std::string& sql = query->sql;
  std::vector<SqlParam>& params = query->params;
  sql = kScopeHitsSelect;
  params.clear();
  std::string where;
  AppendScopeSource(scope, &sql, &where);
  absl::StrAppend(&sql, kScopeHitsJoin);
  AppendInList(terms, &sql, &params);
  AppendWhereHead(scope, where, &sql, &params);
  absl::StrAppend(&sql, kScanCategory);
  params.push_back(Param(static_cast<int>(category)));
  params.push_back(Param(static_cast<int>(category)));
  return AppendProductScope(scope, &sql, &params);
}

bool PostingQuery(const Scope& scope, const PostingScan& scan, SqlQuery* query) {
  std::string& sql = query->sql;
  std::vector<SqlParam>& params = query->params;
  sql = kScanSelect;
  params.clear();
  absl::StrAppend(&sql, kScanWindow);
  params.push_back(Param(scan.driver));
  params.push_back(Param(static_cast<int64_t>(kDriverWindow)));
  const size_t joins = JoinShape(scan.others.size());
  for (size_t i = 0; i < joins; ++i) {
    absl::StrAppend(&sql, kScanJoin, i + 1, " ON t", i + 1, kScanJoinOn, i + 1, kScanJoinOnTerm);
    params.push_back(Param(scan.others[std::min(i, scan.others.size() - 1)]));
  }
  absl::StrAppend(&sql, kScanWindowProduct);
  params.push_back(Param(static_cast<int>(v1::PRODUCT_STATE_ACTIVE)));
  const int category = static_cast<int>(scan.category);
  absl::StrAppend(&sql, kScanCategory);
  params.push_back(Param(category));
  params.push_back(Param(category));
  if (scan.others.size() > kMaxJoinedTokens) {
    const std::vector<std::string> rest(scan.others.begin() + kMaxJoinedTokens, scan.others.end());
    absl::StrAppend(&sql, kScanRestHead);
    AppendInList(rest, &sql, &params);
    absl::StrAppend(&sql, kScanRestTail);
    params.push_back(Param(static_cast<int64_t>(rest.size())));
  }
  if (!AppendProductScope(scope, &sql, &params)) return false;
  absl::StrAppend(&sql, kScanTail);
  params.push_back(Param(static_cast<int64_t>(scan.limit)));
  return true;
}

SqlQuery TermHitsQuery(const std::vector<std::string>& product_ids,
                       const std::vector<std::string>& terms) {
  SqlQuery q;
  q.sql = kTermHitsHead;
  AppendInList(product_ids, &q.sql, &q.params);
  absl::StrAppend(&q.sql, kTermHitsTerms);
  AppendInList(terms, &q.sql, &q.params);
  return q;
}

bool RankedPageQuery(const Scope& scope, const std::vector<std::string>& ids, SqlQuery* query) {
  query->sql = absl::StrCat("SELECT ", kProductColumns, kPageHead);
  query->params.clear();
  query->params.push_back(Param(static_cast<int>(v1::PRODUCT_STATE_ACTIVE)));
  AppendInList(ids, &query->sql, &query->params);
  return AppendProductScope(scope, &query->sql, &query->params);
}

absl::Status BackfillSearchIndex(Database& db, int batch) {
  bool done = false;
  while (!done) {
    absl::Status st = db.Transact([&](Tx& tx) -> absl::Status {
      auto progress = tx.Query(kLockBackfill, kBackfillName);
      if (!progress->next()) {
        return absl::FailedPreconditionError("search_backfill has no product_terms row");
      }
      const std::string after = progress->getString("after_id");
      done = progress->getBoolean("done");
      if (done) return absl::OkStatus();
      std::vector<std::string> ids;
      auto rs = tx.Query(kProductsAfter, after, batch);
      while (rs->next()) ids.push_back(rs->getString("id"));
      for (const std::string& id : ids) {
        v1::Product product;
        if (auto s = LoadProduct(tx, id, /*for_update=*/true, &product); !s.ok()) return s;
        IndexProduct(tx, product);
      }
      done = static_cast<int>(ids.size()) < batch;
      tx.Execute(kSaveBackfill, ids.empty() ? after : ids.back(), done, kBackfillName);
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace cooplink::catalog
