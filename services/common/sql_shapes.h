// SQL whose variable parts come in a bounded number of shapes.
//
// Every distinct SQL text a connection executes is prepared once and held on the server, and the
// server caps prepared statements (MariaDB's max_prepared_stmt_count, 16,382 by default) across
// all connections. A statement whose text depends on an input's size (an IN list per caseload, a
// multi-row INSERT per batch) would mint a new text per size. These helpers pad such lists to a
// few fixed sizes — 1, 4, 16, 64, 256, 1024, … (powers of 4) — by repeating the last value, which
// leaves the meaning of an IN list unchanged; so a list of n values has at most
// 1 + log4(n) shapes. Pure functions: no database, safe from any thread.
#ifndef COOPLINK_SERVICES_COMMON_SQL_SHAPES_H_
#define COOPLINK_SERVICES_COMMON_SQL_SHAPES_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/db.h"

namespace cooplink {

// A statement and its bound values, built at run time from a fixed set of shapes.
struct SqlQuery {
  std::string sql;
  std::vector<SqlParam> params;

  // Appends `clause` (one "?" placeholder) and its value.
  void Add(const char* clause, SqlParam value) {
    sql += clause;
    params.push_back(std::move(value));
  }
};

// The smallest fixed size (1, 4, 16, 64, …) that holds `n` values; 1 for n == 0.
size_t ShapeSize(size_t n);

// `n` comma-separated copies of `item`: Repeated(3, "?") is "?, ?, ?".
std::string Repeated(size_t n, absl::string_view item, absl::string_view separator = ", ");

// `values` with its last element repeated until it holds ShapeSize(values.size()) elements.
// `values` must not be empty.
template <typename T>
std::vector<T> PaddedToShape(std::vector<T> values) {
  const size_t size = ShapeSize(values.size());
  if (!values.empty()) values.resize(size, T(values.back()));
  return values;
}

// Appends "(?, ?, …)" padded to ShapeSize(values.size()) to `sql` and the values (the last one
// repeated) to `params`. `values` must not be empty: an empty IN list is not SQL, and a caller
// whose list is empty matches nothing and should skip the query.
void AppendInList(const std::vector<std::string>& values, std::string* sql,
                  std::vector<SqlParam>* params);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SQL_SHAPES_H_
