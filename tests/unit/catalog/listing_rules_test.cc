// Listing rules without a database: what a partner may sell of a product for every product state
// and offer state, the removal reason's precedence, the sellable flag at, below and above the
// minimum order, the channel price, and how offer changes move a partner's terms.
#include <gtest/gtest.h>

#include <optional>

#include "services/catalog/listing_rules.h"

namespace cooplink::catalog {
namespace {

constexpr char kPartner[] = "01PARTNER00000000000000000";

v1::Product Product(v1::ProductState state, int64_t price_fen = 28800, int64_t min_order = 1) {
  v1::Product p;
  p.set_id("01PRD00000000000000000000A");
  p.set_state(state);
  p.mutable_price()->set_fen(price_fen);
  p.set_min_order_quantity(min_order);
  return p;
}
v1::Stock Stock(int64_t on_hand, int64_t reserved = 0) {
  v1::Stock s;
  s.set_on_hand(on_hand);
  s.set_reserved(reserved);
  return s;
}
OfferTerms Terms(bool active, std::optional<int64_t> price = std::nullopt,
                 const char* id = "01OFFER0000000000000000001") {
  return {id, active, price};
}
v1::Offer OfferSnapshot(const char* id, v1::OfferState state, std::optional<int64_t> price) {
  v1::Offer o;
  o.set_id(id);
  o.set_partner_id(kPartner);
  o.set_state(state);
  if (price) o.mutable_channel_price()->set_fen(*price);
  return o;
}

TEST(ListingRulesTest, ListedProductCarriesChannelPriceAndSellableStock) {
  v1::PartnerListing l =
      ListingOf(kPartner, Product(v1::PRODUCT_STATE_ACTIVE), Stock(10, 3), Terms(true, 26800));
  EXPECT_FALSE(l.removed());
  EXPECT_EQ(l.removal_reason(), v1::LISTING_REMOVAL_REASON_UNSPECIFIED);
  EXPECT_EQ(l.channel_price().fen(), 26800);
  EXPECT_EQ(l.sellable_quantity(), 7);
  EXPECT_TRUE(l.sellable());
  EXPECT_EQ(l.product().price().fen(), 28800);
  EXPECT_EQ(l.offer_id(), "01OFFER0000000000000000001");
  EXPECT_EQ(l.partner_id(), kPartner);
}

TEST(ListingRulesTest, NoChannelPriceMeansTheProductPrice) {
  v1::PartnerListing l =
      ListingOf(kPartner, Product(v1::PRODUCT_STATE_ACTIVE, 19900), Stock(1), Terms(true));
  EXPECT_EQ(l.channel_price().fen(), 19900);
}

TEST(ListingRulesTest, SellableAtBelowAndAboveTheMinimumOrder) {
  const v1::Product p = Product(v1::PRODUCT_STATE_ACTIVE, 100, /*min_order=*/5);
  EXPECT_FALSE(ListingOf(kPartner, p, Stock(4), Terms(true)).sellable());
  EXPECT_TRUE(ListingOf(kPartner, p, Stock(5), Terms(true)).sellable());
  EXPECT_TRUE(ListingOf(kPartner, p, Stock(6), Terms(true)).sellable());
  EXPECT_FALSE(ListingOf(kPartner, p, Stock(9, 5), Terms(true)).sellable());  // 4 available
  // No stock at all, with the minimum order unset (it means 1).
  const v1::Product no_min = Product(v1::PRODUCT_STATE_ACTIVE, 100, 0);
  EXPECT_FALSE(ListingOf(kPartner, no_min, Stock(0), Terms(true)).sellable());
  EXPECT_TRUE(ListingOf(kPartner, no_min, Stock(1), Terms(true)).sellable());
  // A listed product without stock is still listed, only not sellable.
  v1::PartnerListing empty = ListingOf(kPartner, p, Stock(0), Terms(true));
  EXPECT_FALSE(empty.removed());
  EXPECT_EQ(empty.sellable_quantity(), 0);
}

TEST(ListingRulesTest, RemovalReasonsAndTheirPrecedence) {
  EXPECT_EQ(RemovalReason(v1::PRODUCT_STATE_ACTIVE, true), v1::LISTING_REMOVAL_REASON_UNSPECIFIED);
  EXPECT_EQ(RemovalReason(v1::PRODUCT_STATE_PAUSED, true),
            v1::LISTING_REMOVAL_REASON_PRODUCT_PAUSED);
  EXPECT_EQ(RemovalReason(v1::PRODUCT_STATE_ACTIVE, false),
            v1::LISTING_REMOVAL_REASON_OFFER_WITHDRAWN);
  EXPECT_EQ(RemovalReason(v1::PRODUCT_STATE_PAUSED, false),
            v1::LISTING_REMOVAL_REASON_OFFER_WITHDRAWN);
  EXPECT_EQ(RemovalReason(v1::PRODUCT_STATE_ARCHIVED, true),
            v1::LISTING_REMOVAL_REASON_PRODUCT_ARCHIVED);
  EXPECT_EQ(RemovalReason(v1::PRODUCT_STATE_ARCHIVED, false),
            v1::LISTING_REMOVAL_REASON_PRODUCT_ARCHIVED);
}

TEST(ListingRulesTest, TombstoneCarriesOnlyIdsAndReason) {
  v1::PartnerListing l =
      ListingOf(kPartner, Product(v1::PRODUCT_STATE_PAUSED), Stock(10), Terms(true, 100));
  EXPECT_TRUE(l.removed());
  EXPECT_FALSE(l.has_product());
  EXPECT_FALSE(l.has_channel_price());
  EXPECT_EQ(l.sellable_quantity(), 0);
  EXPECT_FALSE(l.sellable());
  EXPECT_EQ(l.offer_id(), "01OFFER0000000000000000001");
}

TEST(ListingRulesTest, OfferChangesMoveTheTerms) {
  const char* kFirst = "01OFFER0000000000000000001";
  const char* kSecond = "01OFFER0000000000000000002";
  // A first offer.
  auto t = NextTerms(std::nullopt, OfferSnapshot(kFirst, v1::OFFER_STATE_ACTIVE, 500));
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->active);
  EXPECT_EQ(t->channel_price_fen, 500);
  // Its withdrawal.
  t = NextTerms(*t, OfferSnapshot(kFirst, v1::OFFER_STATE_WITHDRAWN, 500));
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->active);
  // A new offer replaces a withdrawn one; a late withdrawal of the old one changes nothing.
  t = NextTerms(*t, OfferSnapshot(kSecond, v1::OFFER_STATE_ACTIVE, std::nullopt));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->offer_id, kSecond);
  EXPECT_FALSE(t->channel_price_fen.has_value());
  EXPECT_FALSE(NextTerms(*t, OfferSnapshot(kFirst, v1::OFFER_STATE_WITHDRAWN, 500)).has_value());
}

TEST(ListingRulesTest, PreviousChannelPriceOnlyWhenAListedPriceMoved) {
  const v1::Product p = Product(v1::PRODUCT_STATE_ACTIVE, 100);
  const v1::PartnerListing at100 = ListingOf(kPartner, p, Stock(1), Terms(true));
  const v1::PartnerListing at200 = ListingOf(kPartner, p, Stock(1), Terms(true, 200));
  const v1::PartnerListing gone = ListingOf(kPartner, p, Stock(1), Terms(false));
  EXPECT_EQ(PreviousChannelPrice(at100, at200), 100);
  EXPECT_FALSE(PreviousChannelPrice(at100, at100).has_value());
  EXPECT_FALSE(PreviousChannelPrice(gone, at200).has_value());
  EXPECT_FALSE(PreviousChannelPrice(at100, gone).has_value());
  EXPECT_FALSE(PreviousChannelPrice(v1::PartnerListing(), at100).has_value());
}

}  // namespace
}  // namespace cooplink::catalog
