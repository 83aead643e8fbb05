// Households and their monitoring categories (防止返贫动态监测): registration, scoped reads and
// listing, masked updates, and category changes with their history. The rules are in
// household_rules.h, the SQL in household_store.h, who may see what in access_rules.h.
//
// A household's category is changed only by ChangeMonitoringCategory, which locks the household,
// records a category_changes row and bumps the household's version in one transaction. The initial
// category of a new household is recorded as the first change (from UNSPECIFIED).
//
// Its resident size is kept with its history (household_size_changes): CreateHousehold records the
// registered size from the registration date, UpdateHousehold a changed size from the request's
// resident_size_effective_date (default today, China Standard Time), under the household's row
// lock, never before the last recorded date. Every Household returned carries that history.
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/access_store.h"
#include "services/membership/household_rules.h"
#include "services/membership/household_store.h"
#include "services/membership/membership.h"

namespace cooplink::membership {

absl::Status Membership::CreateHousehold(const CallContext& call,
                                         const v1::CreateHouseholdRequest& req,
                                         v1::Household* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "CreateHousehold", req);
  if (!key.ok()) return key.status();
  v1::Household h = req.household();
  FieldViolations v;
  ValidateNewHousehold(v, h);
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckRegistrationCategory(p, h.monitoring_category()); !s.ok()) return s;
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (auto s = CheckVillageAssigned(*scope, h.village_code()); !s.ok()) return s;
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    InsertHousehold(tx, id, h, RegisteringCooperative(p), ToMicros(now));
    InsertCategoryChange(tx, id, v1::MONITORING_CATEGORY_UNSPECIFIED, h.monitoring_category(),
                         kInitialCategoryReason, CivilToSql(Today(now)), p.id, now);
    InsertSizeChange(tx, id, h.resident_size(), Today(now), p.id, now);
    return LoadHousehold(tx, id, /*for_update=*/false, out);
  });
}

absl::Status Membership::GetHousehold(const CallContext& call, const v1::GetHouseholdRequest& req,
                                      v1::Household* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(
          p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    v1::Household h;
    Subject subject;
    if (auto s = LoadHousehold(tx, req.id(), /*for_update=*/false, &h, &subject); !s.ok()) {
      return s;
    }
    if (auto s = RequireAccess(*scope, subject, Access::kRead); !s.ok()) return s;
    *out = std::move(h);
    return absl::OkStatus();
  });
}

absl::Status Membership::ListHouseholds(const CallContext& call,
                                        const v1::ListHouseholdsRequest& req,
                                        v1::ListHouseholdsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  ValidateHouseholdFilters(v, req);
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat(req.village_code_prefix(), "|", static_cast<int>(req.monitoring_category()), "|",
                   req.cooperative_id());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    LoadHouseholdPage(tx, *scope, req, *page, filters, out);
    return absl::OkStatus();
  });
}

absl::Status Membership::UpdateHousehold(const CallContext& call,
                                         const v1::UpdateHouseholdRequest& req,
                                         v1::Household* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "UpdateHousehold", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "household.id", req.household().id());
  if (!v.empty()) return v.ToStatus();
  const auto& mask = req.update_mask();
  if (auto s = CheckUpdateMask(mask, kHouseholdUpdatePaths); !s.ok()) return s;
  // The new values do not depend on the stored row: validate them before touching the database.
  v1::Household patch = req.household();
  ValidateHouseholdPatch(v, patch, mask);
  const absl::CivilDay size_effective = ValidateSizeEffectiveDate(v, req, Today(clock_->Now()));
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Household current;
    Subject subject;
    if (auto s = LoadHousehold(tx, patch.id(), /*for_update=*/true, &current, &subject); !s.ok()) {
      return s;
    }
    if (auto s = RequireAccess(*scope, subject, Access::kWrite); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    const v1::Household next = ApplyHouseholdPatch(current, patch, mask);
    if (next.village_code() != current.village_code()) {
      if (auto s = CheckVillageAssigned(*scope, next.village_code()); !s.ok()) return s;
    }
    const absl::Time now = clock_->Now();
    const bool size_changed = next.resident_size() != current.resident_size();
    if (size_changed) {
      if (auto s = CheckSizeChangeDate(current, size_effective); !s.ok()) return s;
    }
    SaveHousehold(tx, next, ToMicros(now));
    if (size_changed) {
      InsertSizeChange(tx, next.id(), next.resident_size(), size_effective, p.id, now);
    }
    return LoadHousehold(tx, patch.id(), /*for_update=*/false, out);
  });
}

absl::Status Membership::ChangeMonitoringCategory(const CallContext& call,
                                                  const v1::ChangeMonitoringCategoryRequest& req,
                                                  v1::Household* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "ChangeMonitoringCategory", req);
  if (!key.ok()) return key.status();
  const absl::Time now = clock_->Now();
  FieldViolations v;
  const std::string reason = ValidateCategoryChange(v, req, Today(now));
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const std::string& id = req.household_id();
    v1::Household current;
    Subject subject;
    if (auto s = LoadHousehold(tx, id, /*for_update=*/true, &current, &subject); !s.ok()) return s;
    if (auto s = RequireAccess(*scope, subject, Access::kWrite); !s.ok()) return s;
    if (auto s = CheckCategoryChange(current.monitoring_category(), req.category()); !s.ok()) {
      return s;
    }
    InsertCategoryChange(tx, id, current.monitoring_category(), req.category(), reason,
                         DateToSql(req.effective_date()), p.id, now);
    UpdateMonitoringCategory(tx, id, req.category(), ToMicros(now));
    return LoadHousehold(tx, id, /*for_update=*/false, out);
  });
}

absl::Status Membership::ListCategoryChanges(const CallContext& call,
                                             const v1::ListCategoryChangesRequest& req,
                                             v1::ListCategoryChangesResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "household_id", req.household_id());
  if (!v.empty()) return v.ToStatus();
  auto page = ParsePage(req.page_size(), req.page_token(), req.household_id());
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    v1::Household h;
    Subject subject;
    if (auto s = LoadHousehold(tx, req.household_id(), /*for_update=*/false, &h, &subject);
        !s.ok()) {
      return s;
    }
    if (auto s = RequireAccess(*scope, subject, Access::kRead); !s.ok()) return s;
    LoadCategoryChangePage(tx, req.household_id(), *page, out);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::membership
