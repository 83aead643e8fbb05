// The rules of the plainer membership records, without a database: cooperatives
// (cooperative_rules.h), partners (partner_rules.h), social workers (social_worker_rules.h) and
// principals (principal_rules.h).
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/status.h"
#include "services/membership/cooperative_rules.h"
#include "services/membership/identity.h"
#include "services/membership/partner_rules.h"
#include "services/membership/principal_rules.h"
#include "services/membership/social_worker_rules.h"
#include "tests/support/test_env.h"

namespace cooplink::membership {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kId = "01J0000000000000000000000A";

std::vector<std::string> Fields(const FieldViolations& v) {
  return cooplink::testing::ViolatedFields(ToGrpcStatus(v.ToStatus()));
}
std::vector<std::string> Fields(const absl::Status& s) {
  return cooplink::testing::ViolatedFields(ToGrpcStatus(s));
}

google::protobuf::FieldMask Mask(std::initializer_list<const char*> paths) {
  google::protobuf::FieldMask mask;
  for (const char* p : paths) mask.add_paths(p);
  return mask;
}

// --- Cooperatives -------------------------------------------------------------------------------

v1::Cooperative ValidCooperative() {
  v1::Cooperative c;
  c.set_name(" 澜沧茶叶合作社 ");
  c.set_uscc(absl::AsciiStrToLower(cooplink::testing::CooperativeUscc(1)));
  c.set_region_code("530828");
  return c;
}

TEST(CooperativeRulesTest, NewCooperativeIsNormalised) {
  v1::Cooperative c = ValidCooperative();
  FieldViolations v;
  ValidateCooperative(v, c, /*creating=*/true);
  EXPECT_THAT(Fields(v), IsEmpty());
  EXPECT_EQ(c.name(), "澜沧茶叶合作社");
  EXPECT_EQ(c.uscc(), cooplink::testing::CooperativeUscc(1));
  EXPECT_EQ(c.fiscal_year_end_month(), kFiscalYearEndMonth.zero_means);
}

TEST(CooperativeRulesTest, UsccMustBeAFarmersCooperatives) {
  v1::Cooperative c = ValidCooperative();
  c.set_uscc("91350100M000100Y43");  // valid, but an enterprise's
  FieldViolations v;
  ValidateCooperative(v, c, /*creating=*/true);
  EXPECT_THAT(Fields(v), ElementsAre("cooperative.uscc"));
}

TEST(CooperativeRulesTest, MonthAndFeeLimits) {
  for (int month : {1, 12}) {
    v1::Cooperative c = ValidCooperative();
    c.set_fiscal_year_end_month(month);
    c.set_service_fee_bps(kServiceFeeBps.max);
    FieldViolations v;
    ValidateCooperative(v, c, /*creating=*/false);
    EXPECT_TRUE(v.empty());
  }
  v1::Cooperative c = ValidCooperative();
  c.set_fiscal_year_end_month(13);
  c.set_service_fee_bps(kServiceFeeBps.max + 1);
  c.set_region_code("990000");
  FieldViolations v;
  ValidateCooperative(v, c, /*creating=*/false);
  EXPECT_THAT(Fields(v), ElementsAre("cooperative.region_code", "cooperative.fiscal_year_end_month",
                                     "cooperative.service_fee_bps"));
  // Updating never defaults the month: 0 is invalid then.
  v1::Cooperative zero = ValidCooperative();
  FieldViolations z;
  ValidateCooperative(z, zero, /*creating=*/false);
  EXPECT_THAT(Fields(z), ElementsAre("cooperative.fiscal_year_end_month"));
}

TEST(CooperativeRulesTest, PatchAndFiscalYearChange) {
  v1::Cooperative current = ValidCooperative();
  current.set_fiscal_year_end_month(12);
  v1::Cooperative patch;
  patch.set_fiscal_year_end_month(6);
  patch.set_name("ignored");
  const v1::Cooperative next =
      ApplyCooperativePatch(current, patch, Mask({"fiscal_year_end_month"}));
  EXPECT_EQ(next.fiscal_year_end_month(), 6);
  EXPECT_EQ(next.name(), current.name());
  EXPECT_EQ(ReasonOf(CheckFiscalYearChange(current, next, /*has_pending_exits=*/true)),
            "PENDING_EXITS");
  EXPECT_TRUE(CheckFiscalYearChange(current, next, /*has_pending_exits=*/false).ok());
  EXPECT_TRUE(CheckFiscalYearChange(current, current, /*has_pending_exits=*/true).ok());
}

TEST(CooperativeRulesTest, RegionPrefix) {
  EXPECT_TRUE(CheckRegionCodePrefix("").ok());
  EXPECT_TRUE(CheckRegionCodePrefix("5308").ok());
  EXPECT_THAT(Fields(CheckRegionCodePrefix("5308281")), ElementsAre("region_code_prefix"));
  EXPECT_THAT(Fields(CheckRegionCodePrefix("53-8")), ElementsAre("region_code_prefix"));
}

// --- Partners
// -------------------------------------------------------------------------------------

TEST(PartnerRulesTest, ValidationLimits) {
  v1::Partner p;
  p.set_name(" 拼多多 ");
  p.set_channel_kind(common::v1::CHANNEL_KIND_OTHER);
  p.set_commission_rate_bps(kCommissionRateBps.max);
  FieldViolations v;
  ValidatePartner(v, p);
  EXPECT_THAT(Fields(v), IsEmpty());
  EXPECT_EQ(p.name(), "拼多多");
  p.set_channel_kind(common::v1::CHANNEL_KIND_UNSPECIFIED);
  p.set_commission_rate_bps(kCommissionRateBps.max + 1);
  FieldViolations bad;
  ValidatePartner(bad, p);
  EXPECT_THAT(Fields(bad), ElementsAre("partner.channel_kind", "partner.commission_rate_bps"));
}

TEST(PartnerRulesTest, PatchValidatesOnlyMaskedFields) {
  v1::Partner patch;
  patch.set_commission_rate_bps(-1);
  EXPECT_TRUE(ValidatePartnerPatch(patch, Mask({"contact"})).ok());
  EXPECT_THAT(Fields(ValidatePartnerPatch(patch, Mask({"commission_rate_bps"}))),
              ElementsAre("partner.commission_rate_bps"));
  EXPECT_THAT(Fields(ValidatePartnerPatch(patch, Mask({"name"}))), ElementsAre("partner.name"));
}

TEST(PartnerRulesTest, APartnerSeesOnlyItself) {
  Principal partner;
  partner.role = Role::kPartner;
  partner.partner_id = "P1";
  EXPECT_TRUE(CheckPartnerVisible(partner, "P1").ok());
  EXPECT_EQ(CheckPartnerVisible(partner, "P2").code(), absl::StatusCode::kNotFound);
  Principal admin;
  admin.role = Role::kCooperativeAdmin;
  EXPECT_TRUE(CheckPartnerVisible(admin, "P2").ok());
  EXPECT_EQ(CheckChannelKindFilter(99).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckChannelKindFilter(0).ok());
}

// --- Social workers
// -------------------------------------------------------------------------------

TEST(SocialWorkerRulesTest, NewWorker) {
  v1::SocialWorker in;
  in.set_name(" 赵六 ");
  in.set_phone("138 0013 8000");
  in.set_county_code(" 530828 ");
  FieldViolations v;
  const NewSocialWorker w = ValidateNewSocialWorker(v, in);
  EXPECT_THAT(Fields(v), IsEmpty());
  EXPECT_EQ(w.name, "赵六");
  EXPECT_EQ(w.phone, "13800138000");
  EXPECT_EQ(w.county_code, "530828");
  in.set_phone("555");
  in.set_county_code("5308");
  FieldViolations bad;
  ValidateNewSocialWorker(bad, in);
  EXPECT_THAT(Fields(bad), ElementsAre("social_worker.phone", "social_worker.county_code"));
}

TEST(SocialWorkerRulesTest, AssignmentNamesExactlyOneScope) {
  v1::AssignSocialWorkerRequest req;
  req.set_social_worker_id(kId);
  FieldViolations none;
  ValidateAssignment(none, req);
  EXPECT_THAT(Fields(none), ElementsAre("scope"));
  req.set_village_code("5308281000");
  FieldViolations short_code;
  ValidateAssignment(short_code, req);
  EXPECT_THAT(Fields(short_code), ElementsAre("village_code"));
  req.set_cooperative_id(kId);  // replaces the village (oneof)
  FieldViolations ok;
  ValidateAssignment(ok, req);
  EXPECT_TRUE(ok.empty());
  v1::Assignment ended;
  ended.set_state(v1::ASSIGNMENT_STATE_ENDED);
  EXPECT_EQ(ReasonOf(CheckAssignmentActive(ended)), "ASSIGNMENT_ENDED");
  ended.set_state(v1::ASSIGNMENT_STATE_ACTIVE);
  EXPECT_TRUE(CheckAssignmentActive(ended).ok());
}

TEST(SocialWorkerRulesTest, AWorkerReadsOnlyItsOwnRecord) {
  Principal worker;
  worker.role = Role::kSocialWorker;
  worker.social_worker_id = "W1";
  EXPECT_TRUE(CheckWorkerReadable(worker, "W1").ok());
  EXPECT_EQ(CheckWorkerReadable(worker, "W2").code(), absl::StatusCode::kNotFound);
  Principal admin;
  admin.role = Role::kPlatformAdmin;
  EXPECT_TRUE(CheckWorkerReadable(admin, "W2").ok());
  Principal member;
  member.role = Role::kMember;
  EXPECT_EQ(CheckWorkerReadable(member, "W1").code(), absl::StatusCode::kPermissionDenied);
}

// --- Principals
// -----------------------------------------------------------------------------------

TEST(PrincipalRulesTest, ExactlyTheScopeIdsOfTheRole) {
  v1::Principal p;
  p.set_display_name(" Ops ");
  p.set_role(common::v1::ROLE_MEMBER);
  p.set_cooperative_id(kId);
  p.set_household_id(kId);
  p.set_member_id(kId);
  FieldViolations ok;
  ValidatePrincipal(ok, p);
  EXPECT_THAT(Fields(ok), IsEmpty());
  EXPECT_EQ(p.display_name(), "Ops");
  p.set_role(common::v1::ROLE_COOPERATIVE_ADMIN);
  p.set_partner_id(kId);
  FieldViolations v;
  ValidatePrincipal(v, p);
  EXPECT_THAT(Fields(v),
              ElementsAre("principal.household_id", "principal.member_id", "principal.partner_id"));
  for (int role : {0, 6}) {
    p.set_role(static_cast<common::v1::Role>(role));
    FieldViolations r;
    ValidatePrincipal(r, p);
    EXPECT_THAT(Fields(r), ElementsAre("principal.role")) << role;
  }
}

TEST(PrincipalRulesTest, MemberPlacement) {
  v1::Principal p;
  p.set_cooperative_id("C");
  p.set_household_id("H");
  EXPECT_TRUE(CheckMemberPlacement(p, "C", "H").ok());
  EXPECT_THAT(Fields(CheckMemberPlacement(p, "C", "H2")), ElementsAre("principal.member_id"));
}

TEST(PrincipalRulesTest, TokenLifetime) {
  google::protobuf::Duration d;
  FieldViolations v;
  EXPECT_EQ(TokenTtl(v, d), kDefaultTokenTtl);
  d.set_seconds(absl::ToInt64Seconds(kMaxTokenTtl));
  EXPECT_EQ(TokenTtl(v, d), kMaxTokenTtl);
  EXPECT_TRUE(v.empty());
  d.set_seconds(absl::ToInt64Seconds(kMaxTokenTtl) + 1);
  TokenTtl(v, d);
  d.set_seconds(-1);
  TokenTtl(v, d);
  EXPECT_THAT(Fields(v), ElementsAre("ttl", "ttl"));
  EXPECT_EQ(TokenExpiryMicros(absl::FromUnixMicros(1'500'000), absl::Seconds(10)), 11'000'000);
}

TEST(PrincipalRulesTest, OwnerOrAdminAndRevocationPage) {
  Principal caller;
  caller.id = "me";
  caller.role = Role::kMember;
  EXPECT_TRUE(OwnsOrAdmin(caller, "me"));
  EXPECT_FALSE(OwnsOrAdmin(caller, "you"));
  caller.role = Role::kPlatformAdmin;
  EXPECT_TRUE(OwnsOrAdmin(caller, "you"));
  v1::ListTokenRevocationsRequest req;
  EXPECT_EQ(*RevocationPageSize(req), kDefaultRevocationPage);
  req.set_page_size(kMaxRevocationPage + 1);
  EXPECT_EQ(*RevocationPageSize(req), kMaxRevocationPage);
  req.set_page_size(-1);
  EXPECT_THAT(Fields(RevocationPageSize(req).status()), ElementsAre("page_size"));
  req.set_page_size(1);
  req.set_after_sequence(-1);
  EXPECT_THAT(Fields(RevocationPageSize(req).status()), ElementsAre("after_sequence"));
}

TEST(CodePrefixTest, UpToTheGivenNumberOfDigits) {
  EXPECT_TRUE(IsCodePrefix("", 6));
  EXPECT_TRUE(IsCodePrefix("530828", 6));
  EXPECT_FALSE(IsCodePrefix("5308281", 6));
  EXPECT_FALSE(IsCodePrefix("53 8", 6));
}

}  // namespace
}  // namespace cooplink::membership
