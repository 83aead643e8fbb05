// Money arithmetic on int64 fen (1 yuan = 100 fen): every amount in cooplink is a
// whole number of fen, the unit the partner platforms' order APIs (Taobao, WeChat 小店,
// Douyin) count money in. Shares of an amount (e.g. surplus returned to members in
// proportion to their transactions, 农民专业合作社法 2017 revision, Art. 44) are cut by
// the largest-remainder (Hamilton) method, so the parts always add up to the whole.
// Every function here is pure and exact: no floating point.

#ifndef COOPLINK_SERVICES_COMMON_MONEY_H_
#define COOPLINK_SERVICES_COMMON_MONEY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace cooplink {

// Splits `total_fen` into one part per weight, proportionally, by the
// largest-remainder method: each part is first floor(total * w / sum), then
// the fen left over are handed out one at a time to the parts with the largest
// remainders, ties going to the lower index. Consequently:
//   - the parts always sum to `total_fen`;
//   - each part is within 1 fen of its exact share (a zero weight gets 0);
//   - the result depends only on the inputs (deterministic).
// Examples: 10 by {1, 2, 3} -> {2, 3, 5}; 100 by {1, 1, 1} -> {34, 33, 33}.
// Intermediate products use 128 bits, so any int64 total and weights work.
//
// Returns INVALID_ARGUMENT if `total_fen` is negative, any weight is negative,
// or the weights are empty or all zero.
absl::StatusOr<std::vector<int64_t>> SplitByWeights(int64_t total_fen,
                                                    absl::Span<const int64_t> weights);

// Returns amount_fen * bps / 10000 (bps = basis points, 1/100 of a percent),
// rounded to the nearest fen with halves rounded away from zero ("half up" in
// the commercial sense: 0.5 fen -> 1, -0.5 fen -> -1), so a fee on a refund is
// the negation of the fee on the sale. The result saturates at the int64
// limits; that cannot happen for |bps| <= 10000 except for INT64_MIN * -10000.
int64_t ApplyBasisPoints(int64_t amount_fen, int32_t bps);

// Returns a + b, or OUT_OF_RANGE if the sum does not fit in int64.
absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_MONEY_H_
