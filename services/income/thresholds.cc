// Monitoring lines. (Scaffold: being built for issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::CreateMonitoringThreshold(const CallContext&,
                                               const v1::CreateMonitoringThresholdRequest&,
                                               v1::MonitoringThreshold*) {
  return absl::UnimplementedError("CreateMonitoringThreshold is not built yet");
}

absl::Status Income::ListMonitoringThresholds(const CallContext&,
                                              const v1::ListMonitoringThresholdsRequest&,
                                              v1::ListMonitoringThresholdsResponse*) {
  return absl::UnimplementedError("ListMonitoringThresholds is not built yet");
}

}  // namespace cooplink::income
