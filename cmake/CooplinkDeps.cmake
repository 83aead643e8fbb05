# Every dependency comes from Debian 12 packages (see tools/install_deps.sh).
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)            # module mode: Debian ships no protobuf CMake config
find_package(gRPC CONFIG REQUIRED)         # needs protobuf-compiler-grpc installed
find_package(absl CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)

find_path(MYSQLCPPCONN_INCLUDE_DIR cppconn/driver.h REQUIRED)
find_library(MYSQLCPPCONN_LIBRARY mysqlcppconn REQUIRED)
add_library(mysqlcppconn::mysqlcppconn UNKNOWN IMPORTED)
set_target_properties(mysqlcppconn::mysqlcppconn PROPERTIES
  IMPORTED_LOCATION "${MYSQLCPPCONN_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${MYSQLCPPCONN_INCLUDE_DIR}")

# google/rpc/{status,error_details}.proto ship as plain files in a Debian package.
find_path(GOOGLEAPIS_PROTO_DIR google/rpc/status.proto
  PATHS /usr/share/gocode/src/github.com/gogo/googleapis REQUIRED NO_DEFAULT_PATH)
find_path(GRPC_PROTO_DIR grpc/health/v1/health.proto PATHS /usr/share/grpc-proto REQUIRED NO_DEFAULT_PATH)
