// Settling an order: on completion one settlement per cooperative (CompleteAndSettle), and after a
// refund of a completed order a reversal of part of it (ReverseRefund). The arithmetic is
// settlement_rules.h; this file gathers its inputs in the caller's transaction and stores the
// result with its outbox message (lifecycle.h AppendStepEvents writes SETTLEMENT_CREATED and the
// income topic message for every settlement in ChangedParts).
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/common/status.h"
#include "services/orders/lifecycle.h"
#include "services/orders/settlement_store.h"

namespace cooplink::orders {

absl::Status CompleteAndSettle(Tx& tx, OrderRow& row, const SettlementTerms& terms, int64_t now_us,
                               ChangedParts* changed) {
  row.state = v1::ORDER_STATE_COMPLETED;
  row.complete_due_us.reset();
  row.update_us = now_us;
  const std::map<std::string, int64_t> refunded = CompletedRefundsByLine(tx, row.id);
  for (const std::string& coop : row.Cooperatives()) {
    bool settled = false;
    for (const v1::Settlement& s : LoadOrderSettlements(tx, row.id, coop)) {
      settled = settled || s.after_sale_id().empty();
    }
    if (settled) continue;
    std::vector<SettledLine> lines;
    for (const LineRow& l : row.lines) {
      if (l.cooperative_id != coop) continue;
      auto it = refunded.find(l.external_line_id);
      const int64_t refund = it == refunded.end() ? 0 : it->second;
      lines.push_back({l.household_id, std::max<int64_t>(0, l.line_total_fen - refund)});
    }
    auto fee = terms.service_fee_bps.find(coop);
    if (fee == terms.service_fee_bps.end()) {
      return absl::InternalError(absl::StrCat("no service fee loaded for cooperative ", coop));
    }
    const SettlementRates rates{terms.commission_bps, fee->second};
    absl::StatusOr<SettlementAmounts> amounts = ComputeSettlement(rates, lines);
    if (!amounts.ok()) return amounts.status();
    v1::Settlement s = SettlementOf(*amounts, rates);
    s.set_id(NewId(absl::FromUnixMicros(now_us)));
    s.set_order_id(row.id);
    s.set_cooperative_id(coop);
    s.set_partner_id(row.partner_id);
    *s.mutable_create_time() = ToTimestamp(now_us);
    InsertSettlement(tx, s);
    changed->settlements.push_back(std::move(s));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Settlement>> ReverseRefund(Tx& tx, const OrderRow& row,
                                                            const v1::AfterSale& after_sale,
                                                            int64_t now_us) {
  const std::vector<v1::Settlement> settled =
      LoadOrderSettlements(tx, row.id, after_sale.cooperative_id());
  const v1::Settlement* original = nullptr;
  SettlementAmounts remaining;
  for (const v1::Settlement& s : settled) {
    if (s.after_sale_id() == after_sale.id()) return std::optional<v1::Settlement>(s);  // done
    if (s.after_sale_id().empty()) original = &s;
    absl::StatusOr<SettlementAmounts> sum = AddSettlements(remaining, AmountsOf(s));
    if (!sum.ok()) return sum.status();
    remaining = *std::move(sum);
  }
  if (original == nullptr) return std::optional<v1::Settlement>();  // not settled yet
  std::vector<SettledLine> refunds;
  for (const v1::AfterSaleLine& a : after_sale.lines()) {
    for (const LineRow& l : row.lines) {
      if (l.external_line_id == a.external_line_id()) {
        refunds.push_back({l.household_id, a.refund().fen()});
      }
    }
  }
  const SettlementRates rates{original->commission_rate_bps(), original->service_fee_bps()};
  absl::StatusOr<SettlementAmounts> amounts = ComputeReversal(rates, refunds, remaining);
  if (!amounts.ok()) return amounts.status();
  v1::Settlement s = SettlementOf(*amounts, rates);
  s.set_id(NewId(absl::FromUnixMicros(now_us)));
  s.set_order_id(row.id);
  s.set_cooperative_id(after_sale.cooperative_id());
  s.set_partner_id(row.partner_id);
  s.set_reversed_settlement_id(original->id());
  s.set_after_sale_id(after_sale.id());
  *s.mutable_create_time() = ToTimestamp(now_us);
  InsertSettlement(tx, s);
  return std::optional<v1::Settlement>(std::move(s));
}

}  // namespace cooplink::orders
