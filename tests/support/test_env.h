// Shared test support: the test MariaDB's settings (from the COOPLINK_DB_* variables that
// tools/test.sh exports after `tools/db.sh start`), unique request ids, generated valid codes, and
// helpers to read google.rpc error details from a grpc::Status.
#ifndef COOPLINK_TESTS_SUPPORT_TEST_ENV_H_
#define COOPLINK_TESTS_SUPPORT_TEST_ENV_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/db.h"
#include "services/common/migrations.h"

namespace cooplink::testing {

// Settings of the test server with `database` as the schema. The database is dropped first so
// every run starts empty; it is left behind afterwards for tools/check_dump.sh.
DbConfig TestDbConfig(const std::string& database);
void DropDatabase(const DbConfig& config);
// A fresh `database` (dropped first, like TestDbConfig) with the runtime's migrations and
// `component`'s `migrations` applied, as the component's server would leave it at start-up. For
// tests of a component's store or feed without its server.
absl::StatusOr<std::unique_ptr<Database>> OpenMigrated(const std::string& database,
                                                       const std::string& component,
                                                       const std::vector<Migration>& migrations);

// A process-wide increasing number, for unique names and codes.
int NextSequence();
// A fresh request_id for a mutating call.
std::string NewRequestId();
// A valid farmers' cooperative USCC (starts with 93) that differs for every `n`.
std::string CooperativeUscc(int n);
// A valid resident ID with the given birth date that differs for every `n`.
std::string ResidentId(int n, const std::string& birth_yyyymmdd = "19800101");
// 32 random bytes, base64 (for token and PII keys).
std::string RandomKeyBase64();

// A client context carrying "authorization: Bearer <token>" (none when empty) and a 10 s deadline.
std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token);

// The google.rpc.BadRequest field names / ErrorInfo reason / ErrorInfo metadata carried by
// `status`.
std::vector<std::string> ViolatedFields(const grpc::Status& status);
std::string ErrorReason(const grpc::Status& status);
std::map<std::string, std::string> ErrorMetadata(const grpc::Status& status);

// Runs `call(i)` for i in [0, n) on n threads released together by a barrier (so the calls really
// race), and returns when all have finished.
void RunConcurrently(int n, const std::function<void(int)>& call);

// Rows in `table` (for "nothing was written" assertions).
int64_t CountRows(Database& db, const std::string& table);

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_TEST_ENV_H_
