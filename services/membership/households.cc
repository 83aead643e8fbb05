// Households and their monitoring categories (防止返贫动态监测): registration, scoped reads and
// listing, masked updates, and category changes with their history.
//
// A household's category is changed only by ChangeMonitoringCategory, which locks the household,
// records a category_changes row and bumps the household's version in one transaction. The initial
// category of a new household is recorded as the first change (from UNSPECIFIED).
#include <algorithm>

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

constexpr int kMaxResidentSize = 50;
constexpr size_t kMaxVillageCodePrefix = 12;
// Reason recorded on the first CategoryChange of a household (the proto leaves it to us).
constexpr const char* kInitialCategoryReason = "initial category at registration";

constexpr const char* kInsertHousehold =
    "INSERT INTO households (id, village_code, head_name, resident_size, ethnicity, "
    "monitoring_category, created_by_cooperative_id, version, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
constexpr const char* kSelectColumns =
    "SELECT h.id, h.village_code, h.head_name, h.resident_size, h.ethnicity, "
    "h.monitoring_category, h.created_by_cooperative_id, h.version, h.create_time_us, "
    "h.update_time_us FROM households h ";
const std::string kSelectHousehold = absl::StrCat(kSelectColumns, "WHERE h.id = ?");
const std::string kSelectHouseholdForUpdate =
    absl::StrCat(kSelectColumns, "WHERE h.id = ? FOR UPDATE");
// Filters shared by every list: village code prefix, category (0 = any), keyset cursor.
constexpr const char* kListFilters =
    "h.village_code LIKE CONCAT(?, '%') AND (? = 0 OR h.monitoring_category = ?) AND h.id > ? "
    "ORDER BY h.id LIMIT ?";
const std::string kListAll = absl::StrCat(kSelectColumns, "WHERE ", kListFilters);
// Social worker: households in its ACTIVE assigned villages.
const std::string kListForWorker = absl::StrCat(
    kSelectColumns,
    "WHERE h.village_code IN (SELECT a.village_code FROM assignments a "
    "WHERE a.social_worker_id = ? AND a.state = 1 AND a.village_code IS NOT NULL) AND ",
    kListFilters);
// Cooperative admin: households with a member in its cooperative, or created by its cooperative
// and without any member (the same rule as CheckHouseholdAccess).
const std::string kListForCooperative = absl::StrCat(
    kSelectColumns,
    "WHERE (EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id "
    "AND m.cooperative_id = ?) OR (h.created_by_cooperative_id = ? AND NOT EXISTS "
    "(SELECT 1 FROM members m2 WHERE m2.household_id = h.id))) AND ",
    kListFilters);
constexpr const char* kUpdateHousehold =
    "UPDATE households SET village_code = ?, head_name = ?, resident_size = ?, ethnicity = ?, "
    "version = version + 1, update_time_us = ? WHERE id = ?";
constexpr const char* kUpdateCategory =
    "UPDATE households SET monitoring_category = ?, version = version + 1, update_time_us = ? "
    "WHERE id = ?";
constexpr const char* kInsertChange =
    "INSERT INTO category_changes (id, household_id, from_category, to_category, reason, "
    "effective_date, changed_by, change_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kLastChangeId =
    "SELECT MAX(id) AS last_id FROM category_changes WHERE household_id = ?";
constexpr const char* kListChanges =
    "SELECT id, household_id, from_category, to_category, reason, effective_date, changed_by, "
    "change_time_us FROM category_changes WHERE household_id = ? AND id > ? ORDER BY id LIMIT ?";

// Crockford base32 as used by NewId.
constexpr absl::string_view kIdAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void FromRow(sql::ResultSet& rs, v1::Household* h) {
  h->set_id(rs.getString("id"));
  h->set_village_code(rs.getString("village_code"));
  h->set_head_name(rs.getString("head_name"));
  h->set_resident_size(rs.getInt("resident_size"));
  h->set_ethnicity(rs.getString("ethnicity"));
  h->set_monitoring_category(static_cast<v1::MonitoringCategory>(rs.getInt("monitoring_category")));
  h->set_etag(Etag(rs.getInt64("version")));
  *h->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *h->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
}

