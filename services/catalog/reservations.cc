// Reservations: all-or-nothing holds on stock for partner orders, their listing, commit, release
// and expiry.
// Rules in reservation_rules.h (lifecycle, TTL, how a reservation reads), SQL and the stock steps
// in reservations_store.h.
//
// The reservation id is the caller's idempotency key (PRIMARY KEY (partner_id, id) plus the hash of
// the request body). Lock order, as in stock.cc: reservation row, stock rows in product id order,
// lots; changes go to the outbox (AppendChanges). Commit, release and expiry all lock the
// reservation row first and re-check its state under that lock, so a commit racing the sweeper
// resolves once.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/products_store.h"
#include "services/catalog/reservation_rules.h"
#include "services/catalog/reservations_store.h"
#include "services/catalog/stock_rules.h"
#include "services/catalog/stock_store.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

// Which partner's reservation `id` the caller means: its own, or (platform admin) whoever holds it.
absl::StatusOr<std::string> ResolvePartner(Database& db, const Principal& p,
                                           const std::string& id) {
  if (p.is(Role::kPartner)) return p.partner_id;
  std::string partner_id;
  auto s = db.Read([&](Tx& tx) -> absl::Status {
    partner_id = FindReservationPartner(tx, id);
    return partner_id.empty() ? NotFound("reservation", id) : absl::OkStatus();
  });
  if (!s.ok()) return s;
  return partner_id;
}

// Holds the lines' units (sorted by product: the lock order). Every line is checked first: its
// product must be ACTIVE and offered to the partner, its quantity at least the product's minimum;
// then all lines are reserved or none (every short line is reported).
absl::Status HoldLines(Tx& tx, const std::string& partner_id,
                       const std::vector<ReservationLine>& lines, int64_t now,
                       std::vector<ChangeRow>* changes) {
  for (const ReservationLine& l : lines) {
    v1::Product product;
    if (!LoadProduct(tx, l.product_id, false, &product).ok() ||
        product.state() != v1::PRODUCT_STATE_ACTIVE ||
        !PartnerSeesProduct(tx, partner_id, l.product_id)) {
      return FailedPrecondition(
          "PRODUCT_NOT_AVAILABLE",
          absl::StrCat("product ", l.product_id, " is not available to the partner"));
    }
    if (l.quantity < product.min_order_quantity()) {
      return InvalidField(
          absl::StrCat("lines[", l.line_no, "].quantity"),
          absl::StrCat("below the product's min_order_quantity ", product.min_order_quantity()));
    }
    changes->push_back(ProductChange(v1::CATALOG_CHANGE_KIND_STOCK_CHANGED, product));
  }
  std::map<int, StockShortfall> short_lines;  // by line number: reported in request order
  for (const ReservationLine& l : lines) {
    if (Reserve(tx, l.product_id, l.quantity, now)) continue;
    short_lines[l.line_no] = {l.product_id, l.quantity, LockedAvailable(tx, l.product_id)};
  }
  if (short_lines.empty()) return absl::OkStatus();
  std::vector<StockShortfall> shortfalls;
  for (auto& [line_no, shortfall] : short_lines) shortfalls.push_back(std::move(shortfall));
  return InsufficientStock(shortfalls);
}

}  // namespace

absl::Status Catalog::CreateReservation(const CallContext& call,
                                        const v1::CreateReservationRequest& req,
                                        v1::Reservation* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  FieldViolations v;
  const absl::Duration ttl =
      ValidateReservation(v, req,
                          {settings_.default_reservation_ttl, settings_.max_reservation_ttl,
                           settings_.max_reservation_lines});
  const std::string partner_id = ReservingPartner(v, p, req.partner_id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckReservesForItself(p, req.partner_id()); !s.ok()) return s;
  const std::string hash = RequestFingerprint(ReservationBody(req, partner_id, ttl));
  const std::string& id = req.reservation_id();
  std::vector<ReservationLine> lines;
  for (int i = 0; i < req.lines_size(); ++i) {
    lines.push_back({i, req.lines(i).product_id(), req.lines(i).quantity()});
  }

  bool replay = false;
  absl::Status status = db_->Transact([&](Tx& tx) -> absl::Status {
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    // First, so that a concurrent duplicate waits here and then replays.
    replay = !InsertReservation(tx, partner_id, id, hash, ToMicros(now_time + ttl), now);
    if (replay) return absl::CancelledError("replay");
    std::vector<ChangeRow> changes;
    if (auto s = HoldLines(tx, partner_id, ByProduct(lines), now, &changes); !s.ok()) return s;
    for (const ReservationLine& line : lines) InsertReservationLine(tx, partner_id, id, line);
    ReservationRow row;
    LoadReservation(tx, partner_id, id, false, &row);
    ReservationToProto(partner_id, id, row, now, out);
    AppendChanges(tx, changes, now);
    return absl::OkStatus();
  });
  if (!replay) return status;

  return db_->Read([&](Tx& tx) -> absl::Status {
    ReservationRow row;
    if (!LoadReservation(tx, partner_id, id, false, &row)) {
      return absl::AbortedError("concurrent request with the same reservation_id");
    }
    if (row.request_hash != hash) {
      return FailedPrecondition("REQUEST_ID_REUSED",
                                "reservation_id was already used for a different reservation");
    }
    ReservationToProto(partner_id, id, row, ToMicros(clock_->Now()), out);
    return absl::OkStatus();
  });
}

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
    ReservationRow row;
    if (!LoadReservation(tx, *partner_id, req.id(), false, &row)) {
      return NotFound("reservation", req.id());
    }
    ReservationToProto(*partner_id, req.id(), row, ToMicros(clock_->Now()), out);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListReservations(const CallContext& call,
                                       const v1::ListReservationsRequest& req,
                                       v1::ListReservationsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  FieldViolations v;
  if (!req.partner_id().empty()) CheckId(v, "partner_id", req.partner_id());
  if (!v1::ReservationState_IsValid(req.state())) {
    v.Add("state", "must be one of the defined states");
  }
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckReservesForItself(p, req.partner_id()); !s.ok()) return s;

  ReservationListFilter filter;
  filter.partner_id = p.is(Role::kPartner) ? p.partner_id : req.partner_id();
  filter.states = StoredStatesFor(req.state());
  const std::string filters = absl::StrCat(filter.partner_id, "|", static_cast<int>(req.state()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  if (!page->after.empty()) {
    const std::vector<std::string> key = absl::StrSplit(page->after, absl::MaxSplits('/', 1));
    if (key.size() != 2) return InvalidField("page_token", "is not a reservation page token");
    filter.after_partner_id = key[0];
    filter.after_id = key[1];
  }
  filter.size = page->size;
  return db_->Read([&](Tx& tx) -> absl::Status {
    out->Clear();  // a retried read starts again
    filter.now_us = ToMicros(clock_->Now());
    LoadReservationPage(tx, filter, filters, out);
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
    ReservationRow row;
    if (!LoadReservation(tx, *partner_id, id, /*for_update=*/true, &row)) {
      return NotFound("reservation", id);
    }
    // The clock is read under the row lock: whoever takes the lock first decides.
    const int64_t now = ToMicros(clock_->Now());
    switch (CommitStepFor(row.state, row.expire_us, now)) {
      case CommitStep::kConsume:
        if (auto s = Consume(tx, *partner_id, id, row, now); !s.ok()) return s;
        break;
      case CommitStep::kAlreadyDone:
        break;
      case CommitStep::kRefuse:
        return CommitRefusal();
    }
    ReservationToProto(*partner_id, id, row, now, out);
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
    ReservationRow row;
    if (!LoadReservation(tx, *partner_id, id, /*for_update=*/true, &row)) {
      return NotFound("reservation", id);
    }
    const int64_t now = ToMicros(clock_->Now());
    switch (ReleaseStepFor(row.state, row.expire_us, now)) {
      case ReleaseStep::kRefuse:
        return ReleaseRefusal();
      case ReleaseStep::kRelease:
        if (auto s = Unhold(tx, *partner_id, id, row, v1::RESERVATION_STATE_RELEASED, now);
            !s.ok()) {
          return s;
        }
        break;
      case ReleaseStep::kExpire:
        if (auto s = Unhold(tx, *partner_id, id, row, v1::RESERVATION_STATE_EXPIRED, now);
            !s.ok()) {
          return s;
        }
        break;
      case ReleaseStep::kUnchanged:
        break;
    }
    ReservationToProto(*partner_id, id, row, now, out);
    return absl::OkStatus();
  });
}

absl::StatusOr<int> Catalog::ExpireReservations(int limit) {
  if (limit <= 0) return 0;
  const int64_t now = ToMicros(clock_->Now());
  std::vector<std::pair<std::string, std::string>> candidates;  // (partner_id, id)
  if (auto s = db_->Read([&](Tx& tx) -> absl::Status {
        candidates = ExpiredReservations(tx, now, limit);
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
      ReservationRow row;
      if (!LoadReservation(tx, partner_id, id, /*for_update=*/true, &row)) return absl::OkStatus();
      if (!SweeperExpires(row.state, row.expire_us, now)) return absl::OkStatus();
      if (auto st = Unhold(tx, partner_id, id, row, v1::RESERVATION_STATE_EXPIRED, now); !st.ok()) {
        return st;
      }
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
