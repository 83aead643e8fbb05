// Alert evaluation: one household's alerts re-evaluated inside the caller's transaction
// (EvaluateAlerts, called by every ledger write and by the review job), and the review job that
// re-evaluates a region's households after a threshold is created and every day (so a year's turn
// and the trailing window's move are seen).
//
// The review job first re-evaluates the households the settlement importer queued
// (household_alert_reviews, import_store.h), then takes queued region reviews (alert_reviews)
// oldest first, lists the region's households
// from membership OUTSIDE any transaction, evaluates each household in its own transaction and
// stores its resume point (after_household_id) after each batch; a finished review is deleted.
// Several replicas may run it at once: a household evaluated twice changes nothing the second
// time (the open_key uniqueness and the row locks of EvaluateAlerts).
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/common/log.h"
#include "services/income/alert_rules.h"
#include "services/income/alert_store.h"
#include "services/income/import_store.h"
#include "services/income/income.h"
#include "services/income/income_rules.h"
#include "services/income/threshold_store.h"

#include <algorithm>

namespace cooplink::income {
namespace {

// The most households one review lists from membership (the directory's own paging bound).
constexpr int kMaxReviewHouseholds = 1'000'000;
constexpr char kNationalRegion[] = "000000";
constexpr char kDailyReason[] = "daily";

v1::Alert NewAlert(const HouseholdFacts& household, const AlertFinding& f, absl::CivilDay today,
                   absl::Time now) {
  v1::Alert a;
  a.set_id(NewId(now));
  a.set_household_id(household.id);
  a.set_village_code(household.village_code);
  a.set_kind(f.kind);
  a.set_year(static_cast<int32_t>(today.year()));
  a.set_state(v1::ALERT_STATE_OPEN);
  a.mutable_per_capita_net_income()->set_fen(f.per_capita_fen);
  if (f.kind != v1::ALERT_KIND_INCOME_DROP && f.threshold_fen) {
    a.mutable_threshold_per_capita()->set_fen(*f.threshold_fen);
  }
  if (f.kind == v1::ALERT_KIND_INCOME_DROP && f.previous_per_capita_fen) {
    a.mutable_previous_per_capita_net_income()->set_fen(*f.previous_per_capita_fen);
  }
  a.set_detail(f.detail);
  return a;
}

}  // namespace

absl::Status Income::EvaluateAlerts(Tx& tx, const HouseholdFacts& household, absl::CivilDay today) {
  // Lock first: what decides the write is read after the lock.
  std::vector<v1::Alert> open = LockOpenAlerts(tx, household.id);
  const Period trailing = Trailing12Months(today);
  const Period previous = Previous12Months(today);
  const std::vector<LedgerAmount> amounts =
      LoadLedgerAmounts(tx, household.id, previous.first, trailing.last);
  // No entry in either window: no data is not "no income"; nothing is raised or changed.
  if (amounts.empty()) return absl::OkStatus();

  AlertInputs in;
  in.net_fen = SumComponents(amounts, trailing).net;
  in.person_months = ResidentPersonMonths(household.sizes, trailing);
  in.previous_net_fen = SumComponents(amounts, previous).net;
  in.previous_person_months = ResidentPersonMonths(household.sizes, previous);
  const int32_t year = static_cast<int32_t>(today.year());
  const std::vector<ThresholdCandidate> lines =
      LoadThresholdCandidates(tx, RegionChain(household.village_code), year);
  if (auto line = ChooseThreshold(household.village_code, year, lines)) {
    in.line_fen = line->amount_fen;
  }
  in.near_margin_bps = settings_.near_margin_bps;
  in.drop_share_bps = settings_.drop_share_bps;

  const absl::Time now = clock_->Now();
  const int64_t now_us = ToMicros(now);
  for (const AlertFinding& f : EvaluateAlertRules(in)) {
    auto existing = std::find_if(open.begin(), open.end(),
                                 [&](const v1::Alert& a) { return a.kind() == f.kind; });
    if (f.holds) {
      if (existing == open.end()) {
        InsertAlert(tx, NewAlert(household, f, today, now), OpenKey(household.id, f.kind), now_us);
      } else if (existing->recovered()) {
        SetAlertRecovered(tx, existing->id(), false, now_us);
      }
    } else if (f.recovered && existing != open.end() && !existing->recovered()) {
      SetAlertRecovered(tx, existing->id(), true, now_us);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Income::RunAlertReviews() {
  Principal self;
  self.id = "income.alert-review";
  self.role = Role::kPlatformAdmin;
  const CallContext call = CallContext::Internal(self);
  int evaluated = 0;
  // First the households the settlement importer queued (household_alert_reviews): their facts
  // come from membership here, outside any transaction.
  std::vector<HouseholdReview> queued;
  if (absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
        queued = LoadHouseholdReviews(tx, settings_.review_batch);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  const absl::CivilDay review_day = Today(clock_->Now());
  for (const HouseholdReview& r : queued) {
    absl::StatusOr<HouseholdFacts> facts = directory_->GetHousehold(call, r.household_id);
    if (!facts.ok() && facts.status().code() != absl::StatusCode::kNotFound) return facts.status();
    absl::Status s = db_->Transact([&](Tx& tx) -> absl::Status {
      if (!LockHouseholdReview(tx, r.household_id)) return absl::OkStatus();  // another runner
      if (facts.ok()) {
        if (absl::Status e = EvaluateAlerts(tx, *facts, review_day); !e.ok()) return e;
      }
      DeleteHouseholdReview(tx, r.household_id);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    ++evaluated;
  }
  while (evaluated < settings_.review_batch) {
    std::optional<AlertReview> review;
    if (absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
          review = FirstReview(tx);
          return absl::OkStatus();
        });
        !s.ok()) {
      return s;
    }
    if (!review) break;
    auto households = directory_->ListHouseholds(call, VillagePrefixOf(review->region_code), "",
                                                 kMaxReviewHouseholds);
    if (!households.ok()) return households.status();
    std::sort(households->begin(), households->end(),
              [](const HouseholdFacts& a, const HouseholdFacts& b) { return a.id < b.id; });
    const absl::CivilDay today = Today(clock_->Now());
    std::string last = review->after_household_id;
    bool done = true;
    for (const HouseholdFacts& h : *households) {
      if (h.id <= review->after_household_id) continue;
      if (evaluated >= settings_.review_batch) {
        done = false;
        break;
      }
      if (absl::Status s = db_->Transact([&](Tx& tx) { return EvaluateAlerts(tx, h, today); });
          !s.ok()) {
        done = false;
        LogWarn("alert review: evaluating a household failed",
                {{"household_id", h.id}, {"status", s.ToString()}});
        break;
      }
      ++evaluated;
      last = h.id;
    }
    const std::string id = review->id;
    absl::Status s = db_->Transact([&](Tx& tx) -> absl::Status {
      if (!LockReview(tx, id)) return absl::OkStatus();  // another runner finished it
      if (done) {
        DeleteReview(tx, id);
      } else {
        AdvanceReview(tx, id, last);
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (!done) break;
  }
  return evaluated;
}

absl::Status Income::QueueDailyReview() {
  const absl::Time now = clock_->Now();
  return db_->Transact([&](Tx& tx) -> absl::Status {
    if (ReviewQueued(tx, kNationalRegion, kDailyReason)) return absl::OkStatus();
    InsertReview(tx, {NewId(now), kNationalRegion, kDailyReason, ""}, ToMicros(now));
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
