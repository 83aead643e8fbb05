// Cooperatives: registration, reads, scoped listing and masked updates.
#include <cppconn/resultset.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/identity.h"
#include "services/membership/internal.h"
#include "services/membership/membership.h"

namespace cooplink::membership {
namespace {

constexpr int kMaxServiceFeeBps = 3000;

constexpr const char* kInsertCooperative =
    "INSERT INTO cooperatives (id, name, uscc, region_code, fiscal_year_end_month, "
    "service_fee_bps, version, create_time_us, update_time_us) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)";
constexpr const char* kSelectColumns =
    "SELECT c.id, c.name, c.uscc, c.region_code, c.fiscal_year_end_month, c.service_fee_bps, "
    "c.version, c.create_time_us, c.update_time_us, "
    "(SELECT COUNT(*) FROM members m WHERE m.cooperative_id = c.id AND m.state = 1) AS members, "
    "(SELECT COUNT(*) FROM members m WHERE m.cooperative_id = c.id AND m.state = 1 "
    " AND m.is_farmer) AS farmers FROM cooperatives c ";
const std::string kSelectCooperative = absl::StrCat(kSelectColumns, "WHERE c.id = ?");
const std::string kSelectCooperativeForUpdate =
    absl::StrCat(kSelectColumns, "WHERE c.id = ? FOR UPDATE");
const std::string kListAll = absl::StrCat(
    kSelectColumns, "WHERE c.region_code LIKE CONCAT(?, '%') AND c.id > ? ORDER BY c.id LIMIT ?");
const std::string kListAssigned = absl::StrCat(
    kSelectColumns,
    "WHERE c.id IN (SELECT a.cooperative_id FROM assignments a WHERE a.social_worker_id = ? "
    "AND a.state = 1) AND c.region_code LIKE CONCAT(?, '%') AND c.id > ? ORDER BY c.id LIMIT ?");
const std::string kListOwn = absl::StrCat(
    kSelectColumns,
    "WHERE c.id = ? AND c.region_code LIKE CONCAT(?, '%') AND c.id > ? ORDER BY c.id LIMIT ?");
constexpr const char* kUpdateCooperative =
    "UPDATE cooperatives SET name = ?, region_code = ?, fiscal_year_end_month = ?, "
    "service_fee_bps = ?, version = version + 1, update_time_us = ? WHERE id = ?";
constexpr const char* kPendingExits =
    "SELECT 1 FROM members WHERE cooperative_id = ? AND state = 2 LIMIT 1";

void FromRow(sql::ResultSet& rs, v1::Cooperative* c) {
  c->set_id(rs.getString("id"));
  c->set_name(rs.getString("name"));
  c->set_uscc(rs.getString("uscc"));
  c->set_region_code(rs.getString("region_code"));
  c->set_fiscal_year_end_month(rs.getInt("fiscal_year_end_month"));
  c->set_service_fee_bps(rs.getInt("service_fee_bps"));
  c->set_member_count(rs.getInt("members"));
  c->set_farmer_member_count(rs.getInt("farmers"));
  c->set_etag(Etag(rs.getInt64("version")));
  *c->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *c->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
}

// Validates the writable fields of `c` (all of them, or those in `mask`) and normalises them.
void ValidateCooperative(FieldViolations& v, v1::Cooperative& c, bool creating) {
  c.set_name(CheckText(v, "cooperative.name", c.name(), 100));
  if (creating) {
    c.set_uscc(absl::AsciiStrToUpper(Trimmed(c.uscc())));
    if (absl::Status s = ValidateUscc(c.uscc()); !s.ok()) {
      v.Add("cooperative.uscc", std::string(s.message()));
    } else if (!IsCooperativeUscc(c.uscc())) {
      v.Add("cooperative.uscc", "a farmers' cooperative's code must begin with 93 (GB 32100)");
    }
  }
  if (!IsRegionCode(c.region_code())) {
    v.Add("cooperative.region_code", "must be a 6-digit GB/T 2260 region code");
  }
  if (creating && c.fiscal_year_end_month() == 0) c.set_fiscal_year_end_month(12);
  if (c.fiscal_year_end_month() < 1 || c.fiscal_year_end_month() > 12) {
    v.Add("cooperative.fiscal_year_end_month", "must be 1..12");
  }
  if (c.service_fee_bps() < 0 || c.service_fee_bps() > kMaxServiceFeeBps) {
    v.Add("cooperative.service_fee_bps", "must be 0..3000 basis points");
  }
}

absl::Status Load(Tx& tx, const std::string& sql, const std::string& id, v1::Cooperative* out) {
  auto rs = tx.Query(sql, id);
  if (!rs->next()) return NotFound("cooperative", id);
  FromRow(*rs, out);
  return absl::OkStatus();
}

}  // namespace

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
    const int64_t now = ToMicros(clock_->Now());
    const std::string id = NewId(clock_->Now());
    tx.Execute(kInsertCooperative, id, c.name(), c.uscc(), c.region_code(),
               c.fiscal_year_end_month(), c.service_fee_bps(), now, now);
    return Load(tx, kSelectCooperative, id, out);
  });
}

