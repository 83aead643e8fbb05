#include "services/orders/order_rules.h"

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::orders {
namespace {

// The forward order of the states besides CANCELLED; the enum's numbers follow it.
int Rank(v1::OrderState s) { return s == v1::ORDER_STATE_CANCELLED ? 0 : static_cast<int>(s); }

bool IsDefined(v1::OrderState s) {
  return v1::OrderState_IsValid(s) && s != v1::ORDER_STATE_UNSPECIFIED;
}

absl::Status Refusal(v1::OrderState from, v1::OrderState to) {
  return FailedPrecondition("INVALID_STATE_TRANSITION",
                            absl::StrCat("cannot move an order from ", v1::OrderState_Name(from),
                                         " to ", v1::OrderState_Name(to)));
}

absl::Status OpenAfterSales() {
  return FailedPrecondition("OPEN_AFTER_SALES",
                            "an order with an open after-sale (REQUESTED or APPROVED) cannot be "
                            "completed");
}

}  // namespace

bool IsLegalTransition(v1::OrderState from, v1::OrderState to) {
  using S = v1::OrderState;
  switch (from) {
    case S::ORDER_STATE_PENDING_PAYMENT:
      return to == S::ORDER_STATE_PAID || to == S::ORDER_STATE_CANCELLED;
    case S::ORDER_STATE_PAID:
      return to == S::ORDER_STATE_PARTIALLY_SHIPPED || to == S::ORDER_STATE_SHIPPED ||
             to == S::ORDER_STATE_CANCELLED;
    case S::ORDER_STATE_PARTIALLY_SHIPPED:
      return to == S::ORDER_STATE_SHIPPED;
    case S::ORDER_STATE_SHIPPED:
      return to == S::ORDER_STATE_DELIVERED || to == S::ORDER_STATE_COMPLETED;
    case S::ORDER_STATE_DELIVERED:
      return to == S::ORDER_STATE_COMPLETED;
    default:
      return false;  // COMPLETED and CANCELLED are final; UNSPECIFIED is no state
  }
}

absl::Status CheckTransition(v1::OrderState from, v1::OrderState to) {
  return IsLegalTransition(from, to) ? absl::OkStatus() : Refusal(from, to);
}

bool IsFinal(v1::OrderState state) {
  return state == v1::ORDER_STATE_COMPLETED || state == v1::ORDER_STATE_CANCELLED;
}

bool HasShipped(v1::OrderState state) {
  return Rank(state) >= Rank(v1::ORDER_STATE_PARTIALLY_SHIPPED);
}

absl::string_view OrderActionVerb(OrderAction action) {
  switch (action) {
    case OrderAction::kPay:
      return "pay";
    case OrderAction::kCancel:
      return "cancel";
    case OrderAction::kComplete:
      return "complete";
  }
  return "?";
}

absl::StatusOr<v1::OrderState> NextOrderState(OrderAction action, v1::OrderState from,
                                              const OrderFacts& facts) {
  v1::OrderState to = v1::ORDER_STATE_UNSPECIFIED;
  switch (action) {
    case OrderAction::kPay:
      to = v1::ORDER_STATE_PAID;
      break;
    case OrderAction::kCancel:
      to = v1::ORDER_STATE_CANCELLED;
      break;
    case OrderAction::kComplete:
      to = v1::ORDER_STATE_COMPLETED;
      break;
  }
  if (absl::Status s = CheckTransition(from, to); !s.ok()) return s;
  if (action == OrderAction::kComplete && facts.open_after_sales) return OpenAfterSales();
  return to;
}

v1::OrderState RolledUpState(absl::Span<const v1::FulfilmentState> fulfilments) {
  int active = 0, shipped = 0, delivered = 0;
  for (v1::FulfilmentState f : fulfilments) {
    if (f == v1::FULFILMENT_STATE_CANCELLED) continue;
    ++active;
    if (f == v1::FULFILMENT_STATE_SHIPPED || f == v1::FULFILMENT_STATE_DELIVERED) ++shipped;
    if (f == v1::FULFILMENT_STATE_DELIVERED) ++delivered;
  }
  if (active == 0) return v1::ORDER_STATE_UNSPECIFIED;
  if (delivered == active) return v1::ORDER_STATE_DELIVERED;
  if (shipped == active) return v1::ORDER_STATE_SHIPPED;
  if (shipped > 0) return v1::ORDER_STATE_PARTIALLY_SHIPPED;
  return v1::ORDER_STATE_PAID;
}

absl::StatusOr<v1::OrderState> RollUp(v1::OrderState current,
                                      absl::Span<const v1::FulfilmentState> fulfilments) {
  const v1::OrderState derived = RolledUpState(fulfilments);
  if (derived == v1::ORDER_STATE_UNSPECIFIED || IsFinal(current) ||
      Rank(derived) <= Rank(current)) {
    return current;
  }
  if (absl::Status s = CheckTransition(current, derived); !s.ok()) return s;
  return derived;
}

absl::StatusOr<ReportedStatePlan> PlanReportedState(v1::OrderState current, v1::OrderState reported,
                                                    const OrderFacts& facts) {
  if (!IsDefined(reported)) {
    return InvalidField("reported_state", "must be a defined OrderState");
  }
  ReportedStatePlan plan;
  plan.next = current;
  if (current == v1::ORDER_STATE_UNSPECIFIED) {  // first sight
    if (reported == v1::ORDER_STATE_CANCELLED || reported == v1::ORDER_STATE_PENDING_PAYMENT) {
      plan.next = reported;
      return plan;
    }
    current = plan.next = v1::ORDER_STATE_PENDING_PAYMENT;
  }
  if (reported == current) return plan;

  if (reported == v1::ORDER_STATE_CANCELLED) {
    if (HasShipped(current)) {
      plan.refund_everything = true;  // a close after shipment is a full refund, not a cancel
    } else if (IsLegalTransition(current, reported)) {
      plan.next = reported;
      plan.cancel = true;
    } else {
      plan.not_applied = Refusal(current, reported);
    }
    return plan;
  }
  if (current == v1::ORDER_STATE_CANCELLED || Rank(reported) < Rank(current)) {
    plan.not_applied = Refusal(current, reported);  // never back, and final stays final
    return plan;
  }
  if (current == v1::ORDER_STATE_PENDING_PAYMENT) {  // paid or later: pay first
    plan.next = current = v1::ORDER_STATE_PAID;
    plan.pay = true;
    if (reported == v1::ORDER_STATE_PAID) return plan;
  }
  switch (reported) {
    case v1::ORDER_STATE_PARTIALLY_SHIPPED:
    case v1::ORDER_STATE_SHIPPED:
      // Shipments are recorded by the cooperatives (CreateShipment); the roll-up moves the order.
      return plan;
    case v1::ORDER_STATE_DELIVERED:
      if (current == v1::ORDER_STATE_SHIPPED) {
        plan.next = reported;
        plan.deliver_all = true;
      } else {
        plan.not_applied = Refusal(current, reported);
      }
      return plan;
    case v1::ORDER_STATE_COMPLETED:
      if (!IsLegalTransition(current, reported)) {
        plan.not_applied = Refusal(current, reported);
      } else if (facts.open_after_sales) {
        plan.not_applied = OpenAfterSales();
      } else {
        plan.next = reported;
        plan.complete = true;
      }
      return plan;
    default:
      plan.not_applied = Refusal(current, reported);
      return plan;
  }
}

std::optional<absl::Time> AutoCompletionTime(v1::OrderState state,
                                             std::optional<absl::Time> last_ship_time,
                                             std::optional<absl::Time> delivery_time,
                                             const CompletionWindows& windows) {
  if (state == v1::ORDER_STATE_DELIVERED && delivery_time.has_value()) {
    return *delivery_time + windows.return_window;
  }
  if (state == v1::ORDER_STATE_SHIPPED && last_ship_time.has_value()) {
    return *last_ship_time + windows.receipt_window + windows.return_window;
  }
  return std::nullopt;
}

bool IsAutoCompletionDue(v1::OrderState state, std::optional<absl::Time> last_ship_time,
                         std::optional<absl::Time> delivery_time, const OrderFacts& facts,
                         const CompletionWindows& windows, absl::Time now) {
  if (facts.open_after_sales) return false;
  const std::optional<absl::Time> due =
      AutoCompletionTime(state, last_ship_time, delivery_time, windows);
  return due.has_value() && now >= *due;
}

}  // namespace cooplink::orders
