#include "services/orders/order_store.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/common/status.h"

namespace cooplink::orders {
namespace {

#define COOPLINK_ORDER_COLUMNS                                                                   \
  "id, partner_id, shop_id, external_order_id, state, partner_status, platform_create_time_us, " \
  "platform_update_time_us, pay_time_us, buyer_name_sealed, buyer_phone_sealed, "                \
  "buyer_address_sealed, buyer_contact_ref_sealed, buyer_name_masked, buyer_phone_masked, "      \
  "buyer_region_code, goods_total_fen, shipping_fee_fen, reservation_id, "                       \
  "reservation_from_partner, stock_status, stock_attempt, stock_due_us, shipping_held, "         \
  "cancel_reason, lines_hash, content_hash, last_ship_time_us, delivery_time_us, "               \
  "complete_due_us, create_time_us, update_time_us"

constexpr const char* kSelectOrder = "SELECT " COOPLINK_ORDER_COLUMNS " FROM orders WHERE id = ?";
constexpr const char* kSelectOrderForUpdate =
    "SELECT " COOPLINK_ORDER_COLUMNS " FROM orders WHERE id = ? FOR UPDATE";
constexpr const char* kSelectOrderByExternal =
    "SELECT " COOPLINK_ORDER_COLUMNS
    " FROM orders WHERE partner_id = ? AND shop_id = ? AND external_order_id = ?";
constexpr const char* kSelectOrderByExternalForUpdate =
    "SELECT " COOPLINK_ORDER_COLUMNS
    " FROM orders WHERE partner_id = ? AND shop_id = ? AND external_order_id = ? FOR UPDATE";
constexpr const char* kInsertOrder =
    "INSERT INTO orders (" COOPLINK_ORDER_COLUMNS
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?)";
constexpr const char* kUpdateOrder =
    "UPDATE orders SET state = ?, partner_status = ?, platform_create_time_us = ?, "
    "platform_update_time_us = ?, pay_time_us = ?, buyer_name_sealed = ?, buyer_phone_sealed = ?, "
    "buyer_address_sealed = ?, buyer_contact_ref_sealed = ?, buyer_name_masked = ?, "
    "buyer_phone_masked = ?, buyer_region_code = ?, goods_total_fen = ?, shipping_fee_fen = ?, "
    "reservation_id = ?, reservation_from_partner = ?, stock_status = ?, stock_attempt = ?, "
    "stock_due_us = ?, shipping_held = ?, cancel_reason = ?, lines_hash = ?, content_hash = ?, "
    "last_ship_time_us = ?, delivery_time_us = ?, complete_due_us = ?, update_time_us = ? "
    "WHERE id = ?";

constexpr const char* kListHead =
    "SELECT o.id, o.partner_id, o.shop_id, o.external_order_id, o.state, o.partner_status, "
    "o.platform_create_time_us, o.platform_update_time_us, o.pay_time_us, o.buyer_name_sealed, "
    "o.buyer_phone_sealed, o.buyer_address_sealed, o.buyer_contact_ref_sealed, "
    "o.buyer_name_masked, o.buyer_phone_masked, o.buyer_region_code, o.goods_total_fen, "
    "o.shipping_fee_fen, o.reservation_id, o.reservation_from_partner, o.stock_status, "
    "o.stock_attempt, o.stock_due_us, o.shipping_held, o.cancel_reason, o.lines_hash, "
    "o.content_hash, o.last_ship_time_us, o.delivery_time_us, o.complete_due_us, "
    "o.create_time_us, o.update_time_us FROM orders o";
constexpr const char* kSelectLinesOfPageHead =
    "SELECT order_id, external_line_id, product_id, cooperative_id, household_id, quantity, "
    "unit_price_fen, line_total_fen, price_mismatch, unit_weight_grams, packed_weight_grams "
    "FROM order_lines WHERE order_id IN ";
constexpr const char* kSelectLinesOfPageTail = " ORDER BY order_id, line_no";

#undef COOPLINK_ORDER_COLUMNS

constexpr const char* kSelectLines =
    "SELECT external_line_id, product_id, cooperative_id, household_id, quantity, unit_price_fen, "
    "line_total_fen, price_mismatch, unit_weight_grams, packed_weight_grams "
    "FROM order_lines WHERE order_id = ? ORDER BY line_no";
constexpr const char* kInsertLine =
    "INSERT INTO order_lines (order_id, line_no, external_line_id, product_id, cooperative_id, "
    "household_id, quantity, unit_price_fen, line_total_fen, price_mismatch, unit_weight_grams, "
    "packed_weight_grams) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kDeleteLines = "DELETE FROM order_lines WHERE order_id = ?";
constexpr const char* kInsertOrderCooperative =
    "INSERT INTO order_cooperatives (cooperative_id, order_id) VALUES (?, ?)";
constexpr const char* kDeleteOrderCooperatives =
    "DELETE FROM order_cooperatives WHERE order_id = ?";
constexpr const char* kSetPackedWeight =
    "UPDATE order_lines SET packed_weight_grams = ? WHERE order_id = ? AND external_line_id = ?";
constexpr const char* kStockDue =
    "SELECT id FROM orders WHERE stock_due_us <= ? ORDER BY stock_due_us LIMIT ?";
constexpr const char* kCompletionDue =
    "SELECT id FROM orders WHERE complete_due_us <= ? ORDER BY complete_due_us LIMIT ?";
constexpr const char* kReservationReferenced =
    "SELECT 1 FROM orders WHERE reservation_id = ? LIMIT 1";
constexpr const char* kAuditShippingView =
    "INSERT INTO shipping_view_audit (id, order_id, principal_id, role, trace_id, view_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?)";

std::optional<int64_t> OptionalInt(sql::ResultSet& rs, const char* column) {
  if (rs.isNull(column)) return std::nullopt;
  return rs.getInt64(column);
}

OrderRow RowFrom(sql::ResultSet& rs) {
  OrderRow r;
  r.id = rs.getString("id");
  r.partner_id = rs.getString("partner_id");
  r.shop_id = rs.getString("shop_id");
  r.external_order_id = rs.getString("external_order_id");
  r.state = static_cast<v1::OrderState>(rs.getInt("state"));
  r.partner_status = rs.getString("partner_status");
  r.platform_create_us = rs.getInt64("platform_create_time_us");
  r.platform_update_us = rs.getInt64("platform_update_time_us");
  r.pay_us = OptionalInt(rs, "pay_time_us");
  r.buyer_name_sealed = rs.getString("buyer_name_sealed");
  r.buyer_phone_sealed = rs.getString("buyer_phone_sealed");
  r.buyer_address_sealed = rs.getString("buyer_address_sealed");
  r.buyer_contact_ref_sealed = rs.getString("buyer_contact_ref_sealed");
  r.buyer_name_masked = rs.getString("buyer_name_masked");
  r.buyer_phone_masked = rs.getString("buyer_phone_masked");
  r.buyer_region_code = rs.getString("buyer_region_code");
  r.goods_total_fen = rs.getInt64("goods_total_fen");
  r.shipping_fee_fen = rs.getInt64("shipping_fee_fen");
  r.reservation_id = rs.getString("reservation_id");
  r.reservation_from_partner = rs.getInt("reservation_from_partner") != 0;
  r.stock_status = static_cast<v1::OrderStockStatus>(rs.getInt("stock_status"));
  r.stock_attempt = rs.getInt("stock_attempt");
  r.stock_due_us = OptionalInt(rs, "stock_due_us");
  r.shipping_held = rs.getInt("shipping_held") != 0;
  r.cancel_reason = rs.getString("cancel_reason");
  r.lines_hash = rs.getString("lines_hash");
  r.content_hash = rs.getString("content_hash");
  r.last_ship_us = OptionalInt(rs, "last_ship_time_us");
  r.delivery_us = OptionalInt(rs, "delivery_time_us");
  r.complete_due_us = OptionalInt(rs, "complete_due_us");
  r.create_us = rs.getInt64("create_time_us");
  r.update_us = rs.getInt64("update_time_us");
  return r;
}

LineRow LineFrom(sql::ResultSet& rs_) {
  sql::ResultSet* rs = &rs_;
  LineRow l;
  l.external_line_id = rs->getString("external_line_id");
  l.product_id = rs->getString("product_id");
  l.cooperative_id = rs->getString("cooperative_id");
  l.household_id = rs->getString("household_id");
  l.quantity = rs->getInt64("quantity");
  l.unit_price_fen = rs->getInt64("unit_price_fen");
  l.line_total_fen = rs->getInt64("line_total_fen");
  l.price_mismatch = rs->getInt("price_mismatch") != 0;
  l.unit_weight_grams = rs->getInt64("unit_weight_grams");
  l.packed_weight_grams = rs->getInt64("packed_weight_grams");
  return l;
}

void LoadLines(Tx& tx, OrderRow& row) {
  auto rs = tx.Query(kSelectLines, row.id);
  while (rs->next()) row.lines.push_back(LineFrom(*rs));
}

std::optional<OrderRow> LoadOne(std::unique_ptr<sql::ResultSet> rs, Tx& tx) {
  if (!rs->next()) return std::nullopt;
  OrderRow row = RowFrom(*rs);
  rs.reset();
  LoadLines(tx, row);
  return row;
}

void InsertLinesAndCooperatives(Tx& tx, const OrderRow& row) {
  for (size_t i = 0; i < row.lines.size(); ++i) {
    const LineRow& l = row.lines[i];
    tx.Execute(kInsertLine, row.id, static_cast<int64_t>(i), l.external_line_id, l.product_id,
               l.cooperative_id, l.household_id, l.quantity, l.unit_price_fen, l.line_total_fen,
               l.price_mismatch, l.unit_weight_grams, l.packed_weight_grams);
  }
  for (const std::string& coop : row.Cooperatives()) {
    tx.Execute(kInsertOrderCooperative, coop, row.id);
  }
}

google::protobuf::Timestamp Ts(int64_t us) { return ToTimestamp(us); }

}  // namespace

