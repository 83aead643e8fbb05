// Keyword search over product titles, descriptions and labels, ranked by relevance.
//
// Index (product_terms, migration 0007): IndexProduct() (search_store.h), called in the same
// transaction as every write of a product's text, stores each term of the product once with the
// best field it occurs in (title, a label's title, a description). Terms (search_rules.h): every
// CJK character ("unit") and adjacent pair, and every ASCII word of 2+ characters, lower-cased
// and folded (FoldWord: mushrooms -> mushroom, berries -> berry, boxes -> box). Products that
// existed before 0007 are indexed at start-up (BackfillSearchIndex).
//
// A query is cut the same way: its distinct units (at most kMaxQueryUnits) and the pairs among
// them. One search, all in one Read:
//   1. document frequency of each query term, counted up to kDfCap (a bounded index scan each);
//   2. the plan: a caller who may see fewer ACTIVE products than kScopeFirstMax (one capped
//      count, ScopeCountQuery; never for the platform admin) and fewer than the rarest unit's
//      document frequency is read whole from its own products (a cooperative's, a household's,
//      a partner's offers): every index row of the query's terms of each (ScopeHitsQuery), then
//      step 4 over all of them. Otherwise candidates, ACTIVE products in the caller's scope
//      (AppendProductScope, the one scope filter of every product list) and category, at most
//      kMaxCandidates of them:
//      a. products containing every unit (the rarest unit's postings joined to the others'),
//      b. while room is left, the postings of the rarest units, enough of them that every
//         product containing MinUnitsToMatch units contains at least one (pigeonhole);
//      each scan reads at most kDriverWindow postings of its driver, title matches first, then
//      in id order, and stops at its limit;
//   3. which query terms each candidate contains, and in which field (one indexed read);
//   4. RankCandidates (pure): at least half the units matched; more units first, then
//      sum(idf x field weight) over matched units and pairs (rarer terms, title before label
//      title before description, adjacent characters), then the older product;
//   5. the page: the ranked list from the token's offset, read and rechecked against state and
//      scope.
//
// Known limits:
//   - A search returns at most kMaxCandidates results (page tokens past them are refused). A
//     small scope is ranked over all its matches. Otherwise, when more products match, the
//     candidates are the first ones of the scans above: full matches before partial ones, title
//     matches before others, then older products; a scan reads at most kDriverWindow postings,
//     so on a large catalog a match deep in a common term's postings may be left out, and a
//     caller who sees kScopeFirstMax products or more but only a thin slice of a large catalog
//     may get few results for a common term. tools/bench/search_bench.cc measures the latency.
//   - Pages are ranked anew on each call; a product written between two calls may move across
//     the page boundary (shown twice or skipped).
//   - Ranking statistics are global and capped: a term in kDfCap or more products counts as
//     equally common; document frequencies include products the caller cannot see.
//   - The characters of a query need not be adjacent in the text (pairs only add to the score),
//     so "古树茶" also finds "古树…老树茶", ranked below an adjacent match. No synonyms, pinyin or
//     traditional/simplified folding; English folding is the few suffix rules of FoldWord;
//     single ASCII letters are not searchable; a query with nothing searchable is
//     INVALID_ARGUMENT.
//   - A product's terms are capped at kMaxTokensPerProduct (title first), so a very long
//     description is only partly searchable.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/catalog/access.h"
#include "services/catalog/catalog.h"
#include "services/catalog/products_store.h"
#include "services/catalog/search_rules.h"
#include "services/catalog/search_store.h"
#include "services/common/fields.h"
#include "services/common/paging.h"
#include "services/common/status.h"

