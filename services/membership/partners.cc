// Partners: the sales platforms (or seller accounts on them) cooperatives sell through.
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/internal.h"
#include "services/membership/membership.h"

namespace cooplink::membership {
namespace {

constexpr int kMaxCommissionRateBps = 5000;

constexpr const char* kInsertPartner =
    "INSERT INTO partners (id, name, channel_kind, commission_rate_bps, contact, version, "
    "create_time_us, update_time_us) VALUES (?, ?, ?, ?, ?, 1, ?, ?)";
constexpr const char* kPartnerColumns =
    "SELECT id, name, channel_kind, commission_rate_bps, contact, version, create_time_us, "
    "update_time_us FROM partners ";
const std::string kSelectPartner = absl::StrCat(kPartnerColumns, "WHERE id = ?");
const std::string kSelectPartnerForUpdate = absl::StrCat(kPartnerColumns, "WHERE id = ? FOR UPDATE");
const std::string kListPartners = absl::StrCat(
    kPartnerColumns, "WHERE (? = 0 OR channel_kind = ?) AND id > ? ORDER BY id LIMIT ?");
constexpr const char* kUpdatePartner =
    "UPDATE partners SET name = ?, channel_kind = ?, commission_rate_bps = ?, contact = ?, "
    "version = version + 1, update_time_us = ? WHERE id = ?";

void FromRow(sql::ResultSet& rs, v1::Partner* p) {
  p->set_id(rs.getString("id"));
  p->set_name(rs.getString("name"));
  p->set_channel_kind(static_cast<common::v1::ChannelKind>(rs.getInt("channel_kind")));
  p->set_commission_rate_bps(rs.getInt("commission_rate_bps"));
  p->set_contact(rs.getString("contact"));
  p->set_etag(Etag(rs.getInt64("version")));
  *p->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *p->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
}

// Validates and normalises the writable fields of `p`.
void ValidatePartner(FieldViolations& v, v1::Partner& p) {
  p.set_name(CheckText(v, "partner.name", p.name(), 100));
  if (!common::v1::ChannelKind_IsValid(p.channel_kind()) ||
      p.channel_kind() == common::v1::CHANNEL_KIND_UNSPECIFIED) {
    v.Add("partner.channel_kind", "must be one of the defined channel kinds");
  }
  if (p.commission_rate_bps() < 0 || p.commission_rate_bps() > kMaxCommissionRateBps) {
    v.Add("partner.commission_rate_bps", "must be 0..5000 basis points");
  }
  p.set_contact(CheckText(v, "partner.contact", p.contact(), 100, /*required=*/false));
}

absl::Status Load(Tx& tx, const std::string& sql, const std::string& id, v1::Partner* out) {
  auto rs = tx.Query(sql, id);
  if (!rs->next()) return NotFound("partner", id);
  FromRow(*rs, out);
  return absl::OkStatus();
}

}  // namespace

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
    tx.Execute(kInsertPartner, id, partner.name(), static_cast<int>(partner.channel_kind()),
               partner.commission_rate_bps(), partner.contact(), ToMicros(now), ToMicros(now));
    return Load(tx, kSelectPartner, id, out);
  });
}

absl::Status Membership::GetPartner(const CallContext& call, const v1::GetPartnerRequest& req,
                                    v1::Partner* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin, Role::kSocialWorker,
                               Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  // A partner principal sees only itself; any other partner reads as missing.
  if (p.is(Role::kPartner) && p.partner_id != req.id()) return NotFound("partner", req.id());
  return db_->Read([&](Tx& tx) { return Load(tx, kSelectPartner, req.id(), out); });
}

absl::Status Membership::ListPartners(const CallContext& call, const v1::ListPartnersRequest& req,
                                      v1::ListPartnersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin, Role::kSocialWorker});
      !s.ok()) {
    return s;
  }
  if (!common::v1::ChannelKind_IsValid(req.channel_kind())) {
    return InvalidField("channel_kind", "unknown channel kind");
  }
  const int kind = static_cast<int>(req.channel_kind());
  const std::string filters = absl::StrCat(kind);
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.Query(kListPartners, kind, kind, page->after, page->size + 1);
    FillPage(*rs, *page, filters, out->mutable_partners(), out->mutable_next_page_token(),
             FromRow);
    return absl::OkStatus();
  });
}

absl::Status Membership::UpdatePartner(const CallContext& call, const v1::UpdatePartnerRequest& req,
                                       v1::Partner* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "UpdatePartner", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "partner.id", req.partner().id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckUpdateMask(req.update_mask(),
                               {"name", "channel_kind", "commission_rate_bps", "contact"});
      !s.ok()) {
    return s;
  }
  const auto& mask = req.update_mask();
  const v1::Partner& patch = req.partner();
  // The masked values are validated before any database work, so bad input never waits on locks.
  {
    v1::Partner probe;
    probe.set_name("-");
    probe.set_channel_kind(common::v1::CHANNEL_KIND_OTHER);
    if (MaskHas(mask, "name")) probe.set_name(patch.name());
    if (MaskHas(mask, "channel_kind")) probe.set_channel_kind(patch.channel_kind());
    if (MaskHas(mask, "commission_rate_bps")) {
      probe.set_commission_rate_bps(patch.commission_rate_bps());
    }
    if (MaskHas(mask, "contact")) probe.set_contact(patch.contact());
    FieldViolations fv;
    ValidatePartner(fv, probe);
    if (!fv.empty()) return fv.ToStatus();
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const std::string& id = patch.id();
    v1::Partner current;
    if (auto s = Load(tx, kSelectPartnerForUpdate, id, &current); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    v1::Partner next = current;
    if (MaskHas(mask, "name")) next.set_name(patch.name());
    if (MaskHas(mask, "channel_kind")) next.set_channel_kind(patch.channel_kind());
    if (MaskHas(mask, "commission_rate_bps")) {
      next.set_commission_rate_bps(patch.commission_rate_bps());
    }
    if (MaskHas(mask, "contact")) next.set_contact(patch.contact());
    FieldViolations fv;
    ValidatePartner(fv, next);  // normalises (trims); the values were checked above
    if (!fv.empty()) return fv.ToStatus();
    tx.Execute(kUpdatePartner, next.name(), static_cast<int>(next.channel_kind()),
               next.commission_rate_bps(), next.contact(), ToMicros(clock_->Now()), id);
    return Load(tx, kSelectPartner, id, out);
  });
}

}  // namespace cooplink::membership
