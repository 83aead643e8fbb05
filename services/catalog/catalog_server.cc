#include "services/catalog/catalog_server.h"

#include "absl/strings/str_cat.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"

namespace cooplink::catalog {

const std::vector<Migration>& Migrations();  // generated from migrations/*.sql

namespace {

// Rows handled per transaction by the background jobs.
constexpr int kSweepBatch = 100;
constexpr int kSequenceBatch = 500;
constexpr int kPurgeBatch = 1000;

ServiceSpec Spec() { return {"catalog", kServiceName, Migrations()}; }

}  // namespace

void AddCatalogFlags(Flags& flags, CatalogConfig* config) {
  AddRuntimeFlags(flags, config);
  flags.AddString("membership_target", "COOPLINK_MEMBERSHIP_TARGET",
                  "host:port of the membership service.", &config->membership_target);
  flags.AddString("membership_token", "COOPLINK_MEMBERSHIP_TOKEN",
                  "Catalog's service-account bearer token for membership (platform admin role).",
                  &config->membership_token, /*secret=*/true);
  flags.AddDuration("directory_cache_ttl", "COOPLINK_DIRECTORY_CACHE_TTL",
                    "How long a social worker's caseload from membership is cached.",
                    &config->directory_cache_ttl, absl::ZeroDuration(), absl::Minutes(5));
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

  auto channel =
      grpc::CreateChannel(config.membership_target, grpc::InsecureChannelCredentials());
  s->directory_ = directory != nullptr
                      ? std::move(directory)
                      : std::make_unique<GrpcMembershipDirectory>(
                            channel, config.membership_token, clock, config.directory_cache_ttl,
                            config.membership_deadline);
  s->catalog_ = std::make_unique<Catalog>(&rt.db(), s->directory_.get(), clock, config.settings);
  Catalog* catalog = s->catalog_.get();

  // Revoked tokens come from membership's feed.
  std::shared_ptr<membership::v1::MembershipService::Stub> stub =
      membership::v1::MembershipService::NewStub(channel);
  const std::string service_token = config.membership_token;
  const absl::Duration deadline = config.membership_deadline;
  RevocationList::Source revocation_source =
      [stub, service_token,
       deadline](int64_t after) -> absl::StatusOr<std::vector<RevocationList::Entry>> {
    std::vector<RevocationList::Entry> entries;
    membership::v1::ListTokenRevocationsRequest req;
    req.set_after_sequence(after);
    for (int page = 0; page < 1000; ++page) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", absl::StrCat("Bearer ", service_token));
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline)));
      membership::v1::ListTokenRevocationsResponse resp;
      grpc::Status status = stub->ListTokenRevocations(&ctx, req, &resp);
      if (!status.ok()) return FromGrpcStatus(status);
      for (const auto& r : resp.revocations()) {
        entries.push_back(
            {r.token_id(), absl::FromUnixSeconds(r.expire_time().seconds()), r.sequence()});
      }
      if (resp.revocations().empty()) break;
      req.set_after_sequence(resp.last_sequence());
    }
    return entries;
  };
  // A membership that is down at start-up must not keep catalog down: the refresher retries.
  if (absl::Status st = rt.StartAuthentication(std::move(revocation_source),
                                               FirstRevocationLoad::kRetryInBackground);
      !st.ok()) {
    return st;
  }

  s->service_ = std::make_unique<CatalogGrpc>(catalog, &rt.runner(), &rt.workers(),
                                              &rt.authenticator(), config.watch);
  CatalogGrpc* service = s->service_.get();
  // Open watch streams end (UNAVAILABLE, resume with the cursor) instead of holding the drain.
  rt.AddStopHook([service] { service->StopWatches(); });

  rt.AddPeriodic("reservation sweeper", config.sweep_interval, [catalog] {
    DrainInBatches(kSweepBatch, [catalog](int n) { return catalog->ExpireReservations(n); });
  });
  rt.AddPeriodic("change sequencer", config.feed_interval, [catalog] {
    DrainInBatches(kSequenceBatch, [catalog](int n) { return catalog->SequenceChanges(n); });
  });
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
