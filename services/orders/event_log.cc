#include "services/orders/event_log.h"

#include "services/common/fields.h"
#include "services/common/outbox.h"

namespace cooplink::orders {

void AppendOrderEvent(Tx& tx, v1::OrderEventKind kind, const v1::Order& order, absl::Time now,
                      EventParts parts) {
  v1::OrderEvent event;
  event.set_kind(kind);
  *event.mutable_order() = order;
  if (parts.fulfilment != nullptr) *event.mutable_fulfilment() = *parts.fulfilment;
  if (parts.after_sale != nullptr) *event.mutable_after_sale() = *parts.after_sale;
  if (parts.settlement != nullptr) *event.mutable_settlement() = *parts.settlement;
  *event.mutable_event_time() = ToTimestamp(ToMicros(now));
  Outbox::Append(tx, kOrderEventTopic, order.id(), event.SerializeAsString(), now);
}

void AppendSettlement(Tx& tx, const v1::Order& order, const v1::Settlement& settlement,
                      absl::Time now) {
  Outbox::Append(tx, kSettlementTopic, settlement.order_id(), settlement.SerializeAsString(), now);
  EventParts parts;
  parts.settlement = &settlement;
  AppendOrderEvent(tx, v1::ORDER_EVENT_KIND_SETTLEMENT_CREATED, order, now, parts);
}

}  // namespace cooplink::orders
