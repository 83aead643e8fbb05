// Orders' catalog gateway against a real catalog (and membership) over gRPC and MariaDB, calling
// as a platform admin with the service-account token, as orders does: the facts of offered,
// unoffered, withdrawn and unknown products; a reservation created (and replayed), refused for
// stock with catalog's reason and available units, read, committed and released; stock returned;
// the HELD reservations of every partner found by id prefix; a caller out of time sends nothing.
#include "services/orders/catalog_gateway.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/catalog/catalog.h"
#include "services/common/outbox.h"
#include "services/common/status.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

using Stub = cv1::CatalogService::Stub;
using orders::GrpcCatalogGateway;
using orders::ProductFacts;
constexpr char kUnknownProduct[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

CallContext Background() { return CallContext::Internal(Principal{}); }
CallContext WithSeconds(int seconds) {
  return CallContext(Principal{}, absl::Now() + absl::Seconds(seconds));
}

cv1::ReservationLine Line(const std::string& product_id, int64_t quantity) {
  cv1::ReservationLine line;
  line.set_product_id(product_id);
  line.set_quantity(quantity);
  return line;
}

class CatalogGatewayTest : public CatalogFixture {
 protected:
  // As orders builds it: its service-account token (a platform admin) and catalog's address.
  GrpcCatalogGateway Gateway(const std::string& target) {
    auto channel = MakeChannel(target, ClientTls{});
    EXPECT_TRUE(channel.ok());
    ServiceClientOptions options;
    options.callee = "catalog";
    return GrpcCatalogGateway(
        orders::CatalogClient(cv1::CatalogService::NewStub(*channel), admin(), options));
  }
  GrpcCatalogGateway Gateway() {
    return Gateway(absl::StrCat("127.0.0.1:", (*catalog_server_)->port()));
  }

  // An ACTIVE product of `world` sold by the jin (500 g), at least 2 a line, with `on_hand`.
  cv1::Product JinProduct(const CoopWorld& world, int64_t on_hand) {
    cv1::CreateProductRequest create;
    create.set_request_id(NewRequestId());
    *create.mutable_product() = ProductBody(world);
    create.mutable_product()->set_title("澜沧古树红茶散装");
    create.mutable_product()->mutable_unit()->set_kind(cv1::UNIT_KIND_JIN);
    create.mutable_product()->mutable_unit()->set_sold_by_weight(true);
    create.mutable_product()->mutable_unit()->set_unit_weight_grams(500);
    create.mutable_product()->set_min_order_quantity(2);
    cv1::Product product;
    grpc::Status s = catalog().CreateProduct(Ctx(world.admin_token).get(), create, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::SubmitProductRequest submit;
    submit.set_request_id(NewRequestId());
    submit.set_product_id(product.id());
    s = catalog().SubmitProduct(Ctx(world.member_token).get(), submit, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::ApproveProductRequest approve;
    approve.set_request_id(NewRequestId());
    approve.set_product_id(product.id());
    s = catalog().ApproveProduct(Ctx(admin()).get(), approve, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    Restock(product.id(), on_hand, world.admin_token);
    return product;
  }
  void Restock(const std::string& product_id, int64_t units, const std::string& token) {
    cv1::AdjustStockRequest req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product_id);
    req.set_delta(units);
    req.set_reason(cv1::STOCK_ADJUSTMENT_REASON_RESTOCK);
    cv1::Stock out;
    grpc::Status s = catalog().AdjustStock(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  cv1::Offer OfferAt(const cv1::Product& product, const PartnerWorld& partner, int64_t fen,
                     const std::string& token) {
    cv1::CreateOfferRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_offer()->set_product_id(product.id());
    req.mutable_offer()->set_partner_id(partner.partner.id());
    req.mutable_offer()->mutable_channel_price()->set_fen(fen);
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
  cv1::Stock StockOf(const std::string& product_id) {
    cv1::GetStockRequest req;
    req.set_product_id(product_id);
    cv1::Stock out;
    grpc::Status s = catalog().GetStock(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  // Partner listings are a projection of catalog's change feed: wait (up to 10 s) until the
  // relay has sequenced every recorded change.
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

TEST_F(CatalogGatewayTest, LookupGivesTheFactsOfOfferedProductsOnly) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product tea = JinProduct(world, 40);
  OfferAt(tea, partner, 6600, world.admin_token);
  const cv1::Product cake = ActiveProduct(world, 5);  // never offered to this partner
  const cv1::Product withdrawn = ActiveProduct(world, 5);
  Withdraw(OfferTo(withdrawn, partner, world.admin_token), world.admin_token);
  const cv1::Product by_piece = ActiveProduct(world, 5);  // a cake, at the product's price
  OfferTo(by_piece, partner, world.admin_token);
  ASSERT_TRUE(FeedCaughtUp());

  auto facts = Gateway().LookupProducts(
      WithSeconds(5), partner.partner.id(),
      {cake.id(), tea.id(), withdrawn.id(), kUnknownProduct, by_piece.id()});
  ASSERT_TRUE(facts.ok()) << facts.status();
  ASSERT_EQ(facts->size(), 5u);
  std::vector<std::string> ids;
  for (const ProductFacts& f : *facts) ids.push_back(f.product_id);
  EXPECT_EQ(ids, (std::vector<std::string>{cake.id(), tea.id(), withdrawn.id(), kUnknownProduct,
                                           by_piece.id()}));

  EXPECT_FALSE((*facts)[0].offered);
  const ProductFacts& t = (*facts)[1];
  EXPECT_TRUE(t.offered);
  EXPECT_EQ(t.cooperative_id, world.cooperative.id());
  EXPECT_EQ(t.household_id, world.household.id());
  EXPECT_EQ(t.channel_price_fen, 6600);
  EXPECT_EQ(t.unit_weight_grams, 500);
  EXPECT_EQ(t.min_order_quantity, 2);
  EXPECT_FALSE((*facts)[2].offered);  // withdrawn: a tombstone
  EXPECT_FALSE((*facts)[3].offered);  // unknown: NOT_OFFERED
  const ProductFacts& p = (*facts)[4];
  EXPECT_TRUE(p.offered);
  EXPECT_EQ(p.channel_price_fen, 28800);  // no channel price: the product's
  EXPECT_EQ(p.unit_weight_grams, 0);
  EXPECT_EQ(p.min_order_quantity, 1);

  // Another partner's view of the same product is its own.
  const PartnerWorld other = NewPartner();
  auto theirs = Gateway().LookupProducts(WithSeconds(5), other.partner.id(), {tea.id()});
  ASSERT_TRUE(theirs.ok()) << theirs.status();
  EXPECT_FALSE((*theirs)[0].offered);
}

TEST_F(CatalogGatewayTest, ReservationsAreHeldCommittedReleasedAndStockReturns) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product tea = JinProduct(world, 10);
  OfferAt(tea, partner, 6600, world.admin_token);
  GrpcCatalogGateway gateway = Gateway();
  const std::string prefix = absl::StrCat("gw", NextSequence(), "-");

  auto held = gateway.Reserve(WithSeconds(5), prefix + "a", partner.partner.id(),
                              {Line(tea.id(), 3)}, absl::Minutes(30));
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->id(), prefix + "a");
  EXPECT_EQ(held->partner_id(), partner.partner.id());
  EXPECT_EQ(held->state(), cv1::RESERVATION_STATE_HELD);
  EXPECT_EQ(held->expire_time().seconds() - held->create_time().seconds(), 30 * 60);
  EXPECT_EQ(StockOf(tea.id()).reserved(), 3);
  // The same id and body again: the one reservation, nothing more held.
  auto again = gateway.Reserve(WithSeconds(5), prefix + "a", partner.partner.id(),
                               {Line(tea.id(), 3)}, absl::Minutes(30));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->create_time().seconds(), held->create_time().seconds());
  EXPECT_EQ(StockOf(tea.id()).reserved(), 3);
  // The same id with another body.
  absl::Status reused = gateway
                            .Reserve(WithSeconds(5), prefix + "a", partner.partner.id(),
                                     {Line(tea.id(), 4)}, absl::Minutes(30))
                            .status();
  EXPECT_EQ(ReasonOf(reused), "REQUEST_ID_REUSED");

  // More than there is: catalog's refusal, its reason and the available units, unchanged.
  absl::Status short_stock = gateway
                                 .Reserve(WithSeconds(5), prefix + "b", partner.partner.id(),
                                          {Line(tea.id(), 8)}, absl::ZeroDuration())
                                 .status();
  EXPECT_EQ(short_stock.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(short_stock), "INSUFFICIENT_STOCK");
  EXPECT_EQ(ReasonMetadataOf(short_stock)[absl::StrCat("available_", tea.id())], "7");
  // Below the product's minimum, and a product not offered: catalog's answers too.
  EXPECT_EQ(gateway
                .Reserve(WithSeconds(5), prefix + "c", partner.partner.id(), {Line(tea.id(), 1)},
                         absl::ZeroDuration())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(gateway
                         .Reserve(WithSeconds(5), prefix + "d", partner.partner.id(),
                                  {Line(ActiveProduct(world, 5).id(), 1)}, absl::ZeroDuration())
                         .status()),
            "PRODUCT_NOT_AVAILABLE");

  auto read = gateway.GetReservation(WithSeconds(5), prefix + "a");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state(), cv1::RESERVATION_STATE_HELD);
  ASSERT_EQ(read->lines_size(), 1);
  EXPECT_EQ(read->lines(0).quantity(), 3);

  auto committed = gateway.Commit(WithSeconds(5), prefix + "a", NewRequestId());
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->state(), cv1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(StockOf(tea.id()).on_hand(), 7);
  EXPECT_EQ(StockOf(tea.id()).reserved(), 0);
  absl::Status after_commit =
      gateway.Release(WithSeconds(5), prefix + "a", NewRequestId()).status();
  EXPECT_EQ(ReasonOf(after_commit), "RESERVATION_COMMITTED");

  auto second = gateway.Reserve(WithSeconds(5), prefix + "e", partner.partner.id(),
                                {Line(tea.id(), 2)}, absl::ZeroDuration());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->expire_time().seconds() - second->create_time().seconds(), 15 * 60);
  auto released = gateway.Release(WithSeconds(5), prefix + "e", NewRequestId());
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->state(), cv1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(StockOf(tea.id()).reserved(), 0);
  EXPECT_EQ(ReasonOf(gateway.Commit(WithSeconds(5), prefix + "e", NewRequestId()).status()),
            "RESERVATION_NOT_HELD");
  EXPECT_EQ(gateway.GetReservation(WithSeconds(5), prefix + "zz").status().code(),
            absl::StatusCode::kNotFound);

  // Goods came back: +2 on hand, once per request_id.
  const std::string return_id = NewRequestId();
  ASSERT_TRUE(gateway.ReturnStock(WithSeconds(5), tea.id(), 2, return_id, "买家退货").ok());
  ASSERT_TRUE(gateway.ReturnStock(WithSeconds(5), tea.id(), 2, return_id, "买家退货").ok());
  EXPECT_EQ(StockOf(tea.id()).on_hand(), 9);
  EXPECT_EQ(gateway.ReturnStock(WithSeconds(5), kUnknownProduct, 1, NewRequestId(), "").code(),
            absl::StatusCode::kNotFound);
}

TEST_F(CatalogGatewayTest, HeldReservationsOfEveryPartnerAreFoundByPrefix) {
  const CoopWorld world = NewCoop();
  const PartnerWorld first = NewPartner();
  const PartnerWorld second = NewPartner();
  const cv1::Product tea = JinProduct(world, 100);
  OfferAt(tea, first, 6600, world.admin_token);
  OfferAt(tea, second, 6800, world.admin_token);
  GrpcCatalogGateway gateway = Gateway();
  const std::string prefix = absl::StrCat("rec", NextSequence(), "-");
  auto reserve = [&](const std::string& id, const PartnerWorld& partner) {
    auto r = gateway.Reserve(Background(), id, partner.partner.id(), {Line(tea.id(), 2)},
                             absl::ZeroDuration());
    EXPECT_TRUE(r.ok()) << id << ": " << r.status();
  };
  reserve(prefix + "1", first);
  reserve(prefix + "2", second);
  reserve(prefix + "3", second);
  reserve(prefix + "4", first);
  reserve(absl::StrCat("other", NextSequence()), first);  // not orders'
  ASSERT_TRUE(gateway.Commit(Background(), prefix + "3", NewRequestId()).ok());
  ASSERT_TRUE(gateway.Release(Background(), prefix + "4", NewRequestId()).ok());

  auto held = gateway.ListHeldReservations(Background(), prefix);
  ASSERT_TRUE(held.ok()) << held.status();
  std::vector<std::pair<std::string, std::string>> found;
  for (const cv1::Reservation& r : *held) {
    EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_HELD);
    ASSERT_EQ(r.lines_size(), 1);
    found.emplace_back(r.id(), r.partner_id());
  }
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::pair<std::string, std::string>>{
                       {prefix + "1", first.partner.id()}, {prefix + "2", second.partner.id()}}));
}

