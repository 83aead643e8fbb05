// What a service needs to know from membership, behind one small interface shared by every
// service (catalog, orders): the gRPC implementation calls MembershipService through the shared
// ServiceClient with the calling service's own service-account token; orchestration tests use a
// gMock instead. Every answer is taken before a database transaction starts: no transaction is
// held open across a call to membership.
//
// Nothing is cached, on purpose (issue 8, item 8): access decisions follow membership at once. A
// social worker's caseload is asked for on every call that needs it (one ListAssignments per
// social worker's RPC, per WatchCatalogChanges batch), so an AssignSocialWorker or
// UnassignSocialWorker that has returned applies to the worker's next catalog call. A cache
// would have to be invalidated by membership's change feed before the change is acknowledged,
// which membership does not offer; the measured cost of asking is in the README.
#ifndef COOPLINK_SERVICES_COMMON_MEMBERSHIP_DIRECTORY_H_
#define COOPLINK_SERVICES_COMMON_MEMBERSHIP_DIRECTORY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "cooplink/common/v1/common.pb.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/call_context.h"
#include "services/common/service_client.h"

namespace cooplink {

using MembershipClient = ServiceClient<membership::v1::MembershipService::StubInterface>;

// The fields of membership's Cooperative that other services decide on.
struct CooperativeInfo {
  std::string id;
  std::string region_code;
  int32_t service_fee_bps = 0;  // kept by the cooperative on members' sales, 0 to 3000
};

// The fields of membership's Partner that other services decide on.
struct PartnerInfo {
  std::string id;
  common::v1::ChannelKind channel_kind = common::v1::CHANNEL_KIND_UNSPECIFIED;
  int32_t commission_rate_bps = 0;  // taken by the partner on each sale, 0 to 5000
  // Never UNSPECIFIED from membership (it stores PLATFORM or COOPERATIVE).
  common::v1::RefundDecider refund_decider = common::v1::REFUND_DECIDER_UNSPECIFIED;
  common::v1::Platform platform = common::v1::PLATFORM_UNSPECIFIED;
};

class MembershipDirectory {
 public:
  virtual ~MembershipDirectory() = default;
  // Ids of the cooperatives the social worker is actively assigned to.
  virtual absl::StatusOr<std::vector<std::string>> WorkerCooperatives(
      const CallContext& call, const std::string& social_worker_id) = 0;
  // Does the household have an ACTIVE member in the cooperative?
  virtual absl::StatusOr<bool> HouseholdIsActiveMember(const CallContext& call,
                                                       const std::string& cooperative_id,
                                                       const std::string& household_id) = 0;
  // NOT_FOUND when there is no such cooperative / partner.
  virtual absl::StatusOr<CooperativeInfo> GetCooperative(const CallContext& call,
                                                         const std::string& cooperative_id) = 0;
  virtual absl::StatusOr<PartnerInfo> GetPartner(const CallContext& call,
                                                 const std::string& partner_id) = 0;
};

// MembershipService over the ServiceClient: each call's deadline comes from the caller's
// CallContext (less the client's margin, capped by its configured cap), membership's status code
// and details come back unchanged (its NOT_FOUND of a cooperative is the one answer turned into a
// value: the household is not an active member). Nothing is cached (see the file comment). Safe to
// call from any thread.
class GrpcMembershipDirectory final : public MembershipDirectory {
 public:
  explicit GrpcMembershipDirectory(MembershipClient client) : client_(std::move(client)) {}

  absl::StatusOr<std::vector<std::string>> WorkerCooperatives(
      const CallContext& call, const std::string& social_worker_id) override;
  absl::StatusOr<bool> HouseholdIsActiveMember(const CallContext& call,
                                               const std::string& cooperative_id,
                                               const std::string& household_id) override;
  absl::StatusOr<CooperativeInfo> GetCooperative(const CallContext& call,
                                                 const std::string& cooperative_id) override;
  absl::StatusOr<PartnerInfo> GetPartner(const CallContext& call,
                                         const std::string& partner_id) override;

 private:
  MembershipClient client_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_MEMBERSHIP_DIRECTORY_H_
