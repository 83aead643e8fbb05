// Wiring of the orders server on the shared ServiceRuntime (services/common/service_runtime.h): the
// runtime opens and migrates the database; this file adds the clients of catalog and membership
// (one ServiceClient each, orders' own service-account token), the Orders domain, the revocation
// source (membership's feed) and the gRPC adapter, plus orders' background jobs: the stock
// recovery job, the orphan-reservation release, automatic completion, the event sequencer and the
// purges. main.cc parses the command line and calls this; integration tests start it in-process
// next to membership and catalog servers.
#ifndef COOPLINK_SERVICES_ORDERS_ORDERS_SERVER_H_
#define COOPLINK_SERVICES_ORDERS_ORDERS_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/event_stream.h"
#include "services/common/membership_directory.h"
#include "services/common/outbox_relay.h"
#include "services/common/service_runtime.h"
#include "services/orders/catalog_gateway.h"
#include "services/orders/orders.h"
#include "services/orders/orders_grpc.h"

namespace cooplink::orders {

inline constexpr char kServiceName[] = "cooplink.orders.v1.OrdersService";

// The runtime's options plus orders' own.
struct OrdersConfig : RuntimeConfig {
  std::string pii_key;  // base64, exactly 32 bytes: encrypts buyer contacts
  std::string membership_target;
  std::string catalog_target;
  std::string service_token;  // orders' service-account token (platform admin) for both
  std::string membership_tls_ca_file;
  std::string catalog_tls_ca_file;
  absl::Duration call_deadline = absl::Seconds(2);   // cap of calls made without a caller deadline
  absl::Duration stock_interval = absl::Seconds(5);  // stock recovery job
  absl::Duration completion_interval = absl::Minutes(1);   // automatic completion job
  absl::Duration orphan_interval = absl::Minutes(1);       // orphan reservation release
  absl::Duration feed_interval = absl::Milliseconds(100);  // outbox -> order event feed
  OrdersSettings settings;
  StreamOptions watch;

  OrdersConfig() { db.database = "cooplink_orders"; }
};

void AddOrdersFlags(Flags& flags, OrdersConfig* config);

class OrdersServer {
 public:
  // `catalog` and `directory` may be null: then gRPC clients to the configured targets are used.
  static absl::StatusOr<std::unique_ptr<OrdersServer>> Start(
      const OrdersConfig& config, const Clock* clock,
      std::unique_ptr<CatalogGateway> catalog = nullptr,
      std::unique_ptr<MembershipDirectory> directory = nullptr);
  ~OrdersServer();

  int port() const { return runtime_->port(); }
  Orders& orders() { return *orders_; }
  Database& database() { return runtime_->db(); }
  void Shutdown();

 private:
  OrdersServer() = default;
  std::unique_ptr<ServiceRuntime> runtime_;  // first: outlives the domain that uses its database
  std::unique_ptr<PiiCipher> cipher_;
  std::unique_ptr<CatalogGateway> catalog_;
  std::unique_ptr<MembershipDirectory> directory_;
  std::unique_ptr<Orders> orders_;
  std::unique_ptr<OrdersGrpc> service_;
  std::unique_ptr<OutboxRelay> sequencer_;  // outbox "orders.events" -> order_events
};

const std::vector<Migration>& Migrations();
std::vector<CheckConstraintRule> CheckConstraintRules();

// Opens the database and applies migrations only (the `migrate` command).
absl::Status MigrateOrders(const DbConfig& db);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDERS_SERVER_H_
