// The rules of after-sales (refund or return requests kept as their own record), apart from
// storage: the lifecycle, which side decides a partner's refunds, on which orders an after-sale may
// be opened, the refund cap per line, and when a completed refund reverses a settlement. Pure
// functions: no SQL, no gRPC.
//
// The lifecycle (every other step is FAILED_PRECONDITION INVALID_STATE_TRANSITION):
//   approve   REQUESTED           -> APPROVED
//   reject    REQUESTED           -> REJECTED
//   complete  APPROVED            -> COMPLETED  (the refund was paid)
//   close     REQUESTED, APPROVED -> CLOSED     (withdrawn by the buyer or closed by the platform,
//                                                without a decision)
// REJECTED, COMPLETED and CLOSED are final; REQUESTED and APPROVED are open (an order with an open
// after-sale cannot complete).
#ifndef COOPLINK_SERVICES_ORDERS_AFTER_SALE_RULES_H_
#define COOPLINK_SERVICES_ORDERS_AFTER_SALE_RULES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cooplink/orders/v1/orders.pb.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

inline constexpr v1::AfterSaleState kAfterSaleStates[] = {
    v1::AFTER_SALE_STATE_REQUESTED, v1::AFTER_SALE_STATE_APPROVED, v1::AFTER_SALE_STATE_REJECTED,
    v1::AFTER_SALE_STATE_COMPLETED, v1::AFTER_SALE_STATE_CLOSED};

enum class AfterSaleAction { kApprove, kReject, kComplete, kClose };
inline constexpr AfterSaleAction kAfterSaleActions[] = {
    AfterSaleAction::kApprove, AfterSaleAction::kReject, AfterSaleAction::kComplete,
    AfterSaleAction::kClose};
absl::string_view AfterSaleActionVerb(AfterSaleAction action);

// REQUESTED or APPROVED.
bool IsOpen(v1::AfterSaleState state);
// Whether its refund counts against the line's paid amount: every state but REJECTED and CLOSED.
bool CountsAgainstPaid(v1::AfterSaleState state);

// The refunds counting against each line (CountsAgainstPaid), by external line id.
std::map<std::string, int64_t> CountedRefunds(const std::vector<v1::AfterSale>& after_sales);

absl::StatusOr<v1::AfterSaleState> NextAfterSaleState(AfterSaleAction action,
                                                      v1::AfterSaleState from);

// Who acts on an after-sale.
enum class AfterSaleActor { kPlatformAdmin, kPartner, kCooperative };
// Which side decides, never both. With REFUND_DECIDER_PLATFORM the partner reports every outcome
// and the cooperative may not approve, reject, complete or close (FAILED_PRECONDITION
// REFUND_DECIDED_BY_PLATFORM); with REFUND_DECIDER_COOPERATIVE the cooperative approves and rejects
// and the partner may not (FAILED_PRECONDITION REFUND_DECIDED_BY_COOPERATIVE), while complete
// (refund paid) and close (the buyer withdrew) are reported by either. A platform admin may always
// act. FAILED_PRECONDITION REFUND_DECIDER_UNSET when the decider is UNSPECIFIED.
absl::Status CheckDecider(common::v1::RefundDecider decider, AfterSaleAction action,
                          AfterSaleActor actor);

// An after-sale may be opened on an order that is PAID or later and not CANCELLED, including a
// COMPLETED (settled) one; FAILED_PRECONDITION INVALID_STATE_TRANSITION otherwise.
absl::Status CheckOrderAcceptsAfterSale(v1::OrderState order_state);

// The refunds counting against a line (`counted_fen`, see CountsAgainstPaid) plus the new one must
// not exceed its line_total: FAILED_PRECONDITION REFUND_EXCEEDS_PAID (metadata
// "external_line_id", "line_total_fen", "refundable_fen"). The new refund must be greater than 0
// (INVALID_ARGUMENT on `field`).
absl::Status CheckRefundWithinPaid(absl::string_view field, absl::string_view external_line_id,
                                   int64_t line_total_fen, int64_t counted_fen, int64_t refund_fen);

// A completed after-sale reverses part of the settlements when its order was already COMPLETED
// (settled) at the time; before that the refund only lowers the gross that will be settled.
bool NeedsReversal(v1::OrderState order_state, v1::AfterSaleState after_sale_state);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_AFTER_SALE_RULES_H_
