#include "services/common/feed_sequence.h"

#include <cppconn/resultset.h>

namespace cooplink {

absl::StatusOr<FeedSequence> FeedSequence::Lock(Tx& tx, const char* lock_sql) {
  auto head = tx.Query(lock_sql);
  if (!head->next()) return absl::InternalError("the feed's head row is missing (its migration)");
  return FeedSequence(head->getInt64("last_sequence"));
}

absl::Status FeedSequence::Commit(Tx& tx, const char* set_sql) const {
  // The head only grows, so the update changes its one row.
  if (last_ != head_ && tx.Execute(set_sql, last_) != 1) {
    return absl::AbortedError("the feed's head moved under its lock");
  }
  return absl::OkStatus();
}

}  // namespace cooplink
