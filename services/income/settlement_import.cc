// The settlement importer: ApplyOrderEvent runs inside the stream consumer's transaction (the
// cursor is stored in the same one, stream_consumer.h) and turns a SETTLEMENT_CREATED event into
// ledger entries exactly once:
//   - a settlement already in settlement_imports does nothing (a duplicate delivery, or an event
//     applied by a consumer that died before its cursor moved);
//   - a settlement: one MARKETPLACE_SETTLEMENT entry per payout with amount ≠ 0 (ledger_rules.h
//     SettlementEntries), then the reversals that were waiting for it;
//   - a refund's reversal settlement whose settlement is not imported yet waits in
//     pending_reversals (a second delivery: nothing); otherwise one entry per payout with
//     amount ≠ 0 (ledger_rules.h RefundEntry: its own import key, reversal_of empty, the
//     occurred_date of the household's entry of the reversed settlement).
// Alerts: the household's facts live in membership, which a transaction must not wait for, so
// every household an import touches is queued in household_alert_reviews (migration 0002) for the
// alert review job, which re-evaluates it after the commit.
//
// GetSettlementImportStatus reports the cursor row, counts and lag.
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/common/log.h"
#include "services/common/status.h"
#include "services/income/import_store.h"
#include "services/income/income.h"
#include "services/income/ledger_rules.h"
#include "services/income/ledger_store.h"

namespace cooplink::income {
namespace {

namespace ov1 = ::cooplink::orders::v1;

constexpr char kReviewReason[] = "marketplace settlement imported";

void InsertImported(Tx& tx, v1::IncomeEntry& e, absl::Time now) {
  e.set_id(NewId(now));
  *e.mutable_create_time() = ToTimestamp(ToMicros(now));
  InsertEntry(tx, e, e.source_ref());
  QueueHouseholdReview(tx, e.household_id(), kReviewReason, ToMicros(now));
}

// Applies a reversal settlement whose reversed settlement is imported; records it as imported.
void ApplyReversal(Tx& tx, const ov1::Settlement& reversal, int64_t event_time_us, absl::Time now) {
  int entries = 0;
  for (const ov1::ProducerPayout& payout : reversal.payouts()) {
    if (payout.amount().fen() == 0) continue;
    std::optional<v1::IncomeEntry> original = LoadEntryByImportKey(
        tx, ImportKey(reversal.reversed_settlement_id(), payout.household_id()));
    // Without an entry of the reversed settlement (its payout was 0): the refund's own date.
    const absl::CivilDay day =
        original ? CivilFromSql(DateToSql(original->occurred_date()))
                 : Today(absl::FromUnixMicros(TimestampMicros(reversal.create_time())));
    v1::IncomeEntry e = RefundEntry(reversal, payout, day);
    InsertImported(tx, e, now);
    ++entries;
  }
  InsertSettlementImport(tx, reversal, entries, event_time_us, ToMicros(now));
}

}  // namespace

absl::Status Income::ApplyOrderEvent(Tx& tx, const ov1::OrderEvent& event) {
  if (event.kind() != ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED) return absl::OkStatus();
  const ov1::Settlement& s = event.settlement();
  if (s.id().empty()) {
    LogWarn("settlement event without a settlement: skipped", {{"cursor", event.cursor()}});
    return absl::OkStatus();
  }
  const absl::Time now = clock_->Now();
  const int64_t event_time_us = TimestampMicros(event.event_time());
  if (SettlementImported(tx, s.id())) return absl::OkStatus();
  if (!s.reversed_settlement_id().empty()) {
    if (!SettlementImported(tx, s.reversed_settlement_id())) {
      if (!PendingReversalExists(tx, s.id())) {
        InsertPendingReversal(tx, s, event_time_us, ToMicros(now));
      }
      return absl::OkStatus();
    }
    ApplyReversal(tx, s, event_time_us, now);
    return absl::OkStatus();
  }
  std::vector<v1::IncomeEntry> entries = SettlementEntries(s);
  for (v1::IncomeEntry& e : entries) InsertImported(tx, e, now);
  InsertSettlementImport(tx, s, static_cast<int>(entries.size()), event_time_us, ToMicros(now));
  for (const PendingReversal& waiting : TakePendingReversals(tx, s.id())) {
    ApplyReversal(tx, waiting.settlement, waiting.event_time_us, now);
  }
  return absl::OkStatus();
}

absl::Status Income::GetSettlementImportStatus(const CallContext& call,
                                               const v1::GetSettlementImportStatusRequest&,
                                               v1::SettlementImportStatus* out) {
  if (absl::Status s = RequireRole(call.principal(), {Role::kPlatformAdmin}); !s.ok()) return s;
  return db_->Read([&](Tx& tx) -> absl::Status {
    const ImportStatusRow row = LoadImportStatus(tx, kSettlementImporter);
    if (row.cursor) out->set_cursor(*row.cursor);
    if (row.cursor_update_time_us) {
      *out->mutable_cursor_update_time() = ToTimestamp(*row.cursor_update_time_us);
      const int64_t lag_us = ToMicros(clock_->Now()) - *row.cursor_update_time_us;
      out->set_lag_seconds(lag_us > 0 ? lag_us / 1'000'000 : 0);
    }
    if (row.last_event_time_us) {
      *out->mutable_last_settlement_event_time() = ToTimestamp(*row.last_event_time_us);
    }
    out->set_settlements_applied(row.settlements_applied);
    out->set_reversals_waiting(row.reversals_waiting);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
