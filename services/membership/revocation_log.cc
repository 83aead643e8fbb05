#include "services/membership/revocation_log.h"

#include <cppconn/resultset.h>
#include <google/protobuf/util/json_util.h>

#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/feed_sequence.h"
#include "services/common/fields.h"

namespace cooplink::membership {
namespace {

namespace v1 = ::cooplink::membership::v1;

constexpr const char* kListFeed =
    "SELECT sequence, token_id, expire_time_us FROM revocation_feed "
    "WHERE sequence > ? AND expire_time_us > ? ORDER BY sequence LIMIT ?";
// Locking reads: they see the latest committed rows, also where the relay's snapshot is older
// (TiDB takes it at BEGIN).
constexpr const char* kPurgeExpired =
    "DELETE FROM revocation_feed WHERE expire_time_us < ? ORDER BY expire_time_us LIMIT ?";
constexpr const char* kLockFeedHead =
    "SELECT last_sequence FROM revocation_feed_head WHERE id = 1 FOR UPDATE";
constexpr const char* kTokenInFeed =
    "SELECT sequence FROM revocation_feed WHERE token_id = ? FOR UPDATE";
constexpr const char* kSequenceRevocation =
    "INSERT INTO revocation_feed (sequence, token_id, expire_time_us) VALUES (?, ?, ?)";
constexpr const char* kSetFeedHead =
    "UPDATE revocation_feed_head SET last_sequence = ? WHERE id = 1";

}  // namespace

void AppendRevocation(Tx& tx, const std::string& token_id, absl::Time expire_time, absl::Time now) {
  Outbox::Append(tx, kRevocationTopic, token_id, EncodeRevocation(token_id, expire_time), now);
}

std::string EncodeRevocation(const std::string& token_id, absl::Time expire_time) {
  v1::TokenRevocation message;
  message.set_token_id(token_id);
  *message.mutable_expire_time() = ToTimestamp(ToMicros(expire_time));
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);  // cannot fail
  return json;
}

absl::StatusOr<RevocationList::Entry> DecodeRevocation(absl::string_view payload) {
  v1::TokenRevocation message;
  if (!google::protobuf::util::JsonStringToMessage(std::string(payload), &message).ok() ||
      message.token_id().empty()) {
    return absl::DataLossError("unreadable token revocation in the outbox");
  }
  return RevocationList::Entry{message.token_id(),
                               absl::FromUnixSeconds(message.expire_time().seconds()), 0};
}

std::vector<RevocationList::Entry> LoadRevocationFeed(Tx& tx, int64_t after_sequence,
                                                      absl::Time now, int limit) {
  std::vector<RevocationList::Entry> entries;
  auto rs = tx.Query(kListFeed, after_sequence, ToMicros(now), limit);
  while (rs->next()) {
    entries.push_back({rs->getString("token_id"),
                       absl::FromUnixMicros(rs->getInt64("expire_time_us")),
                       rs->getInt64("sequence")});
  }
  return entries;
}

absl::StatusOr<std::vector<RevocationList::Entry>> UnsequencedRevocations(Tx& tx, absl::Time now,
                                                                          int limit) {
  std::vector<RevocationList::Entry> entries;
  for (const OutboxMessage& m : Outbox::Undelivered(tx, kRevocationTopic, limit)) {
    absl::StatusOr<RevocationList::Entry> entry = DecodeRevocation(m.payload);
    if (!entry.ok()) return entry.status();
    if (entry->expire_time > now) entries.push_back(*std::move(entry));
  }
  return entries;
}

int64_t PurgeExpiredRevocations(Tx& tx, absl::Time cutoff, int limit) {
  return tx.Execute(kPurgeExpired, ToMicros(cutoff), static_cast<int64_t>(limit));
}

absl::Status RevocationSequencer::Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) {
  absl::StatusOr<FeedSequence> sequence = FeedSequence::Lock(tx, kLockFeedHead);
  if (!sequence.ok()) return sequence.status();
  for (const OutboxMessage& message : batch) {
    absl::StatusOr<RevocationList::Entry> entry = DecodeRevocation(message.payload);
    if (!entry.ok()) return entry.status();
    // A token is revoked once (RevokeToken holds its row lock); a second message would only
    // repeat it, and must neither take a sequence nor stop the feed on the unique key.
    if (tx.Query(kTokenInFeed, entry->token_id)->next()) continue;
    tx.Execute(kSequenceRevocation, sequence->Next(), entry->token_id,
               ToMicros(entry->expire_time));
  }
  return sequence->Commit(tx, kSetFeedHead);
}

}  // namespace cooplink::membership
