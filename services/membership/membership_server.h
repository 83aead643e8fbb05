// Wiring of the membership server on the shared ServiceRuntime (services/common/service_runtime.h):
// the runtime opens and migrates the database; this file adds the PII key, the Membership domain,
// the revocation source (membership's own database), the outbox relay that sequences revocations
// into the feed (revocation_log.h) and the gRPC adapter. main.cc parses the
// command line and calls this; integration tests start it in-process with a fake clock and port 0.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVER_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/config.h"
#include "services/common/outbox_relay.h"
#include "services/common/service_runtime.h"
#include "services/membership/membership.h"
#include "services/membership/membership_grpc.h"

namespace cooplink::membership {

inline constexpr char kServiceName[] = "cooplink.membership.v1.MembershipService";

// The runtime's options plus membership's own.
struct MembershipConfig : RuntimeConfig {
  std::string pii_key;  // base64, exactly 32 bytes: encrypts resident IDs and phone numbers
  // How often committed revocations are sequenced into the feed (outbox -> revocation_feed).
  absl::Duration revocation_feed_interval = absl::Milliseconds(100);

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

  int port() const { return runtime_->port(); }
  Membership& membership() { return *membership_; }
  Database& database() { return runtime_->db(); }
  RevocationList& revocations() { return runtime_->revocations(); }
  // Health NOT_SERVING, drains in-flight calls, stops the workers. Idempotent.
  void Shutdown();

 private:
  MembershipServer() = default;
  std::unique_ptr<ServiceRuntime> runtime_;  // first: outlives the domain that uses its database
  std::unique_ptr<Membership> membership_;
  std::unique_ptr<MembershipGrpc> service_;
  std::unique_ptr<OutboxRelay> sequencer_;  // outbox "membership.revocations" -> revocation_feed
};

// The service's migrations (generated from migrations/*.sql) and what their CHECK constraints
// mean to a caller (check_constraints.cc, db_errors.h).
const std::vector<Migration>& Migrations();
std::vector<CheckConstraintRule> CheckConstraintRules();

// Opens the database and applies migrations only (the `migrate` command).
absl::Status MigrateMembership(const DbConfig& db);

// The `bootstrap-admin` command: opens and migrates the database, creates a platform-admin
// principal named `name` and a token valid for `ttl`, without starting a gRPC server.
absl::Status BootstrapAdmin(const MembershipConfig& config, const Clock* clock,
                            const std::string& name, absl::Duration ttl, v1::Principal* principal,
                            v1::IssueTokenResponse* token);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_SERVER_H_
