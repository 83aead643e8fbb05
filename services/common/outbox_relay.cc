#include "services/common/outbox_relay.h"

#include <cppconn/resultset.h>

#include <exception>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/ids.h"
#include "services/common/log.h"

namespace cooplink {
namespace {

constexpr int kPurgeChunk = 1000;

constexpr const char* kEnsureLease =
    "INSERT IGNORE INTO outbox_leases (topic, owner, expire_time_us) VALUES (?, '', 0)";
constexpr const char* kLockLease =
    "SELECT owner, expire_time_us FROM outbox_leases WHERE topic = ? FOR UPDATE";
constexpr const char* kTakeLease =
    "UPDATE outbox_leases SET owner = ?, expire_time_us = ? WHERE topic = ?";
constexpr const char* kDropLease =
    "UPDATE outbox_leases SET expire_time_us = 0 WHERE topic = ? AND owner = ?";
// Undelivered messages in id order, including those waiting for a retry: they hold back later
// messages of their key. A locking read: it sees the latest committed rows (not the snapshot, which
// TiDB takes at BEGIN, before the lease lock was granted) and keeps them until the round ends. The
// index is forced because it bounds what is locked to the topic's pending range: on a small table
// the optimiser may prefer the primary key, and would then lock every row after `id`.
constexpr const char* kReadPending =
    "SELECT id, msg_key, payload, create_time_us, attempts, next_attempt_us FROM outbox "
    "FORCE INDEX (idx_outbox_pending) WHERE topic = ? AND delivered_time_us IS NULL AND id > ? "
    "ORDER BY id LIMIT ? FOR UPDATE";
// Both affect exactly one row (the message, still undelivered), or the round fails.
constexpr const char* kMarkDelivered =
    "UPDATE outbox SET delivered_time_us = ?, attempts = attempts + 1 "
    "WHERE id = ? AND delivered_time_us IS NULL";
constexpr const char* kMarkFailed =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_us = ? "
    "WHERE id = ? AND delivered_time_us IS NULL";
// Test hook (RelayOptions::snapshot_at_begin_for_test): a consistent read fixes the snapshot.
constexpr const char* kTakeSnapshot = "SELECT COUNT(*) AS n FROM outbox_leases";

struct PendingRow {
  OutboxMessage message;
  absl::Time next_attempt;
};

std::vector<PendingRow> ReadPending(Tx& tx, const std::string& topic, int64_t after, int limit) {
  std::vector<PendingRow> rows;
  auto rs = tx.Query(kReadPending, topic, after, static_cast<int64_t>(limit));
  while (rs->next()) {
    PendingRow row;
    row.message.id = rs->getInt64("id");
    row.message.topic = topic;
    row.message.key = rs->getString("msg_key");
    row.message.payload = rs->getString("payload");
    row.message.create_time = absl::FromUnixMicros(rs->getInt64("create_time_us"));
    row.message.attempts = rs->getInt("attempts");
    row.next_attempt = absl::FromUnixMicros(rs->getInt64("next_attempt_us"));
    rows.push_back(std::move(row));
  }
  return rows;
}

// A mark that found its message delivered already: another relay recorded it (which the lease
// should make impossible), so the round must not record it again.
absl::Status AlreadyDelivered(const OutboxMessage& message) {
  LogError("outbox message already delivered by another relay",
           {{"topic", message.topic}, {"id", message.id}});
  return absl::AbortedError(
      absl::StrCat("outbox message ", message.id, " of ", message.topic, " was already delivered"));
}

// A remote sink runs code the relay does not control: an exception must not end the thread.
absl::Status DeliverGuarded(RemoteSink& sink, const OutboxMessage& message) {
  try {
    return sink.Deliver(message);
  } catch (const std::exception&) {
    // what() is not logged: a sink's exception may quote the payload.
    LogError("outbox sink threw", {{"topic", message.topic}, {"id", message.id}});
    return absl::InternalError("the sink threw");
  } catch (...) {
    LogError("outbox sink threw", {{"topic", message.topic}, {"id", message.id}});
    return absl::InternalError("the sink threw");
  }
}

}  // namespace

OutboxRelay::OutboxRelay(Database* db, const Clock* clock, std::string topic,
                         std::unique_ptr<RemoteSink> sink, RelayOptions options)
    : db_(db),
      clock_(clock),
      topic_(std::move(topic)),
      remote_(std::move(sink)),
      options_(std::move(options)),
      owner_(options_.owner.empty() ? NewId(absl::Now()) : options_.owner) {}

OutboxRelay::OutboxRelay(Database* db, const Clock* clock, std::string topic,
                         std::unique_ptr<TransactionalSink> sink, RelayOptions options)
    : db_(db),
      clock_(clock),
      topic_(std::move(topic)),
      transactional_(std::move(sink)),
      options_(std::move(options)),
      owner_(options_.owner.empty() ? NewId(absl::Now()) : options_.owner) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxRelay::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
  if (lease_row_ready_) {
    // Best effort: a relay that cannot reach the database leaves the lease to expire.
    (void)db_->Read([&](Tx& tx) {
      tx.Execute(kDropLease, topic_, owner_);
      return absl::OkStatus();
    });
  }
}

