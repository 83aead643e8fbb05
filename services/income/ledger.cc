// The ledger: RecordIncomeEntry, ReverseIncomeEntry, ListIncomeEntries. (Scaffold: being built for
// issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::RecordIncomeEntry(const CallContext&, const v1::RecordIncomeEntryRequest&,
                                       v1::IncomeEntry*) {
  return absl::UnimplementedError("RecordIncomeEntry is not built yet");
}

absl::Status Income::ReverseIncomeEntry(const CallContext&, const v1::ReverseIncomeEntryRequest&,
                                        v1::IncomeEntry*) {
  return absl::UnimplementedError("ReverseIncomeEntry is not built yet");
}

absl::Status Income::ListIncomeEntries(const CallContext&, const v1::ListIncomeEntriesRequest&,
                                       v1::ListIncomeEntriesResponse*) {
  return absl::UnimplementedError("ListIncomeEntries is not built yet");
}

}  // namespace cooplink::income
