// Storage of settlements and their household payouts: the SQL (named constants in
// settlement_store.cc), the one row mapping (a Settlement proto with its payouts), and the writes,
// each in the caller's transaction after the order row is locked. Settlements are immutable: a
// refund after completion adds a reversal, it never changes one.
#ifndef COOPLINK_SERVICES_ORDERS_SETTLEMENT_STORE_H_
#define COOPLINK_SERVICES_ORDERS_SETTLEMENT_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/db.h"
#include "services/common/sql_shapes.h"
#include "services/orders/settlement_rules.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

// The settlement proto of `amounts` (payouts in household order).
v1::Settlement SettlementOf(const SettlementAmounts& amounts, const SettlementRates& rates);
// The amounts of a stored settlement (for AddSettlements / ComputeReversal).
SettlementAmounts AmountsOf(const v1::Settlement& settlement);

// Inserts the settlement and its payouts. Throws the duplicate-key error for a second settlement
// of the same (order, cooperative, after-sale).
void InsertSettlement(Tx& tx, const v1::Settlement& settlement);
std::optional<v1::Settlement> LoadSettlement(Tx& tx, const std::string& id);
// The order's settlements for one cooperative (the settlement and its reversals), by id.
std::vector<v1::Settlement> LoadOrderSettlements(Tx& tx, const std::string& order_id,
                                                 const std::string& cooperative_id);
// Refunds of COMPLETED after-sales of the order, per external line id.
std::map<std::string, int64_t> CompletedRefundsByLine(Tx& tx, const std::string& order_id);

// One page of ListSettlements: `query` is built by settlements.cc (kSettlementListHead + filters).
extern const char* const kSettlementListHead;
std::vector<v1::Settlement> LoadSettlementList(Tx& tx, const SqlQuery& query);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_SETTLEMENT_STORE_H_
