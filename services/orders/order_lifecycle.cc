// The order's own lifecycle RPCs and job: CancelOrder (then the stock step that releases or
// returns the goods), CompleteOrder (with its settlements) and automatic completion once the
// return window has passed.
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/log.h"
#include "services/common/status.h"
#include "services/orders/lifecycle.h"
#include "services/orders/order_access.h"
#include "services/orders/orders.h"
#include "services/orders/orders_limits.h"
#include "services/orders/stock_rules.h"

namespace cooplink::orders {
namespace {

CallContext CompletionContext() {
  Principal p;
  p.id = "orders-jobs";
  p.role = Role::kPlatformAdmin;
  return CallContext::Internal(std::move(p));
}

std::optional<absl::Time> At(std::optional<int64_t> us) {
  if (!us) return std::nullopt;
  return absl::FromUnixMicros(*us);
}

}  // namespace

absl::Status Orders::CancelOrder(const CallContext& call, const v1::CancelOrderRequest& req,
                                 v1::Order* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto key = MakeIdempotencyKey(call.principal(), "CancelOrder", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "order_id", req.order_id());
  const std::string reason = CheckText(v, "reason", req.reason(), kCancelReason);
  if (!v.empty()) return v.ToStatus();
  if (auto replay = ReplayIfSeen(*db_, *key, out); !replay.ok() || *replay) {
    return replay.status();
  }
  OrderRow after;
  absl::Status status = RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const int64_t now_us = ToMicros(now);
    std::optional<OrderRow> row = LoadOrder(tx, req.order_id(), /*for_update=*/true);
    if (!row) return NotFound("order", req.order_id());
    const std::vector<std::string> coops = row->Cooperatives();
    const OrderRelation relation = RelationToOrder(*scope, row->partner_id, coops);
    if (absl::Status s = RequireOrderRelation(relation, kOrderReaders, "order", row->id); !s.ok()) {
      return s;
    }
    const bool coop_owns_all = relation == OrderRelation::kCooperativeAdmin && coops.size() == 1;
    if (relation == OrderRelation::kAssignedWorker ||
        (relation == OrderRelation::kCooperativeAdmin && !coop_owns_all)) {
      return PermissionDenied("ROLE_NOT_ALLOWED",
                              "a cooperative cancels only orders whose every line is its own");
    }
    auto next = NextOrderState(OrderAction::kCancel, row->state, {});
    if (!next.ok()) return next.status();
    ChangedParts changed;
    CancelOrderRow(tx, *row, reason, now_us, &changed);
    row->stock_due_us.reset();
    if (NextStockStep(row->state, row->stock_status) != StockStep::kNone) {
      row->stock_due_us = ToMicros(now + settings_.stock_step_grace);
    }
    UpdateOrder(tx, *row, /*lines_changed=*/false);
    if (absl::Status s = AppendStepEvents(tx, *row, false, changed, *cipher_, now); !s.ok()) {
      return s;
    }
    after = *row;
    return OrderToProto(*row, BuyerView::kMasked, *cipher_, out);
  });
  if (!status.ok()) return status;
  if (NextStockStep(after.state, after.stock_status) == StockStep::kNone) return status;
  // Release or return the goods now; after a failure the recovery job finishes it.
  absl::StatusOr<OrderRow> advanced = AdvanceStock(call, after.id);
  if (!advanced.ok()) return absl::OkStatus();
  if (absl::Status s = OrderToProto(*advanced, BuyerView::kMasked, *cipher_, out); !s.ok()) {
    return s;
  }
  return db_->Transact([&](Tx& tx) {
    StoreReply(tx, *key, *out);
    return absl::OkStatus();
  });
}

