// The order-level steps that several RPCs and jobs share, each in the caller's transaction with the
// order row locked (order_store.h lock order): paying, cancelling, delivery reported by the
// platform, completion with its settlements, and a platform close after shipment. They change the
// row in memory (the caller writes it with UpdateOrder) and write the parts (fulfilments,
// shipments, after-sales, settlements) themselves; each returns the parts it changed so the caller
// can append their events. What they need from membership is loaded before the transaction.
#ifndef COOPLINK_SERVICES_ORDERS_LIFECYCLE_H_
#define COOPLINK_SERVICES_ORDERS_LIFECYCLE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/call_context.h"
#include "services/common/db.h"
#include "services/common/membership_directory.h"
#include "services/orders/order_rules.h"
#include "services/orders/order_store.h"

namespace cooplink::orders {

// The rates a completion settles with: the partner's commission and each cooperative's service
// fee, as membership has them now.
struct SettlementTerms {
  int32_t commission_bps = 0;
  std::map<std::string, int32_t> service_fee_bps;  // by cooperative id
};
absl::StatusOr<SettlementTerms> LoadSettlementTerms(const CallContext& call,
                                                    MembershipDirectory& directory,
                                                    const std::string& partner_id,
                                                    const std::vector<std::string>& cooperatives);

// The parts a step changed, for their events.
struct ChangedParts {
  std::vector<v1::Fulfilment> fulfilments;
  std::vector<v1::AfterSale> after_sales;
  std::vector<v1::Settlement> settlements;
};

// Is an after-sale of the order REQUESTED or APPROVED?
bool HasOpenAfterSales(Tx& tx, const std::string& order_id);

// PENDING_PAYMENT -> PAID: pay time (the platform's, else now) and one TO_PACK fulfilment per
// cooperative. The stock's commit step becomes due (stock_rules.h).
// `new_order`: the order is being inserted in this transaction (it has no fulfilment to look for).
void PayOrder(Tx& tx, OrderRow& row, int64_t pay_us, int64_t now_us, ChangedParts* changed,
              bool new_order = false);
// -> CANCELLED (the caller checked the transition): the fulfilments are cancelled; a SHORT order's
// stock becomes RELEASED at once, any other's release or return step becomes due.
void CancelOrderRow(Tx& tx, OrderRow& row, const std::string& reason, int64_t now_us,
                    ChangedParts* changed, bool new_order = false);
// DELIVERED reported by the platform for a SHIPPED order: every shipment and fulfilment delivered
// at `delivery_us` (the platform's time, brought within [last shipment, now]), the order
// DELIVERED, automatic completion scheduled.
absl::Status DeliverAll(Tx& tx, OrderRow& row, int64_t delivery_us,
                        const CompletionWindows& windows, int64_t now_us, ChangedParts* changed);
// -> COMPLETED with one settlement per cooperative (and their outbox messages): the caller checked
// the transition and that no after-sale is open.
absl::Status CompleteAndSettle(Tx& tx, OrderRow& row, const SettlementTerms& terms, int64_t now_us,
                               ChangedParts* changed);
// For an after-sale just COMPLETED: when its cooperative's part of the order is settled, the
// reversal of its refund (settlement_rules.h ComputeReversal, at the original settlement's rates),
// stored; nullopt when nothing is settled yet (the refund then only lowers the gross settled
// later). A repeated call returns the reversal already stored.
absl::StatusOr<std::optional<v1::Settlement>> ReverseRefund(Tx& tx, const OrderRow& row,
                                                            const v1::AfterSale& after_sale,
                                                            int64_t now_us);
// A platform close of an order that has shipped: an after-sale per cooperative refunding what is
// not refunded yet (the order keeps its state).
absl::Status RefundEverything(Tx& tx, OrderRow& row, int64_t now_us, ChangedParts* changed);

// Appends the events of a step: ORDER_CREATED or ORDER_UPDATED for the order (masked), then one
// per changed part. `order` is the row after the step.
absl::Status AppendStepEvents(Tx& tx, const OrderRow& order, bool created,
                              const ChangedParts& changed, const PiiCipher& cipher, absl::Time now);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_LIFECYCLE_H_
