// Storage of orders: the SQL (named constants in order_store.cc), the one row mapping of an order
// with its lines, and the writes UpsertPartnerOrder and the stock saga make, each run in the
// caller's transaction. Lock order everywhere: the order row first (FOR UPDATE), then its
// fulfilments, after-sales and settlements. Functions taking Tx& may throw sql::SQLException
// (mapped by Database).
#ifndef COOPLINK_SERVICES_ORDERS_ORDER_STORE_H_
#define COOPLINK_SERVICES_ORDERS_ORDER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/crypto.h"
#include "services/common/db.h"
#include "services/common/sql_shapes.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

struct LineRow {
  std::string external_line_id;
  std::string product_id;
  std::string cooperative_id;
  std::string household_id;
  int64_t quantity = 0;
  int64_t unit_price_fen = 0;
  int64_t line_total_fen = 0;
  bool price_mismatch = false;
  int64_t unit_weight_grams = 0;  // grams per unit for goods sold by weight, else 0
  int64_t packed_weight_grams = 0;
};

// One order row and its lines (by line_no).
struct OrderRow {
  std::string id;
  std::string partner_id;
  std::string shop_id;
  std::string external_order_id;
  v1::OrderState state = v1::ORDER_STATE_UNSPECIFIED;
  std::string partner_status;
  int64_t platform_create_us = 0;
  int64_t platform_update_us = 0;
  std::optional<int64_t> pay_us;
  std::string buyer_name_sealed, buyer_phone_sealed, buyer_address_sealed, buyer_contact_ref_sealed;
  std::string buyer_name_masked, buyer_phone_masked;
  std::string buyer_region_code;
  int64_t goods_total_fen = 0;
  int64_t shipping_fee_fen = 0;
  std::string reservation_id;
  bool reservation_from_partner = false;
  v1::OrderStockStatus stock_status = v1::ORDER_STOCK_STATUS_UNSPECIFIED;
  int stock_attempt = 0;
  std::optional<int64_t> stock_due_us;
  bool shipping_held = false;
  std::string cancel_reason;
  std::string lines_hash;
  std::string content_hash;
  std::optional<int64_t> last_ship_us;
  std::optional<int64_t> delivery_us;
  std::optional<int64_t> complete_due_us;
  int64_t create_us = 0;
  int64_t update_us = 0;
  std::vector<LineRow> lines;

  // The distinct cooperatives of the lines, sorted.
  std::vector<std::string> Cooperatives() const;
};

// Loads an order with its lines, locking the row when `for_update`.
std::optional<OrderRow> LoadOrder(Tx& tx, const std::string& id, bool for_update);
std::optional<OrderRow> LoadOrderByExternal(Tx& tx, const std::string& partner_id,
                                            const std::string& shop_id,
                                            const std::string& external_order_id, bool for_update);
// Inserts the order, its lines and its order_cooperatives rows. Throws the duplicate-key error
// when (partner, shop, external order id) exists already.
void InsertOrder(Tx& tx, const OrderRow& row);
// Writes every mutable column of the (locked) order row; `lines_changed` replaces its lines and
// cooperatives as well (only before payment).
void UpdateOrder(Tx& tx, const OrderRow& row, bool lines_changed);
// Sets one packed weight (MarkFulfilmentPacked).
void SetPackedWeight(Tx& tx, const std::string& order_id, const std::string& external_line_id,
                     int64_t grams);

// "SELECT <every order column of o> FROM orders o": the head of every list statement (the lists
// append joins, filters and ordering).
extern const char* const kOrderListHead;
// The orders a list statement selects, in its order, each with its lines (read with one more
// statement for the whole page).
std::vector<OrderRow> LoadOrderList(Tx& tx, const SqlQuery& query);

// Up to `limit` ids of orders whose pending stock step is due at now_us, earliest first.
std::vector<std::string> OrdersWithStockDue(Tx& tx, int64_t now_us, int limit);
// Up to `limit` ids of orders whose automatic completion is due at now_us, earliest first.
std::vector<std::string> OrdersWithCompletionDue(Tx& tx, int64_t now_us, int limit);
// Is the reservation referenced by any order (the recovery job's orphan check)?
bool ReservationReferenced(Tx& tx, const std::string& reservation_id);

// How much buyer data the reply shows.
enum class BuyerView { kMasked, kShipping };
// The reply. kShipping decrypts the buyer contact with `cipher` (INTERNAL if it cannot).
absl::Status OrderToProto(const OrderRow& row, BuyerView view, const PiiCipher& cipher,
                          v1::Order* out);

// The audit record of one SHIPPING view.
void AuditShippingView(Tx& tx, const std::string& order_id, const std::string& principal_id,
                       int role, const std::string& trace_id, int64_t now_us);

// Personal-data contexts (PiiCipher additional data): a sealed value cannot move to another column.
inline constexpr char kBuyerNameContext[] = "orders.buyer.name";
inline constexpr char kBuyerPhoneContext[] = "orders.buyer.phone";
inline constexpr char kBuyerAddressContext[] = "orders.buyer.address";
inline constexpr char kBuyerContactRefContext[] = "orders.buyer.platform_contact_ref";

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDER_STORE_H_
