// SearchProducts through real gRPC against the real MariaDB: Chinese keywords (bigrams and single
// characters), English label words, AND of terms, ACTIVE only, scope, paging and bad input.
//
// Each test builds its own cooperative and searches as its admin (scope: that cooperative), so
// tests do not see each other's products.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

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
    cv1::Product product = Create(world, spec);
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

TEST_F(SearchTest, ChineseKeywordsMatchBigramsAndSingleCharacters) {
  Shelf s = NewShelf();
  const std::string& t = s.world.admin_token;
  EXPECT_EQ(Find(t, "普洱"), (Ids{s.puer_cake.id(), s.puer_brick.id()}));  // not the draft
  EXPECT_EQ(Find(t, "普洱茶"), (Ids{s.puer_cake.id(), s.puer_brick.id()}));
  EXPECT_EQ(Find(t, "核桃"), (Ids{s.walnut.id()}));
  EXPECT_EQ(Find(t, "熟普"), (Ids{s.puer_brick.id()}));
  EXPECT_EQ(Find(t, "古茶园"), (Ids{s.puer_cake.id()}));  // from the description
  // All terms must match (AND), with or without spaces between them.
  EXPECT_EQ(Find(t, "古树 普洱"), (Ids{s.puer_cake.id()}));
  EXPECT_EQ(Find(t, "勐海 普洱"), (Ids{s.puer_brick.id()}));
  EXPECT_EQ(Find(t, "普洱 核桃"), Ids{});
  EXPECT_EQ(Find(t, "普洱核桃"), Ids{});  // 洱核 occurs nowhere
  EXPECT_EQ(Find(t, "洱普"), Ids{});      // bigrams keep their order
  // A single character finds every text that contains it.
  EXPECT_EQ(Find(t, "蜜"), (Ids{s.honey.id()}));
  EXPECT_EQ(Find(t, "茶"), (Ids{s.puer_cake.id(), s.puer_brick.id()}));
  EXPECT_EQ(Find(t, "松茸"), Ids{});
}

TEST_F(SearchTest, EnglishLabelWordsAreCaseInsensitive) {
  Shelf s = NewShelf();
  const std::string& t = s.world.admin_token;
  EXPECT_EQ(Find(t, "walnuts"), (Ids{s.walnut.id()}));
  EXPECT_EQ(Find(t, "Walnuts YANGBI"), (Ids{s.walnut.id()}));
  EXPECT_EQ(Find(t, "Pu'er tea"), (Ids{s.puer_cake.id()}));
  EXPECT_EQ(Find(t, "ｊｉｎｇｍａｉ"), (Ids{s.puer_cake.id()}));  // fullwidth folds to ASCII
  EXPECT_EQ(Find(t, "walnut"), Ids{});                            // no stemming
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
}

TEST_F(SearchTest, PagesThroughAllMatchesInIdOrder) {
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
  EXPECT_EQ(seen, created);  // ids are time-ordered: creation order

  // A page token belongs to its query.
  cv1::SearchProductsResponse first;
  ASSERT_TRUE(Search(world.admin_token, "曼松", &first, cv1::PRODUCT_CATEGORY_UNSPECIFIED, 2).ok());
  cv1::SearchProductsResponse out;
  grpc::Status st = Search(world.admin_token, "贡茶", &out, cv1::PRODUCT_CATEGORY_UNSPECIFIED, 2,
                           first.next_page_token());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(st), std::vector<std::string>{"page_token"});
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
