// The order event feed behind WatchOrderEvents, sequenced at commit like catalog's change feed:
//
//   a transaction that changes an order -> Outbox::Append(tx, kOrderEventTopic, order_id,
//                                          event.SerializeAsString(), now), committed with the
//                                          change. The event: kind; order (the MASKED view, every
//                                          line with its cooperative_id); fulfilment / after_sale /
//                                          settlement for those kinds; event_time; cursor empty.
//   the server's OutboxRelay            -> OrderEventSequencer: under the order_event_head row
//                                          lock, consecutive sequences in order_events (plus one
//                                          order_event_scopes row per cooperative that may see
//                                          the event), in outbox order.
//   WatchOrderEvents                    -> one OrderEventSource per call on the shared stream
//                                          (services/common/event_stream.h).
//
// A sequence is given only to a committed event, and the next only after the previous one's
// transaction committed, so a stream that has read up to N has seen every event numbered N or
// less in its scope. Sequences start at 1, without gaps. Events of one order are sequenced in
// outbox order, which is their commit order when the order's writers serialise on its row lock.
//
// Cursors are base64url("o1|<seq>") (CursorCodec): opaque, versioned. Every event carries its own
// sequence as cursor; a heartbeat carries the last sequence the stream examined (events outside
// the caller's scope are skipped but still move it).
//
// Scope of each caller (ResolveOrderEventScope; the filters of WatchOrderEventsRequest narrow it):
//   - platform admin: every event; partner_id / cooperative_id filters optional;
//   - partner: its own orders' events; a partner_id filter naming another partner is
//     PERMISSION_DENIED (ROLE_NOT_ALLOWED); a cooperative_id filter narrows;
//   - cooperative admin: the events in order_event_scopes for its cooperative (every order-level
//     event of an order with one of its lines, and its own fulfilment / after-sale / settlement
//     events, not another cooperative's); a cooperative_id filter naming another cooperative is
//     PERMISSION_DENIED (ROLE_NOT_ALLOWED); a partner_id filter narrows;
//   - every other role: PERMISSION_DENIED (ROLE_NOT_ALLOWED).
// A cooperative_id filter means the same for a platform admin or a partner: what that
// cooperative's admin would see.
//
// Retention: PurgeOrderEvents (the server's janitor job) deletes events older than
// kOrderEventRetention, oldest sequence first; a cursor older than the oldest retained event is
// FAILED_PRECONDITION CURSOR_EXPIRED.
#ifndef COOPLINK_SERVICES_ORDERS_ORDER_EVENTS_H_
#define COOPLINK_SERVICES_ORDERS_ORDER_EVENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/auth.h"
#include "services/common/clock.h"
#include "services/common/db.h"
#include "services/common/event_stream.h"
#include "services/common/outbox.h"
#include "services/orders/order_events_store.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

// The outbox topic of order events; its key is the order id.
inline constexpr char kOrderEventTopic[] = "orders.events";
// How long events are kept at least (the proto promises 7 days).
inline constexpr absl::Duration kOrderEventRetention = absl::Hours(7 * 24);

// The cursor of sequence `seq` ("o1" cursors).
std::string EncodeOrderEventCursor(int64_t seq);
absl::StatusOr<int64_t> DecodeOrderEventCursor(absl::string_view cursor);

// One outbox payload as the sequencer stores it (seq not yet given).
struct DescribedOrderEvent {
  OrderEventRow row;
  std::vector<std::string> scope_cooperatives;  // distinct, sorted
};
// Parses and checks an outbox payload (see the file comment for the contract); the event time is
// the payload's event_time, or `create_time` (the outbox row's) when unset. INTERNAL when the
// payload breaks the contract.
absl::StatusOr<DescribedOrderEvent> DescribeOrderEvent(absl::string_view payload,
                                                       absl::Time create_time);

// The transactional sink of the orders.events relay (see the file comment).
//
// A payload that breaks the contract (does not parse, no kind, no order id or partner, a line or
// component without its cooperative) fails the round with INTERNAL: the relay rolls it back and
// retries with backoff, so the feed stalls at that event, visibly (OutboxLag.oldest_pending_age,
// the relay's error log), with the message kept in the outbox for a fix. Skipping it would be
// silent and permanent: a consumer such as the income importer would never learn of, e.g., a
// settlement, and a cooperative could miss an event it may see. Only a bug in the service's own
// writers produces such a payload, so a stall until the fix is the lesser harm.
class OrderEventSequencer final : public TransactionalSink {
 public:
  absl::Status Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) override;
};

// The events `caller` may watch with the request's filters (empty = none): PERMISSION_DENIED
// (ROLE_NOT_ALLOWED) for a role that may not watch or a filter outside its scope. Pure.
absl::StatusOr<OrderEventFilter> ResolveOrderEventScope(const Principal& caller,
                                                        const std::string& partner_filter,
                                                        const std::string& cooperative_filter);

// The EventSource of one WatchOrderEvents call; the stream owns it (RpcRunner::Stream with a
// unique_ptr). The caller's scope is resolved in Start() from the authenticated principal: the
// adapter builds the source before RpcRunner::Stream authenticates the call. Called by one stream
// at a time (event_stream.h), so it needs no lock.
class OrderEventSource final : public EventSource<v1::OrderEvent> {
 public:
  OrderEventSource(Database* db, const Clock* clock, std::string partner_filter,
                   std::string cooperative_filter);

  // Scope and filters, then the start: empty cursor = the oldest retained event; from_now = after
  // the head; INVALID_ARGUMENT "start_at_now" with both, "cursor" when malformed; CursorExpired
  // when older than the oldest retained event or ahead of the head. Read() ends the stream with
  // CursorExpired too when events after its position have been purged since (a stream more than the
  // retention behind): never a silent gap.
  absl::StatusOr<int64_t> Start(const CallContext& call, const StreamStart& start) override;
  absl::StatusOr<int64_t> Read(const CallContext& call, int64_t after, int limit,
                               std::vector<v1::OrderEvent>* out) override;
  // Kind HEARTBEAT, the cursor of `position`, event_time now.
  v1::OrderEvent Heartbeat(int64_t position) override;

 private:
  Database* const db_;
  const Clock* const clock_;
  const std::string partner_filter_;
  const std::string cooperative_filter_;
  OrderEventFilter filter_;  // the effective filter, set by Start()
};

// Deletes up to `limit` of the oldest events whose event time is before `cutoff` (normally
// clock.Now() - kOrderEventRetention), with their scope rows; returns how many events. Idempotent:
// replicas may run it at the same time.
absl::StatusOr<int64_t> PurgeOrderEvents(Database& db, absl::Time cutoff, int limit);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDER_EVENTS_H_
