#include "services/orders/stock_rules.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/ids.h"
#include "services/common/status.h"

namespace cooplink::orders {

absl::string_view StockStepName(StockStep step) {
  switch (step) {
    case StockStep::kNone:
      return "none";
    case StockStep::kReserve:
      return "reserve";
    case StockStep::kCommit:
      return "commit";
    case StockStep::kRelease:
      return "release";
    case StockStep::kReturn:
      return "return";
  }
  return "unknown";
}

StockStep NextStockStep(v1::OrderState state, v1::OrderStockStatus stock) {
  const bool cancelled = state == v1::ORDER_STATE_CANCELLED;
  switch (stock) {
    case v1::ORDER_STOCK_STATUS_PENDING:
      return cancelled ? StockStep::kRelease : StockStep::kReserve;
    case v1::ORDER_STOCK_STATUS_SHORT:
      return state == v1::ORDER_STATE_PENDING_PAYMENT || state == v1::ORDER_STATE_PAID
                 ? StockStep::kReserve
                 : StockStep::kNone;
    case v1::ORDER_STOCK_STATUS_RESERVED:
      if (cancelled) return StockStep::kRelease;
      return state == v1::ORDER_STATE_PENDING_PAYMENT ? StockStep::kNone : StockStep::kCommit;
    case v1::ORDER_STOCK_STATUS_COMMITTED:
      return cancelled ? StockStep::kReturn : StockStep::kNone;
    default:
      return StockStep::kNone;
  }
}

StockFailure ClassifyStockFailure(StockStep step, const absl::Status& status) {
  const std::string reason = ReasonOf(status);
  switch (step) {
    case StockStep::kReserve:
      if (reason == "INSUFFICIENT_STOCK" || reason == "PRODUCT_NOT_AVAILABLE") {
        return StockFailure::kShort;
      }
      // A product that became unavailable can also answer INVALID_ARGUMENT (below its minimum
      // order quantity since the order was placed): the goods cannot be reserved as ordered.
      if (status.code() == absl::StatusCode::kInvalidArgument) return StockFailure::kShort;
      return StockFailure::kRetry;
    case StockStep::kCommit:
      if (reason == "RESERVATION_NOT_HELD" || status.code() == absl::StatusCode::kNotFound) {
        return StockFailure::kHoldLapsed;
      }
      return StockFailure::kRetry;
    case StockStep::kRelease:
      if (reason == "RESERVATION_COMMITTED") return StockFailure::kCommitted;
      if (status.code() == absl::StatusCode::kNotFound) return StockFailure::kGone;
      return StockFailure::kRetry;
    default:
      return StockFailure::kRetry;
  }
}

std::string ReservationIdFor(absl::string_view order_id, int attempt) {
  return absl::StrCat("ord-", order_id, "-", attempt);
}
std::optional<std::string> OrderIdOfReservation(absl::string_view reservation_id) {
  constexpr size_t kIdLength = 26;
  absl::string_view rest = reservation_id;
  if (!absl::ConsumePrefix(&rest, "ord-") || rest.size() < kIdLength + 2 ||
      rest[kIdLength] != '-') {
    return std::nullopt;
  }
  const absl::string_view order_id = rest.substr(0, kIdLength);
  int attempt = 0;
  if (!LooksLikeId(order_id) || !absl::SimpleAtoi(rest.substr(kIdLength + 1), &attempt) ||
      attempt < 1 || ReservationIdFor(order_id, attempt) != reservation_id) {
    return std::nullopt;  // the round trip rejects signs, spaces and leading zeros
  }
  return std::string(order_id);
}
std::string CommitRequestId(absl::string_view reservation_id) {
  return absl::StrCat("c-", reservation_id);
}
std::string ReleaseRequestId(absl::string_view reservation_id) {
  return absl::StrCat("r-", reservation_id);
}
std::string ReturnRequestId(absl::string_view order_id, int product_index) {
  return absl::StrCat("t-", order_id, "-", product_index);
}

}  // namespace cooplink::orders
