// Typed configuration from command-line flags and environment variables, built once in main().
// Precedence: --flag, then the environment variable, then the default. A bad value stops start-up
// with a message naming the flag and its variable; --help prints every option.
#ifndef COOPLINK_SERVICES_COMMON_CONFIG_H_
#define COOPLINK_SERVICES_COMMON_CONFIG_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/db.h"
#include "services/common/server.h"

namespace cooplink {

class Flags {
 public:
  // Looks up an environment variable; returns false when unset. Tests inject their own.
  using EnvLookup = std::function<bool(const std::string& name, std::string* value)>;

  explicit Flags(std::string usage, EnvLookup env = nullptr);

  void AddString(std::string name, std::string env, std::string help, std::string* target,
                 bool secret = false);
  void AddInt(std::string name, std::string env, std::string help, int* target, int min, int max);
  void AddBool(std::string name, std::string env, std::string help, bool* target);
  // Durations in absl syntax: "500ms", "30s", "5m", "1h".
  void AddDuration(std::string name, std::string env, std::string help, absl::Duration* target,
                   absl::Duration min, absl::Duration max);

  // Parses argv[1..]: "--name=value", "--name value", "--bool_flag"; other words are positional.
  // Returns INVALID_ARGUMENT naming the flag on an unknown flag or a bad value.
  absl::Status Parse(int argc, const char* const* argv);
  bool help_requested() const { return help_; }
  const std::vector<std::string>& positional() const { return positional_; }
  std::string Usage() const;

 private:
  struct Option {
    std::string name, env, help, default_text;
    bool is_bool = false;
    std::function<absl::Status(const std::string&)> set;
  };
  absl::Status Apply(const Option& option, const std::string& value, absl::string_view source);

  std::string usage_;
  EnvLookup env_;
  std::vector<Option> options_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

// Options every service shares.
void AddDbFlags(Flags& flags, DbConfig* db);
void AddServerFlags(Flags& flags, ServerOptions* server);

// Secrets arrive base64-encoded (flag or environment); decodes and checks the length.
absl::StatusOr<std::string> DecodeKey(absl::string_view name, absl::string_view base64,
                                      size_t min_bytes, size_t max_bytes);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_CONFIG_H_
