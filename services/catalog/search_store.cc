#include "services/catalog/search_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/catalog/products_store.h"
#include "services/catalog/search_rules.h"

namespace cooplink::catalog {
namespace {

// Rows per index INSERT before padding (a product has at most kMaxTokensPerProduct tokens).
constexpr size_t kRowsPerInsert = 256;

constexpr const char* kDeleteTokens = "DELETE FROM product_tokens WHERE product_id = ?";
// Padding repeats the last row; the repeats hit the primary key and change nothing.
constexpr const char* kInsertTokensHead = "INSERT INTO product_tokens (token, product_id) VALUES ";
constexpr const char* kInsertTokensRow = "(?, ?)";
constexpr const char* kInsertTokensTail = " ON DUPLICATE KEY UPDATE product_id = product_id";
constexpr const char* kProbeToken =
    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM product_tokens WHERE token = ? LIMIT 20000) x";

// The search: STRAIGHT_JOIN keeps the order — the driver's postings (streamed in product id
// order), then the other tokens (cheap primary-key probes in the small token index; a padded
// join repeats the last token and so filters nothing more), and only then the wide product row.
// Tokens beyond kMaxJoinedTokens are counted by a subquery correlated on p, so it runs only for
// rows that passed the joins. The category filter is switched off by its value (0).
constexpr const char* kSearchHead = " FROM product_tokens t";
constexpr const char* kSearchJoin = " STRAIGHT_JOIN product_tokens t";
constexpr const char* kSearchJoinOn = ".token = ? AND t";
constexpr const char* kSearchJoinOnProduct = ".product_id = t.product_id";
constexpr const char* kSearchProduct =
    " STRAIGHT_JOIN products p ON p.id = t.product_id "
    "WHERE t.token = ? AND t.product_id > ? AND p.state = ? AND (? = 0 OR p.category = ?)";
constexpr const char* kSearchRestHead =
    " AND (SELECT COUNT(*) FROM product_tokens x WHERE x.product_id = p.id AND x.token IN ";
constexpr const char* kSearchRestTail = ") = ?";
constexpr const char* kSearchTail = " ORDER BY t.product_id LIMIT ?";

// The number of joins for `n` other tokens: 0, 1, 2, 4 or kMaxJoinedTokens.
size_t JoinShape(size_t n) {
  if (n == 0) return 0;
  size_t joins = 1;
  while (joins < n && joins < kMaxJoinedTokens) joins *= 2;
  return std::min(joins, kMaxJoinedTokens);
}

}  // namespace

SqlQuery IndexChunkQuery(const std::string& product_id, const std::vector<std::string>& tokens) {
  const std::vector<std::string> padded = PaddedToShape(tokens);
  SqlQuery q;
  q.sql = absl::StrCat(kInsertTokensHead, Repeated(padded.size(), kInsertTokensRow, ","),
                       kInsertTokensTail);
  q.params.reserve(2 * padded.size());
  for (const std::string& token : padded) {
    q.params.push_back(Param(token));
    q.params.push_back(Param(product_id));
  }
  return q;
}

void IndexProduct(Tx& tx, const v1::Product& product) {
  const std::vector<std::string> tokens = ProductTokens(product);
  tx.Execute(kDeleteTokens, product.id());
  for (size_t start = 0; start < tokens.size(); start += kRowsPerInsert) {
    const size_t end = std::min(tokens.size(), start + kRowsPerInsert);
    const SqlQuery q = IndexChunkQuery(
        product.id(), std::vector<std::string>(tokens.begin() + start, tokens.begin() + end));
    tx.ExecuteParams(q.sql, q.params);
  }
}

int64_t PostingLength(Tx& tx, const std::string& token) {
  auto rs = tx.Query(kProbeToken, token);
  rs->next();
  return rs->getInt64("n");
}

bool SearchQuery(const Scope& scope, const SearchPlan& plan, SqlQuery* query) {
  std::string& sql = query->sql;
  std::vector<SqlParam>& params = query->params;
  sql = absl::StrCat("SELECT ", kProductColumns, kSearchHead);
  params.clear();
  const size_t joins = JoinShape(plan.others.size());
  for (size_t i = 0; i < joins; ++i) {
    absl::StrAppend(&sql, kSearchJoin, i + 1, " ON t", i + 1, kSearchJoinOn, i + 1,
                    kSearchJoinOnProduct);
    params.push_back(Param(plan.others[std::min(i, plan.others.size() - 1)]));
  }
  absl::StrAppend(&sql, kSearchProduct);
  const int category = static_cast<int>(plan.category);
  params.push_back(Param(plan.driver));
  params.push_back(Param(plan.after));
  params.push_back(Param(static_cast<int>(v1::PRODUCT_STATE_ACTIVE)));
  params.push_back(Param(category));
  params.push_back(Param(category));
  if (plan.others.size() > kMaxJoinedTokens) {
    const std::vector<std::string> rest(plan.others.begin() + kMaxJoinedTokens, plan.others.end());
    absl::StrAppend(&sql, kSearchRestHead);
    AppendInList(rest, &sql, &params);
    absl::StrAppend(&sql, kSearchRestTail);
    params.push_back(Param(static_cast<int64_t>(rest.size())));
  }
  if (!AppendProductScope(scope, &sql, &params)) return false;
  absl::StrAppend(&sql, kSearchTail);
  params.push_back(Param(static_cast<int64_t>(plan.limit)));
  return true;
}

}  // namespace cooplink::catalog
