// Storage of fulfilments (one per cooperative of an order) and shipments: the SQL (named constants
// in fulfilment_store.cc), the row mapping, and the writes, each in the caller's transaction after
// the order row is locked (the lock order of order_store.h).
#ifndef COOPLINK_SERVICES_ORDERS_FULFILMENT_STORE_H_
#define COOPLINK_SERVICES_ORDERS_FULFILMENT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/db.h"
#include "services/common/sql_shapes.h"
#include "services/orders/order_store.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

// The order's fulfilments by id, each with its lines taken from `order` (locking them when
// `for_update`).
std::vector<v1::Fulfilment> LoadFulfilments(Tx& tx, const OrderRow& order, bool for_update);
// One TO_PACK fulfilment per cooperative of the order that has none yet; returns those created.
// `new_order`: the order is inserted in this transaction, so there is none to look for (and no
// locking read of a missing key, whose gap locks would deadlock concurrent new orders).
std::vector<v1::Fulfilment> CreateFulfilments(Tx& tx, const OrderRow& order, int64_t now_us,
                                              bool new_order = false);
// Every TO_PACK or PACKED fulfilment of the order -> CANCELLED; returns those changed.
std::vector<v1::Fulfilment> CancelFulfilments(Tx& tx, const OrderRow& order, int64_t now_us);
// Writes a fulfilment's state, shipment and pack time.
void UpdateFulfilment(Tx& tx, const v1::Fulfilment& f, int64_t now_us);

// Does the cooperative have a fulfilment in the order (the SHIPPING view's condition)?
bool HasFulfilmentOf(Tx& tx, const std::string& order_id, const std::string& cooperative_id);

// The order a fulfilment belongs to ("" when there is no such fulfilment): read first, so the
// order row can be locked before the fulfilment (the lock order).
std::string FulfilmentOrderId(Tx& tx, const std::string& fulfilment_id);

// Shipments.
void InsertShipment(Tx& tx, const v1::Shipment& shipment);
// The shipment (locked when `for_update`); nullopt when absent.
std::optional<v1::Shipment> LoadShipment(Tx& tx, const std::string& id, bool for_update);
// The order's shipments, by id.
std::vector<v1::Shipment> LoadShipments(Tx& tx, const std::string& order_id, bool for_update);
// Marks a shipment delivered at `delivery_us`.
void MarkShipmentDelivered(Tx& tx, const std::string& id, int64_t delivery_us);

// One page of ListFulfilments: `query` selects kFulfilmentListHead's columns with filters.
extern const char* const kFulfilmentListHead;
std::vector<v1::Fulfilment> LoadFulfilmentList(Tx& tx, const SqlQuery& query);

// The lines of `order` that belong to `cooperative_id`, as a fulfilment shows them.
void FillFulfilmentLines(const OrderRow& order, v1::Fulfilment* f);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_FULFILMENT_STORE_H_
