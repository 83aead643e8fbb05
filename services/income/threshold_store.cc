#include "services/income/threshold_store.h"

#include "services/common/fields.h"
#include "services/common/sql_shapes.h"

namespace cooplink::income {
namespace {

#define COOPLINK_THRESHOLD_COLUMNS \
  "id, region_code, year, amount_per_capita_fen, source_document, created_by, create_time_us"

constexpr const char* kLockThreshold =
    "SELECT " COOPLINK_THRESHOLD_COLUMNS
    " FROM monitoring_thresholds WHERE region_code = ? AND year = ? FOR UPDATE";
constexpr const char* kInsertThreshold =
    "INSERT INTO monitoring_thresholds (" COOPLINK_THRESHOLD_COLUMNS
    ") VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kCandidatesHead =
    "SELECT id, region_code, year, amount_per_capita_fen FROM monitoring_thresholds "
    "WHERE year = ? AND region_code IN ";
constexpr const char* kListHead = "SELECT " COOPLINK_THRESHOLD_COLUMNS
                                  " FROM monitoring_thresholds "
                                  "WHERE region_code LIKE CONCAT(?, '%') AND (? = 0 OR year = ?) "
                                  "AND (region_code > ? OR (region_code = ? AND year > ?)) "
                                  "ORDER BY region_code, year LIMIT ?";

#undef COOPLINK_THRESHOLD_COLUMNS

constexpr const char* kSelectBaseline =
    "SELECT household_id, year, per_capita_fen, source_note, set_by, set_time_us "
    "FROM household_baselines WHERE household_id = ?";
constexpr const char* kUpsertBaseline =
    "INSERT INTO household_baselines (household_id, year, per_capita_fen, source_note, set_by, "
    "set_time_us) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE year = VALUES(year), "
    "per_capita_fen = VALUES(per_capita_fen), source_note = VALUES(source_note), "
    "set_by = VALUES(set_by), set_time_us = VALUES(set_time_us)";

constexpr const char* kInsertReview =
    "INSERT INTO alert_reviews (id, region_code, reason, after_household_id, create_time_us) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr const char* kReviewQueued =
    "SELECT id FROM alert_reviews WHERE region_code = ? AND reason = ? FOR UPDATE";
constexpr const char* kFirstReview =
    "SELECT id, region_code, reason, after_household_id FROM alert_reviews ORDER BY id LIMIT 1";
constexpr const char* kLockReview =
    "SELECT id, region_code, reason, after_household_id FROM alert_reviews WHERE id = ? "
    "FOR UPDATE";
constexpr const char* kAdvanceReview =
    "UPDATE alert_reviews SET after_household_id = ? WHERE id = ?";
constexpr const char* kDeleteReview = "DELETE FROM alert_reviews WHERE id = ?";

v1::MonitoringThreshold ThresholdFromRow(sql::ResultSet& rs) {
  v1::MonitoringThreshold t;
  t.set_id(rs.getString("id"));
  t.set_region_code(rs.getString("region_code"));
  t.set_year(rs.getInt("year"));
  t.mutable_amount_per_capita()->set_fen(rs.getInt64("amount_per_capita_fen"));
  t.set_source_document(rs.getString("source_document"));
  t.set_created_by(rs.getString("created_by"));
  *t.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  return t;
}

AlertReview ReviewFromRow(sql::ResultSet& rs) {
  return {rs.getString("id"), rs.getString("region_code"), rs.getString("reason"),
          rs.getString("after_household_id")};
}

}  // namespace

std::optional<v1::MonitoringThreshold> LockThreshold(Tx& tx, const std::string& region_code,
                                                     int32_t year) {
  auto rs = tx.Query(kLockThreshold, region_code, year);
  if (!rs->next()) return std::nullopt;
  return ThresholdFromRow(*rs);
}

void InsertThreshold(Tx& tx, const v1::MonitoringThreshold& t) {
  tx.Execute(kInsertThreshold, t.id(), t.region_code(), t.year(), t.amount_per_capita().fen(),
             t.source_document(), t.created_by(), TimestampMicros(t.create_time()));
}

std::vector<ThresholdCandidate> LoadThresholdCandidates(Tx& tx,
                                                        const std::vector<std::string>& regions,
                                                        int32_t year) {
  std::vector<ThresholdCandidate> out;
  if (regions.empty()) return out;
  SqlQuery q{kCandidatesHead, {Param(year)}};
  AppendInList(regions, &q.sql, &q.params);
  auto rs = tx.QueryParams(q.sql, q.params);
  while (rs->next()) {
    out.push_back({rs->getString("id"), rs->getString("region_code"), rs->getInt("year"),
                   rs->getInt64("amount_per_capita_fen")});
  }
  return out;
}

std::vector<v1::MonitoringThreshold> ListThresholds(Tx& tx, const std::string& prefix, int32_t year,
                                                    const std::string& after_region,
                                                    int32_t after_year, int limit) {
  std::vector<v1::MonitoringThreshold> out;
  auto rs = tx.Query(kListHead, prefix, year, year, after_region, after_region, after_year,
                     static_cast<int64_t>(limit));
  while (rs->next()) out.push_back(ThresholdFromRow(*rs));
  return out;
}

std::optional<v1::HouseholdBaseline> LoadBaseline(Tx& tx, const std::string& household_id) {
  auto rs = tx.Query(kSelectBaseline, household_id);
  if (!rs->next()) return std::nullopt;
  v1::HouseholdBaseline b;
  b.set_household_id(rs->getString("household_id"));
  b.set_year(rs->getInt("year"));
  b.mutable_per_capita_net_income()->set_fen(rs->getInt64("per_capita_fen"));
  b.set_source_note(rs->getString("source_note"));
  b.set_set_by(rs->getString("set_by"));
  *b.mutable_set_time() = ToTimestamp(rs->getInt64("set_time_us"));
  return b;
}

void UpsertBaseline(Tx& tx, const v1::HouseholdBaseline& b) {
  tx.Execute(kUpsertBaseline, b.household_id(), b.year(), b.per_capita_net_income().fen(),
             b.source_note(), b.set_by(), TimestampMicros(b.set_time()));
}

void InsertReview(Tx& tx, const AlertReview& review, int64_t now_us) {
  tx.Execute(kInsertReview, review.id, review.region_code, review.reason, review.after_household_id,
             now_us);
}

bool ReviewQueued(Tx& tx, const std::string& region_code, const std::string& reason) {
  auto rs = tx.Query(kReviewQueued, region_code, reason);
  return rs->next();
}

std::optional<AlertReview> FirstReview(Tx& tx) {
  auto rs = tx.Query(kFirstReview);
  if (!rs->next()) return std::nullopt;
  return ReviewFromRow(*rs);
}

std::optional<AlertReview> LockReview(Tx& tx, const std::string& id) {
  auto rs = tx.Query(kLockReview, id);
  if (!rs->next()) return std::nullopt;
  return ReviewFromRow(*rs);
}

void AdvanceReview(Tx& tx, const std::string& id, const std::string& after_household_id) {
  tx.Execute(kAdvanceReview, after_household_id, id);
}

void DeleteReview(Tx& tx, const std::string& id) { tx.Execute(kDeleteReview, id); }

}  // namespace cooplink::income
