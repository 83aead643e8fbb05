// Storage of the settlement importer: the settlements it applied (settlement_imports), reversal
// settlements waiting for the settlement they reverse (pending_reversals), households queued for
// an alert review after an import (household_alert_reviews, migration 0002), and the importer's
// status (its stream cursor row in stream_cursors).
#ifndef COOPLINK_SERVICES_INCOME_IMPORT_STORE_H_
#define COOPLINK_SERVICES_INCOME_IMPORT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/db.h"

namespace cooplink::income {

bool SettlementImported(Tx& tx, const std::string& settlement_id);
// Records an applied settlement (a duplicate is a thrown duplicate key: ALREADY_EXISTS).
void InsertSettlementImport(Tx& tx, const orders::v1::Settlement& s, int entries,
                            int64_t event_time_us, int64_t apply_time_us);

bool PendingReversalExists(Tx& tx, const std::string& settlement_id);
void InsertPendingReversal(Tx& tx, const orders::v1::Settlement& reversal, int64_t event_time_us,
                           int64_t arrive_time_us);
struct PendingReversal {
  orders::v1::Settlement settlement;
  int64_t event_time_us = 0;
};
// The reversals waiting for `reversed_settlement_id`, locked, oldest first; and deletes them.
std::vector<PendingReversal> TakePendingReversals(Tx& tx,
                                                  const std::string& reversed_settlement_id);

// Queues a household for the alert review job (one row per household; see migration 0002).
void QueueHouseholdReview(Tx& tx, const std::string& household_id, const std::string& reason,
                          int64_t now_us);
struct HouseholdReview {
  std::string household_id;
  std::string reason;
  int64_t queue_time_us = 0;
};
// The oldest `limit` queued reviews (for the review job).
std::vector<HouseholdReview> LoadHouseholdReviews(Tx& tx, int limit);
// Locks the household's queued review (before re-evaluating it in the same transaction); false
// when another review already took it.
bool LockHouseholdReview(Tx& tx, const std::string& household_id);
void DeleteHouseholdReview(Tx& tx, const std::string& household_id);

struct ImportStatusRow {
  std::optional<std::string> cursor;
  std::optional<int64_t> cursor_update_time_us;
  std::optional<int64_t> last_event_time_us;
  int64_t settlements_applied = 0;
  int64_t reversals_waiting = 0;
};
ImportStatusRow LoadImportStatus(Tx& tx, const std::string& consumer_name);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_IMPORT_STORE_H_
