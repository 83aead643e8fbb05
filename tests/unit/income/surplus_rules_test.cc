// The surplus split of Art. 44 without a database: the worked example of DOMAIN.md, random
// splits that sum exactly with every member within 1 fen of its exact share, fiscal years,
// member days and proration, and the transaction shares of members who share a household.
#include "services/income/surplus_rules.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "services/common/status.h"

namespace cooplink::income {
namespace {

using absl::CivilDay;

TEST(SurplusMembersTest, NoneIsNoMembersAndAbove5000IsTooMany) {
  EXPECT_EQ(ReasonOf(CheckFiscalMemberCount(0, 2025)), "NO_MEMBERS");
  EXPECT_TRUE(CheckFiscalMemberCount(1, 2025).ok());
  EXPECT_TRUE(CheckFiscalMemberCount(4999, 2025).ok());
  EXPECT_TRUE(CheckFiscalMemberCount(5000, 2025).ok());
  const absl::Status above = CheckFiscalMemberCount(5001, 2025);
  EXPECT_EQ(above.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(above), "TOO_MANY_MEMBERS");
}

TEST(SurplusSplitTest, TheWorkedExampleOfTheLaw) {
  // Surplus 400,000 yuan, reserve 10 % → 40,000; distributable 360,000; 70 % by transactions =
  // 252,000; 108,000 by contribution shares.
  auto s = SplitSurplus(40000000, 1000, 7000, {{300, 1}, {700, 3}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->reserve_fund, 4000000);
  EXPECT_EQ(s->distributable, 36000000);
  EXPECT_EQ(s->patronage_pool, 25200000);
  EXPECT_EQ(s->capital_pool, 10800000);
  EXPECT_EQ(s->patronage, (std::vector<int64_t>{7560000, 17640000}));
  EXPECT_EQ(s->capital, (std::vector<int64_t>{2700000, 8100000}));
}

TEST(SurplusSplitTest, TiesGoToTheEarlierMember) {
  // 100 fen among three equal weights: 34, 33, 33; 10 by 1:2:3 → 2, 3, 5.
  auto s = SplitSurplus(100, 0, 10000, {{1, 0}, {1, 0}, {1, 0}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->patronage, (std::vector<int64_t>{34, 33, 33}));
  EXPECT_EQ(s->capital, (std::vector<int64_t>{0, 0, 0}));
  s = SplitSurplus(10, 0, 10000, {{1, 0}, {2, 0}, {3, 0}});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->patronage, (std::vector<int64_t>{2, 3, 5}));
}

TEST(SurplusSplitTest, ANonZeroPoolWithoutWeightsHasNoBasis) {
  auto s = SplitSurplus(1000, 0, 6000, {{10, 0}, {0, 0}});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s.status()), "NO_ALLOCATION_BASIS");
  s = SplitSurplus(1000, 0, 10000, {{0, 5}});
  EXPECT_EQ(ReasonOf(s.status()), "NO_ALLOCATION_BASIS");
  // An empty pool needs no basis: all capital-free members, patronage 100 %.
  s = SplitSurplus(1000, 0, 10000, {{10, 0}, {30, 0}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->capital_pool, 0);
  EXPECT_EQ(s->patronage, (std::vector<int64_t>{250, 750}));
  // Nothing to distribute: every part 0, no basis needed.
  s = SplitSurplus(0, 1000, 6000, {{0, 0}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->patronage, (std::vector<int64_t>{0}));
  // Everything into the reserve fund.
  s = SplitSurplus(5000, 10000, 6000, {{0, 0}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->reserve_fund, 5000);
  EXPECT_EQ(s->distributable, 0);
}

TEST(SurplusSplitTest, RandomSplitsSumExactlyAndStayWithinOneFen) {
  std::mt19937_64 rng(20261203);
  for (int round = 0; round < 500; ++round) {
    const int n = 1 + static_cast<int>(rng() % 60);
    const int64_t surplus = static_cast<int64_t>(rng() % 100000000000LL);
    const int32_t reserve = static_cast<int32_t>(rng() % 10001);
    const int32_t patronage = 6000 + static_cast<int32_t>(rng() % 4001);
    std::vector<SurplusWeights> members(n);
    for (auto& m : members) {
      m.transaction_fen = static_cast<int64_t>(rng() % 3 == 0 ? 0 : rng() % 10000000000LL);
      m.capital_and_reserve_fen = static_cast<int64_t>(rng() % 5000000000LL);
    }
    members[0].transaction_fen += 1;  // a basis for each pool
    members[0].capital_and_reserve_fen += 1;
    auto s = SplitSurplus(surplus, reserve, patronage, members);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->reserve_fund + s->distributable, surplus);
    EXPECT_EQ(s->patronage_pool + s->capital_pool, s->distributable);
    // The pools themselves within 1 fen of the exact shares.
    const long double exact_reserve = static_cast<long double>(surplus) * reserve / 10000;
    EXPECT_LE(std::abs(s->reserve_fund - exact_reserve), 1.0L);
    EXPECT_EQ(std::accumulate(s->patronage.begin(), s->patronage.end(), int64_t{0}),
              s->patronage_pool);
    EXPECT_EQ(std::accumulate(s->capital.begin(), s->capital.end(), int64_t{0}), s->capital_pool);
    long double tx_sum = 0, cap_sum = 0;
    for (const auto& m : members) {
      tx_sum += m.transaction_fen;
      cap_sum += m.capital_and_reserve_fen;
    }
    for (int i = 0; i < n; ++i) {
      const long double exact_p =
          static_cast<long double>(s->patronage_pool) * members[i].transaction_fen / tx_sum;
      const long double exact_c =
          static_cast<long double>(s->capital_pool) * members[i].capital_and_reserve_fen / cap_sum;
      EXPECT_LT(std::abs(s->patronage[i] - exact_p), 1.0001L) << "round " << round << " i " << i;
      EXPECT_LT(std::abs(s->capital[i] - exact_c), 1.0001L) << "round " << round << " i " << i;
      EXPECT_GE(s->patronage[i], 0);
      if (members[i].transaction_fen == 0) {
        EXPECT_EQ(s->patronage[i], 0);
      }
    }
  }
}

TEST(FiscalYearTest, EndsInTheEndMonthAndIsNamedByItsEndYear) {
  FiscalYear calendar = FiscalYearOf(2025, 12);
  EXPECT_EQ(calendar.first, CivilDay(2025, 1, 1));
  EXPECT_EQ(calendar.last, CivilDay(2025, 12, 31));
  EXPECT_EQ(calendar.days(), 365);
  FiscalYear june = FiscalYearOf(2024, 6);
  EXPECT_EQ(june.first, CivilDay(2023, 7, 1));
  EXPECT_EQ(june.last, CivilDay(2024, 6, 30));
  EXPECT_EQ(june.days(), 366);  // holds 29 February 2024
  EXPECT_EQ(FiscalYearOf(2024, 2).last, CivilDay(2024, 2, 29));

  EXPECT_EQ(CurrentFiscalYear(CivilDay(2026, 3, 1), 12), 2026);
  EXPECT_EQ(LastEndedFiscalYear(CivilDay(2026, 3, 1), 12), 2025);
  EXPECT_EQ(CurrentFiscalYear(CivilDay(2026, 3, 1), 2), 2027);
  EXPECT_EQ(LastEndedFiscalYear(CivilDay(2026, 3, 1), 2), 2026);
  EXPECT_EQ(LastEndedFiscalYear(CivilDay(2026, 2, 28), 2), 2025);  // ends today: not yet ended
  EXPECT_EQ(LastEndedFiscalYear(CivilDay(2026, 1, 1), 12), 2025);
}

TEST(MemberDaysTest, CountsTheDaysOfMembershipInTheYear) {
  const FiscalYear fy = FiscalYearOf(2025, 12);
  EXPECT_EQ(MemberDays(fy, CivilDay(2020, 5, 1), std::nullopt), 365);
  EXPECT_EQ(MemberDays(fy, CivilDay(2025, 7, 1), std::nullopt), 184);
  EXPECT_EQ(MemberDays(fy, CivilDay(2025, 12, 31), std::nullopt), 1);
  EXPECT_EQ(MemberDays(fy, CivilDay(2026, 1, 1), std::nullopt), 0);
  EXPECT_EQ(MemberDays(fy, CivilDay(2020, 1, 1), CivilDay(2025, 3, 31)), 90);
  EXPECT_EQ(MemberDays(fy, CivilDay(2020, 1, 1), CivilDay(2024, 12, 31)), 0);
  EXPECT_EQ(MemberDays(fy, CivilDay(2025, 1, 1), CivilDay(2025, 1, 1)), 1);
}

TEST(ProrateTest, FloorsTheShareOfTheDays) {
  EXPECT_EQ(Prorate(1000000, 365, 365), 1000000);
  EXPECT_EQ(Prorate(1000000, 184, 365), 504109);  // 504109.589…
  EXPECT_EQ(Prorate(1000000, 0, 365), 0);
  EXPECT_EQ(Prorate(100000000000LL + 1000000000000LL, 364, 365), 1096986301369);
  EXPECT_EQ(Prorate(7, 1, 366), 0);
}

TEST(TransactionAmountsTest, AHouseholdWithOneMemberCountsItsDaysOfMembership) {
  const std::vector<MemberSpan> members = {
      {"m1", "h1", CivilDay(2025, 3, 1), std::nullopt},
      {"m2", "h2", CivilDay(2020, 1, 1), CivilDay(2025, 6, 30)},
      {"m3", "", CivilDay(2020, 1, 1), std::nullopt},
  };
  const std::vector<DaySum> sums = {
      {"h1", CivilDay(2025, 2, 28), 500},   // before m1 joined: not counted
      {"h1", CivilDay(2025, 3, 1), 1000},   // counted
      {"h2", CivilDay(2025, 6, 30), 700},   // m2's last day: counted
      {"h2", CivilDay(2025, 7, 1), 900},    // after m2's exit: not counted
      {"h9", CivilDay(2025, 7, 1), 12345},  // no member's household
  };
  auto amounts = TransactionAmounts(members, sums);
  EXPECT_EQ(amounts["m1"], 1000);
  EXPECT_EQ(amounts["m2"], 700);
  EXPECT_EQ(amounts["m3"], 0);
  EXPECT_EQ(amounts.size(), 3u);
}

TEST(TransactionAmountsTest, MembersOfOneHouseholdShareEquallyWhileTheyBelong) {
  const std::vector<MemberSpan> members = {
      {"mB", "h", CivilDay(2025, 7, 1), std::nullopt},
      {"mA", "h", CivilDay(2020, 1, 1), std::nullopt},
  };
  const std::vector<DaySum> sums = {
      {"h", CivilDay(2025, 2, 1), 400},  // only mA
      {"h", CivilDay(2025, 8, 1), 101},  // both: 51 to mA (lower id), 50 to mB
  };
  auto amounts = TransactionAmounts(members, sums);
  EXPECT_EQ(amounts["mA"], 451);
  EXPECT_EQ(amounts["mB"], 50);
}

TEST(TransactionAmountsTest, ReversalsLowerTheAmountButNeverBelowZero) {
  const std::vector<MemberSpan> members = {{"m", "h", CivilDay(2020, 1, 1), std::nullopt}};
  auto amounts = TransactionAmounts(
      members, {{"h", CivilDay(2025, 1, 5), 1000}, {"h", CivilDay(2025, 2, 5), -300}});
  EXPECT_EQ(amounts["m"], 700);
  amounts = TransactionAmounts(members, {{"h", CivilDay(2025, 2, 5), -300}});
  EXPECT_EQ(amounts["m"], 0);
}

}  // namespace
}  // namespace cooplink::income
