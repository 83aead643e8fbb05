#include "services/orders/order_events_store.h"

#include <cppconn/resultset.h>

#include <algorithm>

namespace cooplink::orders {
namespace {

constexpr const char* kLockHead =
    "SELECT last_sequence FROM order_event_head WHERE id = 1 FOR UPDATE";
constexpr const char* kSetHead = "UPDATE order_event_head SET last_sequence = ? WHERE id = 1";
constexpr const char* kReadHead = "SELECT last_sequence FROM order_event_head WHERE id = 1";
constexpr const char* kInsertEvent =
    "INSERT INTO order_events (seq, order_id, partner_id, cooperative_id, kind, payload, "
    "event_time_us) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertScope =
    "INSERT INTO order_event_scopes (cooperative_id, seq) VALUES (?, ?)";
constexpr const char* kOldestEvent = "SELECT MIN(seq) AS oldest FROM order_events";

// The four shapes of a stream's read: everything (platform admin), one partner (idx partner),
// one cooperative's scope, and one cooperative's scope narrowed to one partner.
constexpr const char* kReadAll =
    "SELECT seq, event_time_us, payload FROM order_events WHERE seq > ? AND seq <= ? "
    "ORDER BY seq LIMIT ?";
constexpr const char* kReadPartner =
    "SELECT seq, event_time_us, payload FROM order_events WHERE partner_id = ? AND seq > ? AND "
    "seq <= ? ORDER BY seq LIMIT ?";
constexpr const char* kReadCooperative =
    "SELECT e.seq AS seq, e.event_time_us AS event_time_us, e.payload AS payload "
    "FROM order_event_scopes s JOIN order_events e ON e.seq = s.seq "
    "WHERE s.cooperative_id = ? AND s.seq > ? AND s.seq <= ? ORDER BY s.seq LIMIT ?";
constexpr const char* kReadCooperativePartner =
    "SELECT e.seq AS seq, e.event_time_us AS event_time_us, e.payload AS payload "
    "FROM order_event_scopes s JOIN order_events e ON e.seq = s.seq "
    "WHERE s.cooperative_id = ? AND e.partner_id = ? AND s.seq > ? AND s.seq <= ? "
    "ORDER BY s.seq LIMIT ?";

constexpr const char* kOldestEventTimes =
    "SELECT seq, event_time_us FROM order_events ORDER BY seq LIMIT ?";
constexpr const char* kPurgeScopes = "DELETE FROM order_event_scopes WHERE seq <= ?";
constexpr const char* kPurgeEvents = "DELETE FROM order_events WHERE seq <= ?";

}  // namespace

absl::StatusOr<FeedSequence> LockOrderEventHead(Tx& tx) {
  return FeedSequence::Lock(tx, kLockHead);
}

absl::Status CommitOrderEventHead(Tx& tx, const FeedSequence& sequence) {
  return sequence.Commit(tx, kSetHead);
}

void InsertOrderEvent(Tx& tx, const OrderEventRow& row,
                      const std::vector<std::string>& scope_cooperatives) {
  tx.Execute(kInsertEvent, row.seq, row.order_id, row.partner_id, row.cooperative_id, row.kind,
             row.payload, row.event_time_us);
  for (const std::string& cooperative_id : scope_cooperatives) {
    tx.Execute(kInsertScope, cooperative_id, row.seq);
  }
}

int64_t ReadOrderEventHead(Tx& tx) {
  auto rs = tx.Query(kReadHead);
  return rs->next() ? rs->getInt64("last_sequence") : 0;
}

std::optional<int64_t> OldestOrderEvent(Tx& tx) {
  auto rs = tx.Query(kOldestEvent);
  if (rs->next() && !rs->isNull("oldest")) return rs->getInt64("oldest");
  return std::nullopt;
}

std::vector<StoredOrderEvent> ReadOrderEvents(Tx& tx, const OrderEventFilter& filter, int64_t after,
                                              int64_t upto, int limit) {
  const int64_t max = std::max(limit, 1);
  std::unique_ptr<sql::ResultSet> rs;
  if (!filter.cooperative_id.empty() && !filter.partner_id.empty()) {
    rs = tx.Query(kReadCooperativePartner, filter.cooperative_id, filter.partner_id, after, upto,
                  max);
  } else if (!filter.cooperative_id.empty()) {
    rs = tx.Query(kReadCooperative, filter.cooperative_id, after, upto, max);
  } else if (!filter.partner_id.empty()) {
    rs = tx.Query(kReadPartner, filter.partner_id, after, upto, max);
  } else {
    rs = tx.Query(kReadAll, after, upto, max);
  }
  std::vector<StoredOrderEvent> events;
  while (rs->next()) {
    events.push_back({rs->getInt64("seq"), std::string(rs->getString("payload")),
                      rs->getInt64("event_time_us")});
  }
  return events;
}

int64_t PurgeOrderEventsBefore(Tx& tx, int64_t cutoff_us, int limit) {
  int64_t last = 0;  // the last event of the prefix older than the cutoff; 0: none
  {
    auto rs = tx.Query(kOldestEventTimes, static_cast<int64_t>(std::max(limit, 1)));
    while (rs->next() && rs->getInt64("event_time_us") < cutoff_us) last = rs->getInt64("seq");
  }
  if (last == 0) return 0;
  tx.Execute(kPurgeScopes, last);
  return tx.Execute(kPurgeEvents, last);
}

}  // namespace cooplink::orders
