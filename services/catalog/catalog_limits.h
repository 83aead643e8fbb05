// Every limit catalog.proto states for a request field, written once (see services/common/limits.h
// for what an entry means and the two tests that keep it equal to the proto comment and to what
// the server does). The validators in *_rules.cc check fields against these entries; a limit
// changes here and in the proto comment, nowhere else.
#ifndef COOPLINK_SERVICES_CATALOG_CATALOG_LIMITS_H_
#define COOPLINK_SERVICES_CATALOG_CATALOG_LIMITS_H_

#include "services/common/limits.h"

namespace cooplink::catalog {

namespace limits {
inline constexpr char kProduct[] = "cooplink.catalog.v1.Product";
inline constexpr char kLabel[] = "cooplink.catalog.v1.LocalizedText";
inline constexpr char kUnit[] = "cooplink.catalog.v1.Unit";
inline constexpr char kLot[] = "cooplink.catalog.v1.Lot";
inline constexpr char kLine[] = "cooplink.catalog.v1.ReservationLine";
inline constexpr char kOffer[] = "cooplink.catalog.v1.Offer";
}  // namespace limits

// Products (CreateProduct, UpdateProduct).
inline constexpr FieldLimit kProductTitle =
    Limit(limits::kProduct, "title", LimitKind::kText, 1, 60);
inline constexpr FieldLimit kProductDescription =
    Limit(limits::kProduct, "description", LimitKind::kText, 0, 2000);
inline constexpr FieldLimit kProductLabels =
    Limit(limits::kProduct, "labels", LimitKind::kCount, 0, 10);
inline constexpr FieldLimit kLabelLanguageCode =
    Limit(limits::kLabel, "language_code", LimitKind::kToken, 2, 35);
inline constexpr FieldLimit kLabelTitle = Limit(limits::kLabel, "title", LimitKind::kText, 1, 60);
inline constexpr FieldLimit kLabelDescription =
    Limit(limits::kLabel, "description", LimitKind::kText, 0, 2000);
inline constexpr FieldLimit kUnitWeightGrams =
    Limit(limits::kUnit, "unit_weight_grams", LimitKind::kInteger, 0, 100'000);
inline constexpr FieldLimit kProductPrice =
    Limit(limits::kProduct, "price", LimitKind::kFen, 1, 100'000'000);
inline constexpr FieldLimit kMinOrderQuantity =
    Limit(limits::kProduct, "min_order_quantity", LimitKind::kInteger, 1, 10'000)
        .ZeroMeansOnCreate(1);
inline constexpr FieldLimit kOriginRegionCode =
    Limit(limits::kProduct, "origin_region_code", LimitKind::kDigits, 6, 6);
inline constexpr FieldLimit kProductImages =
    Limit(limits::kProduct, "image_urls", LimitKind::kCount, 0, 9);
// min: the shortest https URL, "https://" and one character (the proto states only the maximum).
inline constexpr FieldLimit kImageUrl =
    Limit(limits::kProduct, "image_urls", LimitKind::kUrl, 9, 500);
inline constexpr FieldLimit kCertificateNumber =
    Limit(limits::kProduct, "compliance_certificate_number", LimitKind::kText, 0, 64);

// Lifecycle and search.
inline constexpr FieldLimit kRejectReason =
    Limit("cooplink.catalog.v1.RejectProductRequest", "reason", LimitKind::kText, 1, 500);
inline constexpr FieldLimit kPauseReason =
    Limit("cooplink.catalog.v1.PauseProductRequest", "reason", LimitKind::kText, 0, 500);
inline constexpr FieldLimit kArchiveReason =
    Limit("cooplink.catalog.v1.ArchiveProductRequest", "reason", LimitKind::kText, 0, 500);
inline constexpr FieldLimit kListRegionCode =
    Limit("cooplink.catalog.v1.ListProductsRequest", "region_code", LimitKind::kDigits, 0, 6);
inline constexpr FieldLimit kSearchQuery =
    Limit("cooplink.catalog.v1.SearchProductsRequest", "query", LimitKind::kText, 1, 100);

// Lots and stock.
inline constexpr FieldLimit kLotCode = Limit(limits::kLot, "lot_code", LimitKind::kToken, 1, 40);
inline constexpr FieldLimit kLotQuantity =
    Limit(limits::kLot, "quantity", LimitKind::kInteger, 1, 1'000'000'000);
inline constexpr FieldLimit kHarvestDate =
    Limit(limits::kLot, "harvest_date", LimitKind::kPastDate, 0, 0);
inline constexpr FieldLimit kStockDelta = Limit("cooplink.catalog.v1.AdjustStockRequest", "delta",
                                                LimitKind::kInteger, -1'000'000'000, 1'000'000'000)
                                              .NonZero();
inline constexpr FieldLimit kStockNote =
    Limit("cooplink.catalog.v1.AdjustStockRequest", "note", LimitKind::kText, 0, 200);

// Reservations. The line count and the TTL bounds are also CatalogSettings defaults: a deployment
// that changes them no longer matches the proto.
inline constexpr FieldLimit kReservationId = Limit("cooplink.catalog.v1.CreateReservationRequest",
                                                   "reservation_id", LimitKind::kToken, 1, 64);
inline constexpr FieldLimit kReservationLines =
    Limit("cooplink.catalog.v1.CreateReservationRequest", "lines", LimitKind::kCount, 1, 100);
inline constexpr FieldLimit kLineQuantity =
    Limit(limits::kLine, "quantity", LimitKind::kInteger, 1, 1'000'000);
inline constexpr FieldLimit kReservationTtl =
    Limit("cooplink.catalog.v1.CreateReservationRequest", "ttl", LimitKind::kSeconds, 60, 24 * 3600)
        .ZeroMeans(15 * 60);

// Offers.
inline constexpr FieldLimit kChannelPrice =
    Limit(limits::kOffer, "channel_price", LimitKind::kFen, 1, 100'000'000).Optional();

// Partner listings.
inline constexpr FieldLimit kBatchListingProducts = Limit(
    "cooplink.catalog.v1.BatchGetPartnerListingsRequest", "product_ids", LimitKind::kCount, 1, 100);

// The table: every entry above, for the tests that tie it to the proto and walk it through gRPC.
inline constexpr FieldLimit kCatalogLimits[] = {
    kProductTitle,         kProductDescription, kProductLabels,   kLabelLanguageCode,
    kLabelTitle,           kLabelDescription,   kUnitWeightGrams, kProductPrice,
    kMinOrderQuantity,     kOriginRegionCode,   kProductImages,   kImageUrl,
    kCertificateNumber,    kRejectReason,       kPauseReason,     kArchiveReason,
    kListRegionCode,       kSearchQuery,        kLotCode,         kLotQuantity,
    kHarvestDate,          kStockDelta,         kStockNote,       kReservationId,
    kReservationLines,     kLineQuantity,       kReservationTtl,  kChannelPrice,
    kBatchListingProducts,
};

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CATALOG_LIMITS_H_
