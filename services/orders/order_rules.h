// The rules of an order's canonical state, apart from storage: the legal transitions, what the
// order's own actions (pay, cancel, complete) lead to, how the fulfilments' states roll up into the
// order's, how a state reported by the partner platform is applied, and when an order completes by
// itself. Pure functions: no SQL, no gRPC, no clock (time is a parameter). The fulfilment
// lifecycle is fulfilment_rules.h, after-sales after_sale_rules.h.
//
// The legal transitions (every other pair is FAILED_PRECONDITION INVALID_STATE_TRANSITION; a state
// to itself is no transition, and COMPLETED and CANCELLED are final):
//   PENDING_PAYMENT   -> PAID, CANCELLED
//   PAID              -> PARTIALLY_SHIPPED, SHIPPED (fulfilments shipped), CANCELLED
//   PARTIALLY_SHIPPED -> SHIPPED
//   SHIPPED           -> DELIVERED, COMPLETED
//   DELIVERED         -> COMPLETED
// Completion also needs no open after-sale (FAILED_PRECONDITION OPEN_AFTER_SALES).
#ifndef COOPLINK_SERVICES_ORDERS_ORDER_RULES_H_
#define COOPLINK_SERVICES_ORDERS_ORDER_RULES_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "cooplink/orders/v1/orders.pb.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

// The seven defined states, UNSPECIFIED excluded (for tables and tests).
inline constexpr v1::OrderState kOrderStates[] = {
    v1::ORDER_STATE_PENDING_PAYMENT, v1::ORDER_STATE_PAID,      v1::ORDER_STATE_PARTIALLY_SHIPPED,
    v1::ORDER_STATE_SHIPPED,         v1::ORDER_STATE_DELIVERED, v1::ORDER_STATE_COMPLETED,
    v1::ORDER_STATE_CANCELLED};

// Whether `from` -> `to` is one of the legal transitions above.
bool IsLegalTransition(v1::OrderState from, v1::OrderState to);
// OK for a legal transition, else FAILED_PRECONDITION INVALID_STATE_TRANSITION ("cannot move an
// order from PAID to DELIVERED").
absl::Status CheckTransition(v1::OrderState from, v1::OrderState to);
// COMPLETED and CANCELLED.
bool IsFinal(v1::OrderState state);
// PARTIALLY_SHIPPED, SHIPPED, DELIVERED, COMPLETED: some goods have left the cooperative.
bool HasShipped(v1::OrderState state);

// --- The order's own actions --------------------------------------------------------------------
enum class OrderAction {
  kPay,       // the platform reports payment: PENDING_PAYMENT -> PAID
  kCancel,    // CancelOrder or a platform close before shipment: -> CANCELLED
  kComplete,  // CompleteOrder, COMPLETED reported, or automatic completion: -> COMPLETED
};
inline constexpr OrderAction kOrderActions[] = {OrderAction::kPay, OrderAction::kCancel,
                                                OrderAction::kComplete};
absl::string_view OrderActionVerb(OrderAction action);

// What an action needs to know besides the state.
struct OrderFacts {
  bool open_after_sales = false;  // an after-sale of the order is REQUESTED or APPROVED
};

// The state `action` leads to from `from`: INVALID_STATE_TRANSITION when the transition is not
// legal; for kComplete then OPEN_AFTER_SALES when an after-sale is open.
absl::StatusOr<v1::OrderState> NextOrderState(OrderAction action, v1::OrderState from,
                                              const OrderFacts& facts);

// --- Fulfilments roll up ------------------------------------------------------------------------
// The order state its fulfilments' states describe, ignoring CANCELLED ones: none shipped -> PAID;
// some shipped or delivered -> PARTIALLY_SHIPPED; all shipped or delivered -> SHIPPED; all
// delivered -> DELIVERED. UNSPECIFIED when there is no fulfilment that is not cancelled.
v1::OrderState RolledUpState(absl::Span<const v1::FulfilmentState> fulfilments);
// The order's state after a fulfilment changed: `current` when the roll-up is not later than it
// (states never move back; a final state stays), else the roll-up, which must be a legal
// transition from `current` (INVALID_STATE_TRANSITION otherwise, e.g. a fulfilment shipped in a
// PENDING_PAYMENT order).
absl::StatusOr<v1::OrderState> RollUp(v1::OrderState current,
                                      absl::Span<const v1::FulfilmentState> fulfilments);

// --- States reported by the platform ------------------------------------------------------------
// How UpsertPartnerOrder applies a reported state. The upsert itself never fails for a reported
// state that cannot be applied (the platform's order is a fact): the state then stays, the
// partner_status is still recorded and `not_applied` says why.
struct ReportedStatePlan {
  v1::OrderState next = v1::ORDER_STATE_UNSPECIFIED;  // the state after the upsert
  bool pay = false;                                   // commit the stock, create the fulfilments
  bool cancel = false;                                // cancel fulfilments, release or return stock
  bool deliver_all = false;        // mark every shipment delivered (DELIVERED reported)
  bool complete = false;           // complete and settle, as CompleteOrder
  bool refund_everything = false;  // a close after shipment: an after-sale of all not refunded
  absl::Status not_applied;        // OK, or why the reported state did not move the order
};
// `current` is UNSPECIFIED for an order seen for the first time (it starts PENDING_PAYMENT, or
// PAID when reported paid or later; a first sight reported CANCELLED is recorded CANCELLED).
// Rules for a stored order:
//  - an earlier or equal reported state changes nothing (not_applied OK for equal, else
//    INVALID_STATE_TRANSITION: states never move back);
//  - PAID or later reported for a PENDING_PAYMENT order pays it first (shipping is the
//    cooperatives' to record, so PARTIALLY_SHIPPED/SHIPPED reported move it only to PAID);
//  - DELIVERED reported moves a SHIPPED order to DELIVERED (deliver_all);
//  - COMPLETED reported completes a SHIPPED or DELIVERED order (complete) unless an after-sale is
//    open (OPEN_AFTER_SALES; automatic completion follows later);
//  - CANCELLED reported cancels a PENDING_PAYMENT or PAID order; for an order that has shipped
//    (including COMPLETED) it sets refund_everything and keeps the state.
// INVALID_ARGUMENT (field "reported_state") for UNSPECIFIED or an undefined value.
absl::StatusOr<ReportedStatePlan> PlanReportedState(v1::OrderState current, v1::OrderState reported,
                                                    const OrderFacts& facts);

// --- Automatic completion -----------------------------------------------------------------------
// The configurable windows (order service settings).
struct CompletionWindows {
  // After delivery, the buyer's return window (七天无理由退货).
  absl::Duration return_window = absl::Hours(7 * 24);
  // After the last shipment, when no delivery is recorded: the platforms' automatic confirmation
  // of receipt (Taobao: 10 days for most goods). The return window runs after it.
  absl::Duration receipt_window = absl::Hours(10 * 24);
};
// When the order completes by itself: DELIVERED at delivery_time + return_window; SHIPPED at
// last_ship_time + receipt_window + return_window (nullopt if the needed time is unknown);
// nullopt in every other state.
std::optional<absl::Time> AutoCompletionTime(v1::OrderState state,
                                             std::optional<absl::Time> last_ship_time,
                                             std::optional<absl::Time> delivery_time,
                                             const CompletionWindows& windows);
// Whether automatic completion is due at `now`: the time above has come and no after-sale is open.
bool IsAutoCompletionDue(v1::OrderState state, std::optional<absl::Time> last_ship_time,
                         std::optional<absl::Time> delivery_time, const OrderFacts& facts,
                         const CompletionWindows& windows, absl::Time now);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDER_RULES_H_
