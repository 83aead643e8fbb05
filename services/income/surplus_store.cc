#include "services/income/surplus_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink::income {
namespace {

#define COOPLINK_DISTRIBUTION_COLUMNS                                                             \
  "d.id, d.cooperative_id, d.fiscal_year, d.surplus_fen, d.reserve_fund_bps, "                    \
  "d.reserve_fund_fen, d.distributable_fen, d.patronage_share_bps, d.patronage_pool_fen, "        \
  "d.capital_pool_fen, d.note, d.state, d.publish_time_us, d.display_end_time_us, "               \
  "DATE_FORMAT(d.assembly_date, '%Y-%m-%d') AS assembly_date, d.approved_by, d.approve_time_us, " \
  "d.create_time_us, d.update_time_us"

constexpr const char* kSelectDaySums =
    "SELECT household_id, DATE_FORMAT(occurred_date, '%Y-%m-%d') AS day, SUM(amount_fen) AS fen "
    "FROM income_entries WHERE cooperative_id = ? AND source IN (?, ?) "
    "AND occurred_date BETWEEN ? AND ? GROUP BY household_id, occurred_date";
constexpr const char* kSelectHouseholdDaySums =
    "SELECT household_id, DATE_FORMAT(occurred_date, '%Y-%m-%d') AS day, SUM(amount_fen) AS fen "
    "FROM income_entries WHERE cooperative_id = ? AND household_id = ? AND source IN (?, ?) "
    "AND occurred_date BETWEEN ? AND ? GROUP BY household_id, occurred_date";
constexpr const char* kInsertDistribution =
    "INSERT INTO surplus_distributions (id, cooperative_id, fiscal_year, surplus_fen, "
    "reserve_fund_bps, reserve_fund_fen, distributable_fen, patronage_share_bps, "
    "patronage_pool_fen, capital_pool_fen, note, state, published_key, publish_time_us, "
    "display_end_time_us, assembly_date, approved_by, approve_time_us, created_by, "
    "create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, '', NULL, ?, ?, ?)";
constexpr const char* kInsertAllocationsHead =
    "INSERT INTO surplus_allocations (distribution_id, member_id, household_id, transaction_fen, "
    "capital_contribution_fen, reserve_and_subsidy_fen, capital_and_reserve_fen, member_days, "
    "patronage_fen, capital_fen) VALUES ";
constexpr const char* kAllocationValues = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kSelectDistribution =
    "SELECT " COOPLINK_DISTRIBUTION_COLUMNS " FROM surplus_distributions d WHERE d.id = ?";
constexpr const char* kSelectDistributionForUpdate =
    "SELECT " COOPLINK_DISTRIBUTION_COLUMNS
    " FROM surplus_distributions d WHERE d.id = ? FOR UPDATE";
constexpr const char* kSelectPublishedForUpdate =
    "SELECT id FROM surplus_distributions WHERE published_key = ? FOR UPDATE";
constexpr const char* kSelectPublished = "SELECT " COOPLINK_DISTRIBUTION_COLUMNS
                                         " FROM surplus_distributions d WHERE d.published_key = ?";
constexpr const char* kSelectAllocationsHead =
    "SELECT distribution_id, member_id, household_id, transaction_fen, capital_contribution_fen, "
    "reserve_and_subsidy_fen, capital_and_reserve_fen, member_days, patronage_fen, capital_fen "
    "FROM surplus_allocations WHERE distribution_id IN ";
constexpr const char* kSelectAllocationsTail = " ORDER BY distribution_id, member_id";
constexpr const char* kMarkPublished =
    "UPDATE surplus_distributions SET state = ?, published_key = ?, publish_time_us = ?, "
    "display_end_time_us = ?, update_time_us = ? WHERE id = ? AND state = ?";
constexpr const char* kMarkApproved =
    "UPDATE surplus_distributions SET state = ?, assembly_date = ?, approved_by = ?, "
    "approve_time_us = ?, update_time_us = ? WHERE id = ? AND state = ?";
constexpr const char* kListHead =
    "SELECT " COOPLINK_DISTRIBUTION_COLUMNS " FROM surplus_distributions d WHERE 1 = 1";
constexpr const char* kListAfter = " AND d.id < ?";
constexpr const char* kListTail = " ORDER BY d.id DESC LIMIT ?";

#undef COOPLINK_DISTRIBUTION_COLUMNS

constexpr int kDraft = v1::SURPLUS_DISTRIBUTION_STATE_DRAFT;
constexpr int kPublished = v1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED;
constexpr int kApproved = v1::SURPLUS_DISTRIBUTION_STATE_APPROVED;
constexpr int kMarketplace = v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT;
constexpr int kCooperativeTransaction = v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION;
// Rows per multi-row INSERT (one statement shape; the rest go one row at a time).
constexpr size_t kInsertChunk = 64;

void SetMoney(common::v1::Money* m, int64_t fen) { m->set_fen(fen); }

v1::SurplusDistribution DistributionFrom(sql::ResultSet& rs) {
  v1::SurplusDistribution d;
  d.set_id(rs.getString("id"));
  d.set_cooperative_id(rs.getString("cooperative_id"));
  d.set_fiscal_year(rs.getInt("fiscal_year"));
  SetMoney(d.mutable_surplus(), rs.getInt64("surplus_fen"));
  d.set_reserve_fund_bps(rs.getInt("reserve_fund_bps"));
  SetMoney(d.mutable_reserve_fund(), rs.getInt64("reserve_fund_fen"));
  SetMoney(d.mutable_distributable(), rs.getInt64("distributable_fen"));
  d.set_patronage_share_bps(rs.getInt("patronage_share_bps"));
  SetMoney(d.mutable_patronage_pool(), rs.getInt64("patronage_pool_fen"));
  SetMoney(d.mutable_capital_pool(), rs.getInt64("capital_pool_fen"));
  d.set_note(rs.getString("note"));
  d.set_state(static_cast<v1::SurplusDistributionState>(rs.getInt("state")));
  if (!rs.isNull("publish_time_us")) {
    *d.mutable_publish_time() = ToTimestamp(rs.getInt64("publish_time_us"));
    *d.mutable_display_end_time() = ToTimestamp(rs.getInt64("display_end_time_us"));
  }
  if (!rs.isNull("assembly_date")) {
    *d.mutable_assembly_date() = DateFromSql(rs.getString("assembly_date"));
  }
  d.set_approved_by(rs.getString("approved_by"));
  if (!rs.isNull("approve_time_us")) {
    *d.mutable_approve_time() = ToTimestamp(rs.getInt64("approve_time_us"));
  }
  *d.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *d.mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
  return d;
}

void AllocationFrom(sql::ResultSet& rs, v1::MemberAllocation* a) {
  a->set_member_id(rs.getString("member_id"));
  a->set_household_id(rs.getString("household_id"));
  SetMoney(a->mutable_transaction_amount(), rs.getInt64("transaction_fen"));
  SetMoney(a->mutable_capital_contribution(), rs.getInt64("capital_contribution_fen"));
  SetMoney(a->mutable_reserve_and_subsidy_share(), rs.getInt64("reserve_and_subsidy_fen"));
  SetMoney(a->mutable_capital_and_reserve_share(), rs.getInt64("capital_and_reserve_fen"));
  a->set_member_days(rs.getInt("member_days"));
  const int64_t patronage = rs.getInt64("patronage_fen");
  const int64_t capital = rs.getInt64("capital_fen");
  SetMoney(a->mutable_patronage_allocation(), patronage);
  SetMoney(a->mutable_capital_allocation(), capital);
  SetMoney(a->mutable_total_allocation(), patronage + capital);
}

// Fills the allocations of `ds` in one statement per padded IN list.
void LoadAllocations(Tx& tx, std::vector<v1::SurplusDistribution>& ds) {
  if (ds.empty()) return;
  std::map<std::string, v1::SurplusDistribution*> at;
  std::vector<std::string> ids;
  for (auto& d : ds) {
    at[d.id()] = &d;
    ids.push_back(d.id());
  }
  SqlQuery q{kSelectAllocationsHead, {}};
  AppendInList(ids, &q.sql, &q.params);
  q.sql += kSelectAllocationsTail;
  auto rs = tx.QueryParams(q.sql, q.params);
  while (rs->next()) {
    auto it = at.find(std::string(rs->getString("distribution_id")));
    if (it != at.end()) AllocationFrom(*rs, it->second->add_allocations());
  }
}

void AppendAllocationParams(const std::string& distribution_id, const v1::MemberAllocation& a,
                            std::vector<SqlParam>* params) {
  params->push_back(Param(distribution_id));
  params->push_back(Param(a.member_id()));
  params->push_back(Param(a.household_id()));
  params->push_back(Param(a.transaction_amount().fen()));
  params->push_back(Param(a.capital_contribution().fen()));
  params->push_back(Param(a.reserve_and_subsidy_share().fen()));
  params->push_back(Param(a.capital_and_reserve_share().fen()));
  params->push_back(Param(a.member_days()));
  params->push_back(Param(a.patronage_allocation().fen()));
  params->push_back(Param(a.capital_allocation().fen()));
}

}  // namespace

