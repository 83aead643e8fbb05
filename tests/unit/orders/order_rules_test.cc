// The canonical order state machine without a database: every (from, to) pair, every action in
// every state, the fulfilment roll-up, every reported state against every stored state, and
// automatic completion.
#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "services/common/status.h"
#include "services/orders/order_rules.h"

namespace cooplink::orders {
namespace {

using S = v1::OrderState;
constexpr S kUnspecified = v1::ORDER_STATE_UNSPECIFIED;
constexpr S kPending = v1::ORDER_STATE_PENDING_PAYMENT;
constexpr S kPaid = v1::ORDER_STATE_PAID;
constexpr S kPartly = v1::ORDER_STATE_PARTIALLY_SHIPPED;
constexpr S kShipped = v1::ORDER_STATE_SHIPPED;
constexpr S kDelivered = v1::ORDER_STATE_DELIVERED;
constexpr S kCompleted = v1::ORDER_STATE_COMPLETED;
constexpr S kCancelled = v1::ORDER_STATE_CANCELLED;

constexpr S kAllStates[] = {kUnspecified, kPending,   kPaid,      kPartly,
                            kShipped,     kDelivered, kCompleted, kCancelled};

// The legal transitions, written out independently of the implementation.
const std::set<std::pair<S, S>>& LegalPairs() {
  static const auto* pairs = new std::set<std::pair<S, S>>{
      {kPending, kPaid},      {kPending, kCancelled}, {kPaid, kPartly},
      {kPaid, kShipped},      {kPaid, kCancelled},    {kPartly, kShipped},
      {kShipped, kDelivered}, {kShipped, kCompleted}, {kDelivered, kCompleted}};
  return *pairs;
}

TEST(OrderTransitionsTest, EveryPairIsLegalExactlyWhenListed) {
  int legal = 0;
  for (S from : kAllStates) {
    for (S to : kAllStates) {
      const bool expected = LegalPairs().count({from, to}) > 0;
      EXPECT_EQ(IsLegalTransition(from, to), expected)
          << v1::OrderState_Name(from) << " -> " << v1::OrderState_Name(to);
      const absl::Status s = CheckTransition(from, to);
      if (expected) {
        EXPECT_TRUE(s.ok()) << s;
        ++legal;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(s), "INVALID_STATE_TRANSITION");
      }
    }
  }
  EXPECT_EQ(legal, 9);
}

TEST(OrderTransitionsTest, FinalStatesAndShipped) {
  for (S s : kOrderStates) {
    EXPECT_EQ(IsFinal(s), s == kCompleted || s == kCancelled) << v1::OrderState_Name(s);
    EXPECT_EQ(HasShipped(s), s == kPartly || s == kShipped || s == kDelivered || s == kCompleted)
        << v1::OrderState_Name(s);
    if (IsFinal(s)) {
      for (S to : kAllStates) EXPECT_FALSE(IsLegalTransition(s, to));
    }
  }
}

// Every action in every state, with and without an open after-sale.
TEST(OrderActionsTest, EveryActionInEveryState) {
  struct Expected {
    S from;
    OrderAction action;
    S to;  // UNSPECIFIED: refused
  };
  std::vector<Expected> table;
  for (S from : kAllStates) {
    table.push_back({from, OrderAction::kPay, from == kPending ? kPaid : kUnspecified});
    table.push_back({from, OrderAction::kCancel,
                     from == kPending || from == kPaid ? kCancelled : kUnspecified});
    table.push_back({from, OrderAction::kComplete,
                     from == kShipped || from == kDelivered ? kCompleted : kUnspecified});
  }
  for (const Expected& e : table) {
    for (bool open : {false, true}) {
      SCOPED_TRACE(::testing::Message() << OrderActionVerb(e.action) << " in "
                                        << v1::OrderState_Name(e.from) << " open=" << open);
      absl::StatusOr<S> next = NextOrderState(e.action, e.from, OrderFacts{open});
      if (e.to == kUnspecified) {
        ASSERT_FALSE(next.ok());
        EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(next.status()), "INVALID_STATE_TRANSITION");
      } else if (open && e.action == OrderAction::kComplete) {
        ASSERT_FALSE(next.ok());
        EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(next.status()), "OPEN_AFTER_SALES");
      } else {
        ASSERT_TRUE(next.ok()) << next.status();
        EXPECT_EQ(*next, e.to);
        EXPECT_TRUE(IsLegalTransition(e.from, *next));
      }
    }
  }
}