void OutboxRelay::Loop() {
  int failures = 0;
  absl::Duration wait = absl::ZeroDuration();
  absl::Time next_purge = absl::Now();
  while (!stop_.WaitForNotificationWithTimeout(wait)) {
    absl::StatusOr<int> delivered = RunOnce();
    if (!delivered.ok()) {
      wait = Backoff(++failures);
    } else {
      failures = 0;
      wait = *delivered >= options_.batch_size ? absl::ZeroDuration() : options_.poll_interval;
    }
    if (absl::Now() >= next_purge) {
      (void)Purge();  // failures are retried at the next purge time
      next_purge = absl::Now() + options_.purge_interval;
    }
  }
}

absl::Duration OutboxRelay::Backoff(int attempts) const {
  absl::Duration backoff = options_.initial_backoff;
  for (int i = 1; i < attempts && backoff < options_.max_backoff; ++i) backoff *= 2;
  return std::min(backoff, options_.max_backoff);
}

absl::StatusOr<bool> OutboxRelay::HoldLease(Tx& tx) {
  if (options_.snapshot_at_begin_for_test) tx.Query(kTakeSnapshot);
  const absl::Time now = clock_->Now();
  auto rs = tx.Query(kLockLease, topic_);
  if (!rs->next()) return false;  // the row is made before the first round
  const std::string owner = rs->getString("owner");
  const absl::Time expiry = absl::FromUnixMicros(rs->getInt64("expire_time_us"));
  if (owner != owner_ && expiry >= now) return false;  // another relay holds it
  // Written only on a take-over or when half the lease has passed: an idle round writes nothing.
  // Either way the row changes (new owner or later expiry), so exactly one row is affected.
  if (owner != owner_ || expiry - now < options_.lease / 2) {
    if (tx.Execute(kTakeLease, owner_, absl::ToUnixMicros(now + options_.lease), topic_) != 1) {
      return absl::AbortedError(absl::StrCat("the lease of ", topic_, " changed under its lock"));
    }
  }
  return true;
}

