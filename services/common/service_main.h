// The shared shape of every service's main(): parse flags (or print --help), run a command
// (`migrate`, or one of the service's own) or serve until SIGTERM/SIGINT, logging start, drain and
// stop as JSON lines on stderr (services/common/log.h).
#ifndef COOPLINK_SERVICES_COMMON_SERVICE_MAIN_H_
#define COOPLINK_SERVICES_COMMON_SERVICE_MAIN_H_

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/log.h"
#include "services/common/server.h"

namespace cooplink {

// Exit codes of a service binary.
inline constexpr int kExitOk = 0;
inline constexpr int kExitStartupFailed = 2;

// Logs why `service` cannot start (the status code and message, which name the flag and its
// variable for a bad value) and returns the exit code for a failed start.
inline int FailStartup(const char* service, const absl::Status& status) {
  LogError("cannot start", {{"service", service},
                            {"code", absl::StatusCodeToString(status.code())},
                            {"error", status.message()}});
  return kExitStartupFailed;
}

// Parses the command line. Returns an exit code when main() should stop now (--help: 0, a bad
// flag: 2), or nullopt to continue.
inline std::optional<int> ParseCommandLine(const char* service, Flags& flags, int argc,
                                           char** argv) {
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) return FailStartup(service, s);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return kExitOk;
  }
  return std::nullopt;
}

// Starts `Server::Start(config, clock)`, serves until a termination signal, drains, exits 0.
// BlockTerminationSignals() must have run first (before any thread started).
template <typename Server, typename Config>
int ServeUntilTerminated(const char* service, const Config& config, const Clock* clock) {
  auto server = Server::Start(config, clock);
  if (!server.ok()) return FailStartup(service, server.status());
  // "port" stays the last field: tests and tools/run.sh read it from this line.
  LogInfo("serving", {{"service", service}, {"port", (*server)->port()}});
  const int sig = WaitForTerminationSignal();
  LogInfo("draining", {{"service", service}, {"signal", sig}});
  (*server)->Shutdown();
  LogInfo("stopped", {{"service", service}});
  return kExitOk;
}

// A subcommand: `name` followed by exactly `args` positional words, run instead of serving.
template <typename Config>
struct ServiceCommand {
  std::string name;
  size_t args = 0;
  std::string usage;  // e.g. "bootstrap-admin NAME"
  std::function<absl::Status(const Config& config, const Clock* clock,
                             const std::vector<std::string>& args)>
      run;
};

// A service's whole main(): registers its flags with `add_flags`, then --help, the `migrate`
// command (`migrate(config.db)`), one of the service's own `commands`, or serving `Server` until
// terminated.
template <typename Server, typename Config>
int RunServiceMain(int argc, char** argv, const char* service, const char* usage,
                   void (*add_flags)(Flags&, Config*), absl::Status (*migrate)(const DbConfig&),
                   const std::vector<ServiceCommand<Config>>& commands = {}) {
  BlockTerminationSignals();
  Config config;
  Flags flags(usage);
  add_flags(flags, &config);
  if (auto exit_code = ParseCommandLine(service, flags, argc, argv)) return *exit_code;
  const std::vector<std::string>& words = flags.positional();
  SystemClock clock;
  if (words.empty()) return ServeUntilTerminated<Server>(service, config, &clock);
  if (words[0] == "migrate") {
    if (absl::Status s = migrate(config.db); !s.ok()) return FailStartup(service, s);
    LogInfo("migrations applied", {{"service", service}});
    return kExitOk;
  }
  for (const ServiceCommand<Config>& command : commands) {
    if (words[0] != command.name) continue;
    if (words.size() != command.args + 1) {
      return FailStartup(service, absl::InvalidArgumentError(
                                      absl::StrCat("usage: ", service, " ", command.usage)));
    }
    const std::vector<std::string> args(words.begin() + 1, words.end());
    if (absl::Status s = command.run(config, &clock, args); !s.ok()) return FailStartup(service, s);
    return kExitOk;
  }
  return FailStartup(service, absl::InvalidArgumentError(
                                  absl::StrCat("unknown command ", words[0], " (see --help)")));
}

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SERVICE_MAIN_H_
