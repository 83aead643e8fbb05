// Measures UpsertPartnerOrder of new PAID orders through the whole path: a client keeps `inflight`
// calls in flight over real gRPC to an in-process orders server, which looks the products up in
// catalog, records the order (one transaction), reserves and commits its stock in catalog (two more
// calls, each followed by a transaction recording the step) and stores the final reply; membership
// and catalog run in-process too, all three on the MariaDB of tools/db.sh, all on this machine.
// A benchmark, not a test: run it by hand on an idle machine.
//
//   eval "$(tools/db.sh env)"; build/tools/orders_bench [seconds=20] [inflight=64] [products=16]
//   [warmup_seconds=3]
//
// Every order is one line of one unit of a random product (products spread catalog's stock row
// locks). Only calls that start and finish inside the measured window count; every status code is
// counted. Afterwards: the orders by stock status, and catalog's stock rule (committed units =
// units gone from stock, nothing left reserved).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "cooplink/orders/v1/orders.grpc.pb.h"
#include "services/membership/identity.h"
#include "services/orders/orders_server.h"
#include "tests/support/test_env.h"
#include "tools/bench/bench_servers.h"

namespace {

namespace mv1 = ::cooplink::membership::v1;
namespace cv1 = ::cooplink::catalog::v1;
namespace ov1 = ::cooplink::orders::v1;
using cooplink::CallContext;
using cooplink::Principal;
using cooplink::Role;

using cooplink::bench::Check;
using cooplink::bench::Percentile;
using cooplink::bench::Rid;

constexpr int64_t kStockPerProduct = 1'000'000'000;
constexpr int64_t kPriceFen = 28800;

ov1::UpsertPartnerOrderRequest PaidOrder(const std::string& external_id,
                                         const std::string& product_id) {
  ov1::UpsertPartnerOrderRequest req;
  req.set_request_id(absl::StrCat("u-", external_id));
  req.set_reported_state(ov1::ORDER_STATE_PAID);
  ov1::Order* o = req.mutable_order();
  o->set_shop_id("bench-shop");
  o->set_external_order_id(external_id);
  o->set_partner_status("WAIT_SELLER_SEND_GOODS");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  o->mutable_platform_create_time()->set_seconds(now - 60);
  o->mutable_platform_update_time()->set_seconds(now);
  o->mutable_pay_time()->set_seconds(now - 30);
  ov1::OrderLine* l = o->add_lines();
  l->set_external_line_id("1");
  l->set_product_id(product_id);
  l->set_quantity(1);
  l->mutable_unit_price()->set_fen(kPriceFen);
  l->mutable_line_total()->set_fen(kPriceFen);
  o->mutable_buyer()->set_name("张三丰");
  o->mutable_buyer()->set_phone("13812345678");
  o->mutable_buyer()->set_region_code("530828");
  o->mutable_buyer()->set_address("勐朗镇勐滨村 8 组 12 号");
  return req;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 20, inflight = 64, products = 16, warmup = 3;
  if (argc > 1) (void)absl::SimpleAtoi(argv[1], &seconds);
  if (argc > 2) (void)absl::SimpleAtoi(argv[2], &inflight);
  if (argc > 3) (void)absl::SimpleAtoi(argv[3], &products);
  if (argc > 4) (void)absl::SimpleAtoi(argv[4], &warmup);
  cooplink::SystemClock clock;

  // --- Servers: membership and catalog, then orders ---------------------------------------------
  auto servers = cooplink::bench::StartBenchServers("orders", &clock);
  if (!Check(servers.status(), "servers")) return 1;
  auto& m = servers->membership->membership();
  const Principal& admin = servers->admin;
  auto& catalog = servers->catalog->catalog();

  // --- World: a cooperative, a producer household, a partner, N offered products -----------------
  mv1::CreateCooperativeRequest coop_req;
  coop_req.set_request_id(Rid("coop"));
  coop_req.mutable_cooperative()->set_name("澜沧县压测茶叶专业合作社");
  coop_req.mutable_cooperative()->set_uscc(cooplink::membership::CompleteUscc("93530828000000002"));
  coop_req.mutable_cooperative()->set_region_code("530828");
  mv1::Cooperative coop;
  if (!Check(m.CreateCooperative(CallContext::Internal(admin), coop_req, &coop), "cooperative")) {
    return 1;
  }
  mv1::CreateHouseholdRequest household_req;
  household_req.set_request_id(Rid("household"));
  household_req.mutable_household()->set_village_code("530828100201");
  household_req.mutable_household()->set_head_name("扎约");
  household_req.mutable_household()->set_resident_size(4);
  household_req.mutable_household()->set_ethnicity("拉祜族");
  mv1::Household household;
  if (!Check(m.CreateHousehold(CallContext::Internal(admin), household_req, &household),
             "household")) {
    return 1;
  }
  mv1::CreateMemberRequest member_req;
  member_req.set_request_id(Rid("member"));
  member_req.mutable_member()->set_cooperative_id(coop.id());
  member_req.mutable_member()->set_household_id(household.id());
  member_req.mutable_member()->set_name("扎约");
  member_req.mutable_member()->set_resident_id(cooplink::testing::ResidentId(2));
  member_req.mutable_member()->set_is_farmer(true);
  member_req.mutable_member()->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
  mv1::Member member;
  if (!Check(m.CreateMember(CallContext::Internal(admin), member_req, &member), "member")) return 1;
  mv1::CreatePartnerRequest partner_req;
  partner_req.set_request_id(Rid("partner"));
  partner_req.mutable_partner()->set_name("压测电商平台");
  partner_req.mutable_partner()->set_channel_kind(cooplink::common::v1::CHANNEL_KIND_ECOMMERCE);
  partner_req.mutable_partner()->set_commission_rate_bps(500);
  mv1::Partner partner;
  if (!Check(m.CreatePartner(CallContext::Internal(admin), partner_req, &partner), "partner")) {
    return 1;
  }
  mv1::CreatePrincipalRequest principal_req;
  principal_req.set_request_id(Rid("principal"));
  principal_req.mutable_principal()->set_display_name("压测平台账号");
  principal_req.mutable_principal()->set_role(cooplink::common::v1::ROLE_PARTNER);
  principal_req.mutable_principal()->set_partner_id(partner.id());
  mv1::Principal partner_principal;
  if (!Check(m.CreatePrincipal(CallContext::Internal(admin), principal_req, &partner_principal),
             "principal")) {
    return 1;
  }
  mv1::IssueTokenRequest issue;
  issue.set_request_id(Rid("token"));
  issue.set_principal_id(partner_principal.id());
  issue.mutable_ttl()->set_seconds(2 * 3600);
  mv1::IssueTokenResponse partner_token;
  if (!Check(m.IssueToken(CallContext::Internal(admin), issue, &partner_token), "token")) return 1;

  // Catalog setup goes straight to the domain object with the principals the tokens would carry.
  Principal coop_admin;
  coop_admin.id = "bench-coop-admin";
  coop_admin.role = Role::kCooperativeAdmin;
  coop_admin.cooperative_id = coop.id();
  Principal producer;
  producer.id = "bench-member";
  producer.role = Role::kMember;
  producer.cooperative_id = coop.id();
  producer.household_id = household.id();
  producer.member_id = member.id();
  Principal partner_p;
  partner_p.id = partner_principal.id();
  partner_p.role = Role::kPartner;
  partner_p.partner_id = partner.id();
  std::vector<std::string> product_ids;
  for (int i = 0; i < products; ++i) {
    cv1::CreateProductRequest create;
    create.set_request_id(Rid("product"));
    cv1::Product* p = create.mutable_product();
    p->set_cooperative_id(coop.id());
    p->set_household_id(household.id());
    p->set_title(absl::StrCat("景迈山古树普洱茶饼 ", i));
    p->set_description("压测用商品");
    p->set_category(cv1::PRODUCT_CATEGORY_PROCESSED_TEA);
    p->mutable_unit()->set_kind(cv1::UNIT_KIND_CAKE);
    p->mutable_price()->set_fen(kPriceFen);
    p->set_min_order_quantity(1);
    p->set_origin_region_code("530828");
    cv1::Product product;
    if (!Check(catalog.CreateProduct(CallContext::Internal(coop_admin), create, &product),
               "product")) {
      return 1;
    }
    cv1::SubmitProductRequest submit;
    submit.set_request_id(Rid("submit"));
    submit.set_product_id(product.id());
    if (!Check(catalog.SubmitProduct(CallContext::Internal(producer), submit, &product),
               "submit")) {
      return 1;
    }
    cv1::ApproveProductRequest approve;
    approve.set_request_id(Rid("approve"));
    approve.set_product_id(product.id());
    if (!Check(catalog.ApproveProduct(CallContext::Internal(admin), approve, &product),
               "approve")) {
      return 1;
    }
    cv1::AdjustStockRequest adjust;
    adjust.set_request_id(Rid("adjust"));
    adjust.set_product_id(product.id());
    adjust.set_delta(kStockPerProduct);
    adjust.set_reason(cv1::STOCK_ADJUSTMENT_REASON_RESTOCK);
    cv1::Stock stock;
    if (!Check(catalog.AdjustStock(CallContext::Internal(coop_admin), adjust, &stock), "stock")) {
      return 1;
    }
    cv1::CreateOfferRequest offer_req;
    offer_req.set_request_id(Rid("offer"));
    offer_req.mutable_offer()->set_product_id(product.id());
    offer_req.mutable_offer()->set_partner_id(partner.id());
    cv1::Offer offer;
    if (!Check(catalog.CreateOffer(CallContext::Internal(coop_admin), offer_req, &offer),
               "offer")) {
      return 1;
    }
    product_ids.push_back(product.id());
  }
  // The offers reach the partner's listings through catalog's feed: wait until all are listed.
  for (int round = 0;; ++round) {
    cv1::BatchGetPartnerListingsRequest req;
    for (const auto& id : product_ids) req.add_product_ids(id);
    cv1::BatchGetPartnerListingsResponse resp;
    if (!Check(catalog.BatchGetPartnerListings(CallContext::Internal(partner_p), req, &resp),
               "listings")) {
      return 1;
    }
    int listed = 0;
    for (const auto& l : resp.listings()) listed += l.version() > 0 && !l.removed();
    if (listed == products) break;
    if (round == 1000) {
      std::fprintf(stderr, "the offers never reached the listings\n");
      return 1;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }

  cooplink::orders::OrdersConfig oc;
  oc.db = cooplink::testing::TestDbConfig("bench_orders_orders");
  oc.server.listen = "127.0.0.1:0";
  oc.token_key = servers->token_key;
  oc.pii_key = cooplink::testing::RandomKeyBase64();
  oc.membership_target = absl::StrCat("127.0.0.1:", servers->membership->port());
  oc.catalog_target = absl::StrCat("127.0.0.1:", servers->catalog->port());
  oc.service_token = servers->admin_token;
  oc.access_log = false;
  auto orders_server = cooplink::orders::OrdersServer::Start(oc, &clock);
  if (!Check(orders_server.status(), "orders server")) return 1;
  const int orders_port = (*orders_server)->port();

  // --- Load: `inflight` threads, each with one call in flight ------------------------------------
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("cooplink.bench.channel", i);  // distinct subchannels
    channels.push_back(grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", orders_port),
                                                 grpc::InsecureChannelCredentials(), args));
  }
  const std::string bearer = absl::StrCat("Bearer ", partner_token.token());
  const absl::Time measure_from = absl::Now() + absl::Seconds(warmup);
  const absl::Time measure_until = measure_from + absl::Seconds(seconds);
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latency_ms(inflight);
  std::vector<std::map<std::string, int64_t>> codes(inflight);  // in the window
  std::vector<std::map<std::string, int64_t>> stock(inflight);  // OK replies' stock status
  std::atomic<int64_t> warmup_calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < inflight; ++t) {
    threads.emplace_back([&, t] {
      auto stub = ov1::OrdersService::NewStub(channels[t % channels.size()]);
      std::mt19937 rng(t);
      std::uniform_int_distribution<size_t> pick(0, product_ids.size() - 1);
      for (int n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const auto req = PaidOrder(absl::StrFormat("b%d-%d", t, n), product_ids[pick(rng)]);
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", bearer);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        ov1::UpsertPartnerOrderResponse resp;
        const absl::Time start = absl::Now();
        const grpc::Status s = stub->UpsertPartnerOrder(&ctx, req, &resp);
        const absl::Time done = absl::Now();
        if (start < measure_from || done > measure_until) {
          ++warmup_calls;
          continue;
        }
        latency_ms[t].push_back(absl::ToDoubleMilliseconds(done - start));
        ++codes[t][s.ok() ? "OK"
                          : absl::StrCat("code ", static_cast<int>(s.error_code()), " ",
                                         s.error_message().substr(0, 60))];
        if (s.ok()) ++stock[t][ov1::OrderStockStatus_Name(resp.order().stock_status())];
      }
    });
  }
  absl::SleepFor(measure_until - absl::Now());
  stop = true;
  for (auto& th : threads) th.join();

  std::vector<double> all;
  std::map<std::string, int64_t> code_counts, stock_counts;
  for (int t = 0; t < inflight; ++t) {
    all.insert(all.end(), latency_ms[t].begin(), latency_ms[t].end());
    for (const auto& [k, v] : codes[t]) code_counts[k] += v;
    for (const auto& [k, v] : stock[t]) stock_counts[k] += v;
  }
  const double max_ms = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  std::printf(
      "UpsertPartnerOrder (new PAID order, 1 line) over gRPC: orders -> catalog (lookup, reserve, "
      "commit), MariaDB; %d in flight, %d products, %d s measured after %d s warm-up "
      "(%lld calls outside the window)\n",
      inflight, products, seconds, warmup, static_cast<long long>(warmup_calls.load()));
  std::printf("  calls: %zu  (%.1f orders/s)\n", all.size(),
              static_cast<double>(all.size()) / seconds);
  std::printf("  latency  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n",
              Percentile(all, 0.50), Percentile(all, 0.90), Percentile(all, 0.99), max_ms);
  for (const auto& [k, v] : code_counts) {
    std::printf("  status %-40s %lld\n", k.c_str(), static_cast<long long>(v));
  }
  for (const auto& [k, v] : stock_counts) {
    std::printf("  reply stock %-35s %lld\n", k.c_str(), static_cast<long long>(v));
  }

  // After the run: every order by stock status, and catalog's stock rule.
  int64_t committed_orders = 0, other_orders = 0;
  (void)(*orders_server)->database().Read([&](cooplink::Tx& tx) {
    auto rs = tx.Query(
        "SELECT SUM(stock_status = ?) AS committed, SUM(stock_status <> ?) AS other FROM orders",
        static_cast<int64_t>(ov1::ORDER_STOCK_STATUS_COMMITTED),
        static_cast<int64_t>(ov1::ORDER_STOCK_STATUS_COMMITTED));
    if (rs->next()) {
      committed_orders = rs->getInt64("committed");
      other_orders = rs->getInt64("other");
    }
    return absl::OkStatus();
  });
  int64_t gone = -1, reserved = -1;
  (void)servers->catalog->database().Read([&](cooplink::Tx& tx) {
    auto rs = tx.Query("SELECT SUM(? - on_hand) AS gone, SUM(reserved) AS reserved FROM stock",
                       kStockPerProduct);
    if (rs->next()) {
      gone = rs->getInt64("gone");
      reserved = rs->getInt64("reserved");
    }
    return absl::OkStatus();
  });
  std::printf(
      "  orders COMMITTED: %lld, other: %lld; catalog units gone: %lld, still reserved: %lld\n",
      static_cast<long long>(committed_orders), static_cast<long long>(other_orders),
      static_cast<long long>(gone), static_cast<long long>(reserved));

  (*orders_server)->Shutdown();
  servers->catalog->Shutdown();
  servers->membership->Shutdown();
  return 0;
}
