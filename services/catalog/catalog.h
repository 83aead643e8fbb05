// The catalog domain: products and their review lifecycle, price history, keyword search, lots,
// stock, reservations, offers to partners and the change feed partners mirror.
//
// Catalog is a plain class built from values (database, membership directory, clock, settings) so
// tests construct it directly. Every method validates its request (INVALID_ARGUMENT with field
// violations, nothing written), authorizes the principal (outside the caller's scope reads as
// NOT_FOUND; a role that may never call is PERMISSION_DENIED), asks membership what it needs
// *before* opening a transaction, and runs mutations through RunIdempotent().
#ifndef COOPLINK_SERVICES_CATALOG_CATALOG_H_
#define COOPLINK_SERVICES_CATALOG_CATALOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/reservation_rules.h"
#include "services/common/auth.h"
#include "services/common/call_context.h"
#include "services/common/clock.h"
#include "services/common/db.h"
#include "services/common/membership_directory.h"
#include "services/common/outbox.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// The reservation defaults are the proto's limits (catalog_limits.h, via ReservationLimits).
struct CatalogSettings {
  absl::Duration default_reservation_ttl = ReservationLimits{}.default_ttl;
  absl::Duration max_reservation_ttl = ReservationLimits{}.max_ttl;
  int max_reservation_lines = ReservationLimits{}.max_lines;
  absl::Duration change_retention = absl::Hours(24 * 7);
};

class Catalog {
 public:
  Catalog(Database* db, MembershipDirectory* directory, const Clock* clock,
          CatalogSettings settings = {})
      : db_(db), directory_(directory), clock_(clock), settings_(settings) {}

  // Products, lifecycle, transitions and price history (products.cc).
  absl::Status CreateProduct(const CallContext& call, const v1::CreateProductRequest& req,
                             v1::Product* out);
  absl::Status GetProduct(const CallContext& call, const v1::GetProductRequest& req,
                          v1::Product* out);
  absl::Status ListProducts(const CallContext& call, const v1::ListProductsRequest& req,
                            v1::ListProductsResponse* out);
  absl::Status UpdateProduct(const CallContext& call, const v1::UpdateProductRequest& req,
                             v1::Product* out);
  absl::Status SubmitProduct(const CallContext& call, const v1::SubmitProductRequest& req,
                             v1::Product* out);
  absl::Status ApproveProduct(const CallContext& call, const v1::ApproveProductRequest& req,
                              v1::Product* out);
  absl::Status RejectProduct(const CallContext& call, const v1::RejectProductRequest& req,
                             v1::Product* out);
  absl::Status PauseProduct(const CallContext& call, const v1::PauseProductRequest& req,
                            v1::Product* out);
  absl::Status ResumeProduct(const CallContext& call, const v1::ResumeProductRequest& req,
                             v1::Product* out);
  absl::Status ArchiveProduct(const CallContext& call, const v1::ArchiveProductRequest& req,
                              v1::Product* out);
  absl::Status ListProductTransitions(const CallContext& call,
                                      const v1::ListProductTransitionsRequest& req,
                                      v1::ListProductTransitionsResponse* out);
  absl::Status ListPriceChanges(const CallContext& call, const v1::ListPriceChangesRequest& req,
                                v1::ListPriceChangesResponse* out);

  // Keyword search over the n-gram token index (search.cc).
  absl::Status SearchProducts(const CallContext& call, const v1::SearchProductsRequest& req,
                              v1::SearchProductsResponse* out);

  // Lots and stock (stock.cc).
  absl::Status CreateLot(const CallContext& call, const v1::CreateLotRequest& req, v1::Lot* out);
  absl::Status ListLots(const CallContext& call, const v1::ListLotsRequest& req,
                        v1::ListLotsResponse* out);
  absl::Status AdjustStock(const CallContext& call, const v1::AdjustStockRequest& req,
                           v1::Stock* out);
  absl::Status GetStock(const CallContext& call, const v1::GetStockRequest& req, v1::Stock* out);

