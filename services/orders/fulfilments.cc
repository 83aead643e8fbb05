// Fulfilments and shipments: the cooperative packs (recording the net weight of goods sold by
// weight) and ships its part of an order; deliveries roll up into the order's state and schedule
// its automatic completion. Every write locks the order row first, then its fulfilments and
// shipments (order_store.h lock order), and appends the events in the same transaction.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/common/status.h"
#include "services/orders/fulfilment_rules.h"
#include "services/orders/fulfilment_store.h"
#include "services/orders/lifecycle.h"
#include "services/orders/order_access.h"
#include "services/orders/orders.h"
#include "services/orders/orders_limits.h"
#include "services/orders/platform_vocabulary.h"

namespace cooplink::orders {
namespace {

constexpr const char* kWhereAfter = " WHERE f.id > ?";
constexpr const char* kFilterCooperative = " AND f.cooperative_id = ?";
constexpr const char* kFilterCooperativesIn = " AND f.cooperative_id IN ";
constexpr const char* kFilterOrder = " AND f.order_id = ?";
constexpr const char* kFilterPartner =
    " AND f.order_id IN (SELECT id FROM orders WHERE partner_id = ?)";
constexpr const char* kFilterState = " AND f.state = ?";
constexpr const char* kOrderById = " ORDER BY f.id LIMIT ?";
constexpr const char* kOrdersIn = " WHERE o.id IN ";

bool CheckToken(FieldViolations& v, const std::string& field, const std::string& value,
                const FieldLimit& limit, bool (*allowed)(char), const char* alphabet) {
  bool ok = value.size() >= static_cast<size_t>(limit.min) &&
            value.size() <= static_cast<size_t>(limit.max);
  for (char c : value) ok = ok && allowed(c);
  if (!ok) v.Add(field, absl::StrCat("required: ", DescribeLimit(limit), " of ", alphabet));
  return ok;
}
bool CarrierChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
bool TrackingChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// The fulfilment `id` with its order, both locked, for a caller who packs or ships it: NOT_FOUND
// when it does not exist or is outside the caller's scope, PERMISSION_DENIED when the caller may
// see it but not handle it (kFulfillers).
struct LockedPart {
  OrderRow order;
  std::vector<v1::Fulfilment> fulfilments;
  v1::Fulfilment* fulfilment = nullptr;
};
absl::Status LockFulfilment(Tx& tx, const std::string& id, const OrderScope& scope,
                            LockedPart* part) {
  const std::string order_id = FulfilmentOrderId(tx, id);
  if (order_id.empty()) return NotFound("fulfilment", id);
  std::optional<OrderRow> order = LoadOrder(tx, order_id, /*for_update=*/true);
  if (!order) return NotFound("fulfilment", id);
  part->order = *std::move(order);
  part->fulfilments = LoadFulfilments(tx, part->order, /*for_update=*/true);
  for (v1::Fulfilment& f : part->fulfilments) {
    if (f.id() == id) part->fulfilment = &f;
  }
  if (part->fulfilment == nullptr) return NotFound("fulfilment", id);
  return RequireOrderRelation(
      RelationToPart(scope, part->order.partner_id, part->fulfilment->cooperative_id()),
      kFulfillers, "fulfilment", id);
}

std::vector<v1::FulfilmentState> StatesOf(const std::vector<v1::Fulfilment>& fulfilments) {
  std::vector<v1::FulfilmentState> states;
  for (const v1::Fulfilment& f : fulfilments) states.push_back(f.state());
  return states;
}

// After a fulfilment changed: the order's state rolls up, and its automatic completion is
// scheduled from the last shipment and the delivery.
absl::Status RollUpOrder(OrderRow& order, const std::vector<v1::Fulfilment>& fulfilments,
                         const CompletionWindows& windows, int64_t now_us) {
  absl::StatusOr<v1::OrderState> next = RollUp(order.state, StatesOf(fulfilments));
  if (!next.ok()) return next.status();
  order.state = *next;
  order.update_us = now_us;
  auto at = [](std::optional<int64_t> us) -> std::optional<absl::Time> {
    if (!us) return std::nullopt;
    return absl::FromUnixMicros(*us);
  };
  std::optional<absl::Time> due =
      AutoCompletionTime(order.state, at(order.last_ship_us), at(order.delivery_us), windows);
  order.complete_due_us.reset();
  if (due) order.complete_due_us = ToMicros(*due);
  return absl::OkStatus();
}

}  // namespace

absl::Status DeliverAll(Tx& tx, OrderRow& row, int64_t delivery_us,
                        const CompletionWindows& windows, int64_t now_us, ChangedParts* changed) {
  // The platform's time is its own clock's: like ConfirmDelivery, never before the last shipment
  // and never in the future.
  delivery_us = std::min(std::max(delivery_us, row.last_ship_us.value_or(delivery_us)), now_us);
  std::vector<v1::Fulfilment> fulfilments = LoadFulfilments(tx, row, /*for_update=*/true);
  for (v1::Shipment& s : LoadShipments(tx, row.id, /*for_update=*/true)) {
    if (s.state() != v1::SHIPMENT_STATE_DELIVERED) MarkShipmentDelivered(tx, s.id(), delivery_us);
  }
  for (v1::Fulfilment& f : fulfilments) {
    if (f.state() != v1::FULFILMENT_STATE_SHIPPED) continue;
    f.set_state(v1::FULFILMENT_STATE_DELIVERED);
    *f.mutable_update_time() = ToTimestamp(now_us);
    UpdateFulfilment(tx, f, now_us);
    changed->fulfilments.push_back(f);
  }
  row.delivery_us = delivery_us;
  return RollUpOrder(row, fulfilments, windows, now_us);
}

absl::Status Orders::ListFulfilments(const CallContext& call, const v1::ListFulfilmentsRequest& req,
                                     v1::ListFulfilmentsResponse* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  if (!req.cooperative_id().empty()) CheckId(v, "cooperative_id", req.cooperative_id());
  if (!req.order_id().empty()) CheckId(v, "order_id", req.order_id());
  if (!v1::FulfilmentState_IsValid(req.state())) v.Add("state", "must be a defined state");
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat("fulfilments|", req.cooperative_id(), "|", req.order_id(), "|", req.state());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  SqlQuery q{kFulfilmentListHead, {}};
  q.Add(kWhereAfter, page->after);
  if (!AppendPartScope(*scope, {kFilterPartner, kFilterCooperative, kFilterCooperativesIn}, &q)) {
    return absl::OkStatus();
  }
  if (!req.cooperative_id().empty()) q.Add(kFilterCooperative, req.cooperative_id());
  if (!req.order_id().empty()) q.Add(kFilterOrder, req.order_id());
  if (req.state() != v1::FULFILMENT_STATE_UNSPECIFIED) {
    q.Add(kFilterState, static_cast<int64_t>(req.state()));
  }
  q.sql += kOrderById;
  q.params.emplace_back(std::in_place_type<int64_t>, page->size + 1);
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::Fulfilment> rows = LoadFulfilmentList(tx, q);
    out->set_next_page_token(
        TrimToPage(rows, *page, filters, [](const v1::Fulfilment& f) { return f.id(); }));
    if (rows.empty()) return absl::OkStatus();
    std::vector<std::string> order_ids;
    for (const v1::Fulfilment& f : rows) order_ids.push_back(f.order_id());
    std::sort(order_ids.begin(), order_ids.end());
    order_ids.erase(std::unique(order_ids.begin(), order_ids.end()), order_ids.end());
    SqlQuery orders{kOrderListHead, {}};
    orders.sql += kOrdersIn;
    AppendInList(order_ids, &orders.sql, &orders.params);
    std::map<std::string, OrderRow> by_id;
    for (OrderRow& o : LoadOrderList(tx, orders)) by_id.emplace(o.id, std::move(o));
    for (v1::Fulfilment& f : rows) {
      auto it = by_id.find(f.order_id());
      if (it != by_id.end()) FillFulfilmentLines(it->second, &f);
      *out->add_fulfilments() = std::move(f);
    }
    return absl::OkStatus();
  });
}

