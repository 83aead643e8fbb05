#include "services/catalog/stock_store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "services/common/fields.h"

namespace cooplink::catalog {
namespace {

constexpr const char* kSelectStock =
    "SELECT on_hand, reserved, update_time_us FROM stock WHERE product_id = ?";
// Adds (positive) units, creating the row on first use.
constexpr const char* kAddOnHand =
    "INSERT INTO stock (product_id, on_hand, reserved, update_time_us) VALUES (?, ?, 0, ?) "
    "ON DUPLICATE KEY UPDATE on_hand = on_hand + ?, update_time_us = ?";
// Removes units only while available (on_hand - reserved) stays >= 0.
constexpr const char* kRemoveOnHand =
    "UPDATE stock SET on_hand = on_hand - ?, update_time_us = ? "
    "WHERE product_id = ? AND on_hand - reserved >= ?";
constexpr const char* kReserve =
    "UPDATE stock SET reserved = reserved + ?, update_time_us = ? "
    "WHERE product_id = ? AND on_hand - reserved >= ?";
constexpr const char* kUnreserve =
    "UPDATE stock SET reserved = reserved - ?, update_time_us = ? "
    "WHERE product_id = ? AND reserved >= ?";
constexpr const char* kConsume =
    "UPDATE stock SET on_hand = on_hand - ?, reserved = reserved - ?, update_time_us = ? "
    "WHERE product_id = ? AND reserved >= ? AND on_hand >= ?";
constexpr const char* kAvailable =
    "SELECT on_hand - reserved AS available FROM stock WHERE product_id = ? FOR UPDATE";

constexpr const char* kAdjustLot =
    "UPDATE lots SET remaining = remaining + ? WHERE id = ? AND product_id = ? "
    "AND remaining + ? >= 0";
constexpr const char* kLotRemaining = "SELECT remaining FROM lots WHERE id = ? AND product_id = ?";
constexpr const char* kLotCodeTaken = "SELECT 1 FROM lots WHERE product_id = ? AND lot_code = ?";
constexpr const char* kInsertLot =
    "INSERT INTO lots (id, product_id, cooperative_id, lot_code, harvest_date, quantity, "
    "remaining, created_by, create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define COOPLINK_LOT_SELECT                                                                    \
  "SELECT id, product_id, cooperative_id, lot_code, DATE_FORMAT(harvest_date, '%Y-%m-%d') AS " \
  "harvest_date, quantity, created_by, create_time_us FROM lots "
constexpr const char* kSelectLot = COOPLINK_LOT_SELECT "WHERE id = ?";
constexpr const char* kListLots =
    COOPLINK_LOT_SELECT "WHERE product_id = ? AND id > ? ORDER BY id LIMIT ?";
#undef COOPLINK_LOT_SELECT
// FIFO: oldest harvest first.
constexpr const char* kLotsFifo =
    "SELECT id, remaining FROM lots WHERE product_id = ? AND remaining > 0 "
    "ORDER BY harvest_date, id FOR UPDATE";
constexpr const char* kConsumeLot =
    "UPDATE lots SET remaining = remaining - ? WHERE id = ? AND remaining >= ?";

constexpr const char* kInsertMovement =
    "INSERT INTO stock_movements (id, product_id, lot_id, delta, reason, note, actor, "
    "create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

}  // namespace

void LoadStock(Tx& tx, const v1::Product& product, v1::Stock* out) {
  out->Clear();
  out->set_product_id(product.id());
  auto rs = tx.Query(kSelectStock, product.id());
  if (rs->next()) {
    out->set_on_hand(rs->getInt64("on_hand"));
    out->set_reserved(rs->getInt64("reserved"));
    *out->mutable_update_time() = ToTimestamp(rs->getInt64("update_time_us"));
  } else {
    *out->mutable_update_time() = product.create_time();  // never stocked
  }
  out->set_available(out->on_hand() - out->reserved());
}

void AddOnHand(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us) {
  tx.Execute(kAddOnHand, product_id, quantity, now_us, quantity, now_us);
}

bool RemoveOnHand(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us) {
  return tx.Execute(kRemoveOnHand, quantity, now_us, product_id, quantity) == 1;
}

bool Reserve(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us) {
  return tx.Execute(kReserve, quantity, now_us, product_id, quantity) == 1;
}

int64_t LockedAvailable(Tx& tx, const std::string& product_id) {
  auto rs = tx.Query(kAvailable, product_id);
  return rs->next() ? rs->getInt64("available") : 0;
}

bool Unreserve(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us) {
  return tx.Execute(kUnreserve, quantity, now_us, product_id, quantity) == 1;
}

bool ConsumeReserved(Tx& tx, const std::string& product_id, int64_t quantity, int64_t now_us) {
  return tx.Execute(kConsume, quantity, quantity, now_us, product_id, quantity, quantity) == 1;
}

bool LotCodeTaken(Tx& tx, const std::string& product_id, const std::string& code) {
  return tx.Query(kLotCodeTaken, product_id, code)->next();
}

void InsertLot(Tx& tx, const std::string& id, const v1::Product& product, const std::string& code,
               absl::CivilDay harvest, int64_t quantity, const std::string& actor, int64_t now_us) {
  tx.ExecuteParams(kInsertLot, {Param(id), Param(product.id()), Param(product.cooperative_id()),
                                Param(code), Param(CivilToSql(harvest)), Param(quantity),
                                Param(quantity), Param(actor), Param(now_us)});
}

void LoadLot(Tx& tx, const std::string& id, v1::Lot* out) {
  auto rs = tx.Query(kSelectLot, id);
  rs->next();
  LotFromRow(*rs, out);
}

std::unique_ptr<sql::ResultSet> SelectLots(Tx& tx, const std::string& product_id,
                                           const PageRequest& page) {
  return tx.Query(kListLots, product_id, page.after, static_cast<int64_t>(page.size + 1));
}

void LotFromRow(sql::ResultSet& rs, v1::Lot* out) {
  out->set_id(rs.getString("id"));
  out->set_product_id(rs.getString("product_id"));
  out->set_cooperative_id(rs.getString("cooperative_id"));
  out->set_lot_code(rs.getString("lot_code"));
  *out->mutable_harvest_date() = DateFromSql(std::string(rs.getString("harvest_date")));
  out->set_quantity(rs.getInt64("quantity"));
  out->set_created_by(rs.getString("created_by"));
  *out->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
}

bool AdjustLot(Tx& tx, const std::string& lot_id, const std::string& product_id, int64_t delta) {
  return tx.Execute(kAdjustLot, delta, lot_id, product_id, delta) == 1;
}

std::optional<int64_t> LotRemaining(Tx& tx, const std::string& lot_id,
                                    const std::string& product_id) {
  auto rs = tx.Query(kLotRemaining, lot_id, product_id);
  if (!rs->next()) return std::nullopt;
  return rs->getInt64("remaining");
}

bool DrawFromLots(Tx& tx, const std::string& product_id, int64_t quantity) {
  std::vector<std::pair<std::string, int64_t>> lots;
  {
    auto rs = tx.Query(kLotsFifo, product_id);
    while (rs->next()) lots.emplace_back(rs->getString("id"), rs->getInt64("remaining"));
  }
  int64_t left = quantity;
  for (const auto& [lot_id, remaining] : lots) {
    if (left == 0) break;
    const int64_t take = std::min(left, remaining);
    if (tx.Execute(kConsumeLot, take, lot_id, take) != 1) return false;
    left -= take;
  }
  return true;
}

void InsertMovement(Tx& tx, const std::string& id, const std::string& product_id,
                    const std::optional<std::string>& lot_id, int64_t delta,
                    v1::StockAdjustmentReason reason, const std::string& note,
                    const std::string& actor, int64_t now_us) {
  tx.ExecuteParams(kInsertMovement,
                   {Param(id), Param(product_id), Param(lot_id), Param(delta),
                    Param(static_cast<int>(reason)), Param(note), Param(actor), Param(now_us)});
}

}  // namespace cooplink::catalog
