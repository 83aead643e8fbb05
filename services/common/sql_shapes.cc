#include "services/common/sql_shapes.h"

#include "absl/strings/str_cat.h"

namespace cooplink {

size_t ShapeSize(size_t n) {
  size_t size = 1;
  while (size < n) size *= 4;
  return size;
}

std::string Repeated(size_t n, absl::string_view item, absl::string_view separator) {
  std::string out;
  out.reserve(n * (item.size() + separator.size()));
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&out, i == 0 ? "" : separator, item);
  return out;
}

void AppendInList(const std::vector<std::string>& values, std::string* sql,
                  std::vector<SqlParam>* params) {
  const size_t size = ShapeSize(values.size());
  absl::StrAppend(sql, "(", Repeated(size, "?"), ")");
  for (size_t i = 0; i < size; ++i) {
    params->push_back(Param(values[i < values.size() ? i : values.size() - 1]));
  }
}

}  // namespace cooplink
