// membership: cooperatives, households, members, social workers, partners, principals and tokens.
//
//   membership [flags]                      serve (applies migrations first)
//   membership migrate [flags]              apply migrations and exit
//   membership bootstrap-admin NAME [flags] create a platform admin and print a bearer token
#include <cstdio>

#include "services/common/service_main.h"
#include "services/membership/membership_server.h"

namespace {

using cooplink::membership::MembershipConfig;
namespace v1 = cooplink::membership::v1;

constexpr char kUsage[] =
    "membership: the cooplink membership service.\n"
    "Usage:\n"
    "  membership [flags]                       serve gRPC (applies migrations first)\n"
    "  membership migrate [flags]               apply database migrations and exit\n"
    "  membership bootstrap-admin NAME [flags]  create a platform admin principal and print a\n"
    "                                           bearer token for it (run on the server host)";
constexpr absl::Duration kBootstrapTokenTtl = absl::Hours(24 * 30);

// Writes the principal and its token's metadata straight to the database (no gRPC server); the
// token goes to stdout, the log line (ids only) to stderr.
absl::Status BootstrapAdminCommand(const MembershipConfig& config, const cooplink::Clock* clock,
                                   const std::vector<std::string>& args) {
  v1::Principal principal;
  v1::IssueTokenResponse token;
  if (absl::Status s = cooplink::membership::BootstrapAdmin(config, clock, args[0],
                                                            kBootstrapTokenTtl, &principal, &token);
      !s.ok()) {
    return s;
  }
  cooplink::LogInfo("created platform admin",
                    {{"principal", principal.id()},
                     {"token_expires_in", absl::FormatDuration(kBootstrapTokenTtl)}});
  std::printf("%s\n", token.token().c_str());
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::membership;
  return cooplink::RunServiceMain<MembershipServer>(
      argc, argv, "membership", kUsage, AddMembershipFlags, MigrateMembership,
      {{"bootstrap-admin", 1, "bootstrap-admin NAME", BootstrapAdminCommand}});
}
