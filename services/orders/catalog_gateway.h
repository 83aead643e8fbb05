// What orders asks of catalog, behind a small interface: the facts of the products a partner sells
// (one BatchGetPartnerListings), and the life of the stock reservation behind an order (create,
// read, commit, release, list the HELD ones for the recovery job) and stock that comes back
// (AdjustStock RETURN). Orders calls every one of these BEFORE or AFTER a database transaction,
// never inside one; orchestration tests put a gMock of CatalogGateway in its place.
//
// GrpcCatalogGateway calls CatalogService through the shared ServiceClient with orders' own
// service-account token, a platform admin to catalog (catalog.proto: "Platform admin (including
// the orders service's service account): all"), so every call names the partner it acts for
// where catalog asks for one. Every call carries the caller's CallContext deadline (less the
// client's margin, capped by its configured cap); catalog's status code, message and details come
// back unchanged (FAILED_PRECONDITION INSUFFICIENT_STOCK with its "available_<product_id>"
// metadata, RESERVATION_NOT_HELD, PRODUCT_NOT_AVAILABLE, NOT_FOUND, …; ReasonOf() reads the
// reason). Retried on UNAVAILABLE (ServiceClient's backoff, within the one deadline): the reads,
// CreateReservation (its reservation_id is catalog's idempotency key) and the writes that carry a
// request_id. Nothing is cached: a listing can change between two calls. Safe to call from any
// thread.
#ifndef COOPLINK_SERVICES_ORDERS_CATALOG_GATEWAY_H_
#define COOPLINK_SERVICES_ORDERS_CATALOG_GATEWAY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "services/common/call_context.h"
#include "services/common/service_client.h"

