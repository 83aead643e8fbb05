// How text is cut into search tokens, for the index and for queries (the rules of search.cc's
// keyword search; see its file head for the whole design). Pure functions: no SQL, no gRPC.
//
// Index: every CJK character and every pair of adjacent CJK characters (bigram: "普洱茶" -> 普,
// 洱, 茶, 普洱, 洱茶); every run of ASCII letters/digits of 2 or more characters, lower-cased
// (fullwidth Ａ-Ｚ/０-９ folded to ASCII first; runs longer than 32 bytes cut to 32). Everything
// else separates tokens. Query: the same, except that a CJK run of 2+ characters yields only its
// bigrams (a single CJK character yields itself).
#ifndef COOPLINK_SERVICES_CATALOG_SEARCH_RULES_H_
#define COOPLINK_SERVICES_CATALOG_SEARCH_RULES_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/catalog_limits.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

inline constexpr size_t kMaxTokensPerProduct = 1024;
inline constexpr size_t kMaxTokenBytes = 32;
inline constexpr size_t kMaxQueryChars = static_cast<size_t>(kSearchQuery.max);

// Collects the distinct tokens of texts, in first-seen order, up to a cap.
class TokenSet {
 public:
  explicit TokenSet(size_t cap) : cap_(cap) {}
  // `query` mode: a CJK run of 2+ characters yields only bigrams.
  void Add(const std::string& text, bool query);
  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  void Put(std::string t);
  size_t cap_;
  absl::flat_hash_set<std::string> seen_;
  std::vector<std::string> tokens_;
};

// The index tokens of a product: title, then the labels' titles, the description and the labels'
// descriptions, deduplicated and capped at kMaxTokensPerProduct (title tokens first, so a very
// long description is only partly searchable).
std::vector<std::string> ProductTokens(const v1::Product& product);

// The tokens of a (validated, at most kMaxQueryChars characters) query, sorted: every one must
// match. Empty when the query has nothing searchable.
std::vector<std::string> QueryTokens(const std::string& query);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_SEARCH_RULES_H_
