#include "services/catalog/listing_rules.h"

#include <algorithm>

namespace cooplink::catalog {

OfferTerms TermsOf(const v1::Offer& offer) {
  OfferTerms terms;
  terms.offer_id = offer.id();
  terms.active = offer.state() == v1::OFFER_STATE_ACTIVE;
  if (offer.has_channel_price()) terms.channel_price_fen = offer.channel_price().fen();
  return terms;
}

std::optional<OfferTerms> NextTerms(const std::optional<OfferTerms>& current,
                                    const v1::Offer& changed) {
  OfferTerms next = TermsOf(changed);
  if (next.active || !current) return next;
  // A withdrawal: it ends the partner's current offer only if it is that offer (or the current
  // one is no longer active anyway); a partner has at most one ACTIVE offer per product.
  if (current->offer_id == next.offer_id || !current->active) return next;
  return std::nullopt;
}

v1::ListingRemovalReason RemovalReason(v1::ProductState state, bool offer_active) {
  if (state == v1::PRODUCT_STATE_ARCHIVED) return v1::LISTING_REMOVAL_REASON_PRODUCT_ARCHIVED;
  if (!offer_active) return v1::LISTING_REMOVAL_REASON_OFFER_WITHDRAWN;
  // Offers exist only for products that were ACTIVE; any other state is a pause.
  if (state != v1::PRODUCT_STATE_ACTIVE) return v1::LISTING_REMOVAL_REASON_PRODUCT_PAUSED;
  return v1::LISTING_REMOVAL_REASON_UNSPECIFIED;
}

v1::PartnerListing ListingOf(const std::string& partner_id, const v1::Product& product,
                             const v1::Stock& stock, const OfferTerms& terms) {
  v1::PartnerListing listing;
  listing.set_product_id(product.id());
  listing.set_partner_id(partner_id);
  listing.set_offer_id(terms.offer_id);
  const v1::ListingRemovalReason reason = RemovalReason(product.state(), terms.active);
  if (reason != v1::LISTING_REMOVAL_REASON_UNSPECIFIED) {
    listing.set_removed(true);
    listing.set_removal_reason(reason);
    return listing;
  }
  *listing.mutable_product() = product;
  listing.mutable_channel_price()->set_fen(terms.channel_price_fen.value_or(product.price().fen()));
  const int64_t available = std::max<int64_t>(0, stock.on_hand() - stock.reserved());
  listing.set_sellable_quantity(available);
  listing.set_sellable(available > 0 &&
                       available >= std::max<int64_t>(1, product.min_order_quantity()));
  return listing;
}

std::optional<int64_t> PreviousChannelPrice(const v1::PartnerListing& before,
                                            const v1::PartnerListing& after) {
  if (before.removed() || after.removed() || !before.has_channel_price()) return std::nullopt;
  if (before.channel_price().fen() == after.channel_price().fen()) return std::nullopt;
  return before.channel_price().fen();
}

}  // namespace cooplink::catalog
