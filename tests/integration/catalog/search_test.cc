// SearchProducts through real gRPC against the real MariaDB: Chinese keywords (characters need
// not be adjacent), English label words with plural folding, ranking (more of the query first,
// adjacent characters, title before description), ACTIVE only, scope, ranked paging, the
// start-up backfill of the index and bad input.
//
// Each test builds its own cooperative and searches as its admin (scope: that cooperative), so
// tests do not see each other's products.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/catalog/search_store.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

class SearchTest : public CatalogFixture {
 protected:
  struct Spec {
    std::string title;
    std::string description;
    std::string label_en;  // English label title, "" for none
    cv1::ProductCategory category = cv1::PRODUCT_CATEGORY_PROCESSED_TEA;
    cv1::UnitKind unit = cv1::UNIT_KIND_CAKE;
  };

  cv1::Product Create(const CoopWorld& world, const Spec& spec) {
    cv1::CreateProductRequest create;
    create.set_request_id(NewRequestId());
    cv1::Product body = ProductBody(world);
    body.set_title(spec.title);
    body.set_description(spec.description);
    body.clear_labels();
    if (!spec.label_en.empty()) {
      auto* label = body.add_labels();
      label->set_language_code("en");
      label->set_title(spec.label_en);
    }
    body.set_category(spec.category);
    body.mutable_unit()->set_kind(spec.unit);
    *create.mutable_product() = body;
    cv1::Product product;
    grpc::Status s = catalog().CreateProduct(Ctx(world.admin_token).get(), create, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return product;
  }

  cv1::Product Active(const CoopWorld& world, const Spec& spec) {
    return Activate(world, Create(world, spec));
  }

  cv1::Product Activate(const CoopWorld& world, cv1::Product product) {
    cv1::SubmitProductRequest submit;
    submit.set_request_id(NewRequestId());
    submit.set_product_id(product.id());
    grpc::Status s = catalog().SubmitProduct(Ctx(world.member_token).get(), submit, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::ApproveProductRequest approve;
    approve.set_request_id(NewRequestId());
    approve.set_product_id(product.id());
    s = catalog().ApproveProduct(Ctx(admin()).get(), approve, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return product;
  }

  grpc::Status Search(const std::string& token, const std::string& query,
                      cv1::SearchProductsResponse* out,
                      cv1::ProductCategory category = cv1::PRODUCT_CATEGORY_UNSPECIFIED,
                      int page_size = 0, const std::string& page_token = "") {
    cv1::SearchProductsRequest req;
    req.set_query(query);
    req.set_category(category);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    out->Clear();
    return catalog().SearchProducts(Ctx(token).get(), req, out);
  }

  // Ids found by `query` (one page of up to 500).
  std::set<std::string> Find(const std::string& token, const std::string& query,
                             cv1::ProductCategory category = cv1::PRODUCT_CATEGORY_UNSPECIFIED) {
    cv1::SearchProductsResponse out;
    grpc::Status s = Search(token, query, &out, category, 500);
    EXPECT_TRUE(s.ok()) << query << ": " << s.error_message();
    std::set<std::string> ids;
    for (const auto& p : out.products()) {
      EXPECT_EQ(p.state(), cv1::PRODUCT_STATE_ACTIVE);
      ids.insert(p.id());
    }
    return ids;
  }

  // Ids found by `query` in rank order (one page of up to 500).
  std::vector<std::string> Ranked(const std::string& token, const std::string& query) {
    cv1::SearchProductsResponse out;
    grpc::Status s = Search(token, query, &out, cv1::PRODUCT_CATEGORY_UNSPECIFIED, 500);
    EXPECT_TRUE(s.ok()) << query << ": " << s.error_message();
    std::vector<std::string> ids;
    for (const auto& p : out.products()) ids.push_back(p.id());
    return ids;
  }

  // A cooperative with a small shelf of Yunnan products.
  struct Shelf {
    CoopWorld world;
    cv1::Product puer_cake;   // 景迈山古树普洱茶饼
    cv1::Product puer_brick;  // 勐海熟普洱茶砖
    cv1::Product walnut;      // 漾濞薄壳核桃
    cv1::Product honey;       // 哀牢山野生蜂蜜
    cv1::Product draft;       // 普洱茶新品试制 (DRAFT)
  };
  Shelf NewShelf() {
    Shelf s;
    s.world = NewCoop();
    s.puer_cake = Active(s.world, {"景迈山古树普洱茶饼", "澜沧县景迈山古茶园春茶，357克/饼。",
                                   "Jingmai ancient-tree Pu'er tea cake"});
    s.puer_brick = Active(s.world, {"勐海熟普洱茶砖", "", ""});
    s.walnut = Active(
        s.world, {"漾濞薄壳核桃", "大理漾濞当年新核桃，壳薄易剥。", "Yangbi thin-shell WALNUTS",
                  cv1::PRODUCT_CATEGORY_FOREST_PRODUCTS, cv1::UNIT_KIND_BAG});
    s.honey = Active(s.world, {"哀牢山野生蜂蜜", "中蜂百花蜜，一年一取。", "",
                               cv1::PRODUCT_CATEGORY_PROCESSED_FOOD, cv1::UNIT_KIND_JAR});
    s.draft = Create(s.world, {"普洱茶新品试制", "", ""});
    return s;
  }
};

using Ids = std::set<std::string>;

TEST_F(SearchTest, ChineseKeywordsMatchCharactersThatNeedNotBeAdjacent) {
  Shelf s = NewShelf();
  const std::string& t = s.world.admin_token;
  EXPECT_EQ(Find(t, "普洱"), (Ids{s.puer_cake.id(), s.puer_brick.id()}));  // not the draft
  EXPECT_EQ(Find(t, "普洱茶"), (Ids{s.puer_cake.id(), s.puer_brick.id()}));
  EXPECT_EQ(Find(t, "核桃"), (Ids{s.walnut.id()}));
  EXPECT_EQ(Find(t, "古茶园"), (Ids{s.puer_cake.id()}));  // from the description
  // Characters in another order still match.
  EXPECT_EQ(Find(t, "洱普"), (Ids{s.puer_cake.id(), s.puer_brick.id()}));
  // Half of the query's characters suffice; more of them rank first.
  EXPECT_EQ(Ranked(t, "熟普"), (std::vector<std::string>{s.puer_brick.id(), s.puer_cake.id()}));
  EXPECT_EQ(Ranked(t, "古树 普洱"),
            (std::vector<std::string>{s.puer_cake.id(), s.puer_brick.id()}));
  EXPECT_EQ(Ranked(t, "勐海 普洱"),
            (std::vector<std::string>{s.puer_brick.id(), s.puer_cake.id()}));
  EXPECT_EQ(Find(t, "普洱 核桃"), (Ids{s.puer_cake.id(), s.puer_brick.id(), s.walnut.id()}));
  // One character of four is not enough.
  EXPECT_EQ(Find(t, "普松茸菇"), Ids{});
  // A single character finds every text that contains it.
  EXPECT_EQ(Find(t, "蜜"), (Ids{s.honey.id()}));
  EXPECT_EQ(Find(t, "茶"), (Ids{s.puer_cake.id(), s.puer_brick.id()}));
  EXPECT_EQ(Find(t, "松茸"), Ids{});
}

TEST_F(SearchTest, WildMushroomsFoundByPartOfTheNameMostOfTheQueryFirst) {
  CoopWorld world = NewCoop();
  const std::string& t = world.admin_token;
  const cv1::Product honey = Active(world, {"哀牢山野生蜂蜜", "", ""});
  const cv1::Product jizong = Active(world, {"野生鸡枞菌干", "雨季采摘，晒干保存。", ""});
  const cv1::Product soup = Active(world, {"野生菌菇汤料包", "", ""});
  Active(world, {"小粒咖啡", "", ""});
  // 野生菌 finds 野生鸡枞菌干 although 生菌 occurs nowhere in it; the product with all three
  // characters adjacent ranks first, the one with only 野生 last.
  EXPECT_EQ(Ranked(t, "野生菌"), (std::vector<std::string>{soup.id(), jizong.id(), honey.id()}));
  EXPECT_EQ(Ranked(t, "鸡枞"), (std::vector<std::string>{jizong.id()}));
}

TEST_F(SearchTest, ResultsCoveringMoreOfTheQueryRankFirst) {
  CoopWorld world = NewCoop();
  const std::string& t = world.admin_token;
  // Created oldest first: creation order would list them the other way round.
  const cv1::Product one = Active(world, {"勐海古树熟茶", "", ""});          // 3 of 6 characters
  const cv1::Product two = Active(world, {"景迈山普洱生茶", "", ""});        // 4 of 6
  const cv1::Product three = Active(world, {"景迈山古树普洱生茶", "", ""});  // all 6
  EXPECT_EQ(Ranked(t, "景迈 古树 生茶"),
            (std::vector<std::string>{three.id(), two.id(), one.id()}));
  EXPECT_EQ(Ranked(t, "walnut"), std::vector<std::string>{});
}

TEST_F(SearchTest, TitleMatchesRankAboveDescriptionOnlyMatches) {
  CoopWorld world = NewCoop();
  const std::string& t = world.admin_token;
  const cv1::Product in_description = Active(world, {"普洱茶礼盒", "附赠小粒咖啡一包。", ""});
  const cv1::Product in_title = Active(world, {"保山小粒咖啡", "", ""});
  EXPECT_EQ(Ranked(t, "咖啡"), (std::vector<std::string>{in_title.id(), in_description.id()}));
  // The same for English labels: a label's title above another label's description (written
  // by an update, which re-indexes the product).
  cv1::Product label_text = Create(world, {"松茸干片", "", "Dried slices"});
  {
    cv1::UpdateProductRequest update;
    update.set_request_id(NewRequestId());
    cv1::Product body = label_text;
    body.mutable_labels(0)->set_description("Sliced wild mushrooms, sun dried");
    *update.mutable_product() = body;
    update.mutable_update_mask()->add_paths("labels");
    grpc::Status st = catalog().UpdateProduct(Ctx(t).get(), update, &label_text);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  label_text = Activate(world, label_text);
  const cv1::Product label_title = Active(world, {"牛肝菌", "", "Wild mushroom (porcini)"});
  EXPECT_EQ(Ranked(t, "mushroom"), (std::vector<std::string>{label_title.id(), label_text.id()}));
}

TEST_F(SearchTest, EnglishWordsFoldSimplePlurals) {
  CoopWorld world = NewCoop();
  const std::string& t = world.admin_token;
  const cv1::Product mushrooms = Active(world, {"野生菌", "", "Dried wild MUSHROOMS"});
  const cv1::Product berries = Active(world, {"蓝莓", "", "Wild blueberries"});
  const cv1::Product boxes = Active(world, {"竹编盒", "", "Bamboo gift boxes"});
  EXPECT_EQ(Find(t, "mushroom"), (Ids{mushrooms.id()}));
  EXPECT_EQ(Find(t, "Mushrooms"), (Ids{mushrooms.id()}));
  EXPECT_EQ(Find(t, "blueberry"), (Ids{berries.id()}));
  EXPECT_EQ(Find(t, "gift box"), (Ids{boxes.id()}));
  EXPECT_EQ(Ranked(t, "wild mushroom"), (std::vector<std::string>{mushrooms.id(), berries.id()}));
}

TEST_F(SearchTest, EnglishLabelWordsAreCaseInsensitive) {
  Shelf s = NewShelf();
  const std::string& t = s.world.admin_token;
  EXPECT_EQ(Find(t, "walnuts"), (Ids{s.walnut.id()}));
  EXPECT_EQ(Find(t, "walnut"), (Ids{s.walnut.id()}));  // plural folding
  EXPECT_EQ(Find(t, "Walnuts YANGBI"), (Ids{s.walnut.id()}));
  EXPECT_EQ(Find(t, "Pu'er tea"), (Ids{s.puer_cake.id()}));
  EXPECT_EQ(Find(t, "ｊｉｎｇｍａｉ"), (Ids{s.puer_cake.id()}));  // fullwidth folds to ASCII
  EXPECT_EQ(Find(t, "357"), (Ids{s.puer_cake.id()}));
}

TEST_F(SearchTest, OnlyActiveProductsAndTheCategoryFilter) {
  Shelf s = NewShelf();
  const std::string& t = s.world.admin_token;
  EXPECT_EQ(Find(t, "试制"), Ids{});  // the draft
  EXPECT_EQ(Find(t, "普洱", cv1::PRODUCT_CATEGORY_PROCESSED_TEA),
            (Ids{s.puer_cake.id(), s.puer_brick.id()}));
  EXPECT_EQ(Find(t, "普洱", cv1::PRODUCT_CATEGORY_PROCESSED_FOOD), Ids{});
  EXPECT_EQ(Find(t, "野生", cv1::PRODUCT_CATEGORY_PROCESSED_FOOD), (Ids{s.honey.id()}));

  cv1::PauseProductRequest pause;
  pause.set_request_id(NewRequestId());
  pause.set_product_id(s.puer_brick.id());
  cv1::Product paused;
  ASSERT_TRUE(catalog().PauseProduct(Ctx(t).get(), pause, &paused).ok());
  EXPECT_EQ(Find(t, "普洱"), (Ids{s.puer_cake.id()}));
}

TEST_F(SearchTest, ScopePerCaller) {
  Shelf s = NewShelf();
  Shelf other = NewShelf();
  // A cooperative admin and a member see their own cooperative's products only.
  EXPECT_EQ(Find(s.world.admin_token, "核桃"), (Ids{s.walnut.id()}));
  EXPECT_EQ(Find(s.world.member_token, "核桃"), (Ids{s.walnut.id()}));
  // The platform admin sees both.
  Ids both = Find(admin(), "漾濞 核桃");
  EXPECT_TRUE(both.count(s.walnut.id()) && both.count(other.walnut.id()));
  // A social worker sees its assigned cooperative's.
  EXPECT_EQ(Find(AssignedWorkerToken(other.world.cooperative.id()), "核桃"),
            (Ids{other.walnut.id()}));
  EXPECT_EQ(Find(UnassignedWorkerToken(), "核桃"), Ids{});
  // A partner sees only ACTIVE products with an ACTIVE offer to it.
  PartnerWorld partner = NewPartner();
  EXPECT_EQ(Find(partner.token, "普洱"), Ids{});
  OfferTo(s.puer_cake, partner, s.world.admin_token);
  EXPECT_EQ(Find(partner.token, "普洱"), (Ids{s.puer_cake.id()}));
  EXPECT_EQ(Find(partner.token, "核桃"), Ids{});
  // The wall holds in both plans: scope first (above: the partner's one offer is fewer than the
  // products containing 普) and postings first (a term rarer than the caller's products).
  const cv1::Product rare = Active(s.world, {"独龙江草果", "", ""});
  EXPECT_EQ(Find(partner.token, "独龙江草果"), Ids{});
  EXPECT_EQ(Find(other.world.admin_token, "独龙江草果"), Ids{});
  EXPECT_EQ(Find(s.world.member_token, "独龙江草果"), (Ids{rare.id()}));
  OfferTo(rare, partner, s.world.admin_token);
  EXPECT_EQ(Find(partner.token, "独龙江草果"), (Ids{rare.id()}));
  // Partial matching does not widen the wall: another cooperative's products never appear,
  // and a partner's offered product disappears when it is paused.
  EXPECT_EQ(Find(s.world.admin_token, "普洱 核桃"),
            (Ids{s.puer_cake.id(), s.puer_brick.id(), s.walnut.id()}));
  EXPECT_EQ(Find(partner.token, "普洱 核桃"), (Ids{s.puer_cake.id()}));
  cv1::PauseProductRequest pause;
  pause.set_request_id(NewRequestId());
  pause.set_product_id(s.puer_cake.id());
  cv1::Product paused;
  ASSERT_TRUE(catalog().PauseProduct(Ctx(s.world.admin_token).get(), pause, &paused).ok());
  EXPECT_EQ(Find(partner.token, "普洱"), Ids{});
}

TEST_F(SearchTest, AtMost300ResultsPerQuery) {
  // The proto's limit, below, at and above it: all pages of 100 together.
  CoopWorld world = NewCoop();
  auto all_pages = [&] {
    std::vector<std::string> ids;
    std::string token;
    int pages = 0;
    do {
      cv1::SearchProductsResponse out;
      grpc::Status s = Search(world.admin_token, "凤庆滇红", &out,
                              cv1::PRODUCT_CATEGORY_UNSPECIFIED, 100, token);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& p : out.products()) ids.push_back(p.id());
      token = out.next_page_token();
    } while (!token.empty() && ++pages < 10);
    return ids;
  };
  for (int i = 0; i < 299; ++i) Active(world, {"凤庆滇红功夫茶", "", ""});
  EXPECT_EQ(all_pages().size(), 299u);
  const cv1::Product at = Active(world, {"凤庆滇红功夫茶", "", ""});
  std::vector<std::string> ids = all_pages();
  EXPECT_EQ(ids.size(), 300u);
  EXPECT_EQ(ids.back(), at.id());  // equal scores: creation order
  const cv1::Product above = Active(world, {"凤庆滇红功夫茶", "", ""});
  ids = all_pages();
  EXPECT_EQ(ids.size(), 300u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), above.id()), 0);  // the 301st is not returned
}

TEST_F(SearchTest, PagesThroughRankedResultsEqualScoresInCreationOrder) {
  CoopWorld world = NewCoop();
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) created.push_back(Active(world, {"曼松贡茶", "", ""}).id());
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    cv1::SearchProductsResponse out;
    ASSERT_TRUE(
        Search(world.admin_token, "曼松", &out, cv1::PRODUCT_CATEGORY_UNSPECIFIED, 2, token).ok());
    EXPECT_LE(out.products_size(), 2);
    for (const auto& p : out.products()) seen.push_back(p.id());
    token = out.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, created);  // equal scores: ids are time-ordered, creation order

  // Pages of one follow the ranking of a single page.
  const cv1::Product better = Active(world, {"曼松古树贡茶", "曼松", ""});
  const std::vector<std::string> one_page = Ranked(world.admin_token, "曼松 古树");
  ASSERT_EQ(one_page.size(), 6u);
  EXPECT_EQ(one_page[0], better.id());
  std::vector<std::string> paged;
  token.clear();
  pages = 0;
  do {
    cv1::SearchProductsResponse out;
    ASSERT_TRUE(
        Search(world.admin_token, "曼松 古树", &out, cv1::PRODUCT_CATEGORY_UNSPECIFIED, 1, token)
            .ok());
    for (const auto& p : out.products()) paged.push_back(p.id());
    token = out.next_page_token();
  } while (!token.empty() && ++pages < 10);
  EXPECT_EQ(paged, one_page);

  // A page token belongs to its query.
  cv1::SearchProductsResponse first;
  ASSERT_TRUE(Search(world.admin_token, "曼松", &first, cv1::PRODUCT_CATEGORY_UNSPECIFIED, 2).ok());
  cv1::SearchProductsResponse out;
  grpc::Status st = Search(world.admin_token, "贡茶", &out, cv1::PRODUCT_CATEGORY_UNSPECIFIED, 2,
                           first.next_page_token());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(st), std::vector<std::string>{"page_token"});
}

