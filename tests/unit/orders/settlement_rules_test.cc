// Settlement arithmetic without a database: the documented splits, commission and fee rounding,
// edge cases (0, 1 fen, int64 limits, bad rates), reversals after refunds, and randomized property
// tests (fixed seed) that every part sums exactly and lies within 1 fen of its exact share.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"
#include "services/orders/settlement_rules.h"

namespace cooplink::orders {
namespace {

__extension__ typedef __int128 Int128;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::vector<int64_t> Amounts(const SettlementAmounts& s) {
  std::vector<int64_t> out;
  for (const HouseholdPayout& p : s.payouts) out.push_back(p.amount_fen);
  return out;
}

// The exact-sum and within-1-fen properties of one settlement (or, negated, of a reversal).
void ExpectExactSplit(const SettlementRates& rates, const SettlementAmounts& s) {
  EXPECT_EQ(Int128{s.partner_commission_fen} + s.service_fee_fen + s.producer_total_fen,
            Int128{s.gross_fen});
  Int128 payouts = 0, household_gross = 0;
  for (const HouseholdPayout& p : s.payouts) {
    payouts += p.amount_fen;
    household_gross += p.gross_fen;
  }
  EXPECT_EQ(payouts, Int128{s.producer_total_fen});
  EXPECT_EQ(household_gross, Int128{s.gross_fen});
  // |part * whole_weight - total * weight| < whole_weight  <=>  within 1 fen of the exact share.
  const int64_t producer_bps = kBasisPointsWhole - rates.commission_bps - rates.service_fee_bps;
  const std::pair<int64_t, int64_t> top[] = {{s.partner_commission_fen, rates.commission_bps},
                                             {s.service_fee_fen, rates.service_fee_bps},
                                             {s.producer_total_fen, producer_bps}};
  for (const auto& [part, bps] : top) {
    Int128 diff = Int128{part} * kBasisPointsWhole - Int128{s.gross_fen} * bps;
    if (diff < 0) diff = -diff;
    EXPECT_LT(diff, Int128{kBasisPointsWhole}) << part << " at " << bps << " bps";
  }
  if (s.gross_fen != 0) {
    for (const HouseholdPayout& p : s.payouts) {
      Int128 diff = Int128{p.amount_fen} * s.gross_fen - Int128{s.producer_total_fen} * p.gross_fen;
      if (diff < 0) diff = -diff;
      Int128 whole = s.gross_fen < 0 ? -Int128{s.gross_fen} : Int128{s.gross_fen};
      EXPECT_LT(diff, whole) << p.household_id;
    }
  }
}

TEST(SettlementTest, NinetyNineFenFiveWays) {
  // 100 fen from five households of 20; 1 % commission (1 fen) leaves 99 for the producers.
  std::vector<SettledLine> lines;
  for (const char* h : {"h1", "h2", "h3", "h4", "h5"}) lines.push_back({h, 20});
  absl::StatusOr<SettlementAmounts> s = ComputeSettlement({100, 0}, lines);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->partner_commission_fen, 1);
  EXPECT_EQ(s->service_fee_fen, 0);
  EXPECT_EQ(s->producer_total_fen, 99);
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{20, 20, 20, 20, 19}));
}

