// Measures ranked SearchProducts on a large catalog. Fills the database bench_search_1m DIRECTLY
// with SQL (bulk multi-row INSERTs into products and product_terms; titles and descriptions built
// at random from a vocabulary of Yunnan products and places, an English label on a third of
// them; index rows from ProductTerms, the function IndexProduct uses, checked against
// IndexProduct on a sample), then times Catalog::SearchProducts (no gRPC; first page of 50) over
// a mix of queries: common and rare terms, one to three words, single characters, terms that
// rarely occur together, partial matches (野生菌 matching 野生…菌) and English words. Twice: as
// a platform admin (the whole catalog) and as the admin of a cooperative holding 1% of the
// products (the scope filter joined into every posting scan).
// A benchmark, not a test, not in CI: run it by hand.
//
//   eval "$(tools/db.sh env build/mariadb-dev)"
//   build/tools/search_bench [products=1000000] [queries=400] [reuse]
//
// At 1,000,000 products product_terms is ~5.8 GB: latency depends on how much of it the buffer
// pool holds (tools/db.sh's server has 256 MB; for warm figures raise it on the running server,
// e.g. SET GLOBAL innodb_buffer_pool_size = 4294967296, and run twice with "reuse").
//
// "reuse" skips the load and queries the existing database (the load drops it first). Drop it
// afterwards: DROP DATABASE bench_search_1m.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_server.h"
#include "services/catalog/products_store.h"
#include "services/catalog/search_rules.h"
#include "services/catalog/search_store.h"
#include "services/common/fields.h"
#include "tests/support/test_env.h"

namespace {

namespace v1 = ::cooplink::catalog::v1;
using cooplink::Database;
using cooplink::Tx;

// Membership is never asked for a platform admin's search.
class NoDirectory final : public cooplink::MembershipDirectory {
 public:
  absl::StatusOr<std::vector<std::string>> WorkerCooperatives(const cooplink::CallContext&,
                                                              const std::string&) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<bool> HouseholdIsActiveMember(const cooplink::CallContext&, const std::string&,
                                               const std::string&) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<cooplink::CooperativeInfo> GetCooperative(const cooplink::CallContext&,
                                                           const std::string&) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<cooplink::PartnerInfo> GetPartner(const cooplink::CallContext&,
                                                   const std::string&) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<cooplink::WorkerCaseloadInfo> WorkerCaseload(const cooplink::CallContext&,
                                                              const std::string&) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<cooplink::HouseholdInfo> GetHousehold(const cooplink::CallContext&,
                                                       const std::string&) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<cooplink::HouseholdPage> ListHouseholds(const cooplink::CallContext&,
                                                         const std::string&, const std::string&,
                                                         const std::string&, int32_t) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<std::vector<cooplink::MemberInfo>> ListMembers(const cooplink::CallContext&,
                                                                const std::string&) override {
    return absl::UnimplementedError("bench");
  }
  absl::StatusOr<std::vector<cooplink::CapitalContributionInfo>> ListCapitalContributions(
      const cooplink::CallContext&, const std::string&) override {
    return absl::UnimplementedError("bench");
  }
};

// Places: the first few are common, the tail rare (Zipf-like pick).
const std::vector<std::string> kPlaces = {
    "普洱", "勐海", "澜沧", "临沧", "景迈", "大理", "西双版纳", "保山", "楚雄",   "文山",
    "红河", "易武", "双江", "凤庆", "漾濞", "元阳", "哀牢山",   "怒江", "迪庆",   "香格里拉",
    "丽江", "永德", "镇沅", "景谷", "墨江", "宁洱", "江城",     "孟连", "西盟",   "沧源",
    "耿马", "班章", "冰岛", "昔归", "邦崴", "曼松", "白莺山",   "那卡", "南糯山", "布朗山"};
const std::vector<std::string> kQualifiers = {"古树",   "野生", "有机", "高山", "生态", "手工",
                                              "农家",   "传统", "特级", "一级", "头春", "秋茶",
                                              "原生态", "精选", "老树", "林下"};
const std::vector<std::string> kGoods = {
    "普洱生茶", "普洱熟茶", "生茶",   "熟茶", "滇红茶",   "绿茶",     "月光白茶", "核桃",
    "蜂蜜",     "野生菌",   "松茸",   "鸡枞", "牛肝菌",   "干巴菌",   "刺绣挎包", "小粒咖啡",
    "三七",     "天麻",     "石斛",   "芒果", "菠萝",     "荔枝",     "澳洲坚果", "红糖",
    "宣威火腿", "腊肉",     "乳扇",   "饵丝", "过桥米线", "玫瑰花饼", "鲜花饼",   "银耳",
    "黑木耳",   "竹编篮",   "扎染布", "银器", "建水紫陶", "苦荞",     "小米辣",   "酸角糕"};
const std::vector<std::string> kForms = {"",     "饼",   "砖",     "沱",   "散装", "礼盒",
                                         "袋装", "罐装", "五百克", "干货", "鲜品", "家庭装"};
const std::vector<std::string> kPhrases = {"当季新货",         "农户直供",     "合作社统一收购",
                                           "产地直发",         "坚持传统工艺", "不添加防腐剂",
                                           "海拔一千八百米",   "手工采摘",     "自然晾晒",
                                           "帮助山区农户增收", "石磨压制",     "冷链配送"};

const std::vector<std::string> kLabels = {
    "Wild mushrooms", "Dried porcini mushrooms", "Pu'er tea cake", "Raw Pu'er tea", "Walnuts",
    "Wild honey",     "Dried berries",           "Gift boxes",     "Coffee beans",  "Black tea",
    "Rose cakes",     "Bamboo baskets",          "Red rice",       "Mango slices",  "Tea bricks"};

struct Row {
  v1::Product product;  // id, title, description, labels
  int state;
  int category;
  bool small_coop;  // in the cooperative with 1% of the products
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

int Run(int64_t products, int queries, bool reuse) {
  cooplink::DbConfig config = cooplink::testing::TestDbConfig("bench_search_scratch");
  cooplink::testing::DropDatabase(config);
  config.database = "bench_search_1m";
  if (!reuse) cooplink::testing::DropDatabase(config);
  if (auto s = cooplink::catalog::MigrateCatalog(config); !s.ok()) {
    std::fprintf(stderr, "migrate: %s\n", s.ToString().c_str());
    return 1;
  }
  auto db = Database::Open(config);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }

