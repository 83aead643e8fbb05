// Structured logging: one JSON object per line, the only way services write diagnostics.
//
//   {"ts":"2026-03-01T01:00:00.123456Z","level":"info","msg":"serving","service":"membership",
//    "port":50051}
//
// "ts" (RFC 3339, UTC), "level" and "msg" come first, then the fields in the order given. String
// values are JSON-escaped (quotes, backslashes and control characters; UTF-8 passes through);
// integers and booleans are bare; a double is written with three decimals.
//
// Threading: a Logger may be used from any thread. The line is formatted by the calling thread
// outside any lock; only the write (one fwrite and fflush) holds the logger's mutex, so lines
// never interleave and logging adds no formatting time to other threads' waits.
//
// Never log personal data: no names, resident IDs, phone numbers, request bodies or driver
// messages that may quote values. Log ids, codes and counts.
#ifndef COOPLINK_SERVICES_COMMON_LOG_H_
#define COOPLINK_SERVICES_COMMON_LOG_H_

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace cooplink {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
absl::string_view LogLevelName(LogLevel level);

// One "key":value pair of a log line. The key must outlive the Log() call (a literal does).
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value);
  LogField(absl::string_view key, const char* value) : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, int value) : LogField(key, static_cast<int64_t>(value)) {}
  LogField(absl::string_view key, int64_t value);
  LogField(absl::string_view key, uint64_t value);
  LogField(absl::string_view key, double value);
  LogField(absl::string_view key, bool value);

  absl::string_view key() const { return key_; }
  const std::string& json_value() const { return json_value_; }

 private:
  absl::string_view key_;
  std::string json_value_;
};

// `s` as the inside of a JSON string literal.
std::string JsonEscape(absl::string_view s);

// The line (with its trailing newline) Logger::Log writes; pure, for tests and for callers that
// format ahead of time.
std::string FormatLogLine(absl::Time time, LogLevel level, absl::string_view msg,
                          std::initializer_list<LogField> fields);

class Logger {
 public:
  // `out` must stay open for the logger's lifetime.
  explicit Logger(std::FILE* out) : out_(out) {}
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});
  // Writes a line already formatted by FormatLogLine.
  void Write(absl::string_view line);

  // The process's diagnostics (stderr) and its access log stream (stdout). Never destroyed, so
  // threads still running at exit may log.
  static Logger& Stderr();
  static Logger& Stdout();

 private:
  std::FILE* const out_;
  absl::Mutex mu_;
};

// Diagnostics on stderr.
inline void LogInfo(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
  Logger::Stderr().Log(LogLevel::kInfo, msg, fields);
}
inline void LogWarn(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
  Logger::Stderr().Log(LogLevel::kWarn, msg, fields);
}
inline void LogError(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
  Logger::Stderr().Log(LogLevel::kError, msg, fields);
}

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_LOG_H_
