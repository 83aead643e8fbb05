#include "services/income/import_store.h"

#include "services/common/fields.h"

namespace cooplink::income {
namespace {

namespace ov1 = ::cooplink::orders::v1;

constexpr const char* kImported = "SELECT 1 FROM settlement_imports WHERE settlement_id = ?";
constexpr const char* kInsertImport =
    "INSERT INTO settlement_imports (settlement_id, cooperative_id, reversed_settlement_id, "
    "entries, event_time_us, apply_time_us) VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kPendingExists = "SELECT 1 FROM pending_reversals WHERE settlement_id = ?";
constexpr const char* kInsertPending =
    "INSERT INTO pending_reversals (settlement_id, reversed_settlement_id, settlement, "
    "event_time_us, arrive_time_us) VALUES (?, ?, ?, ?, ?)";
constexpr const char* kSelectPending =
    "SELECT settlement_id, settlement, event_time_us FROM pending_reversals "
    "WHERE reversed_settlement_id = ? ORDER BY settlement_id FOR UPDATE";
constexpr const char* kDeletePending = "DELETE FROM pending_reversals WHERE settlement_id = ?";
constexpr const char* kQueueReview =
    "INSERT INTO household_alert_reviews (household_id, reason, queue_time_us) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE household_id = household_id";
constexpr const char* kSelectReviews =
    "SELECT household_id, reason, queue_time_us FROM household_alert_reviews "
    "ORDER BY queue_time_us, household_id LIMIT ?";
constexpr const char* kLockReview =
    "SELECT 1 FROM household_alert_reviews WHERE household_id = ? FOR UPDATE";
constexpr const char* kDeleteReview = "DELETE FROM household_alert_reviews WHERE household_id = ?";
constexpr const char* kSelectCursor =
    "SELECT cursor_value, update_time_us FROM stream_cursors WHERE stream_name = ?";
constexpr const char* kImportCounts =
    "SELECT COUNT(*) AS n, MAX(event_time_us) AS last_us FROM settlement_imports";
constexpr const char* kPendingCount = "SELECT COUNT(*) AS n FROM pending_reversals";

}  // namespace

bool SettlementImported(Tx& tx, const std::string& settlement_id) {
  return tx.Query(kImported, settlement_id)->next();
}

void InsertSettlementImport(Tx& tx, const ov1::Settlement& s, int entries, int64_t event_time_us,
                            int64_t apply_time_us) {
  tx.ExecuteParams(kInsertImport,
                   {s.id(), s.cooperative_id(),
                    s.reversed_settlement_id().empty() ? SqlParam(nullptr)
                                                       : SqlParam(s.reversed_settlement_id()),
                    static_cast<int64_t>(entries), event_time_us, apply_time_us});
}

bool PendingReversalExists(Tx& tx, const std::string& settlement_id) {
  return tx.Query(kPendingExists, settlement_id)->next();
}

void InsertPendingReversal(Tx& tx, const ov1::Settlement& reversal, int64_t event_time_us,
                           int64_t arrive_time_us) {
  tx.Execute(kInsertPending, reversal.id(), reversal.reversed_settlement_id(),
             reversal.SerializeAsString(), event_time_us, arrive_time_us);
}

std::vector<PendingReversal> TakePendingReversals(Tx& tx,
                                                  const std::string& reversed_settlement_id) {
  std::vector<PendingReversal> out;
  std::vector<std::string> ids;
  auto rs = tx.Query(kSelectPending, reversed_settlement_id);
  while (rs->next()) {
    PendingReversal p;
    p.settlement.ParseFromString(std::string(rs->getString("settlement")));
    p.event_time_us = rs->getInt64("event_time_us");
    ids.push_back(rs->getString("settlement_id"));
    out.push_back(std::move(p));
  }
  for (const std::string& id : ids) tx.Execute(kDeletePending, id);
  return out;
}

void QueueHouseholdReview(Tx& tx, const std::string& household_id, const std::string& reason,
                          int64_t now_us) {
  tx.Execute(kQueueReview, household_id, reason, now_us);
}

std::vector<HouseholdReview> LoadHouseholdReviews(Tx& tx, int limit) {
  std::vector<HouseholdReview> out;
  auto rs = tx.Query(kSelectReviews, static_cast<int64_t>(limit));
  while (rs->next()) {
    out.push_back(
        {rs->getString("household_id"), rs->getString("reason"), rs->getInt64("queue_time_us")});
  }
  return out;
}

bool LockHouseholdReview(Tx& tx, const std::string& household_id) {
  return tx.Query(kLockReview, household_id)->next();
}

void DeleteHouseholdReview(Tx& tx, const std::string& household_id) {
  tx.Execute(kDeleteReview, household_id);
}

ImportStatusRow LoadImportStatus(Tx& tx, const std::string& consumer_name) {
  ImportStatusRow row;
  auto cursor = tx.Query(kSelectCursor, consumer_name);
  if (cursor->next()) {
    row.cursor = cursor->getString("cursor_value");
    row.cursor_update_time_us = cursor->getInt64("update_time_us");
  }
  auto counts = tx.Query(kImportCounts);
  if (counts->next()) {
    row.settlements_applied = counts->getInt64("n");
    if (!counts->isNull("last_us")) row.last_event_time_us = counts->getInt64("last_us");
  }
  auto pending = tx.Query(kPendingCount);
  if (pending->next()) row.reversals_waiting = pending->getInt64("n");
  return row;
}

}  // namespace cooplink::income
