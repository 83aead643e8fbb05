// Reservations: all-or-nothing holds on stock for partner orders, their commit, release and expiry.
//
// The reservation id is the caller's idempotency key (PRIMARY KEY (partner_id, id) plus the hash of
// the request body). Lock order, as in stock.cc: reservation row, stock rows in product id order,
// lots; changes go to the change inbox. Commit, release and expiry all lock the reservation row
// first and re-check its state under that lock, so a commit racing the sweeper resolves once.
#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/internal.h"
#include "services/common/crypto.h"
#include "services/common/idempotency.h"

namespace cooplink::catalog {
namespace {

constexpr int64_t kMaxLineQuantity = 1000000;
constexpr absl::Duration kMinTtl = absl::Minutes(1);

// Stored states (ReservationState numbering).
constexpr int kHeld = v1::RESERVATION_STATE_HELD;
constexpr int kCommitted = v1::RESERVATION_STATE_COMMITTED;
constexpr int kReleased = v1::RESERVATION_STATE_RELEASED;
constexpr int kExpired = v1::RESERVATION_STATE_EXPIRED;

constexpr const char* kInsertReservation =
    "INSERT INTO reservations (id, partner_id, request_hash, state, expire_time_us, "
    "create_time_us, update_time_us) VALUES (?, ?, ?, 1, ?, ?, ?)";
constexpr const char* kInsertLine =
    "INSERT INTO reservation_lines (partner_id, reservation_id, line_no, product_id, quantity) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr const char* kSelectReservation =
    "SELECT request_hash, state, expire_time_us, create_time_us, update_time_us "
    "FROM reservations WHERE partner_id = ? AND id = ?";
constexpr const char* kSelectReservationForUpdate =
    "SELECT request_hash, state, expire_time_us, create_time_us, update_time_us "
    "FROM reservations WHERE partner_id = ? AND id = ? FOR UPDATE";
// A platform admin names a reservation by id alone (no index on id: admin calls are rare).
constexpr const char* kFindPartner =
    "SELECT partner_id FROM reservations WHERE id = ? ORDER BY create_time_us, partner_id LIMIT 1";
constexpr const char* kSelectLines =
    "SELECT line_no, product_id, quantity FROM reservation_lines "
    "WHERE partner_id = ? AND reservation_id = ? ORDER BY line_no";
constexpr const char* kSetState =
    "UPDATE reservations SET state = ?, update_time_us = ? "
    "WHERE partner_id = ? AND id = ? AND state = 1";
constexpr const char* kExpiredCandidates =
    "SELECT partner_id, id FROM reservations WHERE state = 1 AND expire_time_us <= ? "
    "ORDER BY expire_time_us LIMIT ?";

constexpr const char* kReserve =
    "UPDATE stock SET reserved = reserved + ?, update_time_us = ? "
    "WHERE product_id = ? AND on_hand - reserved >= ?";
constexpr const char* kUnreserve =
    "UPDATE stock SET reserved = reserved - ?, update_time_us = ? "
    "WHERE product_id = ? AND reserved >= ?";
constexpr const char* kConsume =
    "UPDATE stock SET on_hand = on_hand - ?, reserved = reserved - ?, update_time_us = ? "
    "WHERE product_id = ? AND reserved >= ? AND on_hand >= ?";
constexpr const char* kAvailable =
    "SELECT on_hand - reserved AS available FROM stock WHERE product_id = ? FOR UPDATE";
// FIFO: oldest harvest first.
constexpr const char* kLotsFifo =
    "SELECT id, remaining FROM lots WHERE product_id = ? AND remaining > 0 "
    "ORDER BY harvest_date, id FOR UPDATE";
constexpr const char* kConsumeLot =
    "UPDATE lots SET remaining = remaining - ? WHERE id = ? AND remaining >= ?";

struct Line {
  int line_no = 0;
  std::string product_id;
  int64_t quantity = 0;
};

// One reservation row and its lines.
struct Row {
  std::string request_hash;
  int state = 0;
  int64_t expire_us = 0;
  int64_t create_us = 0;
  int64_t update_us = 0;
  std::vector<Line> lines;  // by line_no
};

// Loads the row (optionally locking it) and its lines; false when absent.
bool LoadRow(Tx& tx, const std::string& partner_id, const std::string& id, bool for_update,
             Row* row) {
  auto rs = tx.Query(for_update ? kSelectReservationForUpdate : kSelectReservation, partner_id, id);
  if (!rs->next()) return false;
  row->request_hash = rs->getString("request_hash");
  row->state = rs->getInt("state");
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

// The reply; a HELD reservation past its expire_time reads as EXPIRED before the sweeper runs.
void ToProto(const std::string& partner_id, const std::string& id, const Row& row, int64_t now_us,
             v1::Reservation* out) {
  out->Clear();
  out->set_id(id);
  out->set_partner_id(partner_id);
  for (const Line& l : row.lines) {
    auto* line = out->add_lines();
    line->set_product_id(l.product_id);
    line->set_quantity(l.quantity);
  }
  int state = row.state;
  if (state == kHeld && row.expire_us <= now_us) state = kExpired;
  out->set_state(static_cast<v1::ReservationState>(state));
  *out->mutable_expire_time() = ToTimestamp(row.expire_us);
  *out->mutable_create_time() = ToTimestamp(row.create_us);
  *out->mutable_update_time() = ToTimestamp(row.update_us);
}

// The lines sorted by product id: the order stock rows are locked in.
std::vector<Line> ByProduct(std::vector<Line> lines) {
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return a.product_id < b.product_id; });
  return lines;
}

// Stock-changed feed entries for the reservation's products.
absl::Status StockChanges(Tx& tx, const std::vector<Line>& lines, std::vector<ChangeRow>* out) {
  for (const Line& l : lines) {
    v1::Product product;
    if (auto s = LoadProduct(tx, l.product_id, false, &product); !s.ok()) return s;
    out->push_back(ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, product));
  }
  return absl::OkStatus();
}

absl::Status StockInvariantBroken(const std::string& product_id) {
  return absl::InternalError(
      absl::StrCat("stock of product ", product_id, " does not cover its held reservations"));
}

// HELD → `to` (RELEASED or EXPIRED) for a row locked by the caller: gives the reserved units back.
absl::Status Unhold(Tx& tx, const std::string& partner_id, const std::string& id, Row& row, int to,
                    int64_t now_us) {
  const std::vector<Line> lines = ByProduct(row.lines);
  for (const Line& l : lines) {
    if (tx.Execute(kUnreserve, l.quantity, now_us, l.product_id, l.quantity) != 1) {
      return StockInvariantBroken(l.product_id);
    }
  }
  if (tx.Execute(kSetState, to, now_us, partner_id, id) != 1) {
    return absl::InternalError("reservation changed under its row lock");
  }
  row.state = to;
  row.update_us = now_us;
  std::vector<ChangeRow> changes;
  if (auto s = StockChanges(tx, lines, &changes); !s.ok()) return s;
  AppendChanges(tx, changes, now_us);
  return absl::OkStatus();
}

// HELD → COMMITTED for a row locked by the caller: the units leave on_hand and reserved, and the
// product's lots are drawn down oldest harvest first (stock added without a lot has none).
absl::Status Consume(Tx& tx, const std::string& partner_id, const std::string& id, Row& row,
                     int64_t now_us) {
  const std::vector<Line> lines = ByProduct(row.lines);
  for (const Line& l : lines) {
    if (tx.Execute(kConsume, l.quantity, l.quantity, now_us, l.product_id, l.quantity,
                   l.quantity) != 1) {
      return StockInvariantBroken(l.product_id);
    }
  }
  for (const Line& l : lines) {
    std::vector<std::pair<std::string, int64_t>> lots;
    {
      auto rs = tx.Query(kLotsFifo, l.product_id);
      while (rs->next()) lots.emplace_back(rs->getString("id"), rs->getInt64("remaining"));
    }
    int64_t left = l.quantity;
    for (const auto& [lot_id, remaining] : lots) {
      if (left == 0) break;
      const int64_t take = std::min(left, remaining);
      if (tx.Execute(kConsumeLot, take, lot_id, take) != 1) {
        return absl::InternalError("lot changed under its row lock");
      }
      left -= take;
    }
  }
  if (tx.Execute(kSetState, kCommitted, now_us, partner_id, id) != 1) {
    return absl::InternalError("reservation changed under its row lock");
  }
  row.state = kCommitted;
  row.update_us = now_us;
  std::vector<ChangeRow> changes;
  if (auto s = StockChanges(tx, lines, &changes); !s.ok()) return s;
  AppendChanges(tx, changes, now_us);
  return absl::OkStatus();
}

absl::Status InsufficientStock(const std::vector<std::pair<std::string, std::string>>& short_lines) {
  google::rpc::PreconditionFailure failure;
  std::string message = "not enough available stock for:";
  for (const auto& [product_id, description] : short_lines) {
    auto* violation = failure.add_violations();
    violation->set_type("INSUFFICIENT_STOCK");
    violation->set_subject(product_id);
    violation->set_description(description);
    absl::StrAppend(&message, " ", product_id, " (", description, ");");
  }
  message.pop_back();
  absl::Status status = FailedPrecondition("INSUFFICIENT_STOCK", message);
  status.SetPayload("type.googleapis.com/google.rpc.PreconditionFailure",
                    absl::Cord(failure.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status Catalog::CreateReservation(const CallContext& call,
                                        const v1::CreateReservationRequest& req,
                                        v1::Reservation* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  FieldViolations v;
  if (!IsValidRequestId(req.reservation_id())) {
    v.Add("reservation_id", "required: 1-64 characters of A-Z a-z 0-9 _ -");
  }
  CheckId(v, "partner_id", req.partner_id());
  if (req.lines().empty() || req.lines_size() > settings_.max_reservation_lines) {
    v.Add("lines", absl::StrCat("required: 1 to ", settings_.max_reservation_lines, " lines"));
  }
  std::map<std::string, int> seen;  // product id → first line index
  // Too many lines is one violation, not one per line (the details must fit in a trailer).
  const int checked_lines =
      req.lines_size() > settings_.max_reservation_lines ? 0 : req.lines_size();
  for (int i = 0; i < checked_lines; ++i) {
    const auto& line = req.lines(i);
    const std::string field = absl::StrCat("lines[", i, "]");
    CheckId(v, field + ".product_id", line.product_id());
    if (!line.product_id().empty() && !seen.emplace(line.product_id(), i).second) {
      v.Add(field + ".product_id", "the product is already on another line");
    }
    if (line.quantity() < 1 || line.quantity() > kMaxLineQuantity) {
      v.Add(field + ".quantity", "must be 1..1000000");
    }
  }
  absl::Duration ttl = absl::Seconds(req.ttl().seconds()) + absl::Nanoseconds(req.ttl().nanos());
  if (ttl < absl::ZeroDuration() || req.ttl().nanos() < 0 || req.ttl().nanos() > 999999999) {
    v.Add("ttl", "must not be negative");
  } else if (ttl == absl::ZeroDuration()) {
    ttl = settings_.default_reservation_ttl;
  } else if (ttl < kMinTtl || ttl > settings_.max_reservation_ttl) {
    v.Add("ttl", absl::StrCat("must be 1 minute to ",
                              absl::FormatDuration(settings_.max_reservation_ttl)));
  }
  if (!v.empty()) return v.ToStatus();
  if (p.is(Role::kPartner) && req.partner_id() != p.partner_id) {
    return PermissionDenied("ROLE_NOT_ALLOWED", "a partner may reserve only for itself");
  }

  // The body the reservation id is bound to: everything but the id, with the effective TTL.
  v1::CreateReservationRequest body = req;
  body.clear_reservation_id();
  body.mutable_ttl()->set_seconds(absl::ToInt64Seconds(ttl));
  body.mutable_ttl()->set_nanos(0);
  const std::string hash = RequestFingerprint(body);
  const std::string& partner_id = req.partner_id();
  const std::string& id = req.reservation_id();

  bool replay = false;
  absl::Status status = db_->Transact([&](Tx& tx) -> absl::Status {
    replay = false;
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    const int64_t expire = ToMicros(now_time + ttl);
    try {
      // First, so that a concurrent duplicate waits here and then replays.
      tx.Execute(kInsertReservation, id, partner_id, hash, expire, now, now);
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() != kMysqlErrDupEntry) throw;
      replay = true;
      return absl::CancelledError("replay");
    }
    std::vector<Line> lines;
    std::vector<ChangeRow> changes;
    for (int i = 0; i < req.lines_size(); ++i) {
      lines.push_back({i, req.lines(i).product_id(), req.lines(i).quantity()});
    }
    lines = ByProduct(std::move(lines));
    for (const Line& l : lines) {
      v1::Product product;
      if (!LoadProduct(tx, l.product_id, false, &product).ok() ||
          product.state() != v1::PRODUCT_STATE_ACTIVE ||
          !PartnerSeesProduct(tx, partner_id, l.product_id)) {
        return FailedPrecondition("PRODUCT_NOT_AVAILABLE",
                                  absl::StrCat("product ", l.product_id,
                                               " is not available to the partner"));
      }
      if (l.quantity < product.min_order_quantity()) {
        return InvalidField(absl::StrCat("lines[", l.line_no, "].quantity"),
                            absl::StrCat("below the product's min_order_quantity ",
                                         product.min_order_quantity()));
      }
      changes.push_back(ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, product));
    }
    // All lines or none: every short line is reported, then everything rolls back.
    std::vector<std::pair<std::string, std::string>> short_lines;
    for (const Line& l : lines) {
      if (tx.Execute(kReserve, l.quantity, now, l.product_id, l.quantity) == 1) continue;
      int64_t available = 0;
      auto rs = tx.Query(kAvailable, l.product_id);
      if (rs->next()) available = rs->getInt64("available");
      short_lines.emplace_back(l.product_id,
                               absl::StrCat("requested ", l.quantity, ", available ", available));
    }
    if (!short_lines.empty()) return InsufficientStock(short_lines);
    for (int i = 0; i < req.lines_size(); ++i) {
      tx.Execute(kInsertLine, partner_id, id, i, req.lines(i).product_id(),
                 req.lines(i).quantity());
    }
    Row row;
    LoadRow(tx, partner_id, id, false, &row);
    ToProto(partner_id, id, row, now, out);
    AppendChanges(tx, changes, now);
    return absl::OkStatus();
  });
  if (!replay) return status;

  return db_->Read([&](Tx& tx) -> absl::Status {
    Row row;
    if (!LoadRow(tx, partner_id, id, false, &row)) {
      return absl::AbortedError("concurrent request with the same reservation_id");
    }
    if (row.request_hash != hash) {
      return FailedPrecondition("REQUEST_ID_REUSED",
                                "reservation_id was already used for a different reservation");
    }
    ToProto(partner_id, id, row, ToMicros(clock_->Now()), out);
    return absl::OkStatus();
  });
}

namespace {

// Which partner's reservation `id` the caller means: its own, or (platform admin) whoever holds it.
absl::StatusOr<std::string> ResolvePartner(Database& db, const Principal& p,
                                           const std::string& id) {
  if (p.is(Role::kPartner)) return p.partner_id;
  std::string partner_id;
  auto s = db.Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.Query(kFindPartner, id);
    if (!rs->next()) return NotFound("reservation", id);
    partner_id = rs->getString("partner_id");
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return partner_id;
}

}  // namespace

absl::Status Catalog::GetReservation(const CallContext& call, const v1::GetReservationRequest& req,
                                     v1::Reservation* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  if (!IsValidRequestId(req.id())) {
    return InvalidField("id", "required: 1-64 characters of A-Z a-z 0-9 _ -");
  }
  auto partner_id = ResolvePartner(*db_, p, req.id());
  if (!partner_id.ok()) return partner_id.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    Row row;
    if (!LoadRow(tx, *partner_id, req.id(), false, &row)) return NotFound("reservation", req.id());
    ToProto(*partner_id, req.id(), row, ToMicros(clock_->Now()), out);
    return absl::OkStatus();
  });
}

absl::Status Catalog::CommitReservation(const CallContext& call,
                                        const v1::CommitReservationRequest& req,
                                        v1::Reservation* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CommitReservation", req);
  if (!key.ok()) return key.status();
  const std::string& id = req.reservation_id();
  if (!IsValidRequestId(id)) {
    return InvalidField("reservation_id", "required: 1-64 characters of A-Z a-z 0-9 _ -");
  }
  auto partner_id = ResolvePartner(*db_, p, id);
  if (!partner_id.ok()) return partner_id.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    Row row;
    if (!LoadRow(tx, *partner_id, id, /*for_update=*/true, &row)) {
      return NotFound("reservation", id);
    }
    // The clock is read under the row lock: whoever takes the lock first decides.
    const int64_t now = ToMicros(clock_->Now());
    if (row.state == kHeld && row.expire_us > now) {
      if (auto s = Consume(tx, *partner_id, id, row, now); !s.ok()) return s;
    } else if (row.state != kCommitted) {
      return FailedPrecondition("RESERVATION_NOT_HELD",
                                "the reservation was released or has expired");
    }
    ToProto(*partner_id, id, row, now, out);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ReleaseReservation(const CallContext& call,
                                         const v1::ReleaseReservationRequest& req,
                                         v1::Reservation* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "ReleaseReservation", req);
  if (!key.ok()) return key.status();
  const std::string& id = req.reservation_id();
  if (!IsValidRequestId(id)) {
    return InvalidField("reservation_id", "required: 1-64 characters of A-Z a-z 0-9 _ -");
  }
  auto partner_id = ResolvePartner(*db_, p, id);
  if (!partner_id.ok()) return partner_id.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    Row row;
    if (!LoadRow(tx, *partner_id, id, /*for_update=*/true, &row)) {
      return NotFound("reservation", id);
    }
    const int64_t now = ToMicros(clock_->Now());
    if (row.state == kCommitted) {
      return FailedPrecondition("RESERVATION_COMMITTED", "the reservation was committed");
    }
    if (row.state == kHeld) {
      // Past its expire_time it already reads as EXPIRED: record it as such.
      const int to = row.expire_us <= now ? kExpired : kReleased;
      if (auto s = Unhold(tx, *partner_id, id, row, to, now); !s.ok()) return s;
    }
    ToProto(*partner_id, id, row, now, out);
    return absl::OkStatus();
  });
}

