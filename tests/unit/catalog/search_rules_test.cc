// The rules of ranked search without a database: cutting text into terms (CJK characters and
// pairs, folded English words), the best field of each index term, the query's units and pairs,
// the minimum match and the ranking order (more units, rarer terms, better fields, adjacency).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/catalog/search_rules.h"

namespace cooplink::catalog {
namespace {

using Strings = std::vector<std::string>;

TEST(SearchTermsTest, CjkCharactersAndPairs) {
  const TextTerms t = CutText("普洱茶");
  EXPECT_EQ(t.units, (Strings{"普", "洱", "茶"}));
  EXPECT_EQ(t.pairs, (Strings{"普洱", "洱茶"}));
  // Punctuation and spaces separate runs: no pair across them.
  EXPECT_EQ(CutText("古树，茶").pairs, (Strings{"古树"}));
}

TEST(SearchTermsTest, AsciiWordsAreLowerCasedFoldedAndCut) {
  EXPECT_EQ(CutText("Pu'er TEA a").units, (Strings{"pu", "er", "tea"}));
  EXPECT_EQ(CutText("ＡＢ１２").units, (Strings{"ab12"}));  // fullwidth folds to ASCII
  EXPECT_EQ(CutText(std::string(40, 'x')).units, (Strings{std::string(kMaxTokenBytes, 'x')}));
  EXPECT_TRUE(CutText("a ! ?").units.empty());
  EXPECT_EQ(CutText("\xff\xfe茶").units, (Strings{"茶"}));  // invalid UTF-8 separates
  EXPECT_EQ(CutText("Wild MUSHROOMS").units, (Strings{"wild", "mushroom"}));
}

TEST(SearchTermsTest, FoldWordStripsSimplePlurals) {
  EXPECT_EQ(FoldWord("mushrooms"), "mushroom");
  EXPECT_EQ(FoldWord("mushroom"), "mushroom");
  EXPECT_EQ(FoldWord("berries"), "berry");
  EXPECT_EQ(FoldWord("berry"), "berry");
  EXPECT_EQ(FoldWord("boxes"), "box");
  EXPECT_EQ(FoldWord("peaches"), "peach");
  EXPECT_EQ(FoldWord("dishes"), "dish");
  EXPECT_EQ(FoldWord("glasses"), "glass");
  EXPECT_EQ(FoldWord("glass"), "glass");
  EXPECT_EQ(FoldWord("walnuts"), "walnut");
  EXPECT_EQ(FoldWord("teas"), "tea");
  EXPECT_EQ(FoldWord("pies"), "pie");
  // Short words and words with digits are left alone.
  EXPECT_EQ(FoldWord("tea"), "tea");
  EXPECT_EQ(FoldWord("gas"), "gas");
  EXPECT_EQ(FoldWord("500gs"), "500gs");
  // Known limits: irregular plurals stay apart.
  EXPECT_NE(FoldWord("leaves"), FoldWord("leaf"));
}

TEST(SearchTermsTest, ProductTermsKeepTheBestFieldTitleFirstAndCap) {
  v1::Product p;
  p.set_title("Tea");
  p.set_description("Green tea leaf");
  auto* label = p.add_labels();
  label->set_language_code("en");
  label->set_title("Leaf TEAS");
  label->set_description("Hill");
  EXPECT_EQ(ProductTerms(p), (std::vector<IndexTerm>{{"tea", SearchField::kInTitle},
                                                     {"leaf", SearchField::kInLabelTitle},
                                                     {"green", SearchField::kInText},
                                                     {"hill", SearchField::kInText}}));
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += "w" + std::to_string(i) + " ";
  p.set_description(long_text);
  EXPECT_EQ(ProductTerms(p).size(), kMaxTokensPerProduct);
  EXPECT_EQ(ProductTerms(p)[0].term, "tea");
}

TEST(SearchTermsTest, QueryUnitsAndPairs) {
  const QueryTerms q = CutQuery("野生菌 野生");
  EXPECT_EQ(q.units, (Strings{"野", "生", "菌"}));
  EXPECT_EQ(q.pairs, (Strings{"野生", "生菌"}));
  EXPECT_EQ(q.all(), (Strings{"野", "生", "菌", "野生", "生菌"}));
  EXPECT_EQ(CutQuery("Mushrooms mushroom").units, (Strings{"mushroom"}));
  EXPECT_TRUE(CutQuery("a !").empty());
  // Only the first kMaxQueryUnits distinct units count, and pairs among them.
  std::string long_query;
  for (char32_t c = 0x4E00; c < 0x4E00 + 40; ++c) {
    long_query += static_cast<char>(0xE0 | (c >> 12));
    long_query += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    long_query += static_cast<char>(0x80 | (c & 0x3F));
  }
  const QueryTerms capped = CutQuery(long_query);
  EXPECT_EQ(capped.units.size(), kMaxQueryUnits);
  EXPECT_EQ(capped.pairs.size(), kMaxQueryUnits - 1);
  // The fingerprint changes with the terms, not with spelling that cuts the same.
  EXPECT_EQ(CutQuery("Mushrooms").Fingerprint(), CutQuery("mushroom").Fingerprint());
  EXPECT_NE(CutQuery("普洱").Fingerprint(), CutQuery("洱普").Fingerprint());
}

TEST(SearchRankTest, MinimumMatchIsHalfTheUnitsRoundedUp) {
  EXPECT_EQ(MinUnitsToMatch(1), 1u);
  EXPECT_EQ(MinUnitsToMatch(2), 1u);
  EXPECT_EQ(MinUnitsToMatch(3), 2u);
  EXPECT_EQ(MinUnitsToMatch(4), 2u);
  EXPECT_EQ(MinUnitsToMatch(5), 3u);
}

TEST(SearchRankTest, IdfFavoursRareTermsAndIsCapped) {
  EXPECT_EQ(Idf(0), 0.0);
  EXPECT_GT(Idf(1), Idf(10));
  EXPECT_GT(Idf(10), Idf(1000));
  EXPECT_GT(Idf(kDfCap), 0.0);
  EXPECT_EQ(Idf(kDfCap), Idf(kDfCap * 10));
}

Candidate Doc(const std::string& id, std::vector<std::pair<std::string, SearchField>> fields) {
  Candidate c;
  c.product_id = id;
  for (auto& [term, field] : fields) c.fields[term] = field;
  return c;
}

std::vector<std::string> Order(const std::vector<Ranked>& ranked) {
  std::vector<std::string> ids;
  for (const Ranked& r : ranked) ids.push_back(r.product_id);
  return ids;
}

constexpr SearchField kT = SearchField::kInTitle;
constexpr SearchField kL = SearchField::kInLabelTitle;
constexpr SearchField kD = SearchField::kInText;

TEST(SearchRankTest, MoreUnitsFirstThenAdjacencyThenFieldThenAge) {
  const QueryTerms q = CutQuery("野生菌");
  const absl::flat_hash_map<std::string, int64_t> df = {
      {"野", 50}, {"生", 80}, {"菌", 40}, {"野生", 30}, {"生菌", 5}};
  const auto ranked = RankCandidates(
      q, df,
      {
          Doc("a-two-units", {{"野", kT}, {"生", kT}, {"野生", kT}}),
          Doc("b-apart", {{"野", kT}, {"生", kT}, {"菌", kT}, {"野生", kT}}),  // 野生鸡枞菌干
          Doc("c-adjacent", {{"野", kT}, {"生", kT}, {"菌", kT}, {"野生", kT}, {"生菌", kT}}),
          Doc("d-in-text", {{"野", kD}, {"生", kD}, {"菌", kD}, {"野生", kD}, {"生菌", kD}}),
          Doc("e-one-unit", {{"菌", kT}}),  // below the minimum of 2 of 3
      });
  EXPECT_EQ(Order(ranked), (Strings{"c-adjacent", "b-apart", "d-in-text", "a-two-units"}));
  EXPECT_EQ(ranked[0].units, 3u);
  EXPECT_EQ(ranked[3].units, 2u);
}

TEST(SearchRankTest, TitleBeforeLabelTitleBeforeDescriptionAndRarerFirst) {
  const QueryTerms q = CutQuery("mushroom honey");
  const absl::flat_hash_map<std::string, int64_t> df = {{"mushroom", 10}, {"honey", 5000}};
  const auto ranked = RankCandidates(q, df,
                                     {
                                         Doc("1-desc", {{"mushroom", kD}}),
                                         Doc("2-label", {{"mushroom", kL}}),
                                         Doc("3-title", {{"mushroom", kT}}),
                                         Doc("4-common", {{"honey", kT}}),
                                         Doc("5-both", {{"mushroom", kD}, {"honey", kD}}),
                                         Doc("6-title-too", {{"mushroom", kT}}),
                                     });
  // Both words beat one; the rare word beats the common one; equal scores go by id (age).
  EXPECT_EQ(Order(ranked),
            (Strings{"5-both", "3-title", "6-title-too", "2-label", "1-desc", "4-common"}));
}

TEST(SearchRankTest, UnknownTermsCountForUnitsButNotScore) {
  const QueryTerms q = CutQuery("tea");
  const auto ranked = RankCandidates(q, {}, {Doc("x", {{"tea", kT}}), Doc("y", {})});
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(ranked[0].product_id, "x");
  EXPECT_EQ(ranked[0].score, 0.0);
}

}  // namespace
}  // namespace cooplink::catalog
