// Storage of ledger entries and support sources: SQL as named constants, the one row mapping of
// each (EntryFromRow, SourceFromRow), functions that run inside the caller's transaction.
#ifndef COOPLINK_SERVICES_INCOME_LEDGER_STORE_H_
#define COOPLINK_SERVICES_INCOME_LEDGER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/income/v1/income.pb.h"
#include "services/common/db.h"

namespace cooplink::income {

namespace v1 = ::cooplink::income::v1;

// Appends `e` (id, create_time and recorded_by set by the caller). `import_key` only for
// MARKETPLACE_SETTLEMENT entries. ALREADY_EXISTS (a thrown duplicate key) on a second import key
// or a second reversal of one entry.
void InsertEntry(Tx& tx, const v1::IncomeEntry& e, const std::optional<std::string>& import_key);
std::optional<v1::IncomeEntry> LoadEntry(Tx& tx, const std::string& id, bool for_update);
// The entry recorded under `import_key`, if any.
std::optional<v1::IncomeEntry> LoadEntryByImportKey(Tx& tx, const std::string& import_key);
void SetReversedBy(Tx& tx, const std::string& id, const std::string& reversed_by);

// One page of a household's entries by (occurred_date, id), after the key (after_date, after_id)
// when after_date is set; `year` 0 and `kind` UNSPECIFIED for all; at most `limit` rows.
struct EntryListQuery {
  std::string household_id;
  int year = 0;
  v1::IncomeKind kind = v1::INCOME_KIND_UNSPECIFIED;
  std::string after_date;  // "YYYY-MM-DD", "" for the first page
  std::string after_id;
  int limit = 0;
};
std::vector<v1::IncomeEntry> ListEntries(Tx& tx, const EntryListQuery& q);

bool SupportSourceExists(Tx& tx, const std::string& id);
bool SupportSourceNameTaken(Tx& tx, const std::string& name);
void InsertSupportSource(Tx& tx, const v1::SupportSource& s);
// Sources with id > `after`, of `kind` unless UNSPECIFIED, by id, at most `limit`.
std::vector<v1::SupportSource> LoadSupportSources(Tx& tx, v1::SupportSourceKind kind,
                                                  const std::string& after, int limit);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_LEDGER_STORE_H_