TEST(SettlementTest, DomainExamplesAndTies) {
  // 10 by 1:2:3 -> 2, 3, 5 (DOMAIN.md): a 10 fen producer total from households of 10, 20, 30.
  absl::StatusOr<SettlementAmounts> s =
      ComputeSettlement({5000, 3333}, {{"a", 10}, {"b", 20}, {"c", 30}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->producer_total_fen, 10);  // 60 * 1667 / 10000 = 10.002
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{2, 3, 5}));
  // 100 in three -> 34, 33, 33; the tie goes to the lower household_id, whatever the line order.
  s = ComputeSettlement({0, 0}, {{"z", 1}, {"m", 1}, {"a", 1}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->payouts[0].household_id, "a");
  s = ComputeSettlement({9700, 0}, {{"z", 100}, {"m", 100}, {"a", 100}});  // producers get 9
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{3, 3, 3}));
  s = ComputeSettlement({6700, 0}, {{"z", 100}, {"m", 100}, {"a", 100}});  // producers get 99
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->producer_total_fen, 99);
  s = ComputeSettlement({6667, 0}, {{"z", 100}, {"m", 100}, {"a", 100}});  // 100.0 in three
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->producer_total_fen, 100);  // 300 * 3333 / 10000 = 99.99
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{34, 33, 33}));
  // Lines of one household are summed.
  s = ComputeSettlement({0, 0}, {{"a", 5}, {"b", 1}, {"a", 7}});
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->payouts.size(), 2u);
  EXPECT_EQ(s->payouts[0].gross_fen, 12);
  EXPECT_EQ(s->payouts[0].amount_fen, 12);
}

