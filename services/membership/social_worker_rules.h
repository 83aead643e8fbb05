// The rules of social workers and their caseloads: valid records and assignments, and who may
// read a worker's record. Pure: no SQL, no transaction, no gRPC.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_SOCIAL_WORKER_RULES_H_
#define COOPLINK_SERVICES_MEMBERSHIP_SOCIAL_WORKER_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/auth.h"
#include "services/common/status.h"
#include "services/membership/membership_limits.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

// A validated social worker to create, normalised.
struct NewSocialWorker {
  std::string name;          // trimmed
  std::string organization;  // trimmed, may be ""
  std::string phone;         // normalised mobile number, "" when none
  std::string county_code;   // 6-digit GB/T 2260 code
};
NewSocialWorker ValidateNewSocialWorker(FieldViolations& v, const v1::SocialWorker& in);
// INVALID_ARGUMENT unless `prefix` is up to 6 digits (a county code prefix).
absl::Status CheckCountyCodePrefix(const std::string& prefix);
// An assignment names a worker and exactly one of a village (12-digit code) or a cooperative.
void ValidateAssignment(FieldViolations& v, const v1::AssignSocialWorkerRequest& req);
// FAILED_PRECONDITION (ASSIGNMENT_ENDED) when the assignment has already ended.
absl::Status CheckAssignmentActive(const v1::Assignment& assignment);

// A social worker may read only its own record and caseload (anyone else's reads as NOT_FOUND);
// platform admins read every worker's; other roles are PERMISSION_DENIED.
absl::Status CheckWorkerReadable(const Principal& p, const std::string& worker_id);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_SOCIAL_WORKER_RULES_H_
