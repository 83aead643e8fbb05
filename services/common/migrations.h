// Versioned schema migrations. Each service owns one database and embeds its SQL files
// (services/<svc>/migrations/NNNN_name.sql, see cmake/CooplinkMigrations.cmake). They are applied
// at start-up or by the `migrate` subcommand, recorded in schema_migrations, and serialised by a
// named lock (GET_LOCK, MigrationLockName) so that two replicas starting at once apply each
// migration exactly once. Around them run the start-up checks of server_checks.h: the server's
// settings before, the presence of every CHECK constraint the migrations declare after.
#ifndef COOPLINK_SERVICES_COMMON_MIGRATIONS_H_
#define COOPLINK_SERVICES_COMMON_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/db.h"

namespace cooplink {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Checks the server's settings, applies the runtime's own tables (idempotency keys, outbox, stream
// cursors) and then `migrations` of `component`, and checks that the CHECK constraints of
// `migrations` exist. FAILED_PRECONDITION when an applied migration's text has changed since it
// was applied (MIGRATION_CHANGED) or a check fails (DATABASE_SERVER_UNSUITABLE).
absl::Status ApplyMigrations(Database& db, const std::string& component,
                             const std::vector<Migration>& migrations);

// The GET_LOCK name serialising the migrations of `database`: "cooplink_migrate_<database>" when
// that fits MySQL's 64-character limit on lock names (the name every release has used), else
// "cooplink_migrate_sha256_" + the first 32 hex digits of SHA-256(<database>) (56 characters).
// Stable across releases and replicas; lock names are server-wide, so the database name keeps
// services sharing one server apart.
std::string MigrationLockName(absl::string_view database);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_MIGRATIONS_H_