TEST_F(SearchTest, StartUpBackfillIndexesProductsTheIndexHasNotSeen) {
  CoopWorld world = NewCoop();
  const cv1::Product product = Active(world, {"元阳红米", "梯田红米。", "Red rice"});
  EXPECT_EQ(Find(world.admin_token, "红米"), (Ids{product.id()}));
  // As if the product predated migration 0007: no index rows, backfill not done.
  ASSERT_TRUE(db().Transact([&](Tx& tx) {
                    tx.Execute("DELETE FROM product_terms WHERE product_id = ?", product.id());
                    tx.Execute("UPDATE search_backfill SET after_id = '', done = FALSE");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(Find(world.admin_token, "红米"), Ids{});
  ASSERT_TRUE(catalog::BackfillSearchIndex(db(), 2).ok());
  EXPECT_EQ(Find(world.admin_token, "红米"), (Ids{product.id()}));
  EXPECT_EQ(Find(world.admin_token, "rice"), (Ids{product.id()}));
  // Done: a second run changes nothing.
  ASSERT_TRUE(catalog::BackfillSearchIndex(db(), 2).ok());
  EXPECT_EQ(Find(world.admin_token, "红米"), (Ids{product.id()}));
  bool done = false;
  ASSERT_TRUE(db().Read([&](Tx& tx) {
                    auto rs = tx.Query("SELECT done FROM search_backfill");
                    EXPECT_TRUE(rs->next());
                    done = rs->getBoolean("done");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_TRUE(done);
}

TEST_F(SearchTest, BadInputIsInvalidArgument) {
  CoopWorld world = NewCoop();
  const std::string& t = world.admin_token;
  cv1::SearchProductsResponse out;
  std::string long_query;
  for (int i = 0; i < 101; ++i) long_query += "茶";
  for (const std::string& q :
       {std::string(""), std::string("   "), long_query, std::string("!!"), std::string("a")}) {
    grpc::Status s = Search(t, q, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << q;
    EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"query"}) << q;
  }
  // 100 characters is the limit (proto: 1 to 100).
  EXPECT_TRUE(Search(t, long_query.substr(0, 300), &out).ok());
  grpc::Status s = Search(t, "普洱", &out, cv1::PRODUCT_CATEGORY_UNSPECIFIED, -1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"page_size"});
  s = Search(t, "普洱", &out, static_cast<cv1::ProductCategory>(99));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"category"});

  s = Search("", "普洱", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace cooplink::testing