  std::mt19937_64 rng(20260301);
  auto pick = [&](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  // Zipf-like: index ~ size * u^3 favours the head.
  auto pick_skewed = [&](const std::vector<std::string>& v) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return v[std::min(v.size() - 1,
                      static_cast<size_t>(static_cast<double>(v.size()) * u * u * u))];
  };

  int64_t token_rows = 0;
  if (!reuse) {
    const absl::Time load_start = absl::Now();
    const std::string coop = "0000000000000000000000COOP";
    const std::string small_coop = "000000000000000000000COOP2";
    const std::string household = "00000000000000000000000HH1";
    constexpr int kBatch = 2000;  // products per transaction
    for (int64_t base = 0; base < products; base += kBatch) {
      std::vector<Row> rows;
      for (int64_t i = base; i < std::min(products, base + kBatch); ++i) {
        Row r;
        r.product.set_id(absl::StrFormat("01BENCH%019d", i));
        const std::string place = pick_skewed(kPlaces);
        const std::string goods = pick_skewed(kGoods);
        r.product.set_title(
            absl::StrCat(place, rng() % 2 ? pick(kQualifiers) : "", goods, pick(kForms)));
        r.product.set_description(absl::StrCat("产自", pick_skewed(kPlaces), pick(kQualifiers),
                                               goods, "，", pick(kPhrases), "，", pick(kPhrases),
                                               "。"));
        if (rng() % 3 == 0) {
          auto* label = r.product.add_labels();
          label->set_language_code("en");
          label->set_title(pick_skewed(kLabels));
          label->set_description(absl::StrCat("From ", rng() % 2 ? "Yunnan" : "Pu'er", " hills"));
        }
        r.small_coop = rng() % 100 == 0;
        const uint64_t s = rng() % 100;
        r.state = s < 85 ? 3 : s < 92 ? 5 : 1;  // 85% ACTIVE, 7% PAUSED, 8% DRAFT
        r.category = goods.find("茶") != std::string::npos ? 8 : 11;
        rows.push_back(std::move(r));
      }
      absl::Status st = (*db)->Transact([&](Tx& tx) -> absl::Status {
        std::string sql =
            "INSERT INTO products (id, cooperative_id, household_id, title, description, extras, "
            "category, unit_kind, sold_by_weight, unit_weight_grams, price_fen, "
            "min_order_quantity, origin_region_code, compliance_certificate_number, state, "
            "rejection_reason, version, create_time_us, update_time_us) VALUES ";
        const int64_t now = cooplink::ToMicros(absl::Now());
        for (size_t k = 0; k < rows.size(); ++k) {
          const Row& r = rows[k];
          // Bench text has no quotes but "Pu'er": escape it.
          auto quoted = [](const std::string& v) { return absl::StrReplaceAll(v, {{"'", "''"}}); };
          absl::StrAppend(&sql, k ? "," : "", "('", r.product.id(), "','",
                          r.small_coop ? small_coop : coop, "','", household, "','",
                          quoted(r.product.title()), "','", quoted(r.product.description()), "','",
                          cooplink::catalog::EncodeExtras(r.product), "',", r.category, ",9,0,0,",
                          1000 + (k % 500) * 100, ",1,'530828','',", r.state, ",'',1,", now, ",",
                          now, ")");
        }
        tx.ExecuteScript(sql + ";");
        struct TermRow {
          std::string term;
          int field;
          const std::string* id;
        };
        std::vector<TermRow> terms;
        for (const Row& r : rows) {
          for (const auto& t : cooplink::catalog::ProductTerms(r.product)) {
            terms.push_back({t.term, static_cast<int>(t.field), &r.product.id()});
          }
        }
        token_rows += static_cast<int64_t>(terms.size());
        for (size_t start = 0; start < terms.size(); start += 5000) {
          std::string ins = "INSERT INTO product_terms (term, field, product_id) VALUES ";
          for (size_t k = start; k < std::min(terms.size(), start + 5000); ++k) {
            // Terms are CJK characters and [a-z0-9] words: nothing to escape.
            absl::StrAppend(&ins, k == start ? "" : ",", "('", terms[k].term, "',", terms[k].field,
                            ",'", *terms[k].id, "')");
          }
          tx.ExecuteScript(ins + ";");
        }
        return absl::OkStatus();
      });
      if (!st.ok()) {
        std::fprintf(stderr, "load: %s\n", st.ToString().c_str());
        return 1;
      }
      if ((base / kBatch) % 50 == 0) {
        std::printf("  loaded %lld products, %lld token rows, %.0f s\n",
                    static_cast<long long>(base + kBatch), static_cast<long long>(token_rows),
                    absl::ToDoubleSeconds(absl::Now() - load_start));
        std::fflush(stdout);
      }
    }
    // Every product is indexed: the server's start-up backfill has nothing to do.
    (void)(*db)->ExecuteScript("UPDATE search_backfill SET done = TRUE;");
    (void)(*db)->ExecuteScript("ANALYZE TABLE products, product_terms;");
    std::printf("load: %lld products, %lld token rows (%.1f per product) in %.1f s\n",
                static_cast<long long>(products), static_cast<long long>(token_rows),
                static_cast<double>(token_rows) / static_cast<double>(products),
                absl::ToDoubleSeconds(absl::Now() - load_start));

    // The bench's rows must be IndexProduct's: re-index one product and compare.
    std::set<std::pair<std::string, int>> before, after;
    const std::string probe = absl::StrFormat("01BENCH%019d", products / 2);
    absl::Status st = (*db)->Transact([&](Tx& tx) -> absl::Status {
      auto read = [&](std::set<std::pair<std::string, int>>* out) {
        auto rs = tx.Query("SELECT term, field FROM product_terms WHERE product_id = ?", probe);
        while (rs->next()) out->emplace(rs->getString("term"), rs->getInt("field"));
      };
      read(&before);
      v1::Product product;
      if (auto s = cooplink::catalog::LoadProduct(tx, probe, false, &product); !s.ok()) return s;
      cooplink::catalog::IndexProduct(tx, product);
      read(&after);
      return absl::OkStatus();
    });
    if (!st.ok() || before != after) {
      std::fprintf(stderr, "index check FAILED for %s (%zu vs %zu rows)\n", probe.c_str(),
                   before.size(), after.size());
      return 1;
    }
    std::printf("index check: the bench's %zu rows of %s equal IndexProduct's\n", before.size(),
                probe.c_str());
  }

