// The catalog's variable SQL comes in a bounded number of texts, so a long-running server
// prepares a bounded number of statements however many different searches and lists it serves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/catalog/offers_store.h"
#include "services/catalog/products_store.h"
#include "services/catalog/search_store.h"

namespace cooplink::catalog {
namespace {

constexpr Role kRoles[] = {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                           Role::kMember,        Role::kPartner,      Role::kUnspecified};

Principal WithRole(Role role) {
  Principal p;
  p.role = role;
  p.cooperative_id = "01COOPA0000000000000000000";
  p.household_id = "01HHA00000000000000000000A";
  p.partner_id = "01PTN00000000000000000000A";
  return p;
}

std::vector<std::string> Caseload(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat("coop-", i));
  return out;
}

size_t Placeholders(const std::string& sql) { return std::count(sql.begin(), sql.end(), '?'); }

TEST(CatalogSqlShapesTest, SearchStaysUnderItsBound) {
  std::set<std::string> scans, pages, hits, counts, scope_hits;
  for (Role role : kRoles) {
    const Principal p = WithRole(role);
    for (int caseload : {0, 1, 2, 3, 4, 5, 16, 17, 64, 65, 100, 256, 257, 300}) {
      const Scope scope{&p, Caseload(role == Role::kSocialWorker ? caseload : 0)};
      for (int tokens = 1; tokens <= 200; ++tokens) {
        for (auto category : {v1::PRODUCT_CATEGORY_UNSPECIFIED, v1::PRODUCT_CATEGORY_FRUIT,
                              v1::PRODUCT_CATEGORY_OTHER}) {
          PostingScan scan;
          scan.driver = "t0";
          for (int i = 1; i < tokens; ++i) scan.others.push_back(absl::StrCat("t", i));
          scan.category = category;
          scan.limit = 1 + tokens % 500;
          SqlQuery q;
          if (!PostingQuery(scope, scan, &q)) continue;
          ASSERT_EQ(Placeholders(q.sql), q.params.size()) << q.sql;
          scans.insert(q.sql);
          if (ScopeHitsQuery(scope, Caseload(tokens), category, &q)) {
            ASSERT_EQ(Placeholders(q.sql), q.params.size()) << q.sql;
            scope_hits.insert(q.sql);
          }
        }
      }
      SqlQuery count;
      if (ScopeCountQuery(scope, &count)) {
        ASSERT_EQ(Placeholders(count.sql), count.params.size()) << count.sql;
        counts.insert(count.sql);
      }
      for (int n = 1; n <= 500; n += 7) {
        SqlQuery q;
        if (!RankedPageQuery(scope, Caseload(n), &q)) continue;
        ASSERT_EQ(Placeholders(q.sql), q.params.size()) << q.sql;
        pages.insert(q.sql);
      }
    }
  }
  for (int ids = 1; ids <= 256; ids += 3) {
    for (int terms = 1; terms <= 48; ++terms) {
      const SqlQuery q = TermHitsQuery(Caseload(ids), Caseload(terms));
      ASSERT_EQ(Placeholders(q.sql), q.params.size()) << q.sql;
      hits.insert(q.sql);
    }
  }
  // 10 term shapes (joins 0, 1, 2, 4, 8; 8 + IN of 1, 4, 16, 64, 256) times 10 scope shapes
  // (admin, cooperative admin, member, partner, caseload IN of 1 .. 1024).
  EXPECT_LE(scans.size(), 100u);
  EXPECT_LE(scope_hits.size(), 50u);  // terms IN of 1 .. 256 times 10 scope shapes
  EXPECT_LE(counts.size(), 10u);
  EXPECT_LE(pages.size(), 60u);  // page IN of 1 .. 1024 times 10 scope shapes
  EXPECT_LE(hits.size(), 20u);   // ids IN of 1 .. 256 times terms IN of 1 .. 64
  std::printf("search: %zu scan, %zu page, %zu hit, %zu count texts\n", scans.size(), pages.size(),
              hits.size(), counts.size());
}

TEST(CatalogSqlShapesTest, ListsStayUnderTheirBound) {
  std::set<std::string> products, offers;
  for (Role role : kRoles) {
    const Principal p = WithRole(role);
    for (int caseload = 0; caseload <= 300; ++caseload) {
      const Scope scope{&p, Caseload(role == Role::kSocialWorker ? caseload : 0)};
      for (int filters = 0; filters < 64; ++filters) {
        ProductListFilter f;
        if (filters & 1) f.cooperative_id = "01COOPA0000000000000000000";
        if (filters & 2) f.category = v1::PRODUCT_CATEGORY_FRUIT;
        if (filters & 4) f.region_prefix = "5308";
        if (filters & 8) f.state = v1::PRODUCT_STATE_ACTIVE;
        if (filters & 16) f.updated_since_us = 1000;
        if (filters & 32) {
          f.after_time_us = 2000;
          f.after_id = "01PRD00000000000000000000A";
        }
        f.limit = 51;
        SqlQuery q;
        if (ListProductsQuery(scope, f, &q)) {
          ASSERT_EQ(Placeholders(q.sql), q.params.size()) << q.sql;
          products.insert(q.sql);
        }
        OfferListFilter of;
        if (filters & 1) of.product_id = "01PRD00000000000000000000A";
        if (filters & 2) of.partner_id = "01PTN00000000000000000000A";
        if (filters & 4) of.state = v1::OFFER_STATE_ACTIVE;
        of.limit = 51;
        if (ListOffersQuery(p, scope.worker_cooperatives, of, &q)) {
          ASSERT_EQ(Placeholders(q.sql), q.params.size()) << q.sql;
          offers.insert(q.sql);
        }
      }
    }
  }
  EXPECT_LE(products.size(), 20u);  // 10 scope shapes x with/without the cooperative filter
  EXPECT_LE(offers.size(), 40u);    // 10 scope shapes x product filter x partner filter
  std::printf("ListProducts: %zu, ListOffers: %zu distinct SQL texts\n", products.size(),
              offers.size());
}

TEST(CatalogSqlShapesTest, IndexInsertsComeInFiveSizes) {
  std::set<std::string> texts;
  for (size_t n = 1; n <= 256; ++n) {
    std::vector<IndexTerm> tokens;
    for (size_t i = 0; i < n; ++i) {
      tokens.push_back(
          {absl::StrCat("tok", i), i % 2 ? SearchField::kInTitle : SearchField::kInText});
    }
    const SqlQuery q = IndexChunkQuery("01PRD00000000000000000000A", tokens);
    ASSERT_EQ(Placeholders(q.sql), q.params.size());
    texts.insert(q.sql);
  }
  EXPECT_EQ(texts.size(), 5u);  // 1, 4, 16, 64, 256 rows
}

}  // namespace
}  // namespace cooplink::catalog
