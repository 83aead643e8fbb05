// The rules of search.cc's ranked keyword search (see its file head for the whole design): how
// text is cut into terms, for the index and for queries, and how candidates are scored and
// ordered. Pure functions: no SQL, no gRPC.
//
// Terms: every CJK character (a "unit") and every pair of adjacent CJK characters (a "pair":
// "普洱茶" -> units 普, 洱, 茶 and pairs 普洱, 洱茶); every run of ASCII letters/digits of 2 or
// more characters, lower-cased and folded (a unit; fullwidth Ａ-Ｚ/０-９ fold to ASCII first; runs
// longer than 32 bytes are cut to 32). Everything else separates terms. English folding
// (FoldWord) strips simple plural endings so "mushrooms" and "mushroom" are one term.
//
// Fields: each term of a product is stored once, with the best field it occurs in: the title,
// else a label's title, else a description (the product's or a label's).
#ifndef COOPLINK_SERVICES_CATALOG_SEARCH_RULES_H_
#define COOPLINK_SERVICES_CATALOG_SEARCH_RULES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/catalog_limits.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

inline constexpr size_t kMaxTokensPerProduct = 1024;
inline constexpr size_t kMaxTokenBytes = 32;
inline constexpr size_t kMaxQueryChars = static_cast<size_t>(kSearchQuery.max);
// Only the first kMaxQueryUnits distinct units of a query (and the pairs among them) are used.
inline constexpr size_t kMaxQueryUnits = 24;
// At most this many products are ranked per search, so at most this many results are returned.
inline constexpr size_t kMaxCandidates = 300;

// Where a term occurs, best first; stored as product_terms.field.
enum class SearchField : int { kInTitle = 0, kInLabelTitle = 1, kInText = 2 };
// How much a match in each field counts.
double FieldWeight(SearchField field);

// Folds an ASCII word (already lower-cased) to its index form: "ies" -> "y" (berries -> berry),
// "sses"/"xes"/"ches"/"shes" lose "es" (glasses -> glass, boxes -> box, peaches -> peach), any
// other final "s" not after another "s" is dropped (mushrooms -> mushroom, teas -> tea; glass
// stays). Words of 3 characters or fewer and words with a digit are left alone. Index and query
// fold alike, so a fold that is not a real word ("citrus" -> "citru") still matches itself. No
// other stemming: "leaves" folds to "leave", not "leaf"; "potatoes" to "potatoe", not "potato".
std::string FoldWord(const std::string& word);

// The terms of one text, in order of first occurrence (duplicates kept).
struct TextTerms {
  std::vector<std::string> units;  // CJK characters and folded words
  std::vector<std::string> pairs;  // adjacent CJK characters
};
TextTerms CutText(const std::string& text);

// One row of the index: a term and the best field it occurs in.
struct IndexTerm {
  std::string term;
  SearchField field;
  bool operator==(const IndexTerm& o) const { return term == o.term && field == o.field; }
};
// The index terms of a product: title, then the labels' titles, the description and the labels'
// descriptions; each term once, with its best field; capped at kMaxTokensPerProduct (title
// terms first, so a very long description is only partly searchable).
std::vector<IndexTerm> ProductTerms(const v1::Product& product);

// A query cut into terms: the distinct units (at most kMaxQueryUnits, in query order) and the
// distinct pairs whose two characters are both kept units.
struct QueryTerms {
  std::vector<std::string> units;
  std::vector<std::string> pairs;
  bool empty() const { return units.empty(); }
  // Units then pairs.
  std::vector<std::string> all() const;
  // A stable rendering for the page token's fingerprint.
  std::string Fingerprint() const;
};
QueryTerms CutQuery(const std::string& query);

// The fewest units a product must contain to be a result: half the query's units, rounded up
// (1 of 1, 1 of 2, 2 of 3, 2 of 4, …), so partial matches are found but stray single
// characters of a long query are not.
size_t MinUnitsToMatch(size_t units);

// Inverse document frequency of a term found in `df` products (df counted up to kDfCap; 0 means
// the term occurs nowhere and counts nothing): ln(1 + kDfCap / df).
inline constexpr int64_t kDfCap = 2000;
double Idf(int64_t df);

// One candidate's matches: term -> the best field it occurs in.
struct Candidate {
  std::string product_id;
  absl::flat_hash_map<std::string, SearchField> fields;
};
struct Ranked {
  std::string product_id;
  size_t units = 0;    // distinct query units the product contains
  double score = 0.0;  // sum over matched units and pairs of Idf x FieldWeight
};
// Scores candidates and returns those with at least MinUnitsToMatch units, best first: more
// units matched first, then the higher score (rarer terms, better fields, adjacent pairs), then
// the older product (smaller id). `df` holds each query term's document frequency.
std::vector<Ranked> RankCandidates(const QueryTerms& query,
                                   const absl::flat_hash_map<std::string, int64_t>& df,
                                   const std::vector<Candidate>& candidates);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_SEARCH_RULES_H_
