// Wiring of the membership server: config -> database -> migrations -> domain -> gRPC host.
// main.cc parses the command line and calls this; integration tests start it in-process with a
// fake clock and port 0.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVER_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/auth.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/periodic.h"
#include "services/common/server.h"
#include "services/membership/membership.h"
#include "services/membership/membership_grpc.h"

namespace cooplink::membership {

inline constexpr char kServiceName[] = "cooplink.membership.v1.MembershipService";

struct MembershipConfig {
  DbConfig db;
  ServerOptions server;
  std::string token_key;  // base64, >= 32 bytes: signs and verifies bearer tokens (all services)
  std::string pii_key;    // base64, exactly 32 bytes: encrypts resident IDs and phone numbers
  int workers = 16;
  int max_queue = 2048;
  absl::Duration revocation_refresh = absl::Seconds(15);
  bool access_log = true;

  MembershipConfig() { db.database = "cooplink_membership"; }
};

// Registers every membership option on `flags`.
void AddMembershipFlags(Flags& flags, MembershipConfig* config);

class MembershipServer {
 public:
  // Opens the database, applies migrations, starts serving. `clock` must outlive the server.
  static absl::StatusOr<std::unique_ptr<MembershipServer>> Start(const MembershipConfig& config,
                                                                  const Clock* clock);
  ~MembershipServer();

  int port() const { return host_->port(); }
  Membership& membership() { return *membership_; }
  RevocationList& revocations() { return *revocations_; }
  // Health NOT_SERVING, drains in-flight calls, stops the workers. Idempotent.
  void Shutdown();

 private:
  MembershipServer() = default;
  std::unique_ptr<Database> db_;
  std::unique_ptr<TokenCodec> codec_;
  std::unique_ptr<Membership> membership_;
  std::unique_ptr<RevocationList> revocations_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RpcRunner> runner_;
  std::unique_ptr<MembershipGrpc> service_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<Periodic> janitor_;  // forgets request_ids past their retention
};

// Opens the database and applies migrations only (the `migrate` subcommand).
absl::Status MigrateMembership(const DbConfig& db);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVER_H_
