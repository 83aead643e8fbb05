// Lots and stock: recording harvest lots (each a RESTOCK movement), manual adjustments, reads.
//
// Every change of a stock row is a conditional UPDATE whose affected-row count is checked (never
// read-then-write); the table's CHECKs are only the last line of defence. Lock order in every
// writing transaction of this file and reservations.cc: reservation row, stock rows (by product
// id), lots; changes go to the lock-free change inbox (AppendChanges).
#include <cppconn/resultset.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/catalog/catalog.h"
#include "services/catalog/internal.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

constexpr int64_t kMaxLotQuantity = 1000000000;
constexpr int64_t kMaxDelta = 1000000000;
constexpr size_t kMaxLotCode = 40;
constexpr size_t kMaxNote = 200;

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
constexpr const char* kAdjustLot =
    "UPDATE lots SET remaining = remaining + ? WHERE id = ? AND product_id = ? "
    "AND remaining + ? >= 0";
constexpr const char* kLotExists = "SELECT 1 FROM lots WHERE id = ? AND product_id = ?";
constexpr const char* kLotCodeTaken = "SELECT 1 FROM lots WHERE product_id = ? AND lot_code = ?";
constexpr const char* kInsertLot =
    "INSERT INTO lots (id, product_id, cooperative_id, lot_code, harvest_date, quantity, "
    "remaining, created_by, create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kLotColumns =
    "SELECT id, product_id, cooperative_id, lot_code, DATE_FORMAT(harvest_date, '%Y-%m-%d') AS "
    "harvest_date, quantity, created_by, create_time_us FROM lots ";
const std::string kSelectLot = absl::StrCat(kLotColumns, "WHERE id = ?");
const std::string kListLots =
    absl::StrCat(kLotColumns, "WHERE product_id = ? AND id > ? ORDER BY id LIMIT ?");
constexpr const char* kInsertMovement =
    "INSERT INTO stock_movements (id, product_id, lot_id, delta, reason, note, actor, "
    "create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

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

bool IsLotCode(const std::string& code) {
  if (code.empty() || code.size() > kMaxLotCode) return false;
  for (char c : code) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

// Reads the product (outside any transaction) and the caller's relation to it, so that
// membership is asked before a transaction opens.
absl::Status ProductAndRelation(Database& db, MembershipDirectory& directory, const CallContext& call,
                                const std::string& product_id, v1::Product* product,
                                Relation* relation) {
  if (auto s = db.Read([&](Tx& tx) { return LoadProduct(tx, product_id, false, product); });
      !s.ok()) {
    return s;
  }
  auto r = RelationTo(call, product->cooperative_id(), product->household_id(), directory);
  if (!r.ok()) return r.status();
  *relation = *r;
  return absl::OkStatus();
}

absl::Status NotArchived(const v1::Product& product) {
  if (product.state() == v1::PRODUCT_STATE_ARCHIVED) {
    return FailedPrecondition("INVALID_STATE_TRANSITION", "the product is ARCHIVED");
  }
  return absl::OkStatus();
}

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

}  // namespace

absl::Status Catalog::CreateLot(const CallContext& call, const v1::CreateLotRequest& req, v1::Lot* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "CreateLot", req);
  if (!key.ok()) return key.status();
  const v1::Lot& lot = req.lot();
  FieldViolations v;
  CheckId(v, "lot.product_id", lot.product_id());
  const std::string code = Trimmed(lot.lot_code());
  if (!IsLotCode(code)) v.Add("lot.lot_code", "required: 1-40 characters of A-Z a-z 0-9 _ -");
  const auto harvest = CheckDate(v, "lot.harvest_date", lot.harvest_date());
  if (harvest && *harvest > Today(clock_->Now())) {
    v.Add("lot.harvest_date", "must not be in the future");
  }
  if (lot.quantity() < 1 || lot.quantity() > kMaxLotQuantity) {
    v.Add("lot.quantity", "must be 1..1000000000");
  }
  if (!v.empty()) return v.ToStatus();

  v1::Product product;
  Relation relation = Relation::kNone;
  if (auto s = ProductAndRelation(*db_, *directory_, call, lot.product_id(), &product, &relation);
      !s.ok()) {
    return s;
  }
  if (auto s = RequireRelation(relation,
                               {Relation::kPlatformAdmin, Relation::kCooperativeAdmin,
                                Relation::kProducerMember},
                               product.id());
      !s.ok()) {
    return s;
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Product current;
    if (auto s = LoadProduct(tx, product.id(), false, &current); !s.ok()) return s;
    if (auto s = NotArchived(current); !s.ok()) return s;
    if (tx.Query(kLotCodeTaken, product.id(), code)->next()) {
      return WithReason(absl::AlreadyExistsError(absl::StrCat("lot code '", code,
                                                              "' already exists for the product")),
                        "ALREADY_EXISTS");
    }
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    const std::string id = NewId(now_time);
    tx.Execute(kAddOnHand, product.id(), lot.quantity(), now, lot.quantity(), now);
    tx.ExecuteParams(kInsertLot, {Param(id), Param(product.id()), Param(product.cooperative_id()),
                                  Param(code), Param(CivilToSql(*harvest)), Param(lot.quantity()),
                                  Param(lot.quantity()), Param(p.id), Param(now)});
    tx.ExecuteParams(kInsertMovement,
                     {Param(NewId(now_time)), Param(product.id()), Param(id), Param(lot.quantity()),
                      Param(static_cast<int>(v1::STOCK_ADJUSTMENT_REASON_RESTOCK)),
                      Param(absl::StrCat("lot ", code)), Param(p.id), Param(now)});
    auto rs = tx.Query(kSelectLot, id);
    rs->next();
    LotFromRow(*rs, out);
    AppendChanges(tx, {ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, current)}, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListLots(const CallContext& call, const v1::ListLotsRequest& req,
                               v1::ListLotsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "product_id", req.product_id());
  if (!v.empty()) return v.ToStatus();
  auto page = ParsePage(req.page_size(), req.page_token(), req.product_id());
  if (!page.ok()) return page.status();

  v1::Product product;
  Relation relation = Relation::kNone;
  if (auto s = ProductAndRelation(*db_, *directory_, call, req.product_id(), &product, &relation);
      !s.ok()) {
    return s;
  }
  if (auto s = RequireRelation(relation,
                               {Relation::kPlatformAdmin, Relation::kAssignedWorker,
                                Relation::kCooperativeAdmin, Relation::kProducerMember},
                               product.id());
      !s.ok()) {
    return s;
  }
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.Query(kListLots, product.id(), page->after, static_cast<int64_t>(page->size + 1));
    FillPage(*rs, *page, product.id(), out->mutable_lots(), out->mutable_next_page_token(),
             LotFromRow);
    return absl::OkStatus();
  });
}

