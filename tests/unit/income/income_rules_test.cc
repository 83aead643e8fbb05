// The income arithmetic (income_rules.h) on hand-computed households: periods, person-months from
// a size history, components, per-capita rounding, the exact below/near comparisons at ±1 fen,
// the most specific monitoring line, and the gain over a baseline.
#include "services/income/income_rules.h"

#include <gtest/gtest.h>

#include <limits>

namespace cooplink::income {
namespace {

using absl::CivilDay;
using absl::CivilMonth;

LedgerAmount Entry(v1::IncomeKind kind, int64_t fen, CivilDay day,
                   v1::IncomeSource source = v1::INCOME_SOURCE_MANUAL, bool supported = false) {
  return {kind, fen, day, source, supported};
}

TEST(PeriodTest, CalendarYearCoversTwelveMonths) {
  Period y = CalendarYear(2025);
  EXPECT_EQ(y.first, CivilDay(2025, 1, 1));
  EXPECT_EQ(y.last, CivilDay(2025, 12, 31));
  EXPECT_EQ(y.MonthCount(), 12);
  ASSERT_EQ(y.Months().size(), 12u);
  EXPECT_EQ(y.Months().front(), CivilMonth(2025, 1));
  EXPECT_EQ(y.Months().back(), CivilMonth(2025, 12));
  EXPECT_TRUE(y.Contains(CivilDay(2025, 12, 31)));
  EXPECT_FALSE(y.Contains(CivilDay(2026, 1, 1)));
  EXPECT_FALSE(y.Contains(CivilDay(2024, 12, 31)));
}

TEST(PeriodTest, TrailingTwelveMonthsStartElevenMonthsBackAndEndToday) {
  Period t = Trailing12Months(CivilDay(2026, 3, 15));
  EXPECT_EQ(t.first, CivilDay(2025, 4, 1));
  EXPECT_EQ(t.last, CivilDay(2026, 3, 15));
  EXPECT_EQ(t.MonthCount(), 12);
  Period jan = Trailing12Months(CivilDay(2026, 1, 1));
  EXPECT_EQ(jan.first, CivilDay(2025, 2, 1));
  EXPECT_EQ(jan.MonthCount(), 12);
  Period dec = Trailing12Months(CivilDay(2026, 12, 31));
  EXPECT_EQ(dec.first, CivilDay(2026, 1, 1));
}

TEST(PeriodTest, PreviousTwelveMonthsEndTheDayBeforeTheTrailingWindow) {
  Period p = Previous12Months(CivilDay(2026, 3, 15));
  EXPECT_EQ(p.first, CivilDay(2024, 4, 1));
  EXPECT_EQ(p.last, CivilDay(2025, 3, 31));
  EXPECT_EQ(p.MonthCount(), 12);
}

TEST(PersonMonthsTest, OneSizeAllYearIsTwelveTimesTheSize) {
  std::vector<SizePeriod> sizes = {{CivilDay(2020, 5, 1), 4}};
  EXPECT_EQ(ResidentPersonMonths(sizes, CalendarYear(2025)), 48);
  // Months before the first recorded size use that first size.
  EXPECT_EQ(ResidentPersonMonths(sizes, CalendarYear(2019)), 48);
}

TEST(PersonMonthsTest, AChangeMidMonthCountsFromTheNextMonth) {
  // 4 residents, 5 from 2025-07-15: July still counts 4 (its first day), August to December 5.
  std::vector<SizePeriod> sizes = {{CivilDay(2020, 1, 1), 4}, {CivilDay(2025, 7, 15), 5}};
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2025, 7)), 4);
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2025, 8)), 5);
  EXPECT_EQ(ResidentPersonMonths(sizes, CalendarYear(2025)), 7 * 4 + 5 * 5);  // 53
  EXPECT_EQ(ResidentPersonMonths(sizes, CalendarYear(2024)), 48);  // the year before: unchanged
  EXPECT_EQ(ResidentPersonMonths(sizes, CalendarYear(2026)), 60);
  EXPECT_EQ(SizeInLastMonth(sizes, CalendarYear(2025)), 5);
}

TEST(PersonMonthsTest, AChangeOnTheFirstCountsFromThatMonth) {
  std::vector<SizePeriod> sizes = {{CivilDay(2020, 1, 1), 4}, {CivilDay(2025, 7, 1), 2}};
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2025, 6)), 4);
  EXPECT_EQ(SizeInMonth(sizes, CivilMonth(2025, 7)), 2);
  EXPECT_EQ(ResidentPersonMonths(sizes, CalendarYear(2025)), 6 * 4 + 6 * 2);  // 36
}

