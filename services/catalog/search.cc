// Keyword search over product titles, descriptions and labels.
//
// Index (product_tokens, one row per (token, product)): IndexProduct() (search_store.h) cuts the
// title, then the labels' titles, the description and the labels' descriptions into tokens
// (ProductTokens, search_rules.h):
//   - every CJK character (so one-character queries such as "茶" work) and every pair of adjacent
//     CJK characters (bigram: "普洱茶" → 普, 洱, 茶, 普洱, 洱茶);
//   - every run of ASCII letters/digits of 2 or more characters, lower-cased ("Pu'er" → "pu";
//     fullwidth Ａ-Ｚ/０-９ are folded to ASCII first); runs longer than 32 bytes are cut to 32.
// Everything else (punctuation, spaces, other scripts) separates tokens. Tokens are deduplicated
// and capped at kMaxTokensPerProduct per product, title tokens first, so a very long description
// is only partly searchable.
//
// Query: cut the same way, except that a CJK run of 2+ characters yields only its bigrams (a
// single CJK character yields itself); every query token must match (AND). The query runs as a
// keyset scan of the rarest token's posting list (PRIMARY KEY (token, product_id), so it streams
// in product id order and stops after page_size + 1 hits) joined to primary-key probes for the
// other tokens (beyond kMaxJoinedTokens, one counting subquery), then to the product row and the
// scope, so a page costs O(rows scanned until the page is full), not O(all matches). The SQL
// comes in a bounded number of shapes (search_store.h), so the prepared statements stay bounded.
//
// Known limits:
//   - Bigrams do not check adjacency across bigrams: "古树茶" (古树 + 树茶) also matches a text
//     containing "古树" and "树茶" apart (e.g. "古树…老树茶"). Order inside one bigram is exact:
//     "洱普" does not match "普洱".
//   - No stemming, no synonyms, no pinyin, no traditional/simplified folding; single ASCII
//     letters are not searchable; a query with no searchable token is INVALID_ARGUMENT.
//   - Ranking: results come in product id order (creation order); "best match first" is not
//     implemented (matching all tokens is the only relevance signal). Ordering by relevance
//     would need the whole match set per page, which costs O(matches) for common terms.
//   - AND of two common terms that rarely occur together scans the rarer one's whole posting
//     list (see tools/bench/search_bench.cc for measured latencies).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/catalog/access.h"
#include "services/catalog/catalog.h"
#include "services/catalog/products_store.h"
#include "services/catalog/search_rules.h"
#include "services/catalog/search_store.h"
#include "services/common/fields.h"
#include "services/common/paging.h"

namespace cooplink::catalog {

absl::Status Catalog::SearchProducts(const CallContext& call, const v1::SearchProductsRequest& req,
                                     v1::SearchProductsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember, Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  const std::string query = CheckText(v, "query", req.query(), kMaxQueryChars);
  if (req.category() != v1::PRODUCT_CATEGORY_UNSPECIFIED &&
      !v1::ProductCategory_IsValid(req.category())) {
    v.Add("category", "unknown category");
  }
  const std::vector<std::string> tokens = QueryTokens(query);  // sorted
  if (v.empty() && tokens.empty()) {
    v.Add("query", "must contain a Chinese character or a word of 2 or more letters or digits");
  }
  if (!v.empty()) return v.ToStatus();
  // The page token is bound to the token set.
  const std::string filters =
      absl::StrCat("search|", absl::StrJoin(tokens, " "), "|", static_cast<int>(req.category()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();

  // Social workers' caseload comes from membership, before any database work.
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();

  return db_->Read([&](Tx& tx) -> absl::Status {
    // The driver is the token with the shortest posting list (probed up to a cap); the others
    // are checked rarest first.
    std::vector<std::pair<int64_t, std::string>> by_length;
    if (tokens.size() == 1) {
      by_length.emplace_back(0, tokens[0]);
    } else {
      for (const std::string& token : tokens) {
        const int64_t n = PostingLength(tx, token);
        if (n == 0) return absl::OkStatus();  // some token matches nothing
        by_length.emplace_back(n, token);
      }
      std::stable_sort(by_length.begin(), by_length.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    SearchPlan plan;
    plan.driver = by_length[0].second;
    for (size_t i = 1; i < by_length.size(); ++i) plan.others.push_back(by_length[i].second);
    plan.category = req.category();
    plan.after = page->after;
    plan.limit = page->size + 1;
    SqlQuery sql;
    if (!SearchQuery(*scope, plan, &sql)) return absl::OkStatus();
    auto rs = tx.QueryParams(sql.sql, sql.params);
    FillPage(*rs, *page, filters, out->mutable_products(), out->mutable_next_page_token(),
             ProductFromRow);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog
