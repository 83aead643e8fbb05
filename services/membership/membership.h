// The membership domain: cooperatives, households, members and their capital, exits, social
// workers and their caseloads, partners, principals and tokens.
//
// Membership is a plain class built from values (database, cipher, token codec, clock) so tests
// construct it directly. Every method validates its request (INVALID_ARGUMENT with field
// violations, nothing written), authorizes the principal against the resource's scope (outside
// the caller's scope reads as NOT_FOUND, a role that may never call is PERMISSION_DENIED), and runs
// mutations through RunIdempotent() so a request_id replays instead of repeating.
//
// Where things live: the methods of each concept are in its domain file (members.cc, ...), which
// reads as a story: check the role and the request -> resolve the caller's scope
// (access_store.h) -> one transaction through the concept's store (<concept>_store.h: the SQL
// and row mapping), checking the concept's rules (<concept>_rules.h: validators, state machines,
// the cooperative law; pure) and access (access_rules.h: who the caller is to a resource; pure).
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_H_

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/auth.h"
#include "services/common/call_context.h"
#include "services/common/clock.h"
#include "services/common/crypto.h"
#include "services/common/db.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

class Membership {
 public:
  Membership(Database* db, PiiCipher cipher, const TokenCodec* tokens, const Clock* clock)
      : db_(db), cipher_(std::move(cipher)), tokens_(tokens), clock_(clock) {}

  // Cooperatives (cooperatives.cc).
  absl::Status CreateCooperative(const CallContext& call, const v1::CreateCooperativeRequest& req,
                                 v1::Cooperative* out);
  absl::Status GetCooperative(const CallContext& call, const v1::GetCooperativeRequest& req,
                              v1::Cooperative* out);
  absl::Status ListCooperatives(const CallContext& call, const v1::ListCooperativesRequest& req,
                                v1::ListCooperativesResponse* out);
  absl::Status UpdateCooperative(const CallContext& call, const v1::UpdateCooperativeRequest& req,
                                 v1::Cooperative* out);

  // Households and monitoring categories (households.cc).
  absl::Status CreateHousehold(const CallContext& call, const v1::CreateHouseholdRequest& req,
                               v1::Household* out);
  absl::Status GetHousehold(const CallContext& call, const v1::GetHouseholdRequest& req,
                            v1::Household* out);
  absl::Status ListHouseholds(const CallContext& call, const v1::ListHouseholdsRequest& req,
                              v1::ListHouseholdsResponse* out);
  absl::Status UpdateHousehold(const CallContext& call, const v1::UpdateHouseholdRequest& req,
                               v1::Household* out);
  absl::Status ChangeMonitoringCategory(const CallContext& call,
                                        const v1::ChangeMonitoringCategoryRequest& req,
                                        v1::Household* out);
  absl::Status ListCategoryChanges(const CallContext& call,
                                   const v1::ListCategoryChangesRequest& req,
                                   v1::ListCategoryChangesResponse* out);

  // Members, capital contributions and exits (members.cc).
  absl::Status CreateMember(const CallContext& call, const v1::CreateMemberRequest& req,
                            v1::Member* out);
  absl::Status GetMember(const CallContext& call, const v1::GetMemberRequest& req, v1::Member* out);
  absl::Status ListMembers(const CallContext& call, const v1::ListMembersRequest& req,
                           v1::ListMembersResponse* out);
  absl::Status UpdateMember(const CallContext& call, const v1::UpdateMemberRequest& req,
                            v1::Member* out);
  absl::Status RecordCapitalContribution(const CallContext& call,
                                         const v1::RecordCapitalContributionRequest& req,
                                         v1::CapitalContribution* out);
  absl::Status ListCapitalContributions(const CallContext& call,
                                        const v1::ListCapitalContributionsRequest& req,
                                        v1::ListCapitalContributionsResponse* out);
  absl::Status RequestMemberExit(const CallContext& call, const v1::RequestMemberExitRequest& req,
                                 v1::Member* out);
  absl::Status CompleteMemberExit(const CallContext& call, const v1::CompleteMemberExitRequest& req,
                                  v1::Member* out);

  // Social workers and assignments (social_workers.cc).
  absl::Status CreateSocialWorker(const CallContext& call, const v1::CreateSocialWorkerRequest& req,
                                  v1::SocialWorker* out);
  absl::Status GetSocialWorker(const CallContext& call, const v1::GetSocialWorkerRequest& req,
                               v1::SocialWorker* out);
  absl::Status ListSocialWorkers(const CallContext& call, const v1::ListSocialWorkersRequest& req,
                                 v1::ListSocialWorkersResponse* out);
  absl::Status AssignSocialWorker(const CallContext& call, const v1::AssignSocialWorkerRequest& req,
                                  v1::Assignment* out);
  absl::Status UnassignSocialWorker(const CallContext& call,
                                    const v1::UnassignSocialWorkerRequest& req,
                                    v1::Assignment* out);
  absl::Status ListAssignments(const CallContext& call, const v1::ListAssignmentsRequest& req,
                               v1::ListAssignmentsResponse* out);

  // Partners (partners.cc).
  absl::Status CreatePartner(const CallContext& call, const v1::CreatePartnerRequest& req,
                             v1::Partner* out);
  absl::Status GetPartner(const CallContext& call, const v1::GetPartnerRequest& req,
                          v1::Partner* out);
  absl::Status ListPartners(const CallContext& call, const v1::ListPartnersRequest& req,
                            v1::ListPartnersResponse* out);
  absl::Status UpdatePartner(const CallContext& call, const v1::UpdatePartnerRequest& req,
                             v1::Partner* out);

  // Principals and tokens (principals.cc).
  absl::Status CreatePrincipal(const CallContext& call, const v1::CreatePrincipalRequest& req,
                               v1::Principal* out);
  absl::Status GetPrincipal(const CallContext& call, const v1::GetPrincipalRequest& req,
                            v1::Principal* out);
  // Who the caller is (caller_identity.cc).
  absl::Status GetCallerIdentity(const CallContext& call, const v1::GetCallerIdentityRequest& req,
                                 v1::CallerIdentity* out);
  absl::Status ListPrincipals(const CallContext& call, const v1::ListPrincipalsRequest& req,
                              v1::ListPrincipalsResponse* out);
  absl::Status IssueToken(const CallContext& call, const v1::IssueTokenRequest& req,
                          v1::IssueTokenResponse* out);
  absl::Status ListTokens(const CallContext& call, const v1::ListTokensRequest& req,
                          v1::ListTokensResponse* out);
  absl::Status RevokeToken(const CallContext& call, const v1::RevokeTokenRequest& req,
                           v1::Token* out);
  absl::Status ListTokenRevocations(const CallContext& call,
                                    const v1::ListTokenRevocationsRequest& req,
                                    v1::ListTokenRevocationsResponse* out);

  // Creates a platform-admin principal and a token for it without a caller (the `bootstrap-admin`
  // command run on the server host). Safe to repeat: it always creates a fresh token.
  absl::Status BootstrapPlatformAdmin(const std::string& display_name, absl::Duration ttl,
                                      v1::Principal* principal, v1::IssueTokenResponse* token);

  // Membership's own RevocationList source, read from its database: the feed after
  // `after_sequence` and, from the same snapshot, the committed revocations the relay has not
  // sequenced yet (sequence 0, so they do not move the list's cursor; revocation_log.h).
  absl::StatusOr<std::vector<RevocationList::Entry>> RevocationsAfter(int64_t after_sequence);

 private:
  Database* db_;
  PiiCipher cipher_;
  const TokenCodec* tokens_;
  const Clock* clock_;
};

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_H_