void ChangeFromRow(sql::ResultSet& rs, v1::CategoryChange* c) {
  c->set_id(rs.getString("id"));
  c->set_household_id(rs.getString("household_id"));
  c->set_from_category(static_cast<v1::MonitoringCategory>(rs.getInt("from_category")));
  c->set_to_category(static_cast<v1::MonitoringCategory>(rs.getInt("to_category")));
  c->set_reason(rs.getString("reason"));
  *c->mutable_effective_date() = DateFromSql(rs.getString("effective_date"));
  c->set_changed_by(rs.getString("changed_by"));
  *c->mutable_change_time() = ToTimestamp(rs.getInt64("change_time_us"));
}

// Loads the household with `sql` (plain or FOR UPDATE); NOT_FOUND when there is none.
absl::Status Load(Tx& tx, const std::string& sql, const std::string& id, v1::Household* out,
                  HouseholdScope* scope = nullptr) {
  auto rs = tx.Query(sql, id);
  if (!rs->next()) return NotFound("household", id);
  FromRow(*rs, out);
  if (scope != nullptr) {
    scope->id = out->id();
    scope->village_code = out->village_code();
    scope->created_by_cooperative_id = GetOptionalString(*rs, "created_by_cooperative_id");
  }
  return absl::OkStatus();
}

// Validation of the writable fields, each normalised in place.
void CheckVillageCode(FieldViolations& v, v1::Household& h) {
  h.set_village_code(Trimmed(h.village_code()));
  if (!IsVillageCode(h.village_code())) {
    v.Add("household.village_code",
          "must be a 12-digit village code whose first 6 digits are a GB/T 2260 region code");
  }
}
void CheckHeadName(FieldViolations& v, v1::Household& h) {
  h.set_head_name(CheckText(v, "household.head_name", h.head_name(), 50));
}
void CheckResidentSize(FieldViolations& v, const v1::Household& h) {
  if (h.resident_size() < 1 || h.resident_size() > kMaxResidentSize) {
    v.Add("household.resident_size", "must be 1..50");
  }
}
void CheckEthnicity(FieldViolations& v, v1::Household& h) {
  h.set_ethnicity(CheckText(v, "household.ethnicity", h.ethnicity(), 20, /*required=*/false));
}

absl::Status VillageNotAssigned() {
  return PermissionDenied("VILLAGE_NOT_ASSIGNED",
                          "the village is not assigned to the calling social worker");
}

// The id following `id` in base32 order (same length).
std::string IdSuccessor(std::string id) {
  for (size_t i = id.size(); i-- > 0;) {
    const size_t pos = kIdAlphabet.find(id[i]);
    if (pos + 1 < kIdAlphabet.size()) {
      id[i] = kIdAlphabet[pos + 1];
      return id;
    }
    id[i] = kIdAlphabet[0];
  }
  return id;  // unreachable for ids NewId produces (the top 2 bits are zero)
}

// A new category-change id sorting after every earlier change of the household, so "oldest first"
// (ordered by id) holds even for changes made within one millisecond. The caller holds the
// household's row lock, which serialises changes of one household.
std::string NewChangeId(Tx& tx, const std::string& household_id, absl::Time now) {
  std::string id = NewId(now);
  auto rs = tx.Query(kLastChangeId, household_id);
  if (rs->next()) {
    const std::optional<std::string> last = GetOptionalString(*rs, "last_id");
    if (last.has_value() && id <= *last) id = IdSuccessor(*last);
  }
  return id;
}

}  // namespace

