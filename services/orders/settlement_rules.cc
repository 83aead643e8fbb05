#include "services/orders/settlement_rules.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/money.h"
#include "services/common/status.h"

namespace cooplink::orders {
namespace {

// The lines summed per household, ordered by household_id (so SplitByWeights' ties to the lower
// index are ties to the lower household_id).
absl::StatusOr<std::map<std::string, int64_t>> SumByHousehold(absl::Span<const SettledLine> lines,
                                                              absl::string_view field) {
  if (lines.empty()) return InvalidField(std::string(field), "at least one line is required");
  std::map<std::string, int64_t> sums;
  for (size_t i = 0; i < lines.size(); ++i) {
    const SettledLine& line = lines[i];
    if (line.household_id.empty()) {
      return InvalidField(absl::StrCat(field, "[", i, "].household_id"), "required");
    }
    if (line.amount_fen < 0) {
      return InvalidField(absl::StrCat(field, "[", i, "].amount_fen"), "must not be negative");
    }
    absl::StatusOr<int64_t> sum = CheckedAdd(sums[line.household_id], line.amount_fen);
    if (!sum.ok()) return sum.status();
    sums[line.household_id] = *sum;
  }
  return sums;
}

SettlementAmounts Negated(SettlementAmounts s) {
  s.gross_fen = -s.gross_fen;
  s.partner_commission_fen = -s.partner_commission_fen;
  s.service_fee_fen = -s.service_fee_fen;
  s.producer_total_fen = -s.producer_total_fen;
  for (HouseholdPayout& p : s.payouts) {
    p.gross_fen = -p.gross_fen;
    p.amount_fen = -p.amount_fen;
  }
  return s;
}

// Splits `total` by `weights` like SplitByWeights, then keeps each part within [lo, hi]: parts
// beyond a bound are clamped and the difference goes, a fen at a time where possible, to the parts
// furthest below (or above) their exact share that still have room. Without a binding bound the
// result is SplitByWeights' own. Needs sum(lo) <= total <= sum(hi) (INTERNAL otherwise: the
// caller's invariants guarantee it).
absl::StatusOr<std::vector<int64_t>> SplitWithinBounds(int64_t total,
                                                       const std::vector<int64_t>& weights,
                                                       const std::vector<int64_t>& lo,
                                                       const std::vector<int64_t>& hi) {
  __extension__ typedef __int128 Int128;
  Int128 lo_sum = 0, hi_sum = 0, weight_sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (lo[i] > hi[i]) {
      return absl::InternalError("settled amounts are inconsistent: a bound is empty");
    }
    lo_sum += lo[i];
    hi_sum += hi[i];
    weight_sum += weights[i];
  }
  if (lo_sum > total || hi_sum < total || lo_sum < 0) {
    return absl::InternalError("settled amounts are inconsistent: the bounds cannot hold");
  }
  std::vector<int64_t> parts(weights.size(), 0);
  if (total > 0 && weight_sum > 0) {
    absl::StatusOr<std::vector<int64_t>> split = SplitByWeights(total, weights);
    if (!split.ok()) return split.status();
    parts = *std::move(split);
  }
  Int128 delta = total;
  for (size_t i = 0; i < parts.size(); ++i) {
    parts[i] = std::clamp(parts[i], lo[i], hi[i]);
    delta -= parts[i];
  }
  // How far a part is above its exact share, scaled by weight_sum (negative: below).
  auto excess = [&](size_t i) {
    return Int128{parts[i]} * weight_sum - Int128{total} * weights[i];
  };
  while (delta != 0) {
    const bool give = delta > 0;
    std::vector<size_t> room;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (give ? parts[i] < hi[i] : parts[i] > lo[i]) room.push_back(i);
    }
    std::stable_sort(room.begin(), room.end(), [&](size_t a, size_t b) {
      return give ? excess(a) < excess(b) : excess(a) > excess(b);
    });
    // One fen per part and pass in the usual case; larger steps only for a large difference.
    const Int128 magnitude = give ? delta : -delta;
    const Int128 per_part = std::max<Int128>(1, magnitude / static_cast<Int128>(room.size()));
    for (size_t i : room) {
      if (delta == 0) break;
      const Int128 space = give ? Int128{hi[i]} - parts[i] : Int128{parts[i]} - lo[i];
      const Int128 step = std::min({space, per_part, give ? delta : -delta});
      parts[i] += static_cast<int64_t>(give ? step : -step);
      delta += give ? -step : step;
    }
  }
  return parts;
}