TEST(PersonMonthsTest, BeforeTheFirstRecordedSizeTheFirstSizeHolds) {
  std::vector<SizePeriod> sizes = {{CivilDay(2025, 4, 10), 3}, {CivilDay(2025, 10, 1), 6}};
  // Jan..Apr: 3 (first size; April's first day is before the 10th), May..Sep 3, Oct..Dec 6.
  EXPECT_EQ(ResidentPersonMonths(sizes, CalendarYear(2025)), 9 * 3 + 3 * 6);  // 45
  // Trailing window ending 2026-02-20: 2025-03 .. 2026-02: Mar..Sep 7×3, Oct..Feb 5×6.
  EXPECT_EQ(ResidentPersonMonths(sizes, Trailing12Months(CivilDay(2026, 2, 20))), 7 * 3 + 5 * 6);
}

TEST(ComponentsTest, SumsEachKindOnlyInsideThePeriodReversalsIncluded) {
  const std::vector<LedgerAmount> entries = {
      Entry(v1::INCOME_KIND_WAGE, 1'000'000, CivilDay(2025, 1, 1)),
      Entry(v1::INCOME_KIND_WAGE, -200'000, CivilDay(2025, 6, 1)),  // a reversal
      Entry(v1::INCOME_KIND_PRODUCTION_BUSINESS, 500'000, CivilDay(2025, 3, 3),
            v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT),
      Entry(v1::INCOME_KIND_PRODUCTION_BUSINESS, 300'000, CivilDay(2025, 4, 4),
            v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, /*supported=*/true),
      Entry(v1::INCOME_KIND_PROPERTY, 70'000, CivilDay(2025, 12, 31)),
      Entry(v1::INCOME_KIND_TRANSFER, 40'000, CivilDay(2025, 9, 9), v1::INCOME_SOURCE_MANUAL, true),
      Entry(v1::INCOME_KIND_PRODUCTION_COST, 110'000, CivilDay(2025, 5, 5)),
      Entry(v1::INCOME_KIND_WAGE, 9'999'999, CivilDay(2024, 12, 31)),  // outside
      Entry(v1::INCOME_KIND_WAGE, 9'999'999, CivilDay(2026, 1, 1)),    // outside
  };
  IncomeComponents c = SumComponents(entries, CalendarYear(2025));
  EXPECT_EQ(c.wage, 800'000);
  EXPECT_EQ(c.production_business, 800'000);
  EXPECT_EQ(c.property, 70'000);
  EXPECT_EQ(c.transfer, 40'000);
  EXPECT_EQ(c.production_cost, 110'000);
  EXPECT_EQ(c.net, 800'000 + 800'000 + 70'000 + 40'000 - 110'000);  // 1,600,000
  EXPECT_EQ(c.marketplace, 500'000);
  EXPECT_EQ(c.supported, 340'000);
  EXPECT_EQ(c.count, 7);
}

TEST(PerCapitaTest, HandComputedHouseholds) {
  // 4 residents all year, net 2,160,000 fen: 540,000 per person.
  EXPECT_EQ(PerCapita(2'160'000, 48), 540'000);
  // Size 4 then 5 from mid-July (53 person-months), net 2,000,000: 24,000,000 / 53 = 452,830.18…
  EXPECT_EQ(PerCapita(2'000'000, 53), 452'830);
  // 3 residents, net 1,000,000: 333,333.33… → 333,333.
  EXPECT_EQ(PerCapita(1'000'000, 36), 333'333);
}

TEST(PerCapitaTest, NegativeNetRoundsTowardsMinusInfinity) {
  EXPECT_EQ(PerCapita(-1'000'000, 36), -333'334);
  EXPECT_EQ(PerCapita(-1, 36), -1);
  EXPECT_EQ(PerCapita(-3, 36), -1);  // -36/36 = -1 exactly
  EXPECT_EQ(PerCapita(-4, 36), -2);  // -48/36 = -1.33… → -2
  EXPECT_EQ(PerCapita(0, 36), 0);
  EXPECT_EQ(PerCapita(5, 0), 0);  // no residents: no figure
}

TEST(PerCapitaTest, HugeNetDoesNotOverflow) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(PerCapita(max, 12), max);  // max × 12 ÷ 12 computed in 128 bits
  EXPECT_EQ(PerCapita(max, 1), max);   // clamped
  EXPECT_EQ(PerCapita(std::numeric_limits<int64_t>::min(), 1), std::numeric_limits<int64_t>::min());
}

TEST(ThresholdComparisonTest, BelowIsExactAtTheBoundary) {
  // Line 600,000 fen, 53 person-months: below iff net × 12 < 31,800,000, i.e. net < 2,650,000.
  EXPECT_TRUE(Below(2'649'999, 53, 600'000));
  EXPECT_FALSE(Below(2'650'000, 53, 600'000));
  EXPECT_FALSE(Below(2'650'001, 53, 600'000));
  // A per-capita that rounds to the line is still below when the exact figure is under it:
  // 36 person-months, net 1,799,999 → per-capita 599,999.67 → rounds to 599,999; exact is below.
  EXPECT_TRUE(Below(1'799'999, 36, 600'000));
  // 7 person-months: net 350,000 × 12 = 4,200,000 = 600,000 × 7: at the line, not below.
  EXPECT_FALSE(Below(350'000, 7, 600'000));
  EXPECT_TRUE(Below(349'999, 7, 600'000));
}

TEST(ThresholdComparisonTest, NearIsExactAtTheBoundaryAndExcludesBelow) {
  // Line 600,000, 48 person-months, margin 1000 bps: near iff 2,400,000 <= net < 2,640,000.
  EXPECT_FALSE(Near(2'399'999, 48, 600'000, 1000));  // below, not near
  EXPECT_TRUE(Near(2'400'000, 48, 600'000, 1000));
  EXPECT_TRUE(Near(2'639'999, 48, 600'000, 1000));
  EXPECT_FALSE(Near(2'640'000, 48, 600'000, 1000));
  EXPECT_FALSE(Near(2'640'001, 48, 600'000, 1000));
  // Margin 0: never near.
  EXPECT_FALSE(Near(2'400'000, 48, 600'000, 0));
  // No overflow at the extremes.
  EXPECT_TRUE(Near(std::numeric_limits<int64_t>::max() / 12, 12,
                   std::numeric_limits<int64_t>::max() / 12, 10000));
}

TEST(ThresholdRegionTest, AcceptsCountiesPrefecturesProvincesAndNational) {
  EXPECT_TRUE(IsThresholdRegion("530828"));
  EXPECT_TRUE(IsThresholdRegion("530800"));
  EXPECT_TRUE(IsThresholdRegion("530000"));
  EXPECT_TRUE(IsThresholdRegion("000000"));
  EXPECT_FALSE(IsThresholdRegion("530028"));  // no prefecture but a county
  EXPECT_FALSE(IsThresholdRegion("000100"));  // no province
  EXPECT_FALSE(IsThresholdRegion("53082"));
  EXPECT_FALSE(IsThresholdRegion("5308281"));
  EXPECT_FALSE(IsThresholdRegion("53082a"));
  EXPECT_FALSE(IsThresholdRegion(""));
}

TEST(ThresholdRegionTest, ChainAndPrefixes) {
  EXPECT_EQ(RegionChain("530828101001"),
            (std::vector<std::string>{"530828", "530800", "530000", "000000"}));
  EXPECT_EQ(VillagePrefixOf("530828"), "530828");
  EXPECT_EQ(VillagePrefixOf("530800"), "5308");
  EXPECT_EQ(VillagePrefixOf("530000"), "53");
  EXPECT_EQ(VillagePrefixOf("000000"), "");
}

TEST(ChooseThresholdTest, TheMostSpecificLineOfTheYearWins) {
  const std::vector<ThresholdCandidate> all = {
      {"n", "000000", 2025, 600'000}, {"p", "530000", 2025, 620'000},
      {"f", "530800", 2025, 640'000}, {"c", "530828", 2025, 660'000},
      {"c24", "530828", 2024, 1'000}, {"other", "530829", 2025, 9'999},
  };
  EXPECT_EQ(ChooseThreshold("530828101001", 2025, all)->id, "c");
  // The order of the candidates does not matter.
  std::vector<ThresholdCandidate> reversed(all.rbegin(), all.rend());
  EXPECT_EQ(ChooseThreshold("530828101001", 2025, reversed)->id, "c");
  EXPECT_EQ(ChooseThreshold("530828101001", 2024, all)->id, "c24");
  EXPECT_EQ(ChooseThreshold("530827101001", 2025, all)->id, "f");
  EXPECT_EQ(ChooseThreshold("530100101001", 2025, all)->id, "p");
  EXPECT_EQ(ChooseThreshold("110101101001", 2025, all)->id, "n");
  EXPECT_FALSE(ChooseThreshold("110101101001", 2023, all).has_value());
}

TEST(BaselineTest, GainAndBasisPointsRoundTowardsZero) {
  EXPECT_EQ(GainOverBaseline(540'000, 400'000), 140'000);
  EXPECT_EQ(GainBps(140'000, 400'000), 3500);
  EXPECT_EQ(GainBps(1, 300'000), 0);             // 0.033 bps → 0
  EXPECT_EQ(GainBps(100'001, 300'000), 3333);    // 3333.37 → 3333
  EXPECT_EQ(GainBps(-100'001, 300'000), -3333);  // towards zero, not down
  EXPECT_EQ(GainBps(5, 0), 0);
  EXPECT_EQ(GainBps(5, -10), 0);
  EXPECT_EQ(GainOverBaseline(std::numeric_limits<int64_t>::min(), 1),
            std::numeric_limits<int64_t>::min());
}

TEST(FormatYuanTest, GroupsThousandsAndKeepsTwoDecimals) {
  EXPECT_EQ(FormatYuan(540'000), "5,400.00");
  EXPECT_EQ(FormatYuan(5), "0.05");
  EXPECT_EQ(FormatYuan(0), "0.00");
  EXPECT_EQ(FormatYuan(-1'230), "-12.30");
  EXPECT_EQ(FormatYuan(123'456'789'01), "123,456,789.01");
  EXPECT_EQ(FormatYuan(std::numeric_limits<int64_t>::min()), "-92,233,720,368,547,758.08");
}

}  // namespace
}  // namespace cooplink::income
