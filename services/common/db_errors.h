// How a server error code becomes an absl::Status, on every target (MariaDB 10.11, MySQL 8, TiDB).
// Pure: no connection, so the classification and the message parsing are unit-tested without a
// database (tests/unit/common/db_errors_test.cc). Database::Transact/Read (db.h) apply it.
//
//   1213 deadlock, 1205 lock wait timeout,           -> retried (bounded), then ABORTED
//   TiDB 9007 write conflict, 8002 conflict of a        (reason TRANSACTION_CONFLICT)
//   SELECT FOR UPDATE, 8022 commit failed (rolled
//   back), 8028 schema changed during the statement
//   2002/2003/2006/2013/2014/2027/2055 client-side,  -> connection dropped; retried once when the
//   1053 shutdown, 1927 killed, MySQL 4031 idle         COMMIT was never sent, else UNAVAILABLE
//   disconnect
//   1062 duplicate key                                -> ALREADY_EXISTS
//   CHECK violated: MariaDB 4025, MySQL/TiDB 3819     -> the service's CheckConstraintRule for the
//                                                       constraint named in the server message
//   anything else                                     -> INTERNAL
//
// CHECK constraints: the server message names the constraint and no value
//   MariaDB:      CONSTRAINT `chk_x` failed for `db`.`table`
//   MySQL, TiDB:  Check constraint 'chk_x' is violated.
// Each service declares what its constraints mean to a caller (CheckConstraintRule): an input rule
// becomes INVALID_ARGUMENT with a field violation on the request field it guards (the contract's
// shape for bad input), a state rule becomes FAILED_PRECONDITION with a reason. A constraint the
// service did not declare (or a message that cannot be parsed) becomes FAILED_PRECONDITION
// CHECK_CONSTRAINT_VIOLATED naming the constraint: never INTERNAL, never a value.
#ifndef COOPLINK_SERVICES_COMMON_DB_ERRORS_H_
#define COOPLINK_SERVICES_COMMON_DB_ERRORS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cooplink {

// MySQL/MariaDB server error 1062 (ER_DUP_ENTRY): an INSERT or UPDATE hit a unique key.
inline constexpr int kMysqlErrDupEntry = 1062;

enum class DbErrorKind {
  kRetryable,       // the transaction was rolled back by a conflict; running it again is safe
  kConnectionLost,  // the connection is gone or unusable
  kDuplicateKey,
  kCheckViolation,
  kOther,
};
DbErrorKind ClassifyDbError(int error_code);

// True for error codes that mean the server connection is gone (kConnectionLost).
bool IsConnectionError(int error_code);

// The constraint named by a CHECK-violation message (either server's wording), or nullopt.
std::optional<std::string> ViolatedCheckConstraint(absl::string_view server_message);

// What a violated CHECK constraint means to the caller. Make one with InputRule or StateRule.
struct CheckConstraintRule {
  std::string constraint;   // its name in the migrations
  std::string field;        // input rule: the request field it guards ("cooperative.fee_bps")
  std::string reason;       // state rule: the ErrorInfo reason
  std::string description;  // the rule in words; never a value
};
// INVALID_ARGUMENT with a field violation {field, description}.
CheckConstraintRule InputRule(std::string constraint, std::string field, std::string description);
// FAILED_PRECONDITION with `reason` and `description` as the message.
CheckConstraintRule StateRule(std::string constraint, std::string reason, std::string description);

// The status for a violation of `constraint` (nullopt: the name could not be parsed) under
// `rules`. See the file comment.
absl::Status CheckViolationStatus(const std::vector<CheckConstraintRule>& rules,
                                  const std::optional<std::string>& constraint);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_DB_ERRORS_H_
