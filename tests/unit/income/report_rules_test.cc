// Report rules without a database: median and mean (rounded down, also for negatives), the
// per-capita arithmetic over a size history, rows against the most specific line, the summary's
// sources and months, and the CSV (BOM, CRLF, RFC 4180 quoting, yuan with two decimals, 是/否).
#include "services/income/report_rules.h"

#include <gtest/gtest.h>

namespace cooplink::income {
namespace {

using absl::CivilDay;
using absl::CivilMonth;

TEST(ReportStatsTest, MedianOfOddAndEvenCountsRoundsDown) {
  EXPECT_EQ(Median({}), 0);
  EXPECT_EQ(Median({5}), 5);
  EXPECT_EQ(Median({9, 1, 5}), 5);
  EXPECT_EQ(Median({1, 2, 3, 10}), 2);                   // (2 + 3) / 2 = 2.5 → 2
  EXPECT_EQ(Median({4, 1, 3, 2}), 2);                    // unsorted input
  EXPECT_EQ(Median({-3, -2}), -3);                       // -2.5 → -3 (towards −∞)
  EXPECT_EQ(Median({INT64_MAX, INT64_MAX}), INT64_MAX);  // no overflow
}

TEST(ReportStatsTest, MeanRoundsTowardsNegativeInfinity) {
  EXPECT_EQ(Mean({}), 0);
  EXPECT_EQ(Mean({1, 2}), 1);
  EXPECT_EQ(Mean({-1, -2}), -2);
  EXPECT_EQ(Mean({600000, 300000, 0}), 300000);
  EXPECT_EQ(Mean({INT64_MAX, INT64_MAX, INT64_MAX}), INT64_MAX);
}

TEST(ReportArithTest, PersonMonthsFollowTheSizeHistory) {
  // 4 residents, 3 from 15 March (takes effect 1 April), 5 from 1 July (a 1st: from July).
  const std::vector<SizePeriod> sizes = {
      {CivilDay(2025, 1, 1), 4}, {CivilDay(2025, 3, 15), 3}, {CivilDay(2025, 7, 1), 5}};
  const Period period{CivilDay(2025, 1, 10), CivilDay(2025, 12, 5)};
  ASSERT_EQ(period.Months().size(), 12u);
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2025, 3)), 4);
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2025, 4)), 3);
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2025, 7)), 5);
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2024, 6)), 4);  // before: the first
  EXPECT_EQ(ResidentPersonMonths(sizes, period), 3 * 4 + 3 * 3 + 6 * 5);
  EXPECT_EQ(PerCapita(5100000, 51), 1200000);
  EXPECT_EQ(PerCapita(-7, 12), -7);
  EXPECT_EQ(PerCapita(-1, 24), -1);  // -0.5 → -1
  EXPECT_EQ(PerCapita(100, 0), 0);
  EXPECT_TRUE(Below(599999, 12, 600000));
  EXPECT_FALSE(Below(600000, 12, 600000));
  EXPECT_TRUE(Near(600000, 12, 600000, 1000));
  EXPECT_TRUE(Near(659999, 12, 600000, 1000));
  EXPECT_FALSE(Near(660000, 12, 600000, 1000));
  EXPECT_FALSE(Near(599999, 12, 600000, 1000));  // below is not near
  EXPECT_EQ(RegionChain("530828100201"),
            (std::vector<std::string>{"530828", "530800", "530000", "000000"}));
}

HouseholdFacts Household(const std::string& id, const std::string& village, int size) {
  HouseholdFacts h;
  h.id = id;
  h.village_code = village;
  h.head_name = "扎约";
  h.category = membership::v1::MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE;
  h.resident_size = size;
  h.sizes = {{CivilDay(1900, 1, 1), size}};
  return h;
}

TEST(ReportRowTest, ARowUsesTheMostSpecificLine) {
  ReportParams p;
  p.start = CivilDay(2025, 1, 1);
  p.end = CivilDay(2025, 12, 31);
  p.lines = {{"000000", 600000}, {"530000", 650000}, {"530828", 700000}};
  HouseholdSums sums;
  sums.Add(v1::INCOME_KIND_WAGE, v1::INCOME_SOURCE_MANUAL, false, 2000000);
  sums.Add(v1::INCOME_KIND_PRODUCTION_BUSINESS, v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, false,
           900000);
  sums.Add(v1::INCOME_KIND_TRANSFER, v1::INCOME_SOURCE_MANUAL, true, 100000);
  sums.Add(v1::INCOME_KIND_PRODUCTION_COST, v1::INCOME_SOURCE_MANUAL, false, 200000);
  v1::ReportRow row = MakeRow(Household("h1", "530828100201", 4), sums, p);
  EXPECT_EQ(row.net_income().fen(), 2800000);
  EXPECT_EQ(row.resident_person_months(), 48);
  EXPECT_EQ(row.per_capita_net_income().fen(), 700000);
  EXPECT_EQ(row.threshold_per_capita().fen(), 700000);  // the county's
  EXPECT_FALSE(row.below_threshold());
  EXPECT_TRUE(row.near_threshold());
  EXPECT_EQ(row.marketplace_income().fen(), 900000);
  EXPECT_EQ(row.supported_income().fen(), 100000);
  EXPECT_EQ(row.monitoring_category(), "MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE");
  // Another province: the national line.
  row = MakeRow(Household("h2", "520102100201", 4), sums, p);
  EXPECT_EQ(row.threshold_per_capita().fen(), 600000);
  p.lines.clear();
  row = MakeRow(Household("h2", "520102100201", 4), sums, p);
  EXPECT_FALSE(row.has_threshold_per_capita());
  EXPECT_FALSE(row.below_threshold());
}

