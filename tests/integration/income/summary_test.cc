// Household income summaries and baselines through gRPC against the real MariaDB: hand-computed
// households (components, per-capita rounding, person-months from membership's size history),
// the most specific monitoring line, baselines and their gain, scope and validation, and
// "replaying a household's ledger reproduces every summary".
//
// Entries are written straight into the income database (EntryWriter below) while the ledger RPCs
// are built in parallel; the summary reads the table the ledger writes.
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_format.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/income/income_rules.h"
#include "tests/support/income_fixture.h"

namespace cooplink::testing {
namespace {

using absl::CivilDay;
using income::IncomeComponents;
using income::LedgerAmount;

constexpr const char* kSelectEntries =
    "SELECT kind, amount_fen, occurred_date, source, support_source_id FROM income_entries "
    "WHERE household_id = ? ORDER BY occurred_date, id";

class IncomeSummaryTest : public IncomeFixture {
 protected:
  // A fresh county of Yunnan (53), so each test's lines are its own.
  static std::string NewCounty() {
    const int n = NextSequence();
    return absl::StrFormat("53%02d%02d", 10 + n % 89, 10 + (n / 89) % 89);
  }

  void Insert(const std::string& household, iv1::IncomeKind kind, int64_t fen, CivilDay day,
              iv1::IncomeSource source = iv1::INCOME_SOURCE_MANUAL,
              std::optional<std::string> support = std::nullopt) {
    InsertEntryRow(household, kind, source, fen, day, "", support.value_or(""));
  }

  iv1::MonitoringThreshold Line(const std::string& region, int year, int64_t fen) {
    return CreateLine(region, year, fen);
  }

  grpc::Status Summary(const std::string& token, const std::string& household, int year,
                       bool trailing, iv1::HouseholdIncomeSummary* out) {
    iv1::GetHouseholdIncomeSummaryRequest req;
    req.set_household_id(household);
    req.set_year(year);
    req.set_trailing_12_months(trailing);
    return income().GetHouseholdIncomeSummary(Ctx(token).get(), req, out);
  }

  iv1::HouseholdIncomeSummary SummaryOk(const std::string& household, int year,
                                        bool trailing = false) {
    iv1::HouseholdIncomeSummary out;
    grpc::Status s = Summary(admin(), household, year, trailing, &out);
    EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    return out;
  }

  grpc::Status SetBaseline(const std::string& token, const std::string& request_id,
                           const std::string& household, int year, int64_t fen,
                           const std::string& note, iv1::HouseholdBaseline* out) {
    iv1::SetHouseholdBaselineRequest req;
    req.set_request_id(request_id);
    req.mutable_baseline()->set_household_id(household);
    req.mutable_baseline()->set_year(year);
    req.mutable_baseline()->mutable_per_capita_net_income()->set_fen(fen);
    req.mutable_baseline()->set_source_note(note);
    return income().SetHouseholdBaseline(Ctx(token).get(), req, out);
  }

  grpc::Status SetSize(const std::string& id, int size, CivilDay effective) {
    mv1::UpdateHouseholdRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_household()->set_id(id);
    req.mutable_household()->set_resident_size(size);
    req.mutable_update_mask()->add_paths("resident_size");
    *req.mutable_resident_size_effective_date() = ToDate(effective);
    mv1::Household out;
    return members().UpdateHousehold(Ctx(admin()).get(), req, &out);
  }

