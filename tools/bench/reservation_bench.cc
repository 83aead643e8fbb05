// Measures reservation throughput: C client threads each doing CreateReservation (one line, one
// unit of a random product) followed by CommitReservation, over real gRPC against an in-process
// catalog server (and the membership server it needs), both on the MariaDB of tools/db.sh.
// A benchmark, not a test: run it by hand.
//
//   eval "$(tools/db.sh env)"; build/tools/reservation_bench [seconds=10] [clients=32]
//   [products=16]
//
// Every reservation locks its product's stock row until commit (more products spread it); its
// changes, with their snapshots, go to the outbox, and the server's relay sequences them and
// updates the partner listings afterwards, on the same cores.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "services/membership/identity.h"
#include "tests/support/test_env.h"
#include "tools/bench/bench_servers.h"

namespace {

namespace mv1 = ::cooplink::membership::v1;
namespace cv1 = ::cooplink::catalog::v1;
using cooplink::Principal;
using cooplink::Role;

using cooplink::bench::Check;
using cooplink::bench::Percentile;
using cooplink::bench::Rid;

}  // namespace

int main(int argc, char** argv) {
  int seconds = 10, clients = 32, products = 16;
  if (argc > 1) (void)absl::SimpleAtoi(argv[1], &seconds);
  if (argc > 2) (void)absl::SimpleAtoi(argv[2], &clients);
  if (argc > 3) (void)absl::SimpleAtoi(argv[3], &products);
  cooplink::SystemClock clock;

  // --- Servers -----------------------------------------------------------------------------------
  auto servers = cooplink::bench::StartBenchServers("reservations", &clock);
  if (!Check(servers.status(), "servers")) return 1;
  auto& m = servers->membership->membership();
  const Principal& admin = servers->admin;
  auto& catalog = servers->catalog->catalog();

  // --- World: a cooperative, a producer household, a partner, N offered products -----------------
  mv1::CreateCooperativeRequest coop_req;
  coop_req.set_request_id(Rid("coop"));
  coop_req.mutable_cooperative()->set_name("澜沧县压测茶叶专业合作社");
  coop_req.mutable_cooperative()->set_uscc(cooplink::membership::CompleteUscc("93530828000000001"));
  coop_req.mutable_cooperative()->set_region_code("530828");
  mv1::Cooperative coop;
  if (!Check(m.CreateCooperative(cooplink::CallContext::Internal(admin), coop_req, &coop),
             "cooperative"))
    return 1;
  mv1::CreateHouseholdRequest household_req;
  household_req.set_request_id(Rid("household"));
  household_req.mutable_household()->set_village_code("530828100201");
  household_req.mutable_household()->set_head_name("扎约");
  household_req.mutable_household()->set_resident_size(4);
  household_req.mutable_household()->set_ethnicity("拉祜族");
  mv1::Household household;
  if (!Check(m.CreateHousehold(cooplink::CallContext::Internal(admin), household_req, &household),
             "household"))
    return 1;
  mv1::CreateMemberRequest member_req;
  member_req.set_request_id(Rid("member"));
  member_req.mutable_member()->set_cooperative_id(coop.id());
  member_req.mutable_member()->set_household_id(household.id());
  member_req.mutable_member()->set_name("扎约");
  member_req.mutable_member()->set_resident_id(cooplink::testing::ResidentId(1));
  member_req.mutable_member()->set_is_farmer(true);
  member_req.mutable_member()->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
  mv1::Member member;
  if (!Check(m.CreateMember(cooplink::CallContext::Internal(admin), member_req, &member), "member"))
    return 1;
  mv1::CreatePartnerRequest partner_req;
  partner_req.set_request_id(Rid("partner"));
  partner_req.mutable_partner()->set_name("压测电商平台");
  partner_req.mutable_partner()->set_channel_kind(cooplink::common::v1::CHANNEL_KIND_ECOMMERCE);
  partner_req.mutable_partner()->set_commission_rate_bps(500);
  mv1::Partner partner;
  if (!Check(m.CreatePartner(cooplink::CallContext::Internal(admin), partner_req, &partner),
             "partner"))
    return 1;
  mv1::CreatePrincipalRequest principal_req;
  principal_req.set_request_id(Rid("principal"));
  principal_req.mutable_principal()->set_display_name("压测平台账号");
  principal_req.mutable_principal()->set_role(cooplink::common::v1::ROLE_PARTNER);
  principal_req.mutable_principal()->set_partner_id(partner.id());
  mv1::Principal partner_principal;
  if (!Check(m.CreatePrincipal(cooplink::CallContext::Internal(admin), principal_req,
                               &partner_principal),
             "principal"))
    return 1;
  mv1::IssueTokenRequest issue;
  issue.set_request_id(Rid("token"));
  issue.set_principal_id(partner_principal.id());
  issue.mutable_ttl()->set_seconds(2 * 3600);
  mv1::IssueTokenResponse partner_token;
  if (!Check(m.IssueToken(cooplink::CallContext::Internal(admin), issue, &partner_token), "token"))
    return 1;

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
    p->mutable_price()->set_fen(28800);
    p->set_min_order_quantity(1);
    p->set_origin_region_code("530828");
    cv1::Product product;
    if (!Check(catalog.CreateProduct(cooplink::CallContext::Internal(coop_admin), create, &product),
               "product"))
      return 1;
    cv1::SubmitProductRequest submit;
    submit.set_request_id(Rid("submit"));
    submit.set_product_id(product.id());
    if (!Check(catalog.SubmitProduct(cooplink::CallContext::Internal(producer), submit, &product),
               "submit"))
      return 1;
    cv1::ApproveProductRequest approve;
    approve.set_request_id(Rid("approve"));
    approve.set_product_id(product.id());
    if (!Check(catalog.ApproveProduct(cooplink::CallContext::Internal(admin), approve, &product),
               "approve"))
      return 1;
    cv1::AdjustStockRequest adjust;
    adjust.set_request_id(Rid("adjust"));
    adjust.set_product_id(product.id());
    adjust.set_delta(1000000000);
    adjust.set_reason(cv1::STOCK_ADJUSTMENT_REASON_RESTOCK);
    cv1::Stock stock;
    if (!Check(catalog.AdjustStock(cooplink::CallContext::Internal(coop_admin), adjust, &stock),
               "stock"))
      return 1;
    cv1::CreateOfferRequest offer_req;
    offer_req.set_request_id(Rid("offer"));
    offer_req.mutable_offer()->set_product_id(product.id());
    offer_req.mutable_offer()->set_partner_id(partner.id());
    cv1::Offer offer;
    if (!Check(catalog.CreateOffer(cooplink::CallContext::Internal(coop_admin), offer_req, &offer),
               "offer"))
      return 1;
    product_ids.push_back(product.id());
  }

  // --- Load
  // ----------------------------------------------------------------------------------------
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("cooplink.bench.channel", i);  // distinct subchannels
    channels.push_back(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", servers->catalog->port()),
                                  grpc::InsecureChannelCredentials(), args));
  }
  const std::string bearer = absl::StrCat("Bearer ", partner_token.token());
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<std::vector<double>> pair_ms(clients), create_ms(clients), commit_ms(clients);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto stub = cv1::CatalogService::NewStub(channels[t % channels.size()]);
      std::mt19937 rng(t);
      std::uniform_int_distribution<size_t> pick(0, product_ids.size() - 1);
      for (int n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const std::string id = absl::StrFormat("bench-%d-%d", t, n);
        cv1::CreateReservationRequest create;
        create.set_reservation_id(id);
        create.set_partner_id(partner.id());
        auto* line = create.add_lines();
        line->set_product_id(product_ids[pick(rng)]);
        line->set_quantity(1);
        const absl::Time start = absl::Now();
        grpc::ClientContext create_ctx;
        create_ctx.AddMetadata("authorization", bearer);
        cv1::Reservation reservation;
        if (!stub->CreateReservation(&create_ctx, create, &reservation).ok()) {
          ++errors;
          continue;
        }
        const absl::Time created = absl::Now();
        cv1::CommitReservationRequest commit;
        commit.set_request_id(absl::StrCat("c-", id));
        commit.set_reservation_id(id);
        grpc::ClientContext commit_ctx;
        commit_ctx.AddMetadata("authorization", bearer);
        if (!stub->CommitReservation(&commit_ctx, commit, &reservation).ok()) {
          ++errors;
          continue;
        }
        const absl::Time done = absl::Now();
        create_ms[t].push_back(absl::ToDoubleMilliseconds(created - start));
        commit_ms[t].push_back(absl::ToDoubleMilliseconds(done - created));
        pair_ms[t].push_back(absl::ToDoubleMilliseconds(done - start));
      }
    });
  }
  absl::SleepFor(absl::Seconds(seconds));
  stop = true;
  for (auto& th : threads) th.join();

  std::vector<double> pairs, creates, commits;
  for (int t = 0; t < clients; ++t) {
    pairs.insert(pairs.end(), pair_ms[t].begin(), pair_ms[t].end());
    creates.insert(creates.end(), create_ms[t].begin(), create_ms[t].end());
    commits.insert(commits.end(), commit_ms[t].begin(), commit_ms[t].end());
  }
  std::printf(
      "CreateReservation(1 line) + CommitReservation over gRPC: %d clients, %d products, "
      "%d s\n",
      clients, products, seconds);
  std::printf("  reserved+committed: %zu  (%.0f reservations/s)  errors: %d\n", pairs.size(),
              static_cast<double>(pairs.size()) / seconds, errors.load());
  std::printf("  create+commit  p50 %7.2f ms  p99 %7.2f ms\n", Percentile(pairs, 0.50),
              Percentile(pairs, 0.99));
  std::printf("  create         p50 %7.2f ms  p99 %7.2f ms\n", Percentile(creates, 0.50),
              Percentile(creates, 0.99));
  std::printf("  commit         p50 %7.2f ms  p99 %7.2f ms\n", Percentile(commits, 0.50),
              Percentile(commits, 0.99));

  // The stock rule held throughout.
  int64_t broken = -1, reserved = -1;
  (void)servers->catalog->database().Read([&](cooplink::Tx& tx) {
    auto rs = tx.Query(
        "SELECT SUM(on_hand < reserved OR reserved < 0) AS broken, SUM(reserved) AS reserved "
        "FROM stock");
    if (rs->next()) {
      broken = rs->getInt64("broken");
      reserved = rs->getInt64("reserved");
    }
    return absl::OkStatus();
  });
  std::printf("  stock rows breaking the rule: %lld, units still reserved: %lld\n",
              static_cast<long long>(broken), static_cast<long long>(reserved));

  servers->catalog->Shutdown();
  servers->membership->Shutdown();
  return 0;
}
