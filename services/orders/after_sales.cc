// After-sales: refund and return requests kept as their own record. Created by the partner, the
// cooperative or a platform admin for the lines of one cooperative; approved or rejected by
// whichever side decides the partner's refunds (Partner.refund_decider, asked from membership
// before the transaction); completed when the refund is paid (with restock, the returned units go
// back into catalog stock after the transaction, finished by the stock recovery job after a
// failure); closed when the buyer or the platform withdraws it. A refund completed on a settled
// order writes a reversal settlement in the same transaction.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/db_errors.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/log.h"
#include "services/common/paging.h"
#include "services/common/status.h"
#include "services/orders/after_sale_rules.h"
#include "services/orders/after_sale_store.h"
#include "services/orders/event_log.h"
#include "services/orders/lifecycle.h"
#include "services/orders/order_access.h"
#include "services/orders/orders.h"
#include "services/orders/orders_limits.h"

namespace cooplink::orders {
namespace {

constexpr const char* kWhereAfter = " WHERE a.id > ?";
constexpr const char* kFilterCooperative = " AND a.cooperative_id = ?";
constexpr const char* kFilterCooperativesIn = " AND a.cooperative_id IN ";
constexpr const char* kFilterOrder = " AND a.order_id = ?";
constexpr const char* kFilterPartner = " AND a.partner_id = ?";
constexpr const char* kFilterState = " AND a.state = ?";
constexpr const char* kOrderById = " ORDER BY a.id LIMIT ?";

std::string RestockRequestId(const std::string& after_sale_id, int line) {
  return absl::StrCat("as-", after_sale_id, "-", line);
}

const LineRow* FindLine(const OrderRow& order, const std::string& external_line_id) {
  for (const LineRow& l : order.lines) {
    if (l.external_line_id == external_line_id) return &l;
  }
  return nullptr;
}

absl::Status AppendAfterSaleEvent(Tx& tx, const OrderRow& order, const ChangedParts& changed,
                                  const PiiCipher& cipher, absl::Time now) {
  v1::Order masked;
  if (absl::Status s = OrderToProto(order, BuyerView::kMasked, cipher, &masked); !s.ok()) return s;
  for (const v1::AfterSale& a : changed.after_sales) {
    EventParts parts;
    parts.after_sale = &a;
    AppendOrderEvent(tx, v1::ORDER_EVENT_KIND_AFTER_SALE_CHANGED, masked, now, parts);
  }
  for (const v1::Settlement& s : changed.settlements) AppendSettlement(tx, masked, s, now);
  return absl::OkStatus();
}

}  // namespace

absl::Status Orders::CreateAfterSale(const CallContext& call, const v1::CreateAfterSaleRequest& req,
                                     v1::AfterSale* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto key = MakeIdempotencyKey(call.principal(), "CreateAfterSale", req);
  if (!key.ok()) return key.status();
  const v1::AfterSale& in = req.after_sale();
  FieldViolations v;
  CheckId(v, "after_sale.order_id", in.order_id());
  const std::string external = CheckText(v, "after_sale.external_after_sale_id",
                                         in.external_after_sale_id(), kExternalAfterSaleId);
  if (in.kind() == v1::AFTER_SALE_KIND_UNSPECIFIED || !v1::AfterSaleKind_IsValid(in.kind())) {
    v.Add("after_sale.kind", "required: REFUND_ONLY or RETURN_AND_REFUND");
  }
  const std::string reason = CheckText(v, "after_sale.reason", in.reason(), kAfterSaleReason);
  std::set<std::string> seen;
  if (CheckCount(v, "after_sale.lines", in.lines_size(), kAfterSaleLines)) {
    for (int i = 0; i < in.lines_size(); ++i) {
      const v1::AfterSaleLine& l = in.lines(i);
      const std::string at = absl::StrCat("after_sale.lines[", i, "]");
      if (l.external_line_id().empty()) {
        v.Add(at + ".external_line_id", "required");
      } else if (!seen.insert(l.external_line_id()).second) {
        v.Add(at + ".external_line_id", "at most one entry per order line");
      }
      if (l.quantity() < 0) v.Add(at + ".quantity", "must be 0 or more");
      if (in.kind() == v1::AFTER_SALE_KIND_REFUND_ONLY && l.quantity() != 0) {
        v.Add(at + ".quantity", "must be 0 for a refund only");
      }
      CheckFen(v, at + ".refund", l.has_refund(), l.refund(), kAfterSaleRefund);
    }
  }
  if (!v.empty()) return v.ToStatus();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const int64_t now_us = ToMicros(now);
    std::optional<OrderRow> row = LoadOrder(tx, in.order_id(), /*for_update=*/true);
    if (!row) return NotFound("order", in.order_id());
    const OrderRelation relation = RelationToOrder(*scope, row->partner_id, row->Cooperatives());
    const OrderRelation allowed[] = {OrderRelation::kPlatformAdmin, OrderRelation::kPartner,
                                     OrderRelation::kCooperativeAdmin};
    if (absl::Status s = RequireOrderRelation(relation, allowed, "order", row->id); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckOrderAcceptsAfterSale(row->state); !s.ok()) return s;
    // Every line the order's, all of one cooperative, quantities within the line.
    FieldViolations lines;
    std::string coop;
    for (int i = 0; i < in.lines_size(); ++i) {
      const std::string at = absl::StrCat("after_sale.lines[", i, "]");
      const LineRow* l = FindLine(*row, in.lines(i).external_line_id());
      if (l == nullptr) {
        lines.Add(at + ".external_line_id", "not a line of the order");
        continue;
      }
      if (coop.empty()) coop = l->cooperative_id;
      if (l->cooperative_id != coop) {
        lines.Add(at + ".external_line_id", "all lines must belong to one cooperative");
      }
      if (in.lines(i).quantity() > l->quantity) {
        lines.Add(at + ".quantity", "must not exceed the line's quantity");
      }
    }
    if (!lines.empty()) return lines.ToStatus();
    if (relation == OrderRelation::kCooperativeAdmin && coop != call.principal().cooperative_id) {
      return PermissionDenied("ROLE_NOT_ALLOWED",
                              "a cooperative opens after-sales for its own lines only");
    }
    if (!external.empty() && ExternalAfterSaleExists(tx, row->id, external)) {
      return WithReason(absl::AlreadyExistsError(
                            "an after-sale with this external_after_sale_id exists for the order"),
                        "ALREADY_EXISTS");
    }
    const std::map<std::string, int64_t> counted = CountedRefunds(LoadOrderAfterSales(tx, row->id));
    v1::AfterSale a;
    for (int i = 0; i < in.lines_size(); ++i) {
      const LineRow* l = FindLine(*row, in.lines(i).external_line_id());
      auto it = counted.find(l->external_line_id);
      if (absl::Status s = CheckRefundWithinPaid(
              absl::StrCat("after_sale.lines[", i, "].refund"), l->external_line_id,
              l->line_total_fen, it == counted.end() ? 0 : it->second, in.lines(i).refund().fen());
          !s.ok()) {
        return s;
      }
      *a.add_lines() = in.lines(i);
      a.mutable_refund_total()->set_fen(a.refund_total().fen() + in.lines(i).refund().fen());
    }
    a.set_id(NewId(now));
    a.set_order_id(row->id);
    a.set_partner_id(row->partner_id);
    a.set_cooperative_id(coop);
    a.set_external_after_sale_id(external);
    a.set_kind(in.kind());
    a.set_reason(reason);
    a.set_state(v1::AFTER_SALE_STATE_REQUESTED);
    *a.mutable_create_time() = ToTimestamp(now_us);
    *a.mutable_update_time() = ToTimestamp(now_us);
    InsertAfterSale(tx, a, kRestockNone);
    ChangedParts changed;
    changed.after_sales.push_back(a);
    if (absl::Status s = AppendAfterSaleEvent(tx, *row, changed, *cipher_, now); !s.ok()) return s;
    *out = a;
    return absl::OkStatus();
  });
}

