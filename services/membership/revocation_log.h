// The token revocation feed (ListTokenRevocations, and every service's RevocationList), sequenced
// at commit like catalog's change feed:
//
//   RevokeToken's transaction  -> AppendRevocation: an outbox message (topic kRevocationTopic, key
//                                 the token id), committed with the token's revoke_time
//   the server's OutboxRelay   -> RevocationSequencer, in the relay's transaction: under the
//                                 revocation_feed_head row lock, consecutive sequences in
//                                 revocation_feed, in outbox order (--revocation_feed_interval)
//
// A sequence is thus given only to a committed revocation, and the next one only after the
// previous one's transaction committed, so a poller that has read up to sequence N has seen every
// revocation numbered N or less: none is skipped (an AUTO_INCREMENT id, given at INSERT, could
// commit after a later one a poller had already passed). Sequences start at 1, without gaps.
//
// Membership's own RevocationList reads the feed and, in the same snapshot, the revocations still
// waiting in the outbox (UnsequencedRevocations), so membership refuses a revoked token within its
// refresh interval without waiting for the relay.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_REVOCATION_LOG_H_
#define COOPLINK_SERVICES_MEMBERSHIP_REVOCATION_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/outbox.h"

namespace cooplink::membership {

// The outbox topic of token revocations; its key is the token id.
inline constexpr char kRevocationTopic[] = "membership.revocations";

// Records the revocation of `token_id` (expiring at `expire_time`) in the outbox, in the caller's
// transaction. Takes no lock beyond the inserted row: the caller holds the token's row lock, so a
// token is appended once.
void AppendRevocation(Tx& tx, const std::string& token_id, absl::Time expire_time, absl::Time now);

// The outbox payload (JSON of a TokenRevocation without its sequence) and back.
std::string EncodeRevocation(const std::string& token_id, absl::Time expire_time);
absl::StatusOr<RevocationList::Entry> DecodeRevocation(absl::string_view payload);

// Feed entries after `after_sequence` of tokens not expired at `now`, in sequence order.
std::vector<RevocationList::Entry> LoadRevocationFeed(Tx& tx, int64_t after_sequence,
                                                      absl::Time now, int limit);
// Committed revocations not sequenced yet (still in the outbox), of tokens not expired at `now`,
// with sequence 0, in outbox order.
absl::StatusOr<std::vector<RevocationList::Entry>> UnsequencedRevocations(Tx& tx, absl::Time now,
                                                                          int limit);

// Deletes up to `limit` feed entries of tokens that expired before `cutoff`; returns how many. The
// feed's head keeps its sequence, so later revocations are still numbered after every one given.
int64_t PurgeExpiredRevocations(Tx& tx, absl::Time cutoff, int limit);

// The transactional sink of membership's revocation relay (see the file comment). A message whose
// token is already in the feed is skipped without taking a sequence.
class RevocationSequencer final : public TransactionalSink {
 public:
  absl::Status Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) override;
};

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_REVOCATION_LOG_H_
