// Measures what a social worker's call costs now that catalog asks membership for its caseload on
// every call (no cache, issue 8 item 8): GetProduct of the same product over real gRPC, first as
// the cooperative's admin (scope in the token, no membership call), then as a social worker
// assigned to the cooperative (one ListAssignments to membership per call), each by C client
// threads for S seconds against in-process catalog and membership servers on the MariaDB of
// tools/db.sh (both databases are created afresh). The difference of the two is the price of
// deciding on fresh data.
// A benchmark, not a test: run it by hand.
//
//   eval "$(tools/db.sh env)"; build/tools/caseload_bench [seconds=5] [clients=1]
//   [assignments=1]
//
// `assignments` gives the worker that many ACTIVE cooperative assignments (membership then
// returns a longer caseload; catalog's IN list grows with it).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
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
using cooplink::CallContext;
using cooplink::Principal;
using cooplink::Role;

using cooplink::bench::Check;
using cooplink::bench::Percentile;
using cooplink::bench::Rid;

struct Result {
  double qps = 0, p50_us = 0, p99_us = 0;
  int64_t errors = 0;
};

// GetProduct by `clients` threads for `seconds`, each on a channel of its own.
Result Run(int port, const std::string& token, const std::string& product_id, int seconds,
           int clients) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int64_t> errors{0};
  const absl::Time end = absl::Now() + absl::Seconds(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("cooplink.bench.channel", c);
      auto stub = cv1::CatalogService::NewStub(grpc::CreateCustomChannel(
          absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args));
      cv1::GetProductRequest req;
      req.set_id(product_id);
      while (absl::Now() < end) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
        cv1::Product out;
        const absl::Time start = absl::Now();
        grpc::Status s = stub->GetProduct(&ctx, req, &out);
        latencies[c].push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
        if (!s.ok()) errors.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  Result r;
  r.qps = static_cast<double>(all.size()) / seconds;
  r.p50_us = Percentile(all, 0.50);
  r.p99_us = Percentile(all, 0.99);
  r.errors = errors.load();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 5, clients = 1, assignments = 1;
  if (argc > 1) (void)absl::SimpleAtoi(argv[1], &seconds);
  if (argc > 2) (void)absl::SimpleAtoi(argv[2], &clients);
  if (argc > 3) (void)absl::SimpleAtoi(argv[3], &assignments);
  assignments = std::max(assignments, 1);
  cooplink::SystemClock clock;

  // --- Servers -----------------------------------------------------------------------------------
  auto servers = cooplink::bench::StartBenchServers("caseload", &clock);
  if (!Check(servers.status(), "servers")) return 1;
  auto& m = servers->membership->membership();
  const Principal& admin = servers->admin;
  const CallContext as_admin = CallContext::Internal(admin);
  auto& catalog = servers->catalog->catalog();

  // --- World: cooperatives, a producer household, one product, a worker assigned to them ---------
  std::vector<mv1::Cooperative> coops;
  for (int i = 0; i < assignments; ++i) {
    mv1::CreateCooperativeRequest req;
    req.set_request_id(Rid("coop"));
    req.mutable_cooperative()->set_name(absl::StrCat("澜沧县压测茶叶专业合作社", i));
    req.mutable_cooperative()->set_uscc(cooplink::membership::CompleteUscc(
        absl::StrCat("93530828", absl::StrFormat("%09d", i + 1))));
    req.mutable_cooperative()->set_region_code("530828");
    mv1::Cooperative coop;
    if (!Check(m.CreateCooperative(as_admin, req, &coop), "cooperative")) return 1;
    coops.push_back(coop);
  }
  const mv1::Cooperative& coop = coops.front();
  mv1::CreateHouseholdRequest household_req;
  household_req.set_request_id(Rid("household"));
  household_req.mutable_household()->set_village_code("530828100201");
  household_req.mutable_household()->set_head_name("扎约");
  household_req.mutable_household()->set_resident_size(4);
  household_req.mutable_household()->set_ethnicity("拉祜族");
  mv1::Household household;
  if (!Check(m.CreateHousehold(as_admin, household_req, &household), "household")) return 1;
  mv1::CreateMemberRequest member_req;
  member_req.set_request_id(Rid("member"));
  member_req.mutable_member()->set_cooperative_id(coop.id());
  member_req.mutable_member()->set_household_id(household.id());
  member_req.mutable_member()->set_name("扎约");
  member_req.mutable_member()->set_resident_id(cooplink::testing::ResidentId(1));
  member_req.mutable_member()->set_is_farmer(true);
  member_req.mutable_member()->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
  mv1::Member member;
  if (!Check(m.CreateMember(as_admin, member_req, &member), "member")) return 1;

  mv1::CreateSocialWorkerRequest worker_req;
  worker_req.set_request_id(Rid("worker"));
  worker_req.mutable_social_worker()->set_name("压测社工");
  worker_req.mutable_social_worker()->set_county_code("530828");
  mv1::SocialWorker worker;
  if (!Check(m.CreateSocialWorker(as_admin, worker_req, &worker), "social worker")) return 1;
  for (const auto& c : coops) {
    mv1::AssignSocialWorkerRequest assign;
    assign.set_request_id(Rid("assign"));
    assign.set_social_worker_id(worker.id());
    assign.set_cooperative_id(c.id());
    mv1::Assignment assignment;
    if (!Check(m.AssignSocialWorker(as_admin, assign, &assignment), "assign")) return 1;
  }

  // Tokens for the two callers compared.
  auto token_for = [&](mv1::Principal principal, std::string* token) {
    mv1::CreatePrincipalRequest create;
    create.set_request_id(Rid("principal"));
    principal.set_display_name("压测账号");
    *create.mutable_principal() = principal;
    mv1::Principal created;
    if (!Check(m.CreatePrincipal(as_admin, create, &created), "principal")) return false;
    mv1::IssueTokenRequest issue;
    issue.set_request_id(Rid("token"));
    issue.set_principal_id(created.id());
    mv1::IssueTokenResponse issued;
    if (!Check(m.IssueToken(as_admin, issue, &issued), "token")) return false;
    *token = issued.token();
    return true;
  };
  std::string coop_admin_token, worker_token;
  mv1::Principal coop_admin_row;
  coop_admin_row.set_role(cooplink::common::v1::ROLE_COOPERATIVE_ADMIN);
  coop_admin_row.set_cooperative_id(coop.id());
  mv1::Principal worker_row;
  worker_row.set_role(cooplink::common::v1::ROLE_SOCIAL_WORKER);
  worker_row.set_social_worker_id(worker.id());
  if (!token_for(coop_admin_row, &coop_admin_token) || !token_for(worker_row, &worker_token)) {
    return 1;
  }

  Principal coop_admin;
  coop_admin.id = "bench-coop-admin";
  coop_admin.role = Role::kCooperativeAdmin;
  coop_admin.cooperative_id = coop.id();
  cv1::CreateProductRequest create;
  create.set_request_id(Rid("product"));
  cv1::Product* p = create.mutable_product();
  p->set_cooperative_id(coop.id());
  p->set_household_id(household.id());
  p->set_title("景迈山古树普洱茶饼");
  p->set_category(cv1::PRODUCT_CATEGORY_PROCESSED_TEA);
  p->mutable_unit()->set_kind(cv1::UNIT_KIND_CAKE);
  p->mutable_price()->set_fen(28800);
  p->set_min_order_quantity(1);
  p->set_origin_region_code("530828");
  cv1::Product product;
  if (!Check(catalog.CreateProduct(CallContext::Internal(coop_admin), create, &product),
             "product")) {
    return 1;
  }

  // --- Measure -----------------------------------------------------------------------------------
  const int port = servers->catalog->port();
  (void)Run(port, coop_admin_token, product.id(), 1, clients);  // warm up channels and caches
  (void)Run(port, worker_token, product.id(), 1, clients);
  const Result admin_result = Run(port, coop_admin_token, product.id(), seconds, clients);
  const Result worker_result = Run(port, worker_token, product.id(), seconds, clients);
  std::printf("GetProduct, %d client(s), %d s each, worker with %d assignment(s)\n", clients,
              seconds, assignments);
  std::printf("%-28s %10s %10s %10s %8s\n", "caller", "QPS", "p50 us", "p99 us", "errors");
  for (const auto& [name, r] : {std::pair<const char*, Result>{"cooperative admin", admin_result},
                                {"social worker (fresh)", worker_result}}) {
    std::printf("%-28s %10.0f %10.0f %10.0f %8lld\n", name, r.qps, r.p50_us, r.p99_us,
                static_cast<long long>(r.errors));
  }
  std::printf("added per social worker's call: p50 %+.0f us, p99 %+.0f us\n",
              worker_result.p50_us - admin_result.p50_us,
              worker_result.p99_us - admin_result.p99_us);

  servers->catalog->Shutdown();
  servers->membership->Shutdown();
  return 0;
}
