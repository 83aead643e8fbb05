// Loads the demo data of the README's run command through the public API, as a platform admin:
// a Lahu tea cooperative in Lancang county (Pu'er, Yunnan), its households and members, a social
// worker assigned to it, a partner platform, and a principal with a token for every role.
// Prints shell assignments (NAME=value) of the created ids and tokens on stdout.
//
// With --catalog it also lists real Yunnan products (普洱茶, 核桃, 蜂蜜, 野生菌, 刺绣): created by
// the cooperative admin, submitted by the member, approved by the social worker, stocked through
// lots and offered to the 832 platform.
//
// With --orders as well, the 832 platform sells them: one order (two tea cakes and a bag of
// walnuts, sold by weight) is pushed through UpsertPartnerOrder as paid, packed with its weight and
// shipped by the cooperative, delivered and completed into a settlement; a second paid order waits
// for the cooperative to pack it.
//
// With --income, income gets its demo data (income_seed.h): monitoring lines, support sources, a
// year of entries and a baseline for the producer household (whose settlement arrives through the
// importer) and a household below the line with an open alert.
//
//   cooplink_demo_seed --target 127.0.0.1:50051 --token <platform admin token>
//                      [--catalog 127.0.0.1:50052 [--orders 127.0.0.1:50053]]
//                      [--income 127.0.0.1:50054]
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "cooplink/orders/v1/orders.grpc.pb.h"
#include "services/membership/identity.h"
#include "tools/demo/income_seed.h"

namespace {

namespace mv1 = ::cooplink::membership::v1;
namespace cv1 = ::cooplink::common::v1;
namespace kv1 = ::cooplink::catalog::v1;
namespace ov1 = ::cooplink::orders::v1;

int catalog_calls = 0;  // numbers the request_ids of catalog and orders calls

// One catalog (or orders) call with a bearer token; exits on failure (demo data must load
// completely).
template <typename Resp, typename Req, typename Stub, typename Method>
Resp CatalogCall(Stub& stub, Method method, const std::string& token, Req req, const char* what) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if constexpr (requires { req.set_request_id(""); }) {
    req.set_request_id(absl::StrCat("demo-catalog-", ++catalog_calls));
  }
  Resp resp;
  grpc::Status s = (stub.*method)(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "demo seed: %s failed: %s\n", what, s.error_message().c_str());
    std::exit(1);
  }
  return resp;
}

class Seeder {
 public:
  Seeder(const std::string& target, std::string token)
      : stub_(mv1::MembershipService::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))),
        token_(std::move(token)) {}

  template <typename Req, typename Resp, typename Method>
  Resp Call(const char* what, Method method, Req req) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if constexpr (requires { req.set_request_id(""); }) {
      req.set_request_id(absl::StrCat("demo-seed-", ++calls_));
    }
    Resp resp;
    grpc::Status s = ((*stub_).*method)(&ctx, req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "demo seed: %s failed: %s\n", what, s.error_message().c_str());
      std::exit(1);
    }
    return resp;
  }

  std::string TokenFor(mv1::Principal principal) {
    mv1::CreatePrincipalRequest create;
    *create.mutable_principal() = std::move(principal);
    auto created = Call<mv1::CreatePrincipalRequest, mv1::Principal>(
        "CreatePrincipal", &mv1::MembershipService::Stub::CreatePrincipal, create);
    mv1::IssueTokenRequest issue;
    issue.set_principal_id(created.id());
    issue.mutable_ttl()->set_seconds(7 * 24 * 3600);
    return Call<mv1::IssueTokenRequest, mv1::IssueTokenResponse>(
               "IssueToken", &mv1::MembershipService::Stub::IssueToken, issue)
        .token();
  }

  std::unique_ptr<mv1::MembershipService::Stub> stub_;
  std::string token_;
  int calls_ = 0;
};

