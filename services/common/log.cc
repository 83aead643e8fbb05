#include "services/common/log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace cooplink {

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string JsonEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

LogField::LogField(absl::string_view key, absl::string_view value)
    : key_(key), json_value_(absl::StrCat("\"", JsonEscape(value), "\"")) {}
LogField::LogField(absl::string_view key, int64_t value)
    : key_(key), json_value_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, uint64_t value)
    : key_(key), json_value_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, double value)
    : key_(key), json_value_(absl::StrFormat("%.3f", value)) {}
LogField::LogField(absl::string_view key, bool value)
    : key_(key), json_value_(value ? "true" : "false") {}

std::string FormatLogLine(absl::Time time, LogLevel level, absl::string_view msg,
                          std::initializer_list<LogField> fields) {
  std::string line =
      absl::StrCat("{\"ts\":\"", absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone()),
                   "\",\"level\":\"", LogLevelName(level), "\",\"msg\":\"", JsonEscape(msg), "\"");
  for (const LogField& field : fields) {
    absl::StrAppend(&line, ",\"", JsonEscape(field.key()), "\":", field.json_value());
  }
  line += "}\n";
  return line;
}

void Logger::Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  Write(FormatLogLine(absl::Now(), level, msg, fields));
}

void Logger::Write(absl::string_view line) {
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

Logger& Logger::Stderr() {
  static Logger* const logger = new Logger(stderr);
  return *logger;
}

Logger& Logger::Stdout() {
  static Logger* const logger = new Logger(stdout);
  return *logger;
}

}  // namespace cooplink
