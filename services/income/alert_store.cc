#include "services/income/alert_store.h"

#include "services/common/fields.h"
#include "services/common/sql_shapes.h"

namespace cooplink::income {
namespace {

constexpr const char* kSelectLedgerAmounts =
    "SELECT kind, amount_fen, occurred_date, source, support_source_id FROM income_entries "
    "WHERE household_id = ? AND occurred_date BETWEEN ? AND ? ORDER BY occurred_date, id";

#define COOPLINK_ALERT_COLUMNS                                                           \
  "id, household_id, village_code, kind, year, state, per_capita_fen, threshold_fen, "   \
  "previous_per_capita_fen, detail, acknowledged_by, acknowledge_time_us, resolved_by, " \
  "resolve_time_us, resolution_note, recovered, recover_time_us, create_time_us"

constexpr const char* kLockOpenAlerts =
    "SELECT " COOPLINK_ALERT_COLUMNS
    " FROM alerts WHERE household_id = ? AND open_key IS NOT NULL ORDER BY id FOR UPDATE";
constexpr const char* kInsertAlert =
    "INSERT INTO alerts (id, household_id, village_code, kind, year, state, open_key, "
    "per_capita_fen, threshold_fen, previous_per_capita_fen, detail, acknowledged_by, "
    "acknowledge_time_us, resolved_by, resolve_time_us, resolution_note, recovered, "
    "recover_time_us, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL, '', NULL, '', 0, NULL, ?, ?) "
    // A concurrent evaluation raised the same alert first (TiDB takes no gap locks, so both may
    // get here): the non-RESOLVED alert stays the one there is, and this write changes nothing.
    "ON DUPLICATE KEY UPDATE open_key = open_key";
constexpr const char* kSetRecovered =
    "UPDATE alerts SET recovered = 1, recover_time_us = ?, update_time_us = ? "
    "WHERE id = ? AND recovered = 0";
constexpr const char* kClearRecovered =
    "UPDATE alerts SET recovered = 0, recover_time_us = NULL, update_time_us = ? "
    "WHERE id = ? AND recovered = 1";
constexpr const char* kSelectAlert = "SELECT " COOPLINK_ALERT_COLUMNS " FROM alerts WHERE id = ?";
constexpr const char* kLockAlert =
    "SELECT " COOPLINK_ALERT_COLUMNS " FROM alerts WHERE id = ? FOR UPDATE";
constexpr const char* kAcknowledge =
    "UPDATE alerts SET state = ?, acknowledged_by = ?, acknowledge_time_us = ?, "
    "update_time_us = ? WHERE id = ? AND state = ?";
constexpr const char* kResolve =
    "UPDATE alerts SET state = ?, open_key = NULL, resolved_by = ?, resolve_time_us = ?, "
    "resolution_note = ?, update_time_us = ? WHERE id = ? AND state IN (?, ?)";

constexpr const char* kListHead = "SELECT " COOPLINK_ALERT_COLUMNS " FROM alerts WHERE 1 = 1";
constexpr const char* kFilterVillagesIn = " AND village_code IN ";
constexpr const char* kFilterPrefix = " AND village_code LIKE CONCAT(?, '%')";
constexpr const char* kFilterHousehold = " AND household_id = ?";
constexpr const char* kFilterKind = " AND kind = ?";
constexpr const char* kFilterState = " AND state = ?";
constexpr const char* kFilterBefore = " AND id < ?";
constexpr const char* kOrderNewestFirst = " ORDER BY id DESC LIMIT ?";

#undef COOPLINK_ALERT_COLUMNS

constexpr int kOpen = v1::ALERT_STATE_OPEN;
constexpr int kAcknowledged = v1::ALERT_STATE_ACKNOWLEDGED;
constexpr int kResolved = v1::ALERT_STATE_RESOLVED;

std::optional<int64_t> OptionalInt64(sql::ResultSet& rs, const char* column) {
  const int64_t v = rs.getInt64(column);
  if (rs.wasNull()) return std::nullopt;
  return v;
}

v1::Alert AlertFromRow(sql::ResultSet& rs) {
  v1::Alert a;
  a.set_id(rs.getString("id"));
  a.set_household_id(rs.getString("household_id"));
  a.set_village_code(rs.getString("village_code"));
  a.set_kind(static_cast<v1::AlertKind>(rs.getInt("kind")));
  a.set_year(rs.getInt("year"));
  a.set_state(static_cast<v1::AlertState>(rs.getInt("state")));
  a.mutable_per_capita_net_income()->set_fen(rs.getInt64("per_capita_fen"));
  if (auto t = OptionalInt64(rs, "threshold_fen")) a.mutable_threshold_per_capita()->set_fen(*t);
  if (auto p = OptionalInt64(rs, "previous_per_capita_fen")) {
    a.mutable_previous_per_capita_net_income()->set_fen(*p);
  }
  a.set_detail(rs.getString("detail"));
  a.set_acknowledged_by(rs.getString("acknowledged_by"));
  if (auto t = OptionalInt64(rs, "acknowledge_time_us")) {
    *a.mutable_acknowledge_time() = ToTimestamp(*t);
  }
  a.set_resolved_by(rs.getString("resolved_by"));
  if (auto t = OptionalInt64(rs, "resolve_time_us")) *a.mutable_resolve_time() = ToTimestamp(*t);
  a.set_resolution_note(rs.getString("resolution_note"));
  a.set_recovered(rs.getInt("recovered") != 0);
  if (auto t = OptionalInt64(rs, "recover_time_us")) *a.mutable_recover_time() = ToTimestamp(*t);
  *a.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  return a;
}

}  // namespace

std::vector<LedgerAmount> LoadLedgerAmounts(Tx& tx, const std::string& household_id,
                                            absl::CivilDay first, absl::CivilDay last) {
  std::vector<LedgerAmount> out;
  auto rs = tx.Query(kSelectLedgerAmounts, household_id, CivilToSql(first), CivilToSql(last));
  while (rs->next()) {
    LedgerAmount e;
    e.kind = static_cast<v1::IncomeKind>(rs->getInt("kind"));
    e.amount_fen = rs->getInt64("amount_fen");
    e.occurred = CivilFromSql(rs->getString("occurred_date"));
    e.source = static_cast<v1::IncomeSource>(rs->getInt("source"));
    e.has_support_source = GetOptionalString(*rs, "support_source_id").has_value();
    out.push_back(e);
  }
  return out;
}

std::vector<v1::Alert> LockOpenAlerts(Tx& tx, const std::string& household_id) {
  std::vector<v1::Alert> out;
  auto rs = tx.Query(kLockOpenAlerts, household_id);
  while (rs->next()) out.push_back(AlertFromRow(*rs));
  return out;
}

void InsertAlert(Tx& tx, const v1::Alert& a, const std::string& open_key, int64_t now_us) {
  std::optional<int64_t> threshold, previous;
  if (a.has_threshold_per_capita()) threshold = a.threshold_per_capita().fen();
  if (a.has_previous_per_capita_net_income()) previous = a.previous_per_capita_net_income().fen();
  tx.Execute(kInsertAlert, a.id(), a.household_id(), a.village_code(), static_cast<int>(a.kind()),
             a.year(), static_cast<int>(a.state()), open_key, a.per_capita_net_income().fen(),
             threshold, previous, a.detail(), now_us, now_us);
}

void SetAlertRecovered(Tx& tx, const std::string& id, bool recovered, int64_t now_us) {
  if (recovered) {
    tx.Execute(kSetRecovered, now_us, now_us, id);
  } else {
    tx.Execute(kClearRecovered, now_us, id);
  }
}

std::optional<v1::Alert> LoadAlert(Tx& tx, const std::string& id, bool for_update) {
  auto rs = tx.Query(for_update ? kLockAlert : kSelectAlert, id);
  if (!rs->next()) return std::nullopt;
  return AlertFromRow(*rs);
}

int64_t MarkAcknowledged(Tx& tx, const std::string& id, const std::string& by, int64_t now_us) {
  return tx.Execute(kAcknowledge, kAcknowledged, by, now_us, now_us, id, kOpen);
}

int64_t MarkResolved(Tx& tx, const std::string& id, const std::string& by, const std::string& note,
                     int64_t now_us) {
  return tx.Execute(kResolve, kResolved, by, now_us, note, now_us, id, kOpen, kAcknowledged);
}

std::vector<v1::Alert> ListAlertRows(Tx& tx, const AlertFilter& f) {
  SqlQuery q{kListHead, {}};
  if (f.villages) {
    q.sql += kFilterVillagesIn;
    AppendInList(*f.villages, &q.sql, &q.params);
  }
  if (!f.village_prefix.empty()) q.Add(kFilterPrefix, f.village_prefix);
  if (!f.household_id.empty()) q.Add(kFilterHousehold, f.household_id);
  if (f.kind != v1::ALERT_KIND_UNSPECIFIED) q.Add(kFilterKind, static_cast<int64_t>(f.kind));
  if (f.state != v1::ALERT_STATE_UNSPECIFIED) q.Add(kFilterState, static_cast<int64_t>(f.state));
  if (!f.before_id.empty()) q.Add(kFilterBefore, f.before_id);
  q.Add(kOrderNewestFirst, static_cast<int64_t>(f.limit));
  std::vector<v1::Alert> out;
  auto rs = tx.QueryParams(q.sql, q.params);
  while (rs->next()) out.push_back(AlertFromRow(*rs));
  return out;
}

}  // namespace cooplink::income
