// Every limit orders.proto states for a request field, written once (see services/common/limits.h
// for what an entry means). The validators in *_rules.cc check fields against these entries; a
// limit changes here and in the proto comment, nowhere else.
#ifndef COOPLINK_SERVICES_ORDERS_ORDERS_LIMITS_H_
#define COOPLINK_SERVICES_ORDERS_ORDERS_LIMITS_H_

#include "absl/time/time.h"
#include "services/common/limits.h"

namespace cooplink::orders {

namespace limits {
inline constexpr char kOrder[] = "cooplink.orders.v1.Order";
inline constexpr char kLine[] = "cooplink.orders.v1.OrderLine";
inline constexpr char kBuyer[] = "cooplink.orders.v1.BuyerContact";
inline constexpr char kShipment[] = "cooplink.orders.v1.Shipment";
inline constexpr char kAfterSale[] = "cooplink.orders.v1.AfterSale";
inline constexpr char kAfterSaleLine[] = "cooplink.orders.v1.AfterSaleLine";
inline constexpr char kPackedLine[] = "cooplink.orders.v1.PackedLine";
inline constexpr char kReconciliation[] = "cooplink.orders.v1.ListOrdersForReconciliationRequest";
}  // namespace limits

// Orders (UpsertPartnerOrder).
inline constexpr FieldLimit kShopId = Limit(limits::kOrder, "shop_id", LimitKind::kText, 1, 64);
inline constexpr FieldLimit kExternalOrderId =
    Limit(limits::kOrder, "external_order_id", LimitKind::kText, 1, 64);
inline constexpr FieldLimit kPartnerStatus =
    Limit(limits::kOrder, "partner_status", LimitKind::kText, 1, 64);
inline constexpr FieldLimit kOrderLines = Limit(limits::kOrder, "lines", LimitKind::kCount, 1, 100);
inline constexpr FieldLimit kShippingFee =
    Limit(limits::kOrder, "shipping_fee", LimitKind::kFen, 0, kUnbounded).Optional();
// A partner's checkout reservation: the alphabet of request ids ([A-Za-z0-9_-]); empty for none.
inline constexpr FieldLimit kPartnerReservationId =
    Limit(limits::kOrder, "reservation_id", LimitKind::kToken, 0, 64);
inline constexpr FieldLimit kExternalLineId =
    Limit(limits::kLine, "external_line_id", LimitKind::kText, 1, 64);
inline constexpr FieldLimit kLineQuantity =
    Limit(limits::kLine, "quantity", LimitKind::kInteger, 1, 1'000'000);
inline constexpr FieldLimit kUnitPrice =
    Limit(limits::kLine, "unit_price", LimitKind::kFen, 0, kUnbounded);
// The upper bound (quantity × unit_price) depends on the line; the validator checks it.
inline constexpr FieldLimit kLineTotal =
    Limit(limits::kLine, "line_total", LimitKind::kFen, 0, kUnbounded);
inline constexpr FieldLimit kBuyerName = Limit(limits::kBuyer, "name", LimitKind::kText, 1, 50);
inline constexpr FieldLimit kBuyerPhone = Limit(limits::kBuyer, "phone", LimitKind::kToken, 1, 20);
inline constexpr FieldLimit kBuyerRegionCode =
    Limit(limits::kBuyer, "region_code", LimitKind::kDigits, 6, 6);
inline constexpr FieldLimit kBuyerAddress =
    Limit(limits::kBuyer, "address", LimitKind::kText, 1, 200);
inline constexpr FieldLimit kBuyerContactRef =
    Limit(limits::kBuyer, "platform_contact_ref", LimitKind::kText, 0, 512);

// Reasons (CancelOrder, RejectAfterSale, CloseAfterSale).
inline constexpr FieldLimit kCancelReason =
    Limit("cooplink.orders.v1.CancelOrderRequest", "reason", LimitKind::kText, 1, 500);
inline constexpr FieldLimit kRejectReason =
    Limit("cooplink.orders.v1.RejectAfterSaleRequest", "reason", LimitKind::kText, 1, 500);
inline constexpr FieldLimit kCloseReason =
    Limit("cooplink.orders.v1.CloseAfterSaleRequest", "reason", LimitKind::kText, 0, 500);

// Fulfilments and shipments.
inline constexpr FieldLimit kPackedWeightGrams =
    Limit(limits::kPackedLine, "packed_weight_grams", LimitKind::kInteger, 1, kUnbounded);
inline constexpr FieldLimit kCarrierCode =
    Limit(limits::kShipment, "carrier_code", LimitKind::kToken, 1, 32);
inline constexpr FieldLimit kTrackingNumber =
    Limit(limits::kShipment, "tracking_number", LimitKind::kToken, 1, 40);

// After-sales.
inline constexpr FieldLimit kExternalAfterSaleId =
    Limit(limits::kAfterSale, "external_after_sale_id", LimitKind::kText, 0, 64);
inline constexpr FieldLimit kAfterSaleLines =
    Limit(limits::kAfterSale, "lines", LimitKind::kCount, 1, 100);
inline constexpr FieldLimit kAfterSaleReason =
    Limit(limits::kAfterSale, "reason", LimitKind::kText, 1, 500);
inline constexpr FieldLimit kAfterSaleRefund =
    Limit(limits::kAfterSaleLine, "refund", LimitKind::kFen, 1, kUnbounded);

// Reconciliation: the shop filter (empty: every shop of the partner); the window is positive and
// at most 7 days (a span between two Timestamps, which no FieldLimit kind expresses: checked in
// order_reads.cc and walked by tests/integration/orders/limits_test.cc).
inline constexpr FieldLimit kReconciliationShopId =
    Limit(limits::kReconciliation, "shop_id", LimitKind::kText, 0, 64);
inline constexpr absl::Duration kMaxReconciliationWindow = absl::Hours(24 * 7);

// Every entry above, for the tests that hold them to orders.proto and to the server.
inline constexpr FieldLimit kOrdersLimits[] = {
    kShopId,
    kExternalOrderId,
    kPartnerStatus,
    kOrderLines,
    kShippingFee,
    kPartnerReservationId,
    kExternalLineId,
    kLineQuantity,
    kUnitPrice,
    kLineTotal,
    kBuyerName,
    kBuyerPhone,
    kBuyerRegionCode,
    kBuyerAddress,
    kBuyerContactRef,
    kCancelReason,
    kRejectReason,
    kCloseReason,
    kPackedWeightGrams,
    kCarrierCode,
    kTrackingNumber,
    kExternalAfterSaleId,
    kAfterSaleLines,
    kAfterSaleReason,
    kAfterSaleRefund,
    kReconciliationShopId,
};

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDERS_LIMITS_H_
