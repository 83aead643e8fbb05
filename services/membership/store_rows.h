// Reading result-set columns: what every membership store's row mapping shares.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_STORE_ROWS_H_
#define COOPLINK_SERVICES_MEMBERSHIP_STORE_ROWS_H_

#include <cppconn/resultset.h>

#include <optional>
#include <string>

#include "services/common/db.h"

namespace cooplink::membership {

// A nullable text column, SQL NULL read as "" (proto3 strings have no null).
inline std::string StringOrEmpty(sql::ResultSet& rs, const char* column) {
  return GetOptionalString(rs, column).value_or("");
}

// A text column bound as SQL NULL when empty, the inverse of StringOrEmpty.
inline SqlParam NullIfEmpty(const std::string& value) {
  return value.empty() ? SqlParam(nullptr) : Param(value);
}

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_STORE_ROWS_H_
