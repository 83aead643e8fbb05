// The server keepalive policy (ServerOptions::keepalive, the "Connections" paragraph of every
// proto) through real gRPC: clients that ping as often as the policy allows, with a call in flight
// (a health Watch stream that stays silent after its first message) or with no call at all (an
// idle channel), keep their connection; a client that pings too often is cut off, and so is a
// 5-second client against gRPC's default policy (the control that shows the pings really flow).
//
// The fast tests scale the policy down to 1-2 s (a C-core client never pings more than once a
// second without data, so 1 s is the shortest interval a faithful test can use).
// ProductionPolicyKeepsFiveSecondPingers runs the shipped policy with clients pinging every 5 s
// (the permitted minimum, so every 10 s or 30 s client is covered) for 24 s: under gRPC's defaults
// the fourth such ping, at about 20 s, is cut off.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/server.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// A server with only health checking and reflection, under `policy`.
std::unique_ptr<ServiceHost> PolicyServer(KeepalivePolicy policy) {
  ServerOptions options;
  options.keepalive = policy;
  auto host = ServiceHost::Start(options, {}, {});
  EXPECT_TRUE(host.ok()) << host.status();
  return host.ok() ? *std::move(host) : nullptr;
}

// The same server with gRPC's own keepalive enforcement (what the services had before the policy).
struct DefaultServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};
DefaultServer GrpcDefaultServer() {
  grpc::EnableDefaultHealthCheckService(true);
  DefaultServer s;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &s.port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  s.server = builder.BuildAndStart();
  EXPECT_NE(s.server, nullptr);
  return s;
}

// A channel of its own (no shared subchannel) that pings every `interval`, also without calls,
// with no cap on pings between data frames: what grpc-js does with keepaliveTimeMs and
// keepalive_permit_without_calls.
std::shared_ptr<grpc::Channel> PingingChannel(int port, absl::Duration interval) {
  grpc::ChannelArguments args;
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(interval));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, ms);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS, ms);
  args.SetInt("cooplink.test.unique", NextSequence());
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

// What happened to a connection kept for a while.
struct Outcome {
  bool cut_off = false;     // the connection was closed under the client
  grpc::Status stream_end;  // for the stream scenario: how the Watch call ended
};

// A health Watch stream held open for `hold`: the server sends SERVING once, then nothing, so the
// client's pings are the only traffic. Cut off when the stream ends before we cancel it.
Outcome HoldStream(int port, absl::Duration interval, absl::Duration hold) {
  auto channel = PingingChannel(port, interval);
  auto stub = Health::NewStub(channel);
  grpc::ClientContext ctx;
  HealthCheckRequest req;
  auto reader = stub->Watch(&ctx, req);
  HealthCheckResponse first;
  EXPECT_TRUE(reader->Read(&first));
  EXPECT_EQ(first.status(), HealthCheckResponse::SERVING);
  std::atomic<bool> ended{false};
  std::thread drain([&] {
    HealthCheckResponse more;
    while (reader->Read(&more)) {
    }
    ended = true;
  });
  const absl::Time until = absl::Now() + hold;
  while (!ended && absl::Now() < until) absl::SleepFor(absl::Milliseconds(20));
  Outcome out;
  out.cut_off = ended;
  ctx.TryCancel();
  drain.join();
  out.stream_end = reader->Finish();
  return out;
}

// A connected channel with no call at all for `hold`. Cut off when it leaves READY.
Outcome HoldIdle(int port, absl::Duration interval, absl::Duration hold) {
  auto channel = PingingChannel(port, interval);
  EXPECT_TRUE(
      channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5)));
  Outcome out;
  out.cut_off =
      channel->WaitForStateChange(GRPC_CHANNEL_READY, absl::ToChronoTime(absl::Now() + hold));
  return out;
}

TEST(KeepaliveTest, ClientsPingingAtThePermittedIntervalKeepTheirConnection) {
  const KeepalivePolicy policy{absl::Seconds(1), 2};
  auto host = PolicyServer(policy);
  ASSERT_NE(host, nullptr);
  // 6 intervals: without the policy the fourth ping would already be a third strike.
  const absl::Duration hold = absl::Seconds(6);
  Outcome stream, idle;
  std::thread t([&] { idle = HoldIdle(host->port(), policy.min_ping_interval, hold); });
  stream = HoldStream(host->port(), policy.min_ping_interval, hold);
  t.join();
  EXPECT_FALSE(stream.cut_off) << stream.stream_end.error_message();
  EXPECT_EQ(stream.stream_end.error_code(), grpc::StatusCode::CANCELLED);  // ended by us
  EXPECT_FALSE(idle.cut_off);
}

TEST(KeepaliveTest, AClientPingingTooOftenIsCutOffWithTooManyPings) {
  const KeepalivePolicy policy{absl::Seconds(2), 2};
  auto host = PolicyServer(policy);
  ASSERT_NE(host, nullptr);
  // Pings every second against a 2 s minimum: strikes at 2, 3 and 4 s, then GOAWAY.
  Outcome stream, idle;
  std::thread t([&] { idle = HoldIdle(host->port(), absl::Seconds(1), absl::Seconds(7)); });
  stream = HoldStream(host->port(), absl::Seconds(1), absl::Seconds(7));
  t.join();
  EXPECT_TRUE(stream.cut_off);
  // What the client library makes of the GOAWAY is its own (C-core: CANCELLED; grpc-js:
  // RESOURCE_EXHAUSTED); the call did not end well.
  EXPECT_NE(stream.stream_end.error_code(), grpc::StatusCode::OK);
  std::printf("too eager a client sees: %d %s\n", stream.stream_end.error_code(),
              stream.stream_end.error_message().c_str());
  EXPECT_TRUE(idle.cut_off);
}

TEST(KeepaliveTest, ProductionPolicyKeepsFiveSecondPingers) {
  // The shipped policy, and the documented minimum it promises.
  EXPECT_EQ(ServerOptions().keepalive.min_ping_interval, absl::Seconds(5));
  EXPECT_EQ(ServerOptions().keepalive.max_ping_strikes, 2);
  auto host = PolicyServer(ServerOptions().keepalive);
  ASSERT_NE(host, nullptr);
  DefaultServer control = GrpcDefaultServer();
  ASSERT_NE(control.server, nullptr);

  const absl::Duration interval = absl::Seconds(5);
  const absl::Duration hold = absl::Seconds(24);
  Outcome stream, idle, control_stream, control_idle;
  std::vector<std::thread> threads;
  threads.emplace_back([&] { stream = HoldStream(host->port(), interval, hold); });
  threads.emplace_back([&] { idle = HoldIdle(host->port(), interval, hold); });
  threads.emplace_back([&] { control_stream = HoldStream(control.port, interval, hold); });
  threads.emplace_back([&] { control_idle = HoldIdle(control.port, interval, hold); });
  for (auto& t : threads) t.join();

  EXPECT_FALSE(stream.cut_off) << stream.stream_end.error_message();
  EXPECT_EQ(stream.stream_end.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_FALSE(idle.cut_off);
  // gRPC's defaults cut the same clients off: the pings did flow.
  EXPECT_TRUE(control_stream.cut_off);
  std::printf("gRPC's default policy ends a 5 s pinger's stream with: %d %s\n",
              control_stream.stream_end.error_code(),
              control_stream.stream_end.error_message().c_str());
  EXPECT_TRUE(control_idle.cut_off);
  control.server->Shutdown(std::chrono::system_clock::now());
}

}  // namespace
}  // namespace cooplink::testing
