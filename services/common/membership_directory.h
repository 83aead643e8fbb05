// What a service needs to know from membership, behind one small interface shared by every
// service (catalog, orders, income): the gRPC implementation calls MembershipService through the
// shared ServiceClient with the calling service's own service-account token; orchestration tests
// use a gMock instead. Every answer is taken before a database transaction starts: no transaction
// is held open across a call to membership.
//
// Nothing is cached, on purpose (issue 8, item 8): access decisions follow membership at once. A
// social worker's caseload is asked for on every call that needs it (one ListAssignments per
// social worker's RPC, per WatchCatalogChanges batch), so an AssignSocialWorker or
// UnassignSocialWorker that has returned applies to the worker's next catalog call. A cache
// would have to be invalidated by membership's change feed before the change is acknowledged,
// which membership does not offer; the measured cost of asking is in the README.
//
// The listing methods (ListMembers, ListCapitalContributions, ForEachHousehold) page through
// membership themselves and return or visit everything the directory's token may see: the calling
// service's own service account (income's is a platform admin, so it sees every household and
// member), not the end user behind the call, whose scope the calling service checks itself.
#ifndef COOPLINK_SERVICES_COMMON_MEMBERSHIP_DIRECTORY_H_
#define COOPLINK_SERVICES_COMMON_MEMBERSHIP_DIRECTORY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
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

// One period of a household's resident size: `size` residents from `effective_date` (China
// Standard Time) until the next period's date. Membership's Household.resident_size_history.
struct ResidentSizePeriod {
  common::v1::Date effective_date;
  int32_t size = 0;
};

// The fields of membership's Household that other services decide on.
struct HouseholdInfo {
  std::string id;
  std::string village_code;  // 12 digits; its first 6 are the county's region code
  std::string head_name;
  membership::v1::MonitoringCategory monitoring_category =
      membership::v1::MONITORING_CATEGORY_UNSPECIFIED;
  int32_t resident_size = 0;  // today's; the last period of size_history
  // Oldest first, distinct dates; never empty for a household membership returns.
  std::vector<ResidentSizePeriod> size_history;
  absl::Time create_time;
};

// One page of households, and the token of the next (empty on the last page).
struct HouseholdPage {
  std::vector<HouseholdInfo> households;
  std::string next_page_token;
};

// A social worker's ACTIVE assignments: the villages and the cooperatives it covers.
struct WorkerCaseloadInfo {
  std::vector<std::string> village_codes;
  std::vector<std::string> cooperative_ids;
};

// The fields of membership's Member (masked view) that other services decide on.
struct MemberInfo {
  std::string id;
  std::string household_id;  // empty for an organization
  membership::v1::MemberKind member_kind = membership::v1::MEMBER_KIND_UNSPECIFIED;
  membership::v1::MemberState state = membership::v1::MEMBER_STATE_UNSPECIFIED;
  common::v1::Date join_date;
  std::optional<common::v1::Date> exit_effective_date;  // set once the member gave notice
  int64_t capital_contribution_total_fen = 0;
};

// One capital contribution (出资) of a member.
struct CapitalContributionInfo {
  common::v1::Date contribution_date;
  int64_t amount_fen = 0;
};

class MembershipDirectory {
 public:
  virtual ~MembershipDirectory() = default;
  // Ids of the cooperatives the social worker is actively assigned to.
  virtual absl::StatusOr<std::vector<std::string>> WorkerCooperatives(
      const CallContext& call, const std::string& social_worker_id) = 0;
  // The villages and cooperatives of the social worker's ACTIVE assignments.
  virtual absl::StatusOr<WorkerCaseloadInfo> WorkerCaseload(
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
  // NOT_FOUND when there is no such household (or the caller may not see it).
  virtual absl::StatusOr<HouseholdInfo> GetHousehold(const CallContext& call,
                                                     const std::string& household_id) = 0;
  // One page (at most `page_size`, membership's default 50 when 0, at most 500) of the households
  // whose village code starts with `village_code_prefix` and, when `cooperative_id` is not empty,
  // that have a member (any state) in that cooperative; ordered by id.
  virtual absl::StatusOr<HouseholdPage> ListHouseholds(const CallContext& call,
                                                       const std::string& village_code_prefix,
                                                       const std::string& cooperative_id,
                                                       const std::string& page_token,
                                                       int32_t page_size) = 0;
  // Every member of the cooperative, in any state, ordered by id. NOT_FOUND when there is no such
  // cooperative.
  virtual absl::StatusOr<std::vector<MemberInfo>> ListMembers(
      const CallContext& call, const std::string& cooperative_id) = 0;
  // Every capital contribution of the member, ordered by id. NOT_FOUND when there is no such
  // member.
  virtual absl::StatusOr<std::vector<CapitalContributionInfo>> ListCapitalContributions(
      const CallContext& call, const std::string& member_id) = 0;

  // Calls `fn` with each household ListHouseholds returns, page after page (500 a page), until
  // the last page or the first error (of membership or of `fn`), which it returns.
  absl::Status ForEachHousehold(const CallContext& call, const std::string& village_code_prefix,
                                const std::string& cooperative_id,
                                const std::function<absl::Status(const HouseholdInfo&)>& fn);
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
  absl::StatusOr<WorkerCaseloadInfo> WorkerCaseload(const CallContext& call,
                                                    const std::string& social_worker_id) override;
  absl::StatusOr<HouseholdInfo> GetHousehold(const CallContext& call,
                                             const std::string& household_id) override;
  absl::StatusOr<HouseholdPage> ListHouseholds(const CallContext& call,
                                               const std::string& village_code_prefix,
                                               const std::string& cooperative_id,
                                               const std::string& page_token,
                                               int32_t page_size) override;
  absl::StatusOr<std::vector<MemberInfo>> ListMembers(const CallContext& call,
                                                      const std::string& cooperative_id) override;
  absl::StatusOr<std::vector<CapitalContributionInfo>> ListCapitalContributions(
      const CallContext& call, const std::string& member_id) override;

 private:
  MembershipClient client_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_MEMBERSHIP_DIRECTORY_H_