absl::Status Catalog::AdjustStock(const CallContext& call, const v1::AdjustStockRequest& req,
                                  v1::Stock* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "AdjustStock", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "product_id", req.product_id());
  if (!req.lot_id().empty()) CheckId(v, "lot_id", req.lot_id());
  const int64_t delta = req.delta();
  if (delta == 0 || delta < -kMaxDelta || delta > kMaxDelta) {
    v.Add("delta", "must be non-zero, -1000000000..1000000000");
  }
  const v1::StockAdjustmentReason reason = req.reason();
  if (!v1::StockAdjustmentReason_IsValid(reason) ||
      reason == v1::STOCK_ADJUSTMENT_REASON_UNSPECIFIED) {
    v.Add("reason", "required: RESTOCK, CORRECTION, SPOILAGE or RETURN");
  } else if (delta != 0) {
    if ((reason == v1::STOCK_ADJUSTMENT_REASON_RESTOCK ||
         reason == v1::STOCK_ADJUSTMENT_REASON_RETURN) &&
        delta < 0) {
      v.Add("delta", "must be positive for RESTOCK and RETURN");
    } else if (reason == v1::STOCK_ADJUSTMENT_REASON_SPOILAGE && delta > 0) {
      v.Add("delta", "must be negative for SPOILAGE");
    }
  }
  const std::string note = CheckText(v, "note", req.note(), kMaxNote,
                                     /*required=*/reason == v1::STOCK_ADJUSTMENT_REASON_CORRECTION);
  if (!v.empty()) return v.ToStatus();

  v1::Product product;
  Relation relation = Relation::kNone;
  if (auto s = ProductAndRelation(*db_, *directory_, call, req.product_id(), &product, &relation);
      !s.ok()) {
    return s;
  }
  if (auto s = RequireRelation(relation, {Relation::kPlatformAdmin, Relation::kCooperativeAdmin},
                               product.id());
      !s.ok()) {
    return s;
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Product current;
    if (auto s = LoadProduct(tx, product.id(), false, &current); !s.ok()) return s;
    if (auto s = NotArchived(current); !s.ok()) return s;
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    if (delta > 0) {
      tx.Execute(kAddOnHand, product.id(), delta, now, delta, now);
    } else if (tx.Execute(kRemoveOnHand, -delta, now, product.id(), -delta) != 1) {
      return FailedPrecondition("INSUFFICIENT_STOCK",
                                "removing this quantity would leave less on hand than is reserved");
    }
    if (!req.lot_id().empty() &&
        tx.Execute(kAdjustLot, delta, req.lot_id(), product.id(), delta) != 1) {
      if (!tx.Query(kLotExists, req.lot_id(), product.id())->next()) {
        return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                                  "lot_id names no lot of this product");
      }
      return FailedPrecondition("INSUFFICIENT_STOCK",
                                "the lot has less remaining than the quantity removed");
    }
    tx.ExecuteParams(kInsertMovement,
                     {Param(NewId(now_time)), Param(product.id()),
                      req.lot_id().empty() ? SqlParam(nullptr) : Param(req.lot_id()), Param(delta),
                      Param(static_cast<int>(reason)), Param(note), Param(p.id), Param(now)});
    LoadStock(tx, current, out);
    AppendChanges(tx, {ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, current)}, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::GetStock(const CallContext& call, const v1::GetStockRequest& req, v1::Stock* out) {
  const Principal& p = call.principal();
  FieldViolations v;
  CheckId(v, "product_id", req.product_id());
  if (!v.empty()) return v.ToStatus();
  v1::Product product;
  Relation relation = Relation::kNone;
  if (auto s = ProductAndRelation(*db_, *directory_, call, req.product_id(), &product, &relation);
      !s.ok()) {
    return s;
  }
  if (relation == Relation::kNone) return NotFound("product", product.id());
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (relation == Relation::kPartner && !PartnerSeesProduct(tx, p.partner_id, product.id())) {
      return NotFound("product", product.id());
    }
    LoadStock(tx, product, out);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog
