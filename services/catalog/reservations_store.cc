#include "services/catalog/reservations_store.h"

#include <cppconn/exception.h>

#include "absl/strings/str_cat.h"
#include "services/catalog/change_log.h"
#include "services/catalog/products_store.h"
#include "services/catalog/stock_store.h"
#include "services/common/fields.h"
#include "services/common/paging.h"
#include "services/common/sql_shapes.h"

namespace cooplink::catalog {
namespace {

constexpr int kHeld = v1::RESERVATION_STATE_HELD;

constexpr const char* kInsertReservation =
    "INSERT INTO reservations (id, partner_id, request_hash, state, expire_time_us, "
    "create_time_us, update_time_us) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertLine =
    "INSERT INTO reservation_lines (partner_id, reservation_id, line_no, product_id, quantity) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr const char* kSelectReservation =
    "SELECT request_hash, state, expire_time_us, create_time_us, update_time_us "
    "FROM reservations WHERE partner_id = ? AND id = ?";
constexpr const char* kSelectReservationForUpdate =
    "SELECT request_hash, state, expire_time_us, create_time_us, update_time_us "
    "FROM reservations WHERE partner_id = ? AND id = ? FOR UPDATE";
// No index on id alone: admin calls are rare.
constexpr const char* kFindPartner =
    "SELECT partner_id FROM reservations WHERE id = ? ORDER BY create_time_us, partner_id LIMIT 1";
constexpr const char* kSelectLines =
    "SELECT line_no, product_id, quantity FROM reservation_lines "
    "WHERE partner_id = ? AND reservation_id = ? ORDER BY line_no";
// Leaves HELD only (the caller holds the row lock; 0 rows means a broken invariant).
constexpr const char* kSetState =
    "UPDATE reservations SET state = ?, update_time_us = ? "
    "WHERE partner_id = ? AND id = ? AND state = ?";
constexpr const char* kExpiredCandidates =
    "SELECT partner_id, id FROM reservations WHERE state = ? AND expire_time_us <= ? "
    "ORDER BY expire_time_us LIMIT ?";

// ListReservations: the page is a derived table (one SELECT per stored state it may read as,
// UNION ALL when there are two), joined with the lines; one row per line. Every part is a range of
// the primary key (partner_id, id) or of idx_reservations_partner_state (partner_id, state, id).
constexpr const char* kPageSelect =
    "SELECT partner_id, id, state, expire_time_us, create_time_us, update_time_us "
    "FROM reservations WHERE ";
constexpr const char* kAfterInPartner = "partner_id = ? AND id > ?";
constexpr const char* kAfterAcrossPartners = "(partner_id > ? OR (partner_id = ? AND id > ?))";
constexpr const char* kStoredState = " AND state = ?";
constexpr const char* kNotExpired = " AND expire_time_us > ?";
constexpr const char* kExpired = " AND expire_time_us <= ?";
constexpr const char* kPageOrder = " ORDER BY partner_id, id LIMIT ?";
constexpr const char* kUnionAll = " UNION ALL ";
constexpr const char* kWithLinesHead =
    "SELECT r.partner_id, r.id, r.state, r.expire_time_us, r.create_time_us, r.update_time_us, "
    "l.line_no, l.product_id, l.quantity FROM (";
constexpr const char* kWithLinesTail =
    ") r JOIN reservation_lines l ON l.partner_id = r.partner_id AND l.reservation_id = r.id "
    "ORDER BY r.partner_id, r.id, l.line_no";

// One SELECT of the page: the keyset, one stored state (or any), LIMIT.
void AppendPagePart(const ReservationListFilter& f, const StoredStateMatch* match, SqlQuery* q) {
  absl::StrAppend(&q->sql, kPageSelect);
  if (!f.partner_id.empty()) {
    absl::StrAppend(&q->sql, kAfterInPartner);
    q->params.push_back(Param(f.partner_id));
    q->params.push_back(Param(f.after_id));
  } else {
    absl::StrAppend(&q->sql, kAfterAcrossPartners);
    q->params.push_back(Param(f.after_partner_id));
    q->params.push_back(Param(f.after_partner_id));
    q->params.push_back(Param(f.after_id));
  }
  if (match != nullptr) {
    absl::StrAppend(&q->sql, kStoredState);
    q->params.push_back(Param(static_cast<int>(match->stored)));
    if (match->expiry != StoredStateMatch::Expiry::kAny) {
      absl::StrAppend(&q->sql,
                      match->expiry == StoredStateMatch::Expiry::kExpired ? kExpired : kNotExpired);
      q->params.push_back(Param(f.now_us));
    }
  }
  absl::StrAppend(&q->sql, kPageOrder);
  q->params.push_back(Param(static_cast<int64_t>(f.size + 1)));
}

SqlQuery ReservationPageQuery(const ReservationListFilter& f) {
  SqlQuery q;
  q.sql = kWithLinesHead;
  if (f.states.size() <= 1) {
    AppendPagePart(f, f.states.empty() ? nullptr : &f.states[0], &q);
  } else {
    for (size_t i = 0; i < f.states.size(); ++i) {
      if (i > 0) absl::StrAppend(&q.sql, kUnionAll);
      absl::StrAppend(&q.sql, "(");
      AppendPagePart(f, &f.states[i], &q);
      absl::StrAppend(&q.sql, ")");
    }
    absl::StrAppend(&q.sql, kPageOrder);
    q.params.push_back(Param(static_cast<int64_t>(f.size + 1)));
  }
  absl::StrAppend(&q.sql, kWithLinesTail);
  return q;
}

absl::Status StockInvariantBroken(const std::string& product_id) {
  return absl::InternalError(
      absl::StrCat("stock of product ", product_id, " does not cover its held reservations"));
}

// Leaves HELD for `to` and records STOCK_CHANGED for the reservation's products.
absl::Status FinishHold(Tx& tx, const std::string& partner_id, const std::string& id,
                        ReservationRow& row, const std::vector<ReservationLine>& lines,
                        v1::ReservationState to, int64_t now_us) {
  if (tx.Execute(kSetState, static_cast<int>(to), now_us, partner_id, id, kHeld) != 1) {
    return absl::InternalError("reservation changed under its row lock");
  }
  row.state = to;
  row.update_us = now_us;
  std::vector<ChangeRow> changes;
  for (const ReservationLine& l : lines) {
    v1::Product product;
    if (auto s = LoadProduct(tx, l.product_id, false, &product); !s.ok()) return s;
    changes.push_back(ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, product));
  }
  AppendChanges(tx, changes, now_us);
  return absl::OkStatus();
}

}  // namespace