absl::Status Orders::MarkFulfilmentPacked(const CallContext& call,
                                          const v1::MarkFulfilmentPackedRequest& req,
                                          v1::Fulfilment* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto key = MakeIdempotencyKey(call.principal(), "MarkFulfilmentPacked", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "fulfilment_id", req.fulfilment_id());
  std::map<std::string, int64_t> packed;
  for (int i = 0; i < req.packed_lines_size(); ++i) {
    const v1::PackedLine& l = req.packed_lines(i);
    const std::string at = absl::StrCat("packed_lines[", i, "]");
    if (l.external_line_id().empty()) v.Add(at + ".external_line_id", "required");
    CheckInteger(v, at + ".packed_weight_grams", l.packed_weight_grams(), kPackedWeightGrams);
    if (!packed.emplace(l.external_line_id(), l.packed_weight_grams()).second) {
      v.Add(at + ".external_line_id", "repeats another packed line");
    }
  }
  if (!v.empty()) return v.ToStatus();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const int64_t now_us = ToMicros(now);
    LockedPart part;
    if (absl::Status s = LockFulfilment(tx, req.fulfilment_id(), *scope, &part); !s.ok()) {
      return s;
    }
    v1::Fulfilment& f = *part.fulfilment;
    auto next = NextFulfilmentState(FulfilmentAction::kPack, f.state());
    if (!next.ok()) return next.status();
    if (absl::Status s = CheckOrderAllowsPacking(part.order.state, part.order.stock_status);
        !s.ok()) {
      return s;
    }
    // Every sold-by-weight line of the fulfilment weighed, no other line.
    FieldViolations weights;
    std::map<std::string, int64_t> unused = packed;
    for (int i = 0; i < f.lines_size(); ++i) {
      const v1::FulfilmentLine& l = f.lines(i);
      auto it = unused.find(l.external_line_id());
      if (l.required_weight_grams() == 0) continue;
      if (it == unused.end()) {
        weights.Add("packed_lines", absl::StrCat("line ", l.external_line_id(),
                                                 " is sold by weight: its packed weight is "
                                                 "required"));
        continue;
      }
      if (absl::Status s = CheckPackedWeight("packed_lines", l.external_line_id(),
                                             l.required_weight_grams(), it->second);
          !s.ok()) {
        return s;
      }
      unused.erase(it);
    }
    for (const auto& [line, grams] : unused) {
      weights.Add("packed_lines", absl::StrCat("line ", line,
                                               " is not a sold-by-weight line of this "
                                               "fulfilment"));
    }
    if (!weights.empty()) return weights.ToStatus();
    for (LineRow& l : part.order.lines) {
      auto it = packed.find(l.external_line_id);
      if (it == packed.end() || l.cooperative_id != f.cooperative_id()) continue;
      l.packed_weight_grams = it->second;
      SetPackedWeight(tx, part.order.id, l.external_line_id, it->second);
    }
    f.set_state(*next);
    *f.mutable_pack_time() = ToTimestamp(now_us);
    *f.mutable_update_time() = ToTimestamp(now_us);
    UpdateFulfilment(tx, f, now_us);
    FillFulfilmentLines(part.order, &f);
    ChangedParts changed;
    changed.fulfilments.push_back(f);
    part.order.update_us = now_us;
    UpdateOrder(tx, part.order, /*lines_changed=*/false);
    if (absl::Status s = AppendStepEvents(tx, part.order, false, changed, *cipher_, now); !s.ok()) {
      return s;
    }
    *out = f;
    return absl::OkStatus();
  });
}

