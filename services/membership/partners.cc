// Partners: the sales platforms (or seller accounts on them) cooperatives sell through. The rules
// are in partner_rules.h, the SQL in partner_store.h.
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/membership.h"
#include "services/membership/partner_rules.h"
#include "services/membership/partner_store.h"

namespace cooplink::membership {

absl::Status Membership::CreatePartner(const CallContext& call, const v1::CreatePartnerRequest& req,
                                       v1::Partner* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreatePartner", req);
  if (!key.ok()) return key.status();
  v1::Partner partner = req.partner();
  FieldViolations v;
  ValidatePartner(v, partner);
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    InsertPartner(tx, id, partner, ToMicros(now));
    return LoadPartner(tx, id, /*for_update=*/false, out);
  });
}

absl::Status Membership::GetPartner(const CallContext& call, const v1::GetPartnerRequest& req,
                                    v1::Partner* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(
          p, {Role::kPlatformAdmin, Role::kCooperativeAdmin, Role::kSocialWorker, Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckPartnerVisible(p, req.id()); !s.ok()) return s;
  return db_->Read([&](Tx& tx) { return LoadPartner(tx, req.id(), /*for_update=*/false, out); });
}

absl::Status Membership::ListPartners(const CallContext& call, const v1::ListPartnersRequest& req,
                                      v1::ListPartnersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin, Role::kSocialWorker});
      !s.ok()) {
    return s;
  }
  if (auto s = CheckChannelKindFilter(req.channel_kind()); !s.ok()) return s;
  const std::string filters = absl::StrCat(static_cast<int>(req.channel_kind()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    LoadPartnerPage(tx, req.channel_kind(), *page, filters, out);
    return absl::OkStatus();
  });
}

absl::Status Membership::UpdatePartner(const CallContext& call, const v1::UpdatePartnerRequest& req,
                                       v1::Partner* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "UpdatePartner", req);
  if (!key.ok()) return key.status();
  const v1::Partner& patch = req.partner();
  FieldViolations v;
  CheckId(v, "partner.id", patch.id());
  if (!v.empty()) return v.ToStatus();
  const auto& mask = req.update_mask();
  if (auto s = CheckUpdateMask(mask, kPartnerUpdatePaths); !s.ok()) return s;
  if (auto s = ValidatePartnerPatch(patch, mask); !s.ok()) return s;

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Partner current;
    if (auto s = LoadPartner(tx, patch.id(), /*for_update=*/true, &current); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    v1::Partner next = ApplyPartnerPatch(current, patch, mask);
    FieldViolations fv;
    ValidatePartner(fv, next);  // normalises (trims); the values were checked above
    if (!fv.empty()) return fv.ToStatus();
    SavePartner(tx, next, ToMicros(clock_->Now()));
    return LoadPartner(tx, patch.id(), /*for_update=*/false, out);
  });
}

}  // namespace cooplink::membership
