// MySQL/MariaDB/TiDB access over Connector/C++ 1.1: a bounded connection pool that survives
// database restarts, and one RAII way to run a transaction.
//
// Transactions begin with `BEGIN /*T! PESSIMISTIC */`: TiDB reads the comment and starts a
// pessimistic transaction (locking reads and writes lock as on InnoDB, a plain read sees the
// snapshot taken at BEGIN); MariaDB and MySQL read a plain BEGIN. Isolation is REPEATABLE READ.
//
// Connector/C++ reports errors by throwing sql::SQLException. Those exceptions never leave this
// layer: Database::Transact()/Read() catch them and map them to absl::Status as db_errors.h says
// (conflicts retried then ABORTED, a lost connection UNAVAILABLE, a duplicate key ALREADY_EXISTS,
// a CHECK violation the service's rule for that constraint, anything else INTERNAL). Code inside a
// transaction body may call the Connector API (and so throw) freely.
//
// Prepared statements are cached per connection, at most DbConfig::statement_cache of them, least
// recently used closed first (closing frees the server-side statement, so a long-running server
// stays far below the server's max_prepared_stmt_count). Statements used by the transaction in
// progress are never closed under it: a transaction that alone uses more distinct statements than
// the bound lets the cache grow until it ends, and the cache shrinks back when the connection is
// returned to the pool.
#ifndef COOPLINK_SERVICES_COMMON_DB_H_
#define COOPLINK_SERVICES_COMMON_DB_H_

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/db_errors.h"

namespace cooplink {

struct DbConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;  // when set, used instead of host:port
  std::string user = "cooplink";
  std::string password;
  std::string database;
  int pool_size = 16;
  absl::Duration acquire_timeout = absl::Seconds(2);
  absl::Duration connect_timeout = absl::Seconds(2);
  int max_retries = 3;        // deadlock / lock-wait retries before ABORTED
  int statement_cache = 256;  // prepared statements kept per connection (LRU)
};

// A live connection and its prepared statements: a bounded LRU cache keyed by SQL text (see the
// file comment), so a reconnect (a new Connection) re-prepares them. Used by one thread at a time
// (the one that borrowed it from the pool).
class Connection {
 public:
  Connection(std::unique_ptr<sql::Connection> conn, int statement_cache)
      : conn_(std::move(conn)), statement_cache_(statement_cache > 0 ? statement_cache : 1) {}
  ~Connection();
  sql::PreparedStatement& Prepare(absl::string_view sql);
  sql::Connection& raw() { return *conn_; }
  // The transaction (lease) using the connection has ended: its statements are no longer pinned,
  // and the cache shrinks back to the bound.
  void EndLease();
  // How many prepared statements this connection holds (open on the server).
  size_t cached_statements() const { return statements_.size(); }
  uint64_t generation = 0;
  absl::Time last_used;

 private:
  struct CachedStatement {
    std::string sql;
    std::unique_ptr<sql::PreparedStatement> statement;
    uint64_t lease = 0;  // the lease that used it last
  };
  using Lru = std::list<CachedStatement>;  // most recently used first
  // Closes least recently used statements beyond the bound, never one of the current lease's.
  void TrimStatements();

  std::unique_ptr<sql::Connection> conn_;
  size_t statement_cache_;
  uint64_t lease_ = 0;
  Lru lru_;
  absl::flat_hash_map<absl::string_view, Lru::iterator> statements_;  // keys view lru_'s sql
};

// A SQL parameter: bind values with Tx::Query/Execute.
using SqlParam = std::variant<std::nullptr_t, int64_t, std::string, bool>;
inline SqlParam Param(int64_t v) { return v; }
inline SqlParam Param(int v) { return static_cast<int64_t>(v); }
inline SqlParam Param(bool v) { return v; }
inline SqlParam Param(absl::string_view v) { return std::string(v); }
inline SqlParam Param(const char* v) { return std::string(v); }
inline SqlParam Param(const std::string& v) { return v; }
inline SqlParam Param(std::nullptr_t) { return nullptr; }
template <typename T>
SqlParam Param(const std::optional<T>& v) {
  return v ? Param(*v) : SqlParam(nullptr);
}

// The statements of one transaction (or one autocommit read) on one borrowed connection.
class Tx {
 public:
  explicit Tx(Connection* conn) : conn_(conn) {}

  template <typename... Args>
  std::unique_ptr<sql::ResultSet> Query(absl::string_view sql, const Args&... args) {
    return QueryParams(sql, {Param(args)...});
  }
  // Returns the number of affected rows.
  template <typename... Args>
  int64_t Execute(absl::string_view sql, const Args&... args) {
    return ExecuteParams(sql, {Param(args)...});
  }
  std::unique_ptr<sql::ResultSet> QueryParams(absl::string_view sql,
                                              const std::vector<SqlParam>& params);
  int64_t ExecuteParams(absl::string_view sql, const std::vector<SqlParam>& params);
  // Runs ';'-terminated statements (one per line end, "--" comment lines skipped) unprepared.
  void ExecuteScript(absl::string_view script);
  // Prepared statements held by the underlying connection (for tests of the cache bound).
  size_t cached_statements() const { return conn_->cached_statements(); }

 private:
  sql::PreparedStatement& Bind(absl::string_view sql, const std::vector<SqlParam>& params);
  Connection* conn_;
};

class Database {
 public:
  // Connects one connection eagerly so that a bad configuration fails at start-up. `check_rules`
  // say what the service's CHECK constraints mean to a caller (db_errors.h).
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const DbConfig& config, std::vector<CheckConstraintRule> check_rules = {});
  ~Database();

  // Runs `body` in a transaction (REPEATABLE READ). A non-OK status from `body` rolls back and is
  // returned as is. Deadlocks are retried, so `body` must have no effect outside the database.
  absl::Status Transact(const std::function<absl::Status(Tx&)>& body);
  // Runs `body` with autocommit on (single consistent reads need no transaction).
  absl::Status Read(const std::function<absl::Status(Tx&)>& body);

  // Executes a script of ';'-terminated statements outside any transaction (DDL).
  absl::Status ExecuteScript(absl::string_view script);

  const DbConfig& config() const { return config_; }

 private:
  Database(DbConfig config, std::vector<CheckConstraintRule> check_rules)
      : config_(std::move(config)), check_rules_(std::move(check_rules)) {}
  class Lease;
  absl::StatusOr<std::unique_ptr<Connection>> Connect();
  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> conn, bool broken);
  absl::Status Run(bool transactional, const std::function<absl::Status(Tx&)>& body);

  // Maps a failed statement's exception to a status (see the file comment).
  absl::Status MapError(int code, const char* message, const char* sqlstate) const;

  const DbConfig config_;
  const std::vector<CheckConstraintRule> check_rules_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased + connecting
  // Bumped whenever a connection is found dead: older idle connections are validated before reuse.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

// Helpers for reading nullable columns.
std::optional<std::string> GetOptionalString(sql::ResultSet& rs, const char* column);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_DB_H_