namespace cooplink::catalog {
namespace {

// Candidates whose term rows are read per statement.
constexpr size_t kHitsChunk = 256;

// The distinct candidate ids of the scans, in the order found.
class CandidateIds {
 public:
  void Add(std::string id) {
    if (index_.emplace(id, ids_.size()).second) ids_.push_back(std::move(id));
  }
  bool full() const { return ids_.size() >= kMaxCandidates; }
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  std::vector<std::string> ids_;
  absl::flat_hash_map<std::string, size_t> index_;
};

// Records that a candidate contains `term`, keeping the best field.
void AddHit(Candidate* c, std::string term, SearchField field) {
  auto [it, inserted] = c->fields.emplace(std::move(term), field);
  if (!inserted) it->second = std::min(it->second, field);
}

// Writes the page of `ranked` (at most kMaxCandidates of it) from `offset`: the products read
// and rechecked against state and scope, in rank order, and the next page's token.
absl::Status WritePage(Tx& tx, const Scope& scope, std::vector<Ranked> ranked, size_t offset,
                       const PageRequest& page, const std::string& filters,
                       v1::SearchProductsResponse* out) {
  if (ranked.size() > kMaxCandidates) ranked.resize(kMaxCandidates);
  if (offset >= ranked.size()) return absl::OkStatus();
  const size_t end = std::min(ranked.size(), offset + static_cast<size_t>(page.size));
  std::vector<std::string> ids;
  for (size_t i = offset; i < end; ++i) ids.push_back(ranked[i].product_id);
  SqlQuery sql;
  if (!RankedPageQuery(scope, ids, &sql)) return absl::OkStatus();
  absl::flat_hash_map<std::string, v1::Product> rows;
  auto rs = tx.QueryParams(sql.sql, sql.params);
  while (rs->next()) {
    v1::Product product;
    ProductFromRow(*rs, &product);
    rows[product.id()] = std::move(product);
  }
  for (const std::string& id : ids) {
    auto it = rows.find(id);
    if (it != rows.end()) *out->add_products() = std::move(it->second);
  }
  if (end < ranked.size())
    *out->mutable_next_page_token() = MakePageToken(absl::StrCat(end), filters);
  return absl::OkStatus();
}

}  // namespace

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
  const QueryTerms terms = CutQuery(query);
  if (v.empty() && terms.empty()) {
    v.Add("query", "must contain a Chinese character or a word of 2 or more letters or digits");
  }
  if (!v.empty()) return v.ToStatus();
  // The page token (an offset into the ranking) is bound to the terms and the category.
  const std::string filters =
      absl::StrCat("ranked|", terms.Fingerprint(), "|", static_cast<int>(req.category()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  size_t offset = 0;
  if (!page->after.empty() &&
      (!absl::SimpleAtoi(page->after, &offset) || offset > kMaxCandidates)) {
    return InvalidField("page_token", "is not a page token issued by this service");
  }

  // Social workers' caseload comes from membership, before any database work.
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();

  return db_->Read([&](Tx& tx) -> absl::Status {
    const std::vector<std::string> all_terms = terms.all();
    absl::flat_hash_map<std::string, int64_t> df;
    for (const std::string& term : all_terms) df[term] = DocumentFrequency(tx, term);
    // The units that occur somewhere, rarest first.
    std::vector<std::string> present;
    for (const std::string& unit : terms.units) {
      if (df[unit] > 0) present.push_back(unit);
    }
    std::stable_sort(present.begin(), present.end(),
                     [&](const std::string& a, const std::string& b) { return df[a] < df[b]; });
    const size_t need = MinUnitsToMatch(terms.units.size());
    if (present.size() < need) return absl::OkStatus();

    // How many products the caller may see picks the plan.
    int64_t scope_size = kScopeFirstMax;
    if (p.role != Role::kPlatformAdmin) {
      SqlQuery count;
      if (!ScopeCountQuery(*scope, &count)) return absl::OkStatus();
      auto rs = tx.QueryParams(count.sql, count.params);
      rs->next();
      scope_size = rs->getInt64("n");
      if (scope_size == 0) return absl::OkStatus();
    }

    // A small scope is read whole, from the caller's products: every candidate, exactly ranked.
    if (scope_size < kScopeFirstMax && (df[present[0]] >= kDfCap || scope_size < df[present[0]])) {
      SqlQuery sql;
      if (!ScopeHitsQuery(*scope, all_terms, req.category(), &sql)) return absl::OkStatus();
      std::vector<Candidate> scored;
      absl::flat_hash_map<std::string, size_t> position;
      auto rs = tx.QueryParams(sql.sql, sql.params);
      while (rs->next()) {
        std::string id = rs->getString("product_id");
        auto [it, inserted] = position.emplace(id, scored.size());
        if (inserted) scored.push_back(Candidate{std::move(id), {}});
        AddHit(&scored[it->second], rs->getString("term"),
               static_cast<SearchField>(rs->getInt("field")));
      }
      return WritePage(tx, *scope, RankCandidates(terms, df, scored), offset, *page, filters, out);
    }

    CandidateIds candidates;
    auto scan = [&](const std::string& driver, std::vector<std::string> others) {
      PostingScan s;
      s.driver = driver;
      s.others = std::move(others);
      s.category = req.category();
      s.limit = static_cast<int>(kMaxCandidates);
      SqlQuery sql;
      if (!PostingQuery(*scope, s, &sql)) return;
      auto rs = tx.QueryParams(sql.sql, sql.params);
      while (rs->next() && !candidates.full()) candidates.Add(rs->getString("product_id"));
    };
    size_t first_single = 0;
    if (present.size() == terms.units.size()) {
      scan(present[0], std::vector<std::string>(present.begin() + 1, present.end()));
      if (present.size() == 1) first_single = 1;  // that scan was the single one
    }
    for (size_t i = first_single; i < present.size() - need + 1 && !candidates.full(); ++i) {
      scan(present[i], {});
    }
    if (candidates.ids().empty()) return absl::OkStatus();

    std::vector<Candidate> scored(candidates.ids().size());
    absl::flat_hash_map<std::string, size_t> position;
    for (size_t i = 0; i < scored.size(); ++i) {
      scored[i].product_id = candidates.ids()[i];
      position[scored[i].product_id] = i;
    }
    for (size_t start = 0; start < scored.size(); start += kHitsChunk) {
      const size_t end = std::min(scored.size(), start + kHitsChunk);
      const SqlQuery hits = TermHitsQuery(std::vector<std::string>(candidates.ids().begin() + start,
                                                                   candidates.ids().begin() + end),
                                          all_terms);
      auto rs = tx.QueryParams(hits.sql, hits.params);
      while (rs->next()) {
        auto it = position.find(std::string(rs->getString("product_id")));
        if (it == position.end()) continue;
        AddHit(&scored[it->second], rs->getString("term"),
               static_cast<SearchField>(rs->getInt("field")));
      }
    }
    return WritePage(tx, *scope, RankCandidates(terms, df, scored), offset, *page, filters, out);
  });
}

}  // namespace cooplink::catalog