absl::Status Orders::CreateShipment(const CallContext& call, const v1::CreateShipmentRequest& req,
                                    v1::Shipment* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto key = MakeIdempotencyKey(call.principal(), "CreateShipment", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  const v1::Shipment& in = req.shipment();
  CheckId(v, "shipment.fulfilment_id", in.fulfilment_id());
  if (CheckToken(v, "shipment.carrier_code", in.carrier_code(), kCarrierCode, CarrierChar,
                 "[A-Z0-9_]")) {
    const auto known = CanonicalCarriers();
    if (std::find(known.begin(), known.end(), in.carrier_code()) == known.end()) {
      v.Add("shipment.carrier_code",
            absl::StrCat("not a carrier of the carrier table (", absl::StrJoin(known, ", "), ")"));
    }
  }
  CheckToken(v, "shipment.tracking_number", in.tracking_number(), kTrackingNumber, TrackingChar,
             "[A-Za-z0-9-]");
  if (!v.empty()) return v.ToStatus();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const int64_t now_us = ToMicros(now);
    LockedPart part;
    if (absl::Status s = LockFulfilment(tx, in.fulfilment_id(), *scope, &part); !s.ok()) {
      return s;
    }
    v1::Fulfilment& f = *part.fulfilment;
    // The fulfilment's own state first: one already shipped is ALREADY_EXISTS (the proto), even
    // though its order no longer accepts shipping work.
    auto next = NextFulfilmentState(FulfilmentAction::kShip, f.state());
    if (!next.ok()) return next.status();
    if (absl::Status s = CheckOrderAllowsShipping(part.order.state, part.order.shipping_held);
        !s.ok()) {
      return s;
    }
    v1::Shipment shipment;
    shipment.set_id(NewId(now));
    shipment.set_order_id(part.order.id);
    shipment.set_fulfilment_id(f.id());
    shipment.set_cooperative_id(f.cooperative_id());
    shipment.set_carrier_code(in.carrier_code());
    shipment.set_tracking_number(in.tracking_number());
    shipment.set_state(v1::SHIPMENT_STATE_IN_TRANSIT);
    *shipment.mutable_ship_time() = ToTimestamp(now_us);
    InsertShipment(tx, shipment);
    f.set_state(*next);
    f.set_shipment_id(shipment.id());
    *f.mutable_update_time() = ToTimestamp(now_us);
    UpdateFulfilment(tx, f, now_us);
    part.order.last_ship_us = now_us;
    if (absl::Status s = RollUpOrder(part.order, part.fulfilments, settings_.completion, now_us);
        !s.ok()) {
      return s;
    }
    UpdateOrder(tx, part.order, /*lines_changed=*/false);
    ChangedParts changed;
    changed.fulfilments.push_back(f);
    if (absl::Status s = AppendStepEvents(tx, part.order, false, changed, *cipher_, now); !s.ok()) {
      return s;
    }
    *out = shipment;
    return absl::OkStatus();
  });
}

