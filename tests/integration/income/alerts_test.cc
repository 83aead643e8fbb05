// Early warning through gRPC against the real MariaDB: each rule fires on its side of its boundary
// and only there, one non-RESOLVED alert per household and kind, recovered set and cleared, a
// resolved alert lets a new one be raised, acknowledge/resolve transitions and replays, a worker
// sees and touches only its villages' alerts, a new threshold re-evaluates its region through the
// review job, and monitoring thresholds' creation and listing.
//
// Today is the fixture's 2026-03-01: the trailing window is 2025-04-01 .. 2026-03-01 and the
// previous one 2024-04-01 .. 2025-03-31. Entries are written straight into the income database
// (the ledger RPCs are built in parallel) and the household evaluated with
// Income::EvaluateAlerts, as a ledger write does.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_format.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "tests/support/income_fixture.h"

namespace cooplink::testing {
namespace {

using absl::CivilDay;

constexpr const char* kCountReviews = "SELECT COUNT(*) AS n FROM alert_reviews WHERE reason = ?";
constexpr const char* kCountRegionReviews =
    "SELECT COUNT(*) AS n FROM alert_reviews WHERE region_code = ?";

class IncomeAlertsTest : public IncomeFixture {
 protected:
  static std::string NewCounty() {
    const int n = NextSequence();
    return absl::StrFormat("45%02d%02d", 10 + n % 89, 10 + (n / 89) % 89);
  }

  void Insert(const std::string& household, int64_t fen, CivilDay day,
              iv1::IncomeKind kind = iv1::INCOME_KIND_WAGE) {
    InsertEntryRow(household, kind, iv1::INCOME_SOURCE_MANUAL, fen, day);
  }

  void Line(const std::string& region, int64_t fen, int year = 2026) {
    CreateLine(region, year, fen);
  }

  // What a ledger write does after changing the household's entries.
  void Evaluate(const std::string& household_id) {
    Principal p;
    p.id = "test";
    p.role = Role::kPlatformAdmin;
    auto facts = income_domain().directory().GetHousehold(CallContext::Internal(p), household_id);
    ASSERT_TRUE(facts.ok()) << facts.status();
    absl::Status s = income_db().Transact(
        [&](Tx& tx) { return income_domain().EvaluateAlerts(tx, *facts, Today(clock_->Now())); });
    ASSERT_TRUE(s.ok()) << s;
  }