  // Queries by kind; each kind gets an equal share.
  const std::map<std::string, std::vector<std::string>> kinds = {
      {"common 1 term", {"普洱", "生茶", "古树", "核桃", "蜂蜜", "咖啡", "勐海", "野生"}},
      {"rare 1 term", {"曼松", "白莺山", "布朗山", "酸角糕", "苦荞", "那卡", "邦崴"}},
      {"single char", {"茶", "蜜", "菌", "桃"}},
      {"2 terms", {"古树 普洱", "勐海 熟茶", "野生 蜂蜜", "景迈 生茶", "松茸 礼盒", "大理 核桃"}},
      {"3 terms", {"景迈 古树 生茶", "勐海 普洱 熟茶", "漾濞 野生 核桃", "易武 头春 饼"}},
      {"rare AND", {"刺绣 蜂蜜", "银器 咖啡", "曼松 米线", "紫陶 松茸"}},
      {"partial", {"野生菌", "普洱茶饼", "古树红茶", "松茸菌干", "野生鸡枞"}},
      {"english", {"mushroom", "walnut", "tea cake", "berry", "gift box", "wild honey"}},
  };
  cooplink::SystemClock clock;
  NoDirectory directory;
  cooplink::catalog::Catalog catalog(db->get(), &directory, &clock);
  cooplink::Principal platform_admin;
  platform_admin.id = "bench-admin";
  platform_admin.role = cooplink::Role::kPlatformAdmin;
  cooplink::Principal coop_admin;
  coop_admin.id = "bench-coop-admin";
  coop_admin.role = cooplink::Role::kCooperativeAdmin;
  coop_admin.cooperative_id = "000000000000000000000COOP2";

