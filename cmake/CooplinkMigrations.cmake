# cooplink_migrations(<target> NAMESPACE <c++ namespace> DIR <folder of NNNN_name.sql files>)
# Embeds a service's versioned SQL files into a small library exposing
#   const std::vector<cooplink::Migration>& <namespace>::Migrations();
function(cooplink_migrations target)
  cmake_parse_arguments(ARG "" "NAMESPACE;DIR" "" ${ARGN})
  file(GLOB sql_files CONFIGURE_DEPENDS ${ARG_DIR}/*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${ARG_NAMESPACE} "-DFILES=${sql_files}"
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${sql_files} ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    COMMENT "embedding migrations for ${target}"
    VERBATIM)
  add_library(${target} STATIC ${out})
  target_link_libraries(${target} PUBLIC cooplink_common)
endfunction()
