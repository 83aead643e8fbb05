#include "services/common/config.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

namespace cooplink {

Flags::Flags(std::string usage, EnvLookup env) : usage_(std::move(usage)), env_(std::move(env)) {
  if (!env_) {
    env_ = [](const std::string& name, std::string* value) {
      const char* v = std::getenv(name.c_str());
      if (v == nullptr) return false;
      *value = v;
      return true;
    };
  }
}

void Flags::AddString(std::string name, std::string env, std::string help, std::string* target,
                      bool secret) {
  std::string default_text = secret ? (target->empty() ? "" : "<set>") : *target;
  options_.push_back({std::move(name), std::move(env), std::move(help), std::move(default_text),
                      false, [target](const std::string& v) {
                        *target = v;
                        return absl::OkStatus();
                      }});
}

void Flags::AddInt(std::string name, std::string env, std::string help, int* target, int min,
                   int max) {
  options_.push_back({std::move(name), std::move(env),
                      absl::StrCat(help, " [", min, "..", max, "]"), absl::StrCat(*target), false,
                      [target, min, max](const std::string& v) {
                        int parsed = 0;
                        if (!absl::SimpleAtoi(v, &parsed) || parsed < min || parsed > max) {
                          return absl::InvalidArgumentError(
                              absl::StrCat("must be an integer in [", min, ", ", max, "]"));
                        }
                        *target = parsed;
                        return absl::OkStatus();
                      }});
}

void Flags::AddBool(std::string name, std::string env, std::string help, bool* target) {
  options_.push_back({std::move(name), std::move(env), std::move(help), *target ? "true" : "false",
                      true, [target](const std::string& v) {
                        const std::string lower = absl::AsciiStrToLower(v);
                        if (lower == "true" || lower == "1" || lower == "yes") {
                          *target = true;
                        } else if (lower == "false" || lower == "0" || lower == "no") {
                          *target = false;
                        } else {
                          return absl::InvalidArgumentError("must be true or false");
                        }
                        return absl::OkStatus();
                      }});
}

void Flags::AddDuration(std::string name, std::string env, std::string help, absl::Duration* target,
                        absl::Duration min, absl::Duration max) {
  options_.push_back({std::move(name), std::move(env), std::move(help),
                      absl::FormatDuration(*target), false,
                      [target, min, max](const std::string& v) {
                        absl::Duration d;
                        if (!absl::ParseDuration(v, &d) || d < min || d > max) {
                          return absl::InvalidArgumentError(absl::StrCat(
                              "must be a duration (e.g. 500ms, 30s, 5m) in [",
                              absl::FormatDuration(min), ", ", absl::FormatDuration(max), "]"));
                        }
                        *target = d;
                        return absl::OkStatus();
                      }});
}

absl::Status Flags::Apply(const Option& option, const std::string& value,
                          absl::string_view source) {
  absl::Status status = option.set(value);
  if (status.ok()) return status;
  return absl::InvalidArgumentError(absl::StrCat("invalid ", source, " for --", option.name, " (",
                                                 option.env, "): ", status.message()));
}

absl::Status Flags::Parse(int argc, const char* const* argv) {
  // Environment first, so that flags override it.
  for (const Option& option : options_) {
    std::string value;
    if (!option.env.empty() && env_(option.env, &value)) {
      if (absl::Status s = Apply(option, value, "environment value"); !s.ok()) return s;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (!absl::StartsWith(arg, "--")) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const Option* option = nullptr;
    for (const Option& o : options_) {
      if (o.name == name) option = &o;
    }
    if (option == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (!has_value) {
      if (option->is_bool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
    }
    if (absl::Status s = Apply(*option, value, "value"); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat(usage_, "\n\nOptions (flag / environment variable):\n");
  for (const Option& o : options_) {
    absl::StrAppend(&out, "  --", o.name, "  (", o.env, ")\n      ", o.help);
    if (!o.default_text.empty()) absl::StrAppend(&out, " Default: ", o.default_text, ".");
    absl::StrAppend(&out, "\n");
  }
  return out;
}

void AddDbFlags(Flags& flags, DbConfig* db) {
  flags.AddString("db_host", "COOPLINK_DB_HOST", "MySQL/MariaDB host (TCP).", &db->host);
  flags.AddInt("db_port", "COOPLINK_DB_PORT", "MySQL/MariaDB TCP port.", &db->port, 1, 65535);
  flags.AddString("db_socket", "COOPLINK_DB_SOCKET",
                  "Unix socket path; when set it is used instead of host and port.", &db->socket);
  flags.AddString("db_user", "COOPLINK_DB_USER", "Database account.", &db->user);
  flags.AddString("db_password", "COOPLINK_DB_PASSWORD", "Database password.", &db->password,
                  /*secret=*/true);
  flags.AddString("db_name", "COOPLINK_DB_NAME",
                  "This service's own database (schema); created when the account may.",
                  &db->database);
  flags.AddInt("db_pool_size", "COOPLINK_DB_POOL_SIZE", "Maximum open database connections.",
               &db->pool_size, 1, 512);
  flags.AddDuration("db_acquire_timeout", "COOPLINK_DB_ACQUIRE_TIMEOUT",
                    "How long a call waits for a free connection before UNAVAILABLE.",
                    &db->acquire_timeout, absl::Milliseconds(1), absl::Seconds(60));
  flags.AddDuration("db_connect_timeout", "COOPLINK_DB_CONNECT_TIMEOUT",
                    "Timeout for opening one database connection.", &db->connect_timeout,
                    absl::Seconds(1), absl::Seconds(60));
  flags.AddInt("db_statement_cache", "COOPLINK_DB_STATEMENT_CACHE",
               "Prepared statements kept per connection; the least recently used are closed.",
               &db->statement_cache, 16, 16382);
}

void AddServerFlags(Flags& flags, ServerOptions* server) {
  flags.AddString("listen", "COOPLINK_LISTEN",
                  "gRPC listen address host:port (port 0 picks a free port).", &server->listen);
  flags.AddInt("max_receive_bytes", "COOPLINK_MAX_RECEIVE_BYTES",
               "Largest request message accepted.", &server->max_receive_bytes, 1024, 64 << 20);
  flags.AddInt("max_send_bytes", "COOPLINK_MAX_SEND_BYTES", "Largest reply message sent.",
               &server->max_send_bytes, 1024, 64 << 20);
  flags.AddDuration("drain_timeout", "COOPLINK_DRAIN_TIMEOUT",
                    "On SIGTERM, how long in-flight calls may take to finish.",
                    &server->drain_timeout, absl::ZeroDuration(), absl::Minutes(10));
  flags.AddString("tls_cert_file", "COOPLINK_TLS_CERT_FILE",
                  "PEM certificate chain; with --tls_key_file enables TLS.",
                  &server->tls_cert_file);
  flags.AddString("tls_key_file", "COOPLINK_TLS_KEY_FILE", "PEM private key for TLS.",
                  &server->tls_key_file);
}

absl::StatusOr<std::string> DecodeKey(absl::string_view name, absl::string_view base64,
                                      size_t min_bytes, size_t max_bytes) {
  if (base64.empty()) return absl::InvalidArgumentError(absl::StrCat(name, " is required"));
  auto key = Base64Decode(base64);
  if (!key.ok()) key = Base64UrlDecode(base64);
  if (!key.ok() || key->size() < min_bytes || key->size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be base64 of ", min_bytes,
                     min_bytes == max_bytes ? "" : absl::StrCat(" to ", max_bytes), " bytes"));
  }
  return key;
}

}  // namespace cooplink