const char* const kOrderListHead = kListHead;

std::vector<OrderRow> LoadOrderList(Tx& tx, const SqlQuery& query) {
  std::vector<OrderRow> rows;
  {
    auto rs = tx.QueryParams(query.sql, query.params);
    while (rs->next()) rows.push_back(RowFrom(*rs));
  }
  if (rows.empty()) return rows;
  std::vector<std::string> ids;
  for (const OrderRow& r : rows) ids.push_back(r.id);
  SqlQuery lines{kSelectLinesOfPageHead, {}};
  AppendInList(ids, &lines.sql, &lines.params);
  lines.sql += kSelectLinesOfPageTail;
  absl::flat_hash_map<std::string, size_t> at;
  for (size_t i = 0; i < rows.size(); ++i) at.emplace(rows[i].id, i);
  auto rs = tx.QueryParams(lines.sql, lines.params);
  while (rs->next()) {
    auto it = at.find(std::string(rs->getString("order_id")));
    if (it != at.end()) rows[it->second].lines.push_back(LineFrom(*rs));
  }
  return rows;
}

std::vector<std::string> OrderRow::Cooperatives() const {
  std::vector<std::string> out;
  for (const LineRow& l : lines) out.push_back(l.cooperative_id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<OrderRow> LoadOrder(Tx& tx, const std::string& id, bool for_update) {
  return LoadOne(tx.Query(for_update ? kSelectOrderForUpdate : kSelectOrder, id), tx);
}

std::optional<OrderRow> LoadOrderByExternal(Tx& tx, const std::string& partner_id,
                                            const std::string& shop_id,
                                            const std::string& external_order_id, bool for_update) {
  return LoadOne(tx.Query(for_update ? kSelectOrderByExternalForUpdate : kSelectOrderByExternal,
                          partner_id, shop_id, external_order_id),
                 tx);
}

void InsertOrder(Tx& tx, const OrderRow& r) {
  tx.Execute(
      kInsertOrder, r.id, r.partner_id, r.shop_id, r.external_order_id, static_cast<int>(r.state),
      r.partner_status, r.platform_create_us, r.platform_update_us, r.pay_us, r.buyer_name_sealed,
      r.buyer_phone_sealed, r.buyer_address_sealed, r.buyer_contact_ref_sealed, r.buyer_name_masked,
      r.buyer_phone_masked, r.buyer_region_code, r.goods_total_fen, r.shipping_fee_fen,
      r.reservation_id, r.reservation_from_partner, static_cast<int>(r.stock_status),
      r.stock_attempt, r.stock_due_us, r.shipping_held, r.cancel_reason, r.lines_hash,
      r.content_hash, r.last_ship_us, r.delivery_us, r.complete_due_us, r.create_us, r.update_us);
  InsertLinesAndCooperatives(tx, r);
}

void UpdateOrder(Tx& tx, const OrderRow& r, bool lines_changed) {
  tx.Execute(kUpdateOrder, static_cast<int>(r.state), r.partner_status, r.platform_create_us,
             r.platform_update_us, r.pay_us, r.buyer_name_sealed, r.buyer_phone_sealed,
             r.buyer_address_sealed, r.buyer_contact_ref_sealed, r.buyer_name_masked,
             r.buyer_phone_masked, r.buyer_region_code, r.goods_total_fen, r.shipping_fee_fen,
             r.reservation_id, r.reservation_from_partner, static_cast<int>(r.stock_status),
             r.stock_attempt, r.stock_due_us, r.shipping_held, r.cancel_reason, r.lines_hash,
             r.content_hash, r.last_ship_us, r.delivery_us, r.complete_due_us, r.update_us, r.id);
  if (lines_changed) {
    tx.Execute(kDeleteLines, r.id);
    tx.Execute(kDeleteOrderCooperatives, r.id);
    InsertLinesAndCooperatives(tx, r);
  }
}

void SetPackedWeight(Tx& tx, const std::string& order_id, const std::string& external_line_id,
                     int64_t grams) {
  tx.Execute(kSetPackedWeight, grams, order_id, external_line_id);
}

std::vector<std::string> OrdersWithStockDue(Tx& tx, int64_t now_us, int limit) {
  std::vector<std::string> ids;
  auto rs = tx.Query(kStockDue, now_us, static_cast<int64_t>(limit));
  while (rs->next()) ids.push_back(rs->getString("id"));
  return ids;
}

std::vector<std::string> OrdersWithCompletionDue(Tx& tx, int64_t now_us, int limit) {
  std::vector<std::string> ids;
  auto rs = tx.Query(kCompletionDue, now_us, static_cast<int64_t>(limit));
  while (rs->next()) ids.push_back(rs->getString("id"));
  return ids;
}

bool ReservationReferenced(Tx& tx, const std::string& reservation_id) {
  return tx.Query(kReservationReferenced, reservation_id)->next();
}

absl::Status OrderToProto(const OrderRow& r, BuyerView view, const PiiCipher& cipher,
                          v1::Order* out) {
  out->Clear();
  out->set_id(r.id);
  out->set_partner_id(r.partner_id);
  out->set_shop_id(r.shop_id);
  out->set_external_order_id(r.external_order_id);
  *out->mutable_platform_update_time() = Ts(r.platform_update_us);
  *out->mutable_platform_create_time() = Ts(r.platform_create_us);
  out->set_state(r.state);
  out->set_partner_status(r.partner_status);
  for (const LineRow& l : r.lines) {
    v1::OrderLine* line = out->add_lines();
    line->set_external_line_id(l.external_line_id);
    line->set_product_id(l.product_id);
    line->set_cooperative_id(l.cooperative_id);
    line->set_household_id(l.household_id);
    line->set_quantity(l.quantity);
    line->mutable_unit_price()->set_fen(l.unit_price_fen);
    line->mutable_line_total()->set_fen(l.line_total_fen);
    line->set_price_mismatch(l.price_mismatch);
  }
  v1::BuyerContact* b = out->mutable_buyer();
  b->set_region_code(r.buyer_region_code);
  if (view == BuyerView::kShipping) {
    struct Field {
      const std::string& sealed;
      const char* context;
      std::string* target;
    };
    const Field fields[] = {
        {r.buyer_name_sealed, kBuyerNameContext, b->mutable_name()},
        {r.buyer_phone_sealed, kBuyerPhoneContext, b->mutable_phone()},
        {r.buyer_address_sealed, kBuyerAddressContext, b->mutable_address()},
        {r.buyer_contact_ref_sealed, kBuyerContactRefContext, b->mutable_platform_contact_ref()},
    };
    for (const Field& f : fields) {
      if (f.sealed.empty()) continue;
      absl::StatusOr<std::string> plain = cipher.Decrypt(f.sealed, f.context);
      if (!plain.ok()) return absl::InternalError("a buyer contact field cannot be decrypted");
      *f.target = *std::move(plain);
    }
  } else {
    b->set_name(r.buyer_name_masked);
    b->set_phone(r.buyer_phone_masked);
    b->set_address(r.buyer_address_sealed.empty() ? "" : "****");
  }
  out->mutable_goods_total()->set_fen(r.goods_total_fen);
  out->mutable_shipping_fee()->set_fen(r.shipping_fee_fen);
  out->mutable_total()->set_fen(r.goods_total_fen + r.shipping_fee_fen);
  out->set_reservation_id(r.reservation_id);
  out->set_stock_status(r.stock_status);
  if (r.pay_us) *out->mutable_pay_time() = Ts(*r.pay_us);
  out->set_cancel_reason(r.cancel_reason);
  *out->mutable_create_time() = Ts(r.create_us);
  *out->mutable_update_time() = Ts(r.update_us);
  out->set_shipping_held(r.shipping_held);
  return absl::OkStatus();
}

void AuditShippingView(Tx& tx, const std::string& order_id, const std::string& principal_id,
                       int role, const std::string& trace_id, int64_t now_us) {
  tx.Execute(kAuditShippingView, NewId(absl::FromUnixMicros(now_us)), order_id, principal_id, role,
             trace_id, now_us);
}

}  // namespace cooplink::orders
