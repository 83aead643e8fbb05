// Surplus distributions (Art. 44) and member accounts (Art. 43) through gRPC: inputs derived from
// membership (members of the fiscal year, join and exit dates, contributions) and from the ledger
// (settlements and cooperative transactions, rows written straight into income's database), the
// 60 % rule, the DRAFT → PUBLISHED → APPROVED lifecycle with its display period (fake clock),
// each reason, each role and another cooperative's distribution, and replays.
#include <gtest/gtest.h>

#include "services/common/fields.h"
#include "tests/support/income_fixture.h"

namespace cooplink::testing {
namespace {

using absl::CivilDay;

class SurplusTest : public IncomeFixture {
 protected:
  // A cooperative (fiscal year = calendar year) with two members of fiscal year 2025: `full`
  // (joined 2024, all year) and `late` (joined 2025-07-01, 184 of 365 days); the world's own
  // member joined 2026-03-01 (today) and is not a member of 2025.
  struct SurplusWorld {
    CoopWorld coop;
    mv1::Member full, late;
    std::string full_token, late_token;
  };
  SurplusWorld NewSurplusWorld() {
    SurplusWorld w;
    w.coop = NewCoop();
    const std::string village = w.coop.household.village_code();
    std::tie(w.full, w.full_token) =
        NewMemberJoined(w.coop.cooperative.id(), village, CivilDay(2024, 1, 1));
    std::tie(w.late, w.late_token) =
        NewMemberJoined(w.coop.cooperative.id(), village, CivilDay(2025, 7, 1));
    return w;
  }

  static iv1::CreateSurplusDistributionRequest Request(const std::string& cooperative_id,
                                                       int64_t surplus, int reserve_bps,
                                                       int patronage_bps) {
    iv1::CreateSurplusDistributionRequest req;
    req.set_request_id(NewRequestId());
    iv1::SurplusDistribution* d = req.mutable_distribution();
    d->set_cooperative_id(cooperative_id);
    d->set_fiscal_year(2025);
    d->mutable_surplus()->set_fen(surplus);
    d->set_reserve_fund_bps(reserve_bps);
    d->set_patronage_share_bps(patronage_bps);
    d->set_note("2026年成员大会决议");
    return req;
  }

