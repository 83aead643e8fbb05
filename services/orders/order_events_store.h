// The SQL of the order event feed (migration 0002_order_events.sql): the head row the sequencer
// locks, the event rows and their cooperative scope rows, the scoped reads of a stream and the
// retention purge. Only OrderEventSequencer (order_events.h) writes events; streams only read.
//
// Reads are plain (autocommit) reads: the head first, then rows up to it. Every sequence up to the
// head is committed (the sequencer moves the head in the transaction that writes the rows), so a
// read bounded by the head leaves no gap.
#ifndef COOPLINK_SERVICES_ORDERS_ORDER_EVENTS_STORE_H_
#define COOPLINK_SERVICES_ORDERS_ORDER_EVENTS_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/db.h"
#include "services/common/feed_sequence.h"

namespace cooplink::orders {

// One event as the sequencer stores it.
struct OrderEventRow {
  int64_t seq = 0;
  std::string order_id;
  std::string partner_id;
  std::string cooperative_id;  // '' for an order-level event
  int kind = 0;                // v1::OrderEventKind
  std::string payload;         // the serialized v1::OrderEvent, cursor empty
  int64_t event_time_us = 0;
};

// The effective filters of one stream (after the caller's scope is applied): empty = any.
struct OrderEventFilter {
  std::string partner_id;      // only this partner's orders
  std::string cooperative_id;  // only events this cooperative may see (order_event_scopes)
};

// One event read back for a stream.
struct StoredOrderEvent {
  int64_t seq = 0;
  std::string payload;
  int64_t event_time_us = 0;
};

// Locks the head row for the sequencer (INTERNAL when the migration did not run), and moves it.
absl::StatusOr<FeedSequence> LockOrderEventHead(Tx& tx);
absl::Status CommitOrderEventHead(Tx& tx, const FeedSequence& sequence);

// Writes `row` and one scope row per cooperative of `scope_cooperatives` (distinct, non-empty).
void InsertOrderEvent(Tx& tx, const OrderEventRow& row,
                      const std::vector<std::string>& scope_cooperatives);

// The last sequence given (plain read).
int64_t ReadOrderEventHead(Tx& tx);
// The oldest retained sequence, or nullopt when none is retained.
std::optional<int64_t> OldestOrderEvent(Tx& tx);

// Up to `limit` events in (after, upto] passing `filter`, in sequence order.
std::vector<StoredOrderEvent> ReadOrderEvents(Tx& tx, const OrderEventFilter& filter, int64_t after,
                                              int64_t upto, int limit);

// Deletes the oldest events, in sequence order, while their event time is before `cutoff_us`
// (at most `limit` of them), with their scope rows; returns how many events. Stops at the first
// younger event, so the retained events stay every sequence from the oldest retained to the head
// (what the stream's expired-cursor check relies on).
int64_t PurgeOrderEventsBefore(Tx& tx, int64_t cutoff_us, int limit);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDER_EVENTS_STORE_H_
