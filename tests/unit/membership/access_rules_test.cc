// The scope relations of membership (access_rules.h) for every role, without a database.
#include "services/membership/access_rules.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "services/common/status.h"

namespace cooplink::membership {
namespace {

constexpr const char* kCoop = "COOP-A";
constexpr const char* kOtherCoop = "COOP-B";
constexpr const char* kHousehold = "HH-A";
constexpr const char* kVillage = "530828100001";
constexpr const char* kOtherVillage = "530828100002";
constexpr const char* kMember = "MEMBER-A";

Scope ScopeOf(Role role) {
  Scope scope;
  scope.principal.id = "caller";
  scope.principal.role = role;
  return scope;
}
Scope PlatformAdmin() { return ScopeOf(Role::kPlatformAdmin); }
Scope Worker(std::vector<std::string> cooperatives, std::vector<std::string> villages) {
  Scope scope = ScopeOf(Role::kSocialWorker);
  scope.principal.social_worker_id = "WORKER";
  scope.cooperatives = std::move(cooperatives);
  scope.villages = std::move(villages);
  return scope;
}
Scope CooperativeAdmin(const std::string& cooperative) {
  Scope scope = ScopeOf(Role::kCooperativeAdmin);
  scope.principal.cooperative_id = cooperative;
  return scope;
}
Scope MemberPrincipal(const std::string& cooperative, const std::string& household,
                      const std::string& member) {
  Scope scope = ScopeOf(Role::kMember);
  scope.principal.cooperative_id = cooperative;
  scope.principal.household_id = household;
  scope.principal.member_id = member;
  return scope;
}
Scope Partner() {
  Scope scope = ScopeOf(Role::kPartner);
  scope.principal.partner_id = "PARTNER";
  return scope;
}

// A household in kVillage with a member in kCoop.
Subject JoinedHousehold() { return HouseholdSubject(kHousehold, kVillage, std::nullopt, {kCoop}); }

absl::StatusCode Code(const Scope& scope, const Subject& subject, Access access) {
  return RequireAccess(scope, subject, access).code();
}

// --- Cooperatives --------------------------------------------------------------------------------

TEST(CooperativeRelationTest, PlatformAdminReachesEveryCooperative) {
  EXPECT_EQ(RelationTo(PlatformAdmin(), CooperativeSubject(kCoop)), Relation::kPlatformAdmin);
  EXPECT_TRUE(RequireAccess(PlatformAdmin(), CooperativeSubject(kCoop), Access::kWrite).ok());
}

TEST(CooperativeRelationTest, AssignedWorkerReachesItUnassignedSeesNotFound) {
  const Scope assigned = Worker({kCoop}, {});
  EXPECT_EQ(RelationTo(assigned, CooperativeSubject(kCoop)), Relation::kAssignedWorker);
  EXPECT_TRUE(RequireAccess(assigned, CooperativeSubject(kCoop), Access::kWrite).ok());
  const Scope unassigned = Worker({kOtherCoop}, {kVillage});
  EXPECT_EQ(RelationTo(unassigned, CooperativeSubject(kCoop)), Relation::kNone);
  EXPECT_EQ(Code(unassigned, CooperativeSubject(kCoop), Access::kRead),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Code(Worker({}, {}), CooperativeSubject(kCoop), Access::kRead),
            absl::StatusCode::kNotFound);
}

TEST(CooperativeRelationTest, CooperativeAdminReachesOnlyItsOwn) {
  EXPECT_EQ(RelationTo(CooperativeAdmin(kCoop), CooperativeSubject(kCoop)),
            Relation::kCooperativeAdmin);
  EXPECT_TRUE(
      RequireAccess(CooperativeAdmin(kCoop), CooperativeSubject(kCoop), Access::kWrite).ok());
  EXPECT_EQ(RelationTo(CooperativeAdmin(kOtherCoop), CooperativeSubject(kCoop)), Relation::kNone);
  EXPECT_EQ(Code(CooperativeAdmin(kOtherCoop), CooperativeSubject(kCoop), Access::kWrite),
            absl::StatusCode::kNotFound);
}

TEST(CooperativeRelationTest, MemberReadsItsOwnAndNeverWrites) {
  const Scope member = MemberPrincipal(kCoop, kHousehold, kMember);
  EXPECT_EQ(RelationTo(member, CooperativeSubject(kCoop)), Relation::kSelf);
  EXPECT_TRUE(RequireAccess(member, CooperativeSubject(kCoop), Access::kRead).ok());
  const absl::Status write = RequireAccess(member, CooperativeSubject(kCoop), Access::kWrite);
  EXPECT_EQ(write.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(write), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(write.message(), "members may not change a cooperative");

  const Scope other = MemberPrincipal(kOtherCoop, "HH-B", "MEMBER-B");
  EXPECT_EQ(RelationTo(other, CooperativeSubject(kCoop)), Relation::kNone);
  EXPECT_EQ(Code(other, CooperativeSubject(kCoop), Access::kRead), absl::StatusCode::kNotFound);
  // The role's denial comes before the scope: a member changing another cooperative is denied.
  EXPECT_EQ(Code(other, CooperativeSubject(kCoop), Access::kWrite),
            absl::StatusCode::kPermissionDenied);
}

TEST(CooperativeRelationTest, PartnerAndUnspecifiedRolesAreDenied) {
  for (const Scope& scope : {Partner(), ScopeOf(Role::kUnspecified)}) {
    EXPECT_EQ(RelationTo(scope, CooperativeSubject(kCoop)), Relation::kRoleWithoutAccess);
    const absl::Status s = RequireAccess(scope, CooperativeSubject(kCoop), Access::kRead);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
    EXPECT_EQ(s.message(), "this role has no access to cooperatives");
  }
}

TEST(CooperativeRelationTest, OutsideTheScopeReadsLikeAMissingCooperative) {
  const absl::Status s =
      RequireAccess(CooperativeAdmin(kOtherCoop), CooperativeSubject(kCoop), Access::kRead);
  const absl::Status missing = NotFound("cooperative", kCoop);
  EXPECT_EQ(s.code(), missing.code());
  EXPECT_EQ(s.message(), missing.message());
}

// --- Households ----------------------------------------------------------------------------------

TEST(HouseholdRelationTest, PlatformAdminReachesEveryHousehold) {
  EXPECT_EQ(RelationTo(PlatformAdmin(), JoinedHousehold()), Relation::kPlatformAdmin);
}

TEST(HouseholdRelationTest, WorkerReachesHouseholdsOfItsVillagesNotOfItsCooperatives) {
  EXPECT_EQ(RelationTo(Worker({}, {kVillage}), JoinedHousehold()), Relation::kAssignedWorker);
  // Assigned to the members' cooperative but not to the village: outside the scope.
  EXPECT_EQ(RelationTo(Worker({kCoop}, {kOtherVillage}), JoinedHousehold()), Relation::kNone);
  EXPECT_EQ(Code(Worker({kCoop}, {kOtherVillage}), JoinedHousehold(), Access::kRead),
            absl::StatusCode::kNotFound);
}

TEST(HouseholdRelationTest, CooperativeAdminReachesHouseholdsWithAMemberOfItsCooperative) {
  EXPECT_EQ(RelationTo(CooperativeAdmin(kCoop), JoinedHousehold()), Relation::kCooperativeAdmin);
  EXPECT_TRUE(RequireAccess(CooperativeAdmin(kCoop), JoinedHousehold(), Access::kWrite).ok());
  EXPECT_EQ(RelationTo(CooperativeAdmin(kOtherCoop), JoinedHousehold()), Relation::kNone);
  const Subject both = HouseholdSubject(kHousehold, kVillage, std::nullopt, {kOtherCoop, kCoop});
  EXPECT_EQ(RelationTo(CooperativeAdmin(kCoop), both), Relation::kCooperativeAdmin);
}

TEST(HouseholdRelationTest, RegisteringCooperativeKeepsAHouseholdOnlyUntilSomeoneJoins) {
  const Subject unjoined = HouseholdSubject(kHousehold, kVillage, kCoop, {});
  EXPECT_EQ(RelationTo(CooperativeAdmin(kCoop), unjoined), Relation::kCooperativeAdmin);
  EXPECT_EQ(RelationTo(CooperativeAdmin(kOtherCoop), unjoined), Relation::kNone);
  // Once a member of another cooperative joined, the registering cooperative no longer sees it.
  const Subject joined_elsewhere = HouseholdSubject(kHousehold, kVillage, kCoop, {kOtherCoop});
  EXPECT_EQ(RelationTo(CooperativeAdmin(kCoop), joined_elsewhere), Relation::kNone);
  EXPECT_EQ(RelationTo(CooperativeAdmin(kOtherCoop), joined_elsewhere),
            Relation::kCooperativeAdmin);
  // Registered by nobody (a platform admin or a worker) and without members: no cooperative.
  const Subject orphan = HouseholdSubject(kHousehold, kVillage, std::nullopt, {});
  EXPECT_EQ(RelationTo(CooperativeAdmin(kCoop), orphan), Relation::kNone);
}

TEST(HouseholdRelationTest, MemberReadsOnlyItsOwnHousehold) {
  const Scope member = MemberPrincipal(kCoop, kHousehold, kMember);
  EXPECT_EQ(RelationTo(member, JoinedHousehold()), Relation::kSelf);
  EXPECT_TRUE(RequireAccess(member, JoinedHousehold(), Access::kRead).ok());
  const absl::Status write = RequireAccess(member, JoinedHousehold(), Access::kWrite);
  EXPECT_EQ(write.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(write.message(), "members may not change a household");
  // Same cooperative, other household: outside the scope.
  const Scope neighbour = MemberPrincipal(kCoop, "HH-B", "MEMBER-B");
  EXPECT_EQ(RelationTo(neighbour, JoinedHousehold()), Relation::kNone);
  EXPECT_EQ(Code(neighbour, JoinedHousehold(), Access::kRead), absl::StatusCode::kNotFound);
}

TEST(HouseholdRelationTest, PartnerAndUnspecifiedRolesAreDenied) {
  for (const Scope& scope : {Partner(), ScopeOf(Role::kUnspecified)}) {
    const absl::Status s = RequireAccess(scope, JoinedHousehold(), Access::kRead);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(s.message(), "this role has no access to households");
  }
}

// --- Members -------------------------------------------------------------------------------------

TEST(MemberRelationTest, EveryRole) {
  const Subject m = MemberSubject(kMember, kCoop);
  EXPECT_EQ(RelationTo(PlatformAdmin(), m), Relation::kPlatformAdmin);
  EXPECT_EQ(RelationTo(Worker({kCoop}, {}), m), Relation::kAssignedWorker);
  EXPECT_EQ(RelationTo(Worker({kOtherCoop}, {kVillage}), m), Relation::kNone);
  EXPECT_EQ(RelationTo(CooperativeAdmin(kCoop), m), Relation::kCooperativeAdmin);
  EXPECT_EQ(RelationTo(CooperativeAdmin(kOtherCoop), m), Relation::kNone);
  EXPECT_EQ(RelationTo(MemberPrincipal(kCoop, kHousehold, kMember), m), Relation::kSelf);
  // A fellow member of the same household and cooperative does not see another's record.
  EXPECT_EQ(RelationTo(MemberPrincipal(kCoop, kHousehold, "MEMBER-B"), m), Relation::kNone);
  EXPECT_EQ(RelationTo(Partner(), m), Relation::kRoleWithoutAccess);
  EXPECT_EQ(RelationTo(ScopeOf(Role::kUnspecified), m), Relation::kRoleWithoutAccess);
}

TEST(MemberRelationTest, StatusesNameTheMember) {
  const Subject m = MemberSubject(kMember, kCoop);
  const absl::Status outside = RequireAccess(CooperativeAdmin(kOtherCoop), m, Access::kRead);
  EXPECT_EQ(outside.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(outside.message(), NotFound("member", kMember).message());
  const absl::Status partner = RequireAccess(Partner(), m, Access::kRead);
  EXPECT_EQ(partner.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(partner.message(), "this role has no access to members");
}

// --- Admission (CreateMember) -------------------------------------------------------------------
TEST(AdmissionTest, RegionPrefixOfCountyPrefectureAndProvinceCodes) {
  EXPECT_EQ(RegionPrefix("530828"), "530828");  // Lancang county
  EXPECT_EQ(RegionPrefix("530800"), "5308");    // Pu'er prefecture
  EXPECT_EQ(RegionPrefix("530000"), "53");      // Yunnan province
  EXPECT_EQ(RegionPrefix("530802"), "530802");  // a district ends in 02, not 00
  EXPECT_EQ(RegionPrefix(""), "");
  EXPECT_EQ(RegionPrefix("5308"), "");
  EXPECT_EQ(RegionPrefix("53082X"), "");
}

TEST(AdmissionTest, VillageInRegion) {
  EXPECT_TRUE(VillageInRegion("530828100001", "530828"));
  EXPECT_FALSE(VillageInRegion("530822100001", "530828"));  // Mojiang, the next county
  EXPECT_TRUE(VillageInRegion("530822100001", "530800"));   // both in Pu'er prefecture
  EXPECT_TRUE(VillageInRegion("530822100001", "530000"));
  EXPECT_FALSE(VillageInRegion("532822100001", "530800"));  // Xishuangbanna is not Pu'er
  EXPECT_FALSE(VillageInRegion("530828100001", ""));        // an empty region covers nothing
}

// A household a social worker registered in kVillage: nobody has joined it, no cooperative
// registered it.
Subject WorkersHousehold(const std::string& village = kVillage) {
  return HouseholdSubject(kHousehold, village, std::nullopt, {});
}

absl::Status Admit(const Scope& scope, const Subject& household, const std::string& region) {
  return RequireAdmissionFrom(scope, household, region);
}

TEST(AdmissionTest, CooperativeAdminAdmitsFromAnyHouseholdOfItsRegion) {
  EXPECT_TRUE(Admit(CooperativeAdmin(kCoop), WorkersHousehold(), "530828").ok());
  EXPECT_TRUE(Admit(CooperativeAdmin(kCoop), WorkersHousehold(), "530800").ok());
  // A household with members elsewhere lies in the region all the same.
  EXPECT_TRUE(Admit(CooperativeAdmin(kCoop),
                    HouseholdSubject(kHousehold, kVillage, std::nullopt, {kOtherCoop}), "530828")
                  .ok());
}

TEST(AdmissionTest, OutsideTheRegionOnlyTheAdminsOwnScopeCounts) {
  const absl::Status refused = Admit(CooperativeAdmin(kCoop), WorkersHousehold(), "530822");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(refused), "REFERENCED_RESOURCE_NOT_FOUND");
  EXPECT_EQ(refused.message(), AdmissionRefusal().message());  // like a missing household
  // Its members' household, and one it registered while nobody has joined, are in its scope.
  EXPECT_TRUE(Admit(CooperativeAdmin(kCoop), JoinedHousehold(), "530822").ok());
  EXPECT_TRUE(
      Admit(CooperativeAdmin(kCoop), HouseholdSubject(kHousehold, kVillage, kCoop, {}), "530822")
          .ok());
}

TEST(AdmissionTest, PlatformAdminAdmitsFromAnyHouseholdOtherRolesFromNone) {
  EXPECT_TRUE(Admit(PlatformAdmin(), WorkersHousehold("110101001001"), "530828").ok());
  // CreateMember refuses these roles first; the rule refuses them on its own as well.
  for (const Scope& scope :
       {Worker({kCoop}, {kVillage}), MemberPrincipal(kCoop, kHousehold, kMember), Partner(),
        ScopeOf(Role::kUnspecified)}) {
    EXPECT_EQ(Admit(scope, WorkersHousehold(), "530828").code(),
              absl::StatusCode::kFailedPrecondition)
        << static_cast<int>(scope.principal.role);
  }
}

TEST(ScopeTest, HasCooperativeAndVillage) {
  const Scope scope = Worker({kCoop}, {kVillage});
  EXPECT_TRUE(scope.HasCooperative(kCoop));
  EXPECT_FALSE(scope.HasCooperative(kOtherCoop));
  EXPECT_TRUE(scope.HasVillage(kVillage));
  EXPECT_FALSE(scope.HasVillage(kOtherVillage));
  EXPECT_FALSE(scope.HasVillage(kCoop));
}

}  // namespace
}  // namespace cooplink::membership
