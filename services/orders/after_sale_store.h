// Storage of after-sales and their lines: the SQL (named constants in after_sale_store.cc), the one
// row mapping (an AfterSale proto with its lines) and the writes, each in the caller's transaction
// after the order row is locked (order_store.h lock order).
#ifndef COOPLINK_SERVICES_ORDERS_AFTER_SALE_STORE_H_
#define COOPLINK_SERVICES_ORDERS_AFTER_SALE_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/db.h"
#include "services/common/sql_shapes.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

// restock_state values.
inline constexpr int kRestockNone = 0;
inline constexpr int kRestockDue = 1;
inline constexpr int kRestockDone = 2;

// Inserts the after-sale and its lines. Throws the duplicate-key error when its
// external_after_sale_id is already recorded for the order.
void InsertAfterSale(Tx& tx, const v1::AfterSale& a, int restock_state);
// The after-sale (locked when `for_update`) with its lines; nullopt when absent.
std::optional<v1::AfterSale> LoadAfterSale(Tx& tx, const std::string& id, bool for_update);
// The order's after-sales with their lines, by id.
std::vector<v1::AfterSale> LoadOrderAfterSales(Tx& tx, const std::string& order_id);
// Writes state, reasons, decider, restock state and update time.
void UpdateAfterSale(Tx& tx, const v1::AfterSale& a, int restock_state);
// Is an after-sale with this external id recorded for the order?
bool ExternalAfterSaleExists(Tx& tx, const std::string& order_id, const std::string& external_id);
// The restock state of an after-sale.
int RestockState(Tx& tx, const std::string& id);
// Up to `limit` ids of after-sales whose restock is due.
std::vector<std::string> AfterSalesWithRestockDue(Tx& tx, int limit);

// One page of ListAfterSales: `query` selects kAfterSaleListHead's columns with filters.
extern const char* const kAfterSaleListHead;
std::vector<v1::AfterSale> LoadAfterSaleList(Tx& tx, const SqlQuery& query);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_AFTER_SALE_STORE_H_