using F = v1::FulfilmentState;
constexpr F kToPack = v1::FULFILMENT_STATE_TO_PACK;
constexpr F kPacked = v1::FULFILMENT_STATE_PACKED;
constexpr F kFShipped = v1::FULFILMENT_STATE_SHIPPED;
constexpr F kFDelivered = v1::FULFILMENT_STATE_DELIVERED;
constexpr F kFCancelled = v1::FULFILMENT_STATE_CANCELLED;

TEST(RollUpTest, FulfilmentsDescribeTheOrder) {
  struct Case {
    std::vector<F> fulfilments;
    S expected;
  } cases[] = {
      {{}, kUnspecified},
      {{kFCancelled, kFCancelled}, kUnspecified},
      {{kToPack}, kPaid},
      {{kToPack, kPacked}, kPaid},
      {{kPacked, kFShipped}, kPartly},
      {{kToPack, kFDelivered}, kPartly},
      {{kFShipped}, kShipped},
      {{kFShipped, kFDelivered}, kShipped},
      {{kFShipped, kFCancelled}, kShipped},
      {{kFDelivered}, kDelivered},
      {{kFDelivered, kFDelivered, kFCancelled}, kDelivered},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RolledUpState(c.fulfilments), c.expected) << c.fulfilments.size();
  }
}

TEST(RollUpTest, MovesOnlyForwardAlongLegalTransitions) {
  // Every order state against every combination of up to three fulfilment states.
  const F all[] = {kToPack, kPacked, kFShipped, kFDelivered, kFCancelled};
  std::vector<std::vector<F>> combos = {{}};
  for (int size = 1; size <= 3; ++size) {
    std::vector<std::vector<F>> next;
    for (const auto& c : combos) {
      if (static_cast<int>(c.size()) != size - 1) continue;
      for (F f : all) {
        auto grown = c;
        grown.push_back(f);
        next.push_back(grown);
      }
    }
    combos.insert(combos.end(), next.begin(), next.end());
  }
  for (S current : kOrderStates) {
    for (const auto& c : combos) {
      absl::StatusOr<S> next = RollUp(current, c);
      if (!next.ok()) {
        EXPECT_EQ(ReasonOf(next.status()), "INVALID_STATE_TRANSITION");
        EXPECT_FALSE(IsLegalTransition(current, RolledUpState(c)));
        continue;
      }
      EXPECT_TRUE(*next == current || IsLegalTransition(current, *next))
          << v1::OrderState_Name(current) << " -> " << v1::OrderState_Name(*next);
    }
  }
  // The usual path of a two-cooperative order.
  EXPECT_EQ(*RollUp(kPaid, std::vector<F>{kFShipped, kPacked}), kPartly);
  EXPECT_EQ(*RollUp(kPartly, std::vector<F>{kFShipped, kFShipped}), kShipped);
  EXPECT_EQ(*RollUp(kShipped, std::vector<F>{kFDelivered, kFShipped}), kShipped);
  EXPECT_EQ(*RollUp(kShipped, std::vector<F>{kFDelivered, kFDelivered}), kDelivered);
  // Never back, and final stays final.
  EXPECT_EQ(*RollUp(kDelivered, std::vector<F>{kFShipped}), kDelivered);
  EXPECT_EQ(*RollUp(kCompleted, std::vector<F>{kFDelivered}), kCompleted);
  EXPECT_EQ(*RollUp(kCancelled, std::vector<F>{kFCancelled}), kCancelled);
  // A partly shipped order whose last fulfilments are delivered at once goes through SHIPPED
  // only by a legal step: PARTIALLY_SHIPPED -> DELIVERED is refused.
  EXPECT_EQ(ReasonOf(RollUp(kPartly, std::vector<F>{kFDelivered}).status()),
            "INVALID_STATE_TRANSITION");
  EXPECT_EQ(ReasonOf(RollUp(kPending, std::vector<F>{kFShipped}).status()),
            "INVALID_STATE_TRANSITION");
}

// The expected plan for one (stored, reported) pair. Written out for all 8 x 7 pairs.
struct PlanCase {
  S current;
  S reported;
  S next;
  const char* flags;        // p = pay, c = cancel, d = deliver_all, k = complete, r = refund all
  const char* not_applied;  // "" when applied or equal
};