bool InsertReservation(Tx& tx, const std::string& partner_id, const std::string& id,
                       const std::string& request_hash, int64_t expire_us, int64_t now_us) {
  try {
    tx.Execute(kInsertReservation, id, partner_id, request_hash, kHeld, expire_us, now_us, now_us);
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kMysqlErrDupEntry) throw;
    return false;
  }
  return true;
}

void InsertReservationLine(Tx& tx, const std::string& partner_id, const std::string& id,
                           const ReservationLine& line) {
  tx.Execute(kInsertLine, partner_id, id, line.line_no, line.product_id, line.quantity);
}

bool LoadReservation(Tx& tx, const std::string& partner_id, const std::string& id, bool for_update,
                     ReservationRow* row) {
  auto rs = tx.Query(for_update ? kSelectReservationForUpdate : kSelectReservation, partner_id, id);
  if (!rs->next()) return false;
  row->request_hash = rs->getString("request_hash");
  row->state = static_cast<v1::ReservationState>(rs->getInt("state"));
  row->expire_us = rs->getInt64("expire_time_us");
  row->create_us = rs->getInt64("create_time_us");
  row->update_us = rs->getInt64("update_time_us");
  row->lines.clear();
  auto lines = tx.Query(kSelectLines, partner_id, id);
  while (lines->next()) {
    row->lines.push_back({lines->getInt("line_no"), std::string(lines->getString("product_id")),
                          lines->getInt64("quantity")});
  }
  return true;
}