absl::Status Membership::GetCooperative(const CallContext& call, const v1::GetCooperativeRequest& req,
                                        v1::Cooperative* out) {
  const Principal& p = call.principal();
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (auto s = CheckCooperativeAccess(tx, p, req.id(), Access::kRead); !s.ok()) return s;
    return Load(tx, kSelectCooperative, req.id(), out);
  });
}

absl::Status Membership::ListCooperatives(const CallContext& call,
                                          const v1::ListCooperativesRequest& req,
                                          v1::ListCooperativesResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember});
      !s.ok()) {
    return s;
  }
  const std::string& prefix = req.region_code_prefix();
  if (prefix.size() > 6 || !std::all_of(prefix.begin(), prefix.end(), absl::ascii_isdigit)) {
    return InvalidField("region_code_prefix", "must be up to 6 digits");
  }
  auto page = ParsePage(req.page_size(), req.page_token(), prefix);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    const int64_t limit = page->size + 1;
    std::unique_ptr<sql::ResultSet> rs;
    if (p.is(Role::kPlatformAdmin)) {
      rs = tx.Query(kListAll, prefix, page->after, limit);
    } else if (p.is(Role::kSocialWorker)) {
      rs = tx.Query(kListAssigned, p.social_worker_id, prefix, page->after, limit);
    } else {
      rs = tx.Query(kListOwn, p.cooperative_id, prefix, page->after, limit);
    }
    FillPage(*rs, *page, prefix, out->mutable_cooperatives(), out->mutable_next_page_token(),
             FromRow);
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
  FieldViolations v;
  CheckId(v, "cooperative.id", req.cooperative().id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckUpdateMask(req.update_mask(), {"name", "region_code", "fiscal_year_end_month",
                                                   "service_fee_bps"});
      !s.ok()) {
    return s;
  }
  const auto& mask = req.update_mask();
  const v1::Cooperative& patch = req.cooperative();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const std::string& id = patch.id();
    if (auto s = CheckCooperativeAccess(tx, p, id, Access::kWrite); !s.ok()) return s;
    v1::Cooperative current;
    if (auto s = Load(tx, kSelectCooperativeForUpdate, id, &current); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    v1::Cooperative next = current;
    if (MaskHas(mask, "name")) next.set_name(patch.name());
    if (MaskHas(mask, "region_code")) next.set_region_code(patch.region_code());
    if (MaskHas(mask, "fiscal_year_end_month")) {
      next.set_fiscal_year_end_month(patch.fiscal_year_end_month());
    }
    if (MaskHas(mask, "service_fee_bps")) next.set_service_fee_bps(patch.service_fee_bps());
    FieldViolations fv;
    ValidateCooperative(fv, next, /*creating=*/false);
    if (!fv.empty()) return fv.ToStatus();
    if (next.fiscal_year_end_month() != current.fiscal_year_end_month() &&
        tx.Query(kPendingExits, id)->next()) {
      return FailedPrecondition("PENDING_EXITS",
                                "members have requested exit; changing the fiscal year would move "
                                "their exit date");
    }
    tx.Execute(kUpdateCooperative, next.name(), next.region_code(), next.fiscal_year_end_month(),
               next.service_fee_bps(), ToMicros(clock_->Now()), id);
    return Load(tx, kSelectCooperative, id, out);
  });
}

}  // namespace cooplink::membership