// More HELD reservations than fit one page of ListReservations (500) are all found.
TEST_F(CatalogGatewayTest, HeldReservationsSpanningPagesAreAllFound) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product tea = JinProduct(world, 2000);
  OfferAt(tea, partner, 6600, world.admin_token);
  GrpcCatalogGateway gateway = Gateway();
  const std::string prefix = absl::StrCat("pg", NextSequence(), "-");
  constexpr int kHeld = 520;
  for (int i = 0; i < kHeld; ++i) {
    ASSERT_TRUE(gateway
                    .Reserve(Background(), absl::StrCat(prefix, 1000 + i), partner.partner.id(),
                             {Line(tea.id(), 2)}, absl::ZeroDuration())
                    .ok());
  }
  auto held = gateway.ListHeldReservations(Background(), prefix);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->size(), static_cast<size_t>(kHeld));
  EXPECT_EQ(StockOf(tea.id()).reserved(), 2 * kHeld);
}

TEST_F(CatalogGatewayTest, CallerOutOfTimeOrUnreachableCatalogSendsNothing) {
  const CallContext late(Principal{}, absl::Now() - absl::Milliseconds(1));
  EXPECT_EQ(Gateway().GetReservation(late, "anything").status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Gateway("127.0.0.1:1").GetReservation(WithSeconds(5), "anything").status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cooplink::testing
