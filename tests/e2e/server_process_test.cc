// The service binaries as an operator runs them: membership's --help, bad configuration, the
// bootstrap-admin command, health and access log, and a clean exit 0 on SIGTERM; catalog, orders
// and income beside their peers (all real processes), ending open streams on SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "cooplink/income/v1/income.grpc.pb.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "cooplink/orders/v1/orders.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/test_env.h"

extern char** environ;

namespace cooplink::testing {
namespace {

namespace mv1 = ::cooplink::membership::v1;
const std::string kBinary = absl::StrCat(COOPLINK_BINARY_DIR, "/services/membership/membership");
const std::string kCatalogBinary = absl::StrCat(COOPLINK_BINARY_DIR, "/services/catalog/catalog");
const std::string kOrdersBinary = absl::StrCat(COOPLINK_BINARY_DIR, "/services/orders/orders");
const std::string kIncomeBinary = absl::StrCat(COOPLINK_BINARY_DIR, "/services/income/income");

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A child process with stdout and stderr captured in files.
class Process {
 public:
  Process(std::vector<std::string> args, const std::vector<std::string>& extra_env,
          const std::string& name, const std::string& binary = kBinary) {
    out_ = absl::StrCat(COOPLINK_BINARY_DIR, "/", name, ".out");
    err_ = absl::StrCat(COOPLINK_BINARY_DIR, "/", name, ".err");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> argv, envp;
    args.insert(args.begin(), binary);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  // The exit code, or -1 if the process is still running after `limit` (then it is left running).
  int WaitAtMost(absl::Duration limit) {
    const absl::Time end = absl::Now() + limit;
    for (;;) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (absl::Now() >= end) return -1;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  void Signal(int sig) { kill(pid_, sig); }
  std::string out() const { return ReadAll(out_); }
  std::string err() const { return ReadAll(err_); }
  // The port from the "serving" log line, or 0 if it did not appear within 10 s.
  int WaitForPort() {
    for (int i = 0; i < 200; ++i) {
      const std::string e = err();
      const size_t at = e.find("\"port\":");
      if (at != std::string::npos) {
        int port = 0;
        if (absl::SimpleAtoi(e.substr(at + 7, e.find('}', at) - at - 7), &port)) return port;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return 0;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string out_, err_;
};

class ServerProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new DbConfig(TestDbConfig("test_e2e_server_process")); }
  static void TearDownTestSuite() { delete db_; }
  std::vector<std::string> Env() {
    return {absl::StrCat("COOPLINK_DB_NAME=", db_->database),
            absl::StrCat("COOPLINK_TOKEN_KEY=", key_), absl::StrCat("COOPLINK_PII_KEY=", pii_)};
  }
  static DbConfig* db_;
  std::string key_ = RandomKeyBase64();
  std::string pii_ = RandomKeyBase64();
};
DbConfig* ServerProcessTest::db_ = nullptr;

TEST_F(ServerProcessTest, HelpListsFlagsAndBadValuesStopStartUp) {
  Process help({"--help"}, {}, "help");
  EXPECT_EQ(help.Wait(), 0);
  EXPECT_NE(help.out().find("--db_pool_size"), std::string::npos);
  EXPECT_NE(help.out().find("COOPLINK_PII_KEY"), std::string::npos);

  Process bad({"--db_port=not-a-port"}, Env(), "bad-flag");
  EXPECT_NE(bad.Wait(), 0);
  EXPECT_NE(bad.err().find("--db_port"), std::string::npos);

  Process no_key({"--listen=127.0.0.1:0"},
                 {absl::StrCat("COOPLINK_TOKEN_KEY=", key_), "COOPLINK_PII_KEY=c2hvcnQ="},
                 "bad-key");
  EXPECT_NE(no_key.Wait(), 0);
  EXPECT_NE(no_key.err().find("pii_key"), std::string::npos);
}

TEST_F(ServerProcessTest, ServesHealthLogsAccessWithoutPersonalDataAndDrainsOnSigterm) {
  Process bootstrap({"bootstrap-admin", "运维"}, Env(), "bootstrap");
  ASSERT_EQ(bootstrap.Wait(), 0) << bootstrap.err();
  std::string token = bootstrap.out();
  token.erase(token.find_last_not_of("\n") + 1);
  ASSERT_FALSE(token.empty());

  Process server({"--listen=127.0.0.1:0"}, Env(), "server");
  const int port = server.WaitForPort();
  ASSERT_NE(port, 0) << server.err();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());

  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const char* service : {"", "cooplink.membership.v1.MembershipService"}) {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    grpc::ClientContext ctx;  // health needs no token
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }

  auto stub = mv1::MembershipService::NewStub(channel);
  mv1::CreateSocialWorkerRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_social_worker()->set_name("日志检查");
  create.mutable_social_worker()->set_organization("测试机构");
  create.mutable_social_worker()->set_phone("13912345678");
  create.mutable_social_worker()->set_county_code("530828");
  mv1::SocialWorker worker;
  grpc::Status created = stub->CreateSocialWorker(Ctx(token).get(), create, &worker);
  ASSERT_TRUE(created.ok()) << created.error_message();
  mv1::GetSocialWorkerRequest get;
  get.set_id(worker.id());
  EXPECT_EQ(stub->GetSocialWorker(Ctx("").get(), get, &worker).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // Calls in flight when SIGTERM arrives finish; the process exits 0.
  std::vector<std::thread> callers;
  std::atomic<int> ok{0}, refused{0}, other{0};
  for (int i = 0; i < 4; ++i) {
    callers.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        mv1::ListPartnersRequest req;
        mv1::ListPartnersResponse resp;
        grpc::Status s = stub->ListPartners(Ctx(token).get(), req, &resp);
        if (s.ok()) {
          ++ok;
        } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                   s.error_code() == grpc::StatusCode::CANCELLED) {
          // Arrived after shutdown began (listener closing, transport going away): refused, and
          // safe to retry elsewhere since nothing started.
          ++refused;
        } else {
          ++other;
          std::fprintf(stderr, "during shutdown: %d %s\n", s.error_code(),
                       s.error_message().c_str());
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(20));
  server.Signal(SIGTERM);
  for (auto& t : callers) t.join();
  EXPECT_EQ(server.Wait(), 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_NE(server.err().find("\"msg\":\"stopped\""), std::string::npos);

  const std::string log = server.out();
  EXPECT_NE(log.find("\"method\":\"CreateSocialWorker\",\"code\":\"OK\""), std::string::npos);
  EXPECT_NE(log.find("\"method\":\"GetSocialWorker\",\"code\":\"UNAUTHENTICATED\""),
            std::string::npos);
  EXPECT_EQ(log.find("13912345678"), std::string::npos);
  EXPECT_EQ(server.err().find("13912345678"), std::string::npos);
}

TEST_F(ServerProcessTest, CatalogServesBesideMembershipAndEndsOpenWatchesOnSigterm) {
  Process bootstrap({"bootstrap-admin", "catalog service account"}, Env(), "bootstrap-catalog");
  ASSERT_EQ(bootstrap.Wait(), 0) << bootstrap.err();
  std::string token = bootstrap.out();
  token.erase(token.find_last_not_of("\n") + 1);
  Process membership({"--listen=127.0.0.1:0"}, Env(), "membership-for-catalog");
  const int membership_port = membership.WaitForPort();
  ASSERT_NE(membership_port, 0) << membership.err();

  DbConfig catalog_db = TestDbConfig("test_e2e_catalog_process");
  Process catalog({"--listen=127.0.0.1:0", "--drain_timeout=30s"},
                  {absl::StrCat("COOPLINK_DB_NAME=", catalog_db.database),
                   absl::StrCat("COOPLINK_TOKEN_KEY=", key_),
                   absl::StrCat("COOPLINK_MEMBERSHIP_TARGET=127.0.0.1:", membership_port),
                   absl::StrCat("COOPLINK_MEMBERSHIP_TOKEN=", token)},
                  "catalog", kCatalogBinary);
  const int port = catalog.WaitForPort();
  ASSERT_NE(port, 0) << catalog.err();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("cooplink.catalog.v1.CatalogService");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext hctx;
  ASSERT_TRUE(health->Check(&hctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // An open watch stream does not hold shutdown for the 30 s drain: it ends UNAVAILABLE
  // (resume elsewhere with the cursor) and the process exits 0.
  auto stub = cooplink::catalog::v1::CatalogService::NewStub(channel);
  auto ctx = Ctx(token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  cooplink::catalog::v1::WatchCatalogChangesRequest watch;
  auto reader = stub->WatchCatalogChanges(ctx.get(), watch);
  absl::SleepFor(absl::Milliseconds(300));  // the stream is open and idle
  catalog.Signal(SIGTERM);
  cooplink::catalog::v1::CatalogChange change;
  while (reader->Read(&change)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(catalog.Wait(), 0);
  EXPECT_NE(catalog.err().find("\"msg\":\"stopped\""), std::string::npos);
  membership.Signal(SIGTERM);
  EXPECT_EQ(membership.Wait(), 0);
}

TEST_F(ServerProcessTest, OrdersServesBesideCatalogAndMembershipAndEndsOpenWatchesOnSigterm) {
  // Without its peers' addresses and token the binary does not start, and says which flags.
  Process lonely({"--listen=127.0.0.1:0"}, Env(), "orders-without-peers", kOrdersBinary);
  EXPECT_NE(lonely.Wait(), 0);
  EXPECT_NE(lonely.err().find("--catalog_target"), std::string::npos) << lonely.err();

  Process bootstrap({"bootstrap-admin", "orders service account"}, Env(), "bootstrap-orders");
  ASSERT_EQ(bootstrap.Wait(), 0) << bootstrap.err();
  std::string token = bootstrap.out();
  token.erase(token.find_last_not_of("\n") + 1);
  Process membership({"--listen=127.0.0.1:0"}, Env(), "membership-for-orders");
  const int membership_port = membership.WaitForPort();
  ASSERT_NE(membership_port, 0) << membership.err();
  DbConfig catalog_db = TestDbConfig("test_e2e_catalog_for_orders");
  Process catalog({"--listen=127.0.0.1:0"},
                  {absl::StrCat("COOPLINK_DB_NAME=", catalog_db.database),
                   absl::StrCat("COOPLINK_TOKEN_KEY=", key_),
                   absl::StrCat("COOPLINK_MEMBERSHIP_TARGET=127.0.0.1:", membership_port),
                   absl::StrCat("COOPLINK_MEMBERSHIP_TOKEN=", token)},
                  "catalog-for-orders", kCatalogBinary);
  const int catalog_port = catalog.WaitForPort();
  ASSERT_NE(catalog_port, 0) << catalog.err();

  DbConfig orders_db = TestDbConfig("test_e2e_orders_process");
  Process orders(
      {"--listen=127.0.0.1:0", "--drain_timeout=30s"},
      {absl::StrCat("COOPLINK_DB_NAME=", orders_db.database),
       absl::StrCat("COOPLINK_TOKEN_KEY=", key_), absl::StrCat("COOPLINK_PII_KEY=", pii_),
       absl::StrCat("COOPLINK_MEMBERSHIP_TARGET=127.0.0.1:", membership_port),
       absl::StrCat("COOPLINK_CATALOG_TARGET=127.0.0.1:", catalog_port),
       absl::StrCat("COOPLINK_ORDERS_SERVICE_TOKEN=", token)},
      "orders", kOrdersBinary);
  const int port = orders.WaitForPort();
  ASSERT_NE(port, 0) << orders.err();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("cooplink.orders.v1.OrdersService");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext hctx;
  ASSERT_TRUE(health->Check(&hctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // An open event stream does not hold shutdown for the 30 s drain.
  auto stub = cooplink::orders::v1::OrdersService::NewStub(channel);
  auto ctx = Ctx(token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  cooplink::orders::v1::WatchOrderEventsRequest watch;
  auto reader = stub->WatchOrderEvents(ctx.get(), watch);
  absl::SleepFor(absl::Milliseconds(300));  // the stream is open and idle
  orders.Signal(SIGTERM);
  cooplink::orders::v1::OrderEvent event;
  while (reader->Read(&event)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(orders.Wait(), 0);
  EXPECT_NE(orders.err().find("\"msg\":\"stopped\""), std::string::npos);
  catalog.Signal(SIGTERM);
  EXPECT_EQ(catalog.Wait(), 0);
  membership.Signal(SIGTERM);
  EXPECT_EQ(membership.Wait(), 0);
}

TEST_F(ServerProcessTest, IncomeServesBesideOrdersImportsACursorAndStopsWithItsStreamOpen) {
  DbConfig income_db = TestDbConfig("test_e2e_income_process");
  const std::vector<std::string> income_env = {
      absl::StrCat("COOPLINK_DB_NAME=", income_db.database),
      absl::StrCat("COOPLINK_TOKEN_KEY=", key_)};
  // Without its peers' addresses and token the binary does not start, and says which flags.
  Process lonely({"--listen=127.0.0.1:0"}, income_env, "income-without-peers", kIncomeBinary);
  EXPECT_NE(lonely.Wait(), 0);
  for (const char* flag : {"--membership_target", "--orders_target", "--service_token"}) {
    EXPECT_NE(lonely.err().find(flag), std::string::npos) << flag << ": " << lonely.err();
  }

  Process bootstrap({"bootstrap-admin", "income service account"}, Env(), "bootstrap-income");
  ASSERT_EQ(bootstrap.Wait(), 0) << bootstrap.err();
  std::string token = bootstrap.out();
  token.erase(token.find_last_not_of("\n") + 1);
  ASSERT_FALSE(token.empty());
  Process membership({"--listen=127.0.0.1:0"}, Env(), "membership-for-income");
  const int membership_port = membership.WaitForPort();
  ASSERT_NE(membership_port, 0) << membership.err();
  DbConfig catalog_db = TestDbConfig("test_e2e_catalog_for_income");
  Process catalog({"--listen=127.0.0.1:0"},
                  {absl::StrCat("COOPLINK_DB_NAME=", catalog_db.database),
                   absl::StrCat("COOPLINK_TOKEN_KEY=", key_),
                   absl::StrCat("COOPLINK_MEMBERSHIP_TARGET=127.0.0.1:", membership_port),
                   absl::StrCat("COOPLINK_MEMBERSHIP_TOKEN=", token)},
                  "catalog-for-income", kCatalogBinary);
  const int catalog_port = catalog.WaitForPort();
  ASSERT_NE(catalog_port, 0) << catalog.err();
  DbConfig orders_db = TestDbConfig("test_e2e_orders_for_income");
  Process orders(
      {"--listen=127.0.0.1:0", "--watch_heartbeat=100ms"},
      {absl::StrCat("COOPLINK_DB_NAME=", orders_db.database),
       absl::StrCat("COOPLINK_TOKEN_KEY=", key_), absl::StrCat("COOPLINK_PII_KEY=", pii_),
       absl::StrCat("COOPLINK_MEMBERSHIP_TARGET=127.0.0.1:", membership_port),
       absl::StrCat("COOPLINK_CATALOG_TARGET=127.0.0.1:", catalog_port),
       absl::StrCat("COOPLINK_ORDERS_SERVICE_TOKEN=", token)},
      "orders-for-income", kOrdersBinary);
  const int orders_port = orders.WaitForPort();
  ASSERT_NE(orders_port, 0) << orders.err();

  // The token goes by the environment, the peers by flags.
  std::vector<std::string> env = income_env;
  env.push_back(absl::StrCat("COOPLINK_INCOME_SERVICE_TOKEN=", token));
  Process income({"--listen=127.0.0.1:0", "--drain_timeout=60s",
                  absl::StrCat("--membership_target=127.0.0.1:", membership_port),
                  absl::StrCat("--orders_target=127.0.0.1:", orders_port)},
                 env, "income", kIncomeBinary);
  const int port = income.WaitForPort();
  ASSERT_NE(port, 0) << income.err();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("cooplink.income.v1.IncomeService");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext hctx;
  ASSERT_TRUE(health->Check(&hctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  namespace iv1 = ::cooplink::income::v1;
  auto stub = iv1::IncomeService::NewStub(channel);
  iv1::AlertSettings settings;
  grpc::Status got =
      stub->GetAlertSettings(Ctx(token).get(), iv1::GetAlertSettingsRequest(), &settings);
  ASSERT_TRUE(got.ok()) << got.error_message();
  EXPECT_EQ(settings.near_margin_bps(), 1000);
  EXPECT_EQ(settings.drop_share_bps(), 2000);

  // The importer follows orders' event stream; orders' heartbeats (every 100 ms, no orders yet)
  // give it a cursor to store. Bounded wait: 30 s.
  iv1::SettlementImportStatus status;
  grpc::Status last;
  for (int i = 0; i < 600 && status.cursor().empty(); ++i) {
    status.Clear();
    last = stub->GetSettlementImportStatus(Ctx(token).get(),
                                           iv1::GetSettlementImportStatusRequest(), &status);
    if (status.cursor().empty()) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_FALSE(status.cursor().empty()) << last.error_message() << "\n" << income.err();
  EXPECT_TRUE(status.has_cursor_update_time());

  // SIGTERM with the importer's stream open: the stream is cancelled, not drained, so the process
  // exits 0 long before the 60 s drain timeout (bound: 30 s). Meanwhile health is asked until it
  // stops answering SERVING: besides checking that, the calls keep the test's channel polled, so
  // it reads income's GOAWAY and closes (an idle synchronous client reads it only every 5 s, and
  // the server's shutdown waits for its connections to close).
  income.Signal(SIGTERM);
  bool serving = true;
  for (int i = 0; i < 1500 && serving; ++i) {
    grpc::ClientContext check;
    check.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    serving = health->Check(&check, req, &resp).ok() &&
              resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
    if (serving) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_FALSE(serving);
  const int code = income.WaitAtMost(absl::Seconds(30));
  EXPECT_EQ(code, 0) << "(-1: still running after 30 s)\n" << income.err();
  if (code == -1) income.Signal(SIGKILL);  // the destructor reaps it
  EXPECT_NE(income.err().find("\"msg\":\"stopped\""), std::string::npos);
  orders.Signal(SIGTERM);
  EXPECT_EQ(orders.Wait(), 0);
  catalog.Signal(SIGTERM);
  EXPECT_EQ(catalog.Wait(), 0);
  membership.Signal(SIGTERM);
  EXPECT_EQ(membership.Wait(), 0);
}

}  // namespace
}  // namespace cooplink::testing
