#include "tests/support/test_env.h"

#include <cppconn/resultset.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/barrier.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/crypto.h"
#include "services/common/ids.h"
#include "services/membership/identity.h"

namespace cooplink::testing {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

}  // namespace

DbConfig TestDbConfig(const std::string& database) {
  DbConfig c;
  c.host = Env("COOPLINK_DB_HOST", "127.0.0.1");
  int port = 3306;
  (void)absl::SimpleAtoi(Env("COOPLINK_DB_PORT", "3306"), &port);
  c.port = port;
  c.socket = Env("COOPLINK_DB_SOCKET", "");
  c.user = Env("COOPLINK_DB_USER", "cooplink");
  c.password = Env("COOPLINK_DB_PASSWORD", "cooplink-dev");
  c.database = database;
  c.pool_size = 16;
  c.max_retries = 3;
  DropDatabase(c);
  return c;
}

void DropDatabase(const DbConfig& config) {
  DbConfig admin = config;
  admin.database = "mysql";
  auto db = Database::Open(admin);
  if (!db.ok()) return;
  (void)(*db)->ExecuteScript(absl::StrCat("DROP DATABASE IF EXISTS `", config.database, "`;"));
}

absl::StatusOr<std::unique_ptr<Database>> OpenMigrated(const std::string& database,
                                                       const std::string& component,
                                                       const std::vector<Migration>& migrations) {
  auto db = Database::Open(TestDbConfig(database));
  if (!db.ok()) return db.status();
  if (absl::Status s = ApplyMigrations(**db, component, migrations); !s.ok()) return s;
  return db;
}

int NextSequence() {
  static std::atomic<int> counter{1};
  return counter.fetch_add(1);
}

std::string NewRequestId() {
  static std::atomic<int> counter{0};
  return absl::StrCat("req-", NewId(absl::Now()), "-", counter.fetch_add(1));
}

std::string CooperativeUscc(int n) {
  // 93 + Lancang county 530828 + a 9-character organisation code + the check character.
  return membership::CompleteUscc(absl::StrCat("93530828", absl::StrFormat("%09d", n)));
}

std::string ResidentId(int n, const std::string& birth_yyyymmdd) {
  return membership::CompleteResidentId(
      absl::StrCat("530828", birth_yyyymmdd, absl::StrFormat("%03d", n % 1000)));
}

std::string RandomKeyBase64() { return absl::Base64Escape(RandomBytes(32)); }

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return fields;
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) fields.push_back(v.field());
    }
  }
  return fields;
}

std::string ErrorReason(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return "";
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::map<std::string, std::string> ErrorMetadata(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return {};
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return {info.metadata().begin(), info.metadata().end()};
  }
  return {};
}

void RunConcurrently(int n, const std::function<void(int)>& call) {
  absl::Barrier* start = new absl::Barrier(n);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&call, start, i] {
      if (start->Block()) delete start;  // the last one through frees the barrier
      call(i);
    });
  }
  for (auto& t : threads) t.join();
}

int64_t CountRows(Database& db, const std::string& table) {
  int64_t n = -1;
  (void)db.Read([&](Tx& tx) {
    auto rs = tx.Query(absl::StrCat("SELECT COUNT(*) AS n FROM ", table));
    if (rs->next()) n = rs->getInt64("n");
    return absl::OkStatus();
  });
  return n;
}

}  // namespace cooplink::testing
