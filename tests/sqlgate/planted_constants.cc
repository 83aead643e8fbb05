// Fixture of the SQL gate's self-test (tools/sql_gate.sh --self-test), never compiled: SQL
// constants as the stores write them, with MariaDB-only constructs planted in a macro-built
// statement, in a fragment appended at run time, in a script constant and in a literal passed
// straight to the database.
#include <string>

#include "absl/strings/str_cat.h"

namespace cooplink::sqlgate_fixture {
namespace {

#define COOPLINK_PLANTED_COLUMNS "name, price_fen"

constexpr const char* kInsertReturning =
    "INSERT INTO planted_items (" COOPLINK_PLANTED_COLUMNS ") VALUES (?, ?) RETURNING id";
constexpr const char* kListHead = "SELECT id FROM planted_items WHERE id > ?";
constexpr const char* kReturningTail = " RETURNING id";
constexpr const char* kCreateOrReplace = R"sql(
CREATE OR REPLACE TABLE planted_things (
  id CHAR(26) NOT NULL PRIMARY KEY
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
)sql";

}  // namespace

std::string PlantedQuery() { return absl::StrCat(kListHead, kReturningTail); }
const char* PlantedInsert() { return kInsertReturning; }
const char* PlantedTable() { return kCreateOrReplace; }
template <typename Tx>
void PlantedDelete(Tx& tx) {
  tx.Execute("DELETE FROM planted_items WHERE id = ? RETURNING name", 1);
}

}  // namespace cooplink::sqlgate_fixture