  grpc::Status Create(const std::string& token, const iv1::CreateSurplusDistributionRequest& req,
                      iv1::SurplusDistribution* out) {
    return income().CreateSurplusDistribution(Ctx(token).get(), req, out);
  }
  grpc::Status Publish(const std::string& token, const std::string& id,
                       iv1::SurplusDistribution* out, const std::string& request_id = "") {
    iv1::PublishSurplusDistributionRequest req;
    req.set_request_id(request_id.empty() ? NewRequestId() : request_id);
    req.set_distribution_id(id);
    return income().PublishSurplusDistribution(Ctx(token).get(), req, out);
  }
  grpc::Status Approve(const std::string& token, const std::string& id, CivilDay assembly,
                       iv1::SurplusDistribution* out) {
    iv1::ApproveSurplusDistributionRequest req;
    req.set_request_id(NewRequestId());
    req.set_distribution_id(id);
    *req.mutable_assembly_date() = ToDate(assembly);
    return income().ApproveSurplusDistribution(Ctx(token).get(), req, out);
  }
  grpc::Status Get(const std::string& token, const std::string& id, iv1::SurplusDistribution* out) {
    iv1::GetSurplusDistributionRequest req;
    req.set_id(id);
    return income().GetSurplusDistribution(Ctx(token).get(), req, out);
  }
  // A DRAFT with a transaction for `w.full` so that every pool has a basis.
  iv1::SurplusDistribution Draft(const SurplusWorld& w) {
    InsertEntryRow(w.full.household_id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS,
                   iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 1000, CivilDay(2025, 5, 5),
                   w.coop.cooperative.id());
    RecordContribution(w.full.id(), 5000, CivilDay(2024, 2, 1));
    iv1::SurplusDistribution d;
    grpc::Status s =
        Create(w.coop.admin_token, Request(w.coop.cooperative.id(), 100000, 1000, 6000), &d);
    EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    return d;
  }
};

TEST_F(SurplusTest, TheWorkedExampleWithInputsDerivedFromMembershipAndTheLedger) {
  SurplusWorld w = NewSurplusWorld();
  const std::string coop = w.coop.cooperative.id();
  const std::string other = NewCoop().cooperative.id();
  // Capital: `full` 1,000,000 in 2024 (counted) and 500,000 in 2026 (after the year: not);
  // `late` 1,000,000 on its join day.
  RecordContribution(w.full.id(), 1000000, CivilDay(2024, 5, 1));
  RecordContribution(w.full.id(), 500000, CivilDay(2026, 1, 15));
  RecordContribution(w.late.id(), 1000000, CivilDay(2025, 7, 1));
  // Transactions: `full` 300,000 + 100,000 in 2025; `late` 600,000 − 100,000 (a reversal) after
  // joining; not counted: `late`'s sale before it joined, another cooperative's, 2024's, 2026's,
  // a MANUAL entry.
  const std::string hf = w.full.household_id(), hl = w.late.household_id();
  const auto pb = iv1::INCOME_KIND_PRODUCTION_BUSINESS;
  InsertEntryRow(hf, pb, iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 300000, CivilDay(2025, 3, 1),
                 coop);
  InsertEntryRow(hf, pb, iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, 100000, CivilDay(2025, 12, 31),
                 coop);
  InsertEntryRow(hf, pb, iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, 777, CivilDay(2025, 4, 1),
                 other);
  InsertEntryRow(hf, pb, iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 888, CivilDay(2024, 12, 31),
                 coop);
  InsertEntryRow(hf, pb, iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 999, CivilDay(2026, 1, 1),
                 coop);
  InsertEntryRow(hf, pb, iv1::INCOME_SOURCE_MANUAL, 5555, CivilDay(2025, 6, 1));
  InsertEntryRow(hl, pb, iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, 600000, CivilDay(2025, 8, 1),
                 coop);
  InsertEntryRow(hl, pb, iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, -100000, CivilDay(2025, 9, 1),
                 coop);
  InsertEntryRow(hl, pb, iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 50000, CivilDay(2025, 6, 30),
                 coop);

  iv1::CreateSurplusDistributionRequest req = Request(coop, 40000000, 1000, 7000);
  iv1::MemberAllocation* named = req.mutable_distribution()->add_allocations();
  named->set_member_id(w.full.id());
  named->mutable_reserve_and_subsidy_share()->set_fen(200000);
  iv1::SurplusDistribution d;
  grpc::Status s = Create(w.coop.admin_token, req, &d);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(d.state(), iv1::SURPLUS_DISTRIBUTION_STATE_DRAFT);
  EXPECT_EQ(d.reserve_fund().fen(), 4000000);
  EXPECT_EQ(d.distributable().fen(), 36000000);
  EXPECT_EQ(d.patronage_pool().fen(), 25200000);
  EXPECT_EQ(d.capital_pool().fen(), 10800000);
  EXPECT_EQ(d.note(), "2026年成员大会决议");
  ASSERT_EQ(d.allocations_size(), 2) << "the member who joined in 2026 is not in fiscal 2025";
  std::map<std::string, iv1::MemberAllocation> by_id;
  for (const auto& a : d.allocations()) by_id[a.member_id()] = a;
  EXPECT_LT(d.allocations(0).member_id(), d.allocations(1).member_id());
  const iv1::MemberAllocation& full = by_id[w.full.id()];
  const iv1::MemberAllocation& late = by_id[w.late.id()];
  EXPECT_EQ(full.household_id(), hf);
  EXPECT_EQ(full.member_days(), 365);
  EXPECT_EQ(late.member_days(), 184);
  EXPECT_EQ(full.transaction_amount().fen(), 400000);
  EXPECT_EQ(late.transaction_amount().fen(), 500000);
  EXPECT_EQ(full.capital_contribution().fen(), 1000000);
  EXPECT_EQ(late.capital_contribution().fen(), 1000000);
  EXPECT_EQ(full.reserve_and_subsidy_share().fen(), 200000);
  EXPECT_EQ(late.reserve_and_subsidy_share().fen(), 0);
  EXPECT_EQ(full.capital_and_reserve_share().fen(), 1200000);
  EXPECT_EQ(late.capital_and_reserve_share().fen(), 504109) << "1,000,000 × 184 ÷ 365, floor";
  // 25,200,000 by 400,000 : 500,000; 10,800,000 by 1,200,000 : 504,109 (largest remainder).
  EXPECT_EQ(full.patronage_allocation().fen(), 11200000);
  EXPECT_EQ(late.patronage_allocation().fen(), 14000000);
  EXPECT_EQ(full.capital_allocation().fen(), 7605147);
  EXPECT_EQ(late.capital_allocation().fen(), 3194853);
  EXPECT_EQ(full.total_allocation().fen(), 11200000 + 7605147);
  EXPECT_EQ(late.total_allocation().fen(), 14000000 + 3194853);

  // What was stored is what was returned.
  iv1::SurplusDistribution got;
  s = Get(admin(), d.id(), &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.SerializeAsString(), d.SerializeAsString());
}

TEST_F(SurplusTest, APatronageShareBelowSixtyPercentIsRefused) {
  SurplusWorld w = NewSurplusWorld();
  const int64_t before = CountRows(income_db(), "surplus_distributions");
  iv1::SurplusDistribution d;
  grpc::Status s = Create(w.coop.admin_token, Request(w.coop.cooperative.id(), 1000, 0, 5999), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"distribution.patronage_share_bps"});
  s = Create(w.coop.admin_token, Request(w.coop.cooperative.id(), 1000, 0, 10001), &d);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"distribution.patronage_share_bps"});
  EXPECT_EQ(CountRows(income_db(), "surplus_distributions"), before);
  // Exactly 60 % is the law's minimum and allowed.
  InsertEntryRow(w.full.household_id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS,
                 iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 10, CivilDay(2025, 1, 2),
                 w.coop.cooperative.id());
  RecordContribution(w.full.id(), 10, CivilDay(2025, 1, 2));
  s = Create(w.coop.admin_token, Request(w.coop.cooperative.id(), 1000, 0, 6000), &d);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(d.patronage_pool().fen(), 600);
  EXPECT_EQ(d.capital_pool().fen(), 400);
}

