#include "services/orders/fulfilment_store.h"

#include "absl/time/time.h"
#include "services/common/fields.h"
#include "services/common/ids.h"

namespace cooplink::orders {
namespace {

constexpr const char* kSelectFulfilments =
    "SELECT id, order_id, cooperative_id, state, shipment_id, pack_time_us, create_time_us, "
    "update_time_us FROM fulfilments WHERE order_id = ? ORDER BY id";
constexpr const char* kSelectFulfilmentsForUpdate =
    "SELECT id, order_id, cooperative_id, state, shipment_id, pack_time_us, create_time_us, "
    "update_time_us FROM fulfilments WHERE order_id = ? ORDER BY id FOR UPDATE";
constexpr const char* kInsertFulfilment =
    "INSERT INTO fulfilments (id, order_id, cooperative_id, state, shipment_id, pack_time_us, "
    "create_time_us, update_time_us) VALUES (?, ?, ?, ?, '', NULL, ?, ?)";
constexpr const char* kUpdateFulfilment =
    "UPDATE fulfilments SET state = ?, shipment_id = ?, pack_time_us = ?, update_time_us = ? "
    "WHERE id = ?";

constexpr const char* kFulfilmentOrder = "SELECT order_id FROM fulfilments WHERE id = ?";
constexpr const char* kFulfilmentOfCooperative =
    "SELECT 1 FROM fulfilments WHERE order_id = ? AND cooperative_id = ?";
constexpr const char* kListHead =
    "SELECT f.id, f.order_id, f.cooperative_id, f.state, f.shipment_id, f.pack_time_us, "
    "f.create_time_us, f.update_time_us FROM fulfilments f";

#define COOPLINK_SHIPMENT_COLUMNS                                                       \
  "id, order_id, fulfilment_id, cooperative_id, carrier_code, tracking_number, state, " \
  "ship_time_us, delivery_time_us"
constexpr const char* kInsertShipment =
    "INSERT INTO shipments (" COOPLINK_SHIPMENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)";
constexpr const char* kSelectShipment =
    "SELECT " COOPLINK_SHIPMENT_COLUMNS " FROM shipments WHERE id = ?";
constexpr const char* kSelectShipmentForUpdate =
    "SELECT " COOPLINK_SHIPMENT_COLUMNS " FROM shipments WHERE id = ? FOR UPDATE";
constexpr const char* kSelectShipmentsOfOrder =
    "SELECT " COOPLINK_SHIPMENT_COLUMNS " FROM shipments WHERE order_id = ? ORDER BY id";
constexpr const char* kSelectShipmentsOfOrderForUpdate =
    "SELECT " COOPLINK_SHIPMENT_COLUMNS " FROM shipments WHERE order_id = ? ORDER BY id FOR UPDATE";
#undef COOPLINK_SHIPMENT_COLUMNS
constexpr const char* kDeliverShipment =
    "UPDATE shipments SET state = ?, delivery_time_us = ? WHERE id = ?";

constexpr int kToPack = v1::FULFILMENT_STATE_TO_PACK;
constexpr int kDelivered = v1::SHIPMENT_STATE_DELIVERED;

v1::Fulfilment FulfilmentFrom(sql::ResultSet& rs) {
  v1::Fulfilment f;
  f.set_id(rs.getString("id"));
  f.set_order_id(rs.getString("order_id"));
  f.set_cooperative_id(rs.getString("cooperative_id"));
  f.set_state(static_cast<v1::FulfilmentState>(rs.getInt("state")));
  f.set_shipment_id(rs.getString("shipment_id"));
  if (!rs.isNull("pack_time_us")) *f.mutable_pack_time() = ToTimestamp(rs.getInt64("pack_time_us"));
  *f.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *f.mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
  return f;
}

v1::Shipment ShipmentFrom(sql::ResultSet& rs) {
  v1::Shipment s;
  s.set_id(rs.getString("id"));
  s.set_order_id(rs.getString("order_id"));
  s.set_fulfilment_id(rs.getString("fulfilment_id"));
  s.set_cooperative_id(rs.getString("cooperative_id"));
  s.set_carrier_code(rs.getString("carrier_code"));
  s.set_tracking_number(rs.getString("tracking_number"));
  s.set_state(static_cast<v1::ShipmentState>(rs.getInt("state")));
  *s.mutable_ship_time() = ToTimestamp(rs.getInt64("ship_time_us"));
  if (!rs.isNull("delivery_time_us")) {
    *s.mutable_delivery_time() = ToTimestamp(rs.getInt64("delivery_time_us"));
  }
  return s;
}

}  // namespace

void FillFulfilmentLines(const OrderRow& order, v1::Fulfilment* f) {
  f->clear_lines();
  for (const LineRow& l : order.lines) {
    if (l.cooperative_id != f->cooperative_id()) continue;
    v1::FulfilmentLine* line = f->add_lines();
    line->set_external_line_id(l.external_line_id);
    line->set_product_id(l.product_id);
    line->set_quantity(l.quantity);
    line->set_required_weight_grams(l.unit_weight_grams * l.quantity);
    line->set_packed_weight_grams(l.packed_weight_grams);
  }
}

