// Fulfilment and after-sale rules without a database: every action in every state, what the order
// must allow before packing and shipping (SHIPPING_HELD, STOCK_SHORT), packed weights, which side
// decides refunds, and the refund cap.
#include <gtest/gtest.h>

#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "services/common/status.h"
#include "services/orders/after_sale_rules.h"
#include "services/orders/fulfilment_rules.h"

namespace cooplink::orders {
namespace {

using F = v1::FulfilmentState;
constexpr F kUnset = v1::FULFILMENT_STATE_UNSPECIFIED;

// Expected outcome per (action, state): the next state, or the refusal's code and reason.
struct Outcome {
  F next = kUnset;
  absl::StatusCode code = absl::StatusCode::kOk;
  const char* reason = "";
};

Outcome Next(F s) { return {s}; }
Outcome Refused(const char* reason, absl::StatusCode code = absl::StatusCode::kFailedPrecondition) {
  return {kUnset, code, reason};
}

TEST(FulfilmentRulesTest, EveryActionInEveryState) {
  using A = FulfilmentAction;
  const Outcome invalid = Refused("INVALID_STATE_TRANSITION");
  const std::map<std::pair<A, F>, Outcome> expected = {
      {{A::kPack, v1::FULFILMENT_STATE_TO_PACK}, Next(v1::FULFILMENT_STATE_PACKED)},
      {{A::kPack, v1::FULFILMENT_STATE_PACKED}, invalid},
      {{A::kPack, v1::FULFILMENT_STATE_SHIPPED}, invalid},
      {{A::kPack, v1::FULFILMENT_STATE_DELIVERED}, invalid},
      {{A::kPack, v1::FULFILMENT_STATE_CANCELLED}, invalid},
      {{A::kShip, v1::FULFILMENT_STATE_TO_PACK}, Refused("NOT_PACKED")},
      {{A::kShip, v1::FULFILMENT_STATE_PACKED}, Next(v1::FULFILMENT_STATE_SHIPPED)},
      {{A::kShip, v1::FULFILMENT_STATE_SHIPPED},
       Refused("ALREADY_EXISTS", absl::StatusCode::kAlreadyExists)},
      {{A::kShip, v1::FULFILMENT_STATE_DELIVERED},
       Refused("ALREADY_EXISTS", absl::StatusCode::kAlreadyExists)},
      {{A::kShip, v1::FULFILMENT_STATE_CANCELLED}, invalid},
      {{A::kDeliver, v1::FULFILMENT_STATE_TO_PACK}, invalid},
      {{A::kDeliver, v1::FULFILMENT_STATE_PACKED}, invalid},
      {{A::kDeliver, v1::FULFILMENT_STATE_SHIPPED}, Next(v1::FULFILMENT_STATE_DELIVERED)},
      {{A::kDeliver, v1::FULFILMENT_STATE_DELIVERED}, Next(v1::FULFILMENT_STATE_DELIVERED)},
      {{A::kDeliver, v1::FULFILMENT_STATE_CANCELLED}, invalid},
      {{A::kCancel, v1::FULFILMENT_STATE_TO_PACK}, Next(v1::FULFILMENT_STATE_CANCELLED)},
      {{A::kCancel, v1::FULFILMENT_STATE_PACKED}, Next(v1::FULFILMENT_STATE_CANCELLED)},
      {{A::kCancel, v1::FULFILMENT_STATE_SHIPPED}, invalid},
      {{A::kCancel, v1::FULFILMENT_STATE_DELIVERED}, invalid},
      {{A::kCancel, v1::FULFILMENT_STATE_CANCELLED}, invalid},
  };
  ASSERT_EQ(expected.size(), std::size(kFulfilmentActions) * std::size(kFulfilmentStates));
  for (A action : kFulfilmentActions) {
    for (F from : kFulfilmentStates) {
      SCOPED_TRACE(::testing::Message()
                   << FulfilmentActionVerb(action) << " " << v1::FulfilmentState_Name(from));
      const Outcome& want = expected.at({action, from});
      absl::StatusOr<F> got = NextFulfilmentState(action, from);
      if (want.next != kUnset) {
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_EQ(*got, want.next);
      } else {
        ASSERT_FALSE(got.ok());
        EXPECT_EQ(got.status().code(), want.code);
        EXPECT_EQ(ReasonOf(got.status()), want.reason);
      }
    }
  }
}

TEST(FulfilmentRulesTest, OrderMustAllowPackingAndShipping) {
  for (v1::OrderState s :
       {v1::ORDER_STATE_UNSPECIFIED, v1::ORDER_STATE_PENDING_PAYMENT, v1::ORDER_STATE_PAID,
        v1::ORDER_STATE_PARTIALLY_SHIPPED, v1::ORDER_STATE_SHIPPED, v1::ORDER_STATE_DELIVERED,
        v1::ORDER_STATE_COMPLETED, v1::ORDER_STATE_CANCELLED}) {
    const bool open = s == v1::ORDER_STATE_PAID || s == v1::ORDER_STATE_PARTIALLY_SHIPPED;
    SCOPED_TRACE(v1::OrderState_Name(s));
    const absl::Status pack = CheckOrderAllowsPacking(s, v1::ORDER_STOCK_STATUS_COMMITTED);
    const absl::Status ship = CheckOrderAllowsShipping(s, false);
    EXPECT_EQ(pack.ok(), open);
    EXPECT_EQ(ship.ok(), open);
    if (!open) {
      EXPECT_EQ(ReasonOf(pack), "INVALID_STATE_TRANSITION");
      EXPECT_EQ(ReasonOf(ship), "INVALID_STATE_TRANSITION");
    }
  }
  // A held order may be packed but not shipped.
  EXPECT_TRUE(CheckOrderAllowsPacking(v1::ORDER_STATE_PAID, v1::ORDER_STOCK_STATUS_COMMITTED).ok());
  const absl::Status held = CheckOrderAllowsShipping(v1::ORDER_STATE_PAID, true);
  EXPECT_EQ(held.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(held), "SHIPPING_HELD");
  EXPECT_EQ(ReasonOf(CheckOrderAllowsShipping(v1::ORDER_STATE_PARTIALLY_SHIPPED, true)),
            "SHIPPING_HELD");
  // Short stock blocks packing.
  EXPECT_EQ(ReasonOf(CheckOrderAllowsPacking(v1::ORDER_STATE_PAID, v1::ORDER_STOCK_STATUS_SHORT)),
            "STOCK_SHORT");
  // Stock still being reserved or committed blocks packing too.
  for (auto stock : {v1::ORDER_STOCK_STATUS_PENDING, v1::ORDER_STOCK_STATUS_RESERVED}) {
    EXPECT_EQ(ReasonOf(CheckOrderAllowsPacking(v1::ORDER_STATE_PAID, stock)),
              "STOCK_NOT_COMMITTED");
  }
}

TEST(FulfilmentRulesTest, PackedWeight) {
  EXPECT_TRUE(CheckPackedWeight("packed_lines[0]", "L1", 500, 500).ok());
  EXPECT_TRUE(CheckPackedWeight("packed_lines[0]", "L1", 500, 501).ok());
  const absl::Status under = CheckPackedWeight("packed_lines[0]", "L1", 500, 499);
  EXPECT_EQ(under.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(under), "UNDERWEIGHT");
  EXPECT_EQ(ReasonMetadataOf(under).at("required_weight_grams"), "500");
  EXPECT_EQ(ReasonMetadataOf(under).at("packed_weight_grams"), "499");
  for (int64_t bad : {int64_t{0}, int64_t{-1}}) {
    EXPECT_EQ(CheckPackedWeight("packed_lines[0]", "L1", 0, bad).code(),
              absl::StatusCode::kInvalidArgument);
  }
}

using AS = v1::AfterSaleState;

TEST(AfterSaleRulesTest, EveryActionInEveryState) {
  using A = AfterSaleAction;
  const std::map<std::pair<A, AS>, AS> legal = {
      {{A::kApprove, v1::AFTER_SALE_STATE_REQUESTED}, v1::AFTER_SALE_STATE_APPROVED},
      {{A::kReject, v1::AFTER_SALE_STATE_REQUESTED}, v1::AFTER_SALE_STATE_REJECTED},
      {{A::kComplete, v1::AFTER_SALE_STATE_APPROVED}, v1::AFTER_SALE_STATE_COMPLETED},
      {{A::kClose, v1::AFTER_SALE_STATE_REQUESTED}, v1::AFTER_SALE_STATE_CLOSED},
      {{A::kClose, v1::AFTER_SALE_STATE_APPROVED}, v1::AFTER_SALE_STATE_CLOSED},
  };
  int refused = 0;
  for (A action : kAfterSaleActions) {
    for (AS from : kAfterSaleStates) {
      SCOPED_TRACE(::testing::Message()
                   << AfterSaleActionVerb(action) << " " << v1::AfterSaleState_Name(from));
      absl::StatusOr<AS> got = NextAfterSaleState(action, from);
      auto it = legal.find({action, from});
      if (it != legal.end()) {
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_EQ(*got, it->second);
      } else {
        ++refused;
        ASSERT_FALSE(got.ok());
        EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(got.status()), "INVALID_STATE_TRANSITION");
      }
    }
  }
  EXPECT_EQ(refused, 4 * 5 - 5);
  for (AS s : kAfterSaleStates) {
    EXPECT_EQ(IsOpen(s), s == v1::AFTER_SALE_STATE_REQUESTED || s == v1::AFTER_SALE_STATE_APPROVED);
    EXPECT_EQ(CountsAgainstPaid(s),
              s != v1::AFTER_SALE_STATE_REJECTED && s != v1::AFTER_SALE_STATE_CLOSED);
  }
}

TEST(AfterSaleRulesTest, OneSideDecidesNeverBoth) {
  using A = AfterSaleAction;
  using R = AfterSaleActor;
  for (A action : kAfterSaleActions) {
    SCOPED_TRACE(AfterSaleActionVerb(action));
    const bool decision = action == A::kApprove || action == A::kReject;
    // Platform decides: the partner reports everything, the cooperative nothing.
    EXPECT_TRUE(CheckDecider(common::v1::REFUND_DECIDER_PLATFORM, action, R::kPartner).ok());
    EXPECT_TRUE(CheckDecider(common::v1::REFUND_DECIDER_PLATFORM, action, R::kPlatformAdmin).ok());
    EXPECT_EQ(ReasonOf(CheckDecider(common::v1::REFUND_DECIDER_PLATFORM, action, R::kCooperative)),
              "REFUND_DECIDED_BY_PLATFORM");
    // Cooperative decides: approve and reject are the cooperative's alone.
    EXPECT_TRUE(CheckDecider(common::v1::REFUND_DECIDER_COOPERATIVE, action, R::kCooperative).ok());
    EXPECT_TRUE(
        CheckDecider(common::v1::REFUND_DECIDER_COOPERATIVE, action, R::kPlatformAdmin).ok());
    const absl::Status partner =
        CheckDecider(common::v1::REFUND_DECIDER_COOPERATIVE, action, R::kPartner);
    EXPECT_EQ(partner.ok(), !decision);
    if (decision) {
      EXPECT_EQ(ReasonOf(partner), "REFUND_DECIDED_BY_COOPERATIVE");
    }
    // No decider configured.
    EXPECT_EQ(ReasonOf(CheckDecider(common::v1::REFUND_DECIDER_UNSPECIFIED, action, R::kPartner)),
              "REFUND_DECIDER_UNSET");
  }
}

TEST(AfterSaleRulesTest, OrdersThatAcceptAnAfterSale) {
  for (v1::OrderState s :
       {v1::ORDER_STATE_UNSPECIFIED, v1::ORDER_STATE_PENDING_PAYMENT, v1::ORDER_STATE_PAID,
        v1::ORDER_STATE_PARTIALLY_SHIPPED, v1::ORDER_STATE_SHIPPED, v1::ORDER_STATE_DELIVERED,
        v1::ORDER_STATE_COMPLETED, v1::ORDER_STATE_CANCELLED}) {
    const bool accepts = s != v1::ORDER_STATE_UNSPECIFIED && s != v1::ORDER_STATE_PENDING_PAYMENT &&
                         s != v1::ORDER_STATE_CANCELLED;
    const absl::Status status = CheckOrderAcceptsAfterSale(s);
    EXPECT_EQ(status.ok(), accepts) << v1::OrderState_Name(s);
    if (!accepts) {
      EXPECT_EQ(ReasonOf(status), "INVALID_STATE_TRANSITION");
    }
  }
  // Only a refund completed on a completed (settled) order reverses settlements.
  for (AS s : kAfterSaleStates) {
    EXPECT_EQ(NeedsReversal(v1::ORDER_STATE_COMPLETED, s), s == v1::AFTER_SALE_STATE_COMPLETED);
    EXPECT_FALSE(NeedsReversal(v1::ORDER_STATE_DELIVERED, s));
  }
}

TEST(AfterSaleRulesTest, RefundsNeverExceedTheLine) {
  EXPECT_TRUE(CheckRefundWithinPaid("lines[0].refund", "L1", 1000, 0, 1000).ok());
  EXPECT_TRUE(CheckRefundWithinPaid("lines[0].refund", "L1", 1000, 400, 600).ok());
  const absl::Status over = CheckRefundWithinPaid("lines[0].refund", "L1", 1000, 400, 601);
  EXPECT_EQ(over.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(over), "REFUND_EXCEEDS_PAID");
  EXPECT_EQ(ReasonMetadataOf(over).at("refundable_fen"), "600");
  EXPECT_EQ(ReasonOf(CheckRefundWithinPaid("f", "L1", 1000, 1000, 1)), "REFUND_EXCEEDS_PAID");
  EXPECT_EQ(CheckRefundWithinPaid("f", "L1", 1000, 0, 0).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckRefundWithinPaid("f", "L1", 1000, 0, -5).code(),
            absl::StatusCode::kInvalidArgument);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(CheckRefundWithinPaid("f", "L1", kMax, kMax - 1, 1).ok());
  EXPECT_EQ(ReasonOf(CheckRefundWithinPaid("f", "L1", kMax, kMax, kMax)), "REFUND_EXCEEDS_PAID");
}

TEST(AfterSaleRulesTest, CountedRefundsSkipRejectedAndClosed) {
  auto after_sale = [](v1::AfterSaleState state, const char* line, int64_t fen) {
    v1::AfterSale a;
    a.set_state(state);
    v1::AfterSaleLine* l = a.add_lines();
    l->set_external_line_id(line);
    l->mutable_refund()->set_fen(fen);
    return a;
  };
  const std::vector<v1::AfterSale> all = {after_sale(v1::AFTER_SALE_STATE_REQUESTED, "L1", 100),
                                          after_sale(v1::AFTER_SALE_STATE_APPROVED, "L1", 20),
                                          after_sale(v1::AFTER_SALE_STATE_COMPLETED, "L2", 3),
                                          after_sale(v1::AFTER_SALE_STATE_REJECTED, "L1", 1000),
                                          after_sale(v1::AFTER_SALE_STATE_CLOSED, "L2", 1000),
                                          after_sale(v1::AFTER_SALE_STATE_CLOSED, "L3", 1000)};
  const std::map<std::string, int64_t> want = {{"L1", 120}, {"L2", 3}};
  EXPECT_EQ(CountedRefunds(all), want);
  EXPECT_TRUE(CountedRefunds({}).empty());
}

}  // namespace
}  // namespace cooplink::orders