  const int per_kind = std::max(1, queries / static_cast<int>(kinds.size()));
  for (const auto& [who, principal] : {std::pair<std::string, const cooplink::Principal*>{
                                           "platform admin (all products)", &platform_admin},
                                       {"cooperative admin (1% of the products)", &coop_admin}}) {
    std::vector<double> all;
    std::printf("\n%s, first page of 50\n%-14s %6s %8s %8s %8s %8s\n", who.c_str(), "kind", "n",
                "p50 ms", "p99 ms", "max ms", "hits/pg");
    for (const auto& [kind, list] : kinds) {
      std::vector<double> ms;
      int64_t hits = 0;
      for (int i = 0; i < per_kind; ++i) {
        v1::SearchProductsRequest req;
        req.set_query(list[static_cast<size_t>(i) % list.size()]);
        v1::SearchProductsResponse resp;
        const auto t0 = std::chrono::steady_clock::now();
        absl::Status s =
            catalog.SearchProducts(cooplink::CallContext::Internal(*principal), req, &resp);
        const double elapsed =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        if (!s.ok()) {
          std::fprintf(stderr, "%s: %s\n", req.query().c_str(), s.ToString().c_str());
          return 1;
        }
        if (i < static_cast<int>(list.size()) && principal == &platform_admin &&
            kind == "partial") {
          std::printf("  %s ->", req.query().c_str());
          for (int k = 0; k < std::min(3, resp.products_size()); ++k) {
            std::printf(" %s", resp.products(k).title().c_str());
          }
          std::printf("\n");
        }
        hits += resp.products_size();
        ms.push_back(elapsed);
        all.push_back(elapsed);
      }
      std::printf("%-14s %6zu %8.2f %8.2f %8.2f %8.1f\n", kind.c_str(), ms.size(),
                  Percentile(ms, 0.5), Percentile(ms, 0.99),
                  *std::max_element(ms.begin(), ms.end()),
                  static_cast<double>(hits) / static_cast<double>(ms.size()));
    }
    std::printf("%-14s %6zu %8.2f %8.2f %8.2f\n", "ALL", all.size(), Percentile(all, 0.5),
                Percentile(all, 0.99), *std::max_element(all.begin(), all.end()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t products = 1000000;
  int queries = 400;
  bool reuse = false;
  if (argc > 1 && !absl::SimpleAtoi(argv[1], &products)) products = 1000000;
  if (argc > 2 && !absl::SimpleAtoi(argv[2], &queries)) queries = 400;
  if (argc > 3 && std::string(argv[3]) == "reuse") reuse = true;
  return Run(products, queries, reuse);
}