std::vector<v1::Fulfilment> LoadFulfilments(Tx& tx, const OrderRow& order, bool for_update) {
  std::vector<v1::Fulfilment> out;
  auto rs = tx.Query(for_update ? kSelectFulfilmentsForUpdate : kSelectFulfilments, order.id);
  while (rs->next()) {
    v1::Fulfilment f = FulfilmentFrom(*rs);
    FillFulfilmentLines(order, &f);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<v1::Fulfilment> CreateFulfilments(Tx& tx, const OrderRow& order, int64_t now_us,
                                              bool new_order) {
  std::vector<v1::Fulfilment> existing;
  if (!new_order) existing = LoadFulfilments(tx, order, /*for_update=*/true);
  std::vector<v1::Fulfilment> created;
  for (const std::string& coop : order.Cooperatives()) {
    bool has = false;
    for (const v1::Fulfilment& f : existing) has = has || f.cooperative_id() == coop;
    if (has) continue;
    v1::Fulfilment f;
    f.set_id(NewId(absl::FromUnixMicros(now_us)));
    f.set_order_id(order.id);
    f.set_cooperative_id(coop);
    f.set_state(v1::FULFILMENT_STATE_TO_PACK);
    *f.mutable_create_time() = ToTimestamp(now_us);
    *f.mutable_update_time() = ToTimestamp(now_us);
    tx.Execute(kInsertFulfilment, f.id(), order.id, coop, kToPack, now_us, now_us);
    FillFulfilmentLines(order, &f);
    created.push_back(std::move(f));
  }
  return created;
}

std::vector<v1::Fulfilment> CancelFulfilments(Tx& tx, const OrderRow& order, int64_t now_us) {
  std::vector<v1::Fulfilment> changed;
  for (v1::Fulfilment& f : LoadFulfilments(tx, order, /*for_update=*/true)) {
    if (f.state() != v1::FULFILMENT_STATE_TO_PACK && f.state() != v1::FULFILMENT_STATE_PACKED) {
      continue;
    }
    f.set_state(v1::FULFILMENT_STATE_CANCELLED);
    *f.mutable_update_time() = ToTimestamp(now_us);
    UpdateFulfilment(tx, f, now_us);
    changed.push_back(std::move(f));
  }
  return changed;
}

void UpdateFulfilment(Tx& tx, const v1::Fulfilment& f, int64_t now_us) {
  std::optional<int64_t> pack_us;
  if (f.has_pack_time()) pack_us = TimestampMicros(f.pack_time());
  tx.Execute(kUpdateFulfilment, static_cast<int>(f.state()), f.shipment_id(), pack_us, now_us,
             f.id());
}

const char* const kFulfilmentListHead = kListHead;

std::vector<v1::Fulfilment> LoadFulfilmentList(Tx& tx, const SqlQuery& query) {
  std::vector<v1::Fulfilment> out;
  auto rs = tx.QueryParams(query.sql, query.params);
  while (rs->next()) out.push_back(FulfilmentFrom(*rs));
  return out;
}

bool HasFulfilmentOf(Tx& tx, const std::string& order_id, const std::string& cooperative_id) {
  return tx.Query(kFulfilmentOfCooperative, order_id, cooperative_id)->next();
}

std::string FulfilmentOrderId(Tx& tx, const std::string& fulfilment_id) {
  auto rs = tx.Query(kFulfilmentOrder, fulfilment_id);
  return rs->next() ? std::string(rs->getString("order_id")) : std::string();
}

void InsertShipment(Tx& tx, const v1::Shipment& s) {
  tx.Execute(kInsertShipment, s.id(), s.order_id(), s.fulfilment_id(), s.cooperative_id(),
             s.carrier_code(), s.tracking_number(), static_cast<int>(s.state()),
             TimestampMicros(s.ship_time()));
}

std::optional<v1::Shipment> LoadShipment(Tx& tx, const std::string& id, bool for_update) {
  auto rs = tx.Query(for_update ? kSelectShipmentForUpdate : kSelectShipment, id);
  if (!rs->next()) return std::nullopt;
  return ShipmentFrom(*rs);
}

std::vector<v1::Shipment> LoadShipments(Tx& tx, const std::string& order_id, bool for_update) {
  std::vector<v1::Shipment> out;
  auto rs =
      tx.Query(for_update ? kSelectShipmentsOfOrderForUpdate : kSelectShipmentsOfOrder, order_id);
  while (rs->next()) out.push_back(ShipmentFrom(*rs));
  return out;
}

void MarkShipmentDelivered(Tx& tx, const std::string& id, int64_t delivery_us) {
  tx.Execute(kDeliverShipment, kDelivered, delivery_us, id);
}

}  // namespace cooplink::orders
