// Lots and stock: recording harvest lots (each a RESTOCK movement), manual adjustments, reads.
// Rules in stock_rules.h, SQL in stock_store.h.
//
// Lock order in every writing transaction of this file and reservations.cc: reservation row,
// stock rows (by product id), lots; changes go to the outbox (AppendChanges).
#include <optional>

#include "absl/strings/str_cat.h"
#include "services/catalog/access.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/products_store.h"
#include "services/catalog/stock_rules.h"
#include "services/catalog/stock_store.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

// Reads the product (outside any transaction) and the caller's relation to it, so that
// membership is asked before a transaction opens.
absl::Status ProductAndRelation(Database& db, MembershipDirectory& directory,
                                const CallContext& call, const std::string& product_id,
                                v1::Product* product, Relation* relation) {
  if (auto s = db.Read([&](Tx& tx) { return LoadProduct(tx, product_id, false, product); });
      !s.ok()) {
    return s;
  }
  auto r = RelationTo(call, product->cooperative_id(), product->household_id(), directory);
  if (!r.ok()) return r.status();
  *relation = *r;
  return absl::OkStatus();
}

// Who may record lots: the cooperative's managers and the producing member.
constexpr Relation kLotRecorders[] = {Relation::kPlatformAdmin, Relation::kCooperativeAdmin,
                                      Relation::kProducerMember};

}  // namespace

absl::Status Catalog::CreateLot(const CallContext& call, const v1::CreateLotRequest& req,
                                v1::Lot* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "CreateLot", req);
  if (!key.ok()) return key.status();
  const v1::Lot& lot = req.lot();
  FieldViolations v;
  const std::optional<ValidLot> valid = ValidateLot(v, lot, Today(clock_->Now()));
  if (!v.empty()) return v.ToStatus();

  v1::Product product;
  Relation relation = Relation::kNone;
  if (auto s = ProductAndRelation(*db_, *directory_, call, lot.product_id(), &product, &relation);
      !s.ok()) {
    return s;
  }
  if (auto s = RequireRelation(relation, kLotRecorders, product.id()); !s.ok()) return s;

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Product current;
    if (auto s = LoadProduct(tx, product.id(), false, &current); !s.ok()) return s;
    if (auto s = CheckTakesStock(current); !s.ok()) return s;
    if (LotCodeTaken(tx, product.id(), valid->code)) {
      return WithReason(absl::AlreadyExistsError(absl::StrCat("lot code '", valid->code,
                                                              "' already exists for the product")),
                        "ALREADY_EXISTS");
    }
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    const std::string id = NewId(now_time);
    AddOnHand(tx, product.id(), lot.quantity(), now);
    InsertLot(tx, id, product, valid->code, valid->harvest, lot.quantity(), p.id, now);
    InsertMovement(tx, NewId(now_time), product.id(), id, lot.quantity(),
                   v1::STOCK_ADJUSTMENT_REASON_RESTOCK, absl::StrCat("lot ", valid->code), p.id,
                   now);
    LoadLot(tx, id, out);
    AppendChanges(tx, {ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, current)}, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListLots(const CallContext& call, const v1::ListLotsRequest& req,
                               v1::ListLotsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(
          p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin, Role::kMember});
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
  if (auto s = RequireRelation(relation, kStaffRelations, product.id()); !s.ok()) return s;
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = SelectLots(tx, product.id(), *page);
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
  const std::string note = ValidateAdjustment(v, req);
  if (!v.empty()) return v.ToStatus();
  const int64_t delta = req.delta();

  v1::Product product;
  Relation relation = Relation::kNone;
  if (auto s = ProductAndRelation(*db_, *directory_, call, req.product_id(), &product, &relation);
      !s.ok()) {
    return s;
  }
  if (auto s = RequireRelation(relation, kManagerRelations, product.id()); !s.ok()) return s;

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Product current;
    if (auto s = LoadProduct(tx, product.id(), false, &current); !s.ok()) return s;
    if (auto s = CheckTakesStock(current); !s.ok()) return s;
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    if (delta > 0) {
      AddOnHand(tx, product.id(), delta, now);
    } else if (!RemoveOnHand(tx, product.id(), -delta, now)) {
      return InsufficientStock({{product.id(), -delta, LockedAvailable(tx, product.id())}});
    }
    if (!req.lot_id().empty() && !AdjustLot(tx, req.lot_id(), product.id(), delta)) {
      const std::optional<int64_t> remaining = LotRemaining(tx, req.lot_id(), product.id());
      if (!remaining) {
        return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                                  "lot_id names no lot of this product");
      }
      return InsufficientLot(req.lot_id(), -delta, *remaining);
    }
    InsertMovement(tx, NewId(now_time), product.id(),
                   req.lot_id().empty() ? std::nullopt : std::optional<std::string>(req.lot_id()),
                   delta, req.reason(), note, p.id, now);
    LoadStock(tx, current, out);
    AppendChanges(tx, {ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, current)}, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::GetStock(const CallContext& call, const v1::GetStockRequest& req,
                               v1::Stock* out) {
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