  std::vector<iv1::Alert> AlertsOf(const std::string& household_id, const std::string& token = "") {
    iv1::ListAlertsRequest req;
    req.set_household_id(household_id);
    iv1::ListAlertsResponse out;
    grpc::Status s = income().ListAlerts(Ctx(token.empty() ? admin() : token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.alerts().begin(), out.alerts().end()};
  }

  grpc::Status Ack(const std::string& token, const std::string& id, iv1::Alert* out,
                   const std::string& request_id = NewRequestId()) {
    iv1::AcknowledgeAlertRequest req;
    req.set_request_id(request_id);
    req.set_alert_id(id);
    return income().AcknowledgeAlert(Ctx(token).get(), req, out);
  }

  grpc::Status Resolve(const std::string& token, const std::string& id, const std::string& note,
                       iv1::Alert* out, const std::string& request_id = NewRequestId()) {
    iv1::ResolveAlertRequest req;
    req.set_request_id(request_id);
    req.set_alert_id(id);
    req.set_resolution_note(note);
    return income().ResolveAlert(Ctx(token).get(), req, out);
  }

  int64_t Count(const char* sql, const std::string& arg) {
    int64_t n = -1;
    absl::Status s = income_db().Read([&](Tx& tx) {
      auto rs = tx.Query(sql, arg);
      if (rs->next()) n = rs->getInt64("n");
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  // A household of 4 (48 person-months in each window) in a county whose 2026 line is 600,000
  // fen, with `net` in the trailing window.
  mv1::Household BelowLineHousehold(const std::string& county, int64_t net) {
    mv1::Household h = NewHousehold(NewVillage(county), 4);
    Insert(h.id(), net, CivilDay(2025, 6, 1));
    Evaluate(h.id());
    return h;
  }
};

std::vector<iv1::AlertKind> Kinds(const std::vector<iv1::Alert>& alerts) {
  std::vector<iv1::AlertKind> out;
  for (const iv1::Alert& a : alerts) out.push_back(a.kind());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(IncomeAlertsTest, BelowAndNearFireExactlyOnTheirSidesOfEachBoundary) {
  const std::string county = NewCounty();
  Line(county, 600'000);
  // Line × 48 / 12 = 2,400,000: below under it; near up to 2,640,000 (10 %) exclusive.
  struct Case {
    int64_t net;
    std::vector<iv1::AlertKind> kinds;
  };
  for (const Case& c : {Case{2'399'999, {iv1::ALERT_KIND_BELOW_THRESHOLD}},
                        Case{2'400'000, {iv1::ALERT_KIND_NEAR_THRESHOLD}},
                        Case{2'400'001, {iv1::ALERT_KIND_NEAR_THRESHOLD}},
                        Case{2'639'999, {iv1::ALERT_KIND_NEAR_THRESHOLD}}, Case{2'640'000, {}},
                        Case{2'640'001, {}}}) {
    mv1::Household h = BelowLineHousehold(county, c.net);
    std::vector<iv1::Alert> alerts = AlertsOf(h.id());
    EXPECT_EQ(Kinds(alerts), c.kinds) << "net " << c.net;
    for (const iv1::Alert& a : alerts) {
      EXPECT_EQ(a.state(), iv1::ALERT_STATE_OPEN);
      EXPECT_EQ(a.village_code(), h.village_code());
      EXPECT_EQ(a.year(), 2026);
      EXPECT_EQ(a.per_capita_net_income().fen(), c.net / 4);
      EXPECT_EQ(a.threshold_per_capita().fen(), 600'000);
      EXPECT_FALSE(a.has_previous_per_capita_net_income());
      EXPECT_FALSE(a.recovered());
      EXPECT_TRUE(a.has_create_time());
    }
  }
  mv1::Household h = BelowLineHousehold(county, 2'160'000);
  std::vector<iv1::Alert> alerts = AlertsOf(h.id());
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].detail(), "近12个月人均纯收入 5,400.00 元，低于监测线 6,000.00 元");
}

TEST_F(IncomeAlertsTest, NoLineNoDataNoAlert) {
  // A county without a line: even no income raises nothing; a household without any entry in
  // the two windows is not evaluated at all.
  mv1::Household h = BelowLineHousehold(NewCounty(), 1);
  EXPECT_TRUE(AlertsOf(h.id()).empty());
  const std::string county = NewCounty();
  Line(county, 600'000);
  mv1::Household empty = NewHousehold(NewVillage(county), 4);
  Evaluate(empty.id());
  EXPECT_TRUE(AlertsOf(empty.id()).empty());
  // An entry outside both windows is not data either.
  Insert(empty.id(), 5, CivilDay(2024, 3, 31));
  Evaluate(empty.id());
  EXPECT_TRUE(AlertsOf(empty.id()).empty());
}

TEST_F(IncomeAlertsTest, ReEvaluationRaisesNoDuplicateAndRecoveryIsSetAndCleared) {
  const std::string county = NewCounty();
  Line(county, 600'000);
  mv1::Household h = BelowLineHousehold(county, 1'000'000);
  Evaluate(h.id());
  Evaluate(h.id());
  std::vector<iv1::Alert> alerts = AlertsOf(h.id());
  ASSERT_EQ(alerts.size(), 1u);
  const std::string id = alerts[0].id();
  // Into the near band: BELOW neither holds nor has recovered; NEAR is raised.
  Insert(h.id(), 1'500'000, CivilDay(2025, 9, 1));  // 2,500,000
  Evaluate(h.id());
  alerts = AlertsOf(h.id());
  ASSERT_EQ(alerts.size(), 2u);
  for (const iv1::Alert& a : alerts) EXPECT_FALSE(a.recovered()) << a.kind();
  // At line + margin: both recovered, with a time; nothing new.
  Insert(h.id(), 140'000, CivilDay(2025, 9, 2));  // 2,640,000
  Evaluate(h.id());
  alerts = AlertsOf(h.id());
  ASSERT_EQ(alerts.size(), 2u);
  for (const iv1::Alert& a : alerts) {
    EXPECT_TRUE(a.recovered()) << a.kind();
    EXPECT_TRUE(a.has_recover_time()) << a.kind();
    EXPECT_EQ(a.state(), iv1::ALERT_STATE_OPEN);
  }
  // Below again: the same BELOW alert, recovered cleared; NEAR stays recovered.
  Insert(h.id(), -1'000'000, CivilDay(2025, 9, 3));
  Evaluate(h.id());
  alerts = AlertsOf(h.id());
  ASSERT_EQ(alerts.size(), 2u);
  for (const iv1::Alert& a : alerts) {
    if (a.kind() == iv1::ALERT_KIND_BELOW_THRESHOLD) {
      EXPECT_EQ(a.id(), id);
      EXPECT_FALSE(a.recovered());
      EXPECT_FALSE(a.has_recover_time());
    } else {
      EXPECT_TRUE(a.recovered());
    }
  }
}

TEST_F(IncomeAlertsTest, ConcurrentEvaluationsRaiseOneAlert) {
  const std::string county = NewCounty();
  Line(county, 600'000);
  for (int round = 0; round < 5; ++round) {
    mv1::Household h = NewHousehold(NewVillage(county), 4);
    Insert(h.id(), 1, CivilDay(2025, 6, 1));
    Principal p;
    p.id = "test";
    p.role = Role::kPlatformAdmin;
    auto facts = income_domain().directory().GetHousehold(CallContext::Internal(p), h.id());
    ASSERT_TRUE(facts.ok()) << facts.status();
    std::vector<std::thread> threads;
    std::vector<absl::Status> results(4);
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        results[i] = income_db().Transact([&](Tx& tx) {
          return income_domain().EvaluateAlerts(tx, *facts, Today(clock_->Now()));
        });
      });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::Status& r : results) EXPECT_TRUE(r.ok()) << r;
    EXPECT_EQ(AlertsOf(h.id()).size(), 1u) << "round " << round;
  }
}

TEST_F(IncomeAlertsTest, IncomeDropFiresOnlyBeyondTheShareOfAPositivePreviousYear) {
  const std::string county = NewCounty();  // no line: only INCOME_DROP can fire
  // Previous per-capita 1,000,000 (4,000,000 over 48); 20 %: fires below 800,000.
  struct Case {
    int64_t previous, trailing;
    bool fires;
  };
  for (const Case& c :
       {Case{4'000'000, 3'199'996, true}, Case{4'000'000, 3'200'000, false},
        Case{4'000'000, 5'000'000, false}, Case{0, -5'000'000, false}, Case{-400, -1, false}}) {
    mv1::Household h = NewHousehold(NewVillage(county), 4);
    if (c.previous != 0) Insert(h.id(), c.previous, CivilDay(2024, 4, 1));
    Insert(h.id(), c.trailing, CivilDay(2026, 3, 1));
    Evaluate(h.id());
    std::vector<iv1::Alert> alerts = AlertsOf(h.id());
    ASSERT_EQ(alerts.size(), c.fires ? 1u : 0u) << c.previous << " → " << c.trailing;
    if (c.fires) {
      EXPECT_EQ(alerts[0].kind(), iv1::ALERT_KIND_INCOME_DROP);
      EXPECT_EQ(alerts[0].per_capita_net_income().fen(), 799'999);
      EXPECT_EQ(alerts[0].previous_per_capita_net_income().fen(), 1'000'000);
      EXPECT_FALSE(alerts[0].has_threshold_per_capita());
      EXPECT_EQ(
          alerts[0].detail(),
          "近12个月人均纯收入 7,999.99 元，比前12个月的 10,000.00 元下降 20.01%，超过预警幅度 "
          "20%");
      // Recovered once the fall is within the share.
      Insert(h.id(), 4, CivilDay(2026, 2, 1));
      Evaluate(h.id());
      EXPECT_TRUE(AlertsOf(h.id())[0].recovered());
    }
  }
}

TEST_F(IncomeAlertsTest, AcknowledgeAndResolveFollowTheLifecycleAndReplay) {
  const std::string county = NewCounty();
  Line(county, 600'000);
  mv1::Household h = BelowLineHousehold(county, 1);
  std::vector<iv1::Alert> alerts = AlertsOf(h.id());
  ASSERT_EQ(alerts.size(), 1u);
  const std::string id = alerts[0].id();
  WorkerWorld w = NewWorker(h.village_code());

  iv1::Alert acked, replay;
  ASSERT_TRUE(Ack(w.token, id, &acked, "ack-1").ok());
  EXPECT_EQ(acked.state(), iv1::ALERT_STATE_ACKNOWLEDGED);
  EXPECT_FALSE(acked.acknowledged_by().empty());
  EXPECT_TRUE(acked.has_acknowledge_time());
  ASSERT_TRUE(Ack(w.token, id, &replay, "ack-1").ok());
  EXPECT_EQ(replay.SerializeAsString(), acked.SerializeAsString());
  grpc::Status s = Ack(w.token, id, &replay);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");

  iv1::Alert resolved;
  s = Resolve(w.token, id, "   ", &resolved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Resolve(w.token, id, std::string(501, 'x'), &resolved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Resolve(w.token, id, " 入户走访，申请临时救助 ", &resolved, "res-1").ok());
  EXPECT_EQ(resolved.state(), iv1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(resolved.resolution_note(), "入户走访，申请临时救助");
  EXPECT_TRUE(resolved.has_resolve_time());
  EXPECT_EQ(resolved.acknowledged_by(), acked.acknowledged_by());
  ASSERT_TRUE(Resolve(w.token, id, " 入户走访，申请临时救助 ", &replay, "res-1").ok());
  EXPECT_EQ(replay.SerializeAsString(), resolved.SerializeAsString());
  s = Resolve(w.token, id, "again", &replay);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  s = Ack(w.token, id, &replay);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");

  // The rule still holds: a new alert may now be raised beside the resolved one.
  clock_->Advance(absl::Seconds(1));  // so that the new alert's id sorts after the first's
  Evaluate(h.id());
  alerts = AlertsOf(h.id());
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].state(), iv1::ALERT_STATE_OPEN);  // newest first
  EXPECT_EQ(alerts[1].id(), id);
  // An OPEN alert resolves directly.
  ASSERT_TRUE(Resolve(admin(), alerts[0].id(), "已处理", &resolved).ok());
  EXPECT_EQ(resolved.state(), iv1::ALERT_STATE_RESOLVED);
}

TEST_F(IncomeAlertsTest, AWorkerSeesAndTouchesOnlyItsVillagesAlerts) {
  const std::string county = NewCounty();
  Line(county, 600'000);
  mv1::Household a = BelowLineHousehold(county, 1);
  mv1::Household b = BelowLineHousehold(county, 2);
  WorkerWorld wa = NewWorker(a.village_code());
  WorkerWorld wb = NewWorker(b.village_code());
  const std::string b_alert = AlertsOf(b.id())[0].id();

  iv1::ListAlertsRequest req;
  req.set_village_code_prefix(county);
  iv1::ListAlertsResponse out;
  ASSERT_TRUE(income().ListAlerts(Ctx(wa.token).get(), req, &out).ok());
  ASSERT_EQ(out.alerts_size(), 1);
  EXPECT_EQ(out.alerts(0).household_id(), a.id());
  EXPECT_TRUE(AlertsOf(b.id(), wa.token).empty());
  ASSERT_TRUE(income().ListAlerts(Ctx(admin()).get(), req, &out).ok());
  EXPECT_EQ(out.alerts_size(), 2);

  iv1::Alert alert;
  grpc::Status s = Ack(wa.token, b_alert, &alert);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = Resolve(wa.token, b_alert, "n", &alert);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = Ack(wa.token, NewId(absl::Now()), &alert);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Ack(wb.token, b_alert, &alert).ok());

  // A worker with no village sees nothing; other roles may not list.
  WorkerWorld nobody = NewWorker(NewVillage(NewCounty()));
  ASSERT_TRUE(income().ListAlerts(Ctx(nobody.token).get(), iv1::ListAlertsRequest(), &out).ok());
  EXPECT_EQ(out.alerts_size(), 0);
  CoopWorld coop = NewCoop();
  s = income().ListAlerts(Ctx(coop.admin_token).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = income().ListAlerts(Ctx(coop.member_token).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Ack(coop.admin_token, b_alert, &alert);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(IncomeAlertsTest, ListAlertsFiltersAndPagesNewestFirst) {
  const std::string county = NewCounty();
  Line(county, 600'000);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    mv1::Household h = BelowLineHousehold(county, 1 + i);
    ids.push_back(AlertsOf(h.id())[0].id());
  }
  std::sort(ids.rbegin(), ids.rend());
  iv1::ListAlertsRequest req;
  req.set_village_code_prefix(county);
  req.set_kind(iv1::ALERT_KIND_BELOW_THRESHOLD);
  req.set_state(iv1::ALERT_STATE_OPEN);
  req.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    iv1::ListAlertsResponse out;
    ASSERT_TRUE(income().ListAlerts(Ctx(admin()).get(), req, &out).ok());
    for (const iv1::Alert& a : out.alerts()) seen.push_back(a.id());
    if (out.next_page_token().empty()) break;
    req.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(seen, ids);
  req.set_page_token("");
  req.set_kind(iv1::ALERT_KIND_NEAR_THRESHOLD);
  iv1::ListAlertsResponse out;
  ASSERT_TRUE(income().ListAlerts(Ctx(admin()).get(), req, &out).ok());
  EXPECT_EQ(out.alerts_size(), 0);
  req.set_kind(iv1::ALERT_KIND_UNSPECIFIED);
  req.set_state(iv1::ALERT_STATE_RESOLVED);
  ASSERT_TRUE(income().ListAlerts(Ctx(admin()).get(), req, &out).ok());
  EXPECT_EQ(out.alerts_size(), 0);
  req.set_state(iv1::ALERT_STATE_UNSPECIFIED);
  req.set_village_code_prefix("12a");
  EXPECT_EQ(income().ListAlerts(Ctx(admin()).get(), req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_village_code_prefix(std::string(13, '1'));
  EXPECT_EQ(income().ListAlerts(Ctx(admin()).get(), req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IncomeAlertsTest, ANewThresholdReEvaluatesItsRegionThroughTheReviewJob) {
  // A prefecture line reaches the households of its counties; the review is queued with the
  // threshold and deleted once done.
  const std::string county = NewCounty();
  const std::string prefecture = county.substr(0, 4) + "00";
  mv1::Household h = BelowLineHousehold(county, 1'000'000);
  mv1::Household rich = BelowLineHousehold(county, 90'000'000);
  EXPECT_TRUE(AlertsOf(h.id()).empty());  // no line yet
  // A line of another year changes nothing for today.
  Line(prefecture, 600'000, 2025);
  Line(prefecture, 600'000);
  EXPECT_EQ(Count(kCountRegionReviews, prefecture), 2);
  absl::StatusOr<int> evaluated = income_domain().RunAlertReviews();
  ASSERT_TRUE(evaluated.ok()) << evaluated.status();
  EXPECT_GE(*evaluated, 2);
  EXPECT_EQ(Count(kCountRegionReviews, prefecture), 0);
  EXPECT_EQ(Kinds(AlertsOf(h.id())), std::vector<iv1::AlertKind>{iv1::ALERT_KIND_BELOW_THRESHOLD});
  EXPECT_TRUE(AlertsOf(rich.id()).empty());
  // Nothing queued: nothing to do.
  evaluated = income_domain().RunAlertReviews();
  ASSERT_TRUE(evaluated.ok());
  EXPECT_EQ(*evaluated, 0);
}

TEST_F(IncomeAlertsTest, TheDailyReviewIsQueuedOnce) {
  ASSERT_TRUE(income_domain().QueueDailyReview().ok());
  ASSERT_TRUE(income_domain().QueueDailyReview().ok());
  EXPECT_EQ(Count(kCountReviews, "daily"), 1);
  for (int i = 0; i < 100 && Count(kCountReviews, "daily") > 0; ++i) {
    ASSERT_TRUE(income_domain().RunAlertReviews().ok());
  }
  EXPECT_EQ(Count(kCountReviews, "daily"), 0);
}

TEST_F(IncomeAlertsTest, ThresholdsAreValidatedUniqueAndListedByRegionAndYear) {
  auto create = [&](const std::string& token, const std::string& region, int year, int64_t fen,
                    const std::string& doc, iv1::MonitoringThreshold* out,
                    const std::string& request_id = NewRequestId()) {
    iv1::CreateMonitoringThresholdRequest req;
    req.set_request_id(request_id);
    req.mutable_threshold()->set_region_code(region);
    req.mutable_threshold()->set_year(year);
    req.mutable_threshold()->mutable_amount_per_capita()->set_fen(fen);
    req.mutable_threshold()->set_source_document(doc);
    return income().CreateMonitoringThreshold(Ctx(token).get(), req, out);
  };
  const std::string county = NewCounty();
  const std::string prov = county.substr(0, 2) + "0000";
  iv1::MonitoringThreshold t, again;
  ASSERT_TRUE(create(admin(), county, 2030, 700'000, "国乡振发〔2030〕1号", &t, "thr-1").ok());
  EXPECT_EQ(t.region_code(), county);
  EXPECT_EQ(t.year(), 2030);
  EXPECT_FALSE(t.created_by().empty());
  ASSERT_TRUE(create(admin(), county, 2030, 700'000, "国乡振发〔2030〕1号", &again, "thr-1").ok());
  EXPECT_EQ(again.id(), t.id());
  grpc::Status s = create(admin(), county, 2030, 1, "another", &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReason(s), "ALREADY_EXISTS");
  for (const char* bad : {"530028", "000100", "53082", "53082a"}) {
    EXPECT_EQ(create(admin(), bad, 2030, 1, "d", &again).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << bad;
  }
  EXPECT_EQ(create(admin(), county, 2019, 1, "d", &again).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create(admin(), county, 2101, 1, "d", &again).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create(admin(), county, 2031, 0, "d", &again).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create(admin(), county, 2031, 1, "", &again).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create(admin(), county, 2031, 1, std::string(501, 'x'), &again).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(create(admin(), county, 2020, 1, std::string(500, 'x'), &again).ok());
  ASSERT_TRUE(create(admin(), county, 2100, 1, "d", &again).ok());
  ASSERT_TRUE(create(admin(), prov, 2030, 650'000, "d", &again).ok());
  WorkerWorld w = NewWorker(NewVillage(county));
  s = create(w.token, county, 2040, 1, "d", &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");

  // Listed by (region_code, year), a page at a time, by a worker too.
  iv1::ListMonitoringThresholdsRequest req;
  req.set_region_code_prefix(county.substr(0, 2));
  req.set_page_size(1);
  std::vector<std::string> seen;
  for (int page = 0; page < 50; ++page) {
    iv1::ListMonitoringThresholdsResponse out;
    s = income().ListMonitoringThresholds(Ctx(w.token).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& x : out.thresholds()) {
      if (x.region_code() == county || x.region_code() == prov) {
        seen.push_back(absl::StrCat(x.region_code(), "/", x.year()));
      }
    }
    if (out.next_page_token().empty()) break;
    req.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{absl::StrCat(prov, "/2030"), county + "/2020",
                                            county + "/2030", county + "/2100"}));
  iv1::ListMonitoringThresholdsRequest by_year;
  by_year.set_region_code_prefix(county);
  by_year.set_year(2030);
  iv1::ListMonitoringThresholdsResponse out;
  ASSERT_TRUE(income().ListMonitoringThresholds(Ctx(admin()).get(), by_year, &out).ok());
  ASSERT_EQ(out.thresholds_size(), 1);
  EXPECT_EQ(out.thresholds(0).id(), t.id());
  by_year.set_region_code_prefix("1234567");
  EXPECT_EQ(income().ListMonitoringThresholds(Ctx(admin()).get(), by_year, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  by_year.set_region_code_prefix(county);
  by_year.set_year(2019);
  ASSERT_TRUE(income().ListMonitoringThresholds(Ctx(admin()).get(), by_year, &out).ok());
  EXPECT_EQ(out.thresholds_size(), 0);
  s = income().ListMonitoringThresholds(Ctx(NewPartner().token).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace cooplink::testing
