// The rules of membership under the cooperative law (member_rules.h), without a database: the
// composition rule at, below and above each limit, the exit notice and completion, the member
// state machine and the validators.
#include "services/membership/member_rules.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/status.h"
#include "tests/support/test_env.h"

namespace cooplink::membership {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const FieldViolations& v) {
  return cooplink::testing::ViolatedFields(ToGrpcStatus(v.ToStatus()));
}

// --- Composition --------------------------------------------------------------------------------

absl::Status Check(int64_t total, int64_t farmers, int64_t organizations) {
  return CheckComposition({total, farmers, organizations});
}

TEST(CompositionTest, FarmerShareIsNotRequiredBelowFiveMembers) {
  EXPECT_TRUE(Check(4, 0, 0).ok());
  EXPECT_TRUE(Check(1, 0, 0).ok());
  EXPECT_TRUE(Check(0, 0, 0).ok());
}

TEST(CompositionTest, FarmerShareOfEightyPercentAtFiveMembersAndAbove) {
  EXPECT_TRUE(Check(5, 4, 0).ok());     // exactly 80 %
  EXPECT_TRUE(Check(5, 5, 0).ok());     // above
  EXPECT_FALSE(Check(5, 3, 0).ok());    // 60 %
  EXPECT_TRUE(Check(10, 8, 0).ok());    // exactly 80 %
  EXPECT_FALSE(Check(10, 7, 0).ok());   // 70 %
  EXPECT_TRUE(Check(6, 5, 0).ok());     // 83 %
  EXPECT_FALSE(Check(6, 4, 0).ok());    // 66 %
  EXPECT_TRUE(Check(21, 17, 0).ok());   // 80.95 %
  EXPECT_FALSE(Check(21, 16, 0).ok());  // 76.19 %
}

TEST(CompositionTest, ViolationIsFailedPreconditionWithReason) {
  const absl::Status s = Check(5, 3, 0);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "COMPOSITION_RULE_VIOLATED");
}

TEST(CompositionTest, AtMostOneOrganizationUpToTwentyMembers) {
  EXPECT_TRUE(Check(1, 0, 1).ok());
  EXPECT_TRUE(Check(5, 4, 1).ok());
  EXPECT_TRUE(Check(20, 19, 1).ok());
  EXPECT_FALSE(Check(3, 1, 2).ok());
  EXPECT_FALSE(Check(20, 18, 2).ok());
  EXPECT_EQ(ReasonOf(Check(20, 18, 2)), "COMPOSITION_RULE_VIOLATED");
}

TEST(CompositionTest, AtMostFivePercentOrganizationsAboveTwentyMembers) {
  EXPECT_TRUE(Check(21, 20, 1).ok());
  EXPECT_FALSE(Check(21, 19, 2).ok());  // 9.5 %
  EXPECT_FALSE(Check(39, 37, 2).ok());  // 5.1 %
  EXPECT_TRUE(Check(40, 38, 2).ok());   // exactly 5 %
  EXPECT_FALSE(Check(40, 37, 3).ok());  // 7.5 %
  EXPECT_TRUE(Check(60, 57, 3).ok());   // exactly 5 %
  EXPECT_FALSE(Check(60, 56, 4).ok());
}

// --- Member state machine -----------------------------------------------------------------------

struct ActionCase {
  v1::MemberState state;
  MemberAction action;
  const char* reason;  // "" when allowed
};

TEST(MemberActionTest, EveryStateAndAction) {
  const ActionCase cases[] = {
      {v1::MEMBER_STATE_ACTIVE, MemberAction::kUpdate, ""},
      {v1::MEMBER_STATE_ACTIVE, MemberAction::kContribute, ""},
      {v1::MEMBER_STATE_ACTIVE, MemberAction::kRequestExit, ""},
      {v1::MEMBER_STATE_ACTIVE, MemberAction::kCompleteExit, "EXIT_NOT_REQUESTED"},
      {v1::MEMBER_STATE_EXIT_REQUESTED, MemberAction::kUpdate, ""},
      {v1::MEMBER_STATE_EXIT_REQUESTED, MemberAction::kContribute, ""},
      {v1::MEMBER_STATE_EXIT_REQUESTED, MemberAction::kRequestExit, "EXIT_ALREADY_REQUESTED"},
      {v1::MEMBER_STATE_EXIT_REQUESTED, MemberAction::kCompleteExit, ""},
      {v1::MEMBER_STATE_EXITED, MemberAction::kUpdate, "MEMBER_EXITED"},
      {v1::MEMBER_STATE_EXITED, MemberAction::kContribute, "MEMBER_EXITED"},
      {v1::MEMBER_STATE_EXITED, MemberAction::kRequestExit, "MEMBER_EXITED"},
      {v1::MEMBER_STATE_EXITED, MemberAction::kCompleteExit, "MEMBER_EXITED"},
  };
  for (const ActionCase& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << v1::MemberState_Name(c.state) << " action " << static_cast<int>(c.action));
    const absl::Status s = CheckMemberAction(c.state, c.action);
    if (std::string(c.reason).empty()) {
      EXPECT_TRUE(s.ok()) << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(ReasonOf(s), c.reason);
    }
  }
}

