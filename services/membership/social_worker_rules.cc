#include "services/membership/social_worker_rules.h"

#include "services/common/fields.h"
#include "services/membership/identity.h"

namespace cooplink::membership {

NewSocialWorker ValidateNewSocialWorker(FieldViolations& v, const v1::SocialWorker& in) {
  NewSocialWorker out;
  out.name = CheckText(v, "social_worker.name", in.name(), kSocialWorkerName);
  out.organization =
      CheckText(v, "social_worker.organization", in.organization(), kSocialWorkerOrganization);
  if (!Trimmed(in.phone()).empty()) {
    auto normalized = NormalizeMobilePhone(std::string_view(in.phone()));
    if (normalized.ok()) {
      out.phone = *normalized;
    } else {
      v.Add("social_worker.phone", "must be an 11-digit mainland mobile number");
    }
  }
  out.county_code = Trimmed(in.county_code());
  if (!IsRegionCode(std::string_view(out.county_code))) {
    v.Add("social_worker.county_code", "must be a 6-digit GB/T 2260 region code");
  }
  return out;
}

absl::Status CheckCountyCodePrefix(const std::string& prefix) {
  if (!IsCodePrefix(prefix, kCountyCodePrefix.max)) {
    return InvalidField("county_code_prefix", "must be up to 6 digits");
  }
  return absl::OkStatus();
}

void ValidateAssignment(FieldViolations& v, const v1::AssignSocialWorkerRequest& req) {
  CheckId(v, "social_worker_id", req.social_worker_id());
  switch (req.scope_case()) {
    case v1::AssignSocialWorkerRequest::kVillageCode:
      if (!IsVillageCode(std::string_view(req.village_code()))) {
        v.Add("village_code", "must be a 12-digit village statistical division code");
      }
      break;
    case v1::AssignSocialWorkerRequest::kCooperativeId:
      CheckId(v, "cooperative_id", req.cooperative_id());
      break;
    case v1::AssignSocialWorkerRequest::SCOPE_NOT_SET:
      v.Add("scope", "exactly one of village_code or cooperative_id is required");
      break;
  }
}

absl::Status CheckAssignmentActive(const v1::Assignment& assignment) {
  if (assignment.state() == v1::ASSIGNMENT_STATE_ENDED) {
    return FailedPrecondition("ASSIGNMENT_ENDED", "the assignment has already ended");
  }
  return absl::OkStatus();
}

absl::Status CheckWorkerReadable(const Principal& p, const std::string& worker_id) {
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  if (p.is(Role::kSocialWorker) && p.social_worker_id != worker_id) {
    return NotFound("social_worker", worker_id);
  }
  return absl::OkStatus();
}

}  // namespace cooplink::membership