TEST_F(SurplusTest, BadInputsAreFieldViolationsAndNothingIsWritten) {
  SurplusWorld w = NewSurplusWorld();
  const int64_t before = CountRows(income_db(), "surplus_distributions");
  iv1::CreateSurplusDistributionRequest req = Request(w.coop.cooperative.id(), -1, 10001, 6000);
  req.mutable_distribution()->set_note(std::string(501, 'x'));
  for (int i = 0; i < 2; ++i) {
    iv1::MemberAllocation* a = req.mutable_distribution()->add_allocations();
    a->set_member_id(w.full.id());
    a->mutable_reserve_and_subsidy_share()->set_fen(i == 0 ? 100000000001 : 1);
  }
  iv1::SurplusDistribution d;
  grpc::Status s = Create(w.coop.admin_token, req, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields = ViolatedFields(s);
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "distribution.allocations[0].reserve_and_subsidy_share.fen",
                        "distribution.allocations[1].member_id", "distribution.note",
                        "distribution.reserve_fund_bps", "distribution.surplus.fen"}));
  // A fiscal year that has not ended (2026 ends on 31 December 2026).
  req = Request(w.coop.cooperative.id(), 1000, 0, 6000);
  req.mutable_distribution()->set_fiscal_year(2026);
  s = Create(w.coop.admin_token, req, &d);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"distribution.fiscal_year"});
  req.mutable_distribution()->set_fiscal_year(1999);
  s = Create(w.coop.admin_token, req, &d);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"distribution.fiscal_year"});
  EXPECT_EQ(CountRows(income_db(), "surplus_distributions"), before);
}