absl::Status RefundExceeds(absl::string_view what, int64_t refund, int64_t remaining) {
  return FailedPrecondition("REFUND_EXCEEDS_PAID",
                            absl::StrCat("the refund of ", refund, " fen for ", what,
                                         " exceeds the ", remaining, " fen still settled"));
}

}  // namespace

absl::Status CheckSettlementRates(const SettlementRates& rates) {
  const bool valid = rates.commission_bps >= 0 && rates.commission_bps <= kBasisPointsWhole &&
                     rates.service_fee_bps >= 0 && rates.service_fee_bps <= kBasisPointsWhole &&
                     rates.commission_bps + rates.service_fee_bps <= kBasisPointsWhole;
  if (valid) return absl::OkStatus();
  return FailedPrecondition(
      "SETTLEMENT_RATES_INVALID",
      absl::StrCat("commission ", rates.commission_bps, " bps and service fee ",
                   rates.service_fee_bps, " bps must each be 0 to 10000 and sum to at most 10000"));
}

absl::StatusOr<SettlementAmounts> ComputeSettlement(const SettlementRates& rates,
                                                    absl::Span<const SettledLine> lines) {
  if (absl::Status s = CheckSettlementRates(rates); !s.ok()) return s;
  absl::StatusOr<std::map<std::string, int64_t>> households = SumByHousehold(lines, "lines");
  if (!households.ok()) return households.status();

  SettlementAmounts out;
  std::vector<int64_t> household_gross;
  for (const auto& [household_id, gross] : *households) {
    absl::StatusOr<int64_t> sum = CheckedAdd(out.gross_fen, gross);
    if (!sum.ok()) return sum.status();
    out.gross_fen = *sum;
    out.payouts.push_back({household_id, gross, 0});
    household_gross.push_back(gross);
  }

  const int64_t weights[] = {rates.commission_bps, rates.service_fee_bps,
                             kBasisPointsWhole - rates.commission_bps - rates.service_fee_bps};
  absl::StatusOr<std::vector<int64_t>> top = SplitByWeights(out.gross_fen, weights);
  if (!top.ok()) return top.status();
  out.partner_commission_fen = (*top)[0];
  out.service_fee_fen = (*top)[1];
  out.producer_total_fen = (*top)[2];

  // With a zero producer total there is nothing to split (and all-zero household weights, a
  // zero gross, would be refused by SplitByWeights).
  if (out.producer_total_fen == 0) return out;
  absl::StatusOr<std::vector<int64_t>> parts =
      SplitByWeights(out.producer_total_fen, household_gross);
  if (!parts.ok()) return parts.status();
  for (size_t i = 0; i < out.payouts.size(); ++i) out.payouts[i].amount_fen = (*parts)[i];
  return out;
}

