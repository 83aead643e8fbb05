#include "services/catalog/catalog_server.h"

#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/catalog/search_store.h"
#include "services/common/revocation_feed.h"
#include "services/common/service_client.h"

namespace cooplink::catalog {

namespace {

// Rows handled per transaction by the background jobs.
constexpr int kSweepBatch = 100;
constexpr int kSequenceBatch = 500;
constexpr int kPurgeBatch = 1000;

ServiceSpec Spec() { return {"catalog", kServiceName, Migrations(), CheckConstraintRules()}; }

}  // namespace

void AddCatalogFlags(Flags& flags, CatalogConfig* config) {
  AddRuntimeFlags(flags, config);
  flags.AddString("membership_target", "COOPLINK_MEMBERSHIP_TARGET",
                  "host:port of the membership service.", &config->membership_target);
  flags.AddString("membership_token", "COOPLINK_MEMBERSHIP_TOKEN",
                  "Catalog's service-account bearer token for membership (platform admin role).",
                  &config->membership_token, /*secret=*/true);
  flags.AddString("membership_tls_ca_file", "COOPLINK_MEMBERSHIP_TLS_CA_FILE",
                  "PEM roots verifying membership's certificate; dials membership with TLS "
                  "(which is also the default when this server serves TLS).",
                  &config->membership_tls_ca_file);
  flags.AddDuration("reservation_ttl", "COOPLINK_RESERVATION_TTL",
                    "Default lifetime of a stock reservation.",
                    &config->settings.default_reservation_ttl, absl::Seconds(1), absl::Hours(24));
  flags.AddDuration("sweep_interval", "COOPLINK_SWEEP_INTERVAL",
                    "How often expired reservations are released.", &config->sweep_interval,
                    absl::Milliseconds(50), absl::Minutes(10));
  flags.AddDuration("feed_interval", "COOPLINK_FEED_INTERVAL",
                    "How often new changes are sequenced into the watch feed (their latency).",
                    &config->feed_interval, absl::Milliseconds(5), absl::Seconds(10));
  flags.AddDuration("watch_heartbeat", "COOPLINK_WATCH_HEARTBEAT",
                    "Heartbeat interval of WatchCatalogChanges streams (at most 30s).",
                    &config->watch.heartbeat_interval, absl::Milliseconds(100), absl::Seconds(30));
}

absl::Status MigrateCatalog(const DbConfig& db) { return MigrateDatabase(db, Spec()); }

absl::StatusOr<std::unique_ptr<CatalogServer>> CatalogServer::Start(
    const CatalogConfig& config, const Clock* clock,
    std::unique_ptr<MembershipDirectory> directory) {
  if (config.membership_target.empty() || config.membership_token.empty()) {
    return absl::InvalidArgumentError(
        "--membership_target (COOPLINK_MEMBERSHIP_TARGET) and --membership_token "
        "(COOPLINK_MEMBERSHIP_TOKEN) are required");
  }
  std::unique_ptr<CatalogServer> s(new CatalogServer());
  auto runtime = ServiceRuntime::Open(config, Spec(), clock);
  if (!runtime.ok()) return runtime.status();
  s->runtime_ = *std::move(runtime);
  ServiceRuntime& rt = *s->runtime_;

  auto channel = MakeChannel(config.membership_target,
                             ClientTlsFor(config.server, config.membership_tls_ca_file));
  if (!channel.ok()) return channel.status();
  ServiceClientOptions membership_options;
  membership_options.callee = "membership";
  membership_options.deadline_cap = config.membership_deadline;
  const MembershipClient membership(membership::v1::MembershipService::NewStub(*channel),
                                    config.membership_token, membership_options);
  // No cache in front of membership: access decisions follow it at once
  // (services/common/membership_directory.h).
  s->directory_ = directory != nullptr ? std::move(directory)
                                       : std::make_unique<GrpcMembershipDirectory>(membership);
  s->catalog_ = std::make_unique<Catalog>(&rt.db(), s->directory_.get(), clock, config.settings);
  Catalog* catalog = s->catalog_.get();
  if (absl::Status st = BackfillSearchIndex(rt.db()); !st.ok()) return st;  // migration 0007

  // Revoked tokens come from membership's feed.
  RevocationList::Source revocation_source = MembershipRevocationFeed(membership);
  // A membership that is down at start-up must not keep catalog down: the refresher retries.
  if (absl::Status st = rt.StartAuthentication(std::move(revocation_source),
                                               FirstRevocationLoad::kRetryInBackground);
      !st.ok()) {
    return st;
  }

  s->service_ = std::make_unique<CatalogGrpc>(catalog, &rt.runner(), config.watch);
  CatalogGrpc* service = s->service_.get();
  // Open watch streams end (UNAVAILABLE, resume with the cursor) instead of holding the drain.
  rt.AddStopHook([service] { service->StopWatches(); });

  rt.AddPeriodic("reservation sweeper", config.sweep_interval, [catalog] {
    DrainInBatches(kSweepBatch, [catalog](int n) { return catalog->ExpireReservations(n); });
  });
  // Offers made before partner listings existed (migration 0006) are announced once, so every
  // partner's listing is complete; nothing to do afterwards.
  if (absl::StatusOr<int64_t> announced = catalog->AnnounceUnlistedOffers(); !announced.ok()) {
    return announced.status();
  } else if (*announced > 0) {
    LogInfo("announced offers made before partner listings", {{"offers", *announced}});
  }
  RelayOptions feed;
  feed.batch_size = kSequenceBatch;
  feed.poll_interval = config.feed_interval;
  s->sequencer_ = std::make_unique<OutboxRelay>(&rt.db(), clock, kChangeTopic,
                                                std::make_unique<ChangeSequencer>(), feed);
  s->sequencer_->Start();
  OutboxRelay* sequencer = s->sequencer_.get();
  rt.AddStopHook([sequencer] { sequencer->Stop(); });
  const absl::Duration change_retention = config.settings.change_retention;
  rt.AddJanitorJob("change purge", [catalog, clock, change_retention] {
    DrainInBatches(kPurgeBatch, [&](int n) {
      return catalog->PurgeChanges(clock->Now() - change_retention, n);
    });
  });

  if (absl::Status st = rt.Serve({s->service_.get()}); !st.ok()) return st;
  return s;
}

void CatalogServer::Shutdown() {
  if (runtime_) runtime_->Shutdown();
}

CatalogServer::~CatalogServer() { Shutdown(); }

}  // namespace cooplink::catalog
