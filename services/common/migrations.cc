#include "services/common/migrations.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/crypto.h"
#include "services/common/log.h"
#include "services/common/server_checks.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

constexpr int kLockTimeoutSeconds = 120;
constexpr absl::string_view kLockPrefix = "cooplink_migrate_";
constexpr size_t kMaxLockName = 64;  // MySQL's limit (ER_USER_LOCK_WRONG_NAME beyond it)
constexpr size_t kLockHashHexChars = 32;

constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  component VARCHAR(64) NOT NULL,
  version INT NOT NULL,
  name VARCHAR(200) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_time_us BIGINT NOT NULL,
  PRIMARY KEY (component, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
)sql";
constexpr const char* kGetLock = "SELECT GET_LOCK(?, ?) AS locked";
constexpr const char* kReleaseLock = "SELECT RELEASE_LOCK(?) AS released";
constexpr const char* kSelectApplied =
    "SELECT version, checksum FROM schema_migrations WHERE component = ?";
constexpr const char* kInsertApplied =
    "INSERT INTO schema_migrations (component, version, name, checksum, applied_time_us) "
    "VALUES (?, ?, ?, ?, ?)";

// Tables every service has, owned by the shared runtime.
const std::vector<Migration>& RuntimeMigrations() {
  static const auto* const kMigrations = new std::vector<Migration>{
      {1, "idempotency_keys", R"sql(
CREATE TABLE idempotency_keys (
  principal_id VARCHAR(64) NOT NULL,
  request_id VARCHAR(64) NOT NULL,
  method VARCHAR(100) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  reply MEDIUMTEXT NULL,
  create_time_us BIGINT NOT NULL,
  PRIMARY KEY (principal_id, request_id),
  KEY idx_idempotency_create_time (create_time_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
)sql"},
      // request_ids are scoped to the principal and the RPC: the same id on another RPC is
      // another request (protos: "scoped to the calling principal and the RPC").
      {2, "idempotency_keys_per_rpc", R"sql(
ALTER TABLE idempotency_keys DROP PRIMARY KEY, ADD PRIMARY KEY (principal_id, method, request_id);
)sql"},
      // The transactional outbox and its relay leases (outbox.h, outbox_relay.h), and the cursors
      // of this service's stream consumers (stream_consumer.h).
      {3, "outbox_and_stream_cursors", R"sql(
CREATE TABLE outbox (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  topic VARCHAR(64) NOT NULL,
  msg_key VARCHAR(128) NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  create_time_us BIGINT NOT NULL,
  delivered_time_us BIGINT NULL,
  attempts INT NOT NULL,
  next_attempt_us BIGINT NOT NULL,
  KEY idx_outbox_pending (topic, delivered_time_us, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  /*T![auto_id_cache] AUTO_ID_CACHE=1 */;
CREATE TABLE outbox_leases (
  topic VARCHAR(64) NOT NULL PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  expire_time_us BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE stream_cursors (
  stream_name VARCHAR(128) NOT NULL PRIMARY KEY,
  cursor_value VARCHAR(1024) NOT NULL,
  update_time_us BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
)sql"},
  };
  return *kMigrations;
}

absl::Status ApplyComponent(Tx& tx, const std::string& component,
                            const std::vector<Migration>& migrations) {
  std::map<int, std::string> applied;
  {
    auto rs = tx.Query(kSelectApplied, component);
    while (rs->next()) applied[rs->getInt("version")] = std::string(rs->getString("checksum"));
  }
  for (const Migration& m : migrations) {
    const std::string checksum = Sha256Hex(m.sql);
    auto it = applied.find(m.version);
    if (it != applied.end()) {
      if (it->second != checksum) {
        return FailedPrecondition("MIGRATION_CHANGED",
                                  absl::StrCat("migration ", component, "/", m.name,
                                               " was changed after it had been applied"));
      }
      continue;
    }
    tx.ExecuteScript(m.sql);
    tx.Execute(kInsertApplied, component, m.version, m.name, checksum,
               absl::ToUnixMicros(absl::Now()));
    LogInfo("applied migration", {{"component", component}, {"name", m.name}});
  }
  return absl::OkStatus();
}

}  // namespace

std::string MigrationLockName(absl::string_view database) {
  std::string name = absl::StrCat(kLockPrefix, database);
  if (name.size() <= kMaxLockName) return name;
  return absl::StrCat(kLockPrefix, "sha256_", Sha256Hex(database).substr(0, kLockHashHexChars));
}

absl::Status ApplyMigrations(Database& db, const std::string& component,
                             const std::vector<Migration>& migrations) {
  if (absl::Status s = CheckServerSettings(db); !s.ok()) return s;
  const std::string lock_name = MigrationLockName(db.config().database);
  absl::Status applied = db.Read([&](Tx& tx) -> absl::Status {
    {
      auto rs = tx.Query(kGetLock, lock_name, kLockTimeoutSeconds);
      if (!rs->next() || rs->isNull("locked") || rs->getInt("locked") != 1) {
        return absl::DeadlineExceededError("timed out waiting for the migration lock");
      }
    }
    // The named lock belongs to this pooled connection's session: release it on every path, also
    // when a statement throws, or the next ApplyMigrations would wait for it.
    absl::Status status;
    try {
      tx.ExecuteScript(kCreateMigrationsTable);
      status = ApplyComponent(tx, "runtime", RuntimeMigrations());
      if (status.ok()) status = ApplyComponent(tx, component, migrations);
    } catch (const sql::SQLException&) {
      tx.Query(kReleaseLock, lock_name);
      throw;  // mapped to a status by Database::Read
    }
    tx.Query(kReleaseLock, lock_name);
    return status;
  });
  if (!applied.ok()) return applied;
  return VerifyCheckConstraints(db, DeclaredCheckConstraints(migrations));
}

}  // namespace cooplink
