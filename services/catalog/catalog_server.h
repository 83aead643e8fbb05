// Wiring of the catalog server: config -> database -> migrations -> membership client -> domain ->
// gRPC host, plus the reservation-expiry sweeper. main.cc parses the command line and calls this;
// integration tests start it in-process next to a membership server.
#ifndef COOPLINK_SERVICES_CATALOG_CATALOG_SERVER_H_
#define COOPLINK_SERVICES_CATALOG_CATALOG_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_grpc.h"
#include "services/catalog/membership_directory.h"
#include "services/common/auth.h"
#include "services/common/config.h"
#include "services/common/outbox_relay.h"
#include "services/common/periodic.h"
#include "services/common/server.h"

namespace cooplink::catalog {

inline constexpr char kServiceName[] = "cooplink.catalog.v1.CatalogService";

struct CatalogConfig {
  DbConfig db;
  ServerOptions server;
  std::string token_key;          // base64, the same key membership signs tokens with
  std::string membership_target;  // host:port of membership
  std::string membership_token;   // catalog's service-account token (platform admin role)
  int workers = 16;
  int max_queue = 2048;
  absl::Duration revocation_refresh = absl::Seconds(15);
  absl::Duration directory_cache_ttl = absl::Seconds(5);
  absl::Duration membership_deadline = absl::Seconds(2);
  absl::Duration sweep_interval = absl::Seconds(1);
  absl::Duration feed_interval = absl::Milliseconds(100);  // outbox → change feed
  bool access_log = true;
  CatalogSettings settings;
  WatchOptions watch;

  CatalogConfig() { db.database = "cooplink_catalog"; }
};

void AddCatalogFlags(Flags& flags, CatalogConfig* config);

class CatalogServer {
 public:
  // `directory` may be null: then a GrpcMembershipDirectory to config.membership_target is used.
  static absl::StatusOr<std::unique_ptr<CatalogServer>> Start(
      const CatalogConfig& config, const Clock* clock,
      std::unique_ptr<MembershipDirectory> directory = nullptr);
  ~CatalogServer();

  int port() const { return host_->port(); }
  Catalog& catalog() { return *catalog_; }
  Database& database() { return *db_; }
  void Shutdown();

 private:
  CatalogServer() = default;
  std::unique_ptr<Database> db_;
  std::unique_ptr<MembershipDirectory> directory_;
  std::unique_ptr<TokenCodec> codec_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<RevocationList> revocations_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RpcRunner> runner_;
  std::unique_ptr<CatalogGrpc> service_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<Periodic> sweeper_;    // releases expired reservations
  std::unique_ptr<OutboxRelay> sequencer_;  // outbox "catalog.changes" -> catalog_changes
  std::unique_ptr<Periodic> janitor_;  // forgets request_ids past their retention
};

absl::Status MigrateCatalog(const DbConfig& db);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CATALOG_SERVER_H_