absl::Status Membership::CreateHousehold(const CallContext& call, const v1::CreateHouseholdRequest& req,
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
  CheckVillageCode(v, h);
  CheckHeadName(v, h);
  CheckResidentSize(v, h);
  CheckEthnicity(v, h);
  if (!v1::MonitoringCategory_IsValid(h.monitoring_category())) {
    v.Add("household.monitoring_category", "must be one of the defined categories");
  }
  if (!v.empty()) return v.ToStatus();
  if (h.monitoring_category() == v1::MONITORING_CATEGORY_UNSPECIFIED) {
    h.set_monitoring_category(v1::MONITORING_CATEGORY_ORDINARY);
  }
  if (p.is(Role::kCooperativeAdmin) &&
      h.monitoring_category() != v1::MONITORING_CATEGORY_ORDINARY) {
    return PermissionDenied("ROLE_NOT_ALLOWED",
                            "a cooperative admin may only register ORDINARY households; the "
                            "monitoring category is set by social workers");
  }
  const std::optional<std::string> created_by =
      p.is(Role::kCooperativeAdmin) ? std::optional<std::string>(p.cooperative_id) : std::nullopt;

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (p.is(Role::kSocialWorker) && !WorkerHasVillage(tx, p.social_worker_id, h.village_code())) {
      return VillageNotAssigned();
    }
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    const std::string id = NewId(now_time);
    const int category = static_cast<int>(h.monitoring_category());
    tx.Execute(kInsertHousehold, id, h.village_code(), h.head_name(), h.resident_size(),
               h.ethnicity(), category, created_by, now, now);
    tx.Execute(kInsertChange, NewChangeId(tx, id, now_time), id,
               static_cast<int>(v1::MONITORING_CATEGORY_UNSPECIFIED), category,
               kInitialCategoryReason, CivilToSql(Today(now_time)), p.id, now);
    return Load(tx, kSelectHousehold, id, out);
  });
}

absl::Status Membership::GetHousehold(const CallContext& call, const v1::GetHouseholdRequest& req,
                                      v1::Household* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  return db_->Read([&](Tx& tx) -> absl::Status {
    v1::Household h;
    HouseholdScope scope;
    if (auto s = Load(tx, kSelectHousehold, req.id(), &h, &scope); !s.ok()) return s;
    if (auto s = CheckHouseholdAccess(tx, p, scope, Access::kRead); !s.ok()) return s;
    *out = std::move(h);
    return absl::OkStatus();
  });
}

absl::Status Membership::ListHouseholds(const CallContext& call, const v1::ListHouseholdsRequest& req,
                                        v1::ListHouseholdsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  const std::string& prefix = req.village_code_prefix();
  FieldViolations v;
  if (prefix.size() > kMaxVillageCodePrefix ||
      !std::all_of(prefix.begin(), prefix.end(), absl::ascii_isdigit)) {
    v.Add("village_code_prefix", "must be up to 12 digits");
  }
  if (!v1::MonitoringCategory_IsValid(req.monitoring_category())) {
    v.Add("monitoring_category", "must be one of the defined categories");
  }
  if (!v.empty()) return v.ToStatus();
  const int category = static_cast<int>(req.monitoring_category());
  const std::string filters = absl::StrCat(prefix, "|", category);
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    const int64_t limit = page->size + 1;
    std::unique_ptr<sql::ResultSet> rs;
    if (p.is(Role::kPlatformAdmin)) {
      rs = tx.Query(kListAll, prefix, category, category, page->after, limit);
    } else if (p.is(Role::kSocialWorker)) {
      rs = tx.Query(kListForWorker, p.social_worker_id, prefix, category, category, page->after,
                    limit);
    } else {
      rs = tx.Query(kListForCooperative, p.cooperative_id, p.cooperative_id, prefix, category,
                    category, page->after, limit);
    }
    FillPage(*rs, *page, filters, out->mutable_households(), out->mutable_next_page_token(),
             FromRow);
    return absl::OkStatus();
  });
}

