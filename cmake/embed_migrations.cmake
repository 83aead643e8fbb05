# Run with cmake -P: writes OUT, a C++ file returning the SQL files in FILES as migrations.
set(body "")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" version ${name})
  math(EXPR version "${version}")
  file(READ ${f} sql)
  string(APPEND body "      {${version}, \"${name}\", R\"cooplinksql(${sql})cooplinksql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from ${NAMESPACE} migrations; do not edit.
#include <vector>
#include \"services/common/migrations.h\"
namespace ${NAMESPACE} {
const std::vector<cooplink::Migration>& Migrations() {
  static const auto* const kMigrations = new std::vector<cooplink::Migration>{
${body}  };
  return *kMigrations;
}
}  // namespace ${NAMESPACE}
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
