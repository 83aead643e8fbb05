// What an order change tells the world, written in the transaction that makes the change: an
// OrderEvent (the order after the change, masked, and the part that changed) in the outbox topic
// kOrderEventTopic, keyed by order id, which the event sequencer numbers into the feed that
// WatchOrderEvents serves; and each new settlement in kSettlementTopic for the income service.
#ifndef COOPLINK_SERVICES_ORDERS_EVENT_LOG_H_
#define COOPLINK_SERVICES_ORDERS_EVENT_LOG_H_

#include "absl/time/time.h"
#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/db.h"
#include "services/orders/order_events.h"  // kOrderEventTopic

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

inline constexpr char kSettlementTopic[] = "orders.settlements";

// The parts an event may carry besides the order; null when absent.
struct EventParts {
  const v1::Fulfilment* fulfilment = nullptr;
  const v1::AfterSale* after_sale = nullptr;
  const v1::Settlement* settlement = nullptr;
};

// Appends one event: `order` must be the masked view after the change.
void AppendOrderEvent(Tx& tx, v1::OrderEventKind kind, const v1::Order& order, absl::Time now,
                      EventParts parts = {});
// Appends a settlement for income (payload: the Settlement, binary), and its SETTLEMENT_CREATED
// event.
void AppendSettlement(Tx& tx, const v1::Order& order, const v1::Settlement& settlement,
                      absl::Time now);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_EVENT_LOG_H_
