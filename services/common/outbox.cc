#include "services/common/outbox.h"

#include <cppconn/resultset.h>

namespace cooplink {
namespace {

constexpr const char* kAppend =
    "INSERT INTO outbox (topic, msg_key, payload, create_time_us, delivered_time_us, attempts, "
    "next_attempt_us) VALUES (?, ?, ?, ?, NULL, 0, 0)";
constexpr const char* kUndelivered =
    "SELECT id, msg_key, payload, create_time_us, attempts FROM outbox "
    "WHERE topic = ? AND delivered_time_us IS NULL ORDER BY id LIMIT ?";
constexpr const char* kPending =
    "SELECT COUNT(*) AS pending, MIN(create_time_us) AS oldest FROM outbox "
    "WHERE topic = ? AND delivered_time_us IS NULL";
constexpr const char* kPurgeDelivered =
    "DELETE FROM outbox WHERE topic = ? AND delivered_time_us < ? "
    "ORDER BY delivered_time_us, id LIMIT ?";

}  // namespace

void Outbox::Append(Tx& tx, absl::string_view topic, absl::string_view key,
                    absl::string_view payload, absl::Time create_time) {
  tx.Execute(kAppend, topic, key, payload, absl::ToUnixMicros(create_time));
}

std::vector<OutboxMessage> Outbox::Undelivered(Tx& tx, absl::string_view topic, int limit) {
  std::vector<OutboxMessage> messages;
  auto rs = tx.Query(kUndelivered, topic, static_cast<int64_t>(limit));
  while (rs->next()) {
    OutboxMessage m;
    m.id = rs->getInt64("id");
    m.topic = std::string(topic);
    m.key = rs->getString("msg_key");
    m.payload = rs->getString("payload");
    m.create_time = absl::FromUnixMicros(rs->getInt64("create_time_us"));
    m.attempts = rs->getInt("attempts");
    messages.push_back(std::move(m));
  }
  return messages;
}

absl::StatusOr<OutboxLag> Outbox::Pending(Database& db, absl::string_view topic, absl::Time now) {
  OutboxLag lag;
  absl::Status status = db.Read([&](Tx& tx) {
    auto rs = tx.Query(kPending, topic);
    if (rs->next()) {
      lag.pending = rs->getInt64("pending");
      if (!rs->isNull("oldest")) {
        const absl::Time oldest = absl::FromUnixMicros(rs->getInt64("oldest"));
        lag.oldest_pending_age = now > oldest ? now - oldest : absl::ZeroDuration();
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return lag;
}

absl::StatusOr<int64_t> Outbox::PurgeDelivered(Database& db, absl::string_view topic,
                                               absl::Time cutoff, int limit) {
  int64_t deleted = 0;
  absl::Status status = db.Transact([&](Tx& tx) {
    deleted =
        tx.Execute(kPurgeDelivered, topic, absl::ToUnixMicros(cutoff), static_cast<int64_t>(limit));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

}  // namespace cooplink
