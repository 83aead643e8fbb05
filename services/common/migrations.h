// Versioned schema migrations. Each service owns one database and embeds its SQL files
// (services/<svc>/migrations/NNNN_name.sql, see cmake/CooplinkMigrations.cmake). They are applied
// at start-up or by the `migrate` subcommand, recorded in schema_migrations, and serialised by a
// named lock so that two replicas starting at once apply each migration exactly once.
#ifndef COOPLINK_SERVICES_COMMON_MIGRATIONS_H_
#define COOPLINK_SERVICES_COMMON_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/common/db.h"

namespace cooplink {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Applies the runtime's own tables (idempotency keys) and then `migrations` of `component`.
// FAILED_PRECONDITION when an applied migration's text has changed since it was applied.
absl::Status ApplyMigrations(Database& db, const std::string& component,
                             const std::vector<Migration>& migrations);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_MIGRATIONS_H_
