#include "services/income/report_store.h"

#include <algorithm>

#include "services/common/fields.h"
#include "services/common/sql_shapes.h"

namespace cooplink::income {
namespace {

// Each statement: head, a padded IN list of household ids, then the period (and filter) and the
// grouping. The IN list drives the range reads of idx_income_entries_household.
constexpr const char* kSumsHead =
    "SELECT household_id, kind, source, support_source_id IS NOT NULL AS supported, "
    "SUM(amount_fen) AS fen FROM income_entries WHERE household_id IN ";
constexpr const char* kSumsTail =
    " AND occurred_date BETWEEN ? AND ? GROUP BY household_id, kind, source, supported";
constexpr const char* kMarketSumsTail =
    " AND occurred_date BETWEEN ? AND ? AND source = ? AND cooperative_id = ? "
    "GROUP BY household_id, kind, source, supported";
constexpr const char* kMonthlyHead =
    "SELECT DATE_FORMAT(occurred_date, '%Y-%m') AS month, "
    "SUM(CASE WHEN kind = ? THEN -amount_fen ELSE amount_fen END) AS net, "
    "SUM(CASE WHEN source = ? THEN amount_fen ELSE 0 END) AS market "
    "FROM income_entries WHERE household_id IN ";
constexpr const char* kMonthlyTail =
    " AND occurred_date BETWEEN ? AND ? GROUP BY DATE_FORMAT(occurred_date, '%Y-%m')";
constexpr const char* kMarketMonthlyTail =
    " AND occurred_date BETWEEN ? AND ? AND source = ? AND cooperative_id = ? "
    "GROUP BY DATE_FORMAT(occurred_date, '%Y-%m')";
constexpr const char* kSourcesHead =
    "SELECT household_id, support_source_id, SUM(amount_fen) AS fen FROM income_entries "
    "WHERE household_id IN ";
constexpr const char* kSourcesTail =
    " AND occurred_date BETWEEN ? AND ? AND support_source_id IS NOT NULL "
    "GROUP BY household_id, support_source_id";
constexpr const char* kSelectLines =
    "SELECT region_code, amount_per_capita_fen FROM monitoring_thresholds WHERE year = ?";
constexpr const char* kSelectSourceNamesHead = "SELECT id, name FROM support_sources WHERE id IN ";

constexpr int kCost = v1::INCOME_KIND_PRODUCTION_COST;
constexpr int kMarketplace = v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT;
// Household ids per statement (the largest IN-list shape used).
constexpr size_t kChunk = 1024;

// Runs head + IN(chunk) + tail for every chunk of `ids` (the head's params bound ahead of the ids,
// `after` behind them); `row` reads each result row.
template <typename Row>
void ForChunks(Tx& tx, const std::vector<std::string>& ids, const SqlQuery& head, const char* tail,
               const std::vector<SqlParam>& after, Row row) {
  for (size_t i = 0; i < ids.size(); i += kChunk) {
    const std::vector<std::string> chunk(ids.begin() + i,
                                         ids.begin() + std::min(ids.size(), i + kChunk));
    SqlQuery q = head;
    AppendInList(chunk, &q.sql, &q.params);
    q.sql += tail;
    q.params.insert(q.params.end(), after.begin(), after.end());
    auto rs = tx.QueryParams(q.sql, q.params);
    while (rs->next()) row(*rs);
  }
}

std::vector<SqlParam> PeriodParams(const LedgerFilter& f) {
  std::vector<SqlParam> p = {Param(CivilToSql(f.start)), Param(CivilToSql(f.end))};
  if (!f.marketplace_cooperative_id.empty()) {
    p.push_back(Param(kMarketplace));
    p.push_back(Param(f.marketplace_cooperative_id));
  }
  return p;
}

}  // namespace

std::map<std::string, HouseholdSums> LoadHouseholdSums(Tx& tx,
                                                       const std::vector<std::string>& households,
                                                       const LedgerFilter& f) {
  std::map<std::string, HouseholdSums> out;
  const bool market = !f.marketplace_cooperative_id.empty();
  ForChunks(tx, households, SqlQuery{kSumsHead, {}}, market ? kMarketSumsTail : kSumsTail,
            PeriodParams(f), [&](sql::ResultSet& rs) {
              out[rs.getString("household_id")].Add(
                  static_cast<v1::IncomeKind>(rs.getInt("kind")),
                  static_cast<v1::IncomeSource>(rs.getInt("source")), rs.getInt("supported") != 0,
                  rs.getInt64("fen"));
            });
  return out;
}

std::map<std::string, MonthSums> LoadMonthlySums(Tx& tx, const std::vector<std::string>& households,
                                                 const LedgerFilter& f) {
  std::map<std::string, MonthSums> out;
  const bool market = !f.marketplace_cooperative_id.empty();
  ForChunks(tx, households, SqlQuery{kMonthlyHead, {Param(kCost), Param(kMarketplace)}},
            market ? kMarketMonthlyTail : kMonthlyTail, PeriodParams(f), [&](sql::ResultSet& rs) {
              MonthSums& m = out[rs.getString("month")];
              if (!market) m.net += rs.getInt64("net");
              m.marketplace += rs.getInt64("market");
            });
  return out;
}

std::vector<SourceSum> LoadSourceSums(Tx& tx, const std::vector<std::string>& households,
                                      const LedgerFilter& f) {
  std::vector<SourceSum> out;
  ForChunks(tx, households, SqlQuery{kSourcesHead, {}}, kSourcesTail, PeriodParams(f),
            [&](sql::ResultSet& rs) {
              out.push_back({std::string(rs.getString("household_id")),
                             std::string(rs.getString("support_source_id")), rs.getInt64("fen")});
            });
  return out;
}

std::map<std::string, int64_t> LoadLines(Tx& tx, int year) {
  std::map<std::string, int64_t> out;
  auto rs = tx.Query(kSelectLines, year);
  while (rs->next()) out[rs->getString("region_code")] = rs->getInt64("amount_per_capita_fen");
  return out;
}

std::map<std::string, std::string> LoadSourceNames(Tx& tx, const std::vector<std::string>& ids) {
  std::map<std::string, std::string> out;
  if (ids.empty()) return out;
  SqlQuery q{kSelectSourceNamesHead, {}};
  AppendInList(ids, &q.sql, &q.params);
  auto rs = tx.QueryParams(q.sql, q.params);
  while (rs->next()) out[rs->getString("id")] = rs->getString("name");
  return out;
}

}  // namespace cooplink::income
