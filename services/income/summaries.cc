// Household summaries (a calendar year or the trailing 12 months, against the monitoring line and
// the baseline) and baselines. The figures come from income_rules.h; membership is asked for the
// household (village, size history) before the database is read.
#include "absl/strings/str_cat.h"
#include "services/common/auth.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/limits.h"
#include "services/income/alert_store.h"
#include "services/income/income.h"
#include "services/income/income_access.h"
#include "services/income/income_limits.h"
#include "services/income/income_rules.h"
#include "services/income/threshold_store.h"

namespace cooplink::income {
namespace {

// The years' limits are not in income_limits.h: their upper bounds move with the calendar ("the
// current year", "the year before the current one"), so they are made against Today() per call.
constexpr int32_t kFirstIncomeYear = 2000;

FieldLimit YearLimit(const char* message, int64_t max) {
  return Limit(message, "year", LimitKind::kInteger, kFirstIncomeYear, max);
}

}  // namespace

absl::Status Income::GetHouseholdIncomeSummary(const CallContext& call,
                                               const v1::GetHouseholdIncomeSummaryRequest& req,
                                               v1::HouseholdIncomeSummary* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kMember});
      !s.ok()) {
    return s;
  }
  const absl::Time now = clock_->Now();
  const absl::CivilDay today = Today(now);
  FieldViolations v;
  CheckId(v, "household_id", req.household_id());
  if (req.trailing_12_months()) {
    if (req.year() != 0) v.Add("year", "must be 0 when trailing_12_months is set");
  } else {
    CheckInteger(v, "year", req.year(),
                 YearLimit("cooplink.income.v1.GetHouseholdIncomeSummaryRequest", today.year()));
  }
  if (!v.empty()) return v.ToStatus();
  absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  absl::StatusOr<HouseholdFacts> household = directory_->GetHousehold(call, req.household_id());
  if (!household.ok()) return household.status();
  if (RelationToHousehold(*scope, household->id, household->village_code) ==
      IncomeRelation::kNone) {
    return NotFoundFor("household", req.household_id());
  }

  const Period period =
      req.trailing_12_months() ? Trailing12Months(today) : CalendarYear(req.year());
  const int32_t year = static_cast<int32_t>(period.last.year());
  return db_->Read([&](Tx& tx) -> absl::Status {
    const std::vector<LedgerAmount> amounts =
        LoadLedgerAmounts(tx, household->id, period.first, period.last);
    const std::vector<ThresholdCandidate> lines =
        LoadThresholdCandidates(tx, RegionChain(household->village_code), year);
    const std::optional<v1::HouseholdBaseline> baseline = LoadBaseline(tx, household->id);

    const IncomeComponents c = SumComponents(amounts, period);
    const int64_t person_months = ResidentPersonMonths(household->sizes, period);
    const int64_t per_capita = PerCapita(c.net, person_months);
    out->set_household_id(household->id);
    out->set_year(year);
    out->set_resident_size(SizeInLastMonth(household->sizes, period));
    out->mutable_wage_income()->set_fen(c.wage);
    out->mutable_production_business_income()->set_fen(c.production_business);
    out->mutable_property_income()->set_fen(c.property);
    out->mutable_transfer_income()->set_fen(c.transfer);
    out->mutable_production_cost()->set_fen(c.production_cost);
    out->mutable_net_income()->set_fen(c.net);
    out->mutable_per_capita_net_income()->set_fen(per_capita);
    out->mutable_marketplace_income()->set_fen(c.marketplace);
    out->mutable_supported_income()->set_fen(c.supported);
    out->set_entry_count(c.count);
    out->set_resident_person_months(static_cast<int32_t>(person_months));
    *out->mutable_start_date() = ToDate(period.first);
    *out->mutable_end_date() = ToDate(period.last);
    *out->mutable_compute_time() = ToTimestamp(ToMicros(now));
    if (auto line = ChooseThreshold(household->village_code, year, lines)) {
      out->mutable_threshold_per_capita()->set_fen(line->amount_fen);
      out->set_threshold_id(line->id);
      out->set_below_threshold(Below(c.net, person_months, line->amount_fen));
      out->set_near_threshold(
          Near(c.net, person_months, line->amount_fen, settings_.near_margin_bps));
    }
    if (baseline) {
      *out->mutable_baseline() = *baseline;
      const int64_t base = baseline->per_capita_net_income().fen();
      const int64_t gain = GainOverBaseline(per_capita, base);
      out->mutable_gain_over_baseline()->set_fen(gain);
      out->set_gain_over_baseline_bps(GainBps(gain, base));
    }
    return absl::OkStatus();
  });
}

absl::Status Income::SetHouseholdBaseline(const CallContext& call,
                                          const v1::SetHouseholdBaselineRequest& req,
                                          v1::HouseholdBaseline* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "SetHouseholdBaseline", req);
  if (!key.ok()) return key.status();
  const absl::Time now = clock_->Now();
  const v1::HouseholdBaseline& in = req.baseline();
  FieldViolations v;
  CheckId(v, "baseline.household_id", in.household_id());
  CheckInteger(v, "baseline.year", in.year(), YearLimit(limits::kBaseline, Today(now).year() - 1));
  CheckFen(v, "baseline.per_capita_net_income", in.has_per_capita_net_income(),
           in.per_capita_net_income(), kBaselinePerCapita);
  const std::string note = CheckText(v, "baseline.source_note", in.source_note(), kBaselineNote);
  if (!v.empty()) return v.ToStatus();
  absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  absl::StatusOr<HouseholdFacts> household = directory_->GetHousehold(call, in.household_id());
  if (!household.ok()) return household.status();
  if (RelationToHousehold(*scope, household->id, household->village_code) ==
      IncomeRelation::kNone) {
    return NotFoundFor("household", in.household_id());
  }
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::HouseholdBaseline b;
    b.set_household_id(household->id);
    b.set_year(in.year());
    b.mutable_per_capita_net_income()->set_fen(in.per_capita_net_income().fen());
    b.set_source_note(note);
    b.set_set_by(p.id);
    *b.mutable_set_time() = ToTimestamp(ToMicros(now));
    UpsertBaseline(tx, b);
    *out = std::move(b);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
