#include "services/orders/catalog_gateway.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::orders {
namespace {

namespace cv1 = ::cooplink::catalog::v1;
using Stub = cv1::CatalogService::StubInterface;

// ListReservations' largest page.
constexpr int kReservationPageSize = 500;
// Stops a runaway paging loop (a million HELD reservations is far beyond any real backlog).
constexpr int kMaxReservationPages = 2000;

ProductFacts FactsOf(const cv1::PartnerListing& listing) {
  ProductFacts facts;
  facts.product_id = listing.product_id();
  if (listing.removed()) return facts;  // withdrawn, paused, archived or never offered
  const cv1::Product& product = listing.product();
  facts.offered = product.state() == cv1::PRODUCT_STATE_ACTIVE;
  facts.cooperative_id = product.cooperative_id();
  facts.household_id = product.household_id();
  facts.channel_price_fen = listing.channel_price().fen();
  facts.unit_weight_grams = RequiredUnitWeightGrams(product.unit());
  facts.min_order_quantity = product.min_order_quantity();
  return facts;
}

}  // namespace

int64_t UnitWeightGrams(catalog::v1::UnitKind kind) {
  switch (kind) {
    case cv1::UNIT_KIND_KG:
      return 1000;
    case cv1::UNIT_KIND_JIN:
      return 500;
    case cv1::UNIT_KIND_GRAM:
      return 1;
    default:
      return 0;
  }
}

int64_t RequiredUnitWeightGrams(const catalog::v1::Unit& unit) {
  const int64_t fixed = UnitWeightGrams(unit.kind());
  if (fixed != 0) return fixed;
  return unit.sold_by_weight() ? unit.unit_weight_grams() : 0;
}

absl::StatusOr<std::vector<ProductFacts>> GrpcCatalogGateway::LookupProducts(
    const CallContext& call, const std::string& partner_id,
    const std::vector<std::string>& product_ids) {
  if (product_ids.empty()) return std::vector<ProductFacts>{};
  cv1::BatchGetPartnerListingsRequest req;
  req.set_partner_id(partner_id);
  absl::flat_hash_map<std::string, int> index;  // product id -> its place in the request
  for (const std::string& id : product_ids) {
    if (index.emplace(id, req.product_ids_size()).second) req.add_product_ids(id);
  }
  if (req.product_ids_size() > kMaxLookupProducts) {
    return InvalidField("product_ids",
                        absl::StrCat("at most ", kMaxLookupProducts, " distinct products, got ",
                                     req.product_ids_size()));
  }
  auto resp = client_.Read(call, &Stub::BatchGetPartnerListings, req);
  if (!resp.ok()) return resp.status();
  if (resp->listings_size() != req.product_ids_size()) {
    return absl::InternalError(absl::StrCat("catalog answered ", resp->listings_size(),
                                            " listings for ", req.product_ids_size(), " products"));
  }
  for (int i = 0; i < req.product_ids_size(); ++i) {
    if (resp->listings(i).product_id() != req.product_ids(i)) {
      return absl::InternalError(absl::StrCat("catalog answered listing ", i, " for product ",
                                              resp->listings(i).product_id(), ", not ",
                                              req.product_ids(i)));
    }
  }
  std::vector<ProductFacts> facts;
  facts.reserve(product_ids.size());
  for (const std::string& id : product_ids) facts.push_back(FactsOf(resp->listings(index.at(id))));
  return facts;
}

absl::StatusOr<catalog::v1::Reservation> GrpcCatalogGateway::Reserve(
    const CallContext& call, const std::string& reservation_id, const std::string& partner_id,
    const std::vector<catalog::v1::ReservationLine>& lines, absl::Duration ttl) {
  cv1::CreateReservationRequest req;
  req.set_reservation_id(reservation_id);
  req.set_partner_id(partner_id);
  for (const cv1::ReservationLine& line : lines) *req.add_lines() = line;
  if (ttl > absl::ZeroDuration()) {
    const int64_t seconds = absl::IDivDuration(ttl, absl::Seconds(1), &ttl);
    req.mutable_ttl()->set_seconds(seconds);
    req.mutable_ttl()->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(ttl)));
  }
  // reservation_id is catalog's idempotency key: a resend returns the one reservation.
  return client_.IdempotentWrite(call, &Stub::CreateReservation, req);
}

absl::StatusOr<catalog::v1::Reservation> GrpcCatalogGateway::GetReservation(
    const CallContext& call, const std::string& reservation_id) {
  cv1::GetReservationRequest req;
  req.set_id(reservation_id);
  return client_.Read(call, &Stub::GetReservation, req);
}

absl::StatusOr<catalog::v1::Reservation> GrpcCatalogGateway::Commit(
    const CallContext& call, const std::string& reservation_id, const std::string& request_id) {
  cv1::CommitReservationRequest req;
  req.set_request_id(request_id);
  req.set_reservation_id(reservation_id);
  return client_.Write(call, &Stub::CommitReservation, req);
}

absl::StatusOr<catalog::v1::Reservation> GrpcCatalogGateway::Release(
    const CallContext& call, const std::string& reservation_id, const std::string& request_id) {
  cv1::ReleaseReservationRequest req;
  req.set_request_id(request_id);
  req.set_reservation_id(reservation_id);
  return client_.Write(call, &Stub::ReleaseReservation, req);
}

absl::Status GrpcCatalogGateway::ReturnStock(const CallContext& call, const std::string& product_id,
                                             int64_t quantity, const std::string& request_id,
                                             const std::string& note) {
  if (quantity <= 0) {
    return InvalidField("quantity", absl::StrCat("must be positive, got ", quantity));
  }
  cv1::AdjustStockRequest req;
  req.set_request_id(request_id);
  req.set_product_id(product_id);
  req.set_delta(quantity);
  req.set_reason(cv1::STOCK_ADJUSTMENT_REASON_RETURN);
  req.set_note(note);
  return client_.Write(call, &Stub::AdjustStock, req).status();
}

absl::StatusOr<std::vector<catalog::v1::Reservation>> GrpcCatalogGateway::ListHeldReservations(
    const CallContext& call, const std::string& id_prefix) {
  std::vector<cv1::Reservation> held;
  cv1::ListReservationsRequest req;
  req.set_state(cv1::RESERVATION_STATE_HELD);  // partner_id empty: every partner's
  req.set_page_size(kReservationPageSize);
  for (int page = 0; page < kMaxReservationPages; ++page) {
    auto resp = client_.Read(call, &Stub::ListReservations, req);
    if (!resp.ok()) return resp.status();
    for (cv1::Reservation& r : *resp->mutable_reservations()) {
      if (r.state() == cv1::RESERVATION_STATE_HELD && absl::StartsWith(r.id(), id_prefix)) {
        held.push_back(std::move(r));
      }
    }
    if (resp->next_page_token().empty()) return held;
    if (resp->next_page_token() == req.page_token()) {
      return absl::InternalError("catalog's ListReservations returned the same page token twice");
    }
    req.set_page_token(resp->next_page_token());
  }
  return absl::InternalError(absl::StrCat("more than ", kMaxReservationPages * kReservationPageSize,
                                          " HELD reservations in catalog"));
}

}  // namespace cooplink::orders