absl::Status Membership::UpdateHousehold(const CallContext& call, const v1::UpdateHouseholdRequest& req,
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
  if (auto s = CheckUpdateMask(mask, {"head_name", "village_code", "resident_size", "ethnicity"});
      !s.ok()) {
    return s;
  }
  // The new values do not depend on the stored row: validate them before touching the database.
  v1::Household patch = req.household();
  if (MaskHas(mask, "village_code")) CheckVillageCode(v, patch);
  if (MaskHas(mask, "head_name")) CheckHeadName(v, patch);
  if (MaskHas(mask, "resident_size")) CheckResidentSize(v, patch);
  if (MaskHas(mask, "ethnicity")) CheckEthnicity(v, patch);
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const std::string& id = patch.id();
    v1::Household current;
    HouseholdScope scope;
    if (auto s = Load(tx, kSelectHouseholdForUpdate, id, &current, &scope); !s.ok()) return s;
    if (auto s = CheckHouseholdAccess(tx, p, scope, Access::kWrite); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    v1::Household next = current;
    if (MaskHas(mask, "village_code")) next.set_village_code(patch.village_code());
    if (MaskHas(mask, "head_name")) next.set_head_name(patch.head_name());
    if (MaskHas(mask, "resident_size")) next.set_resident_size(patch.resident_size());
    if (MaskHas(mask, "ethnicity")) next.set_ethnicity(patch.ethnicity());
    // A social worker may move a household only into another of its own villages.
    if (p.is(Role::kSocialWorker) && next.village_code() != current.village_code() &&
        !WorkerHasVillage(tx, p.social_worker_id, next.village_code())) {
      return VillageNotAssigned();
    }
    tx.Execute(kUpdateHousehold, next.village_code(), next.head_name(), next.resident_size(),
               next.ethnicity(), ToMicros(clock_->Now()), id);
    return Load(tx, kSelectHousehold, id, out);
  });
}

absl::Status Membership::ChangeMonitoringCategory(const CallContext& call,
                                                  const v1::ChangeMonitoringCategoryRequest& req,
                                                  v1::Household* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "ChangeMonitoringCategory", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "household_id", req.household_id());
  if (!v1::MonitoringCategory_IsValid(req.category()) ||
      req.category() == v1::MONITORING_CATEGORY_UNSPECIFIED) {
    v.Add("category", "must be one of the defined categories (not UNSPECIFIED)");
  }
  const std::string reason = CheckText(v, "reason", req.reason(), 500);
  const absl::Time now_time = clock_->Now();
  if (auto day = CheckDate(v, "effective_date", req.effective_date());
      day.has_value() && *day > Today(now_time)) {
    v.Add("effective_date", "must not be after today");
  }
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const std::string& id = req.household_id();
    v1::Household current;
    HouseholdScope scope;
    if (auto s = Load(tx, kSelectHouseholdForUpdate, id, &current, &scope); !s.ok()) return s;
    if (auto s = CheckHouseholdAccess(tx, p, scope, Access::kWrite); !s.ok()) return s;
    if (current.monitoring_category() == req.category()) {
      return FailedPrecondition("CATEGORY_UNCHANGED",
                                "the household is already in this monitoring category");
    }
    const int64_t now = ToMicros(now_time);
    tx.Execute(kInsertChange, NewChangeId(tx, id, now_time), id,
               static_cast<int>(current.monitoring_category()), static_cast<int>(req.category()),
               reason, DateToSql(req.effective_date()), p.id, now);
    tx.Execute(kUpdateCategory, static_cast<int>(req.category()), now, id);
    return Load(tx, kSelectHousehold, id, out);
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
  return db_->Read([&](Tx& tx) -> absl::Status {
    v1::Household h;
    HouseholdScope scope;
    if (auto s = Load(tx, kSelectHousehold, req.household_id(), &h, &scope); !s.ok()) return s;
    if (auto s = CheckHouseholdAccess(tx, p, scope, Access::kRead); !s.ok()) return s;
    auto rs = tx.Query(kListChanges, req.household_id(), page->after,
                       static_cast<int64_t>(page->size) + 1);
    FillPage(*rs, *page, req.household_id(), out->mutable_changes(), out->mutable_next_page_token(),
             ChangeFromRow);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::membership
