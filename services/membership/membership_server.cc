#include "services/membership/membership_server.h"

#include "services/common/idempotency.h"
#include "services/common/migrations.h"

namespace cooplink::membership {

const std::vector<Migration>& Migrations();  // generated from migrations/*.sql

void AddMembershipFlags(Flags& flags, MembershipConfig* config) {
  AddServerFlags(flags, &config->server);
  AddDbFlags(flags, &config->db);
  flags.AddString("token_key", "COOPLINK_TOKEN_KEY",
                  "Base64 key (>= 32 bytes) that signs bearer tokens; every service needs the "
                  "same key.",
                  &config->token_key, /*secret=*/true);
  flags.AddString("pii_key", "COOPLINK_PII_KEY",
                  "Base64 32-byte key encrypting resident IDs and phone numbers at rest.",
                  &config->pii_key, /*secret=*/true);
  flags.AddInt("workers", "COOPLINK_WORKERS", "Threads running database-backed handlers.",
               &config->workers, 1, 256);
  flags.AddInt("max_queue", "COOPLINK_MAX_QUEUE",
               "Calls that may wait for a worker before RESOURCE_EXHAUSTED.", &config->max_queue,
               1, 1 << 20);
  flags.AddDuration("revocation_refresh", "COOPLINK_REVOCATION_REFRESH",
                    "How often revoked tokens are reloaded (a revoked token stops working within "
                    "this interval).",
                    &config->revocation_refresh, absl::Milliseconds(100), absl::Seconds(60));
  flags.AddBool("access_log", "COOPLINK_ACCESS_LOG", "Write one JSON line per RPC to stdout.",
                &config->access_log);
}

absl::Status MigrateMembership(const DbConfig& db_config) {
  auto db = Database::Open(db_config);
  if (!db.ok()) return db.status();
  return ApplyMigrations(**db, "membership", Migrations());
}

absl::StatusOr<std::unique_ptr<MembershipServer>> MembershipServer::Start(
    const MembershipConfig& config, const Clock* clock) {
  auto token_key = DecodeKey("token_key (COOPLINK_TOKEN_KEY)", config.token_key, 32, 1024);
  if (!token_key.ok()) return token_key.status();
  auto pii_key = DecodeKey("pii_key (COOPLINK_PII_KEY)", config.pii_key, 32, 32);
  if (!pii_key.ok()) return pii_key.status();
  auto codec = TokenCodec::Create(*token_key);
  if (!codec.ok()) return codec.status();
  auto cipher = PiiCipher::Create(*pii_key);
  if (!cipher.ok()) return cipher.status();

  std::unique_ptr<MembershipServer> s(new MembershipServer());
  auto db = Database::Open(config.db);
  if (!db.ok()) return db.status();
  s->db_ = *std::move(db);
  if (auto st = ApplyMigrations(*s->db_, "membership", Migrations()); !st.ok()) return st;

  s->codec_ = std::make_unique<TokenCodec>(*std::move(codec));
  s->membership_ =
      std::make_unique<Membership>(s->db_.get(), *std::move(cipher), s->codec_.get(), clock);
  Membership* membership = s->membership_.get();
  s->revocations_ = std::make_unique<RevocationList>(
      [membership](int64_t after) { return membership->RevocationsAfter(after); }, clock);
  if (auto st = s->revocations_->Refresh(); !st.ok()) return st;
  s->revocations_->StartRefreshing(config.revocation_refresh);
  s->authenticator_ =
      std::make_unique<Authenticator>(s->codec_.get(), s->revocations_.get(), clock);
  s->access_log_ = std::make_unique<AccessLog>(config.access_log);
  s->workers_ = std::make_unique<WorkerPool>(config.workers, config.max_queue);
  s->runner_ = std::make_unique<RpcRunner>(kServiceName, s->workers_.get(),
                                           s->authenticator_.get(), s->access_log_.get());
  s->service_ = std::make_unique<MembershipGrpc>(membership, s->runner_.get());
  auto host = ServiceHost::Start(config.server, {s->service_.get()}, {kServiceName});
  if (!host.ok()) return host.status();
  s->host_ = *std::move(host);
  Database* database = s->db_.get();
  s->janitor_ = std::make_unique<Periodic>(absl::Minutes(10), [database, clock] {
    // Failures (e.g. the database is restarting) are retried on the next tick.
    while (true) {
      auto purged = PurgeIdempotencyKeys(*database, clock->Now() - kIdempotencyRetention, 1000);
      if (!purged.ok() || *purged < 1000) break;
    }
  });
  return s;
}

void MembershipServer::Shutdown() {
  if (host_) host_->Shutdown();
  if (janitor_) janitor_->Stop();
  if (workers_) workers_->Stop();
  if (revocations_) revocations_->StopRefreshing();
}

MembershipServer::~MembershipServer() { Shutdown(); }

}  // namespace cooplink::membership