  // Reservations (reservations.cc).
  absl::Status CreateReservation(const CallContext& call, const v1::CreateReservationRequest& req,
                                 v1::Reservation* out);
  absl::Status GetReservation(const CallContext& call, const v1::GetReservationRequest& req,
                              v1::Reservation* out);
  absl::Status ListReservations(const CallContext& call, const v1::ListReservationsRequest& req,
                                v1::ListReservationsResponse* out);
  absl::Status CommitReservation(const CallContext& call, const v1::CommitReservationRequest& req,
                                 v1::Reservation* out);
  absl::Status ReleaseReservation(const CallContext& call, const v1::ReleaseReservationRequest& req,
                                  v1::Reservation* out);
  // Releases HELD reservations whose expire_time has passed (by the injected clock), at most
  // `limit` of them; returns how many. The server calls it periodically; tests call it directly.
  absl::StatusOr<int> ExpireReservations(int limit);

  // Offers (offers.cc).
  absl::Status CreateOffer(const CallContext& call, const v1::CreateOfferRequest& req,
                           v1::Offer* out);
  absl::Status ListOffers(const CallContext& call, const v1::ListOffersRequest& req,
                          v1::ListOffersResponse* out);
  absl::Status WithdrawOffer(const CallContext& call, const v1::WithdrawOfferRequest& req,
                             v1::Offer* out);

  // The change feed (watch.cc). Checks the caller and decodes `cursor` ("" = from the oldest
  // retained change; with from_now, after the newest — INVALID_ARGUMENT start_at_now beside a
  // cursor): INVALID_ARGUMENT for a malformed cursor,
  // FAILED_PRECONDITION CURSOR_EXPIRED for one older than the retention.
  absl::StatusOr<int64_t> StartWatch(const CallContext& call, const std::string& cursor,
                                     bool from_now = false);
  // Appends to `out` up to `limit` changes after sequence `after` that `p` may see, in sequence
  // order, each with its cursor; returns the last sequence examined (>= after), which a heartbeat
  // reports as its cursor.
  absl::StatusOr<int64_t> ReadChanges(const CallContext& call, int64_t after, int limit,
                                      std::vector<v1::CatalogChange>* out);
  static std::string EncodeCursor(int64_t sequence);
  // INVALID_ARGUMENT (field "cursor") unless EncodeCursor could have produced `cursor`.
  static absl::StatusOr<int64_t> DecodeCursor(const std::string& cursor);
  // Deletes up to `limit` changes older than `cutoff` (the retention); returns how many. A cursor
  // pointing before the oldest remaining change is then CURSOR_EXPIRED.
  absl::StatusOr<int64_t> PurgeChanges(absl::Time cutoff, int limit);

  // Partner listings (listings.cc).
  absl::Status ListPartnerListings(const CallContext& call,
                                   const v1::ListPartnerListingsRequest& req,
                                   v1::ListPartnerListingsResponse* out);
  absl::Status BatchGetPartnerListings(const CallContext& call,
                                       const v1::BatchGetPartnerListingsRequest& req,
                                       v1::BatchGetPartnerListingsResponse* out);

  // Records an OFFER_CHANGED (a snapshot of the offer as it is) for every ACTIVE offer whose
  // partner has no listing of the product yet — offers made before listings existed — so the
  // sequencer lists them; returns how many. The server runs it once at start-up; re-announcing an
  // offer changes nothing a client sees but one more change.
  absl::StatusOr<int64_t> AnnounceUnlistedOffers();

  const Clock& clock() const { return *clock_; }

 private:
  // A partner's own stream (watch.cc): partner_listing_changes up to the feed head.
  absl::StatusOr<int64_t> ReadPartnerChanges(const CallContext& call, int64_t after, int limit,
                                             std::vector<v1::CatalogChange>* out);

  Database* db_;
  MembershipDirectory* directory_;
  const Clock* clock_;
  CatalogSettings settings_;
};

// The outbox topic of catalog changes (AppendChanges); its key is the product id.
inline constexpr char kChangeTopic[] = "catalog.changes";

// Gives changes recorded in the outbox (topic kChangeTopic, see AppendChanges) their feed
// sequence and projects them onto partner listings: the transactional sink of the server's outbox
// relay (change_sequencer.cc). Under the feed_head row lock it appends each batch to
// catalog_changes with consecutive sequences, in outbox order, in the relay's transaction, so a
// watcher reading catalog_changes never sees a gap.
class ChangeSequencer final : public TransactionalSink {
 public:
  absl::Status Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) override;
};

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CATALOG_H_
