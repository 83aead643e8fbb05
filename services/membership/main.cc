// membership: cooperatives, households, members, social workers, partners, principals and tokens.
//
//   membership [flags]                      serve (applies migrations first)
//   membership migrate [flags]              apply migrations and exit
//   membership bootstrap-admin NAME [flags] create a platform admin and print a bearer token
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/common/service_main.h"
#include "services/membership/membership_server.h"

namespace {

constexpr char kService[] = "membership";
constexpr char kUsage[] =
    "membership: the cooplink membership service.\n"
    "Usage:\n"
    "  membership [flags]                       serve gRPC (applies migrations first)\n"
    "  membership migrate [flags]               apply database migrations and exit\n"
    "  membership bootstrap-admin NAME [flags]  create a platform admin principal and print a\n"
    "                                           bearer token for it (run on the server host)";

int Fail(const absl::Status& status) { return cooplink::FailStartup(kService, status); }

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::membership;
  cooplink::BlockTerminationSignals();
  MembershipConfig config;
  cooplink::Flags flags(kUsage);
  AddMembershipFlags(flags, &config);
  if (auto exit_code = cooplink::ParseCommandLine(kService, flags, argc, argv)) return *exit_code;
  const auto& args = flags.positional();
  cooplink::SystemClock clock;

  if (!args.empty() && args[0] == "migrate") {
    if (auto s = MigrateMembership(config.db); !s.ok()) return Fail(s);
    std::fprintf(stderr, "membership: migrations applied\n");
    return 0;
  }
  if (!args.empty() && args[0] == "bootstrap-admin") {
    if (args.size() != 2) return Fail(absl::InvalidArgumentError("usage: bootstrap-admin NAME"));
    config.access_log = false;
    config.server.listen = "127.0.0.1:0";
    auto server = MembershipServer::Start(config, &clock);
    if (!server.ok()) return Fail(server.status());
    v1::Principal principal;
    v1::IssueTokenResponse token;
    if (auto s = (*server)->membership().BootstrapPlatformAdmin(args[1], absl::Hours(24 * 30),
                                                                 &principal, &token);
        !s.ok()) {
      return Fail(s);
    }
    std::fprintf(stderr, "created platform admin %s (%s); token expires in 30 days\n",
                 principal.id().c_str(), principal.display_name().c_str());
    std::printf("%s\n", token.token().c_str());
    return 0;
  }
  if (!args.empty()) return Fail(absl::InvalidArgumentError(absl::StrCat("unknown command ", args[0])));

  return cooplink::ServeUntilTerminated<MembershipServer>(kService, config, &clock);
}