TEST(ReportSummaryTest, SourcesAndEveryMonthOfThePeriod) {
  ReportParams p;
  p.start = CivilDay(2025, 11, 20);
  p.end = CivilDay(2026, 2, 3);
  std::vector<v1::ReportRow> rows(3);
  const int64_t pcs[] = {100, -50, 300};
  for (int i = 0; i < 3; ++i) {
    rows[i].mutable_per_capita_net_income()->set_fen(pcs[i]);
    rows[i].mutable_net_income()->set_fen(pcs[i] * 2);
    rows[i].mutable_marketplace_income()->set_fen(10);
    rows[i].set_below_threshold(i == 1);
    rows[i].set_near_threshold(i == 0);
  }
  const std::vector<SourceSum> sources = {
      {"h1", "sB", 500}, {"h2", "sB", 0}, {"h1", "sA", 70}, {"h3", "sA", 30}};
  v1::ReportSummary s = Summarize(rows, p, sources, {{"sA", "壹基金"}, {"sB", "福彩公益金"}},
                                  {{"2025-12", {1234, 56}}, {"2026-02", {-5, 0}}});
  EXPECT_EQ(s.household_count(), 3);
  EXPECT_EQ(s.mean_per_capita_net_income().fen(), 116);  // 350 / 3
  EXPECT_EQ(s.median_per_capita_net_income().fen(), 100);
  EXPECT_EQ(s.below_threshold_count(), 1);
  EXPECT_EQ(s.near_threshold_count(), 1);
  EXPECT_EQ(s.net_income().fen(), 700);
  EXPECT_EQ(s.marketplace_income().fen(), 30);
  ASSERT_EQ(s.sources_size(), 2);
  EXPECT_EQ(s.sources(0).support_source_id(), "sA");
  EXPECT_EQ(s.sources(0).name(), "壹基金");
  EXPECT_EQ(s.sources(0).amount().fen(), 100);
  EXPECT_EQ(s.sources(0).household_count(), 2);
  EXPECT_EQ(s.sources(1).amount().fen(), 500);
  EXPECT_EQ(s.sources(1).household_count(), 1);  // h2's zero sum does not count
  ASSERT_EQ(s.monthly_size(), 4);
  EXPECT_EQ(s.monthly(0).month(), "2025-11");
  EXPECT_EQ(s.monthly(0).net_income().fen(), 0);
  EXPECT_EQ(s.monthly(1).month(), "2025-12");
  EXPECT_EQ(s.monthly(1).net_income().fen(), 1234);
  EXPECT_EQ(s.monthly(1).marketplace_income().fen(), 56);
  EXPECT_EQ(s.monthly(3).month(), "2026-02");
  EXPECT_EQ(s.monthly(3).net_income().fen(), -5);
  // No rows: zeros.
  s = Summarize({}, p, {}, {}, {});
  EXPECT_EQ(s.household_count(), 0);
  EXPECT_EQ(s.median_per_capita_net_income().fen(), 0);
  EXPECT_EQ(s.mean_per_capita_net_income().fen(), 0);
}

TEST(ReportCsvTest, YuanAndQuoting) {
  EXPECT_EQ(YuanText(0), "0.00");
  EXPECT_EQ(YuanText(5), "0.05");
  EXPECT_EQ(YuanText(-5), "-0.05");
  EXPECT_EQ(YuanText(-123456), "-1234.56");
  EXPECT_EQ(YuanText(100), "1.00");
  EXPECT_EQ(YuanText(INT64_MIN), "-92233720368547758.08");
  EXPECT_EQ(CsvField("扎约"), "扎约");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(CategoryName("MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE"), "脱贫不稳定户");
  EXPECT_EQ(CategoryName("MONITORING_CATEGORY_SUDDEN_HARDSHIP"), "突发严重困难户");
}

TEST(ReportCsvTest, HeaderRowsAndOneLinePerRow) {
  v1::ReportRow r;
  r.set_household_id("h1");
  r.set_village_code("530828100201");
  r.set_head_name("李,\"四\"");
  r.set_monitoring_category("MONITORING_CATEGORY_MARGINAL_AT_RISK");
  r.set_resident_size(4);
  r.mutable_net_income()->set_fen(-5);
  r.mutable_per_capita_net_income()->set_fen(-2);
  r.mutable_threshold_per_capita()->set_fen(600000);
  r.set_below_threshold(true);
  r.mutable_marketplace_income()->set_fen(12345);
  const std::string csv = ReportCsv(v1::REPORT_KIND_HOUSEHOLD_INCOME, {r});
  const std::string expected =
      "\xEF\xBB\xBF"
      "户编号,村代码,户主姓名,监测类别,常住人口,工资性收入(元),生产经营性收入(元),"
      "财产性收入(元),转移性收入(元),生产经营费用(元),纯收入(元),人均纯收入(元),监测线(元/人),"
      "低于监测线,接近监测线,电商销售收入(元),帮扶收入(元)\r\n"
      "h1,530828100201,\"李,\"\"四\"\"\",边缘易致贫户,4,0.00,0.00,0.00,0.00,0.00,-0.05,-0.02,"
      "6000.00,是,否,123.45,0.00\r\n";
  EXPECT_EQ(csv, expected);
  const std::string sales = ReportCsv(v1::REPORT_KIND_PRODUCER_SALES, {r});
  EXPECT_EQ(sales,
            "\xEF\xBB\xBF户编号,村代码,户主姓名,电商销售收入(元)\r\n"
            "h1,530828100201,\"李,\"\"四\"\"\",123.45\r\n");
  // No threshold: an empty cell.
  r.clear_threshold_per_capita();
  EXPECT_NE(ReportCsv(v1::REPORT_KIND_HOUSEHOLD_INCOME, {r}).find(",-0.02,,是,"),
            std::string::npos);
}

}  // namespace
}  // namespace cooplink::income