void Print(const char* name, const std::string& value) {
  std::printf("%s=%s\n", name, value.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string target = "127.0.0.1:50051";
  std::string catalog_target;
  std::string orders_target;
  std::string income_target;
  std::string token;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--target") target = argv[i + 1];
    if (std::string(argv[i]) == "--token") token = argv[i + 1];
    if (std::string(argv[i]) == "--catalog") catalog_target = argv[i + 1];
    if (std::string(argv[i]) == "--orders") orders_target = argv[i + 1];
    if (std::string(argv[i]) == "--income") income_target = argv[i + 1];
  }
  if (token.empty()) {
    std::fprintf(stderr, "usage: cooplink_demo_seed --target HOST:PORT --token ADMIN_TOKEN\n");
    return 2;
  }
  Seeder s(target, token);
  using Stub = mv1::MembershipService::Stub;

  mv1::CreateCooperativeRequest coop_req;
  auto* c = coop_req.mutable_cooperative();
  c->set_name("澜沧县惠民镇景迈古茶专业合作社");
  c->set_uscc(cooplink::membership::CompleteUscc("93530828MA6DEM001"));
  c->set_region_code("530828");
  c->set_fiscal_year_end_month(12);
  c->set_service_fee_bps(300);
  auto coop = s.Call<mv1::CreateCooperativeRequest, mv1::Cooperative>(
      "CreateCooperative", &Stub::CreateCooperative, coop_req);

  const std::string village = "530828105201";  // 景迈村 (demo code)
  struct Family {
    const char* head;
    const char* ethnicity;
    int size;
    mv1::MonitoringCategory category;
    const char* member;
    const char* id17;
    const char* phone;
  };
  const Family families[] = {
      {"扎拉", "拉祜族", 5, mv1::MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE, "扎拉",
       "53082819780312001", "13908791001"},
      {"岩温", "傣族", 4, mv1::MONITORING_CATEGORY_LIFTED_OUT, "岩温", "53082819820605003",
       "13908791002"},
      {"娜努", "拉祜族", 3, mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK, "娜努", "53082819900921002",
       "13908791003"},
      {"李明华", "汉族", 4, mv1::MONITORING_CATEGORY_ORDINARY, "李明华", "53082819750118005",
       "13908791004"},
      {"玉香", "布朗族", 6, mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP, "玉香", "53082819880430004",
       "13908791005"},
  };
  std::string first_member_id, first_household_id;
  std::vector<std::string> household_ids;
  for (const Family& f : families) {
    mv1::CreateHouseholdRequest h;
    h.mutable_household()->set_village_code(village);
    h.mutable_household()->set_head_name(f.head);
    h.mutable_household()->set_ethnicity(f.ethnicity);
    h.mutable_household()->set_resident_size(f.size);
    h.mutable_household()->set_monitoring_category(f.category);
    auto household = s.Call<mv1::CreateHouseholdRequest, mv1::Household>("CreateHousehold",
                                                                         &Stub::CreateHousehold, h);
    household_ids.push_back(household.id());
    mv1::CreateMemberRequest m;
    auto* member = m.mutable_member();
    member->set_cooperative_id(coop.id());
    member->set_household_id(household.id());
    member->set_name(f.member);
    member->set_resident_id(cooplink::membership::CompleteResidentId(f.id17));
    member->set_phone(f.phone);
    member->set_is_farmer(true);
    member->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
    auto created =
        s.Call<mv1::CreateMemberRequest, mv1::Member>("CreateMember", &Stub::CreateMember, m);
    mv1::RecordCapitalContributionRequest contribution;
    contribution.set_member_id(created.id());
    contribution.mutable_amount()->set_fen(200000);  // 2,000 yuan
    contribution.mutable_contribution_date()->set_year(2026);
    contribution.mutable_contribution_date()->set_month(1);
    contribution.mutable_contribution_date()->set_day(15);
    contribution.set_note("入社股金");
    s.Call<mv1::RecordCapitalContributionRequest, mv1::CapitalContribution>(
        "RecordCapitalContribution", &Stub::RecordCapitalContribution, contribution);
    if (first_member_id.empty()) {
      first_member_id = created.id();
      first_household_id = household.id();
    }
  }

  mv1::CreateSocialWorkerRequest w;
  w.mutable_social_worker()->set_name("李春梅");
  w.mutable_social_worker()->set_organization("澜沧县社会工作服务中心");
  w.mutable_social_worker()->set_phone("13808790123");
  w.mutable_social_worker()->set_county_code("530828");
  auto worker = s.Call<mv1::CreateSocialWorkerRequest, mv1::SocialWorker>(
      "CreateSocialWorker", &Stub::CreateSocialWorker, w);
  mv1::AssignSocialWorkerRequest a1;
  a1.set_social_worker_id(worker.id());
  a1.set_cooperative_id(coop.id());
  s.Call<mv1::AssignSocialWorkerRequest, mv1::Assignment>("AssignSocialWorker",
                                                          &Stub::AssignSocialWorker, a1);
  mv1::AssignSocialWorkerRequest a2;
  a2.set_social_worker_id(worker.id());
  a2.set_village_code(village);
  s.Call<mv1::AssignSocialWorkerRequest, mv1::Assignment>("AssignSocialWorker",
                                                          &Stub::AssignSocialWorker, a2);

  mv1::CreatePartnerRequest p;
  p.mutable_partner()->set_name("脱贫地区农副产品网络销售平台（832平台）");
  p.mutable_partner()->set_channel_kind(cv1::CHANNEL_KIND_PLATFORM_832);
  p.mutable_partner()->set_commission_rate_bps(200);
  p.mutable_partner()->set_contact("supplier-desk@832.example");
  auto partner =
      s.Call<mv1::CreatePartnerRequest, mv1::Partner>("CreatePartner", &Stub::CreatePartner, p);

  mv1::Principal coop_admin;
  coop_admin.set_display_name("合作社理事长 岩温");
  coop_admin.set_role(cv1::ROLE_COOPERATIVE_ADMIN);
  coop_admin.set_cooperative_id(coop.id());
  mv1::Principal worker_principal;
  worker_principal.set_display_name("社工 李春梅");
  worker_principal.set_role(cv1::ROLE_SOCIAL_WORKER);
  worker_principal.set_social_worker_id(worker.id());
  mv1::Principal member_principal;
  member_principal.set_display_name("社员 扎拉");
  member_principal.set_role(cv1::ROLE_MEMBER);
  member_principal.set_cooperative_id(coop.id());
  member_principal.set_household_id(first_household_id);
  member_principal.set_member_id(first_member_id);
  mv1::Principal partner_principal;
  partner_principal.set_display_name("832平台 接口账号");
  partner_principal.set_role(cv1::ROLE_PARTNER);
  partner_principal.set_partner_id(partner.id());

  const std::string coop_admin_token = s.TokenFor(coop_admin);
  const std::string worker_token = s.TokenFor(worker_principal);
  const std::string member_token = s.TokenFor(member_principal);
  const std::string partner_token = s.TokenFor(partner_principal);

  std::vector<kv1::Product> listed;
  if (!catalog_target.empty()) {
    auto catalog = kv1::CatalogService::NewStub(
        grpc::CreateChannel(catalog_target, grpc::InsecureChannelCredentials()));
    using CS = kv1::CatalogService::Stub;
    struct Listing {
      const char* title;
      const char* description;
      const char* english;
      kv1::ProductCategory category;
      kv1::UnitKind unit;
      bool by_weight;
      int grams;  // net weight of one unit: required when sold by weight, else for shipping
      int64_t price_fen;
      const char* lot;
      int64_t quantity;
    };
    const Listing listings[] = {
        {"景迈山古树普洱茶饼（生茶）", "景迈山千年万亩古茶园春茶，石磨压制，357克/饼。",
         "Jingmai ancient-tree Pu'er tea cake (raw)", kv1::PRODUCT_CATEGORY_PROCESSED_TEA,
         kv1::UNIT_KIND_CAKE, false, 357, 28800, "JM-2026-SPRING", 120},
        {"澜沧薄壳核桃", "高山薄壳核桃，手工去青皮晾晒，1公斤/袋。", "Lancang thin-shell walnuts",
         kv1::PRODUCT_CATEGORY_FOREST_PRODUCTS, kv1::UNIT_KIND_BAG, true, 1000, 4800,
         "HT-2025-AUTUMN", 300},
        {"拉祜山寨野生蜂蜜", "原始森林土蜂冬蜜，500克/瓶。", "Lahu mountain wild honey",
         kv1::PRODUCT_CATEGORY_PROCESSED_FOOD, kv1::UNIT_KIND_BOTTLE, false, 500, 9800,
         "FM-2026-01", 80},
        {"野生鸡枞菌干", "雨季采摘野生鸡枞，古法晾晒，250克/袋。", "Dried wild termite mushrooms",
         kv1::PRODUCT_CATEGORY_FOREST_PRODUCTS, kv1::UNIT_KIND_BAG, true, 250, 16800, "JZ-2025-08",
         60},
        {"拉祜族手工刺绣挎包", "拉祜族妇女手工刺绣，每件图案不同。",
         "Lahu hand-embroidered shoulder bag", kv1::PRODUCT_CATEGORY_HANDICRAFT,
         kv1::UNIT_KIND_PIECE, false, 0, 26800, "XB-2026-02", 25},
    };
    for (const Listing& l : listings) {
      kv1::CreateProductRequest create;
      auto* body = create.mutable_product();
      body->set_cooperative_id(coop.id());
      body->set_household_id(first_household_id);
      body->set_title(l.title);
      body->set_description(l.description);
      auto* label = body->add_labels();
      label->set_language_code("en");
      label->set_title(l.english);
      body->set_category(l.category);
      body->mutable_unit()->set_kind(l.unit);
      body->mutable_unit()->set_sold_by_weight(l.by_weight);
      body->mutable_unit()->set_unit_weight_grams(l.grams);
      body->mutable_price()->set_fen(l.price_fen);
      body->set_min_order_quantity(1);
      body->set_origin_region_code("530828");
      auto product = CatalogCall<kv1::Product>(*catalog, &CS::CreateProduct, coop_admin_token,
                                               create, "CreateProduct");
      kv1::SubmitProductRequest submit;
      submit.set_product_id(product.id());
      CatalogCall<kv1::Product>(*catalog, &CS::SubmitProduct, member_token, submit,
                                "SubmitProduct");
      kv1::ApproveProductRequest approve;
      approve.set_product_id(product.id());
      CatalogCall<kv1::Product>(*catalog, &CS::ApproveProduct, worker_token, approve,
                                "ApproveProduct");
      kv1::CreateLotRequest lot;
      lot.mutable_lot()->set_product_id(product.id());
      lot.mutable_lot()->set_lot_code(l.lot);
      lot.mutable_lot()->mutable_harvest_date()->set_year(2026);
      lot.mutable_lot()->mutable_harvest_date()->set_month(1);
      lot.mutable_lot()->mutable_harvest_date()->set_day(10);
      lot.mutable_lot()->set_quantity(l.quantity);
      CatalogCall<kv1::Lot>(*catalog, &CS::CreateLot, coop_admin_token, lot, "CreateLot");
      kv1::CreateOfferRequest offer;
      offer.mutable_offer()->set_product_id(product.id());
      offer.mutable_offer()->set_partner_id(partner.id());
      CatalogCall<kv1::Offer>(*catalog, &CS::CreateOffer, coop_admin_token, offer, "CreateOffer");
      if (l.category == kv1::PRODUCT_CATEGORY_PROCESSED_TEA) Print("DEMO_PRODUCT_ID", product.id());
      listed.push_back(product);
    }
    if (!orders_target.empty()) {
      // The offers reach the partner's listings once catalog's feed has sequenced them.
      kv1::BatchGetPartnerListingsRequest check;
      check.add_product_ids(listed[0].id());
      check.add_product_ids(listed[1].id());
      for (int i = 0;; ++i) {
        auto got = CatalogCall<kv1::BatchGetPartnerListingsResponse>(
            *catalog, &CS::BatchGetPartnerListings, partner_token, check,
            "BatchGetPartnerListings");
        if (got.listings(0).version() > 0 && got.listings(1).version() > 0) break;
        if (i == 200) {
          std::fprintf(stderr, "demo seed: the offers never reached the listings\n");
          return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  if (!orders_target.empty() && listed.size() >= 2) {
    auto orders = ov1::OrdersService::NewStub(
        grpc::CreateChannel(orders_target, grpc::InsecureChannelCredentials()));
    using OS = ov1::OrdersService::Stub;
    const kv1::Product& tea = listed[0];
    const kv1::Product& walnuts = listed[1];
    auto order_request = [&](const char* external_id, int64_t tea_cakes) {
      ov1::UpsertPartnerOrderRequest req;
      req.set_reported_state(ov1::ORDER_STATE_PAID);
      ov1::Order* o = req.mutable_order();
      o->set_shop_id("832-supplier-530828");
      o->set_external_order_id(external_id);
      o->set_partner_status("PAID");
      o->mutable_platform_create_time()->set_seconds(std::time(nullptr) - 600);
      o->mutable_platform_update_time()->set_seconds(std::time(nullptr) - 60);
      o->mutable_pay_time()->set_seconds(std::time(nullptr) - 60);
      ov1::OrderLine* l = o->add_lines();
      l->set_external_line_id("1");
      l->set_product_id(tea.id());
      l->set_quantity(tea_cakes);
      l->mutable_unit_price()->set_fen(tea.price().fen());
      l->mutable_line_total()->set_fen(tea.price().fen() * tea_cakes);
      ov1::OrderLine* nuts = o->add_lines();
      nuts->set_external_line_id("2");
      nuts->set_product_id(walnuts.id());
      nuts->set_quantity(1);
      nuts->mutable_unit_price()->set_fen(walnuts.price().fen());
      nuts->mutable_line_total()->set_fen(walnuts.price().fen() - 300);  // a 3-yuan coupon
      o->mutable_buyer()->set_name("王芳");
      o->mutable_buyer()->set_phone("13987654321");
      o->mutable_buyer()->set_region_code("530102");
      o->mutable_buyer()->set_address("昆明市五华区翠湖南路 2 号");
      return req;
    };
    auto sold = CatalogCall<ov1::UpsertPartnerOrderResponse>(
        *orders, &OS::UpsertPartnerOrder, partner_token, order_request("832-20260301-0001", 2),
        "UpsertPartnerOrder");
    const std::string order_id = sold.order().id();
    ov1::ListFulfilmentsRequest list;
    list.set_order_id(order_id);
    auto fulfilments = CatalogCall<ov1::ListFulfilmentsResponse>(
        *orders, &OS::ListFulfilments, coop_admin_token, list, "ListFulfilments");
    ov1::MarkFulfilmentPackedRequest pack;
    pack.set_fulfilment_id(fulfilments.fulfilments(0).id());
    ov1::PackedLine* weighed = pack.add_packed_lines();
    weighed->set_external_line_id("2");
    weighed->set_packed_weight_grams(1010);
    CatalogCall<ov1::Fulfilment>(*orders, &OS::MarkFulfilmentPacked, coop_admin_token, pack,
                                 "MarkFulfilmentPacked");
    ov1::CreateShipmentRequest ship;
    ship.mutable_shipment()->set_fulfilment_id(fulfilments.fulfilments(0).id());
    ship.mutable_shipment()->set_carrier_code("SF");
    ship.mutable_shipment()->set_tracking_number("SF1403857261930");
    auto shipment = CatalogCall<ov1::Shipment>(*orders, &OS::CreateShipment, coop_admin_token, ship,
                                               "CreateShipment");
    ov1::ConfirmDeliveryRequest deliver;
    deliver.set_shipment_id(shipment.id());
    CatalogCall<ov1::Shipment>(*orders, &OS::ConfirmDelivery, partner_token, deliver,
                               "ConfirmDelivery");
    ov1::CompleteOrderRequest complete;
    complete.set_order_id(order_id);
    CatalogCall<ov1::Order>(*orders, &OS::CompleteOrder, partner_token, complete, "CompleteOrder");
    ov1::ListSettlementsRequest settlements;
    settlements.set_order_id(order_id);
    auto settled = CatalogCall<ov1::ListSettlementsResponse>(
        *orders, &OS::ListSettlements, coop_admin_token, settlements, "ListSettlements");
    auto waiting = CatalogCall<ov1::UpsertPartnerOrderResponse>(
        *orders, &OS::UpsertPartnerOrder, partner_token, order_request("832-20260301-0002", 1),
        "UpsertPartnerOrder");
    Print("DEMO_ORDER_ID", order_id);
    if (settled.settlements_size() > 0) Print("DEMO_SETTLEMENT_ID", settled.settlements(0).id());
    Print("DEMO_ORDER_TO_PACK_ID", waiting.order().id());
  }

  if (!income_target.empty()) {
    cooplink::demo::IncomeDemo demo;
    demo.target = income_target;
    demo.admin_token = token;
    demo.worker_token = worker_token;
    demo.producer_household_id = first_household_id;
    demo.at_risk_household_id = household_ids[2];  // 娜努, 边缘易致贫户
    demo.expect_settlement = !orders_target.empty() && listed.size() >= 2;
    cooplink::demo::SeedIncome(demo);
  }

  Print("DEMO_COOPERATIVE_ID", coop.id());
  Print("DEMO_PARTNER_ID", partner.id());
  Print("DEMO_SOCIAL_WORKER_ID", worker.id());
  Print("DEMO_MEMBER_ID", first_member_id);
  Print("COOP_ADMIN_TOKEN", coop_admin_token);
  Print("SOCIAL_WORKER_TOKEN", worker_token);
  Print("MEMBER_TOKEN", member_token);
  Print("PARTNER_TOKEN", partner_token);
  return 0;
}
