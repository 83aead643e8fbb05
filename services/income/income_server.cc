#include "services/income/income_server.h"

#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/revocation_feed.h"
#include "services/common/service_client.h"

namespace cooplink::income {

namespace {

namespace ov1 = ::cooplink::orders::v1;

ServiceSpec Spec() { return {"income", kServiceName, Migrations(), CheckConstraintRules()}; }

}  // namespace

void AddIncomeFlags(Flags& flags, IncomeConfig* config) {
  AddRuntimeFlags(flags, config);
  flags.AddString("membership_target", "COOPLINK_MEMBERSHIP_TARGET",
                  "host:port of the membership service.", &config->membership_target);
  flags.AddString("orders_target", "COOPLINK_ORDERS_TARGET", "host:port of the orders service.",
                  &config->orders_target);
  flags.AddString("service_token", "COOPLINK_INCOME_SERVICE_TOKEN",
                  "Income's service-account bearer token (platform admin) for membership and "
                  "orders.",
                  &config->service_token, /*secret=*/true);
  flags.AddString("membership_tls_ca_file", "COOPLINK_MEMBERSHIP_TLS_CA_FILE",
                  "PEM roots verifying membership's certificate (dials with TLS).",
                  &config->membership_tls_ca_file);
  flags.AddString("orders_tls_ca_file", "COOPLINK_ORDERS_TLS_CA_FILE",
                  "PEM roots verifying orders' certificate (dials with TLS).",
                  &config->orders_tls_ca_file);
  flags.AddBool("import_settlements", "COOPLINK_IMPORT_SETTLEMENTS",
                "Run the settlement importer (follows orders' WatchOrderEvents; safe on several "
                "replicas: they take turns through the stored cursor).",
                &config->import_settlements);
  flags.AddInt("alert_near_margin_bps", "COOPLINK_ALERT_NEAR_MARGIN_BPS",
               "NEAR_THRESHOLD alerts: margin above the monitoring line, in basis points.",
               &config->settings.near_margin_bps, 0, 10000);
  flags.AddInt("alert_drop_share_bps", "COOPLINK_ALERT_DROP_SHARE_BPS",
               "INCOME_DROP alerts: fall against the previous 12 months, in basis points.",
               &config->settings.drop_share_bps, 1, 10000);
  flags.AddDuration("alert_review_interval", "COOPLINK_ALERT_REVIEW_INTERVAL",
                    "How often queued alert reviews (a new threshold, the daily check) run.",
                    &config->review_interval, absl::Milliseconds(10), absl::Minutes(1));
}

absl::Status MigrateIncome(const DbConfig& db) { return MigrateDatabase(db, Spec()); }

absl::StatusOr<std::unique_ptr<IncomeServer>> IncomeServer::Start(
    const IncomeConfig& config, const Clock* clock, std::unique_ptr<HouseholdDirectory> directory) {
  if (config.membership_target.empty() || config.orders_target.empty() ||
      config.service_token.empty()) {
    return absl::InvalidArgumentError(
        "--membership_target, --orders_target and --service_token "
        "(COOPLINK_MEMBERSHIP_TARGET, COOPLINK_ORDERS_TARGET, COOPLINK_INCOME_SERVICE_TOKEN) "
        "are required");
  }
  std::unique_ptr<IncomeServer> s(new IncomeServer());
  auto runtime = ServiceRuntime::Open(config, Spec(), clock);
  if (!runtime.ok()) return runtime.status();
  s->runtime_ = *std::move(runtime);
  ServiceRuntime& rt = *s->runtime_;

  ServiceClientOptions options;
  options.deadline_cap = config.call_deadline;
  auto membership_channel = MakeChannel(config.membership_target,
                                        ClientTlsFor(config.server, config.membership_tls_ca_file));
  if (!membership_channel.ok()) return membership_channel.status();
  options.callee = "membership";
  const MembershipClient membership(membership::v1::MembershipService::NewStub(*membership_channel),
                                    config.service_token, options);
  s->directory_ = directory != nullptr ? std::move(directory)
                                       : std::make_unique<GrpcHouseholdDirectory>(membership);
  s->income_ = std::make_unique<Income>(&rt.db(), s->directory_.get(), clock, config.settings);
  Income* income = s->income_.get();

  if (absl::Status st = rt.StartAuthentication(MembershipRevocationFeed(membership),
                                               FirstRevocationLoad::kRetryInBackground);
      !st.ok()) {
    return st;
  }
  s->service_ = std::make_unique<IncomeGrpc>(income, &rt.runner());

  if (config.import_settlements) {
    auto orders_channel =
        MakeChannel(config.orders_target, ClientTlsFor(config.server, config.orders_tls_ca_file));
    if (!orders_channel.ok()) return orders_channel.status();
    s->orders_stub_ = ov1::OrdersService::NewStub(*orders_channel);
    ov1::OrdersService::StubInterface* stub = s->orders_stub_.get();
    const std::string token = config.service_token;
    s->importer_ = std::make_unique<StreamConsumer<ov1::OrderEvent>>(
        &rt.db(), clock, kSettlementImporter,
        [stub, token](grpc::ClientContext* ctx, const std::string& cursor) {
          ctx->AddMetadata("authorization", "Bearer " + token);
          ov1::WatchOrderEventsRequest req;
          req.set_cursor(cursor);
          return stub->WatchOrderEvents(ctx, req);
        },
        [income](Tx& tx, const ov1::OrderEvent& event) {
          return income->ApplyOrderEvent(tx, event);
        },
        [](const ov1::OrderEvent& event) {
          return event.kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT;
        });
    s->importer_->Start();
    StreamConsumer<ov1::OrderEvent>* importer = s->importer_.get();
    rt.AddStopHook([importer] { importer->Stop(); });
  }

  rt.AddPeriodic("alert reviews", config.review_interval, [income] {
    for (int i = 0; i < 100; ++i) {
      absl::StatusOr<int> n = income->RunAlertReviews();
      if (!n.ok() || *n == 0) break;
    }
  });
  rt.AddPeriodic("daily alert check", config.daily_check_interval,
                 [income] { (void)income->QueueDailyReview(); });

  if (absl::Status st = rt.Serve({s->service_.get()}); !st.ok()) return st;
  return s;
}

void IncomeServer::Shutdown() {
  if (runtime_) runtime_->Shutdown();
}

IncomeServer::~IncomeServer() { Shutdown(); }

}  // namespace cooplink::income