TEST(MemberActionTest, OnlyAnActiveFarmerLosingTheFlagNeedsTheCompositionCheck) {
  v1::Member m;
  m.set_state(v1::MEMBER_STATE_ACTIVE);
  m.set_is_farmer(true);
  EXPECT_TRUE(FarmerChangeNeedsCompositionCheck(m, false));
  EXPECT_FALSE(FarmerChangeNeedsCompositionCheck(m, true));
  m.set_state(v1::MEMBER_STATE_EXIT_REQUESTED);  // no longer counted as active
  EXPECT_FALSE(FarmerChangeNeedsCompositionCheck(m, false));
  m.set_state(v1::MEMBER_STATE_ACTIVE);
  m.set_is_farmer(false);
  EXPECT_FALSE(FarmerChangeNeedsCompositionCheck(m, true));
}

// --- Exit
// -----------------------------------------------------------------------------------------

TEST(FiscalYearTest, EndOfTheFiscalYearContainingToday) {
  EXPECT_EQ(FiscalYearEnd(absl::CivilDay(2024, 6, 1), 12), absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(FiscalYearEnd(absl::CivilDay(2024, 12, 31), 12), absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(FiscalYearEnd(absl::CivilDay(2025, 1, 1), 12), absl::CivilDay(2025, 12, 31));
  EXPECT_EQ(FiscalYearEnd(absl::CivilDay(2024, 6, 30), 6), absl::CivilDay(2024, 6, 30));
  EXPECT_EQ(FiscalYearEnd(absl::CivilDay(2024, 7, 1), 6), absl::CivilDay(2025, 6, 30));
  EXPECT_EQ(FiscalYearEnd(absl::CivilDay(2024, 1, 10), 2), absl::CivilDay(2024, 2, 29));
}

TEST(FiscalYearTest, NoticeDeadlineIsTheLastDayOfTheMonthThatManyMonthsBefore) {
  EXPECT_EQ(NoticeDeadline(absl::CivilDay(2024, 12, 31), 3), absl::CivilDay(2024, 9, 30));
  EXPECT_EQ(NoticeDeadline(absl::CivilDay(2024, 12, 31), 6), absl::CivilDay(2024, 6, 30));
  EXPECT_EQ(NoticeDeadline(absl::CivilDay(2025, 2, 28), 3), absl::CivilDay(2024, 11, 30));
  EXPECT_EQ(NoticeDeadline(absl::CivilDay(2024, 5, 31), 3), absl::CivilDay(2024, 2, 29));
}

TEST(ExitNoticeTest, NaturalPersonGivesThreeMonthsNotice) {
  const auto person = v1::MEMBER_KIND_NATURAL_PERSON;
  auto before = ExitEffectiveDate(absl::CivilDay(2024, 9, 29), 12, person);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(*before, absl::CivilDay(2024, 12, 31));
  auto at = ExitEffectiveDate(absl::CivilDay(2024, 9, 30), 12, person);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(*at, absl::CivilDay(2024, 12, 31));
  auto after = ExitEffectiveDate(absl::CivilDay(2024, 10, 1), 12, person);
  EXPECT_EQ(after.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(after.status()), "EXIT_NOTICE_TOO_LATE");
  EXPECT_EQ(after.status().message(),
            "notice for the fiscal year ending 2024-12-31 had to be given by 2024-09-30");
}

TEST(ExitNoticeTest, UnspecifiedKindCountsAsNaturalPerson) {
  EXPECT_TRUE(ExitEffectiveDate(absl::CivilDay(2024, 9, 30), 12, v1::MEMBER_KIND_UNSPECIFIED).ok());
}

TEST(ExitNoticeTest, OrganizationGivesSixMonthsNotice) {
  const auto organization = v1::MEMBER_KIND_ORGANIZATION;
  EXPECT_TRUE(ExitEffectiveDate(absl::CivilDay(2024, 6, 29), 12, organization).ok());
  EXPECT_TRUE(ExitEffectiveDate(absl::CivilDay(2024, 6, 30), 12, organization).ok());
  EXPECT_EQ(ReasonOf(ExitEffectiveDate(absl::CivilDay(2024, 7, 1), 12, organization).status()),
            "EXIT_NOTICE_TOO_LATE");
}

TEST(ExitNoticeTest, FollowsTheCooperativesFiscalYear) {
  // Fiscal year ending June: notice by the end of March for a person.
  auto in_time = ExitEffectiveDate(absl::CivilDay(2025, 3, 31), 6, v1::MEMBER_KIND_NATURAL_PERSON);
  ASSERT_TRUE(in_time.ok());
  EXPECT_EQ(*in_time, absl::CivilDay(2025, 6, 30));
  EXPECT_FALSE(
      ExitEffectiveDate(absl::CivilDay(2025, 4, 1), 6, v1::MEMBER_KIND_NATURAL_PERSON).ok());
  // After the year's end the next fiscal year counts, with the whole notice period ahead.
  auto next_year = ExitEffectiveDate(absl::CivilDay(2025, 7, 1), 6, v1::MEMBER_KIND_ORGANIZATION);
  ASSERT_TRUE(next_year.ok());
  EXPECT_EQ(*next_year, absl::CivilDay(2026, 6, 30));
}

TEST(ExitCompletionTest, FromTheDayAfterTheEffectiveDate) {
  const absl::CivilDay effective(2024, 12, 31);
  EXPECT_EQ(ReasonOf(CheckExitEffective(effective, absl::CivilDay(2024, 12, 30))),
            "EXIT_NOT_YET_EFFECTIVE");
  EXPECT_EQ(ReasonOf(CheckExitEffective(effective, effective)), "EXIT_NOT_YET_EFFECTIVE");
  EXPECT_TRUE(CheckExitEffective(effective, absl::CivilDay(2025, 1, 1)).ok());
}

// --- Validators ---------------------------------------------------------------------------------

const absl::CivilDay kToday(2024, 6, 1);

v1::Member NaturalPerson() {
  v1::Member m;
  m.set_cooperative_id("01J0000000000000000000000A");
  m.set_household_id("01J0000000000000000000000B");
  m.set_name("  张三  ");
  m.set_resident_id(cooplink::testing::ResidentId(1));
  m.set_is_farmer(true);
  return m;
}

TEST(NewMemberTest, NaturalPersonIsNormalised) {
  FieldViolations v;
  const NewMember m = ValidateNewMember(v, NaturalPerson(), kToday);
  EXPECT_THAT(Fields(v), IsEmpty());
  EXPECT_FALSE(m.organization);
  EXPECT_EQ(m.name, "张三");
  ASSERT_TRUE(m.resident.has_value());
  EXPECT_EQ(m.resident->year, 1980);
  EXPECT_EQ(m.join_date, kToday);
}

TEST(NewMemberTest, NaturalPersonNeedsHouseholdAndResidentId) {
  v1::Member m = NaturalPerson();
  m.clear_household_id();
  m.clear_resident_id();
  FieldViolations v;
  ValidateNewMember(v, m, kToday);
  EXPECT_THAT(Fields(v), ElementsAre("member.household_id", "member.resident_id"));
}

TEST(NewMemberTest, OrganizationHasNoHouseholdNoResidentIdAndIsNoFarmer) {
  v1::Member m = NaturalPerson();
  m.set_member_kind(v1::MEMBER_KIND_ORGANIZATION);
  FieldViolations v;
  ValidateNewMember(v, m, kToday);
  EXPECT_THAT(Fields(v),
              ElementsAre("member.household_id", "member.resident_id", "member.is_farmer"));
  m.clear_household_id();
  m.clear_resident_id();
  m.set_is_farmer(false);
  FieldViolations ok;
  const NewMember organization = ValidateNewMember(ok, m, kToday);
  EXPECT_THAT(Fields(ok), IsEmpty());
  EXPECT_TRUE(organization.organization);
  EXPECT_FALSE(organization.resident.has_value());
}

TEST(NewMemberTest, RejectsUnknownKindBadPhoneAndFutureJoinDate) {
  v1::Member m = NaturalPerson();
  m.set_member_kind(static_cast<v1::MemberKind>(7));
  m.set_phone("12345");
  m.mutable_join_date()->set_year(2024);
  m.mutable_join_date()->set_month(6);
  m.mutable_join_date()->set_day(2);
  FieldViolations v;
  ValidateNewMember(v, m, kToday);
  EXPECT_THAT(Fields(v), ElementsAre("member.phone", "member.member_kind", "member.join_date"));
}

TEST(NewMemberTest, JoinDateTodayOrEarlierIsKept) {
  v1::Member m = NaturalPerson();
  m.mutable_join_date()->set_year(2024);
  m.mutable_join_date()->set_month(6);
  m.mutable_join_date()->set_day(1);
  FieldViolations v;
  EXPECT_EQ(ValidateNewMember(v, m, kToday).join_date, kToday);
  EXPECT_TRUE(v.empty());
}

TEST(CheckPhoneTest, EmptyStaysEmptyOtherwiseNormalised) {
  FieldViolations v;
  EXPECT_EQ(CheckPhone(v, "phone", "  "), "");
  EXPECT_EQ(CheckPhone(v, "phone", "+86 138-0013-8000"), "13800138000");
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(CheckPhone(v, "phone", "1380013800"), "");
  EXPECT_THAT(Fields(v), ElementsAre("phone"));
}

TEST(CheckAmountTest, LimitsOfAContributionAndARefund) {
  auto fields = [](bool has, int64_t fen, bool allow_zero) {
    common::v1::Money money;
    money.set_fen(fen);
    FieldViolations v;
    CheckFen(v, "amount", has, money, allow_zero ? kExitRefund : kContributionAmount);
    return v.empty();
  };
  const int64_t kMaxAmountFen = limits::kMaxAmountFen;
  EXPECT_FALSE(fields(false, 0, false));  // missing
  EXPECT_FALSE(fields(true, 0, false));
  EXPECT_TRUE(fields(true, 0, true));  // a refund may be zero
  EXPECT_FALSE(fields(true, -1, true));
  EXPECT_TRUE(fields(true, 1, false));
  EXPECT_TRUE(fields(true, kMaxAmountFen, false));
  EXPECT_FALSE(fields(true, kMaxAmountFen + 1, false));
  EXPECT_FALSE(fields(true, kMaxAmountFen + 1, true));
}

TEST(CheckFarmerFlagTest, AnOrganizationIsNeverAFarmer) {
  EXPECT_TRUE(CheckFarmerFlag(v1::MEMBER_KIND_NATURAL_PERSON, true).ok());
  EXPECT_TRUE(CheckFarmerFlag(v1::MEMBER_KIND_ORGANIZATION, false).ok());
  EXPECT_EQ(CheckFarmerFlag(v1::MEMBER_KIND_ORGANIZATION, true).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ContributionTest, DateIsRequiredAndNotInTheFuture) {
  v1::RecordCapitalContributionRequest req;
  req.set_member_id("01J0000000000000000000000A");
  req.mutable_amount()->set_fen(100);
  std::string note;
  FieldViolations missing;
  ValidateContribution(missing, req, kToday, &note);
  EXPECT_THAT(Fields(missing), ElementsAre("contribution_date"));
  req.mutable_contribution_date()->set_year(2024);
  req.mutable_contribution_date()->set_month(6);
  req.mutable_contribution_date()->set_day(2);
  FieldViolations future;
  ValidateContribution(future, req, kToday, &note);
  EXPECT_THAT(Fields(future), ElementsAre("contribution_date"));
  req.mutable_contribution_date()->set_day(1);
  req.set_note("  first share  ");
  FieldViolations ok;
  auto date = ValidateContribution(ok, req, kToday, &note);
  EXPECT_TRUE(ok.empty());
  EXPECT_EQ(date, kToday);
  EXPECT_EQ(note, "first share");
}

TEST(MemberViewTest, SensitiveViewOnlyForAdmins) {
  Principal p;
  for (Role role : {Role::kPlatformAdmin, Role::kCooperativeAdmin}) {
    p.role = role;
    EXPECT_TRUE(CheckSensitiveViewAllowed(p, v1::MEMBER_VIEW_SENSITIVE).ok());
  }
  for (Role role : {Role::kSocialWorker, Role::kMember}) {
    p.role = role;
    EXPECT_EQ(ReasonOf(CheckSensitiveViewAllowed(p, v1::MEMBER_VIEW_SENSITIVE)),
              "SENSITIVE_VIEW_NOT_ALLOWED");
    EXPECT_TRUE(CheckSensitiveViewAllowed(p, v1::MEMBER_VIEW_MASKED).ok());
  }
  FieldViolations v;
  ValidateMemberView(v, static_cast<v1::MemberView>(3));
  EXPECT_THAT(Fields(v), ElementsAre("view"));
}

TEST(MemberFiltersTest, StateMustBeDefined) {
  v1::ListMembersRequest req;
  req.set_cooperative_id("01J0000000000000000000000A");
  FieldViolations ok;
  ValidateMemberFilters(ok, req);
  EXPECT_TRUE(ok.empty());
  req.set_state(static_cast<v1::MemberState>(4));
  req.set_household_id("not an id");
  FieldViolations v;
  ValidateMemberFilters(v, req);
  EXPECT_THAT(Fields(v), ElementsAre("household_id", "state"));
}

}  // namespace
}  // namespace cooplink::membership
