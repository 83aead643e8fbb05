// Fixture of the SQL gate's self-test (tools/sql_gate.sh --self-test), never compiled: portable
// SQL constants, a macro-built one, a StrCat-built one and run-time fragments, which the gate must
// accept.
#include <string>

#include "absl/strings/str_cat.h"

namespace cooplink::sqlgate_fixture {
namespace {

#define COOPLINK_PORTABLE_COLUMNS "id, name, price_fen"

constexpr const char* kSelectItem =
    "SELECT " COOPLINK_PORTABLE_COLUMNS " FROM portable_items WHERE id = ? FOR UPDATE";
constexpr const char* kItemColumns = "SELECT " COOPLINK_PORTABLE_COLUMNS " FROM portable_items ";
const std::string kListItems = absl::StrCat(kItemColumns, "WHERE id > ?");
constexpr const char* kNameFilter = " AND name = ?";
constexpr const char* kListOrder = " ORDER BY id LIMIT ?";
constexpr const char* kInsertHead = "INSERT INTO portable_keys (a, b) VALUES ";
constexpr const char* kUpsertTail = " ON DUPLICATE KEY UPDATE b = VALUES(b)";
constexpr const char* kNotSql = "member.resident_id";

}  // namespace

std::string PortableQuery(bool by_name) {
  std::string sql = kListItems;
  if (by_name) absl::StrAppend(&sql, kNameFilter);
  absl::StrAppend(&sql, kListOrder);
  return sql;
}
std::string PortableInsert() { return absl::StrCat(kInsertHead, "(?, ?)", kUpsertTail); }
const char* PortableSelect() { return kSelectItem; }
const char* PortableContext() { return kNotSql; }

}  // namespace cooplink::sqlgate_fixture
