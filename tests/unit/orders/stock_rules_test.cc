// The stock saga's pure rules: the next step per (state, stock status), what a catalog failure
// means for a step, and the reservation ids the service makes and recognises as its own.
#include "services/orders/stock_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace cooplink::orders {
namespace {

constexpr char kOrderId[] = "01JQ8ZK4M3N5P6Q7R8S9T0V1W2";

TEST(StockRulesTest, NextStep) {
  EXPECT_EQ(NextStockStep(v1::ORDER_STATE_PAID, v1::ORDER_STOCK_STATUS_PENDING),
            StockStep::kReserve);
  EXPECT_EQ(NextStockStep(v1::ORDER_STATE_CANCELLED, v1::ORDER_STOCK_STATUS_PENDING),
            StockStep::kRelease);
  EXPECT_EQ(NextStockStep(v1::ORDER_STATE_PENDING_PAYMENT, v1::ORDER_STOCK_STATUS_RESERVED),
            StockStep::kNone);
  EXPECT_EQ(NextStockStep(v1::ORDER_STATE_PAID, v1::ORDER_STOCK_STATUS_RESERVED),
            StockStep::kCommit);
  EXPECT_EQ(NextStockStep(v1::ORDER_STATE_CANCELLED, v1::ORDER_STOCK_STATUS_COMMITTED),
            StockStep::kReturn);
  EXPECT_EQ(NextStockStep(v1::ORDER_STATE_SHIPPED, v1::ORDER_STOCK_STATUS_SHORT), StockStep::kNone);
  EXPECT_EQ(NextStockStep(v1::ORDER_STATE_CANCELLED, v1::ORDER_STOCK_STATUS_RELEASED),
            StockStep::kNone);
}

TEST(StockRulesTest, AnUnreachableCatalogLeavesEveryStepDue) {
  const absl::Status unavailable = absl::UnavailableError("connection refused");
  for (StockStep step :
       {StockStep::kReserve, StockStep::kCommit, StockStep::kRelease, StockStep::kReturn}) {
    EXPECT_EQ(ClassifyStockFailure(step, unavailable), StockFailure::kRetry) << StockStepName(step);
  }
  EXPECT_EQ(ClassifyStockFailure(StockStep::kCommit, absl::NotFoundError("no reservation")),
            StockFailure::kHoldLapsed);
  EXPECT_EQ(ClassifyStockFailure(StockStep::kRelease, absl::NotFoundError("no reservation")),
            StockFailure::kGone);
}

TEST(StockRulesTest, OwnReservationIdsRoundTrip) {
  const std::string id = ReservationIdFor(kOrderId, 3);
  EXPECT_EQ(id, absl::StrCat("ord-", kOrderId, "-3"));
  EXPECT_EQ(OrderIdOfReservation(id), kOrderId);
  EXPECT_EQ(OrderIdOfReservation(ReservationIdFor(kOrderId, 12)), kOrderId);
}

TEST(StockRulesTest, OtherReservationIdsAreNotOurs) {
  for (const std::string& id :
       {std::string("ord-checkout-1"), std::string("ord-"), std::string("ord-12345"),
        absl::StrCat("ord-", kOrderId), absl::StrCat("ord-", kOrderId, "-"),
        absl::StrCat("ord-", kOrderId, "-0"), absl::StrCat("ord-", kOrderId, "-01"),
        absl::StrCat("ord-", kOrderId, "--1"), absl::StrCat("ord-", kOrderId, "-+1"),
        absl::StrCat("ord-", kOrderId, "-1x"), absl::StrCat("ord-", kOrderId, "x1"),
        absl::StrCat("bench-", kOrderId, "-1"), absl::StrCat("ORD-", kOrderId, "-1"),
        absl::StrCat("ord-", std::string(kOrderId).substr(1), "-11")}) {
    EXPECT_FALSE(OrderIdOfReservation(id).has_value()) << id;
  }
}

}  // namespace
}  // namespace cooplink::orders
