// What catalog needs to know from membership, behind a small interface: the gRPC implementation
// calls MembershipService through the shared ServiceClient with catalog's own service-account
// token, a decorator caches caseloads briefly; orchestration tests use a gMock instead. Every
// answer is taken before a database transaction starts: no transaction is held open across a call
// to membership.
#ifndef COOPLINK_SERVICES_CATALOG_MEMBERSHIP_DIRECTORY_H_
#define COOPLINK_SERVICES_CATALOG_MEMBERSHIP_DIRECTORY_H_

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
#include "services/common/service_client.h"

namespace cooplink::catalog {

using MembershipClient = ServiceClient<membership::v1::MembershipService::StubInterface>;

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

// MembershipService over the ServiceClient: each call's deadline comes from the caller's
// CallContext (less the client's margin, capped by its configured cap), membership's status code
// and details come back unchanged (its NOT_FOUND of a cooperative is the one answer turned into a
// value: the household is not an active member). Nothing is cached here: see
// CachingMembershipDirectory. Safe to call from any thread.
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

// Caches social workers' caseloads (WorkerCooperatives) of any directory for `caseload_ttl`, so
// a changed caseload reaches catalog within that time; a zero ttl caches nothing. Errors are not
// cached. Other answers pass straight through. Holds at most kMaxCaseloads entries (expired ones
// are dropped first, then all). Thread-safe; `mu_` is never held across a call to `inner_`.
class CachingMembershipDirectory final : public MembershipDirectory {
 public:
  static constexpr size_t kMaxCaseloads = 10000;

  CachingMembershipDirectory(std::unique_ptr<MembershipDirectory> inner, const Clock* clock,
                             absl::Duration caseload_ttl)
      : inner_(std::move(inner)), clock_(clock), caseload_ttl_(caseload_ttl) {}

  absl::StatusOr<std::vector<std::string>> WorkerCooperatives(
      const CallContext& call, const std::string& social_worker_id) override;
  absl::StatusOr<bool> HouseholdIsActiveMember(const CallContext& call,
                                               const std::string& cooperative_id,
                                               const std::string& household_id) override {
    return inner_->HouseholdIsActiveMember(call, cooperative_id, household_id);
  }
  absl::StatusOr<CooperativeInfo> GetCooperative(const CallContext& call,
                                                 const std::string& cooperative_id) override {
    return inner_->GetCooperative(call, cooperative_id);
  }
  absl::StatusOr<PartnerInfo> GetPartner(const CallContext& call,
                                         const std::string& partner_id) override {
    return inner_->GetPartner(call, partner_id);
  }

 private:
  struct CachedCaseload {
    std::vector<std::string> cooperatives;
    absl::Time fetched;
  };

  std::unique_ptr<MembershipDirectory> inner_;
  const Clock* clock_;
  absl::Duration caseload_ttl_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, CachedCaseload> caseloads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_MEMBERSHIP_DIRECTORY_H_
