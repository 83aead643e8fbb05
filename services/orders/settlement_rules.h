// Settlement arithmetic for one cooperative's part of one order, in integer fen: no double, no
// SQL, no clock. A settlement splits the cooperative's gross (its lines' line_total less completed
// refunds) into the partner's commission, the cooperative's service fee and the producers' total by
// the weights commission_bps, service_fee_bps and 10000 - both, by largest remainder (ties in that
// order); the producers' total is split over the producing households by their gross, by largest
// remainder (ties by lower household_id). Both splits are money.h SplitByWeights (128-bit
// intermediates), so commission + fee + producer total = gross and the payouts sum to the producer
// total, exactly, for any int64 amounts.
//
// A refund after completion is settled as a reversal: the refunded amount split by the same rules
// (the producers' part over the refunded households by their refunds) with every part negated, so
// the reversal's parts sum to minus the refund. Two bounds keep the running totals (settlement plus
// reversals) sound: no part of a reversal takes more than remains of that part, and no household
// keeps more than its remaining gross. When a bound binds, the difference goes to the other parts,
// those furthest below their exact share first, so a part may then be off its exact share by more
// than 1 fen (by the rounding the earlier settlements left; the unit test counts how often). A
// reversal lists only the refunded households. Refunding everything reverses exactly what remains,
// so a fully refunded order nets to zero in every part.
#ifndef COOPLINK_SERVICES_ORDERS_SETTLEMENT_RULES_H_
#define COOPLINK_SERVICES_ORDERS_SETTLEMENT_RULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace cooplink::orders {

inline constexpr int32_t kBasisPointsWhole = 10000;

// The rates in force at settlement time: the partner's commission and the cooperative's service
// fee, in basis points (1/100 of a percent).
struct SettlementRates {
  int32_t commission_bps = 0;
  int32_t service_fee_bps = 0;
};

// One line as settled (or, for a reversal, one line's refund): the household that produced it and
// its amount in fen, 0 or more.
struct SettledLine {
  std::string household_id;
  int64_t amount_fen = 0;
};

// What one household receives: `gross_fen` is the sum of its lines, `amount_fen` its share of the
// producer total.
struct HouseholdPayout {
  std::string household_id;
  int64_t gross_fen = 0;
  int64_t amount_fen = 0;
};

// One settlement's amounts. For a reversal every amount is 0 or negative.
struct SettlementAmounts {
  int64_t gross_fen = 0;
  int64_t partner_commission_fen = 0;
  int64_t service_fee_fen = 0;
  int64_t producer_total_fen = 0;
  std::vector<HouseholdPayout> payouts;  // one per household, ordered by household_id
};

// FAILED_PRECONDITION SETTLEMENT_RATES_INVALID unless both rates are 0 to 10000 and their sum is
// at most 10000 (the rates are stored settings, not the caller's input).
absl::Status CheckSettlementRates(const SettlementRates& rates);

// The settlement of `lines` (at least one; lines of one household are summed). INVALID_ARGUMENT
// for no lines, a negative amount or an empty household id; OUT_OF_RANGE if the gross overflows
// int64; the rates' error above.
absl::StatusOr<SettlementAmounts> ComputeSettlement(const SettlementRates& rates,
                                                    absl::Span<const SettledLine> lines);

// The reversal for a refund after settlement: `refunds` are the refunded amounts per line (at
// least one, each 0 or more), `remaining` is what is still settled for the cooperative and order
// (the settlement plus its earlier reversals, AddSettlements). Every amount of the result is 0 or
// negative (see the file comment). FAILED_PRECONDITION REFUND_EXCEEDS_PAID when the refund of a
// household exceeds its remaining gross or the total exceeds the remaining gross; INTERNAL when
// `remaining` is not a sum of settlements made here; the errors of ComputeSettlement otherwise.
absl::StatusOr<SettlementAmounts> ComputeReversal(const SettlementRates& rates,
                                                  absl::Span<const SettledLine> refunds,
                                                  const SettlementAmounts& remaining);

// Element-wise a + b (payouts matched by household_id), e.g. a settlement plus a reversal.
// OUT_OF_RANGE on int64 overflow.
absl::StatusOr<SettlementAmounts> AddSettlements(const SettlementAmounts& a,
                                                 const SettlementAmounts& b);

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_SETTLEMENT_RULES_H_
