// What catalog needs to know from membership, behind a small interface: the gRPC implementation
// calls MembershipService with catalog's own service-account token and caches answers briefly;
// orchestration unit tests can use a gMock instead. Every answer is taken before a database
// transaction starts: no transaction is held open across a call to membership.
#ifndef COOPLINK_SERVICES_CATALOG_MEMBERSHIP_DIRECTORY_H_
#define COOPLINK_SERVICES_CATALOG_MEMBERSHIP_DIRECTORY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cooplink/common/v1/common.pb.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/call_context.h"
#include "services/common/clock.h"

namespace cooplink::catalog {

struct CooperativeInfo {
  std::string id;
  std::string region_code;
};

struct PartnerInfo {
  std::string id;
  common::v1::ChannelKind channel_kind = common::v1::CHANNEL_KIND_UNSPECIFIED;
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

// MembershipService over gRPC. Worker assignments are cached for `cache_ttl` (a changed caseload
// reaches catalog within that time); other answers are not cached.
class GrpcMembershipDirectory final : public MembershipDirectory {
 public:
  GrpcMembershipDirectory(std::shared_ptr<grpc::Channel> channel, std::string service_token,
                          const Clock* clock, absl::Duration cache_ttl, absl::Duration deadline);

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
  std::unique_ptr<grpc::ClientContext> Context() const;

  std::unique_ptr<membership::v1::MembershipService::Stub> stub_;
  std::string token_;
  const Clock* clock_;
  absl::Duration cache_ttl_;
  absl::Duration deadline_;
  struct CachedCaseload {
    std::vector<std::string> cooperatives;
    absl::Time fetched;
  };
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, CachedCaseload> caseloads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_MEMBERSHIP_DIRECTORY_H_
