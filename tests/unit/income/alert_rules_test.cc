// The early-warning rules (alert_rules.h): each rule holds exactly on its side of its boundary,
// BELOW and NEAR exclude each other, recovery is "at or above the line plus the margin" (or the
// fall within the share), and the Chinese detail names the figures.
#include "services/income/alert_rules.h"

#include <gtest/gtest.h>

namespace cooplink::income {
namespace {

// 4 residents all year (48 person-months both windows), line 600,000 fen, margin 10 %, drop 20 %.
AlertInputs Household(int64_t net, int64_t previous_net = 0) {
  AlertInputs in;
  in.net_fen = net;
  in.person_months = 48;
  in.previous_net_fen = previous_net;
  in.previous_person_months = 48;
  in.line_fen = 600'000;
  return in;
}

const AlertFinding& Find(const std::vector<AlertFinding>& f, v1::AlertKind kind) {
  for (const AlertFinding& a : f) {
    if (a.kind == kind) return a;
  }
  ADD_FAILURE() << "no finding for kind " << kind;
  return f.front();
}

TEST(AlertRulesTest, OneFindingPerKind) {
  std::vector<AlertFinding> f = EvaluateAlertRules(Household(0));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].kind, v1::ALERT_KIND_BELOW_THRESHOLD);
  EXPECT_EQ(f[1].kind, v1::ALERT_KIND_NEAR_THRESHOLD);
  EXPECT_EQ(f[2].kind, v1::ALERT_KIND_INCOME_DROP);
}