const PlanCase kPlanCases[] = {
    // First sight.
    {kUnspecified, kPending, kPending, "", ""},
    {kUnspecified, kPaid, kPaid, "p", ""},
    {kUnspecified, kPartly, kPaid, "p", ""},
    {kUnspecified, kShipped, kPaid, "p", ""},
    {kUnspecified, kDelivered, kPaid, "p", "INVALID_STATE_TRANSITION"},
    {kUnspecified, kCompleted, kPaid, "p", "INVALID_STATE_TRANSITION"},
    {kUnspecified, kCancelled, kCancelled, "", ""},
    // PENDING_PAYMENT.
    {kPending, kPending, kPending, "", ""},
    {kPending, kPaid, kPaid, "p", ""},
    {kPending, kPartly, kPaid, "p", ""},
    {kPending, kShipped, kPaid, "p", ""},
    {kPending, kDelivered, kPaid, "p", "INVALID_STATE_TRANSITION"},
    {kPending, kCompleted, kPaid, "p", "INVALID_STATE_TRANSITION"},
    {kPending, kCancelled, kCancelled, "c", ""},
    // PAID.
    {kPaid, kPending, kPaid, "", "INVALID_STATE_TRANSITION"},
    {kPaid, kPaid, kPaid, "", ""},
    {kPaid, kPartly, kPaid, "", ""},
    {kPaid, kShipped, kPaid, "", ""},
    {kPaid, kDelivered, kPaid, "", "INVALID_STATE_TRANSITION"},
    {kPaid, kCompleted, kPaid, "", "INVALID_STATE_TRANSITION"},
    {kPaid, kCancelled, kCancelled, "c", ""},
    // PARTIALLY_SHIPPED.
    {kPartly, kPending, kPartly, "", "INVALID_STATE_TRANSITION"},
    {kPartly, kPaid, kPartly, "", "INVALID_STATE_TRANSITION"},
    {kPartly, kPartly, kPartly, "", ""},
    {kPartly, kShipped, kPartly, "", ""},
    {kPartly, kDelivered, kPartly, "", "INVALID_STATE_TRANSITION"},
    {kPartly, kCompleted, kPartly, "", "INVALID_STATE_TRANSITION"},
    {kPartly, kCancelled, kPartly, "r", ""},
    // SHIPPED.
    {kShipped, kPending, kShipped, "", "INVALID_STATE_TRANSITION"},
    {kShipped, kPaid, kShipped, "", "INVALID_STATE_TRANSITION"},
    {kShipped, kPartly, kShipped, "", "INVALID_STATE_TRANSITION"},
    {kShipped, kShipped, kShipped, "", ""},
    {kShipped, kDelivered, kDelivered, "d", ""},
    {kShipped, kCompleted, kCompleted, "k", ""},
    {kShipped, kCancelled, kShipped, "r", ""},
    // DELIVERED.
    {kDelivered, kPending, kDelivered, "", "INVALID_STATE_TRANSITION"},
    {kDelivered, kPaid, kDelivered, "", "INVALID_STATE_TRANSITION"},
    {kDelivered, kPartly, kDelivered, "", "INVALID_STATE_TRANSITION"},
    {kDelivered, kShipped, kDelivered, "", "INVALID_STATE_TRANSITION"},
    {kDelivered, kDelivered, kDelivered, "", ""},
    {kDelivered, kCompleted, kCompleted, "k", ""},
    {kDelivered, kCancelled, kDelivered, "r", ""},
    // COMPLETED: final, but a close after completion is a refund (a reversal follows).
    {kCompleted, kPending, kCompleted, "", "INVALID_STATE_TRANSITION"},
    {kCompleted, kPaid, kCompleted, "", "INVALID_STATE_TRANSITION"},
    {kCompleted, kPartly, kCompleted, "", "INVALID_STATE_TRANSITION"},
    {kCompleted, kShipped, kCompleted, "", "INVALID_STATE_TRANSITION"},
    {kCompleted, kDelivered, kCompleted, "", "INVALID_STATE_TRANSITION"},
    {kCompleted, kCompleted, kCompleted, "", ""},
    {kCompleted, kCancelled, kCompleted, "r", ""},
    // CANCELLED: final.
    {kCancelled, kPending, kCancelled, "", "INVALID_STATE_TRANSITION"},
    {kCancelled, kPaid, kCancelled, "", "INVALID_STATE_TRANSITION"},
    {kCancelled, kPartly, kCancelled, "", "INVALID_STATE_TRANSITION"},
    {kCancelled, kShipped, kCancelled, "", "INVALID_STATE_TRANSITION"},
    {kCancelled, kDelivered, kCancelled, "", "INVALID_STATE_TRANSITION"},
    {kCancelled, kCompleted, kCancelled, "", "INVALID_STATE_TRANSITION"},
    {kCancelled, kCancelled, kCancelled, "", ""},
};

