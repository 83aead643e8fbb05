// membership: cooperatives, households, members, social workers, partners, principals and tokens.
//
//   membership [flags]                      serve (applies migrations first)
//   membership migrate [flags]              apply migrations and exit
//   membership bootstrap-admin NAME [flags] create a platform admin and print a bearer token
#include <cstdio>

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
constexpr absl::Duration kBootstrapTokenTtl = absl::Hours(24 * 30);

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::membership;
  MembershipConfig config;
  cooplink::Flags flags(kUsage);
  AddMembershipFlags(flags, &config);
  cooplink::SystemClock clock;
  // Writes the principal and its token's metadata straight to the database (no gRPC server);
  // the token goes to stdout, the log line to stderr.
  cooplink::ServiceCommand bootstrap_admin{
      "bootstrap-admin", 1, "bootstrap-admin NAME",
      [&](const std::vector<std::string>& args) -> absl::Status {
        v1::Principal principal;
        v1::IssueTokenResponse token;
        if (absl::Status s =
                BootstrapAdmin(config, &clock, args[0], kBootstrapTokenTtl, &principal, &token);
            !s.ok()) {
          return s;
        }
        cooplink::LogInfo("created platform admin",
                          {{"principal", principal.id()},
                           {"token_expires_in", absl::FormatDuration(kBootstrapTokenTtl)}});
        std::printf("%s\n", token.token().c_str());
        return absl::OkStatus();
      }};
  return cooplink::RunServiceMain<MembershipServer>(kService, flags, argc, argv, config,
                                                    MigrateMembership, {bootstrap_admin});
}
