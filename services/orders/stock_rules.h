// The stock saga's rules, apart from storage and the network: which step an order's stock needs
// next, what a catalog answer makes of it, and the ids that make every step safe to repeat. The
// saga (stock_saga.cc) records the order first, then calls catalog, then records the outcome —
// never holding a transaction across the call — so a crash between two steps leaves an order whose
// next step is still due, which the recovery job (or the next upsert) runs again with the same ids.
//
//   stock_status  order state                 next step
//   PENDING       not CANCELLED               reserve   (-> RESERVED, or SHORT when stock lacks)
//   SHORT         PENDING_PAYMENT or PAID     reserve   (a retry, at most every retry interval)
//   RESERVED      PAID or later               commit    (-> COMMITTED; a lapsed hold: reserve anew)
//   PENDING       CANCELLED                   release   (a hold may exist) -> RELEASED
//   RESERVED      CANCELLED                   release   -> RELEASED
//   COMMITTED     CANCELLED                   return    (RETURN stock movements) -> RELEASED
//   anything else                             none
#ifndef COOPLINK_SERVICES_ORDERS_STOCK_RULES_H_
#define COOPLINK_SERVICES_ORDERS_STOCK_RULES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cooplink/orders/v1/orders.pb.h"

namespace cooplink::orders {

namespace v1 = ::cooplink::orders::v1;

enum class StockStep { kNone, kReserve, kCommit, kRelease, kReturn };
absl::string_view StockStepName(StockStep step);

StockStep NextStockStep(v1::OrderState state, v1::OrderStockStatus stock);

// What a failed catalog call means for the step.
enum class StockFailure {
  kShort,       // the goods are not there (INSUFFICIENT_STOCK, PRODUCT_NOT_AVAILABLE): SHORT
  kHoldLapsed,  // commit found the hold expired or released: reserve anew, then commit
  kCommitted,   // release found the hold committed: return the goods instead
  kGone,        // release found no such hold: nothing is held, RELEASED
  kRetry,       // anything else (catalog unreachable, deadline, overload): the step stays due
};
StockFailure ClassifyStockFailure(StockStep step, const absl::Status& status);

// The reservation the service makes for an order's attempt n: "ord-<order id>-<n>". Unique per
// order and attempt, so repeating a reserve step creates nothing twice (catalog dedupes by it).
std::string ReservationIdFor(absl::string_view order_id, int attempt);
// The order id inside a reservation id this service made ("ord-<26-character order id>-<n>", n a
// positive attempt number); nullopt for any other id — e.g. a partner's own checkout reservation
// that merely starts with "ord-", which the orphan job must leave alone.
std::optional<std::string> OrderIdOfReservation(absl::string_view reservation_id);
// Idempotency keys of the catalog calls of one step ("c-"/"r-" + reservation id; "t-<order id>-<n>"
// for the return of the order's n-th product).
std::string CommitRequestId(absl::string_view reservation_id);
std::string ReleaseRequestId(absl::string_view reservation_id);
std::string ReturnRequestId(absl::string_view order_id, int product_index);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_STOCK_RULES_H_
