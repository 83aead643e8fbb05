// GenerateReport through gRPC: rows and summary for hand-computed households (ledger rows,
// monitoring lines and support sources written straight into income's database), the CSV parsed
// back, each scope (county, village, caseload, cooperative) and each role's view of it, the
// PRODUCER_SALES report of a cooperative, the period and scope validation, and REPORT_TOO_LARGE
// (this suite runs with max_report_rows = 6).
#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/income/report_rules.h"
#include "tests/support/income_fixture.h"

namespace cooplink::testing {
namespace {

using absl::CivilDay;

constexpr int kMaxRows = 6;

class ReportsTest : public IncomeFixture {
 protected:
  static void SetUpTestSuite() {
    SetUpIncomeSuiteWith([](income::IncomeConfig& c) { c.settings.max_report_rows = kMaxRows; });
  }

  // A county code no other test uses.
  static std::string NewCounty() { return absl::StrFormat("53%04d", 1000 + NextSequence() % 9000); }

  void InsertLine(const std::string& region, int year, int64_t fen) {
    absl::Status s = income_db().Transact([&](Tx& tx) -> absl::Status {
      tx.Execute(
          "INSERT IGNORE INTO monitoring_thresholds (id, region_code, year, amount_per_capita_fen, "
          "source_document, created_by, create_time_us) VALUES (?, ?, ?, ?, 'test', 'test', 0)",
          NewId(clock_->Now()), region, year, fen);
      return absl::OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  std::string InsertSource(const std::string& name) {
    const std::string id = NewId(clock_->Now());
    absl::Status s = income_db().Transact([&](Tx& tx) -> absl::Status {
      tx.Execute(
          "INSERT INTO support_sources (id, name, kind, organization, created_by, create_time_us) "
          "VALUES (?, ?, 3, '', 'test', 0)",
          id, name);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return id;
  }

  static iv1::GenerateReportRequest Year2025(
      iv1::ReportKind kind = iv1::REPORT_KIND_HOUSEHOLD_INCOME) {
    iv1::GenerateReportRequest req;
    req.set_kind(kind);
    *req.mutable_start_date() = ToDate(CivilDay(2025, 1, 1));
    *req.mutable_end_date() = ToDate(CivilDay(2025, 12, 31));
    return req;
  }
  grpc::Status Generate(const std::string& token, const iv1::GenerateReportRequest& req,
                        iv1::GenerateReportResponse* out) {
    return income().GenerateReport(Ctx(token).get(), req, out);
  }
  static std::vector<std::string> Ids(const iv1::GenerateReportResponse& r) {
    std::vector<std::string> ids;
    for (const auto& row : r.rows()) ids.push_back(row.household_id());
    return ids;
  }

  // A county with a line of 7,000 yuan for 2025 and three households: `rich` (4 residents: wage
  // 20,000, marketplace 9,000, a supported transfer 1,000, costs 2,000 → net 28,000, per capita
  // 7,000: at the line, so near it), `poor` (2 residents, wage 5,000 → 2,500 per capita, below)
  // in `village`; `empty` (no entries, below) in `other_village`.
  struct CountyWorld {
    std::string county, village, other_village, source;
    mv1::Household rich, poor, empty;
  };
  CountyWorld NewCountyWorld() {
    CountyWorld w;
    w.county = NewCounty();
    w.village = w.county + "100201";
    w.other_village = w.county + "100202";
    InsertLine(w.county, 2025, 700000);
    InsertLine(w.county.substr(0, 2) + "0000", 2025, 100);  // less specific: not used
    w.source = InsertSource(absl::StrCat("壹基金", NextSequence()));
    w.rich = NewHousehold(w.village, 4);
    w.poor = NewHousehold(w.village, 2);
    w.empty = NewHousehold(w.other_village, 3);
    const auto manual = iv1::INCOME_SOURCE_MANUAL;
    InsertEntryRow(w.rich.id(), iv1::INCOME_KIND_WAGE, manual, 2000000, CivilDay(2025, 3, 10));
    InsertEntryRow(w.rich.id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS,
                   iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, 900000, CivilDay(2025, 5, 1),
                   NewId(clock_->Now()));
    InsertEntryRow(w.rich.id(), iv1::INCOME_KIND_TRANSFER, manual, 100000, CivilDay(2025, 6, 1), "",
                   w.source);
    InsertEntryRow(w.rich.id(), iv1::INCOME_KIND_PRODUCTION_COST, manual, 200000,
                   CivilDay(2025, 7, 1));
    InsertEntryRow(w.rich.id(), iv1::INCOME_KIND_WAGE, manual, 777, CivilDay(2024, 12, 31));
    InsertEntryRow(w.rich.id(), iv1::INCOME_KIND_WAGE, manual, 888, CivilDay(2026, 1, 1));
    InsertEntryRow(w.poor.id(), iv1::INCOME_KIND_WAGE, manual, 500000, CivilDay(2025, 2, 1));
    return w;
  }
};

TEST_F(ReportsTest, ACountyReportOfHandComputedHouseholds) {
  CountyWorld w = NewCountyWorld();
  NewHousehold(NewCounty() + "100201", 4);  // another county: not in the report
  iv1::GenerateReportRequest req = Year2025();
  req.set_county_code(w.county);
  iv1::GenerateReportResponse r;
  grpc::Status s = Generate(admin(), req, &r);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  // Ordered by (village_code, household_id).
  std::vector<std::string> expected = {w.rich.id(), w.poor.id()};
  std::sort(expected.begin(), expected.end());
  expected.push_back(w.empty.id());
  ASSERT_EQ(Ids(r), expected);
  std::map<std::string, iv1::ReportRow> rows;
  for (const auto& row : r.rows()) rows[row.household_id()] = row;
  const iv1::ReportRow& rich = rows[w.rich.id()];
  EXPECT_EQ(rich.village_code(), w.village);
  EXPECT_EQ(rich.head_name(), "扎娜");
  EXPECT_EQ(rich.resident_size(), 4);
  EXPECT_EQ(rich.resident_person_months(), 48);
  EXPECT_EQ(rich.wage_income().fen(), 2000000);
  EXPECT_EQ(rich.production_business_income().fen(), 900000);
  EXPECT_EQ(rich.transfer_income().fen(), 100000);
  EXPECT_EQ(rich.production_cost().fen(), 200000);
  EXPECT_EQ(rich.net_income().fen(), 2800000);
  EXPECT_EQ(rich.per_capita_net_income().fen(), 700000);
  EXPECT_EQ(rich.threshold_per_capita().fen(), 700000);
  EXPECT_FALSE(rich.below_threshold());
  EXPECT_TRUE(rich.near_threshold());
  EXPECT_EQ(rich.marketplace_income().fen(), 900000);
  EXPECT_EQ(rich.supported_income().fen(), 100000);
  const iv1::ReportRow& poor = rows[w.poor.id()];
  EXPECT_EQ(poor.per_capita_net_income().fen(), 250000);
  EXPECT_TRUE(poor.below_threshold());
  EXPECT_FALSE(poor.near_threshold());
  const iv1::ReportRow& empty = rows[w.empty.id()];
  EXPECT_EQ(empty.net_income().fen(), 0);
  EXPECT_TRUE(empty.below_threshold());

  const iv1::ReportSummary& sum = r.summary();
  EXPECT_EQ(sum.household_count(), 3);
  EXPECT_EQ(sum.mean_per_capita_net_income().fen(), 316666);  // 950,000 ÷ 3, floor
  EXPECT_EQ(sum.median_per_capita_net_income().fen(), 250000);
  EXPECT_EQ(sum.below_threshold_count(), 2);
  EXPECT_EQ(sum.near_threshold_count(), 1);
  EXPECT_EQ(sum.marketplace_income().fen(), 900000);
  EXPECT_EQ(sum.net_income().fen(), 3300000);
  ASSERT_EQ(sum.sources_size(), 1);
  EXPECT_EQ(sum.sources(0).support_source_id(), w.source);
  EXPECT_TRUE(absl::StartsWith(sum.sources(0).name(), "壹基金"));
  EXPECT_EQ(sum.sources(0).amount().fen(), 100000);
  EXPECT_EQ(sum.sources(0).household_count(), 1);
  ASSERT_EQ(sum.monthly_size(), 12);
  EXPECT_EQ(sum.monthly(0).month(), "2025-01");
  EXPECT_EQ(sum.monthly(1).net_income().fen(), 500000);   // February: poor's wage
  EXPECT_EQ(sum.monthly(2).net_income().fen(), 2000000);  // March
  EXPECT_EQ(sum.monthly(4).marketplace_income().fen(), 900000);
  EXPECT_EQ(sum.monthly(6).net_income().fen(), -200000);  // July: the cost
  EXPECT_EQ(sum.monthly(11).month(), "2025-12");
  EXPECT_TRUE(r.has_generate_time());

  // The CSV read back: BOM, header, one line per row, CRLF.
  const std::string& csv = r.csv();
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  std::vector<std::string> lines = absl::StrSplit(csv.substr(3), "\r\n");
  ASSERT_EQ(lines.size(), 5u);  // header, 3 rows, "" after the last CRLF
  EXPECT_EQ(lines.back(), "");
  std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  ASSERT_EQ(header.size(), 17u);
  EXPECT_EQ(header[0], "户编号");
  EXPECT_EQ(header[11], "人均纯收入(元)");
  EXPECT_EQ(header[16], "帮扶收入(元)");
  for (size_t i = 1; i <= 3; ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(cells.size(), 17u) << lines[i];
    EXPECT_EQ(cells[0], r.rows(i - 1).household_id());
    if (cells[0] == w.rich.id()) {
      EXPECT_EQ(cells[3], income::CategoryName(rich.monitoring_category()));
      EXPECT_FALSE(cells[3].empty()) << rich.monitoring_category();
      EXPECT_EQ(cells[4], "4");
      EXPECT_EQ(cells[10], "28000.00");
      EXPECT_EQ(cells[11], "7000.00");
      EXPECT_EQ(cells[12], "7000.00");
      EXPECT_EQ(cells[13], "否");
      EXPECT_EQ(cells[14], "是");
      EXPECT_EQ(cells[15], "9000.00");
      EXPECT_EQ(cells[16], "1000.00");
    }
    if (cells[0] == w.poor.id()) {
      EXPECT_EQ(cells[11], "2500.00");
      EXPECT_EQ(cells[13], "是");
    }
  }
}

TEST_F(ReportsTest, AVillageAndAPeriodOfTheirOwn) {
  CountyWorld w = NewCountyWorld();
  iv1::GenerateReportRequest req = Year2025();
  req.set_village_code(w.other_village);
  iv1::GenerateReportResponse r;
  ASSERT_TRUE(Generate(admin(), req, &r).ok());
  EXPECT_EQ(Ids(r), std::vector<std::string>{w.empty.id()});
  // March to May only: rich's wage and sale, 3 months × 4 residents.
  req.set_village_code(w.village);
  *req.mutable_start_date() = ToDate(CivilDay(2025, 3, 1));
  *req.mutable_end_date() = ToDate(CivilDay(2025, 5, 31));
  ASSERT_TRUE(Generate(admin(), req, &r).ok());
  ASSERT_EQ(r.rows_size(), 2);
  for (const auto& row : r.rows()) {
    if (row.household_id() != w.rich.id()) continue;
    EXPECT_EQ(row.net_income().fen(), 2900000);
    EXPECT_EQ(row.resident_person_months(), 12);
    EXPECT_EQ(row.per_capita_net_income().fen(), 2900000);
  }
  EXPECT_EQ(r.summary().monthly_size(), 3);
}

TEST_F(ReportsTest, BadRequestsAreFieldViolations) {
  iv1::GenerateReportResponse r;
  iv1::GenerateReportRequest req = Year2025();
  grpc::Status s = Generate(admin(), req, &r);  // no scope
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"scope"});
  req.set_county_code("5308");
  s = Generate(admin(), req, &r);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"county_code"});
  req.set_village_code("53082810020X");
  s = Generate(admin(), req, &r);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"village_code"});
  req.set_county_code("530828");
  // 367 days is too long; 366 (a leap year) is fine; the end before the start is refused.
  *req.mutable_start_date() = ToDate(CivilDay(2024, 1, 1));
  *req.mutable_end_date() = ToDate(CivilDay(2025, 1, 1));
  s = Generate(admin(), req, &r);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"end_date"});
  *req.mutable_start_date() = ToDate(CivilDay(2024, 1, 1));
  *req.mutable_end_date() = ToDate(CivilDay(2024, 12, 31));
  req.set_county_code(NewCounty());
  EXPECT_TRUE(Generate(admin(), req, &r).ok());
  *req.mutable_end_date() = ToDate(CivilDay(2023, 12, 31));
  s = Generate(admin(), req, &r);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"end_date"});
  req = Year2025(iv1::REPORT_KIND_UNSPECIFIED);
  req.set_county_code("530828");
  s = Generate(admin(), req, &r);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"kind"});
  req = Year2025(iv1::REPORT_KIND_PRODUCER_SALES);
  req.set_county_code("530828");
  s = Generate(admin(), req, &r);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"kind"});
  req = Year2025();
  req.set_county_code("530828");
  req.clear_start_date();
  s = Generate(admin(), req, &r);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"start_date"});
}

