#include "services/common/db_errors.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

// Server errors (MySQL's mysqld_error.h, MariaDB's, TiDB's errno package).
constexpr int kErLockWaitTimeout = 1205;
constexpr int kErLockDeadlock = 1213;
constexpr int kErServerShutdown = 1053;
constexpr int kErConnectionKilled = 1927;          // MariaDB
constexpr int kErClientInteractionTimeout = 4031;  // MySQL 8.0.24+: idle disconnect
constexpr int kErCheckConstraintViolated = 3819;   // MySQL 8.0.16+, TiDB
constexpr int kErConstraintFailed = 4025;          // MariaDB
constexpr int kTidbWriteConflictInTidb = 8002;     // SELECT FOR UPDATE conflict: retry the txn
constexpr int kTidbTxnRetryable = 8022;            // commit failed, rolled back: retry the txn
constexpr int kTidbInfoSchemaChanged = 8028;       // schema changed under the txn: retry it
constexpr int kTidbWriteConflict = 9007;           // write conflict in TiKV: retry the txn
// Client library errors (errmsg.h): the connection to the server is gone or unusable.
constexpr int kCrConnectionError = 2002;
constexpr int kCrConnHostError = 2003;
constexpr int kCrServerGoneError = 2006;
constexpr int kCrServerLost = 2013;
constexpr int kCrCommandsOutOfSync = 2014;
constexpr int kCrMalformedPacket = 2027;
constexpr int kCrServerLostExtended = 2055;

constexpr absl::string_view kMariaDbPrefix = "CONSTRAINT `";
constexpr absl::string_view kMysqlPrefix = "Check constraint '";
constexpr absl::string_view kMysqlSuffix = "' is violated";

// The text of `message` after `prefix` up to `end`, when both occur and enclose a name.
std::optional<std::string> Between(absl::string_view message, absl::string_view prefix,
                                   absl::string_view end) {
  const size_t start = message.find(prefix);
  if (start == absl::string_view::npos) return std::nullopt;
  const absl::string_view rest = message.substr(start + prefix.size());
  const size_t stop = rest.find(end);
  if (stop == absl::string_view::npos || stop == 0) return std::nullopt;
  const absl::string_view name = rest.substr(0, stop);
  // An identifier as the migrations write them; anything else is not trusted into a message.
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$') {
      return std::nullopt;
    }
  }
  return std::string(name);
}

}  // namespace

bool IsConnectionError(int code) {
  return code == kCrConnectionError || code == kCrConnHostError || code == kCrServerGoneError ||
         code == kCrServerLost || code == kCrServerLostExtended || code == kCrCommandsOutOfSync ||
         code == kCrMalformedPacket || code == kErConnectionKilled || code == kErServerShutdown ||
         code == kErClientInteractionTimeout;
}

DbErrorKind ClassifyDbError(int code) {
  switch (code) {
    case kErLockDeadlock:
    case kErLockWaitTimeout:
    case kTidbWriteConflict:
    case kTidbWriteConflictInTidb:
    case kTidbTxnRetryable:
    case kTidbInfoSchemaChanged:
      return DbErrorKind::kRetryable;
    case kMysqlErrDupEntry:
      return DbErrorKind::kDuplicateKey;
    case kErCheckConstraintViolated:
    case kErConstraintFailed:
      return DbErrorKind::kCheckViolation;
    default:
      return IsConnectionError(code) ? DbErrorKind::kConnectionLost : DbErrorKind::kOther;
  }
}

std::optional<std::string> ViolatedCheckConstraint(absl::string_view message) {
  if (auto name = Between(message, kMariaDbPrefix, "`")) return name;
  return Between(message, kMysqlPrefix, kMysqlSuffix);
}

CheckConstraintRule InputRule(std::string constraint, std::string field, std::string description) {
  return {std::move(constraint), std::move(field), "", std::move(description)};
}

CheckConstraintRule StateRule(std::string constraint, std::string reason, std::string description) {
  return {std::move(constraint), "", std::move(reason), std::move(description)};
}

absl::Status CheckViolationStatus(const std::vector<CheckConstraintRule>& rules,
                                  const std::optional<std::string>& constraint) {
  if (constraint.has_value()) {
    for (const CheckConstraintRule& rule : rules) {
      if (rule.constraint != *constraint) continue;
      if (!rule.field.empty()) return InvalidField(rule.field, rule.description);
      return FailedPrecondition(rule.reason, rule.description);
    }
  }
  return FailedPrecondition(
      "CHECK_CONSTRAINT_VIOLATED",
      constraint.has_value() ? absl::StrCat("the change breaks the stored-data rule ", *constraint)
                             : std::string("the change breaks a stored-data rule"));
}

}  // namespace cooplink
