// Keyword search over product titles, descriptions and labels.
//
// Index (product_tokens, one row per (token, product)): IndexProduct() cuts the title, then the
// labels' titles, the description and the labels' descriptions into tokens:
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
// other tokens, then to the product row and the scope, so a page costs O(rows scanned until the page is full), not O(all matches).
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

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/catalog/catalog.h"
#include "services/catalog/internal.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

constexpr size_t kMaxTokensPerProduct = 1024;
constexpr size_t kMaxTokenBytes = 32;
constexpr size_t kMaxQueryChars = 100;

constexpr const char* kDeleteTokens = "DELETE FROM product_tokens WHERE product_id = ?";
// The length of a token's posting list, counted up to 20000 (only used to pick the scan driver).
constexpr const char* kProbeToken =
    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM product_tokens WHERE token = ? LIMIT 20000) x";

bool IsCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) ||    // CJK Unified Ideographs
         (c >= 0x3400 && c <= 0x4DBF) ||    // Extension A
         (c >= 0xF900 && c <= 0xFAFF) ||    // Compatibility Ideographs
         (c >= 0x20000 && c <= 0x3134F);    // Extensions B-G
}

// Decodes UTF-8 (invalid bytes become U+FFFD, a separator).
std::vector<char32_t> Decode(const std::string& s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t c = 0;
    if (b < 0x80) {
      len = 1;
      c = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      c = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      c = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      c = b & 0x07;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (i + len > s.size()) {
      out.push_back(0xFFFD);
      break;
    }
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      const unsigned char cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80) ok = false;
      c = (c << 6) | (cb & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    // Fullwidth ASCII letters and digits fold to ASCII.
    if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + '0';
    if (c >= 0xFF21 && c <= 0xFF3A) c = c - 0xFF21 + 'A';
    if (c >= 0xFF41 && c <= 0xFF5A) c = c - 0xFF41 + 'a';
    out.push_back(c);
    i += len;
  }
  return out;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool IsAsciiAlnum(char32_t c) { return c < 0x80 && absl::ascii_isalnum(static_cast<char>(c)); }

// Collects the distinct tokens of texts, in first-seen order, up to a cap.
class TokenSet {
 public:
  explicit TokenSet(size_t cap) : cap_(cap) {}
  // `query` mode: a CJK run of 2+ characters yields only bigrams.
  void Add(const std::string& text, bool query) {
    const std::vector<char32_t> cs = Decode(text);
    size_t i = 0;
    while (i < cs.size()) {
      if (IsCjk(cs[i])) {
        size_t j = i;
        while (j < cs.size() && IsCjk(cs[j])) ++j;
        const size_t run = j - i;
        for (size_t k = i; k < j; ++k) {
          if (!query || run == 1) {
            std::string t;
            AppendUtf8(cs[k], &t);
            Put(std::move(t));
          }
          if (k + 1 < j) {
            std::string t;
            AppendUtf8(cs[k], &t);
            AppendUtf8(cs[k + 1], &t);
            Put(std::move(t));
          }
        }
        i = j;
      } else if (IsAsciiAlnum(cs[i])) {
        std::string word;
        while (i < cs.size() && IsAsciiAlnum(cs[i])) {
          if (word.size() < kMaxTokenBytes) {
            word.push_back(absl::ascii_tolower(static_cast<char>(cs[i])));
          }
          ++i;
        }
        if (word.size() >= 2) Put(std::move(word));
      } else {
        ++i;
      }
    }
  }
  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  void Put(std::string t) {
    if (tokens_.size() >= cap_) return;
    if (seen_.insert(t).second) tokens_.push_back(std::move(t));
  }
  size_t cap_;
  absl::flat_hash_set<std::string> seen_;
  std::vector<std::string> tokens_;
};

}  // namespace