TEST_F(ReportsTest, AWorkerSeesOnlyItsVillages) {
  CountyWorld w = NewCountyWorld();
  WorkerWorld worker = NewWorker(w.village);
  std::vector<std::string> own = {w.rich.id(), w.poor.id()};
  std::sort(own.begin(), own.end());
  iv1::GenerateReportResponse r;
  iv1::GenerateReportRequest req = Year2025();
  req.set_county_code(w.county);
  ASSERT_TRUE(Generate(worker.token, req, &r).ok());
  EXPECT_EQ(Ids(r), own);
  EXPECT_EQ(r.summary().household_count(), 2);
  // Its caseload report; another worker's is not found; the admin may ask for any worker's.
  req.set_social_worker_id(worker.worker.id());
  ASSERT_TRUE(Generate(worker.token, req, &r).ok());
  EXPECT_EQ(Ids(r), own);
  ASSERT_TRUE(Generate(admin(), req, &r).ok());
  EXPECT_EQ(Ids(r), own);
  WorkerWorld other = NewWorker(w.other_village);
  req.set_social_worker_id(other.worker.id());
  grpc::Status s = Generate(worker.token, req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // A village outside its caseload: no rows.
  req.set_village_code(w.other_village);
  ASSERT_TRUE(Generate(worker.token, req, &r).ok());
  EXPECT_EQ(r.rows_size(), 0);
  EXPECT_EQ(r.summary().median_per_capita_net_income().fen(), 0);
}

TEST_F(ReportsTest, RolesThatMayNotAskForHouseholdIncome) {
  const std::string county = NewCounty();
  CoopWorld coop = NewCoop(county);
  iv1::GenerateReportRequest req = Year2025();
  req.set_cooperative_id(coop.cooperative.id());
  iv1::GenerateReportResponse r;
  for (const std::string& token : {coop.admin_token, coop.member_token, NewPartner().token}) {
    grpc::Status s = Generate(token, req, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  }
  // The platform admin's cooperative report: the households with a member in it.
  grpc::Status s = Generate(admin(), req, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Ids(r), std::vector<std::string>{coop.household.id()});
}

TEST_F(ReportsTest, ProducerSalesOfACooperative) {
  const std::string county = NewCounty();
  CoopWorld coop = NewCoop(county);
  CoopWorld other = NewCoop(county);
  auto [second, second_token] = AddMember(coop);
  const auto pb = iv1::INCOME_KIND_PRODUCTION_BUSINESS;
  const auto market = iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT;
  InsertEntryRow(coop.household.id(), pb, market, 12345, CivilDay(2025, 4, 1),
                 coop.cooperative.id());
  InsertEntryRow(coop.household.id(), pb, market, -45, CivilDay(2025, 4, 2), coop.cooperative.id());
  InsertEntryRow(coop.household.id(), pb, market, 999, CivilDay(2025, 4, 3),
                 other.cooperative.id());  // another cooperative's settlement
  InsertEntryRow(coop.household.id(), iv1::INCOME_KIND_WAGE, iv1::INCOME_SOURCE_MANUAL, 5000,
                 CivilDay(2025, 4, 3));
  iv1::GenerateReportRequest req = Year2025(iv1::REPORT_KIND_PRODUCER_SALES);
  req.set_cooperative_id(coop.cooperative.id());
  iv1::GenerateReportResponse r;
  for (const std::string& token :
       {admin(), coop.admin_token, AssignedWorkerToken(coop.cooperative.id())}) {
    grpc::Status s = Generate(token, req, &r);
    ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    ASSERT_EQ(r.rows_size(), 2);
    std::map<std::string, int64_t> sales;
    for (const auto& row : r.rows()) sales[row.household_id()] = row.marketplace_income().fen();
    EXPECT_EQ(sales[coop.household.id()], 12300);
    EXPECT_EQ(sales[second.household_id()], 0);
    EXPECT_EQ(r.summary().marketplace_income().fen(), 12300);
    EXPECT_EQ(r.summary().net_income().fen(), 0);
    EXPECT_EQ(r.summary().monthly(3).marketplace_income().fen(), 12300);
    EXPECT_FALSE(r.rows(0).has_net_income());
  }
  std::vector<std::string> lines = absl::StrSplit(r.csv(), "\r\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "\xEF\xBB\xBF户编号,村代码,户主姓名,电商销售收入(元)");
  EXPECT_TRUE(absl::StrContains(r.csv(), ",123.00\r\n"));
  // Another cooperative's admin, an unassigned worker: not found; a member: not allowed.
  for (const std::string& token : {other.admin_token, UnassignedWorkerToken()}) {
    grpc::Status s = Generate(token, req, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  grpc::Status s = Generate(second_token, req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportsTest, AReportOverTheRowLimitIsRefused) {
  const std::string county = NewCounty();
  for (int i = 0; i < kMaxRows; ++i) NewHousehold(county + "100201", 2);
  iv1::GenerateReportRequest req = Year2025();
  req.set_county_code(county);
  iv1::GenerateReportResponse r;
  ASSERT_TRUE(Generate(admin(), req, &r).ok());
  EXPECT_EQ(r.rows_size(), kMaxRows);
  NewHousehold(county + "100202", 2);
  grpc::Status s = Generate(admin(), req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REPORT_TOO_LARGE");
  // Narrowed to one village it fits.
  req.set_village_code(county + "100202");
  EXPECT_TRUE(Generate(admin(), req, &r).ok());
}

// Runs last: it moves the suite's clock 20 days on (tokens live 30 days).
TEST_F(ReportsTest, AChangedHouseholdSizeChangesOnlyTheMonthsAfterIt) {
  const std::string village = NewCounty() + "100201";
  mv1::Household h = NewHousehold(village, 4);  // created 2026-03-01 with 4 residents
  InsertEntryRow(h.id(), iv1::INCOME_KIND_WAGE, iv1::INCOME_SOURCE_MANUAL, 180000,
                 CivilDay(2026, 2, 10));
  clock_->Advance(absl::Hours(24 * 20));  // 2026-03-21
  mv1::UpdateHouseholdRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_id(h.id());
  update.mutable_household()->set_resident_size(2);
  update.mutable_update_mask()->add_paths("resident_size");
  *update.mutable_resident_size_effective_date() = ToDate(Today(clock_->Now()));
  mv1::Household updated;
  grpc::Status s = members().UpdateHousehold(Ctx(admin()).get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";

  iv1::GenerateReportRequest req = Year2025();
  req.set_village_code(village);
  *req.mutable_start_date() = ToDate(CivilDay(2026, 1, 1));
  *req.mutable_end_date() = ToDate(CivilDay(2026, 6, 30));
  iv1::GenerateReportResponse r;
  s = Generate(admin(), req, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(r.rows_size(), 1);
  // January to March with 4 (a change on the 21st takes effect on 1 April), April to June with 2.
  EXPECT_EQ(r.rows(0).resident_person_months(), 3 * 4 + 3 * 2);
  EXPECT_EQ(r.rows(0).resident_size(), 2);
  EXPECT_EQ(r.rows(0).per_capita_net_income().fen(), 120000);  // 180,000 × 12 ÷ 18
  // A period before the change keeps the old size.
  *req.mutable_end_date() = ToDate(CivilDay(2026, 3, 31));
  ASSERT_TRUE(Generate(admin(), req, &r).ok());
  EXPECT_EQ(r.rows(0).resident_person_months(), 12);
  EXPECT_EQ(r.rows(0).resident_size(), 4);
}

}  // namespace
}  // namespace cooplink::testing
