#include "services/orders/lifecycle.h"

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
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
