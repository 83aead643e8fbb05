// The transactional outbox: a service records a message in the SAME transaction as the state
// change it reports (Outbox::Append), so the message exists if and only if the change committed.
// An OutboxRelay (outbox_relay.h) later delivers each topic's messages to a sink.
//
// Table (runtime migration 3, every service has it): outbox(id, topic, msg_key, payload,
// create_time_us, delivered_time_us NULL, attempts, next_attempt_us). `id` is the message id a
// receiver dedupes by; ids grow in insertion order. Messages of one key are delivered in id
// order, which is their commit order when the writers of a key serialise on a row lock of their
// own (catalog: the product row) - a writer that commits later then also inserts later.
//
// SQL is portable to MySQL 8 and TiDB: no RETURNING, no SKIP LOCKED (TiDB: the table asks for
// AUTO_ID_CACHE=1 so ids stay monotonic across TiDB nodes).
#ifndef COOPLINK_SERVICES_COMMON_OUTBOX_H_
#define COOPLINK_SERVICES_COMMON_OUTBOX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/db.h"

namespace cooplink {

// One recorded message as a sink sees it.
struct OutboxMessage {
  int64_t id = 0;  // unique per database; the receiver's dedupe key (with the topic)
  std::string topic;
  std::string key;      // ordering key: same key, delivery in id order
  std::string payload;  // opaque bytes, the writer's encoding
  absl::Time create_time;
  int attempts = 0;  // delivery attempts made before this one
};

// Backlog of one topic, for metrics and alerts.
struct OutboxLag {
  int64_t pending = 0;                                       // undelivered messages
  absl::Duration oldest_pending_age = absl::ZeroDuration();  // age of the oldest of them
  int64_t delivered = 0;  // delivered by this relay object since it was built
  int64_t failed = 0;     // failed delivery attempts (or failed rounds) of this relay object
};

class Outbox {
 public:
  // Records a message in the caller's transaction: it commits or vanishes with the caller's
  // state change. Takes no lock beyond the inserted row.
  static void Append(Tx& tx, absl::string_view topic, absl::string_view key,
                     absl::string_view payload, absl::Time create_time);

  // Up to `limit` undelivered messages of `topic` in id order, read in the caller's transaction
  // (a plain read: the snapshot's view, no lock; e.g. to read them together with a feed table the
  // relay fills in the transaction that marks them delivered).
  static std::vector<OutboxMessage> Undelivered(Tx& tx, absl::string_view topic, int limit);

  // Undelivered messages of `topic` and the age of the oldest at `now` (delivered/failed are 0).
  static absl::StatusOr<OutboxLag> Pending(Database& db, absl::string_view topic, absl::Time now);

  // Deletes up to `limit` messages of `topic` delivered before `cutoff`; returns how many.
  static absl::StatusOr<int64_t> PurgeDelivered(Database& db, absl::string_view topic,
                                                absl::Time cutoff, int limit);
};

// A sink in another system (a service over gRPC, a queue). Delivery and the relay's record of it
// are two steps, so a relay that dies between them delivers again: at least once. The receiver
// dedupes by (topic, id) or by an idempotency key derived from it. Called from the relay's thread
// only; may block (a remote call with its own deadline). A non-OK status is retried with backoff.
class RemoteSink {
 public:
  virtual ~RemoteSink() = default;
  virtual absl::Status Deliver(const OutboxMessage& message) = 0;
};

// A consumer in the same database (a feed table). Deliver() runs inside the relay's transaction,
// which also records the batch as delivered: exactly once. `batch` is in id order; a non-OK
// status rolls the whole round back (it is retried with backoff). No effects outside `tx`: the
// transaction may be retried on a deadlock.
class TransactionalSink {
 public:
  virtual ~TransactionalSink() = default;
  virtual absl::Status Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) = 0;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_OUTBOX_H_
