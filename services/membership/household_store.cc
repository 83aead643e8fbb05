#include "services/membership/household_store.h"

#include <cppconn/resultset.h>

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/common/sql_shapes.h"
#include "services/membership/access_store.h"
#include "services/membership/household_rules.h"

namespace cooplink::membership {
namespace {

constexpr const char* kInsertHousehold =
    "INSERT INTO households (id, village_code, head_name, resident_size, ethnicity, "
    "monitoring_category, created_by_cooperative_id, version, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
constexpr const char* kHouseholdColumns =
    "SELECT h.id, h.village_code, h.head_name, h.resident_size, h.ethnicity, "
    "h.monitoring_category, h.created_by_cooperative_id, h.version, h.create_time_us, "
    "h.update_time_us FROM households h ";
const std::string kSelectHousehold = absl::StrCat(kHouseholdColumns, "WHERE h.id = ?");
const std::string kSelectHouseholdForUpdate =
    absl::StrCat(kHouseholdColumns, "WHERE h.id = ? FOR UPDATE");
constexpr const char* kSelectHouseholdAccessFacts =
    "SELECT id, village_code, created_by_cooperative_id FROM households WHERE id = ?";
// Members in any state count: a household stays visible to a cooperative it has been part of.
constexpr const char* kMemberCooperatives =
    "SELECT DISTINCT cooperative_id FROM members WHERE household_id = ?";
// The list: village prefix and keyset cursor, then the optional category filter, then the scope
// filter, then the order and limit.
const std::string kListHouseholds =
    absl::StrCat(kHouseholdColumns, "WHERE h.village_code LIKE CONCAT(?, '%') AND h.id > ?");
constexpr const char* kCategoryFilter = " AND h.monitoring_category = ?";
// A member of the cooperative in any state, like the scope's own membership test.
constexpr const char* kCooperativeFilter =
    " AND EXISTS (SELECT 1 FROM members mc WHERE mc.household_id = h.id AND mc.cooperative_id = ?)";
constexpr const char* kListOrder = " ORDER BY h.id LIMIT ?";
// RelationTo for households, in SQL.
constexpr ScopeFilter kHouseholdScope = {
    ResourceKind::kHousehold,
    " AND h.village_code IN (SELECT a.village_code FROM assignments a "
    "WHERE a.social_worker_id = ? AND a.state = ? AND a.village_code IS NOT NULL)",
    " AND (EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id "
    "AND m.cooperative_id = ?) OR (h.created_by_cooperative_id = ? AND NOT EXISTS "
    "(SELECT 1 FROM members m2 WHERE m2.household_id = h.id)))",
    " AND h.id = ?",
};
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

// Size history, oldest first: by effective date, then id (the later row of one date holds).
constexpr const char* kSelectSizeHistory =
    "SELECT household_id, resident_size, effective_date FROM household_size_changes "
    "WHERE household_id = ? ORDER BY effective_date, id";
constexpr const char* kSelectSizeHistoryForUpdate =
    "SELECT household_id, resident_size, effective_date FROM household_size_changes "
    "WHERE household_id = ? ORDER BY effective_date, id FOR UPDATE";
// The histories of a page of households: kSizeHistoriesHead, a padded IN list (sql_shapes.h),
// kSizeHistoriesOrder.
constexpr const char* kSizeHistoriesHead =
    "SELECT household_id, resident_size, effective_date FROM household_size_changes "
    "WHERE household_id IN ";
constexpr const char* kSizeHistoriesOrder = " ORDER BY household_id, effective_date, id";
constexpr const char* kLastSizeChangeId =
    "SELECT id FROM household_size_changes WHERE household_id = ? ORDER BY id DESC LIMIT 1 "
    "FOR UPDATE";
constexpr const char* kInsertSizeChange =
    "INSERT INTO household_size_changes (id, household_id, resident_size, effective_date, "
    "changed_by, change_time_us) VALUES (?, ?, ?, ?, ?, ?)";

// Appends the size-history row in `rs` to `h`; rows come oldest first, and a row with the same
// effective date as the last period replaces that period's size (the later row holds).
void AppendSizePeriod(sql::ResultSet& rs, v1::Household* h) {
  const common::v1::Date date = DateFromSql(std::string(rs.getString("effective_date")));
  const int32_t size = rs.getInt("resident_size");
  auto* history = h->mutable_resident_size_history();
  if (!history->empty()) {
    v1::ResidentSizePeriod& last = *history->rbegin();
    if (last.effective_date().year() == date.year() &&
        last.effective_date().month() == date.month() &&
        last.effective_date().day() == date.day()) {
      last.set_resident_size(size);
      return;
    }
  }
  v1::ResidentSizePeriod* period = history->Add();
  *period->mutable_effective_date() = date;
  period->set_resident_size(size);
}

void LoadSizeHistory(Tx& tx, bool for_update, v1::Household* h) {
  auto rs = tx.Query(for_update ? kSelectSizeHistoryForUpdate : kSelectSizeHistory, h->id());
  while (rs->next()) AppendSizePeriod(*rs, h);
}

// The size histories of every household in `households`, in one query.
void LoadSizeHistories(Tx& tx, google::protobuf::RepeatedPtrField<v1::Household>* households) {
  if (households->empty()) return;
  std::vector<std::string> ids;
  std::map<std::string, v1::Household*> by_id;
  for (v1::Household& h : *households) {
    ids.push_back(h.id());
    by_id[h.id()] = &h;
  }
  std::string sql = kSizeHistoriesHead;
  std::vector<SqlParam> params;
  AppendInList(ids, &sql, &params);
  sql += kSizeHistoriesOrder;
  auto rs = tx.QueryParams(sql, params);
  while (rs->next()) {
    auto it = by_id.find(std::string(rs->getString("household_id")));
    if (it != by_id.end()) AppendSizePeriod(*rs, it->second);
  }
}

void HouseholdFromRow(sql::ResultSet& rs, v1::Household* h) {
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

// The access facts of the household in the current row of `rs` (columns id, village_code,
// created_by_cooperative_id).
Subject SubjectFromRow(Tx& tx, sql::ResultSet& rs) {
  // The row is read in full before the next statement runs.
  Subject subject = HouseholdSubject(rs.getString("id"), rs.getString("village_code"),
                                     GetOptionalString(rs, "created_by_cooperative_id"), {});
  auto members = tx.Query(kMemberCooperatives, subject.id);
  while (members->next()) subject.cooperative_ids.push_back(members->getString("cooperative_id"));
  return subject;
}

}  // namespace

void InsertHousehold(Tx& tx, const std::string& id, const v1::Household& h,
                     const std::optional<std::string>& created_by_cooperative_id, int64_t now_us) {
  tx.Execute(kInsertHousehold, id, h.village_code(), h.head_name(), h.resident_size(),
             h.ethnicity(), static_cast<int>(h.monitoring_category()), created_by_cooperative_id,
             now_us, now_us);
}

absl::Status LoadHousehold(Tx& tx, const std::string& id, bool for_update, v1::Household* out,
                           Subject* subject) {
  auto rs = tx.Query(for_update ? kSelectHouseholdForUpdate : kSelectHousehold, id);
  if (!rs->next()) return NotFound("household", id);
  HouseholdFromRow(*rs, out);
  if (subject != nullptr) *subject = SubjectFromRow(tx, *rs);
  LoadSizeHistory(tx, for_update, out);
  return absl::OkStatus();
}

std::optional<Subject> LoadHouseholdSubject(Tx& tx, const std::string& id) {
  auto rs = tx.Query(kSelectHouseholdAccessFacts, id);
  if (!rs->next()) return std::nullopt;
  return SubjectFromRow(tx, *rs);
}

void SaveHousehold(Tx& tx, const v1::Household& next, int64_t now_us) {
  tx.Execute(kUpdateHousehold, next.village_code(), next.head_name(), next.resident_size(),
             next.ethnicity(), now_us, next.id());
}

void UpdateMonitoringCategory(Tx& tx, const std::string& id, v1::MonitoringCategory category,
                              int64_t now_us) {
  tx.Execute(kUpdateCategory, static_cast<int>(category), now_us, id);
}

void LoadHouseholdPage(Tx& tx, const Scope& scope, const v1::ListHouseholdsRequest& req,
                       const PageRequest& page, const std::string& filters,
                       v1::ListHouseholdsResponse* out) {
  SqlQuery q{kListHouseholds, {Param(req.village_code_prefix()), Param(page.after)}};
  if (req.monitoring_category() != v1::MONITORING_CATEGORY_UNSPECIFIED) {
    q.Add(kCategoryFilter, Param(static_cast<int>(req.monitoring_category())));
  }
  if (!req.cooperative_id().empty()) q.Add(kCooperativeFilter, Param(req.cooperative_id()));
  if (!AppendScopeFilter(scope, kHouseholdScope, &q.sql, &q.params)) return;
  q.Add(kListOrder, Param(static_cast<int64_t>(page.size) + 1));
  {
    auto rs = tx.QueryParams(q.sql, q.params);
    FillPage(*rs, page, filters, out->mutable_households(), out->mutable_next_page_token(),
             HouseholdFromRow);
  }
  LoadSizeHistories(tx, out->mutable_households());
}

void InsertSizeChange(Tx& tx, const std::string& household_id, int32_t resident_size,
                      absl::CivilDay effective, const std::string& changed_by, absl::Time now) {
  std::optional<std::string> last_id;
  auto rs = tx.Query(kLastSizeChangeId, household_id);
  if (rs->next()) last_id = std::string(rs->getString("id"));
  tx.Execute(kInsertSizeChange, OrderedChangeId(NewId(now), last_id), household_id, resident_size,
             CivilToSql(effective), changed_by, ToMicros(now));
}

void InsertCategoryChange(Tx& tx, const std::string& household_id, v1::MonitoringCategory from,
                          v1::MonitoringCategory to, const std::string& reason,
                          const std::string& effective_date_sql, const std::string& changed_by,
                          absl::Time now) {
  std::optional<std::string> last_id;
  auto rs = tx.Query(kLastChangeId, household_id);
  if (rs->next()) last_id = GetOptionalString(*rs, "last_id");
  tx.Execute(kInsertChange, OrderedChangeId(NewId(now), last_id), household_id,
             static_cast<int>(from), static_cast<int>(to), reason, effective_date_sql, changed_by,
             ToMicros(now));
}

void LoadCategoryChangePage(Tx& tx, const std::string& household_id, const PageRequest& page,
                            v1::ListCategoryChangesResponse* out) {
  auto rs = tx.Query(kListChanges, household_id, page.after, static_cast<int64_t>(page.size) + 1);
  FillPage(*rs, page, household_id, out->mutable_changes(), out->mutable_next_page_token(),
           ChangeFromRow);
}

}  // namespace cooplink::membership