TEST(SettlementTest, CommissionAndFeeByLargestRemainder) {
  // 3 fen at 50 % + 50 %: 1.5 and 1.5 -> the tie goes to the commission (first), never 2 + 2.
  absl::StatusOr<SettlementAmounts> s = ComputeSettlement({5000, 5000}, {{"h", 3}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->partner_commission_fen, 2);
  EXPECT_EQ(s->service_fee_fen, 1);
  EXPECT_EQ(s->producer_total_fen, 0);
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{0}));
  // 1 fen at 5 % + 3 %: the producers' 0.92 is the largest remainder.
  s = ComputeSettlement({500, 300}, {{"h", 1}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->partner_commission_fen, 0);
  EXPECT_EQ(s->service_fee_fen, 0);
  EXPECT_EQ(s->producer_total_fen, 1);
  // A typical order: 12,345 fen at 6 % + 2.5 %.
  s = ComputeSettlement({600, 250}, {{"h1", 10000}, {"h2", 2345}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->partner_commission_fen, 741);  // 740.7
  EXPECT_EQ(s->service_fee_fen, 308);         // 308.625
  EXPECT_EQ(s->producer_total_fen, 11296);    // 11295.675
  ExpectExactSplit({600, 250}, *s);
}

TEST(SettlementTest, EdgeCases) {
  // Zero gross: all zero, households still listed.
  absl::StatusOr<SettlementAmounts> s = ComputeSettlement({600, 250}, {{"a", 0}, {"b", 0}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->gross_fen, 0);
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{0, 0}));
  // All to commission and fee.
  s = ComputeSettlement({6000, 4000}, {{"a", 7}, {"b", 3}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->partner_commission_fen + s->service_fee_fen, 10);
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{0, 0}));
  // All to the producers.
  s = ComputeSettlement({0, 0}, {{"a", 7}, {"b", 3}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Amounts(*s), (std::vector<int64_t>{7, 3}));
  // The largest amounts: exact with 128-bit intermediates.
  for (SettlementRates r : {SettlementRates{1, 1}, SettlementRates{3333, 3333},
                            SettlementRates{9999, 0}, SettlementRates{600, 250}}) {
    s = ComputeSettlement(r, {{"a", kMax - 2}, {"b", 1}, {"c", 1}});
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->gross_fen, kMax);
    ExpectExactSplit(r, *s);
  }
  // Overflowing the gross.
  s = ComputeSettlement({0, 0}, {{"a", kMax}, {"b", 1}});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kOutOfRange);
  s = ComputeSettlement({0, 0}, {{"a", kMax}, {"a", 1}});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kOutOfRange);
  // Bad input.
  EXPECT_EQ(ComputeSettlement({0, 0}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeSettlement({0, 0}, {{"a", -1}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeSettlement({0, 0}, {{"", 1}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (SettlementRates r :
       {SettlementRates{-1, 0}, SettlementRates{0, -1}, SettlementRates{10001, 0},
        SettlementRates{5001, 5000}, SettlementRates{std::numeric_limits<int32_t>::max(), 1}}) {
    absl::StatusOr<SettlementAmounts> bad = ComputeSettlement(r, {{"a", 1}});
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(bad.status()), "SETTLEMENT_RATES_INVALID");
  }
  EXPECT_TRUE(CheckSettlementRates({10000, 0}).ok());
  EXPECT_TRUE(CheckSettlementRates({0, 10000}).ok());
}

TEST(SettlementTest, RandomizedPartsSumExactlyAndStayWithinOneFen) {
  std::mt19937_64 rng(20261203);
  const int64_t scales[] = {10, 1000, 100'000'000, int64_t{1} << 50, kMax / 64};
  int checked = 0;
  for (int i = 0; i < 5000; ++i) {
    const int32_t commission = static_cast<int32_t>(rng() % 10001);
    const int32_t fee = static_cast<int32_t>(rng() % (10001 - commission));
    const int64_t scale = scales[rng() % std::size(scales)];
    const int n = 1 + static_cast<int>(rng() % 8);
    std::vector<SettledLine> lines;
    for (int k = 0; k < n; ++k) {
      lines.push_back({absl::StrCat("h", rng() % 5), static_cast<int64_t>(rng() % (scale + 1))});
    }
    SCOPED_TRACE(::testing::Message() << "case " << i);
    absl::StatusOr<SettlementAmounts> s = ComputeSettlement({commission, fee}, lines);
    ASSERT_TRUE(s.ok()) << s.status();
    ExpectExactSplit({commission, fee}, *s);
    for (const HouseholdPayout& p : s->payouts) EXPECT_GE(p.amount_fen, 0);
    ++checked;
  }
  EXPECT_EQ(checked, 5000);
}

TEST(ReversalTest, ARefundIsSplitByTheSameRulesAndNegated) {
  const SettlementRates rates{600, 250};
  absl::StatusOr<SettlementAmounts> settled =
      ComputeSettlement(rates, {{"h1", 10000}, {"h2", 2345}});
  ASSERT_TRUE(settled.ok());
  absl::StatusOr<SettlementAmounts> reversal = ComputeReversal(rates, {{"h2", 1000}}, *settled);
  ASSERT_TRUE(reversal.ok()) << reversal.status();
  EXPECT_EQ(reversal->gross_fen, -1000);
  EXPECT_EQ(reversal->partner_commission_fen, -60);
  EXPECT_EQ(reversal->service_fee_fen, -25);
  EXPECT_EQ(reversal->producer_total_fen, -915);
  ASSERT_EQ(reversal->payouts.size(), 1u);
  EXPECT_EQ(reversal->payouts[0].household_id, "h2");
  EXPECT_EQ(reversal->payouts[0].amount_fen, -915);
  ExpectExactSplit(rates, *reversal);

  // Refunding the rest closes every part exactly at zero.
  absl::StatusOr<SettlementAmounts> remaining = AddSettlements(*settled, *reversal);
  ASSERT_TRUE(remaining.ok());
  absl::StatusOr<SettlementAmounts> rest =
      ComputeReversal(rates, {{"h1", 10000}, {"h2", 1345}}, *remaining);
  ASSERT_TRUE(rest.ok()) << rest.status();
  absl::StatusOr<SettlementAmounts> net = AddSettlements(*remaining, *rest);
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->gross_fen, 0);
  EXPECT_EQ(net->partner_commission_fen, 0);
  EXPECT_EQ(net->service_fee_fen, 0);
  EXPECT_EQ(net->producer_total_fen, 0);
  for (const HouseholdPayout& p : net->payouts) {
    EXPECT_EQ(p.amount_fen, 0);
    EXPECT_EQ(p.gross_fen, 0);
  }
}

TEST(ReversalTest, RefundsBeyondWhatIsSettledAreRefused) {
  const SettlementRates rates{600, 250};
  absl::StatusOr<SettlementAmounts> settled = ComputeSettlement(rates, {{"h1", 100}, {"h2", 50}});
  ASSERT_TRUE(settled.ok());
  for (const std::vector<SettledLine>& refunds :
       {std::vector<SettledLine>{{"h2", 51}}, std::vector<SettledLine>{{"h3", 1}},
        std::vector<SettledLine>{{"h1", 60}, {"h1", 41}}}) {
    absl::StatusOr<SettlementAmounts> r = ComputeReversal(rates, refunds, *settled);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(r.status()), "REFUND_EXCEEDS_PAID");
  }
  EXPECT_EQ(ComputeReversal(rates, {}, *settled).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeReversal(rates, {{"h1", -1}}, *settled).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Remaining amounts that no settlement here could have left are an internal error.
  SettlementAmounts broken;
  broken.gross_fen = 10;
  broken.producer_total_fen = 10;
  broken.payouts = {{"h1", 10, -5}};
  EXPECT_EQ(ComputeReversal(rates, {{"h1", 5}}, broken).status().code(),
            absl::StatusCode::kInternal);
  // A zero refund reverses nothing.
  absl::StatusOr<SettlementAmounts> zero = ComputeReversal(rates, {{"h1", 0}}, *settled);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->gross_fen, 0);
  EXPECT_EQ(zero->producer_total_fen, 0);
}

// How far `part` is from `total * weight / weight_sum`, in whole fen (rounded up).
int64_t FenFromExact(int64_t part, int64_t total, int64_t weight, int64_t weight_sum) {
  if (weight_sum == 0) return part == 0 ? 0 : 1'000'000;
  Int128 diff = Int128{part} * weight_sum - Int128{total} * weight;
  if (diff < 0) diff = -diff;
  return static_cast<int64_t>((diff + weight_sum - 1) / weight_sum);
}

// Random settlements refunded in random partial steps until nothing is left: every reversal's
// parts are 0 or negative and sum exactly to minus its refund and are within 2 fen of their exact
// shares (1 fen unless a bound binds; counted); running totals never go below zero, no household
// keeps more than its gross, and the last refund brings every part to exactly zero.
TEST(ReversalTest, RandomizedRefundSequences) {
  std::mt19937_64 rng(42);
  int reversals = 0, beyond_one_fen = 0;
  int64_t worst_partial = 0;
  for (int i = 0; i < 3000; ++i) {
    const int32_t commission = static_cast<int32_t>(rng() % 3001);
    const int32_t fee = static_cast<int32_t>(rng() % 1001);
    const int64_t producer_bps = kBasisPointsWhole - commission - fee;
    const SettlementRates rates{commission, fee};
    std::map<std::string, int64_t> left;  // per household, gross not yet refunded
    std::vector<SettledLine> lines;
    const int n = 1 + static_cast<int>(rng() % 5);
    const int64_t scale = i % 2 == 0 ? 20 : 20000;  // small amounts make rounding bind often
    for (int k = 0; k < n; ++k) {
      const std::string h = absl::StrCat("h", k);
      const int64_t amount = static_cast<int64_t>(rng() % scale);
      lines.push_back({h, amount});
      left[h] += amount;
    }
    SCOPED_TRACE(::testing::Message() << "case " << i);
    absl::StatusOr<SettlementAmounts> running = ComputeSettlement(rates, lines);
    ASSERT_TRUE(running.ok());
    for (int step = 0; running->gross_fen > 0; ++step) {
      std::vector<SettledLine> refunds;
      int64_t refund_total = 0;
      const bool last = step == 19 || rng() % 5 == 0;
      for (auto& [h, g] : left) {
        const int64_t r = last ? g : static_cast<int64_t>(rng() % (g + 1));
        if (r == 0) continue;
        refunds.push_back({h, r});
        g -= r;
        refund_total += r;
      }
      if (refunds.empty()) continue;
      absl::StatusOr<SettlementAmounts> rev = ComputeReversal(rates, refunds, *running);
      ASSERT_TRUE(rev.ok()) << rev.status();
      ++reversals;
      EXPECT_EQ(rev->gross_fen, -refund_total);
      EXPECT_EQ(rev->partner_commission_fen + rev->service_fee_fen + rev->producer_total_fen,
                -refund_total);
      EXPECT_LE(rev->partner_commission_fen, 0);
      EXPECT_LE(rev->service_fee_fen, 0);
      EXPECT_LE(rev->producer_total_fen, 0);
      int64_t payouts = 0, worst = 0;
      for (const HouseholdPayout& p : rev->payouts) {
        EXPECT_LE(p.amount_fen, 0);
        payouts += p.amount_fen;
        worst = std::max(worst, FenFromExact(-p.amount_fen, -rev->producer_total_fen, -p.gross_fen,
                                             refund_total));
      }
      EXPECT_EQ(payouts, rev->producer_total_fen);
      worst = std::max(
          {worst,
           FenFromExact(-rev->partner_commission_fen, refund_total, commission, kBasisPointsWhole),
           FenFromExact(-rev->service_fee_fen, refund_total, fee, kBasisPointsWhole),
           FenFromExact(-rev->producer_total_fen, refund_total, producer_bps, kBasisPointsWhole)});
      // The last refund reverses exactly what remains (its parts carry the earlier rounding). A
      // partial one is within 1 fen of every exact share unless one of its parts sits at a bound:
      // all that remained of a part, or a household's floor (it keeps no more than its gross).
      const bool closes = refund_total == running->gross_fen;
      if (!closes && worst > 1) {
        ++beyond_one_fen;
        worst_partial = std::max(worst_partial, worst);
        bool at_bound = -rev->partner_commission_fen == running->partner_commission_fen ||
                        -rev->service_fee_fen == running->service_fee_fen ||
                        -rev->producer_total_fen == running->producer_total_fen;
        for (const HouseholdPayout& p : rev->payouts) {
          for (const HouseholdPayout& q : running->payouts) {
            if (q.household_id != p.household_id) continue;
            const int64_t floor = std::max<int64_t>(0, q.amount_fen - (q.gross_fen + p.gross_fen));
            at_bound = at_bound || -p.amount_fen == q.amount_fen || -p.amount_fen == floor;
          }
        }
        EXPECT_TRUE(at_bound) << "a partial reversal " << worst << " fen off with no bound";
      }

      absl::StatusOr<SettlementAmounts> next = AddSettlements(*running, *rev);
      ASSERT_TRUE(next.ok());
      running = *std::move(next);
      EXPECT_GE(running->partner_commission_fen, 0);
      EXPECT_GE(running->service_fee_fen, 0);
      EXPECT_GE(running->producer_total_fen, 0);
      for (const HouseholdPayout& p : running->payouts) {
        EXPECT_GE(p.amount_fen, 0) << p.household_id;
        EXPECT_LE(p.amount_fen, p.gross_fen) << p.household_id;
      }
    }
    EXPECT_EQ(running->gross_fen, 0);
    EXPECT_EQ(running->partner_commission_fen, 0);
    EXPECT_EQ(running->service_fee_fen, 0);
    EXPECT_EQ(running->producer_total_fen, 0);
    for (const HouseholdPayout& p : running->payouts) EXPECT_EQ(p.amount_fen, 0);
  }
  std::cout << "reversals checked: " << reversals << "; partial ones beyond 1 fen of an exact "
            << "share (a bound bound): " << beyond_one_fen << ", worst " << worst_partial << " fen"
            << std::endl;
  EXPECT_GT(reversals, 3000);
}

}  // namespace
}  // namespace cooplink::orders
