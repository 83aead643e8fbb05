// The settlement importer. (Scaffold: being built for issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::GetSettlementImportStatus(const CallContext&,
                                               const v1::GetSettlementImportStatusRequest&,
                                               v1::SettlementImportStatus*) {
  return absl::UnimplementedError("GetSettlementImportStatus is not built yet");
}

absl::Status Income::ApplyOrderEvent(Tx&, const orders::v1::OrderEvent&) {
  return absl::UnimplementedError("the settlement importer is not built yet");
}

}  // namespace cooplink::income
