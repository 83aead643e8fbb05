// What a partner may sell of a product — its PartnerListing — as a pure function of the product,
// its stock and the partner's offer terms, and how an offer change moves those terms. No SQL, no
// gRPC: the change sequencer (change_sequencer.cc) applies these to every sequenced change.
#ifndef COOPLINK_SERVICES_CATALOG_LISTING_RULES_H_
#define COOPLINK_SERVICES_CATALOG_LISTING_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "cooplink/catalog/v1/catalog.pb.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// A partner's offer for a product, as far as its listing is concerned.
struct OfferTerms {
  std::string offer_id;
  bool active = false;
  std::optional<int64_t> channel_price_fen;  // unset: the product's price
};

// The terms an offer snapshot gives.
OfferTerms TermsOf(const v1::Offer& offer);

// The terms after an OFFER_CHANGED snapshot `changed`, given the partner's current terms (none
// when the partner never had an offer for the product); nullopt when the change does not touch
// them (a late withdrawal of an older offer while a newer one is ACTIVE).
std::optional<OfferTerms> NextTerms(const std::optional<OfferTerms>& current,
                                    const v1::Offer& changed);

// Why the partner may not sell the product; UNSPECIFIED when it may. An archived product wins
// over a withdrawn offer, which wins over a paused product.
v1::ListingRemovalReason RemovalReason(v1::ProductState state, bool offer_active);

// The listing (without version, version_cursor, change_time and previous_channel_price): a
// tombstone when RemovalReason says so, else the product, channel price, sellable quantity
// (available stock, never below 0) and whether that reaches the product's minimum order.
v1::PartnerListing ListingOf(const std::string& partner_id, const v1::Product& product,
                             const v1::Stock& stock, const OfferTerms& terms);

// The channel price before `after`, when both listings are listed and the price moved.
std::optional<int64_t> PreviousChannelPrice(const v1::PartnerListing& before,
                                            const v1::PartnerListing& after);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_LISTING_RULES_H_
