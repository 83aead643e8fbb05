// Measures the server threading model on a DB-backed unary call (GetPartner: token check, one
// pooled primary-key read, reply): the callback API with the bounded worker pool that every
// cooplink service uses, against the synchronous API with gRPC's default thread management,
// both in this process against the same MariaDB. A benchmark, not a test: run it by hand.
//
//   eval "$(tools/db.sh env)"; build/tools/threading_bench [seconds=5] [concurrency=64]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/crypto.h"
#include "services/membership/membership_server.h"
#include "tests/support/test_env.h"

namespace {

namespace mv1 = ::cooplink::membership::v1;
using cooplink::Principal;

// The same domain call behind the synchronous API.
class SyncMembership final : public mv1::MembershipService::Service {
 public:
  SyncMembership(cooplink::membership::Membership* m, const cooplink::Authenticator* auth)
      : m_(m), auth_(auth) {}
  grpc::Status GetPartner(grpc::ServerContext* ctx, const mv1::GetPartnerRequest* req,
                          mv1::Partner* out) override {
    auto it = ctx->client_metadata().find("authorization");
    absl::string_view header;
    if (it != ctx->client_metadata().end())
      header = absl::string_view(it->second.data(), it->second.size());
    auto p = auth_->Authenticate(header);
    if (!p.ok()) return cooplink::ToGrpcStatus(p.status());
    return cooplink::ToGrpcStatus(m_->GetPartner(cooplink::CallContext::Internal(*p), *req, out));
  }

 private:
  cooplink::membership::Membership* m_;
  const cooplink::Authenticator* auth_;
};

struct Result {
  double qps;
  double p50_ms, p99_ms;
  int errors;
};

Result Drive(int port, const std::string& token, const std::string& partner_id, int seconds,
             int concurrency) {
  auto channel_args = grpc::ChannelArguments();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) {
    channel_args.SetInt("cooplink.bench.channel", i);  // distinct subchannels
    channels.push_back(grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                                 grpc::InsecureChannelCredentials(), channel_args));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<std::vector<double>> latencies(concurrency);
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto stub = mv1::MembershipService::NewStub(channels[t % channels.size()]);
      mv1::GetPartnerRequest req;
      req.set_id(partner_id);
      while (!stop.load(std::memory_order_relaxed)) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
        mv1::Partner out;
        const absl::Time start = absl::Now();
        if (!stub->GetPartner(&ctx, req, &out).ok()) ++errors;
        latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      }
    });
  }
  absl::SleepFor(absl::Seconds(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  if (all.empty()) return {0, 0, 0, errors.load()};
  return {all.size() / static_cast<double>(seconds), all[all.size() / 2],
          all[all.size() * 99 / 100], errors.load()};
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 5, concurrency = 64;
  if (argc > 1) (void)absl::SimpleAtoi(argv[1], &seconds);
  if (argc > 2) (void)absl::SimpleAtoi(argv[2], &concurrency);

  cooplink::membership::MembershipConfig config;
  config.db = cooplink::testing::TestDbConfig("bench_threading");
  config.server.listen = "127.0.0.1:0";
  config.token_key = cooplink::testing::RandomKeyBase64();
  config.pii_key = cooplink::testing::RandomKeyBase64();
  config.access_log = false;
  cooplink::SystemClock clock;
  auto server = cooplink::membership::MembershipServer::Start(config, &clock);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(server.status().ToString()).c_str());
    return 1;
  }
  auto& m = (*server)->membership();
  mv1::Principal admin;
  mv1::IssueTokenResponse token;
  if (!m.BootstrapPlatformAdmin("bench", absl::Hours(1), &admin, &token).ok()) return 1;
  Principal p;
  p.id = admin.id();
  p.role = cooplink::Role::kPlatformAdmin;
  mv1::CreatePartnerRequest create;
  create.set_request_id("bench-partner");
  create.mutable_partner()->set_name("bench");
  create.mutable_partner()->set_channel_kind(cooplink::common::v1::CHANNEL_KIND_OTHER);
  mv1::Partner partner;
  if (auto s = m.CreatePartner(cooplink::CallContext::Internal(p), create, &partner); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.ToString()).c_str());
    return 1;
  }

  // The synchronous server: same domain object, same token check, gRPC's default threading.
  auto key = cooplink::DecodeKey("token", config.token_key, 32, 1024);
  auto codec = cooplink::TokenCodec::Create(*key);
  cooplink::Authenticator auth(&*codec, nullptr, &clock);
  SyncMembership sync_service(&m, &auth);
  grpc::ServerBuilder builder;
  int sync_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &sync_port);
  builder.RegisterService(&sync_service);
  auto sync_server = builder.BuildAndStart();

  std::printf("DB-backed unary GetPartner, %d callers, %d s each, 2 cores shared with MariaDB\n",
              concurrency, seconds);
  for (int round = 0; round < 2; ++round) {
    Result cb = Drive((*server)->port(), token.token(), partner.id(), seconds, concurrency);
    Result sy = Drive(sync_port, token.token(), partner.id(), seconds, concurrency);
    std::printf("round %d  callback+pool: %8.0f QPS p50 %.2f ms p99 %.2f ms errors %d\n", round + 1,
                cb.qps, cb.p50_ms, cb.p99_ms, cb.errors);
    std::printf(
        "round %d  sync default : %8.0f QPS p50 %.2f ms p99 %.2f ms errors %d  (ratio %.2f)\n",
        round + 1, sy.qps, sy.p50_ms, sy.p99_ms, sy.errors, cb.qps / std::max(sy.qps, 1.0));
  }
  sync_server->Shutdown();
  (*server)->Shutdown();
  return 0;
}