absl::StatusOr<SettlementAmounts> ComputeReversal(const SettlementRates& rates,
                                                  absl::Span<const SettledLine> refunds,
                                                  const SettlementAmounts& remaining) {
  if (absl::Status st = CheckSettlementRates(rates); !st.ok()) return st;
  absl::StatusOr<std::map<std::string, int64_t>> households = SumByHousehold(refunds, "refunds");
  if (!households.ok()) return households.status();

  std::map<std::string, const HouseholdPayout*> settled;
  for (const HouseholdPayout& p : remaining.payouts) settled[p.household_id] = &p;
  SettlementAmounts out;
  std::vector<int64_t> refund, floor, cap;
  int64_t floor_sum = 0, cap_sum = 0;
  for (const auto& [household_id, r] : *households) {
    auto it = settled.find(household_id);
    const int64_t gross = it == settled.end() ? 0 : it->second->gross_fen;
    const int64_t amount = it == settled.end() ? 0 : it->second->amount_fen;
    if (r > gross) return RefundExceeds(absl::StrCat("household ", household_id), r, gross);
    out.payouts.push_back({household_id, r, 0});
    refund.push_back(r);
    // A household keeps no more than its gross (so the households left unrefunded can always be
    // carried by what remains) and never less than nothing.
    floor.push_back(std::max<int64_t>(0, amount - (gross - r)));
    cap.push_back(amount);
    for (auto [sum, add] : {std::pair{&out.gross_fen, r}, std::pair{&floor_sum, floor.back()},
                            std::pair{&cap_sum, cap.back()}}) {
      absl::StatusOr<int64_t> next = CheckedAdd(*sum, add);
      if (!next.ok()) return next.status();
      *sum = *next;
    }
  }
  if (out.gross_fen > remaining.gross_fen) {
    return RefundExceeds("the order", out.gross_fen, remaining.gross_fen);
  }

  const int64_t producer_bps = kBasisPointsWhole - rates.commission_bps - rates.service_fee_bps;
  absl::StatusOr<std::vector<int64_t>> top = SplitWithinBounds(
      out.gross_fen, {rates.commission_bps, rates.service_fee_bps, producer_bps}, {0, 0, floor_sum},
      {remaining.partner_commission_fen, remaining.service_fee_fen,
       std::min(remaining.producer_total_fen, cap_sum)});
  if (!top.ok()) return top.status();
  out.partner_commission_fen = (*top)[0];
  out.service_fee_fen = (*top)[1];
  out.producer_total_fen = (*top)[2];
  absl::StatusOr<std::vector<int64_t>> parts =
      SplitWithinBounds(out.producer_total_fen, refund, floor, cap);
  if (!parts.ok()) return parts.status();
  for (size_t i = 0; i < out.payouts.size(); ++i) out.payouts[i].amount_fen = (*parts)[i];
  return Negated(std::move(out));
}

absl::StatusOr<SettlementAmounts> AddSettlements(const SettlementAmounts& a,
                                                 const SettlementAmounts& b) {
  SettlementAmounts out;
  std::pair<int64_t*, std::pair<int64_t, int64_t>> sums[] = {
      {&out.gross_fen, {a.gross_fen, b.gross_fen}},
      {&out.partner_commission_fen, {a.partner_commission_fen, b.partner_commission_fen}},
      {&out.service_fee_fen, {a.service_fee_fen, b.service_fee_fen}},
      {&out.producer_total_fen, {a.producer_total_fen, b.producer_total_fen}}};
  for (auto& [target, operands] : sums) {
    absl::StatusOr<int64_t> sum = CheckedAdd(operands.first, operands.second);
    if (!sum.ok()) return sum.status();
    *target = *sum;
  }
  std::map<std::string, HouseholdPayout> payouts;
  for (const SettlementAmounts* s : {&a, &b}) {
    for (const HouseholdPayout& p : s->payouts) {
      HouseholdPayout& into = payouts[p.household_id];
      into.household_id = p.household_id;
      absl::StatusOr<int64_t> gross = CheckedAdd(into.gross_fen, p.gross_fen);
      if (!gross.ok()) return gross.status();
      absl::StatusOr<int64_t> amount = CheckedAdd(into.amount_fen, p.amount_fen);
      if (!amount.ok()) return amount.status();
      into.gross_fen = *gross;
      into.amount_fen = *amount;
    }
  }
  for (auto& [id, p] : payouts) out.payouts.push_back(std::move(p));
  return out;
}

}  // namespace cooplink::orders
