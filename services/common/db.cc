#include "services/common/db.h"

#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "services/common/log.h"
#include "services/common/sql_capture.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

constexpr int kErDbAccessDenied = 1044;
// Idle connections older than this are pinged before reuse.
constexpr absl::Duration kValidateIdleAfter = absl::Seconds(30);

constexpr const char* kSessionSetup =
    "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";
// Portable across MariaDB (tx_isolation) and MySQL 8 (transaction_isolation).
constexpr const char* kIsolation = "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ";
// TiDB executes the /*T! */ comment (a pessimistic transaction whatever tidb_txn_mode says);
// MariaDB and MySQL see a comment and a plain BEGIN.
constexpr const char* kBegin = "BEGIN /*T! PESSIMISTIC */";

sql::Driver* Driver() {
  // The driver's first call is not thread-safe.
  static std::once_flag once;
  static sql::Driver* driver = nullptr;
  std::call_once(once, [] { driver = sql::mysql::get_driver_instance(); });
  return driver;
}

void ExecPlain(sql::Connection& conn, const std::string& sql) {
  CaptureSql(sql);  // for the SQL gate when COOPLINK_SQL_CAPTURE_DIR is set (sql_capture.h)
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->execute(sql);
}

absl::Status Unavailable(absl::string_view what, int code) {
  return WithReason(
      absl::UnavailableError(absl::StrCat("database unavailable: ", what, " (error ", code, ")")),
      "DATABASE_UNAVAILABLE");
}

}  // namespace

Connection::~Connection() {
  statements_.clear();
  lru_.clear();
  try {
    conn_->close();
  } catch (const sql::SQLException&) {
    // Closing a connection whose server is gone fails; nothing to do.
  }
}

sql::PreparedStatement& Connection::Prepare(absl::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    it->second->lease = lease_;
    return *it->second->statement;
  }
  CaptureSql(sql);  // for the SQL gate when COOPLINK_SQL_CAPTURE_DIR is set (sql_capture.h)
  std::unique_ptr<sql::PreparedStatement> stmt(conn_->prepareStatement(std::string(sql)));
  lru_.push_front({std::string(sql), std::move(stmt), lease_});
  statements_.emplace(lru_.front().sql, lru_.begin());
  TrimStatements();
  return *lru_.front().statement;
}

void Connection::EndLease() {
  ++lease_;
  TrimStatements();
}

void Connection::TrimStatements() {
  // The current lease's statements are at the front, so the back is the oldest unpinned one.
  while (lru_.size() > statement_cache_ && lru_.back().lease != lease_) {
    statements_.erase(lru_.back().sql);
    lru_.pop_back();  // deletes the statement: the driver closes it on the server
  }
}

sql::PreparedStatement& Tx::Bind(absl::string_view sql, const std::vector<SqlParam>& params) {
  sql::PreparedStatement& stmt = conn_->Prepare(sql);
  for (size_t i = 0; i < params.size(); ++i) {
    const unsigned int index = static_cast<unsigned int>(i + 1);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            stmt.setNull(index, sql::DataType::VARCHAR);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            stmt.setInt64(index, v);
          } else if constexpr (std::is_same_v<T, bool>) {
            stmt.setBoolean(index, v);
          } else {
            stmt.setString(index, v);
          }
        },
        params[i]);
  }
  return stmt;
}

std::unique_ptr<sql::ResultSet> Tx::QueryParams(absl::string_view sql,
                                                const std::vector<SqlParam>& params) {
  return std::unique_ptr<sql::ResultSet>(Bind(sql, params).executeQuery());
}

int64_t Tx::ExecuteParams(absl::string_view sql, const std::vector<SqlParam>& params) {
  return Bind(sql, params).executeUpdate();
}

