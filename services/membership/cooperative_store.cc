#include "services/membership/cooperative_store.h"

#include <cppconn/resultset.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/membership/access_store.h"

namespace cooplink::membership {
namespace {

constexpr int kMemberActive = v1::MEMBER_STATE_ACTIVE;
constexpr int kMemberExitRequested = v1::MEMBER_STATE_EXIT_REQUESTED;

constexpr const char* kInsertCooperative =
    "INSERT INTO cooperatives (id, name, uscc, region_code, fiscal_year_end_month, "
    "service_fee_bps, version, create_time_us, update_time_us) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)";
// Binds the ACTIVE member state twice (for the two counts) before any condition's parameters.
constexpr const char* kCooperativeColumns =
    "SELECT c.id, c.name, c.uscc, c.region_code, c.fiscal_year_end_month, c.service_fee_bps, "
    "c.version, c.create_time_us, c.update_time_us, "
    "(SELECT COUNT(*) FROM members m WHERE m.cooperative_id = c.id AND m.state = ?) AS members, "
    "(SELECT COUNT(*) FROM members m WHERE m.cooperative_id = c.id AND m.state = ? "
    " AND m.is_farmer) AS farmers FROM cooperatives c ";
const std::string kSelectCooperative = absl::StrCat(kCooperativeColumns, "WHERE c.id = ?");
const std::string kSelectCooperativeForUpdate =
    absl::StrCat(kCooperativeColumns, "WHERE c.id = ? FOR UPDATE");
// The list: region prefix and keyset cursor, then the scope filter, then the order and limit.
const std::string kListCooperatives =
    absl::StrCat(kCooperativeColumns, "WHERE c.region_code LIKE CONCAT(?, '%') AND c.id > ?");
constexpr const char* kListOrder = " ORDER BY c.id LIMIT ?";
// RelationTo for cooperatives, in SQL.
constexpr ScopeFilter kCooperativeScope = {
    ResourceKind::kCooperative,
    " AND c.id IN (SELECT a.cooperative_id FROM assignments a WHERE a.social_worker_id = ? "
    "AND a.state = ?)",
    " AND c.id = ?",
    " AND c.id = ?",
};
constexpr const char* kUpdateCooperative =
    "UPDATE cooperatives SET name = ?, region_code = ?, fiscal_year_end_month = ?, "
    "service_fee_bps = ?, version = version + 1, update_time_us = ? WHERE id = ?";
constexpr const char* kCooperativeExists = "SELECT 1 FROM cooperatives WHERE id = ?";
constexpr const char* kLockCooperative =
    "SELECT fiscal_year_end_month, region_code FROM cooperatives WHERE id = ? FOR UPDATE";
constexpr const char* kPendingExits =
    "SELECT 1 FROM members WHERE cooperative_id = ? AND state = ? LIMIT 1";

void CooperativeFromRow(sql::ResultSet& rs, v1::Cooperative* c) {
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

}  // namespace

void InsertCooperative(Tx& tx, const std::string& id, const v1::Cooperative& c, int64_t now_us) {
  tx.Execute(kInsertCooperative, id, c.name(), c.uscc(), c.region_code(), c.fiscal_year_end_month(),
             c.service_fee_bps(), now_us, now_us);
}

absl::Status LoadCooperative(Tx& tx, const std::string& id, bool for_update, v1::Cooperative* out) {
  auto rs = tx.Query(for_update ? kSelectCooperativeForUpdate : kSelectCooperative, kMemberActive,
                     kMemberActive, id);
  if (!rs->next()) return NotFound("cooperative", id);
  CooperativeFromRow(*rs, out);
  return absl::OkStatus();
}

void SaveCooperative(Tx& tx, const v1::Cooperative& next, int64_t now_us) {
  tx.Execute(kUpdateCooperative, next.name(), next.region_code(), next.fiscal_year_end_month(),
             next.service_fee_bps(), now_us, next.id());
}

void LoadCooperativePage(Tx& tx, const Scope& scope, const std::string& region_prefix,
                         const PageRequest& page, const std::string& filters,
                         v1::ListCooperativesResponse* out) {
  std::string sql = kListCooperatives;
  std::vector<SqlParam> params = {Param(kMemberActive), Param(kMemberActive), Param(region_prefix),
                                  Param(page.after)};
  if (!AppendScopeFilter(scope, kCooperativeScope, &sql, &params)) return;
  absl::StrAppend(&sql, kListOrder);
  params.push_back(Param(static_cast<int64_t>(page.size) + 1));
  auto rs = tx.QueryParams(sql, params);
  FillPage(*rs, page, filters, out->mutable_cooperatives(), out->mutable_next_page_token(),
           CooperativeFromRow);
}

bool CooperativeExists(Tx& tx, const std::string& id) {
  return tx.Query(kCooperativeExists, id)->next();
}

std::optional<LockedCooperative> LockCooperative(Tx& tx, const std::string& id) {
  auto rs = tx.Query(kLockCooperative, id);
  if (!rs->next()) return std::nullopt;
  return LockedCooperative{rs->getInt("fiscal_year_end_month"), rs->getString("region_code")};
}

bool HasPendingExits(Tx& tx, const std::string& cooperative_id) {
  return tx.Query(kPendingExits, cooperative_id, kMemberExitRequested)->next();
}

}  // namespace cooplink::membership
