// Reading orders: GetOrder (masked, or the audit-logged SHIPPING view), ListOrders (newest first,
// in the caller's scope as one SQL filter) and ListOrdersForReconciliation (a partner's orders by
// platform_update_time in a window, the way sellers reconcile with the platform's own listing).
#include <algorithm>
#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/fields.h"
#include "services/common/log.h"
#include "services/common/paging.h"
#include "services/common/status.h"
#include "services/orders/fulfilment_store.h"
#include "services/orders/order_access.h"
#include "services/orders/orders.h"
#include "services/orders/orders_limits.h"

namespace cooplink::orders {
namespace {

// ListOrders: the head, one scope/filter clause per condition, newest first.
constexpr const char* kJoinCooperative =
    " JOIN order_cooperatives oc ON oc.order_id = o.id AND oc.cooperative_id = ?";
constexpr const char* kWhereAfter = " WHERE (? = '' OR o.id < ?)";
constexpr const char* kFilterPartner = " AND o.partner_id = ?";
constexpr const char* kFilterCooperativesHead =
    " AND o.id IN (SELECT order_id FROM order_cooperatives WHERE cooperative_id IN ";
constexpr const char* kFilterState = " AND o.state = ?";
constexpr const char* kNewestFirst = " ORDER BY o.id DESC LIMIT ?";
// ListOrdersForReconciliation: by (platform_update_time_us, id) within the window.
constexpr const char* kReconcileHead =
    " WHERE o.partner_id = ? AND o.platform_update_time_us >= ? AND o.platform_update_time_us < ?"
    " AND (o.platform_update_time_us > ? OR (o.platform_update_time_us = ? AND o.id > ?))";
constexpr const char* kFilterShop = " AND o.shop_id = ?";
constexpr const char* kReconcileOrder = " ORDER BY o.platform_update_time_us, o.id LIMIT ?";

// The page's orders in the masked view.
absl::Status MaskedOrders(const std::vector<OrderRow>& rows, const PiiCipher& cipher,
                          google::protobuf::RepeatedPtrField<v1::Order>* out) {
  for (const OrderRow& row : rows) {
    if (absl::Status s = OrderToProto(row, BuyerView::kMasked, cipher, out->Add()); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Orders::GetOrder(const CallContext& call, const v1::GetOrderRequest& req,
                              v1::Order* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v1::OrderView_IsValid(req.view())) v.Add("view", "must be a defined OrderView");
  if (!v.empty()) return v.ToStatus();
  const bool shipping = req.view() == v1::ORDER_VIEW_SHIPPING;
  const Principal& p = call.principal();
  auto body = [&](Tx& tx) -> absl::Status {
    std::optional<OrderRow> row = LoadOrder(tx, req.id(), /*for_update=*/false);
    if (!row) return NotFound("order", req.id());
    const OrderRelation relation = RelationToOrder(*scope, row->partner_id, row->Cooperatives());
    if (absl::Status s = RequireOrderRelation(relation, kOrderReaders, "order", req.id());
        !s.ok()) {
      return s;
    }
    if (!shipping) return OrderToProto(*row, BuyerView::kMasked, *cipher_, out);
    // The proto: platform admins and admins of a cooperative with a fulfilment in the order
    // (an unpaid order has none: nothing to ship yet).
    const bool ships = std::find(std::begin(kShippingViewers), std::end(kShippingViewers),
                                 relation) != std::end(kShippingViewers) &&
                       (relation == OrderRelation::kPlatformAdmin ||
                        HasFulfilmentOf(tx, row->id, p.cooperative_id));
    if (!ships) {
      return PermissionDenied("SHIPPING_VIEW_NOT_ALLOWED",
                              "only the shipping cooperative's admins see the buyer contact");
    }
    AuditShippingView(tx, row->id, p.id, static_cast<int>(p.role), call.trace_id(),
                      ToMicros(clock_->Now()));
    LogInfo("shipping view",
            {{"order_id", row->id}, {"principal_id", p.id}, {"trace_id", call.trace_id()}});
    return OrderToProto(*row, BuyerView::kShipping, *cipher_, out);
  };
  // The SHIPPING view writes its audit record in the same transaction as the read.
  return shipping ? db_->Transact(body) : db_->Read(body);
}

absl::Status Orders::ListOrders(const CallContext& call, const v1::ListOrdersRequest& req,
                                v1::ListOrdersResponse* out) {
  auto scope = ResolveOrderScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  if (!req.partner_id().empty()) CheckId(v, "partner_id", req.partner_id());
  if (!req.cooperative_id().empty()) CheckId(v, "cooperative_id", req.cooperative_id());
  if (!v1::OrderState_IsValid(req.state())) v.Add("state", "must be a defined OrderState");
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat("orders|", req.partner_id(), "|", req.cooperative_id(), "|", req.state());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();

  const Principal& p = call.principal();
  // The caller's scope narrows the filters; a filter outside the scope matches nothing.
  std::string partner = req.partner_id();
  std::vector<std::string> cooperatives;
  if (!req.cooperative_id().empty()) cooperatives.push_back(req.cooperative_id());
  if (p.is(Role::kPartner)) {
    if (!partner.empty() && partner != p.partner_id) return absl::OkStatus();
    partner = p.partner_id;
  } else if (p.is(Role::kCooperativeAdmin)) {
    if (!cooperatives.empty() && cooperatives[0] != p.cooperative_id) return absl::OkStatus();
    cooperatives = {p.cooperative_id};
  } else if (p.is(Role::kSocialWorker)) {
    if (cooperatives.empty()) {
      cooperatives = scope->worker_cooperatives;
    } else if (!std::binary_search(scope->worker_cooperatives.begin(),
                                   scope->worker_cooperatives.end(), cooperatives[0])) {
      return absl::OkStatus();
    }
    if (cooperatives.empty()) return absl::OkStatus();
  }

  SqlQuery q{kOrderListHead, {}};
  if (cooperatives.size() == 1) {
    q.sql += kJoinCooperative;
    q.params.push_back(cooperatives[0]);
  }
  q.sql += kWhereAfter;
  q.params.push_back(page->after);
  q.params.push_back(page->after);
  if (cooperatives.size() > 1) {
    q.sql += kFilterCooperativesHead;
    AppendInList(cooperatives, &q.sql, &q.params);
    q.sql += ")";
  }
  if (!partner.empty()) {
    q.sql += kFilterPartner;
    q.params.push_back(partner);
  }
  if (req.state() != v1::ORDER_STATE_UNSPECIFIED) {
    q.sql += kFilterState;
    q.params.emplace_back(std::in_place_type<int64_t>, req.state());
  }
  q.sql += kNewestFirst;
  q.params.emplace_back(std::in_place_type<int64_t>, page->size + 1);
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<OrderRow> rows = LoadOrderList(tx, q);
    out->set_next_page_token(
        TrimToPage(rows, *page, filters, [](const OrderRow& o) { return o.id; }));
    return MaskedOrders(rows, *cipher_, out->mutable_orders());
  });
}

absl::Status Orders::ListOrdersForReconciliation(const CallContext& call,
                                                 const v1::ListOrdersForReconciliationRequest& req,
                                                 v1::ListOrdersForReconciliationResponse* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  FieldViolations v;
  std::string partner = req.partner_id();
  if (p.is(Role::kPartner) && partner.empty()) partner = p.partner_id;
  CheckId(v, "partner_id", partner);
  CheckText(v, "shop_id", req.shop_id(), kReconciliationShopId);
  if (!req.has_start_time()) v.Add("start_time", "required");
  if (!req.has_end_time()) v.Add("end_time", "required");
  const int64_t start_us = TimestampMicros(req.start_time()),
                end_us = TimestampMicros(req.end_time());
  if (req.has_start_time() && req.has_end_time()) {
    if (end_us <= start_us) {
      v.Add("end_time", "must be after start_time");
    } else if (absl::Microseconds(end_us - start_us) > kMaxReconciliationWindow) {
      v.Add("end_time", "must be at most 7 days after start_time");
    }
  }
  if (!v.empty()) return v.ToStatus();
  if (p.is(Role::kPartner) && partner != p.partner_id) {
    return PermissionDenied("ROLE_NOT_ALLOWED", "a partner reconciles its own orders only");
  }
  const std::string filters =
      absl::StrCat("reconcile|", partner, "|", Trimmed(req.shop_id()), "|", start_us, "|", end_us);
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  int64_t after_us = start_us - 1;
  std::string after_id;
  if (!page->after.empty()) {
    std::vector<std::string> key = absl::StrSplit(page->after, absl::MaxSplits('/', 1));
    if (key.size() != 2 || !absl::SimpleAtoi(key[0], &after_us)) {
      return InvalidField("page_token", "is not a page token issued by this service");
    }
    after_id = key[1];
  }
  SqlQuery q{kOrderListHead, {}};
  q.sql += kReconcileHead;
  q.params = {partner, start_us, end_us, after_us, after_us, after_id};
  if (!req.shop_id().empty()) {
    q.sql += kFilterShop;
    q.params.push_back(Trimmed(req.shop_id()));
  }
  q.sql += kReconcileOrder;
  q.params.emplace_back(std::in_place_type<int64_t>, page->size + 1);
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<OrderRow> rows = LoadOrderList(tx, q);
    out->set_next_page_token(TrimToPage(rows, *page, filters, [](const OrderRow& o) {
      return absl::StrCat(o.platform_update_us, "/", o.id);
    }));
    return MaskedOrders(rows, *cipher_, out->mutable_orders());
  });
}

}  // namespace cooplink::orders
