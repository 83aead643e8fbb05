// The stock saga (stock_rules.h): each step starts from the order as stored (read, or as the
// previous transaction wrote it), makes ONE call to catalog outside any transaction, then records
// the outcome in a transaction that first checks the order's stock is still where the step found
// it (stock status and attempt under the row lock); if another runner (the call that recorded the
// order, the recovery job on another replica) got there first, the outcome is dropped — every
// catalog call is idempotent by an id derived from the order, so the two runners made the same
// call and catalog kept one effect.
#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/log.h"
#include "services/common/status.h"
#include "services/orders/after_sale_store.h"
#include "services/orders/lifecycle.h"
#include "services/orders/orders.h"
#include "services/orders/stock_rules.h"

namespace cooplink::orders {
namespace {

// Steps one AdvanceStock call may take (reserve anew, then commit, is the longest chain).
constexpr int kMaxSteps = 4;
constexpr char kOwnPrefix[] = "ord-";

CallContext JobContext() {
  Principal p;
  p.id = "orders-jobs";
  p.role = Role::kPlatformAdmin;
  return CallContext::Internal(std::move(p));
}

std::vector<catalog::v1::ReservationLine> ReservationLines(const OrderRow& row) {
  std::map<std::string, int64_t> by_product;
  std::vector<catalog::v1::ReservationLine> out;
  for (const LineRow& l : row.lines) {
    if (by_product.find(l.product_id) == by_product.end()) {
      out.emplace_back().set_product_id(l.product_id);
    }
    by_product[l.product_id] += l.quantity;
  }
  for (auto& line : out) line.set_quantity(by_product[line.product_id()]);
  return out;
}

// Where one step leaves the order's stock.
struct StepOutcome {
  v1::OrderStockStatus status = v1::ORDER_STOCK_STATUS_UNSPECIFIED;
  std::string reservation_id;
  int attempt = 0;
};

}  // namespace

absl::StatusOr<OrderRow> Orders::AdvanceStock(const CallContext& call, const std::string& order_id,
                                              std::optional<OrderRow> as_written) {
  // The row as the caller's transaction or the previous step's recording wrote it (no need to
  // read it again); empty when another runner moved the order first.
  std::optional<OrderRow> recorded_row = std::move(as_written);
  for (int step_no = 0;; ++step_no) {
    std::optional<OrderRow> row = std::move(recorded_row);
    recorded_row.reset();
    if (!row) {
      if (absl::Status s = db_->Read([&](Tx& tx) {
            row = LoadOrder(tx, order_id, /*for_update=*/false);
            return absl::OkStatus();
          });
          !s.ok()) {
        return s;
      }
    }
    if (!row) return NotFound("order", order_id);
    const StockStep step = NextStockStep(row->state, row->stock_status);
    if (step == StockStep::kNone && row->stock_due_us.has_value()) {
      // A due time left behind by a writer that moved the stock to where no step is needed (e.g.
      // a SHORT order cancelled: RELEASED): cleared, or the recovery job would pick the order
      // again on every round (and DrainInBatches spin on a batch of them).
      return ClearStaleStockDue(order_id);
    }
    if (step == StockStep::kNone || step_no == kMaxSteps) return *row;
    // A SHORT order is retried once per call; this call already tried it.
    if (step_no > 0 && row->stock_status == v1::ORDER_STOCK_STATUS_SHORT) return *row;

    StepOutcome next{row->stock_status, row->reservation_id, row->stock_attempt};
    absl::Status failure;
    switch (step) {
      case StockStep::kReserve: {
        const std::string id = ReservationIdFor(row->id, row->stock_attempt);
        auto r = catalog_->Reserve(call, id, row->partner_id, ReservationLines(*row),
                                   settings_.reservation_ttl);
        if (r.ok()) {
          if (r->state() == catalog::v1::RESERVATION_STATE_HELD ||
              r->state() == catalog::v1::RESERVATION_STATE_COMMITTED) {
            next = {r->state() == catalog::v1::RESERVATION_STATE_HELD
                        ? v1::ORDER_STOCK_STATUS_RESERVED
                        : v1::ORDER_STOCK_STATUS_COMMITTED,
                    id, row->stock_attempt};
          } else {  // this attempt's hold lapsed before it was recorded: a new attempt
            next = {v1::ORDER_STOCK_STATUS_PENDING, "", row->stock_attempt + 1};
          }
        } else if (ClassifyStockFailure(step, r.status()) == StockFailure::kShort) {
          next = {v1::ORDER_STOCK_STATUS_SHORT, "", row->stock_attempt};
        } else {
          failure = r.status();
        }
        break;
      }
      case StockStep::kCommit: {
        auto r = catalog_->Commit(call, row->reservation_id, CommitRequestId(row->reservation_id));
        if (r.ok()) {
          next.status = v1::ORDER_STOCK_STATUS_COMMITTED;
        } else if (ClassifyStockFailure(step, r.status()) == StockFailure::kHoldLapsed) {
          // Paid after the hold expired: reserve anew (then commit), or SHORT.
          next = {v1::ORDER_STOCK_STATUS_PENDING, "", row->stock_attempt + 1};
        } else {
          failure = r.status();
        }
        break;
      }
      case StockStep::kRelease: {
        const std::string id = row->reservation_id.empty()
                                   ? ReservationIdFor(row->id, row->stock_attempt)
                                   : row->reservation_id;
        auto r = catalog_->Release(call, id, ReleaseRequestId(id));
        const StockFailure f =
            r.ok() ? StockFailure::kGone : ClassifyStockFailure(step, r.status());
        if (r.ok() || f == StockFailure::kGone) {
          next.status = v1::ORDER_STOCK_STATUS_RELEASED;
        } else if (f == StockFailure::kCommitted) {
          next = {v1::ORDER_STOCK_STATUS_COMMITTED, id, row->stock_attempt};  // return it next
        } else {
          failure = r.status();
        }
        break;
      }
      case StockStep::kReturn: {
        int index = 0;
        for (const auto& line : ReservationLines(*row)) {
          failure = catalog_->ReturnStock(call, line.product_id(), line.quantity(),
                                          ReturnRequestId(row->id, index++),
                                          absl::StrCat("order ", row->id, " cancelled"));
          if (!failure.ok()) break;
        }
        if (failure.ok()) next.status = v1::ORDER_STOCK_STATUS_RELEASED;
        break;
      }
      case StockStep::kNone:
        break;
    }

    // Record the outcome (or, after a failure, when the step is due again).
    const v1::OrderStockStatus seen_status = row->stock_status;
    const int seen_attempt = row->stock_attempt;
    absl::Status recorded = db_->Transact([&](Tx& tx) -> absl::Status {
      if (settings_.fault_before_record_for_test) {
        if (absl::Status s = settings_.fault_before_record_for_test(step); !s.ok()) return s;
      }
      recorded_row.reset();  // the body may run again after a conflict
      const absl::Time now = clock_->Now();
      std::optional<OrderRow> locked = LoadOrder(tx, order_id, /*for_update=*/true);
      if (!locked || locked->stock_status != seen_status || locked->stock_attempt != seen_attempt) {
        return absl::OkStatus();  // another runner moved it first; look again
      }
      OrderRow& r = *locked;
      if (!failure.ok()) {
        r.stock_due_us = ToMicros(now + settings_.stock_step_grace);
        UpdateOrder(tx, r, /*lines_changed=*/false);
        return absl::OkStatus();
      }
      r.stock_status = next.status;
      r.reservation_id = next.reservation_id;
      r.stock_attempt = next.attempt;
      r.update_us = ToMicros(now);
      const StockStep then = NextStockStep(r.state, r.stock_status);
      r.stock_due_us.reset();
      if (then != StockStep::kNone) {
        r.stock_due_us = ToMicros(now + (r.stock_status == v1::ORDER_STOCK_STATUS_SHORT
                                             ? settings_.stock_retry_interval
                                             : settings_.stock_step_grace));
      }
      UpdateOrder(tx, r, /*lines_changed=*/false);
      if (absl::Status s = AppendStepEvents(tx, r, /*created=*/false, {}, *cipher_, now); !s.ok()) {
        return s;
      }
      recorded_row = r;
      return absl::OkStatus();
    });
    if (!recorded.ok()) {
      recorded_row.reset();
      return recorded;
    }
    if (!failure.ok()) return failure;
    if (next.status == v1::ORDER_STOCK_STATUS_SHORT) {
      step_no = kMaxSteps - 1;  // read it once more and stop: SHORT waits for its retry
    }
  }
}

absl::StatusOr<OrderRow> Orders::ClearStaleStockDue(const std::string& order_id) {
  std::optional<OrderRow> row;
  if (absl::Status s = db_->Transact([&](Tx& tx) {
        row = LoadOrder(tx, order_id, /*for_update=*/true);
        if (row && row->stock_due_us.has_value() &&
            NextStockStep(row->state, row->stock_status) == StockStep::kNone) {
          row->stock_due_us.reset();
          UpdateOrder(tx, *row, /*lines_changed=*/false);
        }
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (!row) return NotFound("order", order_id);
  return *row;
}

absl::StatusOr<int> Orders::RecoverStock(int limit) {
  std::vector<std::string> due;
  if (absl::Status s = db_->Read([&](Tx& tx) {
        due = OrdersWithStockDue(tx, ToMicros(clock_->Now()), limit);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  const CallContext call = JobContext();
  for (const std::string& id : due) {
    absl::StatusOr<OrderRow> advanced = AdvanceStock(call, id);
    if (!advanced.ok()) {
      LogWarn("stock recovery step failed",
              {{"order_id", id}, {"error", advanced.status().ToString()}});
    }
  }
  // Returns whose RETURN stock movements a failure left due.
  std::vector<std::string> restocks;
  if (absl::Status s = db_->Read([&](Tx& tx) {
        restocks = AfterSalesWithRestockDue(tx, limit);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  size_t restocked = 0;
  for (const std::string& id : restocks) {
    if (absl::Status s = FinishRestock(call, id); !s.ok()) {
      LogWarn("restock recovery failed", {{"after_sale_id", id}, {"error", s.ToString()}});
    } else {
      ++restocked;
    }
  }
  // A failed restock stays due with no later due time (the next round picks it first again), so
  // only finished ones count: a full batch of failures (catalog unreachable) must not make
  // DrainInBatches run again at once, and again, until catalog is back. A failed stock step was
  // given a later due time and is not picked again this round.
  return static_cast<int>(std::max(due.size(), restocked));
}

absl::StatusOr<int> Orders::ReleaseOrphanReservations() {
  const CallContext call = JobContext();
  auto held = catalog_->ListHeldReservations(call, kOwnPrefix);
  if (!held.ok()) return held.status();
  const absl::Time now = clock_->Now();
  int released = 0;
  for (const catalog::v1::Reservation& r : *held) {
    const absl::Time created = absl::FromUnixSeconds(r.create_time().seconds());
    if (now - created < settings_.orphan_grace) continue;
    const std::optional<std::string> order_id = OrderIdOfReservation(r.id());
    if (!order_id) continue;  // not one of ours: a partner's reservation named "ord-..."
    std::optional<OrderRow> order;
    if (absl::Status s = db_->Read([&](Tx& tx) {
          order = LoadOrder(tx, *order_id, /*for_update=*/false);
          return absl::OkStatus();
        });
        !s.ok()) {
      return s;
    }
    if (order && order->partner_id != r.partner_id()) continue;  // another partner's id
    const bool stands = order && order->state != v1::ORDER_STATE_CANCELLED &&
                        ((order->stock_status == v1::ORDER_STOCK_STATUS_RESERVED &&
                          order->reservation_id == r.id()) ||
                         (order->stock_status == v1::ORDER_STOCK_STATUS_PENDING &&
                          ReservationIdFor(order->id, order->stock_attempt) == r.id()));
    if (stands) continue;
    auto result = catalog_->Release(call, r.id(), ReleaseRequestId(r.id()));
    if (result.ok()) {
      ++released;
    } else if (ReasonOf(result.status()) != "RESERVATION_COMMITTED") {
      LogWarn("orphan reservation release failed",
              {{"reservation_id", r.id()}, {"error", result.status().ToString()}});
    }
  }
  return released;
}

}  // namespace cooplink::orders
