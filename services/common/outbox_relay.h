// Delivers one outbox topic's messages to a sink (outbox.h), at least once, in order per key.
//
// Contract:
//   - A message is delivered only after every earlier message (smaller id) with the same key was
//     delivered. A failed delivery (RemoteSink) is retried after a backoff that doubles per
//     attempt (initial_backoff .. max_backoff, kept in the row: next_attempt_us); meanwhile later
//     messages of its key wait, other keys go on.
//   - Delivery is recorded in the row (delivered_time_us). All state is in the table, so a new
//     relay on the same database (a restart, another replica) continues where the last stopped.
//   - One relay per topic works at a time, also across replicas: a lease row in outbox_leases
//     (owner, expire_time_us) taken with a locking read; the holder renews it when half of it has
//     passed and drops it on Stop(). A transactional round re-checks the lease under its row lock,
//     so two relays can never both record a batch. A relay that dies keeps it until it expires.
//   - Safe with several replicas and on TiDB (whose snapshot is taken at BEGIN, possibly before the
//     lease lock was granted): pending messages are read with a locking read (FOR UPDATE) after the
//     lease lock, so a round sees what the previous holder recorded; each mark must affect exactly
//     its one undelivered row, else the round fails (a transactional round rolls back whole).
//     On MariaDB/MySQL the locking read also waits for an uncommitted writer whose message comes
//     first in id order, so a round may wait for the slowest open transaction that appended.
//   - Delivered rows are purged after `retention` (every purge_interval; deleting is idempotent,
//     so replicas need not take turns for it).
//
// Threading: Start() runs rounds on one background thread; RunOnce()/Purge() may instead be called
// directly (tests, tools) but not concurrently with the thread. Lag() may be called from any
// thread. Time (leases, backoff, retention) comes from the injected Clock; the thread's own waits
// between rounds are real time.
#ifndef COOPLINK_SERVICES_COMMON_OUTBOX_RELAY_H_
#define COOPLINK_SERVICES_COMMON_OUTBOX_RELAY_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/db.h"
#include "services/common/outbox.h"

namespace cooplink {

struct RelayOptions {
  int batch_size = 200;  // messages delivered per round (per transaction for a TxSink)
  int max_scan = 2000;   // rows a remote round examines past keys waiting for a retry
  absl::Duration poll_interval = absl::Milliseconds(100);  // wait when a round found nothing
  absl::Duration lease = absl::Seconds(10);
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Minutes(1);
  absl::Duration retention = absl::Hours(24);  // delivered rows kept this long
  absl::Duration purge_interval = absl::Minutes(10);
  std::string owner;  // lease owner name; empty: a random one per relay object
  // Test hook: called after a RemoteSink delivered `message` and before the delivery is recorded;
  // returning true makes the round end there as if the process had died (nothing recorded).
  std::function<bool(const OutboxMessage& message)> crash_after_deliver_for_test;
  // Test hook: each round's transaction takes its read snapshot before waiting for the lease lock,
  // as TiDB does at BEGIN, so tests on MariaDB exercise what a stale snapshot would do.
  bool snapshot_at_begin_for_test = false;
};

class OutboxRelay {
 public:
  OutboxRelay(Database* db, const Clock* clock, std::string topic, std::unique_ptr<RemoteSink> sink,
              RelayOptions options = {});
  OutboxRelay(Database* db, const Clock* clock, std::string topic,
              std::unique_ptr<TransactionalSink> sink, RelayOptions options = {});
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Runs rounds on a background thread until Stop(): at once again after a full batch, after
  // poll_interval when idle, after a doubling backoff while rounds fail.
  void Start();
  // Joins the thread and gives up the lease (so another replica takes over at once).
  void Stop();

  // One round: takes or renews the lease (returns 0 without it) and delivers up to batch_size
  // messages; returns how many were delivered and recorded.
  absl::StatusOr<int> RunOnce();
  // Deletes delivered rows older than the retention, in chunks; returns how many.
  absl::StatusOr<int64_t> Purge();
  // The topic's backlog (from the table) and this relay's counters.
  absl::StatusOr<OutboxLag> Lag() const;

  const std::string& owner() const { return owner_; }

 private:
  // Takes, keeps or renews the lease inside `tx` (locks the lease row until tx ends); false when
  // another relay holds it.
  absl::StatusOr<bool> HoldLease(Tx& tx);
  absl::StatusOr<int> RunRemoteRound();
  absl::StatusOr<int> RunTransactionalRound();
  absl::Duration Backoff(int attempts) const;
  void Loop();

  Database* const db_;
  const Clock* const clock_;
  const std::string topic_;
  const std::unique_ptr<RemoteSink> remote_;
  const std::unique_ptr<TransactionalSink> transactional_;
  const RelayOptions options_;
  const std::string owner_;
  // The topic's lease row exists (made by the first round); only the round's thread sets it.
  bool lease_row_ready_ = false;

  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_{0};
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_OUTBOX_RELAY_H_