absl::StatusOr<int> Catalog::ExpireReservations(int limit) {
  if (limit <= 0) return 0;
  const int64_t now = ToMicros(clock_->Now());
  std::vector<std::pair<std::string, std::string>> candidates;  // (partner_id, id)
  if (auto s = db_->Read([&](Tx& tx) -> absl::Status {
        auto rs = tx.Query(kExpiredCandidates, now, static_cast<int64_t>(limit));
        while (rs->next()) candidates.emplace_back(rs->getString("partner_id"), rs->getString("id"));
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  int expired = 0;
  absl::Status first_error;
  for (const auto& [partner_id, id] : candidates) {
    bool done = false;
    // One small transaction per reservation; a commit or release holding the row lock first wins.
    absl::Status s = db_->Transact([&](Tx& tx) -> absl::Status {
      done = false;
      Row row;
      if (!LoadRow(tx, partner_id, id, /*for_update=*/true, &row)) return absl::OkStatus();
      if (row.state != kHeld || row.expire_us > now) return absl::OkStatus();
      if (auto st = Unhold(tx, partner_id, id, row, kExpired, now); !st.ok()) return st;
      done = true;
      return absl::OkStatus();
    });
    if (!s.ok()) {
      if (first_error.ok()) first_error = s;
      continue;
    }
    if (done) ++expired;
  }
  if (expired == 0 && !first_error.ok()) return first_error;
  return expired;
}

}  // namespace cooplink::catalog
