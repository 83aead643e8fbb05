// The rules of lots and stock, apart from storage: lot and adjustment validation, and which
// products take stock. Pure functions: no SQL, no transaction, no gRPC.
//
// Stock of a product: on_hand (units held), reserved (held for partners' reservations) and
// available = on_hand - reserved, never negative. A lot records a harvest (a RESTOCK movement).
#ifndef COOPLINK_SERVICES_CATALOG_STOCK_RULES_H_
#define COOPLINK_SERVICES_CATALOG_STOCK_RULES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/catalog_limits.h"
#include "services/common/status.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// kLotCode (catalog_limits.h): 1-40 characters of A-Z a-z 0-9 _ -.
bool IsLotCode(const std::string& code);

// A lot after validation.
struct ValidLot {
  std::string code;  // trimmed
  absl::CivilDay harvest;
};
// Validates CreateLot's lot into `v` (`today` in China Standard Time: no harvest in the future);
// the lot when `v` stays empty.
std::optional<ValidLot> ValidateLot(FieldViolations& v, const v1::Lot& lot, absl::CivilDay today);

// Validates AdjustStock's request into `v` (the delta's sign must suit the reason; the note is
// optional for every reason); returns the trimmed note.
std::string ValidateAdjustment(FieldViolations& v, const v1::AdjustStockRequest& req);

// FAILED_PRECONDITION INVALID_STATE_TRANSITION for an ARCHIVED product (it takes no stock).
absl::Status CheckTakesStock(const v1::Product& product);

// One product whose available stock does not cover a request.
struct StockShortfall {
  std::string product_id;
  int64_t requested = 0;  // units asked for (reserved, or removed by AdjustStock)
  int64_t available = 0;  // on_hand - reserved now
};
// At most this many short lines are also described in a google.rpc.PreconditionFailure (for
// people); the ErrorInfo metadata carries every line. A reservation of 100 short lines must still
// fit gRPC's 8 KiB trailer limit (clients refuse larger trailers with RESOURCE_EXHAUSTED).
inline constexpr size_t kMaxDescribedShortfalls = 5;
// FAILED_PRECONDITION INSUFFICIENT_STOCK. ErrorInfo metadata "available_<product_id>" = the
// product's available units (decimal) for every shortfall: what a program reads. A
// PreconditionFailure violation {type INSUFFICIENT_STOCK, subject product id, description
// "requested N, available M"} for each of the first kMaxDescribedShortfalls. The message names the
// first shortfall and the count. `shortfalls` must not be empty.
absl::Status InsufficientStock(const std::vector<StockShortfall>& shortfalls);
// FAILED_PRECONDITION INSUFFICIENT_STOCK for AdjustStock removing more than a lot holds: ErrorInfo
// metadata "lot_remaining_<lot_id>" = the lot's remaining units.
absl::Status InsufficientLot(const std::string& lot_id, int64_t requested, int64_t remaining);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_STOCK_RULES_H_
