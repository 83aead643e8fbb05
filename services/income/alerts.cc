// Alerts. (Scaffold: being built for issue 10.)
#include "services/common/auth.h"
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::ListAlerts(const CallContext&, const v1::ListAlertsRequest&,
                                v1::ListAlertsResponse*) {
  return absl::UnimplementedError("ListAlerts is not built yet");
}

absl::Status Income::AcknowledgeAlert(const CallContext&, const v1::AcknowledgeAlertRequest&,
                                      v1::Alert*) {
  return absl::UnimplementedError("AcknowledgeAlert is not built yet");
}

absl::Status Income::ResolveAlert(const CallContext&, const v1::ResolveAlertRequest&, v1::Alert*) {
  return absl::UnimplementedError("ResolveAlert is not built yet");
}

absl::Status Income::GetAlertSettings(const CallContext& call, const v1::GetAlertSettingsRequest&,
                                      v1::AlertSettings* out) {
  if (absl::Status s = RequireRole(call.principal(), {Role::kPlatformAdmin, Role::kSocialWorker,
                                                      Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  out->set_near_margin_bps(settings_.near_margin_bps);
  out->set_drop_share_bps(settings_.drop_share_bps);
  return absl::OkStatus();
}

absl::Status Income::EvaluateAlerts(Tx&, const HouseholdFacts&, absl::CivilDay) {
  return absl::OkStatus();  // TODO(issue 10): the alert rules
}

absl::StatusOr<int> Income::RunAlertReviews() { return 0; }

absl::Status Income::QueueDailyReview() { return absl::OkStatus(); }

}  // namespace cooplink::income