std::vector<DaySum> LoadCooperativeDaySums(Tx& tx, const std::string& cooperative_id,
                                           absl::CivilDay first, absl::CivilDay last) {
  std::vector<DaySum> out;
  auto rs = tx.Query(kSelectDaySums, cooperative_id, kMarketplace, kCooperativeTransaction,
                     CivilToSql(first), CivilToSql(last));
  while (rs->next()) {
    out.push_back({std::string(rs->getString("household_id")), CivilFromSql(rs->getString("day")),
                   rs->getInt64("fen")});
  }
  return out;
}

std::vector<DaySum> LoadHouseholdDaySums(Tx& tx, const std::string& cooperative_id,
                                         const std::string& household_id, absl::CivilDay first,
                                         absl::CivilDay last) {
  std::vector<DaySum> out;
  auto rs = tx.Query(kSelectHouseholdDaySums, cooperative_id, household_id, kMarketplace,
                     kCooperativeTransaction, CivilToSql(first), CivilToSql(last));
  while (rs->next()) {
    out.push_back({std::string(rs->getString("household_id")), CivilFromSql(rs->getString("day")),
                   rs->getInt64("fen")});
  }
  return out;
}

void InsertDistribution(Tx& tx, const v1::SurplusDistribution& d, const std::string& created_by) {
  const int64_t create_us = TimestampMicros(d.create_time());
  tx.Execute(kInsertDistribution, d.id(), d.cooperative_id(), d.fiscal_year(), d.surplus().fen(),
             d.reserve_fund_bps(), d.reserve_fund().fen(), d.distributable().fen(),
             d.patronage_share_bps(), d.patronage_pool().fen(), d.capital_pool().fen(), d.note(),
             kDraft, created_by, create_us, create_us);
  const int n = d.allocations_size();
  int i = 0;
  const std::string chunk_sql =
      absl::StrCat(kInsertAllocationsHead, Repeated(kInsertChunk, kAllocationValues));
  for (; i + static_cast<int>(kInsertChunk) <= n; i += kInsertChunk) {
    std::vector<SqlParam> params;
    for (size_t k = 0; k < kInsertChunk; ++k) {
      AppendAllocationParams(d.id(), d.allocations(i + k), &params);
    }
    tx.ExecuteParams(chunk_sql, params);
  }
  const std::string one_sql = absl::StrCat(kInsertAllocationsHead, kAllocationValues);
  for (; i < n; ++i) {
    std::vector<SqlParam> params;
    AppendAllocationParams(d.id(), d.allocations(i), &params);
    tx.ExecuteParams(one_sql, params);
  }
}

