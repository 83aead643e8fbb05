// The shared shape of every service's main(): parse flags (or print --help), then serve until
// SIGTERM/SIGINT, logging start, drain and stop as JSON lines on stderr.
#ifndef COOPLINK_SERVICES_COMMON_SERVICE_MAIN_H_
#define COOPLINK_SERVICES_COMMON_SERVICE_MAIN_H_

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/server.h"

namespace cooplink {

// Prints "<service>: <status>" to stderr and returns the exit code for a failed start.
inline int FailStartup(const char* service, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", service, std::string(status.ToString()).c_str());
  return 2;
}

// Parses the command line. Returns an exit code when main() should stop now (--help: 0, a bad
// flag: 2), or nullopt to continue.
inline std::optional<int> ParseCommandLine(const char* service, Flags& flags, int argc,
                                           char** argv) {
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) return FailStartup(service, s);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  return std::nullopt;
}

// Starts `Server::Start(config, clock)`, serves until a termination signal, drains, exits 0.
// BlockTerminationSignals() must have run first (before any thread started).
template <typename Server, typename Config>
int ServeUntilTerminated(const char* service, const Config& config, const Clock* clock) {
  auto server = Server::Start(config, clock);
  if (!server.ok()) return FailStartup(service, server.status());
  std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"serving\",\"service\":\"%s\",\"port\":%d}\n",
               service, (*server)->port());
  const int sig = WaitForTerminationSignal();
  std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"draining\",\"signal\":%d}\n", sig);
  (*server)->Shutdown();
  std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopped\"}\n");
  return 0;
}

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SERVICE_MAIN_H_
