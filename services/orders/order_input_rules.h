// The rules of what a partner reports, apart from storage: validating UpsertPartnerOrder, the
// buyer contact's masks, the fingerprints that tell an unchanged push and changed lines apart, and
// the quantities to reserve per product. Pure functions: no SQL, no gRPC, no clock of their own.
#ifndef COOPLINK_SERVICES_ORDERS_ORDER_INPUT_RULES_H_
#define COOPLINK_SERVICES_ORDERS_ORDER_INPUT_RULES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cooplink/orders/v1/orders.pb.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

// INVALID_ARGUMENT with one field violation per bad field of the request (the limits of
// orders_limits.h; lines unique by external_line_id; line_total at most quantity × unit_price;
// both platform times set; reported_state a defined state; reservation_id, when set, a valid
// reservation id), OK otherwise. Fields that are output only are ignored.
absl::Status ValidateUpsert(const v1::UpsertPartnerOrderRequest& req);

// "张**": the first character, then one "*" per further character.
std::string MaskName(absl::string_view name);
// A mainland mobile (11 digits starting with 1) -> "138****5678"; a value already holding "*" (the
// platform's own mask) as given; anything else "*" and its last 4 characters ("****" if shorter).
std::string MaskPhone(absl::string_view phone);
// The street address is never shown masked: "****".
inline constexpr char kMaskedAddress[] = "****";

// SHA-256 (hex) of the lines as reported (external_line_id, product_id, quantity, unit_price,
// line_total, in request order): equal fingerprints, equal lines.
std::string LinesFingerprint(const v1::Order& order);
// SHA-256 (hex) of everything the partner reports that the service keeps (the order's reported
// fields, lines, buyer contact, reported state): equal fingerprints, an UNCHANGED push.
std::string ContentFingerprint(const v1::UpsertPartnerOrderRequest& req);

// Quantity per product, products in first-seen order: a product repeated over several lines is
// reserved once, for the summed quantity.
std::vector<std::pair<std::string, int64_t>> QuantitiesByProduct(const v1::Order& order);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDER_INPUT_RULES_H_
