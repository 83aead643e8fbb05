// The catalog's scope relation, for every role, and RequireRelation.
#include "services/catalog/access.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/common/status.h"

namespace cooplink::catalog {
namespace {

constexpr char kCoop[] = "01COOPA0000000000000000000";
constexpr char kOtherCoop[] = "01COOPB0000000000000000000";
constexpr char kHousehold[] = "01HHA00000000000000000000A";
constexpr char kOtherHousehold[] = "01HHB00000000000000000000B";

Principal WithRole(Role role) {
  Principal p;
  p.id = "principal";
  p.role = role;
  if (role == Role::kCooperativeAdmin || role == Role::kMember) p.cooperative_id = kCoop;
  if (role == Role::kMember) p.household_id = kHousehold;
  if (role == Role::kSocialWorker) p.social_worker_id = "worker";
  if (role == Role::kPartner) p.partner_id = "partner";
  return p;
}

TEST(RelationInTest, PlatformAdminRelatesToEverything) {
  const Principal p = WithRole(Role::kPlatformAdmin);
  EXPECT_EQ(RelationIn({&p, {}}, kOtherCoop, kOtherHousehold), Relation::kPlatformAdmin);
}

TEST(RelationInTest, SocialWorkerOnlyToAssignedCooperatives) {
  const Principal p = WithRole(Role::kSocialWorker);
  const Scope scope{&p, {kOtherCoop, kCoop}};
  EXPECT_EQ(RelationIn(scope, kCoop, kOtherHousehold), Relation::kAssignedWorker);
  EXPECT_EQ(RelationIn(scope, "01COOPC0000000000000000000", kHousehold), Relation::kNone);
  EXPECT_EQ(RelationIn({&p, {}}, kCoop, kHousehold), Relation::kNone);  // empty caseload
}

TEST(RelationInTest, CooperativeAdminOnlyToItsCooperative) {
  const Principal p = WithRole(Role::kCooperativeAdmin);
  EXPECT_EQ(RelationIn({&p, {}}, kCoop, kOtherHousehold), Relation::kCooperativeAdmin);
  EXPECT_EQ(RelationIn({&p, {}}, kOtherCoop, kHousehold), Relation::kNone);
}

TEST(RelationInTest, MemberOnlyToItsHouseholdInItsCooperative) {
  const Principal p = WithRole(Role::kMember);
  EXPECT_EQ(RelationIn({&p, {}}, kCoop, kHousehold), Relation::kProducerMember);
  EXPECT_EQ(RelationIn({&p, {}}, kCoop, kOtherHousehold), Relation::kNone);
  EXPECT_EQ(RelationIn({&p, {}}, kOtherCoop, kHousehold), Relation::kNone);
}

TEST(RelationInTest, PartnerIsDecidedByOffersAndUnknownRolesByNothing) {
  const Principal partner = WithRole(Role::kPartner);
  EXPECT_EQ(RelationIn({&partner, {}}, kCoop, kHousehold), Relation::kPartner);
  const Principal nobody = WithRole(Role::kUnspecified);
  EXPECT_EQ(RelationIn({&nobody, {}}, kCoop, kHousehold), Relation::kNone);
}

TEST(RequireRelationTest, NoneIsNotFoundOthersArePermissionDenied) {
  EXPECT_EQ(RequireRelation(Relation::kNone, kStaffRelations, "p").code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(RequireRelation(Relation::kProducerMember, kStaffRelations, "p").ok());
  const absl::Status denied = RequireRelation(Relation::kProducerMember, kManagerRelations, "p");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(denied), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(RequireRelation(Relation::kPartner, kStaffRelations, "p").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(RequireRelation(Relation::kAssignedWorker, kReviewerRelations, "p").code(),
            absl::StatusCode::kOk);
  EXPECT_EQ(RequireRelation(Relation::kAssignedWorker, kManagerRelations, "p").code(),
            absl::StatusCode::kPermissionDenied);
}

// Answers a fixed caseload and counts the questions.
class FakeDirectory final : public MembershipDirectory {
 public:
  absl::StatusOr<std::vector<std::string>> WorkerCooperatives(const CallContext&,
                                                              const std::string&) override {
    ++asked;
    return std::vector<std::string>{kCoop};
  }
  absl::StatusOr<bool> HouseholdIsActiveMember(const CallContext&, const std::string&,
                                               const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<CooperativeInfo> GetCooperative(const CallContext&, const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<PartnerInfo> GetPartner(const CallContext&, const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<WorkerCaseloadInfo> WorkerCaseload(const CallContext&,
                                                    const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<HouseholdInfo> GetHousehold(const CallContext&, const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<HouseholdPage> ListHouseholds(const CallContext&, const std::string&,
                                               const std::string&, const std::string&,
                                               int32_t) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<std::vector<MemberInfo>> ListMembers(const CallContext&,
                                                      const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<std::vector<CapitalContributionInfo>> ListCapitalContributions(
      const CallContext&, const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  int asked = 0;
};

TEST(ResolveScopeTest, OnlySocialWorkersAskMembership) {
  FakeDirectory directory;
  for (Role role : {Role::kPlatformAdmin, Role::kCooperativeAdmin, Role::kMember, Role::kPartner}) {
    const CallContext call = CallContext::Internal(WithRole(role));
    auto scope = ResolveScope(call, directory);
    ASSERT_TRUE(scope.ok());
    EXPECT_TRUE(scope->worker_cooperatives.empty());
  }
  EXPECT_EQ(directory.asked, 0);
  const CallContext worker = CallContext::Internal(WithRole(Role::kSocialWorker));
  auto scope = ResolveScope(worker, directory);
  ASSERT_TRUE(scope.ok());
  EXPECT_EQ(scope->worker_cooperatives, std::vector<std::string>{kCoop});
  EXPECT_EQ(directory.asked, 1);
  auto relation = RelationTo(worker, kCoop, kHousehold, directory);
  ASSERT_TRUE(relation.ok());
  EXPECT_EQ(*relation, Relation::kAssignedWorker);
}

}  // namespace
}  // namespace cooplink::catalog
