#include "services/orders/after_sale_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::orders {

absl::string_view AfterSaleActionVerb(AfterSaleAction action) {
  switch (action) {
    case AfterSaleAction::kApprove:
      return "approve";
    case AfterSaleAction::kReject:
      return "reject";
    case AfterSaleAction::kComplete:
      return "complete";
    case AfterSaleAction::kClose:
      return "close";
  }
  return "?";
}

bool IsOpen(v1::AfterSaleState state) {
  return state == v1::AFTER_SALE_STATE_REQUESTED || state == v1::AFTER_SALE_STATE_APPROVED;
}

bool CountsAgainstPaid(v1::AfterSaleState state) {
  return state != v1::AFTER_SALE_STATE_REJECTED && state != v1::AFTER_SALE_STATE_CLOSED;
}

std::map<std::string, int64_t> CountedRefunds(const std::vector<v1::AfterSale>& after_sales) {
  std::map<std::string, int64_t> counted;
  for (const v1::AfterSale& a : after_sales) {
    if (!CountsAgainstPaid(a.state())) continue;
    for (const v1::AfterSaleLine& l : a.lines()) counted[l.external_line_id()] += l.refund().fen();
  }
  return counted;
}

absl::StatusOr<v1::AfterSaleState> NextAfterSaleState(AfterSaleAction action,
                                                      v1::AfterSaleState from) {
  switch (action) {
    case AfterSaleAction::kApprove:
      if (from == v1::AFTER_SALE_STATE_REQUESTED) return v1::AFTER_SALE_STATE_APPROVED;
      break;
    case AfterSaleAction::kReject:
      if (from == v1::AFTER_SALE_STATE_REQUESTED) return v1::AFTER_SALE_STATE_REJECTED;
      break;
    case AfterSaleAction::kComplete:
      if (from == v1::AFTER_SALE_STATE_APPROVED) return v1::AFTER_SALE_STATE_COMPLETED;
      break;
    case AfterSaleAction::kClose:
      if (IsOpen(from)) return v1::AFTER_SALE_STATE_CLOSED;
      break;
  }
  return FailedPrecondition(
      "INVALID_STATE_TRANSITION",
      absl::StrCat("cannot ", AfterSaleActionVerb(action), " an after-sale in state ",
                   v1::AfterSaleState_Name(from)));
}

absl::Status CheckDecider(common::v1::RefundDecider decider, AfterSaleAction action,
                          AfterSaleActor actor) {
  if (decider != common::v1::REFUND_DECIDER_PLATFORM &&
      decider != common::v1::REFUND_DECIDER_COOPERATIVE) {
    return FailedPrecondition("REFUND_DECIDER_UNSET",
                              "the partner has no refund decider (platform or cooperative)");
  }
  if (actor == AfterSaleActor::kPlatformAdmin) return absl::OkStatus();
  const bool decision = action == AfterSaleAction::kApprove || action == AfterSaleAction::kReject;
  if (decider == common::v1::REFUND_DECIDER_PLATFORM) {
    if (actor == AfterSaleActor::kPartner) return absl::OkStatus();
    return FailedPrecondition(
        "REFUND_DECIDED_BY_PLATFORM",
        absl::StrCat("the partner's platform decides refunds; a cooperative cannot ",
                     AfterSaleActionVerb(action), " an after-sale"));
  }
  if (decision && actor == AfterSaleActor::kPartner) {
    return FailedPrecondition("REFUND_DECIDED_BY_COOPERATIVE",
                              absl::StrCat("the cooperative decides this partner's refunds; the "
                                           "partner cannot ",
                                           AfterSaleActionVerb(action), " an after-sale"));
  }
  return absl::OkStatus();
}

absl::Status CheckOrderAcceptsAfterSale(v1::OrderState order_state) {
  if (order_state == v1::ORDER_STATE_UNSPECIFIED ||
      order_state == v1::ORDER_STATE_PENDING_PAYMENT || order_state == v1::ORDER_STATE_CANCELLED) {
    return FailedPrecondition("INVALID_STATE_TRANSITION",
                              absl::StrCat("an after-sale needs a paid order; the order is ",
                                           v1::OrderState_Name(order_state)));
  }
  return absl::OkStatus();
}

absl::Status CheckRefundWithinPaid(absl::string_view field, absl::string_view external_line_id,
                                   int64_t line_total_fen, int64_t counted_fen,
                                   int64_t refund_fen) {
  if (refund_fen <= 0) return InvalidField(std::string(field), "must be greater than 0");
  // counted_fen <= line_total_fen is kept by this very rule, so the subtraction cannot overflow.
  const int64_t refundable = line_total_fen - counted_fen;
  if (refund_fen > refundable) {
    return FailedPrecondition(
        "REFUND_EXCEEDS_PAID",
        absl::StrCat("line ", external_line_id, ": a refund of ", refund_fen, " fen exceeds the ",
                     refundable, " fen still refundable"),
        {{"external_line_id", std::string(external_line_id)},
         {"line_total_fen", absl::StrCat(line_total_fen)},
         {"refundable_fen", absl::StrCat(refundable)}});
  }
  return absl::OkStatus();
}

bool NeedsReversal(v1::OrderState order_state, v1::AfterSaleState after_sale_state) {
  return order_state == v1::ORDER_STATE_COMPLETED &&
         after_sale_state == v1::AFTER_SALE_STATE_COMPLETED;
}

}  // namespace cooplink::orders
