#include "services/membership/membership_server.h"

#include "services/common/crypto.h"
#include "services/membership/revocation_log.h"

namespace cooplink::membership {

namespace {

ServiceSpec Spec() { return {"membership", kServiceName, Migrations(), CheckConstraintRules()}; }

// The runtime (database migrated) and the Membership domain on it; no thread started yet.
absl::Status OpenDomain(const MembershipConfig& config, const Clock* clock,
                        std::unique_ptr<ServiceRuntime>* runtime,
                        std::unique_ptr<Membership>* membership) {
  auto pii_key = DecodeKey("pii_key (COOPLINK_PII_KEY)", config.pii_key, 32, 32);
  if (!pii_key.ok()) return pii_key.status();
  auto cipher = PiiCipher::Create(*pii_key);
  if (!cipher.ok()) return cipher.status();
  auto rt = ServiceRuntime::Open(config, Spec(), clock);
  if (!rt.ok()) return rt.status();
  *runtime = *std::move(rt);
  *membership = std::make_unique<Membership>(&(*runtime)->db(), *std::move(cipher),
                                             &(*runtime)->tokens(), clock);
  return absl::OkStatus();
}

}  // namespace

void AddMembershipFlags(Flags& flags, MembershipConfig* config) {
  AddRuntimeFlags(flags, config);
  flags.AddString("pii_key", "COOPLINK_PII_KEY",
                  "Base64 32-byte key encrypting resident IDs and phone numbers at rest.",
                  &config->pii_key, /*secret=*/true);
  flags.AddDuration("revocation_feed_interval", "COOPLINK_REVOCATION_FEED_INTERVAL",
                    "How often committed token revocations enter the revocation feed.",
                    &config->revocation_feed_interval, absl::Milliseconds(5), absl::Seconds(10));
}

absl::Status MigrateMembership(const DbConfig& db) { return MigrateDatabase(db, Spec()); }

absl::Status BootstrapAdmin(const MembershipConfig& config, const Clock* clock,
                            const std::string& name, absl::Duration ttl, v1::Principal* principal,
                            v1::IssueTokenResponse* token) {
  std::unique_ptr<ServiceRuntime> runtime;
  std::unique_ptr<Membership> membership;
  if (absl::Status s = OpenDomain(config, clock, &runtime, &membership); !s.ok()) return s;
  return membership->BootstrapPlatformAdmin(name, ttl, principal, token);
}

absl::StatusOr<std::unique_ptr<MembershipServer>> MembershipServer::Start(
    const MembershipConfig& config, const Clock* clock) {
  std::unique_ptr<MembershipServer> s(new MembershipServer());
  if (absl::Status st = OpenDomain(config, clock, &s->runtime_, &s->membership_); !st.ok()) {
    return st;
  }
  Membership* membership = s->membership_.get();
  // Revocations come from membership's own database: no list, no start.
  if (absl::Status st = s->runtime_->StartAuthentication(
          [membership](int64_t after) { return membership->RevocationsAfter(after); },
          FirstRevocationLoad::kRequired);
      !st.ok()) {
    return st;
  }
  s->service_ = std::make_unique<MembershipGrpc>(membership, &s->runtime_->runner());
  // Committed revocations get their feed sequence (one relay per topic works at a time, by lease).
  RelayOptions feed;
  feed.poll_interval = config.revocation_feed_interval;
  s->sequencer_ = std::make_unique<OutboxRelay>(&s->runtime_->db(), clock, kRevocationTopic,
                                                std::make_unique<RevocationSequencer>(), feed);
  s->sequencer_->Start();
  OutboxRelay* sequencer = s->sequencer_.get();
  s->runtime_->AddStopHook([sequencer] { sequencer->Stop(); });
  // Revocations of expired tokens leave the feed (its contract lets them).
  Database* db = &s->runtime_->db();
  s->runtime_->AddJanitorJob("revocation purge", [db, clock] {
    DrainInBatches(1000, [&](int n) -> absl::StatusOr<int64_t> {
      int64_t deleted = 0;
      absl::Status st = db->Transact([&](Tx& tx) {
        deleted = PurgeExpiredRevocations(tx, clock->Now(), n);
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      return deleted;
    });
  });
  if (absl::Status st = s->runtime_->Serve({s->service_.get()}); !st.ok()) return st;
  return s;
}

void MembershipServer::Shutdown() {
  if (runtime_) runtime_->Shutdown();
}

MembershipServer::~MembershipServer() { Shutdown(); }

}  // namespace cooplink::membership