absl::StatusOr<int> OutboxRelay::RunOnce() {
  if (!lease_row_ready_) {
    absl::Status status = db_->Read([&](Tx& tx) {
      tx.Execute(kEnsureLease, topic_);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    lease_row_ready_ = true;
  }
  return remote_ != nullptr ? RunRemoteRound() : RunTransactionalRound();
}

absl::StatusOr<int> OutboxRelay::RunTransactionalRound() {
  int delivered = 0;
  absl::Status status = db_->Transact([&](Tx& tx) -> absl::Status {
    delivered = 0;
    // The lease row lock is held until COMMIT: a second relay's round waits here and then sees the
    // batch delivered, because the outbox is read with a locking read after the lock (a plain
    // read could use a snapshot older than the lock: TiDB takes it at BEGIN).
    absl::StatusOr<bool> held = HoldLease(tx);
    if (!held.ok() || !*held) return held.status();
    std::vector<OutboxMessage> batch;
    for (PendingRow& row : ReadPending(tx, topic_, 0, options_.batch_size)) {
      batch.push_back(std::move(row.message));
    }
    if (batch.empty()) return absl::OkStatus();
    if (absl::Status s = transactional_->Deliver(tx, batch); !s.ok()) return s;
    const int64_t now_us = absl::ToUnixMicros(clock_->Now());
    for (const OutboxMessage& m : batch) {
      if (tx.Execute(kMarkDelivered, now_us, m.id) != 1) return AlreadyDelivered(m);
    }
    delivered = static_cast<int>(batch.size());
    return absl::OkStatus();
  });
  if (!status.ok()) {
    ++failed_;
    return status;
  }
  delivered_ += delivered;
  return delivered;
}

absl::StatusOr<int> OutboxRelay::RunRemoteRound() {
  const absl::Time now = clock_->Now();
  absl::flat_hash_set<std::string> waiting_keys;  // an earlier message of the key is undelivered
  int delivered = 0;
  int scanned = 0;
  int64_t after = 0;
  while (delivered < options_.batch_size && scanned < options_.max_scan) {
    // Checked per page (and renewed when due) so a long round does not outlive its lease.
    bool held = false;
    std::vector<PendingRow> rows;
    absl::Status status = db_->Transact([&](Tx& tx) -> absl::Status {
      rows.clear();
      absl::StatusOr<bool> lease = HoldLease(tx);
      if (!lease.ok()) return lease.status();
      held = *lease;
      if (held) rows = ReadPending(tx, topic_, after, options_.batch_size);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    if (!held || rows.empty()) break;
    for (const PendingRow& row : rows) {
      const OutboxMessage& m = row.message;
      after = m.id;
      ++scanned;
      if (waiting_keys.contains(m.key)) continue;
      if (row.next_attempt > now) {
        waiting_keys.insert(m.key);
        continue;
      }
      absl::Status delivery = DeliverGuarded(*remote_, m);
      if (delivery.ok() && options_.crash_after_deliver_for_test &&
          options_.crash_after_deliver_for_test(m)) {
        return absl::AbortedError("relay stopped between a delivery and its record (test hook)");
      }
      status = db_->Read([&](Tx& tx) -> absl::Status {
        const int64_t marked =
            delivery.ok()
                ? tx.Execute(kMarkDelivered, absl::ToUnixMicros(clock_->Now()), m.id)
                : tx.Execute(kMarkFailed, absl::ToUnixMicros(now + Backoff(m.attempts + 1)), m.id);
        return marked == 1 ? absl::OkStatus() : AlreadyDelivered(m);
      });
      if (!status.ok()) {
        // Not recorded by this relay: delivered again later (a database error), or another relay
        // recorded it (AlreadyDelivered) - the round stops either way.
        ++failed_;
        return status;
      }
      if (delivery.ok()) {
        ++delivered_;
        if (++delivered >= options_.batch_size) break;
      } else {
        ++failed_;
        waiting_keys.insert(m.key);
      }
    }
    if (static_cast<int>(rows.size()) < options_.batch_size) break;
  }
  return delivered;
}

absl::StatusOr<int64_t> OutboxRelay::Purge() {
  const absl::Time cutoff = clock_->Now() - options_.retention;
  int64_t total = 0;
  while (true) {
    absl::StatusOr<int64_t> purged = Outbox::PurgeDelivered(*db_, topic_, cutoff, kPurgeChunk);
    if (!purged.ok()) return purged.status();
    total += *purged;
    if (*purged < kPurgeChunk) return total;
  }
}

absl::StatusOr<OutboxLag> OutboxRelay::Lag() const {
  absl::StatusOr<OutboxLag> lag = Outbox::Pending(*db_, topic_, clock_->Now());
  if (!lag.ok()) return lag;
  lag->delivered = delivered_.load();
  lag->failed = failed_.load();
  return lag;
}

}  // namespace cooplink
