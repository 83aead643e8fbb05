// An opt-in record of the SQL texts a process sends to the database, for the offline SQL gate
// (tools/sql_gate.sh), which parses each of them in the MySQL dialect and checks it for constructs
// MySQL 8 or TiDB cannot run.
//
// When the environment variable COOPLINK_SQL_CAPTURE_DIR names a directory, each distinct text the
// Database prepares or executes is appended once to <dir>/sql-<pid>.txt, each text followed by a
// NUL byte. Only texts are written: values travel as bound `?` parameters and never reach the file.
// When the variable is unset (production), CaptureSql costs one check of a static pointer.
//
// Threading: CaptureSql and SqlCapture::Record may be called from any thread; a mutex guards the
// set of texts already written and the file.
#ifndef COOPLINK_SERVICES_COMMON_SQL_CAPTURE_H_
#define COOPLINK_SERVICES_COMMON_SQL_CAPTURE_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace cooplink {

inline constexpr char kSqlCaptureDirEnv[] = "COOPLINK_SQL_CAPTURE_DIR";

// Appends each distinct SQL text once to one file.
class SqlCapture {
 public:
  explicit SqlCapture(std::string path) : path_(std::move(path)) {}
  ~SqlCapture();
  SqlCapture(const SqlCapture&) = delete;
  SqlCapture& operator=(const SqlCapture&) = delete;

  // The process's capture, writing <$COOPLINK_SQL_CAPTURE_DIR>/sql-<pid>.txt; nullptr when the
  // variable is unset or empty.
  static std::unique_ptr<SqlCapture> FromEnvironment();

  // Writes `sql` unless it was written before. A file that cannot be opened or written is
  // reported once in the log and capture stops (the gate then finds texts missing, not wrong).
  void Record(absl::string_view sql);

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
};

// Records `sql` in the process's capture when COOPLINK_SQL_CAPTURE_DIR is set; otherwise nothing.
void CaptureSql(absl::string_view sql);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SQL_CAPTURE_H_
