#include "services/orders/fulfilment_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"
#include "services/orders/orders_limits.h"

namespace cooplink::orders {
namespace {

absl::Status Refusal(FulfilmentAction action, v1::FulfilmentState from) {
  return FailedPrecondition(
      "INVALID_STATE_TRANSITION",
      absl::StrCat("cannot ", FulfilmentActionVerb(action), " a fulfilment in state ",
                   v1::FulfilmentState_Name(from)));
}

bool OrderAcceptsShipmentWork(v1::OrderState s) {
  return s == v1::ORDER_STATE_PAID || s == v1::ORDER_STATE_PARTIALLY_SHIPPED;
}

absl::Status OrderRefusal(absl::string_view verb, v1::OrderState s) {
  return FailedPrecondition(
      "INVALID_STATE_TRANSITION",
      absl::StrCat("cannot ", verb, " a fulfilment of an order in state ", v1::OrderState_Name(s)));
}

}  // namespace

absl::string_view FulfilmentActionVerb(FulfilmentAction action) {
  switch (action) {
    case FulfilmentAction::kPack:
      return "pack";
    case FulfilmentAction::kShip:
      return "ship";
    case FulfilmentAction::kDeliver:
      return "deliver";
    case FulfilmentAction::kCancel:
      return "cancel";
  }
  return "?";
}

absl::StatusOr<v1::FulfilmentState> NextFulfilmentState(FulfilmentAction action,
                                                        v1::FulfilmentState from) {
  switch (action) {
    case FulfilmentAction::kPack:
      if (from == v1::FULFILMENT_STATE_TO_PACK) return v1::FULFILMENT_STATE_PACKED;
      break;
    case FulfilmentAction::kShip:
      if (from == v1::FULFILMENT_STATE_PACKED) return v1::FULFILMENT_STATE_SHIPPED;
      if (from == v1::FULFILMENT_STATE_TO_PACK) {
        return FailedPrecondition("NOT_PACKED", "a fulfilment is shipped once it is packed");
      }
      if (from == v1::FULFILMENT_STATE_SHIPPED || from == v1::FULFILMENT_STATE_DELIVERED) {
        return WithReason(absl::AlreadyExistsError("the fulfilment is already shipped"),
                          "ALREADY_EXISTS");
      }
      break;
    case FulfilmentAction::kDeliver:
      if (from == v1::FULFILMENT_STATE_SHIPPED || from == v1::FULFILMENT_STATE_DELIVERED) {
        return v1::FULFILMENT_STATE_DELIVERED;
      }
      break;
    case FulfilmentAction::kCancel:
      if (from == v1::FULFILMENT_STATE_TO_PACK || from == v1::FULFILMENT_STATE_PACKED) {
        return v1::FULFILMENT_STATE_CANCELLED;
      }
      break;
  }
  return Refusal(action, from);
}

absl::Status CheckOrderAllowsPacking(v1::OrderState order_state, v1::OrderStockStatus stock) {
  if (!OrderAcceptsShipmentWork(order_state)) return OrderRefusal("pack", order_state);
  if (stock == v1::ORDER_STOCK_STATUS_SHORT) {
    return FailedPrecondition("STOCK_SHORT",
                              "the order's stock could not be reserved; restock or cancel it");
  }
  if (stock != v1::ORDER_STOCK_STATUS_COMMITTED) {
    return FailedPrecondition(
        "STOCK_NOT_COMMITTED",
        "the order's stock is still being reserved in catalog; retry shortly");
  }
  return absl::OkStatus();
}

absl::Status CheckOrderAllowsShipping(v1::OrderState order_state, bool shipping_held) {
  if (!OrderAcceptsShipmentWork(order_state)) return OrderRefusal("ship", order_state);
  if (shipping_held) {
    return FailedPrecondition("SHIPPING_HELD",
                              "the partner platform forbids shipping this order for now");
  }
  return absl::OkStatus();
}

absl::Status CheckPackedWeight(absl::string_view field, absl::string_view external_line_id,
                               int64_t required_weight_grams, int64_t packed_weight_grams) {
  if (packed_weight_grams < kPackedWeightGrams.min) {
    return InvalidField(std::string(field),
                        absl::StrCat("must be ", DescribeLimit(kPackedWeightGrams)));
  }
  if (packed_weight_grams < required_weight_grams) {
    return FailedPrecondition(
        "UNDERWEIGHT",
        absl::StrCat("line ", external_line_id, " weighs ", packed_weight_grams,
                     " g, less than the required ", required_weight_grams, " g"),
        {{"external_line_id", std::string(external_line_id)},
         {"required_weight_grams", absl::StrCat(required_weight_grams)},
         {"packed_weight_grams", absl::StrCat(packed_weight_grams)}});
  }
  return absl::OkStatus();
}

}  // namespace cooplink::orders
