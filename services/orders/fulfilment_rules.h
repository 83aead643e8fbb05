// The rules of fulfilments (the part of an order one cooperative packs and ships), apart from
// storage: the lifecycle, what the order must allow before packing and shipping, and the packed
// weight of goods sold by weight. Pure functions: no SQL, no gRPC. How fulfilment states roll up
// into the order's state is order_rules.h RollUp.
//
// The lifecycle:
//   pack     TO_PACK           -> PACKED     (else INVALID_STATE_TRANSITION)
//   ship     PACKED            -> SHIPPED    (TO_PACK: NOT_PACKED; SHIPPED, DELIVERED:
//                                             ALREADY_EXISTS; CANCELLED: INVALID_STATE_TRANSITION)
//   deliver  SHIPPED           -> DELIVERED  (DELIVERED stays DELIVERED: a repeated confirmation
//                                             changes nothing; else INVALID_STATE_TRANSITION)
//   cancel   TO_PACK, PACKED   -> CANCELLED  (else INVALID_STATE_TRANSITION)
// DELIVERED and CANCELLED are final.
#ifndef COOPLINK_SERVICES_ORDERS_FULFILMENT_RULES_H_
#define COOPLINK_SERVICES_ORDERS_FULFILMENT_RULES_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cooplink/orders/v1/orders.pb.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

inline constexpr v1::FulfilmentState kFulfilmentStates[] = {
    v1::FULFILMENT_STATE_TO_PACK, v1::FULFILMENT_STATE_PACKED, v1::FULFILMENT_STATE_SHIPPED,
    v1::FULFILMENT_STATE_DELIVERED, v1::FULFILMENT_STATE_CANCELLED};

enum class FulfilmentAction { kPack, kShip, kDeliver, kCancel };
inline constexpr FulfilmentAction kFulfilmentActions[] = {
    FulfilmentAction::kPack, FulfilmentAction::kShip, FulfilmentAction::kDeliver,
    FulfilmentAction::kCancel};
absl::string_view FulfilmentActionVerb(FulfilmentAction action);

// The state `action` leads to from `from`, or the refusal listed in the file comment.
absl::StatusOr<v1::FulfilmentState> NextFulfilmentState(FulfilmentAction action,
                                                        v1::FulfilmentState from);

// Before packing: the order is PAID or PARTIALLY_SHIPPED (else INVALID_STATE_TRANSITION) and its
// stock is COMMITTED (SHORT: FAILED_PRECONDITION STOCK_SHORT; PENDING or RESERVED, the saga still
// under way: FAILED_PRECONDITION STOCK_NOT_COMMITTED). A held order may be packed.
absl::Status CheckOrderAllowsPacking(v1::OrderState order_state, v1::OrderStockStatus stock);

// Before shipping: the order is PAID or PARTIALLY_SHIPPED (else INVALID_STATE_TRANSITION) and the
// platform does not forbid shipping it (FAILED_PRECONDITION SHIPPING_HELD).
absl::Status CheckOrderAllowsShipping(v1::OrderState order_state, bool shipping_held);

// One sold-by-weight line's packed net weight: greater than 0 (INVALID_ARGUMENT on `field`) and at
// least the required weight (FAILED_PRECONDITION UNDERWEIGHT, with metadata "external_line_id",
// "required_weight_grams" and "packed_weight_grams").
absl::Status CheckPackedWeight(absl::string_view field, absl::string_view external_line_id,
                               int64_t required_weight_grams, int64_t packed_weight_grams);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_FULFILMENT_RULES_H_