std::string Flags(const ReportedStatePlan& p) {
  std::string f;
  if (p.pay) f += "p";
  if (p.cancel) f += "c";
  if (p.deliver_all) f += "d";
  if (p.complete) f += "k";
  if (p.refund_everything) f += "r";
  return f;
}

TEST(ReportedStateTest, EveryStoredStateAgainstEveryReportedState) {
  EXPECT_EQ(sizeof(kPlanCases) / sizeof(kPlanCases[0]), 8u * 7u);
  for (const PlanCase& c : kPlanCases) {
    SCOPED_TRACE(::testing::Message() << v1::OrderState_Name(c.current) << " reported "
                                      << v1::OrderState_Name(c.reported));
    absl::StatusOr<ReportedStatePlan> plan = PlanReportedState(c.current, c.reported, {});
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(plan->next, c.next);
    EXPECT_EQ(Flags(*plan), c.flags);
    EXPECT_EQ(ReasonOf(plan->not_applied), c.not_applied);
    if (std::string(c.not_applied).empty()) {
      EXPECT_TRUE(plan->not_applied.ok());
    }
    // The state only ever moves along legal transitions (two for a first sight reported paid).
    const S from = c.current == kUnspecified ? kPending : c.current;
    if (plan->next != from && !(c.current == kUnspecified && plan->next == kCancelled)) {
      EXPECT_TRUE(IsLegalTransition(from, plan->next) ||
                  (from == kPending && IsLegalTransition(kPaid, plan->next)));
    }
  }
}

TEST(ReportedStateTest, CompletionReportedWithAnOpenAfterSaleWaits) {
  for (S current : {kShipped, kDelivered}) {
    absl::StatusOr<ReportedStatePlan> plan =
        PlanReportedState(current, kCompleted, OrderFacts{/*open_after_sales=*/true});
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->next, current);
    EXPECT_FALSE(plan->complete);
    EXPECT_EQ(ReasonOf(plan->not_applied), "OPEN_AFTER_SALES");
  }
}

TEST(ReportedStateTest, UnspecifiedOrUndefinedReportedStateIsInvalid) {
  for (int reported : {0, 8, -1, 100}) {
    absl::StatusOr<ReportedStatePlan> plan = PlanReportedState(kPaid, static_cast<S>(reported), {});
    ASSERT_FALSE(plan.ok()) << reported;
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(AutoCompletionTest, DueAfterTheWindows) {
  const absl::Time ship = absl::FromUnixSeconds(1'800'000'000);
  const absl::Time delivered = ship + absl::Hours(48);
  CompletionWindows w;
  w.return_window = absl::Hours(7 * 24);
  w.receipt_window = absl::Hours(10 * 24);

  EXPECT_EQ(AutoCompletionTime(kDelivered, ship, delivered, w), delivered + w.return_window);
  EXPECT_EQ(AutoCompletionTime(kShipped, ship, std::nullopt, w),
            ship + w.receipt_window + w.return_window);
  EXPECT_EQ(AutoCompletionTime(kShipped, std::nullopt, std::nullopt, w), std::nullopt);
  EXPECT_EQ(AutoCompletionTime(kDelivered, ship, std::nullopt, w), std::nullopt);
  for (S s : {kPending, kPaid, kPartly, kCompleted, kCancelled}) {
    EXPECT_EQ(AutoCompletionTime(s, ship, delivered, w), std::nullopt) << v1::OrderState_Name(s);
    EXPECT_FALSE(IsAutoCompletionDue(s, ship, delivered, {}, w, delivered + absl::Hours(10000)));
  }

  const absl::Time due = delivered + w.return_window;
  EXPECT_FALSE(IsAutoCompletionDue(kDelivered, ship, delivered, {}, w, due - absl::Seconds(1)));
  EXPECT_TRUE(IsAutoCompletionDue(kDelivered, ship, delivered, {}, w, due));
  EXPECT_FALSE(IsAutoCompletionDue(kDelivered, ship, delivered, OrderFacts{true}, w, due));
  const absl::Time due_shipped = ship + w.receipt_window + w.return_window;
  EXPECT_FALSE(
      IsAutoCompletionDue(kShipped, ship, std::nullopt, {}, w, due_shipped - absl::Seconds(1)));
  EXPECT_TRUE(IsAutoCompletionDue(kShipped, ship, std::nullopt, {}, w, due_shipped));

  // A window of zero completes at delivery itself.
  w.return_window = absl::ZeroDuration();
  EXPECT_TRUE(IsAutoCompletionDue(kDelivered, ship, delivered, {}, w, delivered));
}

}  // namespace
}  // namespace cooplink::orders
