#include "services/catalog/membership_directory.h"

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::catalog {

namespace mv1 = ::cooplink::membership::v1;

GrpcMembershipDirectory::GrpcMembershipDirectory(std::shared_ptr<grpc::Channel> channel,
                                                 std::string service_token, const Clock* clock,
                                                 absl::Duration cache_ttl, absl::Duration deadline)
    : stub_(mv1::MembershipService::NewStub(std::move(channel))),
      token_(std::move(service_token)),
      clock_(clock),
      cache_ttl_(cache_ttl),
      deadline_(deadline) {}

std::unique_ptr<grpc::ClientContext> GrpcMembershipDirectory::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline_)));
  return ctx;
}

// Membership's own errors keep their code (NOT_FOUND stays NOT_FOUND); a membership that cannot be
// reached is UNAVAILABLE for our caller too.
absl::StatusOr<std::vector<std::string>> GrpcMembershipDirectory::WorkerCooperatives(const CallContext& /*call*/, const std::string& social_worker_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = caseloads_.find(social_worker_id);
    if (it != caseloads_.end() && clock_->Now() - it->second.fetched < cache_ttl_) {
      return it->second.cooperatives;
    }
  }
  std::vector<std::string> cooperatives;
  mv1::ListAssignmentsRequest req;
  req.set_social_worker_id(social_worker_id);
  req.set_page_size(500);
  for (int page = 0; page < 100; ++page) {
    mv1::ListAssignmentsResponse resp;
    grpc::Status s = stub_->ListAssignments(Context().get(), req, &resp);
    if (!s.ok()) return FromGrpcStatus(s);
    for (const auto& a : resp.assignments()) {
      if (a.state() == mv1::ASSIGNMENT_STATE_ACTIVE && !a.cooperative_id().empty()) {
        cooperatives.push_back(a.cooperative_id());
      }
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  absl::MutexLock lock(&mu_);
  caseloads_[social_worker_id] = {cooperatives, clock_->Now()};
  return cooperatives;
}

absl::StatusOr<bool> GrpcMembershipDirectory::HouseholdIsActiveMember(const CallContext& /*call*/, const std::string& cooperative_id, const std::string& household_id) {
  mv1::ListMembersRequest req;
  req.set_cooperative_id(cooperative_id);
  req.set_household_id(household_id);
  req.set_state(mv1::MEMBER_STATE_ACTIVE);
  req.set_page_size(1);
  mv1::ListMembersResponse resp;
  grpc::Status s = stub_->ListMembers(Context().get(), req, &resp);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return false;
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.members_size() > 0;
}

absl::StatusOr<CooperativeInfo> GrpcMembershipDirectory::GetCooperative(const CallContext& /*call*/, const std::string& cooperative_id) {
  mv1::GetCooperativeRequest req;
  req.set_id(cooperative_id);
  mv1::Cooperative resp;
  grpc::Status s = stub_->GetCooperative(Context().get(), req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return CooperativeInfo{resp.id(), resp.region_code()};
}

absl::StatusOr<PartnerInfo> GrpcMembershipDirectory::GetPartner(const CallContext& /*call*/, const std::string& partner_id) {
  mv1::GetPartnerRequest req;
  req.set_id(partner_id);
  mv1::Partner resp;
  grpc::Status s = stub_->GetPartner(Context().get(), req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return PartnerInfo{resp.id(), resp.channel_kind()};
}

}  // namespace cooplink::catalog
