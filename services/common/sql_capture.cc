#include "services/common/sql_capture.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "services/common/log.h"

namespace cooplink {

SqlCapture::~SqlCapture() {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) std::fclose(file_);
}

std::unique_ptr<SqlCapture> SqlCapture::FromEnvironment() {
  const char* dir = std::getenv(kSqlCaptureDirEnv);
  if (dir == nullptr || *dir == '\0') return nullptr;
  return std::make_unique<SqlCapture>(absl::StrCat(dir, "/sql-", getpid(), ".txt"));
}

void SqlCapture::Record(absl::string_view sql) {
  absl::MutexLock lock(&mu_);
  if (failed_ || !seen_.insert(std::string(sql)).second) return;
  if (file_ == nullptr) file_ = std::fopen(path_.c_str(), "ab");
  // One text and its NUL terminator per fwrite; flushed at once so that a process that is
  // killed (the e2e tests send SIGKILL) has still written every text it ran.
  const std::string record = absl::StrCat(sql, absl::string_view("\0", 1));
  if (file_ == nullptr || std::fwrite(record.data(), 1, record.size(), file_) != record.size() ||
      std::fflush(file_) != 0) {
    failed_ = true;
    LogError("cannot write the SQL capture file; capture stopped", {{"path", path_}});
  }
}

void CaptureSql(absl::string_view sql) {
  // Read once: the variable is set before the process starts, never while it runs. Never
  // destroyed (like the driver in db.cc), so statements run during static destruction still work;
  // every record is flushed when written, so nothing is lost at exit.
  static SqlCapture* const capture = SqlCapture::FromEnvironment().release();
  if (capture != nullptr) capture->Record(sql);
}

}  // namespace cooplink
