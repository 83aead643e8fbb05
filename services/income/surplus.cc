// Surplus distributions. (Scaffold: being built for issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::CreateSurplusDistribution(const CallContext&,
                                               const v1::CreateSurplusDistributionRequest&,
                                               v1::SurplusDistribution*) {
  return absl::UnimplementedError("CreateSurplusDistribution is not built yet");
}

absl::Status Income::GetSurplusDistribution(const CallContext&,
                                            const v1::GetSurplusDistributionRequest&,
                                            v1::SurplusDistribution*) {
  return absl::UnimplementedError("GetSurplusDistribution is not built yet");
}

absl::Status Income::ListSurplusDistributions(const CallContext&,
                                              const v1::ListSurplusDistributionsRequest&,
                                              v1::ListSurplusDistributionsResponse*) {
  return absl::UnimplementedError("ListSurplusDistributions is not built yet");
}

absl::Status Income::PublishSurplusDistribution(const CallContext&,
                                                const v1::PublishSurplusDistributionRequest&,
                                                v1::SurplusDistribution*) {
  return absl::UnimplementedError("PublishSurplusDistribution is not built yet");
}

absl::Status Income::ApproveSurplusDistribution(const CallContext&,
                                                const v1::ApproveSurplusDistributionRequest&,
                                                v1::SurplusDistribution*) {
  return absl::UnimplementedError("ApproveSurplusDistribution is not built yet");
}

}  // namespace cooplink::income
