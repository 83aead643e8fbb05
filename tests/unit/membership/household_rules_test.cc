// The rules of households (household_rules.h), without a database.
#include "services/membership/household_rules.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/fields.h"
#include "services/common/status.h"
#include "tests/support/test_env.h"

namespace cooplink::membership {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const FieldViolations& v) {
  return cooplink::testing::ViolatedFields(ToGrpcStatus(v.ToStatus()));
}

v1::Household Valid() {
  v1::Household h;
  h.set_village_code(" 530828100001 ");
  h.set_head_name(" 李四 ");
  h.set_resident_size(4);
  h.set_ethnicity("拉祜族");
  return h;
}

google::protobuf::FieldMask Mask(std::initializer_list<const char*> paths) {
  google::protobuf::FieldMask mask;
  for (const char* p : paths) mask.add_paths(p);
  return mask;
}

TEST(NewHouseholdTest, NormalisesAndDefaultsToOrdinary) {
  v1::Household h = Valid();
  FieldViolations v;
  ValidateNewHousehold(v, h);
  EXPECT_THAT(Fields(v), IsEmpty());
  EXPECT_EQ(h.village_code(), "530828100001");
  EXPECT_EQ(h.head_name(), "李四");
  EXPECT_EQ(h.monitoring_category(), v1::MONITORING_CATEGORY_ORDINARY);
}

TEST(NewHouseholdTest, ResidentSizeLimits) {
  for (int64_t size : {int64_t{1}, kResidentSize.max}) {
    v1::Household h = Valid();
    h.set_resident_size(static_cast<int32_t>(size));
    FieldViolations v;
    ValidateNewHousehold(v, h);
    EXPECT_TRUE(v.empty()) << size;
  }
  for (int64_t size : {int64_t{0}, kResidentSize.max + 1}) {
    v1::Household h = Valid();
    h.set_resident_size(static_cast<int32_t>(size));
    FieldViolations v;
    ValidateNewHousehold(v, h);
    EXPECT_THAT(Fields(v), ElementsAre("household.resident_size")) << size;
  }
}

TEST(NewHouseholdTest, ReportsEveryBadField) {
  v1::Household h;
  h.set_village_code("999999100001");  // no such province
  h.set_ethnicity(std::string(kEthnicity.max + 1, 'x'));
  h.set_monitoring_category(static_cast<v1::MonitoringCategory>(9));
  FieldViolations v;
  ValidateNewHousehold(v, h);
  EXPECT_THAT(Fields(v), ElementsAre("household.village_code", "household.head_name",
                                     "household.resident_size", "household.ethnicity",
                                     "household.monitoring_category"));
}

TEST(HouseholdPatchTest, ValidatesAndAppliesOnlyMaskedFields) {
  v1::Household patch;
  patch.set_resident_size(0);  // invalid but not in the mask
  patch.set_head_name(" 王五 ");
  FieldViolations v;
  ValidateHouseholdPatch(v, patch, Mask({"head_name"}));
  EXPECT_TRUE(v.empty());
  v1::Household current = Valid();
  current.set_resident_size(3);
  const v1::Household next = ApplyHouseholdPatch(current, patch, Mask({"head_name"}));
  EXPECT_EQ(next.head_name(), "王五");
  EXPECT_EQ(next.resident_size(), 3);
  FieldViolations bad;
  ValidateHouseholdPatch(bad, patch, Mask({"resident_size"}));
  EXPECT_THAT(Fields(bad), ElementsAre("household.resident_size"));
}

v1::ListHouseholdsRequest Filters(const std::string& prefix, int category,
                                  const std::string& cooperative_id = "") {
  v1::ListHouseholdsRequest req;
  req.set_village_code_prefix(prefix);
  req.set_monitoring_category(static_cast<v1::MonitoringCategory>(category));
  req.set_cooperative_id(cooperative_id);
  return req;
}