absl::Status Orders::CompleteOrder(const CallContext& call, const v1::CompleteOrderRequest& req,
                                   v1::Order* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto key = MakeIdempotencyKey(call.principal(), "CompleteOrder", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "order_id", req.order_id());
  if (!v.empty()) return v.ToStatus();
  // The rates come from membership before the transaction; they are read for the order as it is
  // now (its cooperatives never change once it is paid).
  std::optional<OrderRow> seen;
  if (absl::Status s = db_->Read([&](Tx& tx) {
        seen = LoadOrder(tx, req.order_id(), /*for_update=*/false);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (!seen ||
      RelationToOrder(*scope, seen->partner_id, seen->Cooperatives()) == OrderRelation::kNone) {
    return NotFound("order", req.order_id());
  }
  absl::StatusOr<SettlementTerms> terms =
      LoadSettlementTerms(call, *directory_, seen->partner_id, seen->Cooperatives());
  if (!terms.ok()) return terms.status();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const int64_t now_us = ToMicros(now);
    std::optional<OrderRow> row = LoadOrder(tx, req.order_id(), /*for_update=*/true);
    if (!row) return NotFound("order", req.order_id());
    if (absl::Status s =
            RequireOrderRelation(RelationToOrder(*scope, row->partner_id, row->Cooperatives()),
                                 kOrderReporters, "order", row->id);
        !s.ok()) {
      return s;
    }
    OrderFacts facts;
    facts.open_after_sales = HasOpenAfterSales(tx, row->id);
    auto next = NextOrderState(OrderAction::kComplete, row->state, facts);
    if (!next.ok()) return next.status();
    ChangedParts changed;
    if (absl::Status s = CompleteAndSettle(tx, *row, *terms, now_us, &changed); !s.ok()) return s;
    UpdateOrder(tx, *row, /*lines_changed=*/false);
    if (absl::Status s = AppendStepEvents(tx, *row, false, changed, *cipher_, now); !s.ok()) {
      return s;
    }
    return OrderToProto(*row, BuyerView::kMasked, *cipher_, out);
  });
}

absl::StatusOr<int> Orders::CompleteDueOrders(int limit) {
  const absl::Time now = clock_->Now();
  std::vector<std::string> due;
  if (absl::Status s = db_->Read([&](Tx& tx) {
        due = OrdersWithCompletionDue(tx, ToMicros(now), limit);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  const CallContext call = CompletionContext();
  int completed = 0;
  for (const std::string& id : due) {
    std::optional<OrderRow> seen;
    if (absl::Status s = db_->Read([&](Tx& tx) {
          seen = LoadOrder(tx, id, /*for_update=*/false);
          return absl::OkStatus();
        });
        !s.ok()) {
      return s;
    }
    if (!seen) continue;
    absl::StatusOr<SettlementTerms> terms =
        LoadSettlementTerms(call, *directory_, seen->partner_id, seen->Cooperatives());
    if (!terms.ok()) {
      LogWarn("automatic completion waits for membership",
              {{"order_id", id}, {"error", terms.status().ToString()}});
      continue;
    }
    bool done = false;
    absl::Status status = db_->Transact([&](Tx& tx) -> absl::Status {
      done = false;
      const absl::Time at = clock_->Now();
      const int64_t at_us = ToMicros(at);
      std::optional<OrderRow> row = LoadOrder(tx, id, /*for_update=*/true);
      if (!row || !row->complete_due_us || *row->complete_due_us > at_us) return absl::OkStatus();
      OrderFacts facts;
      facts.open_after_sales = HasOpenAfterSales(tx, id);
      if (!IsAutoCompletionDue(row->state, At(row->last_ship_us), At(row->delivery_us), facts,
                               settings_.completion, at)) {
        // An open after-sale holds completion: look again later (its close reschedules nothing,
        // so the job keeps looking, at most once per return window).
        row->complete_due_us = at_us + absl::ToInt64Microseconds(absl::Hours(1));
        UpdateOrder(tx, *row, /*lines_changed=*/false);
        return absl::OkStatus();
      }
      ChangedParts changed;
      if (absl::Status s = CompleteAndSettle(tx, *row, *terms, at_us, &changed); !s.ok()) return s;
      UpdateOrder(tx, *row, /*lines_changed=*/false);
      done = true;
      return AppendStepEvents(tx, *row, false, changed, *cipher_, at);
    });
    if (!status.ok()) return status;
    if (done) ++completed;
  }
  return completed;
}

}  // namespace cooplink::orders
