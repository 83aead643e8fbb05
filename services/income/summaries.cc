// Household summaries and baselines. (Scaffold: being built for issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::GetHouseholdIncomeSummary(const CallContext&,
                                               const v1::GetHouseholdIncomeSummaryRequest&,
                                               v1::HouseholdIncomeSummary*) {
  return absl::UnimplementedError("GetHouseholdIncomeSummary is not built yet");
}

absl::Status Income::SetHouseholdBaseline(const CallContext&,
                                          const v1::SetHouseholdBaselineRequest&,
                                          v1::HouseholdBaseline*) {
  return absl::UnimplementedError("SetHouseholdBaseline is not built yet");
}

}  // namespace cooplink::income
