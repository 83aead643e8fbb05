// Numbering a feed at commit: the one shape every TransactionalSink that gives events a feed
// sequence shares (catalog's ChangeSequencer, membership's RevocationSequencer). The sink's
// transaction locks the feed's head row (a single row holding the last sequence given), hands out
// consecutive sequences in outbox order under that lock, and moves the head once at the end. The
// lock makes sequences consecutive even if two relays ever overlapped; being a locking read it
// sees the latest head also where the transaction's snapshot is older (TiDB takes it at BEGIN).
// Pollers then read "sequence greater than my cursor" without ever passing a row that commits
// later (which an AUTO_INCREMENT id, given at INSERT, can).
//
// The statements are the caller's named constants for its own head table:
//   lock: "SELECT last_sequence FROM <head> WHERE id = 1 FOR UPDATE"
//   set:  "UPDATE <head> SET last_sequence = ? WHERE id = 1"
#ifndef COOPLINK_SERVICES_COMMON_FEED_SEQUENCE_H_
#define COOPLINK_SERVICES_COMMON_FEED_SEQUENCE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/db.h"

namespace cooplink {

class FeedSequence {
 public:
  // Locks the head row; INTERNAL when the migration that creates it did not run.
  static absl::StatusOr<FeedSequence> Lock(Tx& tx, const char* lock_sql);
  // The next sequence (the first call returns the locked head + 1).
  int64_t Next() { return ++last_; }
  int64_t last() const { return last_; }
  // Moves the head to the last sequence handed out, if any was; ABORTED when the head row did not
  // change (it moved under the lock: nothing of the batch may commit).
  absl::Status Commit(Tx& tx, const char* set_sql) const;

 private:
  explicit FeedSequence(int64_t head) : head_(head), last_(head) {}
  int64_t head_;
  int64_t last_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_FEED_SEQUENCE_H_
