// Reports. (Scaffold: being built for issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::GenerateReport(const CallContext&, const v1::GenerateReportRequest&,
                                    v1::GenerateReportResponse*) {
  return absl::UnimplementedError("GenerateReport is not built yet");
}

}  // namespace cooplink::income