  // The household's ledger as the pure rules read it (what a replay starts from).
  std::vector<LedgerAmount> Ledger(const std::string& household) {
    std::vector<LedgerAmount> out;
    absl::Status s = income_db().Read([&](Tx& tx) {
      auto rs = tx.Query(kSelectEntries, household);
      while (rs->next()) {
        LedgerAmount e;
        e.kind = static_cast<iv1::IncomeKind>(rs->getInt("kind"));
        e.amount_fen = rs->getInt64("amount_fen");
        e.occurred = CivilFromSql(rs->getString("occurred_date"));
        e.source = static_cast<iv1::IncomeSource>(rs->getInt("source"));
        e.has_support_source = GetOptionalString(*rs, "support_source_id").has_value();
        out.push_back(e);
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }
};

// Sets the fake clock for a block and restores it.
class ClockAt {
 public:
  ClockAt(FakeClock* clock, absl::Time t) : clock_(clock), saved_(clock->Now()) { clock->Set(t); }
  ~ClockAt() { clock_->Set(saved_); }

 private:
  FakeClock* clock_;
  absl::Time saved_;
};

absl::Time ChinaNoon(CivilDay d) {
  return absl::FromCivil(absl::CivilSecond(d.year(), d.month(), d.day(), 12, 0, 0),
                         absl::FixedTimeZone(8 * 3600));
}

TEST_F(IncomeSummaryTest, AHandComputedYearCountsEveryComponentAndComparesWithItsLine) {
  const std::string county = NewCounty();
  mv1::Household h = NewHousehold(NewVillage(county), 4);
  const iv1::MonitoringThreshold line = Line(county, 2025, 600'000);
  Insert(h.id(), iv1::INCOME_KIND_WAGE, 1'000'000, CivilDay(2025, 2, 1));
  Insert(h.id(), iv1::INCOME_KIND_WAGE, -100'000, CivilDay(2025, 2, 1));  // a reversal
  Insert(h.id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS, 1'000'000, CivilDay(2025, 5, 5),
         iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT);
  Insert(h.id(), iv1::INCOME_KIND_TRANSFER, 200'000, CivilDay(2025, 7, 7),
         iv1::INCOME_SOURCE_MANUAL, NewId(absl::Now()));
  Insert(h.id(), iv1::INCOME_KIND_PROPERTY, 50'000, CivilDay(2025, 12, 31));
  Insert(h.id(), iv1::INCOME_KIND_PRODUCTION_COST, 90'000, CivilDay(2025, 1, 1));
  Insert(h.id(), iv1::INCOME_KIND_WAGE, 7'777'777, CivilDay(2024, 12, 31));  // another year

  iv1::HouseholdIncomeSummary s = SummaryOk(h.id(), 2025);
  EXPECT_EQ(s.household_id(), h.id());
  EXPECT_EQ(s.year(), 2025);
  EXPECT_EQ(s.resident_size(), 4);
  EXPECT_EQ(s.resident_person_months(), 48);
  EXPECT_EQ(s.wage_income().fen(), 900'000);
  EXPECT_EQ(s.production_business_income().fen(), 1'000'000);
  EXPECT_EQ(s.property_income().fen(), 50'000);
  EXPECT_EQ(s.transfer_income().fen(), 200'000);
  EXPECT_EQ(s.production_cost().fen(), 90'000);
  EXPECT_EQ(s.net_income().fen(), 2'060'000);
  EXPECT_EQ(s.per_capita_net_income().fen(), 515'000);
  EXPECT_EQ(s.marketplace_income().fen(), 1'000'000);
  EXPECT_EQ(s.supported_income().fen(), 200'000);
  EXPECT_EQ(s.entry_count(), 6);
  EXPECT_EQ(s.threshold_per_capita().fen(), 600'000);
  EXPECT_EQ(s.threshold_id(), line.id());
  EXPECT_TRUE(s.below_threshold());
  EXPECT_FALSE(s.near_threshold());
  EXPECT_EQ(s.start_date().year(), 2025);
  EXPECT_EQ(s.start_date().month(), 1);
  EXPECT_EQ(s.end_date().month(), 12);
  EXPECT_EQ(s.end_date().day(), 31);
  EXPECT_TRUE(s.has_compute_time());
  EXPECT_FALSE(s.has_baseline());
  EXPECT_FALSE(s.has_gain_over_baseline());
  EXPECT_EQ(s.gain_over_baseline_bps(), 0);

  // Without entries and without a line: zeros, no threshold.
  iv1::HouseholdIncomeSummary empty = SummaryOk(h.id(), 2023);
  EXPECT_EQ(empty.net_income().fen(), 0);
  EXPECT_EQ(empty.entry_count(), 0);
  EXPECT_FALSE(empty.has_threshold_per_capita());
  EXPECT_EQ(empty.threshold_id(), "");
  EXPECT_FALSE(empty.below_threshold());
}

TEST_F(IncomeSummaryTest, TheTrailingTwelveMonthsEndTodayAndUseTodaysYearLine) {
  // The fixture's today is 2026-03-01: the window is 2025-04-01 .. 2026-03-01.
  const std::string county = NewCounty();
  mv1::Household h = NewHousehold(NewVillage(county), 4);
  Line(county, 2026, 300'000);
  Insert(h.id(), iv1::INCOME_KIND_WAGE, 5'000'000, CivilDay(2025, 3, 31));  // before the window
  Insert(h.id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS, 1'000'000, CivilDay(2025, 4, 1));
  Insert(h.id(), iv1::INCOME_KIND_TRANSFER, 200'000, CivilDay(2025, 7, 7));
  Insert(h.id(), iv1::INCOME_KIND_WAGE, 12'000, CivilDay(2026, 3, 1));
  iv1::HouseholdIncomeSummary s = SummaryOk(h.id(), 0, /*trailing=*/true);
  EXPECT_EQ(s.start_date().year(), 2025);
  EXPECT_EQ(s.start_date().month(), 4);
  EXPECT_EQ(s.start_date().day(), 1);
  EXPECT_EQ(s.end_date().year(), 2026);
  EXPECT_EQ(s.end_date().month(), 3);
  EXPECT_EQ(s.end_date().day(), 1);
  EXPECT_EQ(s.year(), 2026);
  EXPECT_EQ(s.net_income().fen(), 1'212'000);
  EXPECT_EQ(s.entry_count(), 3);
  EXPECT_EQ(s.resident_person_months(), 48);
  EXPECT_EQ(s.per_capita_net_income().fen(), 303'000);
  EXPECT_EQ(s.threshold_per_capita().fen(), 300'000);
  // 1,212,000 × 12 × 10000 < 300,000 × 48 × 11000: within 10 % above the line.
  EXPECT_FALSE(s.below_threshold());
  EXPECT_TRUE(s.near_threshold());
}

TEST_F(IncomeSummaryTest, NegativeNetIncomeRoundsDown) {
  mv1::Household h = NewHousehold(NewVillage(NewCounty()), 3);
  Insert(h.id(), iv1::INCOME_KIND_PRODUCTION_COST, 1'000'000, CivilDay(2025, 6, 1));
  iv1::HouseholdIncomeSummary s = SummaryOk(h.id(), 2025);
  EXPECT_EQ(s.net_income().fen(), -1'000'000);
  EXPECT_EQ(s.resident_person_months(), 36);
  EXPECT_EQ(s.per_capita_net_income().fen(), -333'334);  // -333,333.33… down
}

TEST_F(IncomeSummaryTest, TheMostSpecificLineWins) {
  // Guizhou (52) in 2021: national, province, prefecture 5201 and county 520102 lines.
  Line("000000", 2021, 400'000);
  Line("520000", 2021, 450'000);
  Line("520100", 2021, 500'000);
  Line("520102", 2021, 550'000);
  struct Case {
    std::string county;
    int64_t expected;
  };
  for (const Case& c : {Case{"520102", 550'000}, Case{"520103", 500'000}, Case{"520201", 450'000},
                        Case{"110101", 400'000}}) {
    mv1::Household h = NewHousehold(NewVillage(c.county), 2);
    iv1::HouseholdIncomeSummary s = SummaryOk(h.id(), 2021);
    EXPECT_EQ(s.threshold_per_capita().fen(), c.expected) << c.county;
    EXPECT_TRUE(s.below_threshold()) << c.county;  // no income at all
  }
  // Another year has none of them.
  mv1::Household h = NewHousehold(NewVillage("520102"), 2);
  EXPECT_FALSE(SummaryOk(h.id(), 2022).has_threshold_per_capita());
}

TEST_F(IncomeSummaryTest, ASizeChangeCountsOnlyFromTheMonthAfterItOrFromItsFirst) {
  const std::string county = NewCounty();
  mv1::Household mid, first;
  {
    ClockAt at(clock_, ChinaNoon(CivilDay(2026, 2, 10)));
    mid = NewHousehold(NewVillage(county), 4);
    first = NewHousehold(NewVillage(county), 4);
  }
  // 4 → 5 from 2026-02-20: February still counts 4, March on 5.
  grpc::Status s = SetSize(mid.id(), 5, CivilDay(2026, 2, 20));
  ASSERT_TRUE(s.ok()) << s.error_message();
  // 4 → 2 from 2026-03-01 (a 1st): March counts 2.
  s = SetSize(first.id(), 2, CivilDay(2026, 3, 1));
  ASSERT_TRUE(s.ok()) << s.error_message();
  Insert(mid.id(), iv1::INCOME_KIND_WAGE, 2'900'000, CivilDay(2026, 1, 15));
  Insert(first.id(), iv1::INCOME_KIND_WAGE, 1'400'000, CivilDay(2026, 1, 15));

  iv1::HouseholdIncomeSummary m = SummaryOk(mid.id(), 2026);
  EXPECT_EQ(m.resident_person_months(), 2 * 4 + 10 * 5);            // 58
  EXPECT_EQ(m.per_capita_net_income().fen(), 2'900'000 * 12 / 58);  // 600,000
  EXPECT_EQ(m.resident_size(), 5);
  // The year before is untouched by the change.
  EXPECT_EQ(SummaryOk(mid.id(), 2025).resident_person_months(), 48);

  iv1::HouseholdIncomeSummary f = SummaryOk(first.id(), 2026);
  EXPECT_EQ(f.resident_person_months(), 2 * 4 + 10 * 2);  // 28
  EXPECT_EQ(f.per_capita_net_income().fen(), 600'000);
  EXPECT_EQ(f.resident_size(), 2);
  // Trailing (2025-04 .. 2026-03): eleven months of 4 and March of 2.
  iv1::HouseholdIncomeSummary t = SummaryOk(first.id(), 0, /*trailing=*/true);
  EXPECT_EQ(t.resident_person_months(), 11 * 4 + 2);            // 46
  EXPECT_EQ(t.per_capita_net_income().fen(), 16'800'000 / 46);  // 365,217.39… → 365,217
  EXPECT_EQ(t.resident_size(), 2);
}

TEST_F(IncomeSummaryTest, BaselinesAreSetReplayedReplacedAndGiveTheGain) {
  mv1::Household h = NewHousehold(NewVillage(NewCounty()), 4);
  Insert(h.id(), iv1::INCOME_KIND_WAGE, 2'060'000, CivilDay(2025, 3, 3));
  iv1::HouseholdBaseline first;
  grpc::Status s =
      SetBaseline(admin(), "baseline-1", h.id(), 2024, 400'000, " 入户调查 2024-11 ", &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.source_note(), "入户调查 2024-11");
  EXPECT_FALSE(first.set_by().empty());
  EXPECT_TRUE(first.has_set_time());
  // The same request again: the same reply.
  iv1::HouseholdBaseline again;
  ASSERT_TRUE(
      SetBaseline(admin(), "baseline-1", h.id(), 2024, 400'000, " 入户调查 2024-11 ", &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  // The same request_id with another figure: REQUEST_ID_REUSED.
  s = SetBaseline(admin(), "baseline-1", h.id(), 2024, 1, "x", &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");

  iv1::HouseholdIncomeSummary sum = SummaryOk(h.id(), 2025);
  EXPECT_EQ(sum.per_capita_net_income().fen(), 515'000);
  EXPECT_EQ(sum.baseline().per_capita_net_income().fen(), 400'000);
  EXPECT_EQ(sum.gain_over_baseline().fen(), 115'000);
  EXPECT_EQ(sum.gain_over_baseline_bps(), 2875);

  // A worker of the village replaces it; a negative baseline has no percentage.
  WorkerWorld w = NewWorker(h.village_code());
  iv1::HouseholdBaseline second;
  ASSERT_TRUE(SetBaseline(w.token, NewRequestId(), h.id(), 2023, -10'000, "重填", &second).ok());
  EXPECT_NE(second.set_by(), first.set_by());
  sum = SummaryOk(h.id(), 2025);
  EXPECT_EQ(sum.baseline().year(), 2023);
  EXPECT_EQ(sum.gain_over_baseline().fen(), 525'000);
  EXPECT_EQ(sum.gain_over_baseline_bps(), 0);
}

TEST_F(IncomeSummaryTest, BaselineFieldsRolesAndScope) {
  mv1::Household h = NewHousehold(NewVillage(NewCounty()), 4);
  iv1::HouseholdBaseline out;
  auto expect_bad = [&](int year, int64_t fen, const std::string& note, const char* field) {
    grpc::Status s = SetBaseline(admin(), NewRequestId(), h.id(), year, fen, note, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_NE(s.error_message().find(field), std::string::npos) << s.error_message();
  };
  expect_bad(1999, 1, "n", "baseline.year");
  expect_bad(2026, 1, "n", "baseline.year");  // the current year is not "before"
  expect_bad(2025, 100'000'001, "n", "baseline.per_capita_net_income");
  expect_bad(2025, -100'000'001, "n", "baseline.per_capita_net_income");
  expect_bad(2025, 1, "   ", "baseline.source_note");
  expect_bad(2025, 1, std::string(201, 'x'), "baseline.source_note");
  EXPECT_TRUE(
      SetBaseline(admin(), NewRequestId(), h.id(), 2000, 100'000'000, std::string(200, 'x'), &out)
          .ok());
  EXPECT_TRUE(SetBaseline(admin(), NewRequestId(), h.id(), 2025, -100'000'000, "n", &out).ok());

  WorkerWorld stranger = NewWorker(NewVillage(NewCounty()));
  grpc::Status s = SetBaseline(stranger.token, NewRequestId(), h.id(), 2025, 1, "n", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  CoopWorld coop = NewCoop();
  s = SetBaseline(coop.admin_token, NewRequestId(), h.id(), 2025, 1, "n", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  s = SetBaseline(admin(), NewRequestId(), NewId(absl::Now()), 2025, 1, "n", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(IncomeSummaryTest, SummaryScopeAndValidation) {
  mv1::Household h = NewHousehold(NewVillage(NewCounty()), 4);
  iv1::HouseholdIncomeSummary out;
  // Year XOR trailing, 2000 .. the current year.
  EXPECT_EQ(Summary(admin(), h.id(), 1999, false, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Summary(admin(), h.id(), 2027, false, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Summary(admin(), h.id(), 0, false, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Summary(admin(), h.id(), 2026, true, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Summary(admin(), h.id(), 2000, false, &out).ok());
  EXPECT_TRUE(Summary(admin(), h.id(), 2026, false, &out).ok());
  EXPECT_EQ(Summary(admin(), "bad", 2026, false, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A household that does not exist, and one outside a worker's villages: NOT_FOUND alike.
  EXPECT_EQ(Summary(admin(), NewId(absl::Now()), 2026, false, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  WorkerWorld own = NewWorker(h.village_code());
  EXPECT_TRUE(Summary(own.token, h.id(), 2026, false, &out).ok());
  WorkerWorld stranger = NewWorker(NewVillage(NewCounty()));
  grpc::Status s = Summary(stranger.token, h.id(), 2026, false, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ErrorReason(s), "NOT_FOUND");
  // A member reads its own household only; a cooperative admin and a partner never.
  CoopWorld coop = NewCoop();
  EXPECT_TRUE(Summary(coop.member_token, coop.household.id(), 2026, false, &out).ok());
  EXPECT_EQ(Summary(coop.member_token, h.id(), 2026, false, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  s = Summary(coop.admin_token, coop.household.id(), 2026, false, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  s = Summary(NewPartner().token, h.id(), 2026, false, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(IncomeSummaryTest, ReplayingAHouseholdsLedgerReproducesEverySummary) {
  const std::string county = NewCounty();
  Line(county, 2025, 500'000);
  Line(county, 2026, 520'000);
  std::mt19937_64 rng(20261203);
  const iv1::IncomeKind kinds[] = {iv1::INCOME_KIND_WAGE, iv1::INCOME_KIND_PRODUCTION_BUSINESS,
                                   iv1::INCOME_KIND_PROPERTY, iv1::INCOME_KIND_TRANSFER,
                                   iv1::INCOME_KIND_PRODUCTION_COST};
  for (int household = 0; household < 4; ++household) {
    mv1::Household h = NewHousehold(NewVillage(county), 1 + household);
    for (int i = 0; i < 25; ++i) {
      const CivilDay day = CivilDay(2024, 6, 1) + static_cast<int>(rng() % 639);  // to 2026-03-01
      int64_t fen = 1 + static_cast<int64_t>(rng() % 800'000);
      if (rng() % 7 == 0) fen = -fen;  // a reversal
      Insert(h.id(), kinds[rng() % 5], fen, day,
             rng() % 3 == 0 ? iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT : iv1::INCOME_SOURCE_MANUAL,
             rng() % 4 == 0 ? std::optional<std::string>(NewId(absl::Now())) : std::nullopt);
    }
    const std::vector<LedgerAmount> ledger = Ledger(h.id());
    ASSERT_EQ(ledger.size(), 25u);
    const std::vector<income::SizePeriod> sizes = {{CivilDay(2026, 3, 1), 1 + household}};
    for (int year : {2024, 2025, 2026, 0}) {
      const bool trailing = year == 0;
      const income::Period period =
          trailing ? income::Trailing12Months(CivilDay(2026, 3, 1)) : income::CalendarYear(year);
      const IncomeComponents c = income::SumComponents(ledger, period);
      const int64_t pm = income::ResidentPersonMonths(sizes, period);
      iv1::HouseholdIncomeSummary s = SummaryOk(h.id(), year, trailing);
      SCOPED_TRACE(absl::StrCat("household ", household, " year ", year));
      EXPECT_EQ(s.wage_income().fen(), c.wage);
      EXPECT_EQ(s.production_business_income().fen(), c.production_business);
      EXPECT_EQ(s.property_income().fen(), c.property);
      EXPECT_EQ(s.transfer_income().fen(), c.transfer);
      EXPECT_EQ(s.production_cost().fen(), c.production_cost);
      EXPECT_EQ(s.net_income().fen(), c.net);
      EXPECT_EQ(s.marketplace_income().fen(), c.marketplace);
      EXPECT_EQ(s.supported_income().fen(), c.supported);
      EXPECT_EQ(s.entry_count(), c.count);
      EXPECT_EQ(s.resident_person_months(), pm);
      EXPECT_EQ(s.per_capita_net_income().fen(), income::PerCapita(c.net, pm));
      if (period.last.year() == 2024) {
        EXPECT_FALSE(s.has_threshold_per_capita());
      } else {
        const int64_t line = period.last.year() == 2025 ? 500'000 : 520'000;
        EXPECT_EQ(s.threshold_per_capita().fen(), line);
        EXPECT_EQ(s.below_threshold(), income::Below(c.net, pm, line));
        EXPECT_EQ(s.near_threshold(), income::Near(c.net, pm, line, 1000));
      }
    }
  }
}

}  // namespace
}  // namespace cooplink::testing
