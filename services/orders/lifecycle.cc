#include "services/orders/lifecycle.h"

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/orders/after_sale_rules.h"
#include "services/orders/after_sale_store.h"
#include "services/orders/event_log.h"
#include "services/orders/fulfilment_store.h"

namespace cooplink::orders {
namespace {

constexpr const char* kOpenAfterSale =
    "SELECT 1 FROM after_sales WHERE order_id = ? AND state IN (?, ?) LIMIT 1";
constexpr int kRequested = v1::AFTER_SALE_STATE_REQUESTED;
constexpr int kApproved = v1::AFTER_SALE_STATE_APPROVED;

}  // namespace

absl::StatusOr<SettlementTerms> LoadSettlementTerms(const CallContext& call,
                                                    MembershipDirectory& directory,
                                                    const std::string& partner_id,
                                                    const std::vector<std::string>& cooperatives) {
  SettlementTerms terms;
  absl::StatusOr<PartnerInfo> partner = directory.GetPartner(call, partner_id);
  if (!partner.ok()) return partner.status();
  terms.commission_bps = partner->commission_rate_bps;
  for (const std::string& coop : cooperatives) {
    absl::StatusOr<CooperativeInfo> info = directory.GetCooperative(call, coop);
    if (!info.ok()) return info.status();
    terms.service_fee_bps[coop] = info->service_fee_bps;
  }
  return terms;
}

bool HasOpenAfterSales(Tx& tx, const std::string& order_id) {
  return tx.Query(kOpenAfterSale, order_id, kRequested, kApproved)->next();
}

void PayOrder(Tx& tx, OrderRow& row, int64_t pay_us, int64_t now_us, ChangedParts* changed,
              bool new_order) {
  row.state = v1::ORDER_STATE_PAID;
  row.pay_us = pay_us;
  row.update_us = now_us;
  for (v1::Fulfilment& f : CreateFulfilments(tx, row, now_us, new_order)) {
    changed->fulfilments.push_back(std::move(f));
  }
}

void CancelOrderRow(Tx& tx, OrderRow& row, const std::string& reason, int64_t now_us,
                    ChangedParts* changed, bool new_order) {
  row.state = v1::ORDER_STATE_CANCELLED;
  row.cancel_reason = reason;
  row.update_us = now_us;
  row.complete_due_us.reset();
  if (row.stock_status == v1::ORDER_STOCK_STATUS_SHORT) {
    row.stock_status = v1::ORDER_STOCK_STATUS_RELEASED;  // nothing was held
  }
  if (new_order) return;  // nothing to cancel yet
  for (v1::Fulfilment& f : CancelFulfilments(tx, row, now_us)) {
    changed->fulfilments.push_back(std::move(f));
  }
}

absl::Status RefundEverything(Tx& tx, OrderRow& row, int64_t now_us, ChangedParts* changed) {
  const std::map<std::string, int64_t> counted = CountedRefunds(LoadOrderAfterSales(tx, row.id));
  for (const std::string& coop : row.Cooperatives()) {
    v1::AfterSale a;
    for (const LineRow& l : row.lines) {
      if (l.cooperative_id != coop) continue;
      auto it = counted.find(l.external_line_id);
      const int64_t left = l.line_total_fen - (it == counted.end() ? 0 : it->second);
      if (left <= 0) continue;
      v1::AfterSaleLine* line = a.add_lines();
      line->set_external_line_id(l.external_line_id);
      line->mutable_refund()->set_fen(left);
      a.mutable_refund_total()->set_fen(a.refund_total().fen() + left);
    }
    if (a.lines_size() == 0) continue;
    a.set_id(NewId(absl::FromUnixMicros(now_us)));
    a.set_order_id(row.id);
    a.set_partner_id(row.partner_id);
    a.set_cooperative_id(coop);
    a.set_kind(v1::AFTER_SALE_KIND_REFUND_ONLY);
    a.set_reason(absl::StrCat("closed on the platform after shipment: ", row.partner_status));
    // The platform closed the trade: the buyer's money went back on the platform.
    a.set_state(v1::AFTER_SALE_STATE_COMPLETED);
    a.set_decided_by("platform");
    *a.mutable_create_time() = ToTimestamp(now_us);
    *a.mutable_update_time() = ToTimestamp(now_us);
    InsertAfterSale(tx, a, kRestockNone);
    if (row.state == v1::ORDER_STATE_COMPLETED) {
      auto reversal = ReverseRefund(tx, row, a, now_us);
      if (!reversal.ok()) return reversal.status();
      if (*reversal) changed->settlements.push_back(**reversal);
    }
    changed->after_sales.push_back(std::move(a));
  }
  return absl::OkStatus();
}

absl::Status AppendStepEvents(Tx& tx, const OrderRow& order, bool created,
                              const ChangedParts& changed, const PiiCipher& cipher,
                              absl::Time now) {
  v1::Order masked;
  if (absl::Status s = OrderToProto(order, BuyerView::kMasked, cipher, &masked); !s.ok()) return s;
  AppendOrderEvent(
      tx, created ? v1::ORDER_EVENT_KIND_ORDER_CREATED : v1::ORDER_EVENT_KIND_ORDER_UPDATED, masked,
      now);
  for (const v1::Fulfilment& f : changed.fulfilments) {
    EventParts parts;
    parts.fulfilment = &f;
    AppendOrderEvent(tx, v1::ORDER_EVENT_KIND_FULFILMENT_CHANGED, masked, now, parts);
  }
  for (const v1::AfterSale& a : changed.after_sales) {
    EventParts parts;
    parts.after_sale = &a;
    AppendOrderEvent(tx, v1::ORDER_EVENT_KIND_AFTER_SALE_CHANGED, masked, now, parts);
  }
  for (const v1::Settlement& s : changed.settlements) AppendSettlement(tx, masked, s, now);
  return absl::OkStatus();
}

}  // namespace cooplink::orders
