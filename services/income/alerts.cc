// Alerts as social workers handle them: ListAlerts (newest first, a worker's villages only),
// AcknowledgeAlert, ResolveAlert and GetAlertSettings. Raising, recovering and the review job are
// in alert_reviews.cc.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/auth.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/limits.h"
#include "services/common/paging.h"
#include "services/income/alert_store.h"
#include "services/income/income.h"
#include "services/income/income_access.h"
#include "services/income/income_limits.h"

namespace cooplink::income {
namespace {

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The alert in the caller's scope, locked; NOT_FOUND when missing or outside it.
absl::StatusOr<v1::Alert> LockAlertInScope(Tx& tx, const IncomeScope& scope,
                                           const std::string& id) {
  std::optional<v1::Alert> a = LoadAlert(tx, id, /*for_update=*/true);
  if (!a ||
      RelationToHousehold(scope, a->household_id(), a->village_code()) == IncomeRelation::kNone) {
    return NotFoundFor("alert", id);
  }
  return *std::move(a);
}

}  // namespace

absl::Status Income::ListAlerts(const CallContext& call, const v1::ListAlertsRequest& req,
                                v1::ListAlertsResponse* out) {
  if (absl::Status s = RequireRole(call.principal(), {Role::kPlatformAdmin, Role::kSocialWorker});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  const std::string& prefix = req.village_code_prefix();
  if (prefix.size() > static_cast<size_t>(kAlertVillagePrefix.max) || !AllDigits(prefix)) {
    v.Add("village_code_prefix", absl::StrCat("must be ", DescribeLimit(kAlertVillagePrefix)));
  }
  if (!req.household_id().empty()) CheckId(v, "household_id", req.household_id());
  if (!v1::AlertKind_IsValid(req.kind())) v.Add("kind", "is not an AlertKind");
  if (!v1::AlertState_IsValid(req.state())) v.Add("state", "is not an AlertState");
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat("alerts|", prefix, "|", req.household_id(), "|", req.kind(), "|", req.state());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();

  AlertFilter f;
  if (call.principal().is(Role::kSocialWorker)) {
    if (scope->caseload.village_codes.empty()) return absl::OkStatus();
    f.villages = scope->caseload.village_codes;
  }
  f.village_prefix = prefix;
  f.household_id = req.household_id();
  f.kind = req.kind();
  f.state = req.state();
  f.before_id = page->after;
  f.limit = page->size + 1;
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::Alert> rows = ListAlertRows(tx, f);
    out->set_next_page_token(
        TrimToPage(rows, *page, filters, [](const v1::Alert& a) { return a.id(); }));
    for (v1::Alert& a : rows) *out->add_alerts() = std::move(a);
    return absl::OkStatus();
  });
}

absl::Status Income::AcknowledgeAlert(const CallContext& call,
                                      const v1::AcknowledgeAlertRequest& req, v1::Alert* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "AcknowledgeAlert", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "alert_id", req.alert_id());
  if (!v.empty()) return v.ToStatus();
  absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    auto alert = LockAlertInScope(tx, *scope, req.alert_id());
    if (!alert.ok()) return alert.status();
    if (alert->state() != v1::ALERT_STATE_OPEN ||
        MarkAcknowledged(tx, alert->id(), p.id, ToMicros(clock_->Now())) != 1) {
      return FailedPrecondition(
          "INVALID_STATE_TRANSITION",
          absl::StrCat("alert ", req.alert_id(), " is ", v1::AlertState_Name(alert->state()),
                       "; only an OPEN alert can be acknowledged"));
    }
    std::optional<v1::Alert> now = LoadAlert(tx, alert->id(), /*for_update=*/false);
    if (!now) return absl::InternalError("alert vanished");
    *out = *std::move(now);
    return absl::OkStatus();
  });
}

absl::Status Income::ResolveAlert(const CallContext& call, const v1::ResolveAlertRequest& req,
                                  v1::Alert* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "ResolveAlert", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "alert_id", req.alert_id());
  const std::string note = CheckText(v, "resolution_note", req.resolution_note(), kResolutionNote);
  if (!v.empty()) return v.ToStatus();
  absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    auto alert = LockAlertInScope(tx, *scope, req.alert_id());
    if (!alert.ok()) return alert.status();
    if (alert->state() == v1::ALERT_STATE_RESOLVED ||
        MarkResolved(tx, alert->id(), p.id, note, ToMicros(clock_->Now())) != 1) {
      return FailedPrecondition("INVALID_STATE_TRANSITION",
                                absl::StrCat("alert ", req.alert_id(), " is already RESOLVED"));
    }
    std::optional<v1::Alert> now = LoadAlert(tx, alert->id(), /*for_update=*/false);
    if (!now) return absl::InternalError("alert vanished");
    *out = *std::move(now);
    return absl::OkStatus();
  });
}

absl::Status Income::GetAlertSettings(const CallContext& call, const v1::GetAlertSettingsRequest&,
                                      v1::AlertSettings* out) {
  if (absl::Status s = RequireRole(call.principal(), {Role::kPlatformAdmin, Role::kSocialWorker,
                                                      Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  out->set_near_margin_bps(settings_.near_margin_bps);
  out->set_drop_share_bps(settings_.drop_share_bps);
  return absl::OkStatus();
}

}  // namespace cooplink::income
