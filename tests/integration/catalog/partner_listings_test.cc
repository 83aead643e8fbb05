// Partner listings and the change stream as a partner mirroring the catalog uses them, through real
// gRPC against the real MariaDB: a mirror bootstrapped from ListPartnerListings and kept by
// WatchCatalogChanges (also cut and resumed), or resynced only by
// ListPartnerListings(changed_since), equals a fresh listing after a scripted mix of price changes,
// offers made and withdrawn, pauses, archives and stock moves; a snapshot bootstrap followed by the
// stream has no gap and no duplicate; a replayed stream shows every intermediate state;
// BatchGetPartnerListings and the callers' walls.
#include <google/protobuf/util/message_differencer.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "services/common/ids.h"
#include "services/common/outbox.h"
#include "tests/support/catalog_fixture.h"
#include "tests/support/watch_client.h"

namespace cooplink::testing {
namespace {

using Stub = cv1::CatalogService::Stub;

// What a partner keeps: the listings it may sell, by product, and the highest version seen of
// every product (removed ones included) so an older listing never overwrites a newer one.
struct Mirror {
  std::map<std::string, cv1::PartnerListing> listed;
  std::map<std::string, int64_t> versions;

  void Apply(cv1::PartnerListing listing) {
    auto it = versions.find(listing.product_id());
    if (it != versions.end() && it->second >= listing.version()) return;
    versions[listing.product_id()] = listing.version();
    listing.clear_previous_channel_price();  // a property of the change, not of the listing
    if (listing.removed()) {
      listed.erase(listing.product_id());
    } else {
      listed[listing.product_id()] = std::move(listing);
    }
  }
};

class PartnerListingsTest : public CatalogFixture {
 protected:
  // Every page of ListPartnerListings; the watermark of the first page.
  std::vector<cv1::PartnerListing> ListAll(const std::string& token,
                                           const std::string& changed_since, std::string* watermark,
                                           int page_size = 2) {
    std::vector<cv1::PartnerListing> out;
    cv1::ListPartnerListingsRequest req;
    req.set_changed_since(changed_since);
    req.set_page_size(page_size);
    std::string first_watermark;
    do {
      cv1::ListPartnerListingsResponse resp;
      grpc::Status s = catalog().ListPartnerListings(Ctx(token).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (first_watermark.empty()) first_watermark = resp.watermark();
      EXPECT_EQ(resp.watermark(), first_watermark) << "the watermark is fixed at the first page";
      EXPECT_LE(resp.listings_size(), page_size);
      for (const auto& l : resp.listings()) out.push_back(l);
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    if (watermark != nullptr) *watermark = first_watermark;
    return out;
  }
  Mirror Fresh(const std::string& token) {
    Mirror m;
    for (auto& l : ListAll(token, "", nullptr)) {
      EXPECT_FALSE(l.removed()) << "a snapshot holds no tombstones";
      m.Apply(std::move(l));
    }
    return m;
  }
  // Waits (up to 10 s) until the relay has sequenced every recorded change.
  bool FeedCaughtUp() {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (absl::Now() < give_up) {
      auto lag = Outbox::Pending(db(), catalog::kChangeTopic, clock_->Now());
      if (lag.ok() && lag->pending == 0) return true;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return false;
  }

  cv1::Product SetPrice(const cv1::Product& product, int64_t fen, const std::string& token) {
    cv1::UpdateProductRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_product()->set_id(product.id());
    req.mutable_product()->mutable_price()->set_fen(fen);
    req.mutable_update_mask()->add_paths("price");
    cv1::Product out;
    grpc::Status s = catalog().UpdateProduct(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  void Adjust(const cv1::Product& product, int64_t delta, const std::string& token) {
    cv1::AdjustStockRequest req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product.id());
    req.set_delta(delta);
    req.set_reason(cv1::STOCK_ADJUSTMENT_REASON_CORRECTION);
    cv1::Stock out;
    grpc::Status s = catalog().AdjustStock(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  template <typename Req>
  void Lifecycle(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, cv1::Product*),
                 const cv1::Product& product, const std::string& token) {
    Req req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product.id());
    cv1::Product out;
    grpc::Status s = (catalog().*method)(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  cv1::Offer Offer(const cv1::Product& product, const PartnerWorld& partner,
                   std::optional<int64_t> channel_fen, const std::string& token) {
    cv1::CreateOfferRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_offer()->set_product_id(product.id());
    req.mutable_offer()->set_partner_id(partner.partner.id());
    if (channel_fen) req.mutable_offer()->mutable_channel_price()->set_fen(*channel_fen);
    cv1::Offer out;
    grpc::Status s = catalog().CreateOffer(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  void Withdraw(const cv1::Offer& offer, const std::string& token) {
    cv1::WithdrawOfferRequest req;
    req.set_request_id(NewRequestId());
    req.set_offer_id(offer.id());
    cv1::Offer out;
    grpc::Status s = catalog().WithdrawOffer(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  std::string Reserve(const cv1::Product& product, int64_t quantity, const PartnerWorld& partner) {
    cv1::CreateReservationRequest req;
    req.set_reservation_id(NewRequestId());
    auto* line = req.add_lines();
    line->set_product_id(product.id());
    line->set_quantity(quantity);
    cv1::Reservation out;
    grpc::Status s = catalog().CreateReservation(Ctx(partner.token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return req.reservation_id();
  }
  void Release(const std::string& reservation_id, const PartnerWorld& partner) {
    cv1::ReleaseReservationRequest req;
    req.set_request_id(NewRequestId());
    req.set_reservation_id(reservation_id);
    cv1::Reservation out;
    grpc::Status s = catalog().ReleaseReservation(Ctx(partner.token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }

  // The partner's world: three ACTIVE products, two of them offered.
  struct Scene {
    CoopWorld coop;
    PartnerWorld partner;
    PartnerWorld other;
    cv1::Product a, b, c;
    cv1::Offer offer_a, offer_b;
  };
  Scene NewScene() {
    Scene s;
    s.coop = NewCoop();
    s.partner = NewPartner();
    s.other = NewPartner();
    s.a = ActiveProduct(s.coop, 10);
    s.b = ActiveProduct(s.coop, 0);
    s.c = ActiveProduct(s.coop, 5);
    s.offer_a = Offer(s.a, s.partner, 26800, s.coop.admin_token);
    s.offer_b = Offer(s.b, s.partner, std::nullopt, s.coop.admin_token);
    Offer(s.c, s.other, std::nullopt, s.coop.admin_token);  // another partner's: never seen
    return s;
  }
  // Price changes, offers made and withdrawn, a pause and resume, an archive and stock moves (a
  // reservation held and released among them). `midway` runs halfway through.
  void Script(
      Scene& s, const std::function<void()>& midway = [] {}) {
    const std::string& admin_token = s.coop.admin_token;
    SetPrice(s.b, 30000, admin_token);  // B has no channel price: its listing price moves
    SetPrice(s.a, 31000, admin_token);  // A keeps its channel price
    Adjust(s.a, -10, admin_token);      // A sells out: listed, not sellable
    Offer(s.c, s.partner, 9900, admin_token);
    Lifecycle<cv1::PauseProductRequest>(&Stub::PauseProduct, s.b, admin_token);
    const std::string held = Reserve(s.c, 2, s.partner);
    midway();
    Lifecycle<cv1::ResumeProductRequest>(&Stub::ResumeProduct, s.b, admin_token);
    Adjust(s.b, 3, admin_token);
    Release(held, s.partner);
    Withdraw(s.offer_a, admin_token);
    Offer(s.a, s.partner, 25800, admin_token);
    Adjust(s.a, 4, admin_token);
    Lifecycle<cv1::ArchiveProductRequest>(&Stub::ArchiveProduct, s.c, admin_token);
    SetPrice(s.b, 32000, admin_token);
  }

  static void ExpectSame(const Mirror& mirror, const Mirror& fresh) {
    ASSERT_EQ(mirror.listed.size(), fresh.listed.size());
    for (const auto& [id, listing] : fresh.listed) {
      auto it = mirror.listed.find(id);
      ASSERT_NE(it, mirror.listed.end()) << "missing " << id;
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(it->second, listing))
          << "mirror: " << it->second.ShortDebugString()
          << "\nfresh:  " << listing.ShortDebugString();
    }
  }
};

TEST_F(PartnerListingsTest, ListingCarriesChannelPriceSellableStockAndSellableNow) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  Mirror fresh = Fresh(s.partner.token);
  ASSERT_EQ(fresh.listed.size(), 2u);  // A and B; C is offered to another partner only
  const cv1::PartnerListing& a = fresh.listed.at(s.a.id());
  EXPECT_EQ(a.offer_id(), s.offer_a.id());
  EXPECT_EQ(a.partner_id(), s.partner.partner.id());
  EXPECT_EQ(a.channel_price().fen(), 26800);  // the offer's channel price
  EXPECT_EQ(a.product().price().fen(), 28800);
  EXPECT_EQ(a.sellable_quantity(), 10);
  EXPECT_TRUE(a.sellable());
  EXPECT_FALSE(a.removed());
  EXPECT_GT(a.version(), 0);
  EXPECT_FALSE(a.version_cursor().empty());
  const cv1::PartnerListing& b = fresh.listed.at(s.b.id());
  EXPECT_EQ(b.channel_price().fen(), 28800);  // no channel price: the product's price
  EXPECT_EQ(b.sellable_quantity(), 0);
  EXPECT_FALSE(b.sellable());

  // The other partner sees only C.
  Mirror other = Fresh(s.other.token);
  ASSERT_EQ(other.listed.size(), 1u);
  EXPECT_EQ(other.listed.begin()->first, s.c.id());
}

TEST_F(PartnerListingsTest, StreamedMirrorEqualsAFreshListingAlsoWhenCutAndResumed) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  std::string watermark;
  Mirror mirror;
  for (auto& l : ListAll(s.partner.token, "", &watermark)) mirror.Apply(std::move(l));
  ASSERT_FALSE(watermark.empty());

  std::set<std::string> cursors;
  std::string last_cursor = watermark;
  int64_t last_version = 0;
  auto take = [&](const std::vector<cv1::CatalogChange>& changes) {
    for (const auto& c : changes) {
      EXPECT_TRUE(cursors.insert(c.cursor()).second) << "duplicate " << c.ShortDebugString();
      ASSERT_TRUE(c.has_listing()) << c.ShortDebugString();
      EXPECT_EQ(c.listing().version_cursor(), c.cursor());
      EXPECT_GT(c.listing().version(), last_version) << "versions grow along the stream";
      last_version = c.listing().version();
      EXPECT_EQ(c.listing().partner_id(), s.partner.partner.id());
      EXPECT_NE(c.listing().product_id(), "") << c.ShortDebugString();
      last_cursor = c.cursor();
      mirror.Apply(c.listing());
    }
  };
  {
    std::vector<std::unique_ptr<Stub>> stubs;  // each stream on its own channel
    stubs.push_back(NewCatalogStub());
    auto watch = std::make_unique<Watch>(*stubs.back(), s.partner.token, watermark);
    Script(s, [&] {
      // Cut the stream midway and resume from the last change processed.
      take(watch->UntilCaughtUp());
      watch->Cancel();
      stubs.push_back(NewCatalogStub());
      watch = std::make_unique<Watch>(*stubs.back(), s.partner.token, last_cursor);
    });
    ASSERT_TRUE(FeedCaughtUp());
    take(watch->UntilCaughtUp());
  }
  ExpectSame(mirror, Fresh(s.partner.token));
  EXPECT_EQ(mirror.listed.size(), 2u);  // A (offered again) and B; C archived
  EXPECT_EQ(mirror.listed.at(s.a.id()).channel_price().fen(), 25800);
  EXPECT_EQ(mirror.listed.at(s.a.id()).sellable_quantity(), 4);
  EXPECT_EQ(mirror.listed.at(s.b.id()).channel_price().fen(), 32000);
  EXPECT_EQ(mirror.listed.at(s.b.id()).sellable_quantity(), 3);
}

TEST_F(PartnerListingsTest, WatermarkResyncAloneIsExactWithTombstones) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  std::string watermark;
  Mirror mirror;
  for (auto& l : ListAll(s.partner.token, "", &watermark)) mirror.Apply(std::move(l));
  std::string midway_watermark;
  Script(s, [&] {
    // A resync halfway, then another at the end, each from the previous watermark.
    ASSERT_TRUE(FeedCaughtUp());
    for (auto& l : ListAll(s.partner.token, watermark, &midway_watermark)) {
      mirror.Apply(std::move(l));
    }
  });
  ASSERT_TRUE(FeedCaughtUp());
  std::map<std::string, cv1::ListingRemovalReason> tombstones;
  for (auto& l : ListAll(s.partner.token, midway_watermark, nullptr)) {
    EXPECT_GT(l.version(), 0);
    if (l.removed()) tombstones[l.product_id()] = l.removal_reason();
    mirror.Apply(std::move(l));
  }
  ExpectSame(mirror, Fresh(s.partner.token));
  // C was archived after the midway resync (which listed it): it comes back as a tombstone.
  ASSERT_TRUE(tombstones.count(s.c.id())) << "no tombstone for the archived product";
  EXPECT_EQ(tombstones[s.c.id()], cv1::LISTING_REMOVAL_REASON_PRODUCT_ARCHIVED);
}

TEST_F(PartnerListingsTest, TombstonesSayWhyAndAPausedProductComesBack) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  std::string watermark;
  ListAll(s.partner.token, "", &watermark);
  Lifecycle<cv1::PauseProductRequest>(&Stub::PauseProduct, s.b, s.coop.admin_token);
  Withdraw(s.offer_a, s.coop.admin_token);
  ASSERT_TRUE(FeedCaughtUp());
  std::map<std::string, cv1::PartnerListing> changed;
  for (auto& l : ListAll(s.partner.token, watermark, &watermark)) changed[l.product_id()] = l;
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_TRUE(changed[s.a.id()].removed());
  EXPECT_EQ(changed[s.a.id()].removal_reason(), cv1::LISTING_REMOVAL_REASON_OFFER_WITHDRAWN);
  EXPECT_EQ(changed[s.a.id()].offer_id(), s.offer_a.id());
  EXPECT_FALSE(changed[s.a.id()].has_product()) << "a tombstone carries no product";
  EXPECT_TRUE(changed[s.b.id()].removed());
  EXPECT_EQ(changed[s.b.id()].removal_reason(), cv1::LISTING_REMOVAL_REASON_PRODUCT_PAUSED);
  EXPECT_TRUE(Fresh(s.partner.token).listed.empty());

  // A paused product changing does not move its tombstone; resuming lists it again.
  Adjust(s.b, 7, s.coop.admin_token);
  ASSERT_TRUE(FeedCaughtUp());
  EXPECT_TRUE(ListAll(s.partner.token, watermark, nullptr).empty());
  Lifecycle<cv1::ResumeProductRequest>(&Stub::ResumeProduct, s.b, s.coop.admin_token);
  ASSERT_TRUE(FeedCaughtUp());
  auto again = ListAll(s.partner.token, watermark, nullptr);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_FALSE(again[0].removed());
  EXPECT_EQ(again[0].sellable_quantity(), 7);
  EXPECT_TRUE(again[0].sellable());
}

TEST_F(PartnerListingsTest, StreamSaysWhatThePriceWas) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  std::string watermark;
  ListAll(s.partner.token, "", &watermark);
  auto stub = NewCatalogStub();
  Watch watch(*stub, s.partner.token, watermark);
  SetPrice(s.b, 30000, s.coop.admin_token);
  auto change = watch.NextChange();
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->kind(), cv1::CATALOG_CHANGE_KIND_PRICE_CHANGED);
  EXPECT_EQ(change->listing().channel_price().fen(), 30000);
  EXPECT_EQ(change->listing().previous_channel_price().fen(), 28800);
  EXPECT_EQ(change->previous_price().fen(), 28800);
  EXPECT_EQ(change->product().price().fen(), 30000);
}

TEST_F(PartnerListingsTest, ReplayedStreamShowsEveryIntermediateState) {
  CoopWorld coop = NewCoop();
  // Where the feed is now: a stream started "now" reports it in its first heartbeat.
  std::string start;
  {
    auto stub = NewCatalogStub();
    Watch now(*stub, admin(), "", std::chrono::seconds(30), /*start_at_now=*/true);
    auto first = now.Next();
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(first->kind(), cv1::CATALOG_CHANGE_KIND_HEARTBEAT);
    start = first->cursor();
  }
  cv1::CreateProductRequest create;
  create.set_request_id(NewRequestId());
  *create.mutable_product() = ProductBody(coop);
  create.mutable_product()->mutable_price()->set_fen(10000);
  cv1::Product product;
  ASSERT_TRUE(catalog().CreateProduct(Ctx(coop.admin_token).get(), create, &product).ok());
  SetPrice(product, 20000, coop.admin_token);
  Lifecycle<cv1::SubmitProductRequest>(&Stub::SubmitProduct, product, coop.member_token);
  Lifecycle<cv1::ApproveProductRequest>(&Stub::ApproveProduct, product, admin());
  Adjust(product, 1, coop.admin_token);
  Adjust(product, 1, coop.admin_token);
  SetPrice(product, 30000, coop.admin_token);
  ASSERT_TRUE(FeedCaughtUp());

  // Replayed twice from the same cursor: the same history both times.
  for (int replay = 0; replay < 2; ++replay) {
    auto stub = NewCatalogStub();
    Watch watch(*stub, admin(), start);
    std::vector<std::string> states;
    for (const auto& c : watch.UntilCaughtUp()) {
      if (c.product().id() != product.id()) continue;
      std::string s = cv1::CatalogChangeKind_Name(c.kind()).substr(20) + " " +
                      cv1::ProductState_Name(c.product().state()).substr(14) + " " +
                      std::to_string(c.product().price().fen());
      if (c.kind() == cv1::CATALOG_CHANGE_KIND_STOCK_CHANGED) {
        s += " on_hand=" + std::to_string(c.stock().on_hand());
      }
      if (c.has_previous_price()) s += " was=" + std::to_string(c.previous_price().fen());
      states.push_back(s);
    }
    EXPECT_EQ(states, (std::vector<std::string>{
                          "PRODUCT_UPSERTED DRAFT 10000",
                          "PRICE_CHANGED DRAFT 20000 was=10000",
                          "PRODUCT_STATE_CHANGED SUBMITTED 20000",
                          "PRODUCT_STATE_CHANGED ACTIVE 20000",
                          "STOCK_CHANGED ACTIVE 20000 on_hand=1",
                          "STOCK_CHANGED ACTIVE 20000 on_hand=2",
                          "PRICE_CHANGED ACTIVE 30000 was=20000",
                      }))
        << "replay " << replay;
  }
}

TEST_F(PartnerListingsTest, StartAtNowSkipsTheBacklogAndRefusesACursorBeside) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  auto stub = NewCatalogStub();
  {
    Watch watch(*stub, s.partner.token, "", std::chrono::seconds(30), true);
    Adjust(s.a, 1, s.coop.admin_token);
    auto change = watch.NextChange();  // the backlog (offers, stock) is skipped
    ASSERT_TRUE(change.has_value());
    EXPECT_EQ(change->kind(), cv1::CATALOG_CHANGE_KIND_STOCK_CHANGED);
    EXPECT_EQ(change->listing().sellable_quantity(), 11);
  }
  std::string watermark;
  ListAll(s.partner.token, "", &watermark);
  Watch both(*stub, s.partner.token, watermark, std::chrono::seconds(30), true);
  EXPECT_FALSE(both.Next().has_value());
  grpc::Status status = both.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(status), std::vector<std::string>{"start_at_now"});
}

TEST_F(PartnerListingsTest, BatchGetAnswersEveryIdInOrder) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  const std::string unknown = NewId(absl::Now());
  cv1::BatchGetPartnerListingsRequest req;
  for (const std::string& id : {s.b.id(), unknown, s.a.id(), s.c.id(), s.b.id()}) {
    req.add_product_ids(id);
  }
  cv1::BatchGetPartnerListingsResponse resp;
  grpc::Status status = catalog().BatchGetPartnerListings(Ctx(s.partner.token).get(), req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(resp.listings_size(), 5);
  EXPECT_FALSE(resp.watermark().empty());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(resp.listings(i).product_id(), req.product_ids(i));
  EXPECT_FALSE(resp.listings(0).removed());
  EXPECT_EQ(resp.listings(0).channel_price().fen(), 28800);
  EXPECT_EQ(resp.listings(1).removal_reason(), cv1::LISTING_REMOVAL_REASON_NOT_OFFERED);
  EXPECT_EQ(resp.listings(2).channel_price().fen(), 26800);
  // C is offered to another partner only: not offered to this one (nothing leaks).
  EXPECT_EQ(resp.listings(3).removal_reason(), cv1::LISTING_REMOVAL_REASON_NOT_OFFERED);
  EXPECT_FALSE(resp.listings(3).has_product());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(resp.listings(0), resp.listings(4)));

  // A platform admin reads any partner's, naming it.
  req.set_partner_id(s.partner.partner.id());
  cv1::BatchGetPartnerListingsResponse as_admin;
  ASSERT_TRUE(catalog().BatchGetPartnerListings(Ctx(admin()).get(), req, &as_admin).ok());
  EXPECT_EQ(as_admin.listings(2).channel_price().fen(), 26800);
}

TEST_F(PartnerListingsTest, CallersAreWalled) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  cv1::ListPartnerListingsRequest req;
  cv1::ListPartnerListingsResponse resp;
  // A partner naming another partner.
  req.set_partner_id(s.other.partner.id());
  grpc::Status status = catalog().ListPartnerListings(Ctx(s.partner.token).get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(status), "ROLE_NOT_ALLOWED");
  // Staff: not a partner's view.
  status = catalog().ListPartnerListings(Ctx(s.coop.admin_token).get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A platform admin must name the partner.
  req.clear_partner_id();
  status = catalog().ListPartnerListings(Ctx(admin()).get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(status), std::vector<std::string>{"partner_id"});
  // A malformed watermark, and a page token used with another watermark.
  req.set_partner_id(s.partner.partner.id());
  req.set_changed_since("not-a-cursor");
  status = catalog().ListPartnerListings(Ctx(admin()).get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(status), std::vector<std::string>{"changed_since"});
  req.clear_changed_since();
  req.set_page_size(1);
  ASSERT_TRUE(catalog().ListPartnerListings(Ctx(admin()).get(), req, &resp).ok());
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  req.set_changed_since(resp.watermark());
  status = catalog().ListPartnerListings(Ctx(admin()).get(), req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PartnerListingsTest, OffersMadeBeforeListingsExistedAreAnnounced) {
  Scene s = NewScene();
  ASSERT_TRUE(FeedCaughtUp());
  // As a database upgraded from before migration 0006: offers, but no listings of them.
  ASSERT_TRUE(db().Transact([&](Tx& tx) {
                    for (const std::string& id : {s.a.id(), s.b.id()}) {
                      tx.Execute("DELETE FROM partner_listings WHERE product_id = ?", id);
                      tx.Execute("DELETE FROM listing_sources WHERE product_id = ?", id);
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_TRUE(Fresh(s.partner.token).listed.empty());

  auto announced = domain().AnnounceUnlistedOffers();
  ASSERT_TRUE(announced.ok()) << announced.status();
  EXPECT_EQ(*announced, 2);
  ASSERT_TRUE(FeedCaughtUp());
  Mirror fresh = Fresh(s.partner.token);
  ASSERT_EQ(fresh.listed.size(), 2u);
  EXPECT_EQ(fresh.listed.at(s.a.id()).channel_price().fen(), 26800);
  EXPECT_EQ(fresh.listed.at(s.a.id()).sellable_quantity(), 10);
  EXPECT_EQ(fresh.listed.at(s.b.id()).channel_price().fen(), 28800);
  // Once listed, nothing is left to announce.
  announced = domain().AnnounceUnlistedOffers();
  ASSERT_TRUE(announced.ok()) << announced.status();
  EXPECT_EQ(*announced, 0);
}

}  // namespace
}  // namespace cooplink::testing
