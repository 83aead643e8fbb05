#include "services/common/server_checks.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

constexpr const char* kSelectVersion = "SELECT VERSION() AS v";
constexpr const char* kSelectCheckConstraintSetting = "SELECT @@tidb_enable_check_constraint AS v";
constexpr const char* kSelectTxnMode = "SELECT @@tidb_txn_mode AS v";
constexpr const char* kSelectNoopFunctions = "SELECT @@tidb_enable_noop_functions AS v";
// Needs SELECT on mysql.tidb; without it the collation list tells the same: with the new framework
// off, TiDB lists only binary collations.
constexpr const char* kSelectNewCollation =
    "SELECT VARIABLE_VALUE AS v FROM mysql.tidb WHERE VARIABLE_NAME = 'new_collation_enabled'";
constexpr const char* kSelectUnicodeCollation =
    "SELECT COUNT(*) AS n FROM information_schema.COLLATIONS "
    "WHERE COLLATION_NAME = 'utf8mb4_unicode_ci'";
constexpr const char* kSelectCheckConstraints =
    "SELECT CONSTRAINT_NAME AS name FROM information_schema.CHECK_CONSTRAINTS "
    "WHERE CONSTRAINT_SCHEMA = DATABASE()";
// MySQL 8 only (CHECK ... NOT ENFORCED); MariaDB has no ENFORCED column (error 1054, skipped).
constexpr const char* kSelectUnenforced =
    "SELECT CONSTRAINT_NAME AS name FROM information_schema.TABLE_CONSTRAINTS "
    "WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK' AND ENFORCED = 'NO'";
constexpr int kErUnknownTable = 1109;

bool IsOn(const std::string& v) {
  const std::string u = absl::AsciiStrToUpper(v);
  return u == "ON" || u == "1" || u == "TRUE";
}
bool IsOff(const std::string& v) {
  const std::string u = absl::AsciiStrToUpper(v);
  return u == "OFF" || u == "0" || u == "FALSE";
}

// The first column of a one-row query, or nullopt when the server refuses it (an unknown variable,
// a missing privilege).
std::optional<std::string> ReadOne(Tx& tx, const char* sql) {
  try {
    auto rs = tx.Query(sql);
    if (!rs->next() || rs->isNull(1)) return std::nullopt;
    return std::string(rs->getString(1));
  } catch (const sql::SQLException&) {
    return std::nullopt;
  }
}

std::vector<std::string> ReadNames(Tx& tx, const char* sql) {
  std::vector<std::string> names;
  auto rs = tx.Query(sql);
  while (rs->next()) names.push_back(std::string(rs->getString("name")));
  return names;
}

// The SQL text as words: identifiers (backquotes removed) and single punctuation characters.
// Comments and string literals are skipped.
std::vector<std::string> Words(absl::string_view sql) {
  std::vector<std::string> words;
  size_t i = 0;
  auto is_word = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (sql.substr(i, 2) == "--" || c == '#') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (sql.substr(i, 2) == "/*") {
      const size_t end = sql.find("*/", i + 2);
      i = end == absl::string_view::npos ? sql.size() : end + 2;
    } else if (c == '\'' || c == '"' || c == '`') {
      const size_t end = sql.find(c, i + 1);
      const size_t stop = end == absl::string_view::npos ? sql.size() : end;
      if (c == '`') words.emplace_back(sql.substr(i + 1, stop - i - 1));
      i = stop + 1;
    } else if (is_word(c)) {
      const size_t start = i;
      while (i < sql.size() && is_word(sql[i])) ++i;
      words.emplace_back(sql.substr(start, i - start));
    } else {
      words.emplace_back(1, c);
      ++i;
    }
  }
  return words;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return absl::EqualsIgnoreCase(n, name); });
}

absl::Status Unsuitable(absl::string_view what, const std::vector<std::string>& problems) {
  return FailedPrecondition("DATABASE_SERVER_UNSUITABLE",
                            absl::StrCat(what, ": ", absl::StrJoin(problems, " ")));
}

}  // namespace

bool IsTidb(absl::string_view version) { return absl::StrContains(version, "TiDB"); }

std::vector<std::string> ServerSettingProblems(const ServerSettings& s) {
  std::vector<std::string> problems;
  if (!IsTidb(s.version)) return problems;
  if (!s.tidb_enable_check_constraint.has_value()) {
    problems.push_back(
        "tidb_enable_check_constraint is unknown to this server (TiDB before v7.2 cannot enforce "
        "CHECK constraints): use TiDB v7.2 or later with tidb_enable_check_constraint = ON.");
  } else if (!IsOn(*s.tidb_enable_check_constraint)) {
    problems.push_back(absl::StrCat(
        "tidb_enable_check_constraint is ", *s.tidb_enable_check_constraint,
        ": SET GLOBAL tidb_enable_check_constraint = ON (while it is off TiDB drops CHECK "
        "constraints from new tables)."));
  }
  if (!s.tidb_new_collation_enabled.has_value()) {
    problems.push_back(
        "whether the new collation framework is on could not be read (mysql.tidb "
        "new_collation_enabled): it must be on.");
  } else if (!*s.tidb_new_collation_enabled) {
    problems.push_back(
        "the new collation framework is off (mysql.tidb new_collation_enabled = False): it can "
        "only be chosen when the cluster is created (new_collations_enabled_on_first_bootstrap = "
        "true); without it utf8mb4_unicode_ci compares as binary.");
  }
  if (!s.tidb_txn_mode.has_value() || absl::AsciiStrToLower(*s.tidb_txn_mode) != "pessimistic") {
    problems.push_back(absl::StrCat("tidb_txn_mode is '", s.tidb_txn_mode.value_or("(unknown)"),
                                    "': SET GLOBAL tidb_txn_mode = 'pessimistic'."));
  }
  if (!s.tidb_enable_noop_functions.has_value() || !IsOff(*s.tidb_enable_noop_functions)) {
    problems.push_back(absl::StrCat(
        "tidb_enable_noop_functions is ", s.tidb_enable_noop_functions.value_or("(unknown)"),
        ": SET GLOBAL tidb_enable_noop_functions = OFF (otherwise statements TiDB cannot honour, "
        "such as LOCK IN SHARE MODE, are accepted and take no lock)."));
  }
  return problems;
}