// Approve, reject, complete and close share one shape: the decider from membership first, then
// one transaction that locks the order, then the after-sale.
absl::Status Orders::DecideAfterSale(const CallContext& call, AfterSaleAction action,
                                     const IdempotencyKey& key, const std::string& after_sale_id,
                                     const std::string& text, bool restock, v1::AfterSale* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  std::optional<v1::AfterSale> seen;
  if (absl::Status s = db_->Read([&](Tx& tx) {
        seen = LoadAfterSale(tx, after_sale_id, /*for_update=*/false);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (!seen ||
      RelationToPart(*scope, seen->partner_id(), seen->cooperative_id()) == OrderRelation::kNone) {
    return NotFound("after-sale", after_sale_id);
  }
  const Principal& p = call.principal();
  AfterSaleActor actor = AfterSaleActor::kPlatformAdmin;
  common::v1::RefundDecider decider = common::v1::REFUND_DECIDER_PLATFORM;
  if (p.is(Role::kPartner)) {
    actor = AfterSaleActor::kPartner;
  } else if (p.is(Role::kCooperativeAdmin)) {
    actor = AfterSaleActor::kCooperative;
  } else if (!p.is(Role::kPlatformAdmin)) {
    return PermissionDenied("ROLE_NOT_ALLOWED", "social workers read after-sales only");
  }
  if (actor != AfterSaleActor::kPlatformAdmin) {
    absl::StatusOr<PartnerInfo> partner = directory_->GetPartner(call, seen->partner_id());
    if (!partner.ok()) return partner.status();
    decider = partner->refund_decider;
  }
  if (absl::Status s = CheckDecider(decider, action, actor); !s.ok()) return s;
  if (restock && seen->kind() != v1::AFTER_SALE_KIND_RETURN_AND_REFUND) {
    return InvalidField("restock", "must be false for a refund only");
  }
  bool restock_due = false;
  OrderRow order;
  absl::Status status = RunIdempotent(*db_, *clock_, key, out, [&](Tx& tx) -> absl::Status {
    restock_due = false;
    const absl::Time now = clock_->Now();
    const int64_t now_us = ToMicros(now);
    std::optional<OrderRow> row = LoadOrder(tx, seen->order_id(), /*for_update=*/true);
    std::optional<v1::AfterSale> a = LoadAfterSale(tx, after_sale_id, /*for_update=*/true);
    if (!row || !a) return NotFound("after-sale", after_sale_id);
    if (action == AfterSaleAction::kClose && a->state() == v1::AFTER_SALE_STATE_CLOSED) {
      *out = *a;  // closed before: unchanged
      return absl::OkStatus();
    }
    auto next = NextAfterSaleState(action, a->state());
    if (!next.ok()) return next.status();
    a->set_state(*next);
    *a->mutable_update_time() = ToTimestamp(now_us);
    if (action == AfterSaleAction::kApprove || action == AfterSaleAction::kReject) {
      a->set_decided_by(p.id);
    }
    if (action == AfterSaleAction::kReject) a->set_reject_reason(text);
    if (action == AfterSaleAction::kClose) a->set_close_reason(text);
    int restock_state = RestockState(tx, a->id());
    ChangedParts changed;
    if (action == AfterSaleAction::kComplete) {
      if (restock) {
        restock_state = kRestockDue;
        restock_due = true;
      }
      if (row->state == v1::ORDER_STATE_COMPLETED) {
        auto reversal = ReverseRefund(tx, *row, *a, now_us);
        if (!reversal.ok()) return reversal.status();
        if (*reversal) changed.settlements.push_back(**reversal);
      }
    }
    UpdateAfterSale(tx, *a, restock_state);
    changed.after_sales.push_back(*a);
    if (absl::Status s = AppendAfterSaleEvent(tx, *row, changed, *cipher_, now); !s.ok()) return s;
    order = *row;
    *out = *a;
    return absl::OkStatus();
  });
  if (!status.ok() || !restock_due) return status;
  // The returned goods back into stock, after the transaction; the job retries a failure.
  if (absl::Status s = FinishRestock(call, after_sale_id); !s.ok()) {
    LogWarn("restock left to the recovery job",
            {{"after_sale_id", after_sale_id}, {"error", s.ToString()}});
    return absl::OkStatus();
  }
  out->set_restocked(true);
  return db_->Transact([&](Tx& tx) {
    StoreReply(tx, key, *out);
    return absl::OkStatus();
  });
}

absl::Status Orders::FinishRestock(const CallContext& call, const std::string& after_sale_id) {
  std::optional<v1::AfterSale> a;
  std::optional<OrderRow> order;
  int state = kRestockNone;
  if (absl::Status s = db_->Read([&](Tx& tx) {
        a = LoadAfterSale(tx, after_sale_id, false);
        state = RestockState(tx, after_sale_id);
        if (a) order = LoadOrder(tx, a->order_id(), false);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (!a || !order || state != kRestockDue) return absl::OkStatus();
  for (int i = 0; i < a->lines_size(); ++i) {
    const v1::AfterSaleLine& l = a->lines(i);
    const LineRow* line = FindLine(*order, l.external_line_id());
    if (line == nullptr || l.quantity() == 0) continue;
    if (absl::Status s = catalog_->ReturnStock(call, line->product_id, l.quantity(),
                                               RestockRequestId(a->id(), i),
                                               absl::StrCat("returned: after-sale ", a->id()));
        !s.ok()) {
      return s;
    }
  }
  return db_->Transact([&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    std::optional<OrderRow> row = LoadOrder(tx, order->id, /*for_update=*/true);
    std::optional<v1::AfterSale> locked = LoadAfterSale(tx, after_sale_id, /*for_update=*/true);
    if (!row || !locked || RestockState(tx, after_sale_id) != kRestockDue) {
      return absl::OkStatus();
    }
    *locked->mutable_update_time() = ToTimestamp(ToMicros(now));
    UpdateAfterSale(tx, *locked, kRestockDone);
    locked->set_restocked(true);
    ChangedParts changed;
    changed.after_sales.push_back(*locked);
    return AppendAfterSaleEvent(tx, *row, changed, *cipher_, now);
  });
}

absl::Status Orders::ApproveAfterSale(const CallContext& call,
                                      const v1::ApproveAfterSaleRequest& req, v1::AfterSale* out) {
  auto key = MakeIdempotencyKey(call.principal(), "ApproveAfterSale", req);
  if (!key.ok()) return key.status();
  if (!LooksLikeId(req.after_sale_id())) return InvalidField("after_sale_id", "required: an id");
  return DecideAfterSale(call, AfterSaleAction::kApprove, *key, req.after_sale_id(), "", false,
                         out);
}

absl::Status Orders::RejectAfterSale(const CallContext& call, const v1::RejectAfterSaleRequest& req,
                                     v1::AfterSale* out) {
  auto key = MakeIdempotencyKey(call.principal(), "RejectAfterSale", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "after_sale_id", req.after_sale_id());
  const std::string reason = CheckText(v, "reason", req.reason(), kRejectReason);
  if (!v.empty()) return v.ToStatus();
  return DecideAfterSale(call, AfterSaleAction::kReject, *key, req.after_sale_id(), reason, false,
                         out);
}

absl::Status Orders::CompleteAfterSale(const CallContext& call,
                                       const v1::CompleteAfterSaleRequest& req,
                                       v1::AfterSale* out) {
  auto key = MakeIdempotencyKey(call.principal(), "CompleteAfterSale", req);
  if (!key.ok()) return key.status();
  if (!LooksLikeId(req.after_sale_id())) return InvalidField("after_sale_id", "required: an id");
  return DecideAfterSale(call, AfterSaleAction::kComplete, *key, req.after_sale_id(), "",
                         req.restock(), out);
}

absl::Status Orders::CloseAfterSale(const CallContext& call, const v1::CloseAfterSaleRequest& req,
                                    v1::AfterSale* out) {
  auto key = MakeIdempotencyKey(call.principal(), "CloseAfterSale", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "after_sale_id", req.after_sale_id());
  const std::string reason = CheckText(v, "reason", req.reason(), kCloseReason);
  if (!v.empty()) return v.ToStatus();
  return DecideAfterSale(call, AfterSaleAction::kClose, *key, req.after_sale_id(), reason, false,
                         out);
}

absl::Status Orders::ListAfterSales(const CallContext& call, const v1::ListAfterSalesRequest& req,
                                    v1::ListAfterSalesResponse* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  if (!req.order_id().empty()) CheckId(v, "order_id", req.order_id());
  if (!req.cooperative_id().empty()) CheckId(v, "cooperative_id", req.cooperative_id());
  if (!v1::AfterSaleState_IsValid(req.state())) v.Add("state", "must be a defined state");
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat("after_sales|", req.order_id(), "|", req.cooperative_id(), "|", req.state());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  SqlQuery q{kAfterSaleListHead, {}};
  q.Add(kWhereAfter, page->after);
  if (!AppendPartScope(*scope, {kFilterPartner, kFilterCooperative, kFilterCooperativesIn}, &q)) {
    return absl::OkStatus();
  }
  if (!req.order_id().empty()) q.Add(kFilterOrder, req.order_id());
  if (!req.cooperative_id().empty()) q.Add(kFilterCooperative, req.cooperative_id());
  if (req.state() != v1::AFTER_SALE_STATE_UNSPECIFIED) {
    q.Add(kFilterState, static_cast<int64_t>(req.state()));
  }
  q.sql += kOrderById;
  q.params.emplace_back(std::in_place_type<int64_t>, page->size + 1);
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::AfterSale> rows = LoadAfterSaleList(tx, q);
    out->set_next_page_token(
        TrimToPage(rows, *page, filters, [](const v1::AfterSale& a) { return a.id(); }));
    for (v1::AfterSale& a : rows) *out->add_after_sales() = std::move(a);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::orders