void IndexProduct(Tx& tx, const v1::Product& product) {
  TokenSet set(kMaxTokensPerProduct);
  set.Add(product.title(), /*query=*/false);
  for (const auto& label : product.labels()) set.Add(label.title(), false);
  set.Add(product.description(), false);
  for (const auto& label : product.labels()) set.Add(label.description(), false);

  tx.Execute(kDeleteTokens, product.id());
  const auto& tokens = set.tokens();
  constexpr size_t kRowsPerInsert = 200;
  for (size_t start = 0; start < tokens.size(); start += kRowsPerInsert) {
    const size_t end = std::min(tokens.size(), start + kRowsPerInsert);
    std::string sql = "INSERT INTO product_tokens (token, product_id) VALUES ";
    std::vector<SqlParam> params;
    params.reserve(2 * (end - start));
    for (size_t i = start; i < end; ++i) {
      absl::StrAppend(&sql, i == start ? "" : ",", "(?, ?)");
      params.push_back(Param(tokens[i]));
      params.push_back(Param(product.id()));
    }
    tx.ExecuteParams(sql, params);
  }
}

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
  TokenSet set(/*cap=*/kMaxQueryChars * 2);
  set.Add(query, /*query=*/true);
  if (v.empty() && set.tokens().empty()) {
    v.Add("query", "must contain a Chinese character or a word of 2 or more letters or digits");
  }
  if (!v.empty()) return v.ToStatus();
  std::vector<std::string> tokens = set.tokens();
  std::sort(tokens.begin(), tokens.end());  // the page token is bound to the token set
  const std::string filters =
      absl::StrCat("search|", absl::StrJoin(tokens, " "), "|", static_cast<int>(req.category()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();

  // Social workers' caseload comes from membership, before any database work.
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();

  return db_->Read([&](Tx& tx) -> absl::Status {
    // The driver is the token with the shortest posting list (probed up to a cap).
    size_t driver = 0;
    if (tokens.size() > 1) {
      int64_t best = INT64_MAX;
      for (size_t i = 0; i < tokens.size(); ++i) {
        auto rs = tx.Query(kProbeToken, tokens[i]);
        rs->next();
        const int64_t n = rs->getInt64("n");
        if (n < best) {
          best = n;
          driver = i;
        }
        if (n == 0) return absl::OkStatus();  // some token matches nothing
      }
    }
    // STRAIGHT_JOIN keeps the order: the driver's postings, then the other tokens (cheap
    // primary-key probes in the small token index), and only then the wide product row.
    std::string sql = absl::StrCat("SELECT ", kProductColumns, " FROM product_tokens t");
    std::vector<SqlParam> params;
    for (size_t i = 0, n = 0; i < tokens.size(); ++i) {
      if (i == driver) continue;
      const std::string alias = absl::StrCat("t", ++n);
      absl::StrAppend(&sql, " STRAIGHT_JOIN product_tokens ", alias, " ON ", alias,
                      ".token = ? AND ", alias, ".product_id = t.product_id");
      params.push_back(Param(tokens[i]));
    }
    absl::StrAppend(&sql,
                    " STRAIGHT_JOIN products p ON p.id = t.product_id "
                    "WHERE t.token = ? AND t.product_id > ? AND p.state = 3");
    params.push_back(Param(tokens[driver]));
    params.push_back(Param(page->after));
    if (req.category() != v1::PRODUCT_CATEGORY_UNSPECIFIED) {
      absl::StrAppend(&sql, " AND p.category = ?");
      params.push_back(Param(static_cast<int>(req.category())));
    }
    if (!AppendProductScope(*scope, &sql, &params)) return absl::OkStatus();
    absl::StrAppend(&sql, " ORDER BY t.product_id LIMIT ?");
    params.push_back(Param(static_cast<int64_t>(page->size) + 1));
    auto rs = tx.QueryParams(sql, params);
    FillPage(*rs, *page, filters, out->mutable_products(), out->mutable_next_page_token(),
             ProductFromRow);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog
