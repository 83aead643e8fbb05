#include "services/orders/order_events.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/status.h"

namespace cooplink::orders {
namespace {

const CursorCodec& Cursors() {
  static const auto* const kCodec = new CursorCodec("o1");
  return *kCodec;
}

absl::Status BadPayload(absl::string_view what) {
  return absl::InternalError(absl::StrCat("order event in the outbox breaks the contract: ", what));
}

// The cooperative of a component event; "" for an order-level kind.
absl::StatusOr<std::string> ComponentCooperative(const v1::OrderEvent& event) {
  switch (event.kind()) {
    case v1::ORDER_EVENT_KIND_ORDER_CREATED:
    case v1::ORDER_EVENT_KIND_ORDER_UPDATED:
      return std::string();
    case v1::ORDER_EVENT_KIND_FULFILMENT_CHANGED:
      if (!event.has_fulfilment()) return BadPayload("FULFILMENT_CHANGED without its fulfilment");
      return event.fulfilment().cooperative_id();
    case v1::ORDER_EVENT_KIND_AFTER_SALE_CHANGED:
      if (!event.has_after_sale()) return BadPayload("AFTER_SALE_CHANGED without its after-sale");
      return event.after_sale().cooperative_id();
    case v1::ORDER_EVENT_KIND_SETTLEMENT_CREATED:
      if (!event.has_settlement()) return BadPayload("SETTLEMENT_CREATED without its settlement");
      return event.settlement().cooperative_id();
    default:
      return BadPayload("kind unset, HEARTBEAT or unknown");
  }
}

// Events after the stream's position were purged: resuming would silently skip them.
absl::Status PositionExpired() {
  return CursorExpired(absl::StrCat(
      "the cursor is older than the order event retention (",
      absl::FormatDuration(kOrderEventRetention),
      "); resync with ListOrders (partners: ListOrdersForReconciliation) and start a fresh stream "
      "with start_at_now"));
}

}  // namespace

std::string EncodeOrderEventCursor(int64_t seq) { return Cursors().Encode(seq); }

absl::StatusOr<int64_t> DecodeOrderEventCursor(absl::string_view cursor) {
  return Cursors().Decode(cursor);
}

absl::StatusOr<DescribedOrderEvent> DescribeOrderEvent(absl::string_view payload,
                                                       absl::Time create_time) {
  v1::OrderEvent event;
  if (!event.ParseFromString(std::string(payload))) return BadPayload("not an OrderEvent");
  absl::StatusOr<std::string> component = ComponentCooperative(event);
  if (!component.ok()) return component.status();
  const v1::Order& order = event.order();
  if (order.id().empty() || order.partner_id().empty()) {
    return BadPayload("order id or partner_id missing");
  }
  DescribedOrderEvent out;
  if (event.kind() == v1::ORDER_EVENT_KIND_ORDER_CREATED ||
      event.kind() == v1::ORDER_EVENT_KIND_ORDER_UPDATED) {
    std::set<std::string> cooperatives;
    for (const v1::OrderLine& line : order.lines()) {
      if (line.cooperative_id().empty()) return BadPayload("an order line without cooperative_id");
      cooperatives.insert(line.cooperative_id());
    }
    out.scope_cooperatives.assign(cooperatives.begin(), cooperatives.end());
  } else {
    if (component->empty()) return BadPayload("a component event without its cooperative_id");
    out.scope_cooperatives.push_back(*component);
  }
  bool rewritten = false;
  if (!event.has_event_time()) {
    *event.mutable_event_time() = ToTimestamp(ToMicros(create_time));
    rewritten = true;
  }
  if (!event.cursor().empty()) {  // given by the feed, never by the writer
    event.clear_cursor();
    rewritten = true;
  }
  OrderEventRow& row = out.row;
  row.order_id = order.id();
  row.partner_id = order.partner_id();
  row.cooperative_id = *component;
  row.kind = static_cast<int>(event.kind());
  row.event_time_us = TimestampMicros(event.event_time());
  row.payload = rewritten ? event.SerializeAsString() : std::string(payload);
  return out;
}

absl::Status OrderEventSequencer::Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) {
  // Numbered under the head-row lock (feed_sequence.h); nothing else is read.
  absl::StatusOr<FeedSequence> sequence = LockOrderEventHead(tx);
  if (!sequence.ok()) return sequence.status();
  for (const OutboxMessage& message : batch) {
    absl::StatusOr<DescribedOrderEvent> event =
        DescribeOrderEvent(message.payload, message.create_time);
    if (!event.ok()) {
      return absl::Status(event.status().code(),
                          absl::StrCat(event.status().message(), " (outbox id ", message.id, ")"));
    }
    event->row.seq = sequence->Next();
    InsertOrderEvent(tx, event->row, event->scope_cooperatives);
  }
  return CommitOrderEventHead(tx, *sequence);
}

absl::StatusOr<OrderEventFilter> ResolveOrderEventScope(const Principal& caller,
                                                        const std::string& partner_filter,
                                                        const std::string& cooperative_filter) {
  if (auto s = RequireRole(caller, {Role::kPlatformAdmin, Role::kPartner, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  OrderEventFilter filter{partner_filter, cooperative_filter};
  if (caller.is(Role::kPartner)) {
    if (!partner_filter.empty() && partner_filter != caller.partner_id) {
      return PermissionDenied("ROLE_NOT_ALLOWED", "a partner watches only its own orders' events");
    }
    filter.partner_id = caller.partner_id;
  }
  if (caller.is(Role::kCooperativeAdmin)) {
    if (!cooperative_filter.empty() && cooperative_filter != caller.cooperative_id) {
      return PermissionDenied("ROLE_NOT_ALLOWED",
                              "a cooperative admin watches only its own cooperative's events");
    }
    filter.cooperative_id = caller.cooperative_id;
  }
  return filter;
}

OrderEventSource::OrderEventSource(Database* db, const Clock* clock, std::string partner_filter,
                                   std::string cooperative_filter)
    : db_(db),
      clock_(clock),
      partner_filter_(std::move(partner_filter)),
      cooperative_filter_(std::move(cooperative_filter)) {}

absl::StatusOr<int64_t> OrderEventSource::Start(const CallContext& call, const StreamStart& start) {
  absl::StatusOr<OrderEventFilter> filter =
      ResolveOrderEventScope(call.principal(), partner_filter_, cooperative_filter_);
  if (!filter.ok()) return filter.status();
  filter_ = *std::move(filter);
  if (start.from_now && !start.cursor.empty()) {
    return InvalidField("start_at_now", "cannot be set together with cursor");
  }
  absl::StatusOr<int64_t> after = int64_t{0};
  if (!start.cursor.empty()) after = DecodeOrderEventCursor(start.cursor);
  if (!after.ok()) return after.status();
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    const int64_t head = ReadOrderEventHead(tx);
    if (start.from_now) {
      *after = head;
      return absl::OkStatus();
    }
    // Nothing retained: the next event will be head + 1.
    const int64_t oldest = OldestOrderEvent(tx).value_or(head + 1);
    if (start.cursor.empty()) {
      *after = oldest - 1;  // from the oldest retained event
      return absl::OkStatus();
    }
    if (*after > head) {
      // Not a cursor of this feed (e.g. the database was restored from an older backup).
      return CursorExpired(
          "the cursor is ahead of the order event feed; resync with ListOrders and start a fresh "
          "stream");
    }
    if (*after + 1 < oldest) return PositionExpired();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return *after;
}

absl::StatusOr<int64_t> OrderEventSource::Read(const CallContext& /*call*/, int64_t after,
                                               int limit, std::vector<v1::OrderEvent>* out) {
  const int max = std::max(limit, 1);
  int64_t last = after;
  std::vector<StoredOrderEvent> rows;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    // The head first: every event up to it is committed, so reading up to it leaves no gap.
    const int64_t head = std::max(after, ReadOrderEventHead(tx));
    rows.clear();
    if (head > after) {
      // A stream that fell behind the retention (or was purged past between Start and its first
      // read) ends rather than skip events.
      if (after + 1 < OldestOrderEvent(tx).value_or(head + 1)) return PositionExpired();
      rows = ReadOrderEvents(tx, filter_, after, head, max);
    }
    last = static_cast<int>(rows.size()) < max ? head : rows.back().seq;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (StoredOrderEvent& row : rows) {
    v1::OrderEvent event;
    if (!event.ParseFromString(row.payload)) {
      return absl::DataLossError(absl::StrCat("order event ", row.seq, " is unreadable"));
    }
    event.set_cursor(EncodeOrderEventCursor(row.seq));
    if (!event.has_event_time()) *event.mutable_event_time() = ToTimestamp(row.event_time_us);
    out->push_back(std::move(event));
  }
  return last;
}

v1::OrderEvent OrderEventSource::Heartbeat(int64_t position) {
  v1::OrderEvent heartbeat;
  heartbeat.set_cursor(EncodeOrderEventCursor(position));
  heartbeat.set_kind(v1::ORDER_EVENT_KIND_HEARTBEAT);
  *heartbeat.mutable_event_time() = ToTimestamp(ToMicros(clock_->Now()));
  return heartbeat;
}

absl::StatusOr<int64_t> PurgeOrderEvents(Database& db, absl::Time cutoff, int limit) {
  int64_t deleted = 0;
  absl::Status status = db.Transact([&](Tx& tx) {
    deleted = PurgeOrderEventsBefore(tx, ToMicros(cutoff), limit);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

}  // namespace cooplink::orders