TEST(HouseholdFiltersTest, PrefixOfUpToTwelveDigitsADefinedCategoryAndAnId) {
  FieldViolations ok;
  ValidateHouseholdFilters(ok, Filters("", 0));
  ValidateHouseholdFilters(ok, Filters("530828100001", v1::MONITORING_CATEGORY_SUDDEN_HARDSHIP,
                                       "01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_TRUE(ok.empty());
  FieldViolations v;
  ValidateHouseholdFilters(v, Filters("5308281000011", 6, "short"));
  EXPECT_THAT(Fields(v),
              ElementsAre("village_code_prefix", "monitoring_category", "cooperative_id"));
  FieldViolations letters;
  ValidateHouseholdFilters(letters, Filters("53a", 0));
  EXPECT_THAT(Fields(letters), ElementsAre("village_code_prefix"));
}

v1::UpdateHouseholdRequest SizeUpdate(std::initializer_list<const char*> paths,
                                      std::optional<common::v1::Date> date) {
  v1::UpdateHouseholdRequest req;
  *req.mutable_update_mask() = Mask(paths);
  if (date) *req.mutable_resident_size_effective_date() = *date;
  return req;
}

TEST(SizeEffectiveDateTest, DefaultsToTodayAndIsNeverInTheFuture) {
  const absl::CivilDay today(2026, 3, 1);
  FieldViolations ok;
  EXPECT_EQ(ValidateSizeEffectiveDate(ok, SizeUpdate({"resident_size"}, std::nullopt), today),
            today);
  EXPECT_EQ(ValidateSizeEffectiveDate(ok, SizeUpdate({"resident_size"}, ToDate(today)), today),
            today);
  EXPECT_EQ(
      ValidateSizeEffectiveDate(ok, SizeUpdate({"resident_size"}, ToDate(today - 400)), today),
      today - 400);
  EXPECT_TRUE(ok.empty());
  FieldViolations future;
  ValidateSizeEffectiveDate(future, SizeUpdate({"resident_size"}, ToDate(today + 1)), today);
  EXPECT_THAT(Fields(future), ElementsAre("resident_size_effective_date"));
  FieldViolations unreal;
  common::v1::Date feb30 = ToDate(today);
  feb30.set_month(2);
  feb30.set_day(30);
  ValidateSizeEffectiveDate(unreal, SizeUpdate({"resident_size"}, feb30), today);
  EXPECT_THAT(Fields(unreal), ElementsAre("resident_size_effective_date"));
  FieldViolations without_size;
  ValidateSizeEffectiveDate(without_size, SizeUpdate({"head_name"}, ToDate(today)), today);
  EXPECT_THAT(Fields(without_size), ElementsAre("resident_size_effective_date"));
}

TEST(SizeChangeDateTest, TheHistoryOnlyGrowsForward) {
  v1::Household h;
  EXPECT_TRUE(CheckSizeChangeDate(h, absl::CivilDay(2000, 1, 1)).ok());  // no history yet
  auto* first = h.add_resident_size_history();
  *first->mutable_effective_date() = ToDate(absl::CivilDay(2026, 1, 1));
  auto* last = h.add_resident_size_history();
  *last->mutable_effective_date() = ToDate(absl::CivilDay(2026, 2, 10));
  EXPECT_TRUE(CheckSizeChangeDate(h, absl::CivilDay(2026, 2, 10)).ok());  // same date: replaces
  EXPECT_TRUE(CheckSizeChangeDate(h, absl::CivilDay(2026, 2, 11)).ok());
  absl::Status before = CheckSizeChangeDate(h, absl::CivilDay(2026, 2, 9));
  EXPECT_EQ(before.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cooplink::testing::ViolatedFields(ToGrpcStatus(before)),
              ElementsAre("resident_size_effective_date"));
  EXPECT_NE(before.message().find("2026-02-10"), absl::string_view::npos) << before.message();
}

TEST(RegistrationTest, CooperativeAdminRegistersOnlyOrdinaryHouseholds) {
  Principal admin;
  admin.role = Role::kCooperativeAdmin;
  admin.cooperative_id = "COOP";
  EXPECT_TRUE(CheckRegistrationCategory(admin, v1::MONITORING_CATEGORY_ORDINARY).ok());
  const absl::Status s = CheckRegistrationCategory(admin, v1::MONITORING_CATEGORY_MARGINAL_AT_RISK);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(RegisteringCooperative(admin), "COOP");
  Principal worker;
  worker.role = Role::kSocialWorker;
  EXPECT_TRUE(CheckRegistrationCategory(worker, v1::MONITORING_CATEGORY_MARGINAL_AT_RISK).ok());
  EXPECT_EQ(RegisteringCooperative(worker), std::nullopt);
}

TEST(VillageAssignedTest, OnlyConstrainsSocialWorkers) {
  Scope worker;
  worker.principal.role = Role::kSocialWorker;
  worker.villages = {"530828100001"};
  EXPECT_TRUE(CheckVillageAssigned(worker, "530828100001").ok());
  const absl::Status s = CheckVillageAssigned(worker, "530828100002");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(s), "VILLAGE_NOT_ASSIGNED");
  Scope admin;
  admin.principal.role = Role::kPlatformAdmin;
  EXPECT_TRUE(CheckVillageAssigned(admin, "530828100002").ok());
}

TEST(CategoryChangeTest, ValidationAndUnchangedCategory) {
  const absl::CivilDay today(2024, 6, 1);
  v1::ChangeMonitoringCategoryRequest req;
  req.set_household_id("01J0000000000000000000000A");
  req.set_category(v1::MONITORING_CATEGORY_UNSPECIFIED);
  req.set_reason(" illness ");
  req.mutable_effective_date()->set_year(2024);
  req.mutable_effective_date()->set_month(6);
  req.mutable_effective_date()->set_day(2);
  FieldViolations v;
  ValidateCategoryChange(v, req, today);
  EXPECT_THAT(Fields(v), ElementsAre("category", "effective_date"));
  req.set_category(v1::MONITORING_CATEGORY_SUDDEN_HARDSHIP);
  req.mutable_effective_date()->set_day(1);
  FieldViolations ok;
  EXPECT_EQ(ValidateCategoryChange(ok, req, today), "illness");
  EXPECT_TRUE(ok.empty());
  EXPECT_EQ(ReasonOf(CheckCategoryChange(v1::MONITORING_CATEGORY_ORDINARY,
                                         v1::MONITORING_CATEGORY_ORDINARY)),
            "CATEGORY_UNCHANGED");
  EXPECT_TRUE(
      CheckCategoryChange(v1::MONITORING_CATEGORY_ORDINARY, v1::MONITORING_CATEGORY_LIFTED_OUT)
          .ok());
}

TEST(ChangeIdTest, ChangesOfOneMillisecondStayInOrder) {
  EXPECT_EQ(OrderedChangeId("01J00000000000000000000005", std::nullopt),
            "01J00000000000000000000005");
  EXPECT_EQ(OrderedChangeId("01J00000000000000000000005", "01J00000000000000000000004"),
            "01J00000000000000000000005");
  EXPECT_EQ(OrderedChangeId("01J00000000000000000000005", "01J00000000000000000000005"),
            "01J00000000000000000000006");
  EXPECT_EQ(OrderedChangeId("01J00000000000000000000005", "01J0000000000000000000000Z"),
            "01J00000000000000000000010");
}

TEST(ChangeIdTest, SuccessorCarriesThroughTheBase32Alphabet) {
  EXPECT_EQ(IdSuccessor("00"), "01");
  EXPECT_EQ(IdSuccessor("09"), "0A");
  EXPECT_EQ(IdSuccessor("0H"), "0J");  // no I in Crockford base32
  EXPECT_EQ(IdSuccessor("0Z"), "10");
  const std::string id = "01J0000000000000000000000Z";
  EXPECT_GT(IdSuccessor(id), id);
}

}  // namespace
}  // namespace cooplink::membership
