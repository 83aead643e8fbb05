// The partner platforms' vocabularies as data: each platform's literal order status codes mapped
// onto the canonical OrderState (with the "held" flag for a paid order the platform forbids to ship
// yet, and what a close means), the platforms' other hold signals, and carrier codes in both
// directions. Connectors (and UpsertPartnerOrder's callers) translate through these tables; the
// README shows the same table. Pure data and lookups: no SQL, no gRPC.
//
// Every row names its source. Rows marked unconfirmed were not checked against the platform's own
// documentation: verify them before a connector relies on them (../shared/DOMAIN.md: unconfirmed
// facts are kept as data, never as constants in code).
#ifndef COOPLINK_SERVICES_ORDERS_PLATFORM_VOCABULARY_H_
#define COOPLINK_SERVICES_ORDERS_PLATFORM_VOCABULARY_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "cooplink/orders/v1/orders.pb.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

enum class Platform { kTaobao, kWeChatShop, kDouyin, kPinduoduo, kKuaishou };
inline constexpr Platform kPlatforms[] = {Platform::kTaobao, Platform::kWeChatShop,
                                          Platform::kDouyin, Platform::kPinduoduo,
                                          Platform::kKuaishou};

// "taobao", "wechat_shop", "douyin", "pinduoduo", "kuaishou".
absl::string_view PlatformName(Platform platform);
// The inverse; INVALID_ARGUMENT (field "platform") for another name.
absl::StatusOr<Platform> ParsePlatform(absl::string_view name);
// Which side decides the platform's refunds: all five decide on the platform (the seller answers
// there), so REFUND_DECIDER_PLATFORM.
common::v1::RefundDecider RefundDeciderOf(Platform platform);

// What a reported close does to an order that has already shipped.
enum class CloseEffect {
  kNone,               // not a close
  kBeforePaymentOnly,  // the platform uses it only for orders closed unpaid
  kRefundsShipped,     // on a shipped order: an after-sale refunding everything not yet refunded
};

// One status code of one platform.
struct PlatformStatus {
  Platform platform;
  absl::string_view code;     // literal, as the platform sends it
  v1::OrderState state;       // the canonical state (UpsertPartnerOrderRequest.reported_state)
  bool shipping_held;         // paid, but the platform forbids shipping for now
  CloseEffect close;          // for CANCELLED rows
  absl::string_view meaning;  // the platform's own description
  absl::string_view source;   // where the row comes from; "unconfirmed" when not checked
};

// The whole table, ordered by platform, then by the canonical state.
absl::Span<const PlatformStatus> PlatformStatuses();
// The row for `code` (exact, case-sensitive); INVALID_ARGUMENT (field "order.partner_status") for a
// code the table does not hold.
absl::StatusOr<PlatformStatus> MapPlatformStatus(Platform platform, absl::string_view code);

// A hold reported outside the status code (Pinduoduo's risk control flag).
struct PlatformHoldSignal {
  Platform platform;
  absl::string_view field;  // the platform's field name
  absl::string_view value;  // the value that means "do not ship yet"
  absl::string_view source;
};
absl::Span<const PlatformHoldSignal> PlatformHoldSignals();
// Whether `field` = `value` on `platform` holds the order's shipment.
bool IsHoldSignal(Platform platform, absl::string_view field, absl::string_view value);

// One carrier's code on one platform. cooplink's own codes are Shipment.carrier_code
// ("SF", "ZTO", "YTO", "STO", "YUNDA", "EMS", "JD", "JTSD").
struct CarrierCode {
  absl::string_view carrier;  // cooplink's code
  Platform platform;
  absl::string_view platform_code;  // the platform's code
  absl::string_view source;
};
absl::Span<const CarrierCode> CarrierCodes();
// cooplink's carrier codes, in table order.
absl::Span<const absl::string_view> CanonicalCarriers();
// cooplink's code -> the platform's; INVALID_ARGUMENT (field "shipment.carrier_code") when the
// carrier is unknown or has no code on that platform.
absl::StatusOr<absl::string_view> ToPlatformCarrier(Platform platform, absl::string_view carrier);
// The platform's code -> cooplink's; INVALID_ARGUMENT (field "carrier_code") when unknown.
absl::StatusOr<absl::string_view> FromPlatformCarrier(Platform platform,
                                                      absl::string_view platform_code);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_PLATFORM_VOCABULARY_H_