std::optional<v1::SurplusDistribution> LoadDistribution(Tx& tx, const std::string& id,
                                                        bool for_update) {
  std::vector<v1::SurplusDistribution> ds;
  {
    auto rs = tx.Query(for_update ? kSelectDistributionForUpdate : kSelectDistribution, id);
    if (rs->next()) ds.push_back(DistributionFrom(*rs));
  }
  if (ds.empty()) return std::nullopt;
  LoadAllocations(tx, ds);
  return ds.front();
}

std::optional<std::string> FindPublished(Tx& tx, const std::string& published_key) {
  auto rs = tx.Query(kSelectPublishedForUpdate, published_key);
  if (!rs->next()) return std::nullopt;
  return std::string(rs->getString("id"));
}

std::optional<v1::SurplusDistribution> LoadPublished(Tx& tx, const std::string& published_key) {
  std::vector<v1::SurplusDistribution> ds;
  {
    auto rs = tx.Query(kSelectPublished, published_key);
    if (rs->next()) ds.push_back(DistributionFrom(*rs));
  }
  if (ds.empty()) return std::nullopt;
  LoadAllocations(tx, ds);
  return ds.front();
}

std::string PublishedKey(const std::string& cooperative_id, int fiscal_year) {
  return absl::StrCat(cooperative_id, "/", fiscal_year);
}

bool MarkPublished(Tx& tx, const std::string& id, const std::string& published_key,
                   int64_t publish_us, int64_t display_end_us) {
  return tx.Execute(kMarkPublished, kPublished, published_key, publish_us, display_end_us,
                    publish_us, id, kDraft) == 1;
}

bool MarkApproved(Tx& tx, const std::string& id, absl::CivilDay assembly_date,
                  const std::string& approved_by, int64_t approve_us) {
  return tx.Execute(kMarkApproved, kApproved, CivilToSql(assembly_date), approved_by, approve_us,
                    approve_us, id, kPublished) == 1;
}

SqlQuery DistributionListQuery() { return SqlQuery{kListHead, {}}; }

std::vector<v1::SurplusDistribution> ListDistributions(Tx& tx, SqlQuery query,
                                                       const std::string& after, int limit) {
  if (!after.empty()) query.Add(kListAfter, Param(after));
  query.Add(kListTail, Param(limit));
  std::vector<v1::SurplusDistribution> ds;
  {
    auto rs = tx.QueryParams(query.sql, query.params);
    while (rs->next()) ds.push_back(DistributionFrom(*rs));
  }
  LoadAllocations(tx, ds);
  return ds;
}

}  // namespace cooplink::income
