// What income needs to know from membership about households, members, cooperatives and social
// workers' caseloads, behind one small interface (the pattern of services/common/
// membership_directory.h): the gRPC implementation asks MembershipService with income's own
// service-account token (a platform admin), every answer is taken before a database transaction
// opens, and nothing is cached, so a changed assignment, household size or village decides the
// next call.
//
// The facts are plain values (no protos) so the pure rules (income_rules.h) take them directly.
#ifndef COOPLINK_SERVICES_INCOME_HOUSEHOLD_DIRECTORY_H_
#define COOPLINK_SERVICES_INCOME_HOUSEHOLD_DIRECTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/call_context.h"
#include "services/common/membership_directory.h"

namespace cooplink::income {

// The resident size in effect from `from` (a day, Asia/Shanghai) until the next period's `from`.
struct SizePeriod {
  absl::CivilDay from;
  int32_t size = 0;
};

struct HouseholdFacts {
  std::string id;
  std::string village_code;  // 12 digits; its first 6 are the county
  std::string head_name;
  membership::v1::MonitoringCategory category = membership::v1::MONITORING_CATEGORY_UNSPECIFIED;
  int32_t resident_size = 0;  // today's
  // Oldest first, never empty; before the first period's `from` the first size holds.
  std::vector<SizePeriod> sizes;
};

// A social worker's ACTIVE assignments.
struct Caseload {
  std::vector<std::string> village_codes;
  std::vector<std::string> cooperative_ids;
};

struct CooperativeFacts {
  std::string id;
  std::string region_code;
  int32_t fiscal_year_end_month = 12;
};

struct MemberFacts {
  std::string id;
  std::string cooperative_id;
  std::string household_id;  // empty for organizations
  membership::v1::MemberKind kind = membership::v1::MEMBER_KIND_NATURAL_PERSON;
  membership::v1::MemberState state = membership::v1::MEMBER_STATE_ACTIVE;
  absl::CivilDay join_date;
  std::optional<absl::CivilDay> exit_effective_date;
  int64_t capital_contribution_total_fen = 0;
};

struct Contribution {
  absl::CivilDay date;
  int64_t amount_fen = 0;
};

class HouseholdDirectory {
 public:
  virtual ~HouseholdDirectory() = default;
  // NOT_FOUND when there is no such household.
  virtual absl::StatusOr<HouseholdFacts> GetHousehold(const CallContext& call,
                                                      const std::string& household_id) = 0;
  // Every household whose village code starts with `village_prefix` ("" for any) and, when
  // `cooperative_id` is set, that has a member (any state) in that cooperative; ordered by id.
  // Stops after `limit` + 1 households (so a caller can tell "more than limit").
  virtual absl::StatusOr<std::vector<HouseholdFacts>> ListHouseholds(
      const CallContext& call, const std::string& village_prefix, const std::string& cooperative_id,
      int limit) = 0;
  virtual absl::StatusOr<Caseload> WorkerCaseload(const CallContext& call,
                                                  const std::string& social_worker_id) = 0;
  // NOT_FOUND when there is no such cooperative.
  virtual absl::StatusOr<CooperativeFacts> GetCooperative(const CallContext& call,
                                                          const std::string& cooperative_id) = 0;
  // NOT_FOUND when there is no such member.
  virtual absl::StatusOr<MemberFacts> GetMember(const CallContext& call,
                                                const std::string& member_id) = 0;
  // Whether the household has a member (in any state) in the cooperative; false when there is no
  // such cooperative. One filtered lookup, not a listing of the cooperative.
  virtual absl::StatusOr<bool> HouseholdHasMember(const CallContext& call,
                                                  const std::string& cooperative_id,
                                                  const std::string& household_id) = 0;
  // Every member of the cooperative, in every state, ordered by id.
  virtual absl::StatusOr<std::vector<MemberFacts>> ListMembers(
      const CallContext& call, const std::string& cooperative_id) = 0;
  // A member's capital contributions, oldest first.
  virtual absl::StatusOr<std::vector<Contribution>> ListContributions(
      const CallContext& call, const std::string& member_id) = 0;
};

// HouseholdDirectory over MembershipService: the shared MembershipDirectory (its answers turned
// into plain facts) and, for GetMember, the membership client itself. Safe to call from any
// thread.
class GrpcHouseholdDirectory final : public HouseholdDirectory {
 public:
  explicit GrpcHouseholdDirectory(MembershipClient client)
      : client_(client), membership_(std::move(client)) {}

  absl::StatusOr<HouseholdFacts> GetHousehold(const CallContext& call,
                                              const std::string& household_id) override;
  absl::StatusOr<std::vector<HouseholdFacts>> ListHouseholds(const CallContext& call,
                                                             const std::string& village_prefix,
                                                             const std::string& cooperative_id,
                                                             int limit) override;
  absl::StatusOr<Caseload> WorkerCaseload(const CallContext& call,
                                          const std::string& social_worker_id) override;
  absl::StatusOr<CooperativeFacts> GetCooperative(const CallContext& call,
                                                  const std::string& cooperative_id) override;
  absl::StatusOr<MemberFacts> GetMember(const CallContext& call,
                                        const std::string& member_id) override;
  absl::StatusOr<bool> HouseholdHasMember(const CallContext& call,
                                          const std::string& cooperative_id,
                                          const std::string& household_id) override;
  absl::StatusOr<std::vector<MemberFacts>> ListMembers(const CallContext& call,
                                                       const std::string& cooperative_id) override;
  absl::StatusOr<std::vector<Contribution>> ListContributions(
      const CallContext& call, const std::string& member_id) override;

 private:
  MembershipClient client_;
  GrpcMembershipDirectory membership_;
};

// The facts of a household as membership's directory answers it.
HouseholdFacts HouseholdFactsFrom(const HouseholdInfo& h);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_HOUSEHOLD_DIRECTORY_H_
