// Start-up checks of the database server. ApplyMigrations (migrations.h) runs them each time a
// service opens its database (serving or `migrate`), so a server that would silently weaken a rule
// the code relies on stops the service with a message naming what to change:
//
// 1. Before the migrations, on TiDB only (SELECT VERSION() contains "TiDB"), the settings:
//      tidb_enable_check_constraint = ON   otherwise TiDB drops every CHECK constraint (warning
//                                          only) and the last line of defence is gone
//      new collation framework on          otherwise utf8mb4_unicode_ci compares as binary
//                                          (mysql.tidb new_collation_enabled; fixed when the
//                                          cluster is first created)
//      tidb_txn_mode = pessimistic         the transactions' locking reads must block as on InnoDB
//      tidb_enable_noop_functions = OFF    otherwise LOCK IN SHARE MODE and friends are accepted
//                                          and take no lock
//    MariaDB and MySQL need no setting here.
// 2. After the migrations, on every server: each CHECK constraint the migrations create exists
//    and is enforced (information_schema; MySQL before 8.0.16 parses CHECK and ignores it, TiDB
//    drops it while disabled, an operator may have dropped one). The expected list is derived from
//    the migrations' text (DeclaredCheckConstraints): every CHECK must be written as a named
//    table constraint, `CONSTRAINT chk_<table>_<what> CHECK (...)`; a later
//    `DROP CONSTRAINT`/`DROP CHECK` removes the name again.
//
// The decisions are pure functions over values read from the server, unit-tested with fake
// settings (tests/unit/common/server_checks_test.cc), since no TiDB runs in the tests.
#ifndef COOPLINK_SERVICES_COMMON_SERVER_CHECKS_H_
#define COOPLINK_SERVICES_COMMON_SERVER_CHECKS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/db.h"
#include "services/common/migrations.h"

namespace cooplink {

// What the server says about itself. The TiDB fields are read only on TiDB; nullopt there means
// the server does not know the setting or it could not be read.
struct ServerSettings {
  std::string version;  // SELECT VERSION()
  std::optional<std::string> tidb_enable_check_constraint;
  std::optional<bool> tidb_new_collation_enabled;
  std::optional<std::string> tidb_txn_mode;
  std::optional<std::string> tidb_enable_noop_functions;
};

bool IsTidb(absl::string_view version);

// One sentence per offending setting, naming it, its value and the fix. Empty when the server is
// not TiDB or every setting is right.
std::vector<std::string> ServerSettingProblems(const ServerSettings& settings);

// The named CHECK constraints `migrations` leave in place, in order of creation.
std::vector<std::string> DeclaredCheckConstraints(const std::vector<Migration>& migrations);

// One sentence per constraint of `expected` that is not in `present` or is in `not_enforced`
// (names compare case-insensitively, as the servers do).
std::vector<std::string> CheckConstraintProblems(const std::vector<std::string>& expected,
                                                 const std::vector<std::string>& present,
                                                 const std::vector<std::string>& not_enforced);

// Reads the settings (the TiDB ones only on TiDB).
absl::StatusOr<ServerSettings> ReadServerSettings(Database& db);
// FAILED_PRECONDITION (DATABASE_SERVER_UNSUITABLE) listing ServerSettingProblems.
absl::Status CheckServerSettings(Database& db);
// FAILED_PRECONDITION (DATABASE_SERVER_UNSUITABLE) listing CheckConstraintProblems for the
// constraints of the connected database.
absl::Status VerifyCheckConstraints(Database& db, const std::vector<std::string>& expected);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SERVER_CHECKS_H_