TEST(AlertRulesTest, BelowHoldsOnlyUnderTheLineByOneFen) {
  // Below iff net × 12 < 600,000 × 48, i.e. net < 2,400,000.
  auto under = EvaluateAlertRules(Household(2'399'999));
  EXPECT_TRUE(Find(under, v1::ALERT_KIND_BELOW_THRESHOLD).holds);
  EXPECT_FALSE(Find(under, v1::ALERT_KIND_NEAR_THRESHOLD).holds);
  EXPECT_FALSE(Find(under, v1::ALERT_KIND_BELOW_THRESHOLD).recovered);
  EXPECT_EQ(Find(under, v1::ALERT_KIND_BELOW_THRESHOLD).per_capita_fen, 599'999);
  EXPECT_EQ(Find(under, v1::ALERT_KIND_BELOW_THRESHOLD).threshold_fen, 600'000);
  auto at = EvaluateAlertRules(Household(2'400'000));
  EXPECT_FALSE(Find(at, v1::ALERT_KIND_BELOW_THRESHOLD).holds);
  EXPECT_TRUE(Find(at, v1::ALERT_KIND_NEAR_THRESHOLD).holds);
}

TEST(AlertRulesTest, NearHoldsUpToTheMarginExclusive) {
  // Near iff 2,400,000 <= net < 2,640,000.
  auto top = EvaluateAlertRules(Household(2'639'999));
  EXPECT_TRUE(Find(top, v1::ALERT_KIND_NEAR_THRESHOLD).holds);
  EXPECT_FALSE(Find(top, v1::ALERT_KIND_NEAR_THRESHOLD).recovered);
  auto above = EvaluateAlertRules(Household(2'640'000));
  EXPECT_FALSE(Find(above, v1::ALERT_KIND_NEAR_THRESHOLD).holds);
  EXPECT_FALSE(Find(above, v1::ALERT_KIND_BELOW_THRESHOLD).holds);
  EXPECT_TRUE(Find(above, v1::ALERT_KIND_NEAR_THRESHOLD).recovered);
  EXPECT_TRUE(Find(above, v1::ALERT_KIND_BELOW_THRESHOLD).recovered);
}

TEST(AlertRulesTest, ABelowAlertInTheNearBandIsNotRecovered) {
  auto f = EvaluateAlertRules(Household(2'500'000));
  EXPECT_FALSE(Find(f, v1::ALERT_KIND_BELOW_THRESHOLD).holds);
  EXPECT_FALSE(Find(f, v1::ALERT_KIND_BELOW_THRESHOLD).recovered);
  // And a NEAR alert of a household now below is not recovered either.
  auto g = EvaluateAlertRules(Household(100));
  EXPECT_FALSE(Find(g, v1::ALERT_KIND_NEAR_THRESHOLD).holds);
  EXPECT_FALSE(Find(g, v1::ALERT_KIND_NEAR_THRESHOLD).recovered);
}

TEST(AlertRulesTest, WithoutALineNeitherBelowNorNearHolds) {
  AlertInputs in = Household(0);
  in.line_fen.reset();
  auto f = EvaluateAlertRules(in);
  EXPECT_FALSE(Find(f, v1::ALERT_KIND_BELOW_THRESHOLD).holds);
  EXPECT_FALSE(Find(f, v1::ALERT_KIND_NEAR_THRESHOLD).holds);
  EXPECT_TRUE(Find(f, v1::ALERT_KIND_BELOW_THRESHOLD).recovered);
  EXPECT_FALSE(Find(f, v1::ALERT_KIND_BELOW_THRESHOLD).threshold_fen.has_value());
}

TEST(AlertRulesTest, ZeroMarginMeansNoNearBand) {
  AlertInputs in = Household(2'400'000);
  in.near_margin_bps = 0;
  EXPECT_FALSE(Find(EvaluateAlertRules(in), v1::ALERT_KIND_NEAR_THRESHOLD).holds);
}

TEST(AlertRulesTest, DropHoldsOnlyBeyondTheShare) {
  // Previous per-capita 1,000,000 (net 4,000,000 / 4); 20 % drop: holds iff trailing per-capita
  // < 800,000, i.e. trailing per-capita 799,999 (net 3,199,996 → 799,999).
  auto beyond = EvaluateAlertRules(Household(3'199'996, 4'000'000));
  const AlertFinding& d = Find(beyond, v1::ALERT_KIND_INCOME_DROP);
  EXPECT_TRUE(d.holds);
  EXPECT_FALSE(d.recovered);
  EXPECT_EQ(d.per_capita_fen, 799'999);
  EXPECT_EQ(d.previous_per_capita_fen, 1'000'000);
  // A fall of 20.0001 % reads as more than the share, not as equal to it.
  EXPECT_EQ(
      d.detail,
      "近12个月人均纯收入 7,999.99 元，比前12个月的 10,000.00 元下降 20.01%，超过预警幅度 20%");
  // Exactly 20 %: not more than the share.
  auto exact = EvaluateAlertRules(Household(3'200'000, 4'000'000));
  EXPECT_FALSE(Find(exact, v1::ALERT_KIND_INCOME_DROP).holds);
  EXPECT_TRUE(Find(exact, v1::ALERT_KIND_INCOME_DROP).recovered);
  // Net 3,199,999 → per-capita 799,999.75 → shown 799,999: the shown figures decide.
  EXPECT_TRUE(
      Find(EvaluateAlertRules(Household(3'199'999, 4'000'000)), v1::ALERT_KIND_INCOME_DROP).holds);
  // A rise is no drop.
  EXPECT_FALSE(
      Find(EvaluateAlertRules(Household(9'000'000, 4'000'000)), v1::ALERT_KIND_INCOME_DROP).holds);
}

TEST(AlertRulesTest, DropNeedsAPositivePreviousIncome) {
  EXPECT_FALSE(
      Find(EvaluateAlertRules(Household(-5'000'000, 0)), v1::ALERT_KIND_INCOME_DROP).holds);
  EXPECT_FALSE(
      Find(EvaluateAlertRules(Household(-5'000'000, -100)), v1::ALERT_KIND_INCOME_DROP).holds);
  // Previous per-capita rounds to 0 (net 3 over 48 person-months): not positive.
  EXPECT_FALSE(Find(EvaluateAlertRules(Household(-1, 3)), v1::ALERT_KIND_INCOME_DROP).holds);
}

TEST(AlertRulesTest, DetailsNameTheFiguresInChinese) {
  // 4 residents, net 2,160,000 → 540,000 per capita against 600,000.
  auto f = EvaluateAlertRules(Household(2'160'000, 4'000'000));
  EXPECT_EQ(Find(f, v1::ALERT_KIND_BELOW_THRESHOLD).detail,
            "近12个月人均纯收入 5,400.00 元，低于监测线 6,000.00 元");
  EXPECT_EQ(Find(f, v1::ALERT_KIND_INCOME_DROP).detail,
            "近12个月人均纯收入 5,400.00 元，比前12个月的 10,000.00 元下降 46%，超过预警幅度 20%");
  auto n = EvaluateAlertRules(Household(2'500'000));
  EXPECT_EQ(Find(n, v1::ALERT_KIND_NEAR_THRESHOLD).detail,
            "近12个月人均纯收入 6,250.00 元，高于监测线 6,000.00 元不足 10%，有返贫风险");
}

TEST(AlertRulesTest, PercentAndOpenKey) {
  EXPECT_EQ(FormatPercent(1000), "10%");
  EXPECT_EQ(FormatPercent(1250), "12.5%");
  EXPECT_EQ(FormatPercent(3333), "33.33%");
  EXPECT_EQ(FormatPercent(5), "0.05%");
  EXPECT_EQ(OpenKey("01HHHH", v1::ALERT_KIND_INCOME_DROP), "01HHHH/2");
}

}  // namespace
}  // namespace cooplink::income
