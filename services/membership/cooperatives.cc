// Cooperatives: registration, reads, scoped listing and masked updates. The rules are in
// cooperative_rules.h, the SQL in cooperative_store.h, who may see what in access_rules.h.
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/access_store.h"
#include "services/membership/cooperative_rules.h"
#include "services/membership/cooperative_store.h"
#include "services/membership/membership.h"

namespace cooplink::membership {

absl::Status Membership::CreateCooperative(const CallContext& call,
                                           const v1::CreateCooperativeRequest& req,
                                           v1::Cooperative* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateCooperative", req);
  if (!key.ok()) return key.status();
  v1::Cooperative c = req.cooperative();
  FieldViolations v;
  ValidateCooperative(v, c, /*creating=*/true);
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    InsertCooperative(tx, id, c, ToMicros(now));
    return LoadCooperative(tx, id, /*for_update=*/false, out);
  });
}

absl::Status Membership::GetCooperative(const CallContext& call,
                                        const v1::GetCooperativeRequest& req,
                                        v1::Cooperative* out) {
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  if (auto s = RequireAccess(*scope, CooperativeSubject(req.id()), Access::kRead); !s.ok()) {
    return s;
  }
  return db_->Read(
      [&](Tx& tx) { return LoadCooperative(tx, req.id(), /*for_update=*/false, out); });
}

absl::Status Membership::ListCooperatives(const CallContext& call,
                                          const v1::ListCooperativesRequest& req,
                                          v1::ListCooperativesResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(
          p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  const std::string& prefix = req.region_code_prefix();
  if (auto s = CheckRegionCodePrefix(prefix); !s.ok()) return s;
  auto page = ParsePage(req.page_size(), req.page_token(), prefix);
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    LoadCooperativePage(tx, *scope, prefix, *page, prefix, out);
    return absl::OkStatus();
  });
}

absl::Status Membership::UpdateCooperative(const CallContext& call,
                                           const v1::UpdateCooperativeRequest& req,
                                           v1::Cooperative* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "UpdateCooperative", req);
  if (!key.ok()) return key.status();
  const v1::Cooperative& patch = req.cooperative();
  FieldViolations v;
  CheckId(v, "cooperative.id", patch.id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckUpdateMask(req.update_mask(), kCooperativeUpdatePaths); !s.ok()) return s;
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (auto s = RequireAccess(*scope, CooperativeSubject(patch.id()), Access::kWrite); !s.ok()) {
      return s;
    }
    v1::Cooperative current;
    if (auto s = LoadCooperative(tx, patch.id(), /*for_update=*/true, &current); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    v1::Cooperative next = ApplyCooperativePatch(current, patch, req.update_mask());
    FieldViolations fv;
    ValidateCooperative(fv, next, /*creating=*/false);
    if (!fv.empty()) return fv.ToStatus();
    if (auto s = CheckFiscalYearChange(current, next, HasPendingExits(tx, patch.id())); !s.ok()) {
      return s;
    }
    SaveCooperative(tx, next, ToMicros(clock_->Now()));
    return LoadCooperative(tx, patch.id(), /*for_update=*/false, out);
  });
}

}  // namespace cooplink::membership
