// Pure rules of the ledger: the limits of entries and support sources, entry validation, who may
// write entries of which source, when an entry may be reversed and what its reversal holds, and
// the entries a settlement (or a refund's reversal settlement) becomes. No SQL, no clock: today
// is a parameter.
//
// Refund reversals: a settlement may be partly reversed several times (one reversal settlement per
// completed refund), but income_entries.reversal_of is UNIQUE (one reversing entry per entry, the
// manual correction). So a refund's entries are not "reversing entries": they are
// MARKETPLACE_SETTLEMENT entries of their own (import key "<reversal_settlement_id>/<household>"),
// with the negative payout, reversal_of empty, the occurred_date of the household's entry of the
// reversed settlement (they correct that period) and a note naming the reversed settlement. Only
// ReverseIncomeEntry sets reversal_of / reversed_by.
#ifndef COOPLINK_SERVICES_INCOME_LEDGER_RULES_H_
#define COOPLINK_SERVICES_INCOME_LEDGER_RULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "cooplink/income/v1/income.pb.h"
#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/auth.h"
#include "services/common/limits.h"
#include "services/income/income_limits.h"

namespace cooplink::income {

namespace v1 = ::cooplink::income::v1;

// The ledger's and support sources' limits are in income_limits.h (kEntryAmount, kEntrySourceRef,
// kEntryNote, kReverseReason, kSourceName, kSourceOrganization, kFirstEntryYear).

// A reversing entry's note: the reason, cut to this many characters.
inline constexpr size_t kReversalNoteChars = 200;

// Who records imported entries.
inline constexpr char kImporterPrincipal[] = "orders-settlement-importer";

// A RecordIncomeEntry request's entry, checked and trimmed.
struct EntryInput {
  std::string household_id;
  v1::IncomeKind kind = v1::INCOME_KIND_UNSPECIFIED;
  int64_t amount_fen = 0;
  absl::CivilDay occurred;
  v1::IncomeSource source = v1::INCOME_SOURCE_UNSPECIFIED;
  std::string source_ref;
  std::string note;
  std::string cooperative_id;
  std::string support_source_id;
};

// INVALID_ARGUMENT with one violation per bad field ("entry.<field>"), or the checked input.
absl::StatusOr<EntryInput> ValidateEntry(const v1::IncomeEntry& entry, absl::CivilDay today);

// PERMISSION_DENIED ROLE_NOT_ALLOWED unless `role` may record or reverse entries of `source`:
// MANUAL — platform admin, social worker; COOPERATIVE_TRANSACTION — platform admin, cooperative
// admin. MARKETPLACE_SETTLEMENT: nobody (callers check IMPORTED_ENTRY first).
absl::Status RequireSourceRole(Role role, v1::IncomeSource source);

// FAILED_PRECONDITION unless `original` may be reversed by ReverseIncomeEntry: IS_REVERSAL (it
// reverses another), ALREADY_REVERSED, IMPORTED_ENTRY (marketplace settlements are reversed only by
// refund settlements), checked in that order.
absl::Status CheckReversible(const v1::IncomeEntry& original);

// The reversing entry of `original` (without id, recorded_by and create_time): the original's
// kind, occurred_date, source, source_ref, cooperative_id and support_source_id, the negated
// amount, reversal_of the original's id, and note = `reason` cut to kReversalNoteChars.
v1::IncomeEntry ReversalOf(const v1::IncomeEntry& original, const std::string& reason);

// The first `max_chars` Unicode characters of UTF-8 `text`.
std::string TruncateChars(const std::string& text, size_t max_chars);

// "<settlement_id>/<household_id>": an imported entry's import key and source_ref.
std::string ImportKey(const std::string& settlement_id, const std::string& household_id);

// The entries of a (non-reversal) settlement: one PRODUCTION_BUSINESS / MARKETPLACE_SETTLEMENT
// entry per payout with amount ≠ 0, occurred on the settlement's create date (Asia/Shanghai),
// cooperative_id the settlement's, source_ref its import key. Without id and create_time.
std::vector<v1::IncomeEntry> SettlementEntries(const orders::v1::Settlement& settlement);

// The entry of one payout (amount ≠ 0, negative) of a refund's reversal settlement (see the file
// comment): occurred on `original_date` (the household's entry of the reversed settlement).
v1::IncomeEntry RefundEntry(const orders::v1::Settlement& reversal,
                            const orders::v1::ProducerPayout& payout, absl::CivilDay original_date);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_LEDGER_RULES_H_
