// Storage of reservations: the SQL (named constants in reservations_store.cc), row mapping and the
// multi-statement steps of the lifecycle (holding, giving back and consuming stock), each run in
// the caller's transaction with the lock order of stock.cc: reservation row, stock rows in product
// id order, lots. Functions taking Tx& may throw sql::SQLException (mapped by Database).
#ifndef COOPLINK_SERVICES_CATALOG_RESERVATIONS_STORE_H_
#define COOPLINK_SERVICES_CATALOG_RESERVATIONS_STORE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/reservation_rules.h"
#include "services/common/db.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// One reservation row and its lines.
struct ReservationRow {
  std::string request_hash;
  v1::ReservationState state = v1::RESERVATION_STATE_UNSPECIFIED;
  int64_t expire_us = 0;
  int64_t create_us = 0;
  int64_t update_us = 0;
  std::vector<ReservationLine> lines;  // by line_no
};

// Inserts a HELD reservation row; false when (partner_id, id) exists already (a replay).
bool InsertReservation(Tx& tx, const std::string& partner_id, const std::string& id,
                       const std::string& request_hash, int64_t expire_us, int64_t now_us);
void InsertReservationLine(Tx& tx, const std::string& partner_id, const std::string& id,
                           const ReservationLine& line);
// Loads the row (optionally locking it) and its lines; false when absent.
bool LoadReservation(Tx& tx, const std::string& partner_id, const std::string& id, bool for_update,
                     ReservationRow* row);
// The partner holding reservation `id` (a platform admin names a reservation by id alone); ""
// when there is none.
std::string FindReservationPartner(Tx& tx, const std::string& id);
// (partner_id, id) of up to `limit` HELD reservations whose expire time is <= now_us, oldest
// expiry first.
std::vector<std::pair<std::string, std::string>> ExpiredReservations(Tx& tx, int64_t now_us,
                                                                     int limit);

// One page of ListReservations.
struct ReservationListFilter {
  std::string partner_id;                  // "" = every partner (platform admin)
  std::vector<StoredStateMatch> states;    // StoredStatesFor(filter); empty = any state
  std::string after_partner_id, after_id;  // keyset: reservations after this key
  int size = 1;                            // reservations on the page
  int64_t now_us = 0;                      // what "expired" means
};
// Reads the page (reservations by (partner_id, id), each with its lines, their states as they
// read at now_us) into `out`; sets out->next_page_token (MakePageToken bound to `filters`, key
// "<partner_id>/<id>") when a further reservation exists. One statement: the page as a derived
// table joined with its lines.
void LoadReservationPage(Tx& tx, const ReservationListFilter& filter, const std::string& filters,
                         v1::ListReservationsResponse* out);

// The reply; the state is EffectiveState at now_us.
void ReservationToProto(const std::string& partner_id, const std::string& id,
                        const ReservationRow& row, int64_t now_us, v1::Reservation* out);

// HELD -> `to` (RELEASED or EXPIRED) for a row locked by the caller: gives the reserved units back
// and records STOCK_CHANGED for each product. INTERNAL when the stock no longer covers the hold.
absl::Status Unhold(Tx& tx, const std::string& partner_id, const std::string& id,
                    ReservationRow& row, v1::ReservationState to, int64_t now_us);
// HELD -> COMMITTED for a row locked by the caller: the units leave on_hand and reserved, and the
// product's lots are drawn down oldest harvest first (stock added without a lot has none).
absl::Status Consume(Tx& tx, const std::string& partner_id, const std::string& id,
                     ReservationRow& row, int64_t now_us);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_RESERVATIONS_STORE_H_
