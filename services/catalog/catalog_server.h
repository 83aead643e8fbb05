// Wiring of the catalog server on the shared ServiceRuntime (services/common/service_runtime.h):
// the runtime opens and migrates the database; this file adds the membership client, the Catalog
// domain, the revocation source (membership's feed) and the gRPC adapter, plus catalog's own
// background jobs: the reservation-expiry sweeper, the change-feed sequencer and the purge of old
// changes. main.cc parses the command line and calls this; integration tests start it in-process
// next to a membership server.
#ifndef COOPLINK_SERVICES_CATALOG_CATALOG_SERVER_H_
#define COOPLINK_SERVICES_CATALOG_CATALOG_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_grpc.h"
#include "services/common/config.h"
#include "services/common/membership_directory.h"
#include "services/common/outbox_relay.h"
#include "services/common/service_runtime.h"

namespace cooplink::catalog {

inline constexpr char kServiceName[] = "cooplink.catalog.v1.CatalogService";

// The runtime's options plus catalog's own.
struct CatalogConfig : RuntimeConfig {
  std::string membership_target;       // host:port of membership
  std::string membership_token;        // catalog's service-account token (platform admin role)
  std::string membership_tls_ca_file;  // PEM roots for membership's certificate (TLS when set)
  absl::Duration membership_deadline = absl::Seconds(2);
  absl::Duration sweep_interval = absl::Seconds(1);
  absl::Duration feed_interval = absl::Milliseconds(100);  // outbox → change feed
  CatalogSettings settings;
  WatchOptions watch;

  CatalogConfig() { db.database = "cooplink_catalog"; }
};

void AddCatalogFlags(Flags& flags, CatalogConfig* config);

class CatalogServer {
 public:
  // `directory` may be null: then a GrpcMembershipDirectory to config.membership_target is used
  // (uncached: every social worker's call asks membership for its caseload).
  static absl::StatusOr<std::unique_ptr<CatalogServer>> Start(
      const CatalogConfig& config, const Clock* clock,
      std::unique_ptr<MembershipDirectory> directory = nullptr);
  ~CatalogServer();

  int port() const { return runtime_->port(); }
  Catalog& catalog() { return *catalog_; }
  Database& database() { return runtime_->db(); }
  void Shutdown();

 private:
  CatalogServer() = default;
  std::unique_ptr<ServiceRuntime> runtime_;  // first: outlives the domain that uses its database
  std::unique_ptr<MembershipDirectory> directory_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<CatalogGrpc> service_;
  std::unique_ptr<OutboxRelay> sequencer_;  // outbox "catalog.changes" -> catalog_changes
};

// The service's migrations (generated from migrations/*.sql) and what their CHECK constraints
// mean to a caller (check_constraints.cc, db_errors.h).
const std::vector<Migration>& Migrations();
std::vector<CheckConstraintRule> CheckConstraintRules();

// Opens the database and applies migrations only (the `migrate` command).
absl::Status MigrateCatalog(const DbConfig& db);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CATALOG_SERVER_H_