std::optional<std::string> GetOptionalString(sql::ResultSet& rs, const char* column) {
  if (rs.isNull(column)) return std::nullopt;
  return std::string(rs.getString(column));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const DbConfig& config, std::vector<CheckConstraintRule> check_rules) {
  std::unique_ptr<Database> db(new Database(config, std::move(check_rules)));
  // Create the service's own schema when the account may; an operator may instead create it.
  {
    DbConfig bootstrap = config;
    bootstrap.database.clear();
    Database admin(bootstrap, {});
    auto conn = admin.Connect();
    if (!conn.ok()) return conn.status();
    try {
      ExecPlain((*conn)->raw(), absl::StrCat("CREATE DATABASE IF NOT EXISTS `", config.database,
                                             "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"));
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() != kErDbAccessDenied) {
        return absl::InternalError(
            absl::StrCat("cannot create database ", config.database, ": error ", e.getErrorCode()));
      }
    }
  }
  auto conn = db->Connect();
  if (!conn.ok()) return conn.status();
  absl::MutexLock lock(&db->mu_);
  db->open_ = 1;
  db->idle_.push_back(*std::move(conn));
  return db;
}

Database::~Database() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

absl::StatusOr<std::unique_ptr<Connection>> Database::Connect() {
  sql::ConnectOptionsMap options;
  options["hostName"] = config_.socket.empty()
                            ? sql::SQLString(config_.host)
                            : sql::SQLString(absl::StrCat("unix://", config_.socket));
  if (config_.socket.empty()) options["port"] = config_.port;
  options["userName"] = sql::SQLString(config_.user);
  options["password"] = sql::SQLString(config_.password);
  if (!config_.database.empty()) options["schema"] = sql::SQLString(config_.database);
  options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  options["OPT_RECONNECT"] = false;  // a silent reconnect would lose an open transaction
  options["OPT_CONNECT_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(config_.connect_timeout));
  try {
    std::unique_ptr<sql::Connection> raw(Driver()->connect(options));
    ExecPlain(*raw, kSessionSetup);
    ExecPlain(*raw, kIsolation);
    auto conn = std::make_unique<Connection>(std::move(raw), config_.statement_cache);
    conn->last_used = absl::Now();
    return conn;
  } catch (const sql::SQLException& e) {
    if (IsConnectionError(e.getErrorCode())) return Unavailable("cannot connect", e.getErrorCode());
    return absl::UnavailableError(
        absl::StrCat("cannot connect to database: error ", e.getErrorCode(), " ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<Connection>> Database::Acquire() {
  const absl::Time deadline = absl::Now() + config_.acquire_timeout;
  while (true) {
    std::unique_ptr<Connection> conn;
    bool validate = false;
    {
      absl::MutexLock lock(&mu_);
      auto can_proceed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !idle_.empty() || open_ < config_.pool_size;
      };
      if (!mu_.AwaitWithDeadline(absl::Condition(&can_proceed), deadline)) {
        return WithReason(absl::UnavailableError("database connection pool exhausted"),
                          "DATABASE_POOL_EXHAUSTED");
      }
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
        validate =
            conn->generation < generation_ || absl::Now() - conn->last_used > kValidateIdleAfter;
        conn->generation = generation_;
      } else {
        ++open_;
      }
    }
    if (conn == nullptr) {
      auto fresh = Connect();
      absl::MutexLock lock(&mu_);
      if (!fresh.ok()) {
        --open_;
        return fresh.status();
      }
      (*fresh)->generation = generation_;
      return fresh;
    }
    if (!validate) return conn;
    bool valid = false;
    try {
      valid = conn->raw().isValid();
    } catch (const sql::SQLException&) {
    }
    if (valid) return conn;
    Release(std::move(conn), /*broken=*/true);
  }
}

void Database::Release(std::unique_ptr<Connection> conn, bool broken) {
  if (broken) {
    conn.reset();  // close outside the lock? closing a dead socket is immediate
    absl::MutexLock lock(&mu_);
    --open_;
    ++generation_;
    return;
  }
  conn->EndLease();
  conn->last_used = absl::Now();
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(conn));
}

absl::Status Database::Transact(const std::function<absl::Status(Tx&)>& body) {
  return Run(/*transactional=*/true, body);
}

absl::Status Database::Read(const std::function<absl::Status(Tx&)>& body) {
  return Run(/*transactional=*/false, body);
}

absl::Status Database::Run(bool transactional, const std::function<absl::Status(Tx&)>& body) {
  int connection_retries = 1;
  for (int attempt = 0;; ++attempt) {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    bool commit_sent = false;
    try {
      if (transactional) ExecPlain((*conn)->raw(), kBegin);
      Tx tx(conn->get());
      absl::Status status = body(tx);
      if (transactional) {
        if (status.ok()) {
          commit_sent = true;
          ExecPlain((*conn)->raw(), "COMMIT");
        } else {
          ExecPlain((*conn)->raw(), "ROLLBACK");
        }
      }
      Release(*std::move(conn), /*broken=*/false);
      return status;
    } catch (const sql::SQLException& e) {
      const int code = e.getErrorCode();
      if (IsConnectionError(code)) {
        Release(*std::move(conn), /*broken=*/true);
        // Safe to retry on a fresh connection only when the COMMIT was never sent.
        if (!commit_sent && connection_retries-- > 0) continue;
        return Unavailable(commit_sent ? "connection lost during commit" : "connection lost", code);
      }
      try {
        if (transactional) ExecPlain((*conn)->raw(), "ROLLBACK");
        Release(*std::move(conn), /*broken=*/false);
      } catch (const sql::SQLException&) {
        Release(*std::move(conn), /*broken=*/true);
      }
      if (ClassifyDbError(code) == DbErrorKind::kRetryable && attempt < config_.max_retries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * (1 << attempt)));
        continue;
      }
      return MapError(code, e.what(), e.getSQLStateCStr());
    } catch (const std::exception& e) {
      Release(*std::move(conn), /*broken=*/true);
      return absl::InternalError(absl::StrCat("unexpected error: ", e.what()));
    }
  }
}