TEST_F(SurplusTest, EachReasonOfTheComputation) {
  SurplusWorld w = NewSurplusWorld();
  const std::string coop = w.coop.cooperative.id();
  iv1::SurplusDistribution d;
  // A member who did not belong in fiscal 2025 (the world's member joined in 2026).
  iv1::CreateSurplusDistributionRequest req = Request(coop, 1000, 0, 6000);
  iv1::MemberAllocation* a = req.mutable_distribution()->add_allocations();
  a->set_member_id(w.coop.member.id());
  a->mutable_reserve_and_subsidy_share()->set_fen(10);
  grpc::Status s = Create(w.coop.admin_token, req, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  // No transactions and no capital: a non-zero pool has no basis.
  s = Create(w.coop.admin_token, Request(coop, 1000, 0, 6000), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "NO_ALLOCATION_BASIS");
  // A surplus of 0 needs no basis.
  s = Create(w.coop.admin_token, Request(coop, 0, 1000, 6000), &d);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(d.allocations_size(), 2);
  // A cooperative without members in the year.
  CoopWorld fresh = NewCoop();
  s = Create(fresh.admin_token, Request(fresh.cooperative.id(), 1000, 0, 6000), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "NO_MEMBERS");
}

TEST_F(SurplusTest, WhoMayCreateAndSee) {
  SurplusWorld w = NewSurplusWorld();
  const std::string coop = w.coop.cooperative.id();
  CoopWorld other = NewCoop();
  iv1::SurplusDistribution d;
  // Roles that may never create: PERMISSION_DENIED.
  for (const std::string& token : {w.full_token, AssignedWorkerToken(coop), NewPartner().token}) {
    grpc::Status s = Create(token, Request(coop, 0, 0, 6000), &d);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  }
  // Another cooperative's admin: the cooperative is not found.
  grpc::Status s = Create(other.admin_token, Request(coop, 0, 0, 6000), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  iv1::SurplusDistribution draft = Draft(w);
  const std::string assigned = AssignedWorkerToken(coop);
  for (const std::string& token : {admin(), w.coop.admin_token, assigned}) {
    EXPECT_TRUE(Get(token, draft.id(), &d).ok());
  }
  // A member does not see a draft; another cooperative's admin and an unassigned worker see
  // nothing; nobody publishes or approves another cooperative's plan.
  for (const std::string& token : {w.full_token, other.admin_token, UnassignedWorkerToken()}) {
    s = Get(token, draft.id(), &d);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  s = Publish(other.admin_token, draft.id(), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = Publish(assigned, draft.id(), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Lists: newest first, in scope only; a member sees only published plans.
  iv1::SurplusDistribution second = Draft(w);
  auto list = [&](const std::string& token, iv1::ListSurplusDistributionsRequest req) {
    iv1::ListSurplusDistributionsResponse resp;
    grpc::Status st = income().ListSurplusDistributions(Ctx(token).get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> ids;
    for (const auto& x : resp.distributions()) ids.push_back(x.id());
    return ids;
  };
  iv1::ListSurplusDistributionsRequest by_coop;
  by_coop.set_cooperative_id(coop);
  EXPECT_EQ(list(w.coop.admin_token, by_coop), (std::vector<std::string>{second.id(), draft.id()}));
  EXPECT_EQ(list(assigned, by_coop), (std::vector<std::string>{second.id(), draft.id()}));
  EXPECT_TRUE(list(other.admin_token, by_coop).empty());
  EXPECT_TRUE(list(UnassignedWorkerToken(), by_coop).empty());
  EXPECT_TRUE(list(w.full_token, by_coop).empty());
  ASSERT_TRUE(Publish(w.coop.admin_token, draft.id(), &d).ok());
  EXPECT_EQ(list(w.full_token, {}), std::vector<std::string>{draft.id()});
  EXPECT_TRUE(Get(w.full_token, draft.id(), &d).ok());
  iv1::ListSurplusDistributionsRequest drafts = by_coop;
  drafts.set_state(iv1::SURPLUS_DISTRIBUTION_STATE_DRAFT);
  EXPECT_EQ(list(admin(), drafts), std::vector<std::string>{second.id()});
  // Paging: one per page, then the second, then the end.
  iv1::ListSurplusDistributionsRequest paged = by_coop;
  paged.set_page_size(1);
  iv1::ListSurplusDistributionsResponse page;
  ASSERT_TRUE(income().ListSurplusDistributions(Ctx(admin()).get(), paged, &page).ok());
  ASSERT_EQ(page.distributions_size(), 1);
  EXPECT_EQ(page.distributions(0).id(), second.id());
  ASSERT_FALSE(page.next_page_token().empty());
  paged.set_page_token(page.next_page_token());
  ASSERT_TRUE(income().ListSurplusDistributions(Ctx(admin()).get(), paged, &page).ok());
  ASSERT_EQ(page.distributions_size(), 1);
  EXPECT_EQ(page.distributions(0).id(), draft.id());
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(SurplusTest, APublishedDistributionCannotChangeAndIsApprovedAfterItsDisplay) {
  SurplusWorld w = NewSurplusWorld();
  iv1::SurplusDistribution first = Draft(w);
  iv1::SurplusDistribution second = Draft(w);
  iv1::SurplusDistribution d;
  const std::string publish_request = NewRequestId();
  grpc::Status s = Publish(w.coop.admin_token, first.id(), &d, publish_request);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(d.state(), iv1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED);
  EXPECT_EQ(TimestampMicros(d.publish_time()), ToMicros(clock_->Now()));
  EXPECT_EQ(TimestampMicros(d.display_end_time()), ToMicros(clock_->Now() + absl::Hours(24 * 15)));
  EXPECT_EQ(d.allocations_size(), first.allocations_size());
  // A replay returns the same reply; publishing again is a state error.
  iv1::SurplusDistribution replay;
  ASSERT_TRUE(Publish(w.coop.admin_token, first.id(), &replay, publish_request).ok());
  EXPECT_EQ(replay.SerializeAsString(), d.SerializeAsString());
  s = Publish(w.coop.admin_token, first.id(), &d);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  // Another plan of the same year cannot be published beside it.
  s = Publish(w.coop.admin_token, second.id(), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "ALREADY_PUBLISHED");
  // A draft is not approved; the published plan not before its display ends.
  s = Approve(w.coop.admin_token, second.id(), Today(clock_->Now()), &d);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  s = Approve(w.coop.admin_token, first.id(), Today(clock_->Now()), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "DISPLAY_PERIOD_NOT_OVER");
  EXPECT_FALSE(ErrorMetadata(s)["display_end_time"].empty());
  // After the display period: an assembly before its end date, or in the future, is refused.
  clock_->Advance(absl::Hours(24 * 15));
  const CivilDay today = Today(clock_->Now());
  s = Approve(w.coop.admin_token, first.id(), today - 1, &d);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"assembly_date"});
  s = Approve(w.coop.admin_token, first.id(), today + 1, &d);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"assembly_date"});
  s = Approve(w.coop.admin_token, first.id(), today, &d);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(d.state(), iv1::SURPLUS_DISTRIBUTION_STATE_APPROVED);
  EXPECT_EQ(d.assembly_date().day(), ToDate(today).day());
  EXPECT_FALSE(d.approved_by().empty());
  s = Approve(w.coop.admin_token, first.id(), today, &d);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  // Still only one plan of the year on display.
  s = Publish(w.coop.admin_token, second.id(), &d);
  EXPECT_EQ(ErrorReason(s), "ALREADY_PUBLISHED");
  // The figures never changed.
  ASSERT_TRUE(Get(admin(), first.id(), &d).ok());
  EXPECT_EQ(d.surplus().fen(), first.surplus().fen());
  for (int i = 0; i < d.allocations_size(); ++i) {
    EXPECT_EQ(d.allocations(i).total_allocation().fen(),
              first.allocations(i).total_allocation().fen());
  }
}

TEST_F(SurplusTest, ARetryReplaysTheDraftAndAReusedRequestIdIsRefused) {
  SurplusWorld w = NewSurplusWorld();
  InsertEntryRow(w.late.household_id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS,
                 iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 1000, CivilDay(2025, 9, 9),
                 w.coop.cooperative.id());
  iv1::CreateSurplusDistributionRequest req = Request(w.coop.cooperative.id(), 12345, 1000, 10000);
  iv1::SurplusDistribution first, second;
  ASSERT_TRUE(Create(w.coop.admin_token, req, &first).ok());
  const int64_t rows = CountRows(income_db(), "surplus_distributions");
  ASSERT_TRUE(Create(w.coop.admin_token, req, &second).ok());
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(CountRows(income_db(), "surplus_distributions"), rows);
  req.mutable_distribution()->set_note("另一个方案");
  grpc::Status s = Create(w.coop.admin_token, req, &second);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(income_db(), "surplus_distributions"), rows);
}

TEST_F(SurplusTest, MemberAccountsShowTheYearAndThePublishedAllocation) {
  SurplusWorld w = NewSurplusWorld();
  RecordContribution(w.late.id(), 300000, CivilDay(2025, 8, 1));
  InsertEntryRow(w.late.household_id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS,
                 iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, 4200, CivilDay(2025, 10, 1),
                 w.coop.cooperative.id());
  auto account = [&](const std::string& token, const std::string& member_id, int year,
                     iv1::MemberAccount* out) {
    iv1::GetMemberAccountRequest req;
    req.set_member_id(member_id);
    req.set_fiscal_year(year);
    return income().GetMemberAccount(Ctx(token).get(), req, out);
  };
  iv1::MemberAccount a;
  grpc::Status s = account(w.late_token, w.late.id(), 2025, &a);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(a.cooperative_id(), w.coop.cooperative.id());
  EXPECT_EQ(a.household_id(), w.late.household_id());
  EXPECT_EQ(a.start_date().month(), 1);
  EXPECT_EQ(a.end_date().day(), 31);
  EXPECT_EQ(a.capital_contribution().fen(), 300000);
  EXPECT_EQ(a.transaction_amount().fen(), 4200);
  EXPECT_TRUE(a.distribution_id().empty());
  EXPECT_FALSE(a.has_allocation());
  // Who may read it: admin, the cooperative's admin, an assigned worker, the member itself.
  for (const std::string& token :
       {admin(), w.coop.admin_token, AssignedWorkerToken(w.coop.cooperative.id())}) {
    EXPECT_TRUE(account(token, w.late.id(), 2025, &a).ok());
  }
  for (const std::string& token : {w.full_token, NewCoop().admin_token, UnassignedWorkerToken()}) {
    s = account(token, w.late.id(), 2025, &a);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  s = account(admin(), w.late.id(), 2027, &a);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"fiscal_year"});
  // The current fiscal year is allowed (so far).
  EXPECT_TRUE(account(admin(), w.late.id(), 2026, &a).ok());

  // Once a plan is published its figures are the account's.
  iv1::CreateSurplusDistributionRequest req = Request(w.coop.cooperative.id(), 100000, 0, 6000);
  iv1::MemberAllocation* named = req.mutable_distribution()->add_allocations();
  named->set_member_id(w.late.id());
  named->mutable_reserve_and_subsidy_share()->set_fen(7000);
  iv1::SurplusDistribution d;
  ASSERT_TRUE(Create(w.coop.admin_token, req, &d).ok());
  ASSERT_TRUE(account(w.late_token, w.late.id(), 2025, &a).ok());
  EXPECT_TRUE(a.distribution_id().empty()) << "a draft is not the account's";
  ASSERT_TRUE(Publish(w.coop.admin_token, d.id(), &d).ok());
  ASSERT_TRUE(account(w.late_token, w.late.id(), 2025, &a).ok());
  EXPECT_EQ(a.distribution_id(), d.id());
  EXPECT_EQ(a.distribution_state(), iv1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED);
  EXPECT_EQ(a.reserve_and_subsidy_share().fen(), 7000);
  ASSERT_TRUE(a.has_allocation());
  EXPECT_EQ(a.allocation().member_id(), w.late.id());
  EXPECT_EQ(a.allocation().patronage_allocation().fen(), 60000) << "the only transactions";
  EXPECT_EQ(a.allocation().total_allocation().fen(), 100000) << "the only capital too";
}

TEST_F(SurplusTest, AnExitedMembersShareIsProratedToItsExitDate) {
  // A cooperative that moved its fiscal year end from June to December after `leaver` gave
  // notice: its exit stayed the old fiscal-year end, 2025-06-30, day 181 of fiscal 2025.
  SurplusWorld w = NewSurplusWorld();
  const std::string coop = w.coop.cooperative.id();
  mv1::Member leaver;
  std::tie(leaver, std::ignore) =
      NewMemberJoined(coop, w.coop.household.village_code(), CivilDay(2024, 1, 1));
  // Capital (before exiting: an exited member cannot contribute): `leaver` 800,000, `full`
  // 1,000,000; `late` none.
  RecordContribution(leaver.id(), 800000, CivilDay(2024, 3, 1));
  RecordContribution(w.full.id(), 1000000, CivilDay(2024, 5, 1));
  // Test-only setup, straight in membership's database: RequestMemberExit cannot produce this
  // exit (the fake clock's today, 2026-03-01, gives notice for 2026-12-31, and membership refuses
  // to move the fiscal year end while a notice is pending), so the member is made EXITED with its
  // old fiscal-year end as it would be after the move.
  absl::Status st = (*membership_)->database().Transact([&](Tx& tx) -> absl::Status {
    tx.Execute(
        "UPDATE members SET state = ?, active_person_hash = NULL, exit_effective_date = ?, "
        "exit_notice_time_us = ?, exit_reason = '', exit_refund_fen = 800000 WHERE id = ?",
        static_cast<int>(mv1::MEMBER_STATE_EXITED), CivilToSql(CivilDay(2025, 6, 30)),
        ToMicros(absl::FromCivil(CivilDay(2025, 1, 10), absl::UTCTimeZone())), leaver.id());
    return absl::OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st;
  // Transactions: `leaver` 200,000 and 50,000 (on its exit day) count; 70,000 the day after and
  // 90,000 in November do not. `full` 750,000.
  const auto pb = iv1::INCOME_KIND_PRODUCTION_BUSINESS;
  const auto ct = iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION;
  const std::string hx = leaver.household_id();
  InsertEntryRow(hx, pb, ct, 200000, CivilDay(2025, 3, 1), coop);
  InsertEntryRow(hx, pb, iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, 50000, CivilDay(2025, 6, 30),
                 coop);
  InsertEntryRow(hx, pb, ct, 70000, CivilDay(2025, 7, 1), coop);
  InsertEntryRow(hx, pb, ct, 90000, CivilDay(2025, 11, 15), coop);
  InsertEntryRow(w.full.household_id(), pb, ct, 750000, CivilDay(2025, 9, 1), coop);

  // 10,000,000: reserve 10 % = 1,000,000; patronage 60 % of 9,000,000 = 5,400,000; capital
  // 3,600,000. `leaver` is named with a reserve-and-subsidy share of 100,000.
  iv1::CreateSurplusDistributionRequest req = Request(coop, 10000000, 1000, 6000);
  iv1::MemberAllocation* named = req.mutable_distribution()->add_allocations();
  named->set_member_id(leaver.id());
  named->mutable_reserve_and_subsidy_share()->set_fen(100000);
  iv1::SurplusDistribution d;
  grpc::Status s = Create(w.coop.admin_token, req, &d);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(d.reserve_fund().fen(), 1000000);
  EXPECT_EQ(d.patronage_pool().fen(), 5400000);
  EXPECT_EQ(d.capital_pool().fen(), 3600000);
  ASSERT_EQ(d.allocations_size(), 3) << "full, late and the exited member";
  std::map<std::string, iv1::MemberAllocation> by_id;
  for (const auto& a : d.allocations()) by_id[a.member_id()] = a;
  ASSERT_EQ(by_id.count(leaver.id()), 1u);
  const iv1::MemberAllocation& gone = by_id[leaver.id()];
  const iv1::MemberAllocation& full = by_id[w.full.id()];
  const iv1::MemberAllocation& late = by_id[w.late.id()];
  EXPECT_EQ(gone.member_days(), 181) << "2025-01-01 to 2025-06-30";
  EXPECT_EQ(full.member_days(), 365);
  EXPECT_EQ(gone.transaction_amount().fen(), 250000) << "only entries on or before the exit";
  EXPECT_EQ(full.transaction_amount().fen(), 750000);
  EXPECT_EQ(late.transaction_amount().fen(), 0);
  EXPECT_EQ(gone.capital_contribution().fen(), 800000);
  EXPECT_EQ(gone.reserve_and_subsidy_share().fen(), 100000);
  EXPECT_EQ(gone.capital_and_reserve_share().fen(), 446301) << "900,000 × 181 ÷ 365, floor";
  EXPECT_EQ(full.capital_and_reserve_share().fen(), 1000000);
  EXPECT_EQ(late.capital_and_reserve_share().fen(), 0);
  // 5,400,000 by 250,000 : 750,000 : 0; 3,600,000 by 446,301 : 1,000,000 : 0 (floors 1,110,891
  // and 2,489,108; the left-over fen to the larger remainder, the exited member's).
  EXPECT_EQ(gone.patronage_allocation().fen(), 1350000);
  EXPECT_EQ(full.patronage_allocation().fen(), 4050000);
  EXPECT_EQ(late.patronage_allocation().fen(), 0);
  EXPECT_EQ(gone.capital_allocation().fen(), 1110892);
  EXPECT_EQ(full.capital_allocation().fen(), 2489108);
  EXPECT_EQ(late.capital_allocation().fen(), 0);
  EXPECT_EQ(gone.total_allocation().fen(), 1350000 + 1110892);
  EXPECT_EQ(full.total_allocation().fen(), 4050000 + 2489108);
  // The parts sum exactly.
  int64_t patronage = 0, capital = 0, total = 0;
  for (const auto& a : d.allocations()) {
    patronage += a.patronage_allocation().fen();
    capital += a.capital_allocation().fen();
    total += a.total_allocation().fen();
  }
  EXPECT_EQ(patronage, d.patronage_pool().fen());
  EXPECT_EQ(capital, d.capital_pool().fen());
  EXPECT_EQ(d.reserve_fund().fen() + total, d.surplus().fen());
}

}  // namespace
}  // namespace cooplink::testing