std::string FindReservationPartner(Tx& tx, const std::string& id) {
  auto rs = tx.Query(kFindPartner, id);
  return rs->next() ? std::string(rs->getString("partner_id")) : "";
}

std::vector<std::pair<std::string, std::string>> ExpiredReservations(Tx& tx, int64_t now_us,
                                                                     int limit) {
  std::vector<std::pair<std::string, std::string>> out;
  auto rs = tx.Query(kExpiredCandidates, kHeld, now_us, static_cast<int64_t>(limit));
  while (rs->next()) out.emplace_back(rs->getString("partner_id"), rs->getString("id"));
  return out;
}

void LoadReservationPage(Tx& tx, const ReservationListFilter& filter, const std::string& filters,
                         v1::ListReservationsResponse* out) {
  const SqlQuery query = ReservationPageQuery(filter);
  auto rs = tx.QueryParams(query.sql, query.params);
  std::string partner_id, id;  // of the reservation being read
  ReservationRow row;
  auto flush = [&] {
    if (!id.empty())
      ReservationToProto(partner_id, id, row, filter.now_us, out->add_reservations());
  };
  while (rs->next()) {
    const std::string row_partner = rs->getString("partner_id");
    const std::string row_id = rs->getString("id");
    if (row_partner != partner_id || row_id != id) {  // the next reservation
      flush();
      if (out->reservations_size() == filter.size) {
        const v1::Reservation& last = *out->reservations().rbegin();
        out->set_next_page_token(
            MakePageToken(absl::StrCat(last.partner_id(), "/", last.id()), filters));
        return;
      }
      partner_id = row_partner;
      id = row_id;
      row = ReservationRow();
      row.state = static_cast<v1::ReservationState>(rs->getInt("state"));
      row.expire_us = rs->getInt64("expire_time_us");
      row.create_us = rs->getInt64("create_time_us");
      row.update_us = rs->getInt64("update_time_us");
    }
    row.lines.push_back({rs->getInt("line_no"), std::string(rs->getString("product_id")),
                         rs->getInt64("quantity")});
  }
  flush();
}

void ReservationToProto(const std::string& partner_id, const std::string& id,
                        const ReservationRow& row, int64_t now_us, v1::Reservation* out) {
  out->Clear();
  out->set_id(id);
  out->set_partner_id(partner_id);
  for (const ReservationLine& l : row.lines) {
    auto* line = out->add_lines();
    line->set_product_id(l.product_id);
    line->set_quantity(l.quantity);
  }
  out->set_state(EffectiveState(row.state, row.expire_us, now_us));
  *out->mutable_expire_time() = ToTimestamp(row.expire_us);
  *out->mutable_create_time() = ToTimestamp(row.create_us);
  *out->mutable_update_time() = ToTimestamp(row.update_us);
}

absl::Status Unhold(Tx& tx, const std::string& partner_id, const std::string& id,
                    ReservationRow& row, v1::ReservationState to, int64_t now_us) {
  const std::vector<ReservationLine> lines = ByProduct(row.lines);
  for (const ReservationLine& l : lines) {
    if (!Unreserve(tx, l.product_id, l.quantity, now_us)) return StockInvariantBroken(l.product_id);
  }
  return FinishHold(tx, partner_id, id, row, lines, to, now_us);
}

absl::Status Consume(Tx& tx, const std::string& partner_id, const std::string& id,
                     ReservationRow& row, int64_t now_us) {
  const std::vector<ReservationLine> lines = ByProduct(row.lines);
  for (const ReservationLine& l : lines) {
    if (!ConsumeReserved(tx, l.product_id, l.quantity, now_us)) {
      return StockInvariantBroken(l.product_id);
    }
  }
  for (const ReservationLine& l : lines) {
    if (!DrawFromLots(tx, l.product_id, l.quantity)) {
      return absl::InternalError("lot changed under its row lock");
    }
  }
  return FinishHold(tx, partner_id, id, row, lines, v1::RESERVATION_STATE_COMMITTED, now_us);
}

}  // namespace cooplink::catalog
