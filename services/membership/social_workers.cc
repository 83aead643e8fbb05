// Placeholder: replaced by the real implementation.
#include "services/membership/membership.h"

namespace cooplink::membership {

absl::Status Membership::CreateSocialWorker(const Principal&, const v1::CreateSocialWorkerRequest&, v1::SocialWorker*) {
  return absl::UnimplementedError("CreateSocialWorker");
}

absl::Status Membership::GetSocialWorker(const Principal&, const v1::GetSocialWorkerRequest&, v1::SocialWorker*) {
  return absl::UnimplementedError("GetSocialWorker");
}

absl::Status Membership::ListSocialWorkers(const Principal&, const v1::ListSocialWorkersRequest&, v1::ListSocialWorkersResponse*) {
  return absl::UnimplementedError("ListSocialWorkers");
}

absl::Status Membership::AssignSocialWorker(const Principal&, const v1::AssignSocialWorkerRequest&, v1::Assignment*) {
  return absl::UnimplementedError("AssignSocialWorker");
}

absl::Status Membership::UnassignSocialWorker(const Principal&, const v1::UnassignSocialWorkerRequest&, v1::Assignment*) {
  return absl::UnimplementedError("UnassignSocialWorker");
}

absl::Status Membership::ListAssignments(const Principal&, const v1::ListAssignmentsRequest&, v1::ListAssignmentsResponse*) {
  return absl::UnimplementedError("ListAssignments");
}

}  // namespace cooplink::membership
