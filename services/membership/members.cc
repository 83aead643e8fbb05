// Placeholder: replaced by the real implementation.
#include "services/membership/membership.h"

namespace cooplink::membership {

absl::Status Membership::CreateMember(const Principal&, const v1::CreateMemberRequest&, v1::Member*) {
  return absl::UnimplementedError("CreateMember");
}

absl::Status Membership::GetMember(const Principal&, const v1::GetMemberRequest&, v1::Member*) {
  return absl::UnimplementedError("GetMember");
}

absl::Status Membership::ListMembers(const Principal&, const v1::ListMembersRequest&, v1::ListMembersResponse*) {
  return absl::UnimplementedError("ListMembers");
}

absl::Status Membership::UpdateMember(const Principal&, const v1::UpdateMemberRequest&, v1::Member*) {
  return absl::UnimplementedError("UpdateMember");
}

absl::Status Membership::RecordCapitalContribution(const Principal&, const v1::RecordCapitalContributionRequest&, v1::CapitalContribution*) {
  return absl::UnimplementedError("RecordCapitalContribution");
}

absl::Status Membership::ListCapitalContributions(const Principal&, const v1::ListCapitalContributionsRequest&, v1::ListCapitalContributionsResponse*) {
  return absl::UnimplementedError("ListCapitalContributions");
}

absl::Status Membership::RequestMemberExit(const Principal&, const v1::RequestMemberExitRequest&, v1::Member*) {
  return absl::UnimplementedError("RequestMemberExit");
}

absl::Status Membership::CompleteMemberExit(const Principal&, const v1::CompleteMemberExitRequest&, v1::Member*) {
  return absl::UnimplementedError("CompleteMemberExit");
}

}  // namespace cooplink::membership
