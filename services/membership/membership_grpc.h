// The gRPC adapter: one line per RPC, handing the call to the RpcRunner (authentication, worker
// pool, status conversion, access log) and the Membership domain class.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_GRPC_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_GRPC_H_

#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/server.h"
#include "services/membership/membership.h"

namespace cooplink::membership {

class MembershipGrpc final : public v1::MembershipService::CallbackService {
 public:
  MembershipGrpc(Membership* membership, RpcRunner* runner)
      : membership_(membership), runner_(runner) {}

#define COOPLINK_MEMBERSHIP_RPC(Method, Request, Reply)                                      \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* req, \
                                   v1::Reply* reply) override {                              \
    return runner_->Unary(ctx, #Method, [this, req, reply](const CallContext& call) {        \
      return membership_->Method(call, *req, reply);                                         \
    });                                                                                      \
  }

  COOPLINK_MEMBERSHIP_RPC(CreateCooperative, CreateCooperativeRequest, Cooperative)
  COOPLINK_MEMBERSHIP_RPC(GetCooperative, GetCooperativeRequest, Cooperative)
  COOPLINK_MEMBERSHIP_RPC(ListCooperatives, ListCooperativesRequest, ListCooperativesResponse)
  COOPLINK_MEMBERSHIP_RPC(UpdateCooperative, UpdateCooperativeRequest, Cooperative)
  COOPLINK_MEMBERSHIP_RPC(CreateHousehold, CreateHouseholdRequest, Household)
  COOPLINK_MEMBERSHIP_RPC(GetHousehold, GetHouseholdRequest, Household)
  COOPLINK_MEMBERSHIP_RPC(ListHouseholds, ListHouseholdsRequest, ListHouseholdsResponse)
  COOPLINK_MEMBERSHIP_RPC(UpdateHousehold, UpdateHouseholdRequest, Household)
  COOPLINK_MEMBERSHIP_RPC(ChangeMonitoringCategory, ChangeMonitoringCategoryRequest, Household)
  COOPLINK_MEMBERSHIP_RPC(ListCategoryChanges, ListCategoryChangesRequest,
                          ListCategoryChangesResponse)
  COOPLINK_MEMBERSHIP_RPC(CreateMember, CreateMemberRequest, Member)
  COOPLINK_MEMBERSHIP_RPC(GetMember, GetMemberRequest, Member)
  COOPLINK_MEMBERSHIP_RPC(ListMembers, ListMembersRequest, ListMembersResponse)
  COOPLINK_MEMBERSHIP_RPC(UpdateMember, UpdateMemberRequest, Member)
  COOPLINK_MEMBERSHIP_RPC(RecordCapitalContribution, RecordCapitalContributionRequest,
                          CapitalContribution)
  COOPLINK_MEMBERSHIP_RPC(ListCapitalContributions, ListCapitalContributionsRequest,
                          ListCapitalContributionsResponse)
  COOPLINK_MEMBERSHIP_RPC(RequestMemberExit, RequestMemberExitRequest, Member)
  COOPLINK_MEMBERSHIP_RPC(CompleteMemberExit, CompleteMemberExitRequest, Member)
  COOPLINK_MEMBERSHIP_RPC(CreateSocialWorker, CreateSocialWorkerRequest, SocialWorker)
  COOPLINK_MEMBERSHIP_RPC(GetSocialWorker, GetSocialWorkerRequest, SocialWorker)
  COOPLINK_MEMBERSHIP_RPC(ListSocialWorkers, ListSocialWorkersRequest, ListSocialWorkersResponse)
  COOPLINK_MEMBERSHIP_RPC(AssignSocialWorker, AssignSocialWorkerRequest, Assignment)
  COOPLINK_MEMBERSHIP_RPC(UnassignSocialWorker, UnassignSocialWorkerRequest, Assignment)
  COOPLINK_MEMBERSHIP_RPC(ListAssignments, ListAssignmentsRequest, ListAssignmentsResponse)
  COOPLINK_MEMBERSHIP_RPC(CreatePartner, CreatePartnerRequest, Partner)
  COOPLINK_MEMBERSHIP_RPC(GetPartner, GetPartnerRequest, Partner)
  COOPLINK_MEMBERSHIP_RPC(ListPartners, ListPartnersRequest, ListPartnersResponse)
  COOPLINK_MEMBERSHIP_RPC(UpdatePartner, UpdatePartnerRequest, Partner)
  COOPLINK_MEMBERSHIP_RPC(CreatePrincipal, CreatePrincipalRequest, Principal)
  COOPLINK_MEMBERSHIP_RPC(GetPrincipal, GetPrincipalRequest, Principal)
  COOPLINK_MEMBERSHIP_RPC(GetCallerIdentity, GetCallerIdentityRequest, CallerIdentity)
  COOPLINK_MEMBERSHIP_RPC(ListPrincipals, ListPrincipalsRequest, ListPrincipalsResponse)
  COOPLINK_MEMBERSHIP_RPC(IssueToken, IssueTokenRequest, IssueTokenResponse)
  COOPLINK_MEMBERSHIP_RPC(ListTokens, ListTokensRequest, ListTokensResponse)
  COOPLINK_MEMBERSHIP_RPC(RevokeToken, RevokeTokenRequest, Token)
  COOPLINK_MEMBERSHIP_RPC(ListTokenRevocations, ListTokenRevocationsRequest,
                          ListTokenRevocationsResponse)

#undef COOPLINK_MEMBERSHIP_RPC

 private:
  Membership* membership_;
  RpcRunner* runner_;
};

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_GRPC_H_
