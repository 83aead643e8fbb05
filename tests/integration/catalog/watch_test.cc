// WatchCatalogChanges through real gRPC against the real MariaDB: scope per caller, resume by
// cursor after a disconnect (no gap, no duplicate), heartbeats, and refused streams.
//
// A stream "caught up" is detected by its heartbeats: the server sends one only when a poll
// found nothing and the fixture's 500 ms heartbeat interval passed without a write, so a
// heartbeat received after two heartbeat intervals covers every change committed before.
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/crypto.h"
#include "services/common/outbox.h"
#include "tests/support/catalog_fixture.h"
#include "tests/support/watch_client.h"

namespace cooplink::testing {
namespace {

struct Seen {
  std::string cursor;
  cv1::CatalogChangeKind kind;
  std::string product_id;
  bool operator==(const Seen& o) const {
    return cursor == o.cursor && kind == o.kind && product_id == o.product_id;
  }
};
std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << cv1::CatalogChangeKind_Name(s.kind) << "(" << s.product_id << ")@" << s.cursor;
}
std::vector<Seen> Summary(const std::vector<cv1::CatalogChange>& changes) {
  std::vector<Seen> out;
  for (const auto& c : changes) out.push_back({c.cursor(), c.kind(), c.product().id()});
  return out;
}

class WatchTest : public CatalogFixture {
 protected:
  cv1::Stock Adjust(const cv1::Product& product, const std::string& token, int64_t delta) {
    cv1::AdjustStockRequest req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product.id());
    req.set_delta(delta);
    req.set_reason(delta > 0 ? cv1::STOCK_ADJUSTMENT_REASON_RESTOCK
                             : cv1::STOCK_ADJUSTMENT_REASON_SPOILAGE);
    req.set_note("盘点");
    cv1::Stock out;
    grpc::Status s = catalog().AdjustStock(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  cv1::Offer Withdraw(const cv1::Offer& offer, const std::string& token) {
    cv1::WithdrawOfferRequest req;
    req.set_request_id(NewRequestId());
    req.set_offer_id(offer.id());
    cv1::Offer out;
    grpc::Status s = catalog().WithdrawOffer(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  // Waits (up to 10 s) until the server's outbox relay has sequenced every recorded change.
  bool FeedCaughtUp() {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (absl::Now() < give_up) {
      auto lag = Outbox::Pending(db(), catalog::kChangeTopic, clock_->Now());
      if (lag.ok() && lag->pending == 0) return true;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return false;
  }
};

TEST_F(WatchTest, PartnerSeesOnlyProductsOfferedToItAndItsOwnOffers) {
  CoopWorld coop = NewCoop();
  PartnerWorld partner = NewPartner();
  PartnerWorld other = NewPartner();
  cv1::Product offered = ActiveProduct(coop, 10);
  cv1::Product hidden = ActiveProduct(coop, 10);
  cv1::Offer offer = OfferTo(offered, partner, coop.admin_token);
  OfferTo(hidden, other, coop.admin_token);  // another partner's offer must not leak
  Adjust(hidden, coop.admin_token, 3);
  Adjust(offered, coop.admin_token, 2);

  auto stub = NewCatalogStub();
  Watch watch(*stub, partner.token, "");
  std::vector<cv1::CatalogChange> backlog = watch.UntilCaughtUp();
  ASSERT_FALSE(backlog.empty());
  bool saw_offer = false;
  bool saw_stock = false;
  for (const auto& c : backlog) {
    EXPECT_EQ(c.product().id(), offered.id()) << c.ShortDebugString();
    EXPECT_FALSE(c.cursor().empty());
    if (c.kind() == cv1::CATALOG_CHANGE_KIND_OFFER_CHANGED) {
      saw_offer = true;
      EXPECT_EQ(c.offer().id(), offer.id());
      EXPECT_EQ(c.offer().partner_id(), partner.partner.id());
      EXPECT_EQ(c.offer().state(), cv1::OFFER_STATE_ACTIVE);
    }
    if (c.kind() == cv1::CATALOG_CHANGE_KIND_STOCK_CHANGED) {
      saw_stock = true;
      EXPECT_EQ(c.stock().product_id(), offered.id());
      EXPECT_EQ(c.stock().on_hand(), 12);  // the current stock
      EXPECT_EQ(c.stock().available(), 12);
    }
  }
  EXPECT_TRUE(saw_offer);
  EXPECT_TRUE(saw_stock);

  // Live: a change of the hidden product is skipped, the offered one's arrives.
  Adjust(hidden, coop.admin_token, 1);
  Adjust(offered, coop.admin_token, 1);
  auto live = watch.NextChange();
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->kind(), cv1::CATALOG_CHANGE_KIND_STOCK_CHANGED);
  EXPECT_EQ(live->product().id(), offered.id());
  EXPECT_EQ(live->stock().on_hand(), 13);

  // Withdrawal reaches the partner; afterwards the product's changes no longer do.
  Withdraw(offer, coop.admin_token);
  auto withdrawn = watch.NextChange();
  ASSERT_TRUE(withdrawn.has_value());
  EXPECT_EQ(withdrawn->kind(), cv1::CATALOG_CHANGE_KIND_OFFER_CHANGED);
  EXPECT_EQ(withdrawn->offer().id(), offer.id());
  EXPECT_EQ(withdrawn->offer().state(), cv1::OFFER_STATE_WITHDRAWN);
  Adjust(offered, coop.admin_token, 1);
  Adjust(hidden, coop.admin_token, 1);
  for (const auto& c : watch.UntilCaughtUp()) {
    EXPECT_NE(c.product().id(), hidden.id());
    EXPECT_NE(c.kind(), cv1::CATALOG_CHANGE_KIND_STOCK_CHANGED) << c.ShortDebugString();
  }
}

TEST_F(WatchTest, ResumesFromACursorWithoutGapOrDuplicate) {
  CoopWorld coop = NewCoop();
  cv1::Product first = ActiveProduct(coop, 5);
  Adjust(first, coop.admin_token, 1);
  Adjust(first, coop.admin_token, 1);

  // Read two changes of the backlog, then drop the connection mid-backlog.
  std::vector<cv1::CatalogChange> before;
  {
    auto stub = NewCatalogStub();
    Watch watch(*stub, coop.admin_token, "");
    for (int i = 0; i < 2; ++i) {
      auto c = watch.NextChange();
      ASSERT_TRUE(c.has_value());
      before.push_back(*c);
    }
    watch.Cancel();
  }

  // More changes while disconnected.
  Adjust(first, coop.admin_token, 2);
  cv1::Product second = ActiveProduct(coop, 7);
  Adjust(second, coop.admin_token, -1);

  std::vector<cv1::CatalogChange> after;
  {
    auto stub = NewCatalogStub();
    Watch watch(*stub, coop.admin_token, before.back().cursor());
    after = watch.UntilCaughtUp();
  }
  // The truth: the whole feed of this cooperative from the start.
  std::vector<cv1::CatalogChange> all;
  {
    auto stub = NewCatalogStub();
    Watch watch(*stub, coop.admin_token, "");
    all = watch.UntilCaughtUp();
  }

  std::vector<cv1::CatalogChange> joined = before;
  joined.insert(joined.end(), after.begin(), after.end());
  EXPECT_EQ(Summary(joined), Summary(all));
  std::set<std::string> cursors;
  for (const auto& c : joined) EXPECT_TRUE(cursors.insert(c.cursor()).second) << c.cursor();

  // The feed holds what was done: 6 stock changes (2 restocks by ActiveProduct, 3 adjustments
  // of the first product, 1 of the second) and changes of both products.
  int stock_changes = 0;
  std::set<std::string> products;
  for (const auto& c : all) {
    EXPECT_EQ(c.product().cooperative_id(), coop.cooperative.id());
    if (c.kind() == cv1::CATALOG_CHANGE_KIND_STOCK_CHANGED) ++stock_changes;
    products.insert(c.product().id());
  }
  EXPECT_EQ(stock_changes, 6);
  EXPECT_EQ(products, (std::set<std::string>{first.id(), second.id()}));
  EXPECT_GT(all.size(), 6u);
}

TEST_F(WatchTest, HeartbeatsCarryAResumableCursor) {
  PartnerWorld partner = NewPartner();  // sees nothing: only heartbeats
  auto stub = NewCatalogStub();
  std::string cursor;
  {
    Watch watch(*stub, partner.token, "");
    for (int i = 0; i < 2; ++i) {
      auto c = watch.Next();
      ASSERT_TRUE(c.has_value()) << watch.Finish().error_message();
      EXPECT_EQ(c->kind(), cv1::CATALOG_CHANGE_KIND_HEARTBEAT);
      EXPECT_FALSE(c->has_product());
      EXPECT_TRUE(c->has_change_time());
      EXPECT_FALSE(c->cursor().empty());
      cursor = c->cursor();
    }
  }
  Watch resumed(*stub, partner.token, cursor);
  auto c = resumed.Next();
  ASSERT_TRUE(c.has_value()) << resumed.Finish().error_message();
  EXPECT_EQ(c->kind(), cv1::CATALOG_CHANGE_KIND_HEARTBEAT);
}

TEST_F(WatchTest, CooperativeAdminSeesOnlyItsCooperative) {
  CoopWorld mine = NewCoop();
  CoopWorld theirs = NewCoop();
  cv1::Product own = ActiveProduct(mine, 3);
  cv1::Product foreign = ActiveProduct(theirs, 3);
  auto stub = NewCatalogStub();
  Watch watch(*stub, mine.admin_token, "");
  auto changes = watch.UntilCaughtUp();
  ASSERT_FALSE(changes.empty());
  for (const auto& c : changes) {
    EXPECT_EQ(c.product().cooperative_id(), mine.cooperative.id());
    EXPECT_EQ(c.product().id(), own.id());
  }
  // Live, too.
  Adjust(foreign, theirs.admin_token, 1);
  Adjust(own, mine.admin_token, 1);
  auto live = watch.NextChange();
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->product().id(), own.id());
}

TEST_F(WatchTest, MalformedCursorIsInvalidArgument) {
  CoopWorld coop = NewCoop();
  auto stub = NewCatalogStub();
  for (const std::string& cursor : {std::string("not a cursor!"), Base64UrlEncode("w1|abc"),
                                    Base64UrlEncode("x9|12"), Base64UrlEncode("w1|")}) {
    Watch watch(*stub, coop.admin_token, cursor);
    EXPECT_FALSE(watch.Next().has_value());
    grpc::Status s = watch.Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << cursor;
    EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"cursor"});
  }
}

TEST_F(WatchTest, MissingOrBadTokenIsUnauthenticated) {
  auto stub = NewCatalogStub();
  for (const std::string& token : {std::string(""), std::string("cl1.forged.token")}) {
    Watch watch(*stub, token, "");
    EXPECT_FALSE(watch.Next().has_value());
    EXPECT_EQ(watch.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_F(WatchTest, ClientDeadlineEndsTheStream) {
  PartnerWorld partner = NewPartner();
  auto stub = NewCatalogStub();
  Watch watch(*stub, partner.token, "", std::chrono::seconds(1));
  while (watch.Next().has_value()) {
  }
  // The idle stream ran until the client's deadline and ended with it (not with an error of its
  // own, and not never).
  EXPECT_EQ(watch.Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

// A separate suite (its own databases): the retention purge makes old cursors expire.
class WatchRetentionTest : public WatchTest {};

TEST_F(WatchRetentionTest, CursorBeforeThePurgedChangesIsExpired) {
  CoopWorld coop = NewCoop();
  cv1::Product product = ActiveProduct(coop, 1);
  std::string early;
  {
    auto stub = NewCatalogStub();
    Watch watch(*stub, coop.admin_token, "");
    auto c = watch.NextChange();
    ASSERT_TRUE(c.has_value());
    early = c->cursor();
  }
  Adjust(product, coop.admin_token, 1);
  Adjust(product, coop.admin_token, 1);
  // Eight days later one more change; the retention purge (7 days) drops everything older.
  const absl::Time start = clock_->Now();
  clock_->Advance(absl::Hours(24 * 8));
  Adjust(product, coop.admin_token, 1);
  ASSERT_TRUE(FeedCaughtUp());  // everything is in the feed before the purge
  auto purged = domain().PurgeChanges(clock_->Now() - absl::Hours(24 * 7), 1000);
  clock_->Set(start);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_GE(*purged, 3);
  auto stub = NewCatalogStub();
  {
    Watch watch(*stub, coop.admin_token, early);
    EXPECT_FALSE(watch.Next().has_value());
    grpc::Status s = watch.Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ErrorReason(s), "CURSOR_EXPIRED");
  }
  {
    // A cursor from another feed (ahead of its head) is expired too.
    Watch watch(*stub, coop.admin_token, Base64UrlEncode("w1|999999999"));
    EXPECT_FALSE(watch.Next().has_value());
    EXPECT_EQ(ErrorReason(watch.Finish()), "CURSOR_EXPIRED");
  }
  {
    // "" starts with the oldest retained change.
    Watch watch(*stub, coop.admin_token, "");
    auto changes = watch.UntilCaughtUp();
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].kind(), cv1::CATALOG_CHANGE_KIND_STOCK_CHANGED);
    EXPECT_EQ(changes[0].stock().on_hand(), 4);
  }
}

}  // namespace
}  // namespace cooplink::testing