namespace cooplink::orders {

using CatalogClient = ServiceClient<catalog::v1::CatalogService::StubInterface>;

// The most product ids one LookupProducts takes (BatchGetPartnerListings' limit), after repeats
// are folded.
inline constexpr int kMaxLookupProducts = 100;

// What orders needs to know about one product it is asked to sell for a partner.
struct ProductFacts {
  std::string product_id;
  bool offered = false;            // listed for the partner: an ACTIVE offer of an ACTIVE product
  std::string cooperative_id;      // set when offered
  std::string household_id;        // the producer household
  int64_t channel_price_fen = 0;   // PartnerListing.channel_price
  int64_t unit_weight_grams = 0;   // RequiredUnitWeightGrams(product.unit): see below
  int64_t min_order_quantity = 0;  // the least a reservation line may ask for
};

// Grams per unit of a weight unit kind: KG 1000, JIN 500, GRAM 1; 0 for every other kind.
int64_t UnitWeightGrams(catalog::v1::UnitKind kind);

// The net weight orders requires per unit sold (a packed line must weigh at least quantity × it):
// UnitWeightGrams(kind) for a weight kind (KG, JIN, GRAM: catalog allows no other weight for them);
// for another kind sold by weight (e.g. a BOX of 2500 g), the product's unit_weight_grams; else 0
// (a weight catalog knows only for shipping, e.g. a 357 g tea cake sold by the piece, is not
// required).
int64_t RequiredUnitWeightGrams(const catalog::v1::Unit& unit);

class CatalogGateway {
 public:
  virtual ~CatalogGateway() = default;
  // One BatchGetPartnerListings (partner_id named, as platform admin) for up to 100 distinct ids
  // (repeats are asked once and answered each time); facts in the order of `product_ids`; a
  // removed listing or NOT_OFFERED -> offered=false. No ids: no call, no facts. More than 100
  // distinct ids: INVALID_ARGUMENT, nothing sent. Listings are catalog's projection of its change
  // feed, current to a watermark: a new offer, a withdrawal or a pause shows here once catalog's
  // relay has sequenced it (its feed interval); CreateReservation checks offer and state itself,
  // so a product offered here but no longer is refused there (PRODUCT_NOT_AVAILABLE).
  virtual absl::StatusOr<std::vector<ProductFacts>> LookupProducts(
      const CallContext& call, const std::string& partner_id,
      const std::vector<std::string>& product_ids) = 0;
  // CreateReservation (reservation_id is catalog's idempotency key: a retry with the same id and
  // body returns the reservation as it is now; the same id with another body is
  // FAILED_PRECONDITION REQUEST_ID_REUSED). `ttl` zero means catalog's default (15 minutes).
  // Catalog's status is returned unchanged (FAILED_PRECONDITION INSUFFICIENT_STOCK etc.);
  // ReasonOf(status) reads the reason. A platform admin reads a reservation by id alone
  // (Get/Commit/Release), so orders' reservation ids must be unique across partners.
  virtual absl::StatusOr<catalog::v1::Reservation> Reserve(
      const CallContext& call, const std::string& reservation_id, const std::string& partner_id,
      const std::vector<catalog::v1::ReservationLine>& lines, absl::Duration ttl) = 0;
  // A HELD reservation past its expire_time reads as EXPIRED.
  virtual absl::StatusOr<catalog::v1::Reservation> GetReservation(
      const CallContext& call, const std::string& reservation_id) = 0;
  // HELD -> COMMITTED (COMMITTED: unchanged; RELEASED/EXPIRED: FAILED_PRECONDITION
  // RESERVATION_NOT_HELD).
  virtual absl::StatusOr<catalog::v1::Reservation> Commit(const CallContext& call,
                                                          const std::string& reservation_id,
                                                          const std::string& request_id) = 0;
  // HELD -> RELEASED (RELEASED/EXPIRED: unchanged; COMMITTED: FAILED_PRECONDITION
  // RESERVATION_COMMITTED).
  virtual absl::StatusOr<catalog::v1::Reservation> Release(const CallContext& call,
                                                           const std::string& reservation_id,
                                                           const std::string& request_id) = 0;
  // AdjustStock reason RETURN, +quantity (goods came back, or a paid order cancelled before
  // shipping). `quantity` must be positive (else INVALID_ARGUMENT, nothing sent); `note` at most
  // 200 characters (catalog checks it).
  virtual absl::Status ReturnStock(const CallContext& call, const std::string& product_id,
                                   int64_t quantity, const std::string& request_id,
                                   const std::string& note) = 0;
  // Every HELD reservation (all partners; ListReservations state HELD, all pages) whose id starts
  // with `id_prefix` — for the recovery job that releases reservations no order references.
  // Catalog has no prefix filter: every partner's HELD reservations are read (500 a page) and
  // filtered here. HELD means not yet past expire_time; expired ones are catalog's sweeper's.
  virtual absl::StatusOr<std::vector<catalog::v1::Reservation>> ListHeldReservations(
      const CallContext& call, const std::string& id_prefix) = 0;
};

// CatalogService over the ServiceClient (see the file comment). `client` carries orders'
// service-account token (a platform admin).
class GrpcCatalogGateway final : public CatalogGateway {
 public:
  explicit GrpcCatalogGateway(CatalogClient client) : client_(std::move(client)) {}

  absl::StatusOr<std::vector<ProductFacts>> LookupProducts(
      const CallContext& call, const std::string& partner_id,
      const std::vector<std::string>& product_ids) override;
  absl::StatusOr<catalog::v1::Reservation> Reserve(
      const CallContext& call, const std::string& reservation_id, const std::string& partner_id,
      const std::vector<catalog::v1::ReservationLine>& lines, absl::Duration ttl) override;
  absl::StatusOr<catalog::v1::Reservation> GetReservation(
      const CallContext& call, const std::string& reservation_id) override;
  absl::StatusOr<catalog::v1::Reservation> Commit(const CallContext& call,
                                                  const std::string& reservation_id,
                                                  const std::string& request_id) override;
  absl::StatusOr<catalog::v1::Reservation> Release(const CallContext& call,
                                                   const std::string& reservation_id,
                                                   const std::string& request_id) override;
  absl::Status ReturnStock(const CallContext& call, const std::string& product_id, int64_t quantity,
                           const std::string& request_id, const std::string& note) override;
  absl::StatusOr<std::vector<catalog::v1::Reservation>> ListHeldReservations(
      const CallContext& call, const std::string& id_prefix) override;

 private:
  CatalogClient client_;
};

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_CATALOG_GATEWAY_H_