absl::Status Database::MapError(int code, const char* message, const char* sqlstate) const {
  switch (ClassifyDbError(code)) {
    case DbErrorKind::kRetryable:
      return WithReason(absl::AbortedError("transaction conflicted repeatedly; retry later"),
                        "TRANSACTION_CONFLICT");
    case DbErrorKind::kDuplicateKey:
      return WithReason(absl::AlreadyExistsError("the resource already exists"), "ALREADY_EXISTS");
    case DbErrorKind::kCheckViolation: {
      // The message names the constraint and no value (db_errors.h); only the name is kept.
      const std::optional<std::string> constraint = ViolatedCheckConstraint(message);
      LogWarn("check constraint violated",
              {{"db_error", code}, {"constraint", constraint.value_or("(unparsed)")}});
      return CheckViolationStatus(check_rules_, constraint);
    }
    case DbErrorKind::kConnectionLost:  // handled by Run(); here only for completeness
      return Unavailable("connection lost", code);
    case DbErrorKind::kOther:
      break;
  }
  // Connector messages may quote values; log only the code and SQL state.
  LogError("database error", {{"db_error", code}, {"sqlstate", sqlstate}});
  return absl::InternalError(absl::StrCat("database error ", code));
}

absl::Status Database::ExecuteScript(absl::string_view script) {
  return Read([&](Tx& tx) {
    tx.ExecuteScript(script);
    return absl::OkStatus();
  });
}

void Tx::ExecuteScript(absl::string_view script) {
  std::string current;
  for (absl::string_view line : absl::StrSplit(script, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    absl::StrAppend(&current, line, "\n");
    if (absl::EndsWith(trimmed, ";")) {
      ExecPlain(conn_->raw(), current);
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) ExecPlain(conn_->raw(), current);
}

}  // namespace cooplink