std::vector<std::string> DeclaredCheckConstraints(const std::vector<Migration>& migrations) {
  std::vector<std::string> names;
  for (const Migration& m : migrations) {
    const std::vector<std::string> w = Words(m.sql);
    for (size_t i = 0; i + 2 < w.size(); ++i) {
      if (absl::EqualsIgnoreCase(w[i], "CONSTRAINT") && absl::EqualsIgnoreCase(w[i + 2], "CHECK")) {
        if (!Contains(names, w[i + 1])) names.push_back(w[i + 1]);
      } else if (absl::EqualsIgnoreCase(w[i], "DROP") &&
                 (absl::EqualsIgnoreCase(w[i + 1], "CONSTRAINT") ||
                  absl::EqualsIgnoreCase(w[i + 1], "CHECK"))) {
        size_t at = i + 2;
        if (at + 2 < w.size() && absl::EqualsIgnoreCase(w[at], "IF") &&
            absl::EqualsIgnoreCase(w[at + 1], "EXISTS")) {
          at += 2;
        }
        const std::string& dropped = w[at];
        names.erase(std::remove_if(
                        names.begin(), names.end(),
                        [&](const std::string& n) { return absl::EqualsIgnoreCase(n, dropped); }),
                    names.end());
      }
    }
  }
  return names;
}

std::vector<std::string> CheckConstraintProblems(const std::vector<std::string>& expected,
                                                 const std::vector<std::string>& present,
                                                 const std::vector<std::string>& not_enforced) {
  std::vector<std::string> problems;
  for (const std::string& name : expected) {
    if (!Contains(present, name)) {
      problems.push_back(absl::StrCat("CHECK constraint ", name, " is missing."));
    } else if (Contains(not_enforced, name)) {
      problems.push_back(absl::StrCat("CHECK constraint ", name, " is NOT ENFORCED."));
    }
  }
  return problems;
}

absl::StatusOr<ServerSettings> ReadServerSettings(Database& db) {
  ServerSettings s;
  absl::Status status = db.Read([&](Tx& tx) -> absl::Status {
    s.version = ReadOne(tx, kSelectVersion).value_or("");
    if (!IsTidb(s.version)) return absl::OkStatus();
    s.tidb_enable_check_constraint = ReadOne(tx, kSelectCheckConstraintSetting);
    s.tidb_txn_mode = ReadOne(tx, kSelectTxnMode);
    s.tidb_enable_noop_functions = ReadOne(tx, kSelectNoopFunctions);
    if (auto v = ReadOne(tx, kSelectNewCollation); v.has_value()) {
      s.tidb_new_collation_enabled = IsOn(*v);
    } else if (auto n = ReadOne(tx, kSelectUnicodeCollation); n.has_value()) {
      s.tidb_new_collation_enabled = *n != "0";
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return s;
}

absl::Status CheckServerSettings(Database& db) {
  auto settings = ReadServerSettings(db);
  if (!settings.ok()) return settings.status();
  const std::vector<std::string> problems = ServerSettingProblems(*settings);
  if (problems.empty()) return absl::OkStatus();
  return Unsuitable(absl::StrCat("the database server (", settings->version,
                                 ") lacks settings cooplink relies on"),
                    problems);
}

absl::Status VerifyCheckConstraints(Database& db, const std::vector<std::string>& expected) {
  if (expected.empty()) return absl::OkStatus();
  std::vector<std::string> present, not_enforced;
  bool catalog_missing = false;
  absl::Status status = db.Read([&](Tx& tx) -> absl::Status {
    try {
      present = ReadNames(tx, kSelectCheckConstraints);
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() != kErUnknownTable) throw;
      catalog_missing = true;
      return absl::OkStatus();
    }
    try {
      not_enforced = ReadNames(tx, kSelectUnenforced);
    } catch (const sql::SQLException&) {
      // No ENFORCED column (MariaDB, TiDB): every constraint they keep is enforced.
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  const std::string what =
      absl::StrCat("database ", db.config().database, " does not enforce its CHECK constraints");
  if (catalog_missing) {
    return Unsuitable(what,
                      {"The server has no information_schema.CHECK_CONSTRAINTS, so it ignores "
                       "CHECK constraints (MySQL before 8.0.16): use MySQL 8.0.16 or later."});
  }
  std::vector<std::string> problems = CheckConstraintProblems(expected, present, not_enforced);
  if (problems.empty()) return absl::OkStatus();
  problems.push_back(
      "MySQL before 8.0.16 ignores CHECK constraints and TiDB drops them while "
      "tidb_enable_check_constraint is OFF; re-create each one as its migration declares it "
      "(ALTER TABLE ... ADD CONSTRAINT ... CHECK ...).");
  return Unsuitable(what, problems);
}

}  // namespace cooplink
