#include "services/common/money.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cooplink {
namespace {

// GCC and Clang provide a native 128-bit integer; __extension__ keeps
// -Wpedantic quiet about it.
__extension__ typedef __int128 Int128;

}  // namespace

absl::StatusOr<std::vector<int64_t>> SplitByWeights(int64_t total_fen,
                                                    absl::Span<const int64_t> weights) {
  if (total_fen < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("total must not be negative, got ", total_fen, " fen"));
  }
  // The sum of n int64 weights fits easily in 128 bits.
  Int128 weight_sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("weight ", i, " must not be negative, got ", weights[i]));
    }
    weight_sum += weights[i];
  }
  if (weight_sum == 0) {
    return absl::InvalidArgumentError(
        "weights must have a positive sum (at least one weight above zero)");
  }

  std::vector<int64_t> parts(weights.size());
  std::vector<Int128> remainders(weights.size());
  int64_t allocated = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const Int128 product = static_cast<Int128>(total_fen) * weights[i];
    // product / weight_sum <= total_fen, so the cast is lossless.
    parts[i] = static_cast<int64_t>(product / weight_sum);
    remainders[i] = product % weight_sum;
    allocated += parts[i];
  }

  // Each remainder is below weight_sum, so fewer fen are left than there are
  // parts with a non-zero remainder; zero weights never receive one.
  const int64_t left_over = total_fen - allocated;
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&remainders](size_t a, size_t b) {
    if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
    return a < b;
  });
  for (int64_t k = 0; k < left_over; ++k) {
    ++parts[order[static_cast<size_t>(k)]];
  }
  return parts;
}

int64_t ApplyBasisPoints(int64_t amount_fen, int32_t bps) {
  constexpr Int128 kDenominator = 10000;
  const Int128 product = static_cast<Int128>(amount_fen) * bps;
  // Integer division truncates toward zero; adding half the denominator in
  // the direction of the sign first rounds halves away from zero.
  const Int128 rounded = product >= 0 ? (product + kDenominator / 2) / kDenominator
                                      : (product - kDenominator / 2) / kDenominator;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (rounded > kMax) return kMax;
  if (rounded < kMin) return kMin;
  return static_cast<int64_t>(rounded);
}

absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return absl::OutOfRangeError(absl::StrCat("sum of ", a, " and ", b, " overflows int64"));
  }
  return sum;
}

}  // namespace cooplink
