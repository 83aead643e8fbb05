#include "services/common/money.h"

#include <cstdint>
#include <limits>
#include <numeric>
#include <ostream>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace cooplink {
namespace {

__extension__ typedef __int128 Int128;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

int64_t Sum(const std::vector<int64_t>& parts) {
  return std::accumulate(parts.begin(), parts.end(), int64_t{0});
}

// |part - total * weight / weight_sum| < 1, checked exactly in 128 bits.
bool WithinOneOfExactShare(int64_t part, int64_t total, int64_t weight, Int128 weight_sum) {
  Int128 diff = static_cast<Int128>(part) * weight_sum - static_cast<Int128>(total) * weight;
  if (diff < 0) diff = -diff;
  return diff < weight_sum;
}

struct SplitCase {
  const char* name;
  int64_t total;
  std::vector<int64_t> weights;
  std::vector<int64_t> expected;
};

void PrintTo(const SplitCase& c, std::ostream* os) { *os << c.name; }

class SplitByWeightsVectorTest : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitByWeightsVectorTest, MatchesExpectedParts) {
  const SplitCase& c = GetParam();
  absl::StatusOr<std::vector<int64_t>> parts = SplitByWeights(c.total, c.weights);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(*parts, c.expected);
  EXPECT_EQ(Sum(*parts), c.total);
}

INSTANTIATE_TEST_SUITE_P(
    DomainAndEdgeVectors, SplitByWeightsVectorTest,
    ::testing::Values(
        // The three vectors from DOMAIN.md, "Money and rounding".
        SplitCase{"TenByOneTwoThree", 10, {1, 2, 3}, {2, 3, 5}},
        SplitCase{"HundredInThree", 100, {1, 1, 1}, {34, 33, 33}},
        SplitCase{"NinetyNineInFive", 99, {1, 1, 1, 1, 1}, {20, 20, 20, 20, 19}},
        // Ties among equal remainders go to the lower index.
        SplitCase{"TiesGoToLowerIndex", 2, {1, 1, 1}, {1, 1, 0}},
        SplitCase{"LargestRemainderWinsOverIndex", 1, {1, 3}, {0, 1}},
        SplitCase{"ZeroTotal", 0, {5, 7}, {0, 0}}, SplitCase{"SingleWeight", 12345, {9}, {12345}},
        SplitCase{"ZeroWeightGetsNothing", 7, {0, 1, 0, 1}, {0, 4, 0, 3}},
        SplitCase{"ExactDivisionHasNoLeftover", 60, {1, 2, 3}, {10, 20, 30}},
        // Surplus worked example: 360,000 yuan by 70/30 in fen.
        SplitCase{"SurplusSeventyThirty", 36000000, {70, 30}, {25200000, 10800000}}),
    [](const ::testing::TestParamInfo<SplitCase>& case_info) {
      return std::string(case_info.param.name);
    });

