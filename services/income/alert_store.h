// Alerts and the ledger reads the income arithmetic needs (summaries, alert evaluation): SQL and
// row mapping. Every function runs inside the caller's transaction (or db.Read).
//
// Lock order of an evaluation: the household's non-RESOLVED alerts (LockOpenAlerts, FOR UPDATE on
// idx_alerts_household) before any alert is inserted or changed. Two evaluations of one household
// that both found no alert serialise on InnoDB's range lock (a deadlock, retried by
// Database::Transact); on TiDB, which takes no gap locks, the second INSERT meets uk_alerts_open
// and does nothing (InsertAlert is an upsert that keeps the existing row).
#ifndef COOPLINK_SERVICES_INCOME_ALERT_STORE_H_
#define COOPLINK_SERVICES_INCOME_ALERT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "cooplink/income/v1/income.pb.h"
#include "services/common/db.h"
#include "services/income/income_rules.h"

namespace cooplink::income {

// The household's entries with occurred_date in first..last (reversals included), what the
// arithmetic needs of each.
std::vector<LedgerAmount> LoadLedgerAmounts(Tx& tx, const std::string& household_id,
                                            absl::CivilDay first, absl::CivilDay last);

// The household's alerts that are not RESOLVED (open_key set), locked.
std::vector<v1::Alert> LockOpenAlerts(Tx& tx, const std::string& household_id);
// Raises `alert` unless a non-RESOLVED alert holds `open_key` already (then nothing changes).
void InsertAlert(Tx& tx, const v1::Alert& alert, const std::string& open_key, int64_t now_us);
// Sets or clears recovered (recover_time with it).
void SetAlertRecovered(Tx& tx, const std::string& id, bool recovered, int64_t now_us);
std::optional<v1::Alert> LoadAlert(Tx& tx, const std::string& id, bool for_update);
// OPEN → ACKNOWLEDGED; returns the affected rows (0 when the alert was not OPEN).
int64_t MarkAcknowledged(Tx& tx, const std::string& id, const std::string& by, int64_t now_us);
// OPEN/ACKNOWLEDGED → RESOLVED, open_key cleared; returns the affected rows.
int64_t MarkResolved(Tx& tx, const std::string& id, const std::string& by, const std::string& note,
                     int64_t now_us);

struct AlertFilter {
  // A social worker's villages; nullopt for no scope restriction (platform admin). Never empty
  // when set (the caller answers an empty caseload with an empty page).
  std::optional<std::vector<std::string>> villages;
  std::string village_prefix;
  std::string household_id;
  v1::AlertKind kind = v1::ALERT_KIND_UNSPECIFIED;
  v1::AlertState state = v1::ALERT_STATE_UNSPECIFIED;
  std::string before_id;  // keyset: ids below this one ("" for the first page)
  int limit = 51;
};
// Alerts matching the filter, newest first (id descending).
std::vector<v1::Alert> ListAlertRows(Tx& tx, const AlertFilter& filter);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_ALERT_STORE_H_