absl::Status Orders::ConfirmDelivery(const CallContext& call, const v1::ConfirmDeliveryRequest& req,
                                     v1::Shipment* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto key = MakeIdempotencyKey(call.principal(), "ConfirmDelivery", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "shipment_id", req.shipment_id());
  if (!v.empty()) return v.ToStatus();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const int64_t now_us = ToMicros(now);
    std::optional<v1::Shipment> seen = LoadShipment(tx, req.shipment_id(), false);
    if (!seen) return NotFound("shipment", req.shipment_id());
    std::optional<OrderRow> order = LoadOrder(tx, seen->order_id(), /*for_update=*/true);
    if (!order) return NotFound("shipment", req.shipment_id());
    std::optional<v1::Shipment> shipment = LoadShipment(tx, req.shipment_id(), true);
    const OrderRelation relation =
        RelationToPart(*scope, order->partner_id, shipment->cooperative_id());
    const OrderRelation allowed[] = {OrderRelation::kPlatformAdmin, OrderRelation::kPartner,
                                     OrderRelation::kCooperativeAdmin};
    if (absl::Status s = RequireOrderRelation(relation, allowed, "shipment", shipment->id());
        !s.ok()) {
      return s;
    }
    if (shipment->state() == v1::SHIPMENT_STATE_DELIVERED) {
      *out = *shipment;  // confirmed before: unchanged
      return absl::OkStatus();
    }
    const int64_t delivery_us =
        req.has_delivery_time() ? TimestampMicros(req.delivery_time()) : now_us;
    if (delivery_us > now_us) return InvalidField("delivery_time", "must not be in the future");
    if (delivery_us < TimestampMicros(shipment->ship_time())) {
      return InvalidField("delivery_time", "must not be before the shipment's ship_time");
    }
    std::vector<v1::Fulfilment> fulfilments = LoadFulfilments(tx, *order, /*for_update=*/true);
    ChangedParts changed;
    for (v1::Fulfilment& f : fulfilments) {
      if (f.id() != shipment->fulfilment_id()) continue;
      auto next = NextFulfilmentState(FulfilmentAction::kDeliver, f.state());
      if (!next.ok()) return next.status();
      f.set_state(*next);
      *f.mutable_update_time() = ToTimestamp(now_us);
      UpdateFulfilment(tx, f, now_us);
      changed.fulfilments.push_back(f);
    }
    MarkShipmentDelivered(tx, shipment->id(), delivery_us);
    shipment->set_state(v1::SHIPMENT_STATE_DELIVERED);
    *shipment->mutable_delivery_time() = ToTimestamp(delivery_us);
    order->delivery_us = std::max(order->delivery_us.value_or(0), delivery_us);
    if (absl::Status s = RollUpOrder(*order, fulfilments, settings_.completion, now_us); !s.ok()) {
      return s;
    }
    UpdateOrder(tx, *order, /*lines_changed=*/false);
    if (absl::Status s = AppendStepEvents(tx, *order, false, changed, *cipher_, now); !s.ok()) {
      return s;
    }
    *out = *shipment;
    return absl::OkStatus();
  });
}

}  // namespace cooplink::orders