TEST(SplitByWeightsTest, RejectsNegativeTotal) {
  EXPECT_EQ(SplitByWeights(-1, std::vector<int64_t>{1, 1}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SplitByWeightsTest, RejectsBadWeights) {
  const std::vector<std::vector<int64_t>> bad = {{}, {0}, {0, 0, 0}, {1, -1}, {-5}, {3, kMin}};
  for (const std::vector<int64_t>& weights : bad) {
    SCOPED_TRACE(absl::StrCat("weights of size ", weights.size()));
    EXPECT_EQ(SplitByWeights(100, weights).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(SplitByWeightsTest, HandlesTotalNearHalfInt64WithoutOverflow) {
  const int64_t total = kMax / 2;
  const std::vector<int64_t> weights = {kMax / 3, kMax / 5, 1, kMax / 7};
  absl::StatusOr<std::vector<int64_t>> parts = SplitByWeights(total, weights);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(Sum(*parts), total);
  const Int128 weight_sum = static_cast<Int128>(kMax / 3) + kMax / 5 + 1 + kMax / 7;
  for (size_t i = 0; i < weights.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_GE((*parts)[i], 0);
    EXPECT_TRUE(WithinOneOfExactShare((*parts)[i], total, weights[i], weight_sum));
  }
}

TEST(SplitByWeightsTest, HandlesWeightsWhoseSumExceedsInt64) {
  absl::StatusOr<std::vector<int64_t>> parts =
      SplitByWeights(kMax, std::vector<int64_t>{kMax, kMax});
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(*parts, (std::vector<int64_t>{kMax / 2 + 1, kMax / 2}));
}

// Property: for random inputs the parts sum to the total and each is within
// one fen of its exact share. Fixed seed, so failures reproduce.
TEST(SplitByWeightsTest, RandomInputsSumToTotalAndStayWithinOneFen) {
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<int> size_dist(1, 12);
  std::uniform_int_distribution<int> scale_dist(0, 3);
  for (int iteration = 0; iteration < 2000; ++iteration) {
    // Mix small and huge magnitudes to exercise the 128-bit paths.
    const int64_t total_limits[] = {1000, 10000000, kMax / 2, kMax};
    const int64_t weight_limits[] = {3, 1000, 1000000000, kMax};
    const int64_t total =
        std::uniform_int_distribution<int64_t>(0, total_limits[scale_dist(rng)])(rng);
    std::uniform_int_distribution<int64_t> weight_dist(0, weight_limits[scale_dist(rng)]);
    std::vector<int64_t> weights(static_cast<size_t>(size_dist(rng)));
    Int128 weight_sum = 0;
    for (int64_t& w : weights) {
      w = weight_dist(rng);
      weight_sum += w;
    }
    if (weight_sum == 0) {
      weights[0] = 1;
      weight_sum = 1;
    }

    SCOPED_TRACE(absl::StrCat("iteration ", iteration, " total ", total));
    absl::StatusOr<std::vector<int64_t>> parts = SplitByWeights(total, weights);
    ASSERT_TRUE(parts.ok()) << parts.status();
    ASSERT_EQ(parts->size(), weights.size());
    Int128 sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      sum += (*parts)[i];
      ASSERT_TRUE(WithinOneOfExactShare((*parts)[i], total, weights[i], weight_sum))
          << "part " << i << " = " << (*parts)[i] << " weight " << weights[i];
      if (weights[i] == 0) {
        ASSERT_EQ((*parts)[i], 0);
      }
    }
    ASSERT_TRUE(sum == total);
  }
}

TEST(ApplyBasisPointsTest, RoundsHalfAwayFromZero) {
  struct Case {
    int64_t amount;
    int32_t bps;
    int64_t expected;
  };
  const Case cases[] = {
      {10000, 250, 250},  // 2.5 % of 100 yuan.
      {100, 50, 1},       // 0.5 fen -> 1 (half rounds up).
      {99, 50, 0},        // 0.495 fen -> 0.
      {199, 50, 1},       // 0.995 fen -> 1.
      {1, 5000, 1},       // 0.5 fen -> 1.
      {3, 5000, 2},       // 1.5 fen -> 2.
      {1, 4999, 0},       // 0.4999 fen -> 0.
      {-100, 50, -1},     // Refund: -0.5 fen -> -1, mirrors the sale.
      {-99, 50, 0},
      {100, -50, -1},
      {123456, 0, 0},
      {123456, 10000, 123456},
      {0, 300, 0},
      {kMax, 10000, kMax},
      {kMax, 5000, kMax / 2 + 1},  // Exactly .5 rounds up.
      {kMin, 10000, kMin},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.amount, " fen at ", c.bps, " bps"));
    EXPECT_EQ(ApplyBasisPoints(c.amount, c.bps), c.expected);
  }
}

TEST(ApplyBasisPointsTest, SaturatesInsteadOfOverflowing) {
  EXPECT_EQ(ApplyBasisPoints(kMax, 20000), kMax);
  EXPECT_EQ(ApplyBasisPoints(kMax, -20000), kMin);
  EXPECT_EQ(ApplyBasisPoints(kMin, -10000), kMax);
}

TEST(CheckedAddTest, AddsInRange) {
  EXPECT_EQ(CheckedAdd(2, 3).value(), 5);
  EXPECT_EQ(CheckedAdd(kMax, kMin).value(), -1);
  EXPECT_EQ(CheckedAdd(kMax - 1, 1).value(), kMax);
  EXPECT_EQ(CheckedAdd(kMin + 1, -1).value(), kMin);
}

TEST(CheckedAddTest, ReportsOverflowAsOutOfRange) {
  EXPECT_EQ(CheckedAdd(kMax, 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(CheckedAdd(kMin, -1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(CheckedAdd(kMax / 2 + 1, kMax / 2 + 1).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace cooplink
