// Membership keeps running across a MariaDB restart: calls fail fast with UNAVAILABLE while the
// database is down and succeed again within 5 s after it is back, without restarting the service.
// The test runs its own private MariaDB (tools/db.sh) so it can stop and start it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/membership/membership_server.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

namespace mv1 = ::cooplink::membership::v1;

int Sh(const std::string& command) { return std::system(command.c_str()); }

class DbRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(COOPLINK_BINARY_DIR, "/mariadb-restart-test");
    // The suite's own server: ignore the shared test server's port and directory.
    db_sh_ = absl::StrCat("env -u COOPLINK_DB_PORT -u COOPLINK_DB_DIR ", COOPLINK_SOURCE_DIR,
                          "/tools/db.sh");
    ASSERT_EQ(Sh(absl::StrCat(db_sh_, " start ", dir_, " >/dev/null")), 0);
    std::ifstream env(dir_ + "/env");
    std::string line;
    while (std::getline(env, line)) {
      std::vector<std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
      if (kv.size() == 2) vars_[kv[0]] = kv[1];
    }
  }
  void TearDown() override { Sh(absl::StrCat(db_sh_, " stop ", dir_, " >/dev/null 2>&1")); }

  std::string dir_, db_sh_;
  std::map<std::string, std::string> vars_;
};

TEST_F(DbRestartTest, CallsFailUnavailableWhileDownAndRecoverWithin5SecondsAfter) {
  membership::MembershipConfig config;
  config.db.host = "127.0.0.1";
  ASSERT_TRUE(absl::SimpleAtoi(vars_["COOPLINK_DB_PORT"], &config.db.port));
  config.db.user = vars_["COOPLINK_DB_USER"];
  config.db.password = vars_["COOPLINK_DB_PASSWORD"];
  config.db.database = "test_membership_restart";
  config.db.acquire_timeout = absl::Seconds(1);
  config.db.connect_timeout = absl::Seconds(1);
  config.server.listen = "127.0.0.1:0";
  config.token_key = RandomKeyBase64();
  config.pii_key = RandomKeyBase64();
  config.access_log = false;
  SystemClock clock;
  auto server = membership::MembershipServer::Start(config, &clock);
  ASSERT_TRUE(server.ok()) << server.status();
  mv1::Principal admin;
  mv1::IssueTokenResponse token;
  ASSERT_TRUE((*server)
                  ->membership()
                  .BootstrapPlatformAdmin("restart", absl::Hours(1), &admin, &token)
                  .ok());
  auto stub = mv1::MembershipService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));
  auto call = [&] {
    mv1::ListPartnersRequest req;
    mv1::ListPartnersResponse out;
    return stub->ListPartners(Ctx(token.token()).get(), req, &out).error_code();
  };
  // Warm the pool with several connections, all of which will die with the server.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(call(), grpc::StatusCode::OK);

  ASSERT_EQ(Sh(absl::StrCat(db_sh_, " stop ", dir_, " >/dev/null")), 0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(call(), grpc::StatusCode::UNAVAILABLE) << "call " << i;

  ASSERT_EQ(Sh(absl::StrCat(db_sh_, " start ", dir_, " >/dev/null")), 0);
  const absl::Time back = absl::Now();
  grpc::StatusCode code = call();
  while (code != grpc::StatusCode::OK && absl::Now() - back < absl::Seconds(5)) {
    absl::SleepFor(absl::Milliseconds(100));
    code = call();
  }
  EXPECT_EQ(code, grpc::StatusCode::OK);
  std::printf("recovered %.0f ms after the database was back\n",
              absl::ToDoubleMilliseconds(absl::Now() - back));
  // Writes work again too, on re-prepared statements.
  mv1::CreatePartnerRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_partner()->set_name("重启后的伙伴");
  create.mutable_partner()->set_channel_kind(common::v1::CHANNEL_KIND_WECHAT_SHOP);
  create.mutable_partner()->set_commission_rate_bps(100);
  mv1::Partner partner;
  grpc::Status s = stub->CreatePartner(Ctx(token.token()).get(), create, &partner);
  EXPECT_TRUE(s.ok()) << s.error_message();
  (*server)->Shutdown();
}

}  // namespace
}  // namespace cooplink::testing
