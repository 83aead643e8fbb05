#include "services/orders/orders_server.h"

#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/revocation_feed.h"
#include "services/common/service_client.h"
#include "services/orders/order_events.h"

namespace cooplink::orders {

namespace {

// Rows handled per round by the background jobs.
constexpr int kStockBatch = 50;
constexpr int kCompletionBatch = 50;
constexpr int kSequenceBatch = 500;
constexpr int kPurgeBatch = 1000;
constexpr absl::Duration kEventRetention = absl::Hours(24 * 7);

ServiceSpec Spec() { return {"orders", kServiceName, Migrations(), CheckConstraintRules()}; }

}  // namespace

void AddOrdersFlags(Flags& flags, OrdersConfig* config) {
  AddRuntimeFlags(flags, config);
  flags.AddString("pii_key", "COOPLINK_PII_KEY",
                  "Base64 32-byte key encrypting buyer contacts at rest.", &config->pii_key,
                  /*secret=*/true);
  flags.AddString("membership_target", "COOPLINK_MEMBERSHIP_TARGET",
                  "host:port of the membership service.", &config->membership_target);
  flags.AddString("catalog_target", "COOPLINK_CATALOG_TARGET", "host:port of the catalog service.",
                  &config->catalog_target);
  flags.AddString("service_token", "COOPLINK_ORDERS_SERVICE_TOKEN",
                  "Orders' service-account bearer token (platform admin) for membership and "
                  "catalog.",
                  &config->service_token, /*secret=*/true);
  flags.AddString("membership_tls_ca_file", "COOPLINK_MEMBERSHIP_TLS_CA_FILE",
                  "PEM roots verifying membership's certificate (dials with TLS).",
                  &config->membership_tls_ca_file);
  flags.AddString("catalog_tls_ca_file", "COOPLINK_CATALOG_TLS_CA_FILE",
                  "PEM roots verifying catalog's certificate (dials with TLS).",
                  &config->catalog_tls_ca_file);
  flags.AddDuration("reservation_ttl", "COOPLINK_ORDER_RESERVATION_TTL",
                    "How long an unpaid order's reservation holds its goods.",
                    &config->settings.reservation_ttl, absl::Minutes(1), absl::Hours(24));
  flags.AddDuration("return_window", "COOPLINK_RETURN_WINDOW",
                    "After delivery, how long the buyer may return goods before the order "
                    "completes by itself.",
                    &config->settings.completion.return_window, absl::Minutes(1),
                    absl::Hours(24 * 90));
  flags.AddDuration("receipt_window", "COOPLINK_RECEIPT_WINDOW",
                    "After the last shipment with no delivery recorded, when receipt counts as "
                    "confirmed (the return window runs after it).",
                    &config->settings.completion.receipt_window, absl::Minutes(1),
                    absl::Hours(24 * 90));
  flags.AddDuration("stock_interval", "COOPLINK_STOCK_INTERVAL",
                    "How often the stock recovery job looks for due stock steps (at most 30s: "
                    "with the 30s grace it keeps the proto's promise that a PENDING order is "
                    "reserved within a minute).",
                    &config->stock_interval, absl::Milliseconds(50), absl::Seconds(30));
  flags.AddDuration("feed_interval", "COOPLINK_FEED_INTERVAL",
                    "How often new order events are sequenced into the event feed.",
                    &config->feed_interval, absl::Milliseconds(5), absl::Seconds(10));
  flags.AddDuration("watch_heartbeat", "COOPLINK_WATCH_HEARTBEAT",
                    "Heartbeat interval of WatchOrderEvents streams (at most 30s).",
                    &config->watch.heartbeat_interval, absl::Milliseconds(100), absl::Seconds(30));
}

absl::Status MigrateOrders(const DbConfig& db) { return MigrateDatabase(db, Spec()); }

absl::StatusOr<std::unique_ptr<OrdersServer>> OrdersServer::Start(
    const OrdersConfig& config, const Clock* clock, std::unique_ptr<CatalogGateway> catalog,
    std::unique_ptr<MembershipDirectory> directory) {
  if (config.membership_target.empty() || config.catalog_target.empty() ||
      config.service_token.empty()) {
    return absl::InvalidArgumentError(
        "--membership_target, --catalog_target and --service_token "
        "(COOPLINK_MEMBERSHIP_TARGET, COOPLINK_CATALOG_TARGET, COOPLINK_ORDERS_SERVICE_TOKEN) "
        "are required");
  }
  auto pii_key = DecodeKey("pii_key (COOPLINK_PII_KEY)", config.pii_key, 32, 32);
  if (!pii_key.ok()) return pii_key.status();
  auto cipher = PiiCipher::Create(*pii_key);
  if (!cipher.ok()) return cipher.status();

  std::unique_ptr<OrdersServer> s(new OrdersServer());
  auto runtime = ServiceRuntime::Open(config, Spec(), clock);
  if (!runtime.ok()) return runtime.status();
  s->runtime_ = *std::move(runtime);
  ServiceRuntime& rt = *s->runtime_;
  s->cipher_ = std::make_unique<PiiCipher>(*std::move(cipher));

  ServiceClientOptions options;
  options.deadline_cap = config.call_deadline;
  auto membership_channel = MakeChannel(config.membership_target,
                                        ClientTlsFor(config.server, config.membership_tls_ca_file));
  if (!membership_channel.ok()) return membership_channel.status();
  options.callee = "membership";
  const MembershipClient membership(membership::v1::MembershipService::NewStub(*membership_channel),
                                    config.service_token, options);
  s->directory_ = directory != nullptr ? std::move(directory)
                                       : std::make_unique<GrpcMembershipDirectory>(membership);
  if (catalog != nullptr) {
    s->catalog_ = std::move(catalog);
  } else {
    auto catalog_channel =
        MakeChannel(config.catalog_target, ClientTlsFor(config.server, config.catalog_tls_ca_file));
    if (!catalog_channel.ok()) return catalog_channel.status();
    options.callee = "catalog";
    s->catalog_ = std::make_unique<GrpcCatalogGateway>(CatalogClient(
        catalog::v1::CatalogService::NewStub(*catalog_channel), config.service_token, options));
  }
  s->orders_ = std::make_unique<Orders>(&rt.db(), s->catalog_.get(), s->directory_.get(),
                                        s->cipher_.get(), clock, config.settings);
  Orders* orders = s->orders_.get();

  if (absl::Status st = rt.StartAuthentication(MembershipRevocationFeed(membership),
                                               FirstRevocationLoad::kRetryInBackground);
      !st.ok()) {
    return st;
  }
  s->service_ = std::make_unique<OrdersGrpc>(orders, &rt.db(), &rt.runner(), config.watch);
  OrdersGrpc* service = s->service_.get();
  rt.AddStopHook([service] { service->StopWatches(); });

  rt.AddPeriodic("stock recovery", config.stock_interval, [orders] {
    DrainInBatches(kStockBatch, [orders](int n) { return orders->RecoverStock(n); });
  });
  rt.AddPeriodic("orphan reservations", config.orphan_interval,
                 [orders] { (void)orders->ReleaseOrphanReservations(); });
  rt.AddPeriodic("automatic completion", config.completion_interval, [orders] {
    DrainInBatches(kCompletionBatch, [orders](int n) { return orders->CompleteDueOrders(n); });
  });
  RelayOptions feed;
  feed.batch_size = kSequenceBatch;
  feed.poll_interval = config.feed_interval;
  s->sequencer_ = std::make_unique<OutboxRelay>(&rt.db(), clock, kOrderEventTopic,
                                                std::make_unique<OrderEventSequencer>(), feed);
  s->sequencer_->Start();
  OutboxRelay* sequencer = s->sequencer_.get();
  rt.AddStopHook([sequencer] { sequencer->Stop(); });
  Database* db = &rt.db();
  rt.AddJanitorJob("order event purge", [db, clock] {
    DrainInBatches(kPurgeBatch,
                   [&](int n) { return PurgeOrderEvents(*db, clock->Now() - kEventRetention, n); });
  });

  if (absl::Status st = rt.Serve({s->service_.get()}); !st.ok()) return st;
  return s;
}

void OrdersServer::Shutdown() {
  if (runtime_) runtime_->Shutdown();
}

OrdersServer::~OrdersServer() { Shutdown(); }

}  // namespace cooplink::orders
