#include "services/catalog/catalog_server.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/idempotency.h"
#include "services/common/migrations.h"

namespace cooplink::catalog {

const std::vector<Migration>& Migrations();  // generated from migrations/*.sql

void AddCatalogFlags(Flags& flags, CatalogConfig* config) {
  AddServerFlags(flags, &config->server);
  AddDbFlags(flags, &config->db);
  flags.AddString("token_key", "COOPLINK_TOKEN_KEY",
                  "Base64 key (>= 32 bytes) verifying bearer tokens; membership's signing key.",
                  &config->token_key, /*secret=*/true);
  flags.AddString("membership_target", "COOPLINK_MEMBERSHIP_TARGET",
                  "host:port of the membership service.", &config->membership_target);
  flags.AddString("membership_token", "COOPLINK_MEMBERSHIP_TOKEN",
                  "Catalog's service-account bearer token for membership (platform admin role).",
                  &config->membership_token, /*secret=*/true);
  flags.AddInt("workers", "COOPLINK_WORKERS", "Threads running database-backed handlers.",
               &config->workers, 1, 256);
  flags.AddInt("max_queue", "COOPLINK_MAX_QUEUE",
               "Calls that may wait for a worker before RESOURCE_EXHAUSTED.", &config->max_queue,
               1, 1 << 20);
  flags.AddDuration("revocation_refresh", "COOPLINK_REVOCATION_REFRESH",
                    "How often revoked tokens are reloaded from membership.",
                    &config->revocation_refresh, absl::Milliseconds(100), absl::Seconds(60));
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
  flags.AddBool("access_log", "COOPLINK_ACCESS_LOG", "Write one JSON line per RPC to stdout.",
                &config->access_log);
}

absl::Status MigrateCatalog(const DbConfig& db_config) {
  auto db = Database::Open(db_config);
  if (!db.ok()) return db.status();
  return ApplyMigrations(**db, "catalog", Migrations());
}

absl::StatusOr<std::unique_ptr<CatalogServer>> CatalogServer::Start(
    const CatalogConfig& config, const Clock* clock,
    std::unique_ptr<MembershipDirectory> directory) {
  auto token_key = DecodeKey("token_key (COOPLINK_TOKEN_KEY)", config.token_key, 32, 1024);
  if (!token_key.ok()) return token_key.status();
  auto codec = TokenCodec::Create(*token_key);
  if (!codec.ok()) return codec.status();
  if (config.membership_target.empty() || config.membership_token.empty()) {
    return absl::InvalidArgumentError(
        "--membership_target (COOPLINK_MEMBERSHIP_TARGET) and --membership_token "
        "(COOPLINK_MEMBERSHIP_TOKEN) are required");
  }
  std::unique_ptr<CatalogServer> s(new CatalogServer());
  auto db = Database::Open(config.db);
  if (!db.ok()) return db.status();
  s->db_ = *std::move(db);
  if (auto st = ApplyMigrations(*s->db_, "catalog", Migrations()); !st.ok()) return st;

  auto channel =
      grpc::CreateChannel(config.membership_target, grpc::InsecureChannelCredentials());
  s->directory_ = directory != nullptr
                      ? std::move(directory)
                      : std::make_unique<GrpcMembershipDirectory>(
                            channel, config.membership_token, clock, config.directory_cache_ttl,
                            config.membership_deadline);
  s->codec_ = std::make_unique<TokenCodec>(*std::move(codec));
  s->catalog_ = std::make_unique<Catalog>(s->db_.get(), s->directory_.get(), clock, config.settings);

  // Revoked tokens come from membership's feed.
  std::shared_ptr<membership::v1::MembershipService::Stub> stub =
      membership::v1::MembershipService::NewStub(channel);
  const std::string service_token = config.membership_token;
  const absl::Duration deadline = config.membership_deadline;
  s->revocations_ = std::make_unique<RevocationList>(
      [stub, service_token, deadline](
          int64_t after) -> absl::StatusOr<std::vector<RevocationList::Entry>> {
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
            entries.push_back({r.token_id(), absl::FromUnixSeconds(r.expire_time().seconds()),
                               r.sequence()});
          }
          if (resp.revocations().empty()) break;
          req.set_after_sequence(resp.last_sequence());
        }
        return entries;
      },
      clock);
  // A membership that is down at start-up must not keep catalog down: the refresher retries.
  if (auto st = s->revocations_->Refresh(); !st.ok()) {
    std::fprintf(stderr,
                 "{\"level\":\"warn\",\"msg\":\"revocation list not loaded yet\",\"code\":\"%s\"}\n",
                 absl::StatusCodeToString(st.code()).c_str());
  }
  s->revocations_->StartRefreshing(config.revocation_refresh);
  s->authenticator_ = std::make_unique<Authenticator>(s->codec_.get(), s->revocations_.get(), clock);
  s->access_log_ = std::make_unique<AccessLog>(config.access_log);
  s->workers_ = std::make_unique<WorkerPool>(config.workers, config.max_queue);
  s->runner_ = std::make_unique<RpcRunner>(kServiceName, s->workers_.get(),
                                           s->authenticator_.get(), s->access_log_.get());
  s->service_ = std::make_unique<CatalogGrpc>(s->catalog_.get(), s->runner_.get(),
                                              s->workers_.get(), s->authenticator_.get(),
                                              config.watch);
  auto host = ServiceHost::Start(config.server, {s->service_.get()}, {kServiceName});
  if (!host.ok()) return host.status();
  s->host_ = *std::move(host);

  Catalog* catalog = s->catalog_.get();
  s->sweeper_ = std::make_unique<Periodic>(config.sweep_interval, [catalog] {
    // Failures (e.g. the database is restarting) are retried on the next tick.
    while (true) {
      auto released = catalog->ExpireReservations(100);
      if (!released.ok() || *released < 100) break;
    }
  });
  RelayOptions feed;
  feed.batch_size = 500;
  feed.poll_interval = config.feed_interval;
  s->sequencer_ = std::make_unique<OutboxRelay>(s->db_.get(), clock, kChangeTopic,
                                                std::make_unique<ChangeSequencer>(), feed);
  s->sequencer_->Start();
  Database* database = s->db_.get();
  const absl::Duration change_retention = config.settings.change_retention;
  s->janitor_ = std::make_unique<Periodic>(absl::Minutes(10), [database, catalog, clock,
                                                               change_retention] {
    while (true) {
      auto purged = PurgeIdempotencyKeys(*database, clock->Now() - kIdempotencyRetention, 1000);
      if (!purged.ok() || *purged < 1000) break;
    }
    while (true) {
      auto purged = catalog->PurgeChanges(clock->Now() - change_retention, 1000);
      if (!purged.ok() || *purged < 1000) break;
    }
  });
  return s;
}

void CatalogServer::Shutdown() {
  if (service_) service_->StopWatches();
  if (host_) host_->Shutdown();
  if (sweeper_) sweeper_->Stop();
  if (sequencer_) sequencer_->Stop();
  if (janitor_) janitor_->Stop();
  if (workers_) workers_->Stop();
  if (revocations_) revocations_->StopRefreshing();
}

CatalogServer::~CatalogServer() { Shutdown(); }

}  // namespace cooplink::catalog
