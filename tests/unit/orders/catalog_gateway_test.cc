// GrpcCatalogGateway against catalog's generated gMock stub: the requests it sends (partner named,
// repeats folded, state HELD and every partner, RETURN with +quantity), the facts it makes of
// listings (removed and NOT_OFFERED are not offered, order kept), catalog's status and reason
// passed through, the caller's deadline on every call (a FakeClock makes it exact), what it
// retries, the paging and prefix filter of ListHeldReservations, and the unit weights.
#include "services/orders/catalog_gateway.h"

#include <gmock/gmock.h>
#include <grpcpp/test/client_context_test_peer.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cooplink/catalog/v1/catalog_mock.grpc.pb.h"
#include "services/common/status.h"

namespace cooplink::orders {
namespace {

namespace cv1 = ::cooplink::catalog::v1;
using ::testing::_;
using ::testing::DoAll;
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::Return;
using ::testing::SaveArg;
using ::testing::SetArgPointee;

constexpr char kPartner[] = "01J5PARTNER000000000000001";
constexpr char kCoop[] = "01J5C00PERAT1VE00000000001";
constexpr char kHousehold[] = "01J5H0USEH01D0000000000001";
constexpr char kTea[] = "01J5PR0DUCT000000000000001";
constexpr char kRice[] = "01J5PR0DUCT000000000000002";
constexpr char kHam[] = "01J5PR0DUCT000000000000003";

cv1::PartnerListing Listed(const std::string& product_id, int64_t price_fen, cv1::UnitKind kind,
                           int64_t min_order_quantity) {
  cv1::PartnerListing l;
  l.set_product_id(product_id);
  l.set_partner_id(kPartner);
  l.set_offer_id("01J5OFFER00000000000000001");
  cv1::Product* p = l.mutable_product();
  p->set_id(product_id);
  p->set_cooperative_id(kCoop);
  p->set_household_id(kHousehold);
  p->set_state(cv1::PRODUCT_STATE_ACTIVE);
  p->mutable_unit()->set_kind(kind);
  p->mutable_price()->set_fen(price_fen + 100);  // the channel price is what counts
  p->set_min_order_quantity(min_order_quantity);
  l.mutable_channel_price()->set_fen(price_fen);
  l.set_sellable_quantity(40);
  l.set_sellable(true);
  l.set_version(7);
  return l;
}

cv1::PartnerListing Removed(const std::string& product_id, cv1::ListingRemovalReason reason) {
  cv1::PartnerListing l;
  l.set_product_id(product_id);
  l.set_partner_id(kPartner);
  l.set_removed(true);
  l.set_removal_reason(reason);
  return l;
}

cv1::Reservation Held(const std::string& id, const std::string& partner_id) {
  cv1::Reservation r;
  r.set_id(id);
  r.set_partner_id(partner_id);
  r.set_state(cv1::RESERVATION_STATE_HELD);
  cv1::ReservationLine* line = r.add_lines();
  line->set_product_id(kTea);
  line->set_quantity(2);
  return r;
}

cv1::ReservationLine Line(const std::string& product_id, int64_t quantity) {
  cv1::ReservationLine line;
  line.set_product_id(product_id);
  line.set_quantity(quantity);
  return line;
}

class CatalogGatewayTest : public ::testing::Test {
 protected:
  CatalogGatewayTest()
      : stub_(std::make_shared<cv1::MockCatalogServiceStub>()),
        gateway_(CatalogClient(stub_, "orders-token", Options(), &clock_)) {}

  static ServiceClientOptions Options() {
    ServiceClientOptions options;
    options.callee = "catalog";
    options.deadline_cap = absl::Seconds(2);
    options.margin = absl::Milliseconds(50);
    options.retry.max_attempts = 3;
    options.retry.initial_backoff = absl::Microseconds(100);
    options.retry.max_backoff = absl::Microseconds(400);
    return options;
  }
  CallContext Background() const { return CallContext::Internal(Principal{}); }
  CallContext CallUntil(absl::Time deadline) const {
    return CallContext(Principal{}, deadline, nullptr, "trace-7");
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), absl::FixedTimeZone(8 * 3600))};
  std::shared_ptr<cv1::MockCatalogServiceStub> stub_;
  GrpcCatalogGateway gateway_;
};

TEST_F(CatalogGatewayTest, LookupNamesThePartnerAndKeepsTheCallersOrder) {
  cv1::BatchGetPartnerListingsRequest sent;
  cv1::BatchGetPartnerListingsResponse reply;
  *reply.add_listings() = Removed(kHam, cv1::LISTING_REMOVAL_REASON_NOT_OFFERED);
  *reply.add_listings() = Listed(kTea, 12800, cv1::UNIT_KIND_JIN, 2);
  *reply.add_listings() = Removed(kRice, cv1::LISTING_REMOVAL_REASON_OFFER_WITHDRAWN);
  EXPECT_CALL(*stub_, BatchGetPartnerListings(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&sent), SetArgPointee<2>(reply), Return(grpc::Status::OK)));

  auto facts = gateway_.LookupProducts(Background(), kPartner, {kHam, kTea, kRice});
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(sent.partner_id(), kPartner);
  EXPECT_THAT(sent.product_ids(), ElementsAre(kHam, kTea, kRice));
  ASSERT_EQ(facts->size(), 3u);

  EXPECT_EQ((*facts)[0].product_id, kHam);
  EXPECT_FALSE((*facts)[0].offered);  // NOT_OFFERED
  EXPECT_EQ((*facts)[0].cooperative_id, "");

  const ProductFacts& tea = (*facts)[1];
  EXPECT_EQ(tea.product_id, kTea);
  EXPECT_TRUE(tea.offered);
  EXPECT_EQ(tea.cooperative_id, kCoop);
  EXPECT_EQ(tea.household_id, kHousehold);
  EXPECT_EQ(tea.channel_price_fen, 12800);
  EXPECT_EQ(tea.unit_weight_grams, 500);
  EXPECT_EQ(tea.min_order_quantity, 2);

  EXPECT_EQ((*facts)[2].product_id, kRice);
  EXPECT_FALSE((*facts)[2].offered);  // removed: the offer was withdrawn
  EXPECT_EQ((*facts)[2].channel_price_fen, 0);
}

TEST_F(CatalogGatewayTest, LookupAsksForARepeatedProductOnceAndAnswersItEachTime) {
  cv1::BatchGetPartnerListingsRequest sent;
  cv1::BatchGetPartnerListingsResponse reply;
  *reply.add_listings() = Listed(kTea, 12800, cv1::UNIT_KIND_CAKE, 1);
  *reply.add_listings() = Listed(kRice, 990, cv1::UNIT_KIND_KG, 5);
  EXPECT_CALL(*stub_, BatchGetPartnerListings(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&sent), SetArgPointee<2>(reply), Return(grpc::Status::OK)));

  auto facts = gateway_.LookupProducts(Background(), kPartner, {kTea, kRice, kTea});
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_THAT(sent.product_ids(), ElementsAre(kTea, kRice));
  ASSERT_EQ(facts->size(), 3u);
  EXPECT_EQ((*facts)[0].product_id, kTea);
  EXPECT_EQ((*facts)[1].product_id, kRice);
  EXPECT_EQ((*facts)[1].unit_weight_grams, 1000);
  EXPECT_EQ((*facts)[2].product_id, kTea);
  EXPECT_EQ((*facts)[2].channel_price_fen, 12800);
  EXPECT_EQ((*facts)[2].unit_weight_grams, 0);  // a cake by the piece: no weight required
}

TEST_F(CatalogGatewayTest, LookupOfNothingOrTooManyProductsSendsNothing) {
  EXPECT_CALL(*stub_, BatchGetPartnerListings(_, _, _)).Times(0);
  auto none = gateway_.LookupProducts(Background(), kPartner, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  std::vector<std::string> ids;
  for (int i = 0; i <= kMaxLookupProducts; ++i) ids.push_back(absl::StrCat("P", 1000 + i));
  absl::Status too_many = gateway_.LookupProducts(Background(), kPartner, ids).status();
  EXPECT_EQ(too_many.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CatalogGatewayTest, LookupOfAHundredDistinctProductsIsOneCall) {
  std::vector<std::string> ids;
  cv1::BatchGetPartnerListingsResponse reply;
  for (int i = 0; i < kMaxLookupProducts; ++i) {
    ids.push_back(absl::StrCat("P", 1000 + i));
    *reply.add_listings() = Removed(ids.back(), cv1::LISTING_REMOVAL_REASON_NOT_OFFERED);
  }
  ids.push_back(ids.front());  // a repeat does not count
  EXPECT_CALL(*stub_, BatchGetPartnerListings(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(reply), Return(grpc::Status::OK)));
  auto facts = gateway_.LookupProducts(Background(), kPartner, ids);
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->size(), ids.size());
}

TEST_F(CatalogGatewayTest, LookupRefusesAReplyThatDoesNotMatchTheRequest) {
  cv1::BatchGetPartnerListingsResponse short_reply;
  *short_reply.add_listings() = Listed(kTea, 100, cv1::UNIT_KIND_BOX, 1);
  cv1::BatchGetPartnerListingsResponse swapped;
  *swapped.add_listings() = Listed(kRice, 100, cv1::UNIT_KIND_BOX, 1);
  *swapped.add_listings() = Listed(kTea, 100, cv1::UNIT_KIND_BOX, 1);
  EXPECT_CALL(*stub_, BatchGetPartnerListings(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(short_reply), Return(grpc::Status::OK)))
      .WillOnce(DoAll(SetArgPointee<2>(swapped), Return(grpc::Status::OK)));
  EXPECT_EQ(gateway_.LookupProducts(Background(), kPartner, {kTea, kRice}).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(gateway_.LookupProducts(Background(), kPartner, {kTea, kRice}).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(CatalogGatewayTest, LookupPassesCatalogsRefusalThrough) {
  EXPECT_CALL(*stub_, BatchGetPartnerListings(_, _, _))
      .WillOnce(Return(
          ToGrpcStatus(PermissionDenied("ROLE_NOT_ALLOWED", "a partner may name only itself"))));
  absl::Status s = gateway_.LookupProducts(Background(), kPartner, {kTea}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
}

TEST_F(CatalogGatewayTest, ReserveSendsTheIdThePartnerTheLinesAndTheTtl) {
  std::vector<cv1::CreateReservationRequest> sent;
  cv1::Reservation held = Held("ord-01J5R", kPartner);
  EXPECT_CALL(*stub_, CreateReservation(_, _, _))
      .Times(2)
      .WillRepeatedly([&](grpc::ClientContext*, const cv1::CreateReservationRequest& req,
                          cv1::Reservation* out) {
        sent.push_back(req);
        *out = held;
        return grpc::Status::OK;
      });
  auto r = gateway_.Reserve(Background(), "ord-01J5R", kPartner, {Line(kTea, 2), Line(kRice, 5)},
                            absl::Minutes(10) + absl::Milliseconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->id(), "ord-01J5R");
  EXPECT_EQ(r->state(), cv1::RESERVATION_STATE_HELD);
  ASSERT_TRUE(
      gateway_.Reserve(Background(), "ord-01J5S", kPartner, {Line(kTea, 1)}, absl::ZeroDuration())
          .ok());

  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].reservation_id(), "ord-01J5R");
  EXPECT_EQ(sent[0].partner_id(), kPartner);
  ASSERT_EQ(sent[0].lines_size(), 2);
  EXPECT_EQ(sent[0].lines(0).product_id(), kTea);
  EXPECT_EQ(sent[0].lines(0).quantity(), 2);
  EXPECT_EQ(sent[0].lines(1).product_id(), kRice);
  EXPECT_EQ(sent[0].lines(1).quantity(), 5);
  EXPECT_EQ(sent[0].ttl().seconds(), 600);
  EXPECT_EQ(sent[0].ttl().nanos(), 5'000'000);
  EXPECT_FALSE(sent[1].has_ttl());  // zero: catalog's default
}

TEST_F(CatalogGatewayTest, InsufficientStockComesBackWithItsReasonAndAvailableUnits) {
  const std::string key = absl::StrCat("available_", kTea);
  EXPECT_CALL(*stub_, CreateReservation(_, _, _))
      .WillOnce(Return(ToGrpcStatus(FailedPrecondition(
          "INSUFFICIENT_STOCK", "requested 9, available 3", {{key, "3"}}))));  // sent once
  absl::Status s =
      gateway_.Reserve(Background(), "ord-1", kPartner, {Line(kTea, 9)}, absl::Minutes(15))
          .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
  EXPECT_THAT(ReasonMetadataOf(s), ElementsAre(Pair(key, "3")));
}

// reservation_id is catalog's idempotency key, so an unanswered CreateReservation is sent again
// (the same request): catalog returns the one reservation.
TEST_F(CatalogGatewayTest, ReserveIsRetriedOnUnavailableWithTheSameId) {
  std::vector<std::string> ids;
  EXPECT_CALL(*stub_, CreateReservation(_, _, _))
      .WillOnce([&](grpc::ClientContext*, const cv1::CreateReservationRequest& req, auto*) {
        ids.push_back(req.reservation_id());
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset");
      })
      .WillOnce([&](grpc::ClientContext*, const cv1::CreateReservationRequest& req,
                    cv1::Reservation* out) {
        ids.push_back(req.reservation_id());
        *out = Held(req.reservation_id(), kPartner);
        return grpc::Status::OK;
      });
  auto r = gateway_.Reserve(Background(), "ord-2", kPartner, {Line(kTea, 1)}, absl::Minutes(15));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(ids, ElementsAre("ord-2", "ord-2"));
}

TEST_F(CatalogGatewayTest, GetCommitAndReleaseNameTheReservationAndTheRequest) {
  cv1::GetReservationRequest get;
  cv1::CommitReservationRequest commit;
  cv1::ReleaseReservationRequest release;
  cv1::Reservation committed = Held("ord-3", kPartner);
  committed.set_state(cv1::RESERVATION_STATE_COMMITTED);
  EXPECT_CALL(*stub_, GetReservation(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&get), SetArgPointee<2>(Held("ord-3", kPartner)),
                      Return(grpc::Status::OK)));
  EXPECT_CALL(*stub_, CommitReservation(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&commit), SetArgPointee<2>(committed), Return(grpc::Status::OK)));
  EXPECT_CALL(*stub_, ReleaseReservation(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&release),
                      Return(ToGrpcStatus(FailedPrecondition("RESERVATION_COMMITTED",
                                                             "reservation ord-3 is committed")))));

  auto got = gateway_.GetReservation(Background(), "ord-3");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->state(), cv1::RESERVATION_STATE_HELD);
  EXPECT_EQ(get.id(), "ord-3");

  auto c = gateway_.Commit(Background(), "ord-3", "pay-ord-3");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state(), cv1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(commit.reservation_id(), "ord-3");
  EXPECT_EQ(commit.request_id(), "pay-ord-3");

  absl::Status r = gateway_.Release(Background(), "ord-3", "cancel-ord-3").status();
  EXPECT_EQ(r.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(r), "RESERVATION_COMMITTED");
  EXPECT_EQ(release.reservation_id(), "ord-3");
  EXPECT_EQ(release.request_id(), "cancel-ord-3");
}

TEST_F(CatalogGatewayTest, ReturnStockAddsTheQuantityBackAsAReturn) {
  cv1::AdjustStockRequest sent;
  EXPECT_CALL(*stub_, AdjustStock(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&sent), Return(grpc::Status::OK)));
  ASSERT_TRUE(gateway_.ReturnStock(Background(), kTea, 3, "ret-as-1", "售后退货 AS-1").ok());
  EXPECT_EQ(sent.product_id(), kTea);
  EXPECT_EQ(sent.delta(), 3);
  EXPECT_EQ(sent.reason(), cv1::STOCK_ADJUSTMENT_REASON_RETURN);
  EXPECT_EQ(sent.request_id(), "ret-as-1");
  EXPECT_EQ(sent.note(), "售后退货 AS-1");
  EXPECT_EQ(sent.lot_id(), "");
}

TEST_F(CatalogGatewayTest, ReturnStockOfNothingSendsNothing) {
  EXPECT_CALL(*stub_, AdjustStock(_, _, _)).Times(0);
  EXPECT_EQ(gateway_.ReturnStock(Background(), kTea, 0, "ret-0", "").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(gateway_.ReturnStock(Background(), kTea, -2, "ret-0", "").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CatalogGatewayTest, HeldReservationsAreReadPageByPageAndFilteredByPrefix) {
  std::vector<cv1::ListReservationsRequest> sent;
  cv1::ListReservationsResponse first;
  *first.add_reservations() = Held("cart-9", "01J5PARTNER000000000000000");
  *first.add_reservations() = Held("ord-01", "01J5PARTNER000000000000000");
  first.set_next_page_token("page-2");
  cv1::ListReservationsResponse second;
  *second.add_reservations() = Held("ord-02", kPartner);
  *second.add_reservations() = Held("or-03", kPartner);  // not the prefix
  second.set_next_page_token("page-3");
  cv1::ListReservationsResponse last;
  *last.add_reservations() = Held("ord-04", "01J5PARTNER000000000000009");
  const std::map<std::string, cv1::ListReservationsResponse> pages = {
      {"", first}, {"page-2", second}, {"page-3", last}};
  EXPECT_CALL(*stub_, ListReservations(_, _, _))
      .Times(3)
      .WillRepeatedly([&](grpc::ClientContext*, const cv1::ListReservationsRequest& req,
                          cv1::ListReservationsResponse* out) {
        sent.push_back(req);
        *out = pages.at(req.page_token());
        return grpc::Status::OK;
      });

  auto held = gateway_.ListHeldReservations(Background(), "ord-");
  ASSERT_TRUE(held.ok()) << held.status();
  std::vector<std::string> ids;
  for (const cv1::Reservation& r : *held) ids.push_back(r.id());
  EXPECT_THAT(ids, ElementsAre("ord-01", "ord-02", "ord-04"));
  ASSERT_EQ(sent.size(), 3u);
  for (const cv1::ListReservationsRequest& req : sent) {
    EXPECT_EQ(req.state(), cv1::RESERVATION_STATE_HELD);
    EXPECT_EQ(req.partner_id(), "");  // every partner's
    EXPECT_EQ(req.page_size(), 500);
  }
  EXPECT_EQ(sent[0].page_token(), "");
  EXPECT_EQ(sent[1].page_token(), "page-2");
  EXPECT_EQ(sent[2].page_token(), "page-3");
}

TEST_F(CatalogGatewayTest, HeldReservationsStopAtAnErrorOrAPageThatRepeats) {
  cv1::ListReservationsResponse page;
  *page.add_reservations() = Held("ord-01", kPartner);
  page.set_next_page_token("again");
  EXPECT_CALL(*stub_, ListReservations(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(page), Return(grpc::Status::OK)))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not an admin")))
      .WillOnce(DoAll(SetArgPointee<2>(page), Return(grpc::Status::OK)))
      .WillOnce(DoAll(SetArgPointee<2>(page), Return(grpc::Status::OK)));
  EXPECT_EQ(gateway_.ListHeldReservations(Background(), "ord-").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(gateway_.ListHeldReservations(Background(), "ord-").status().code(),
            absl::StatusCode::kInternal);
}

// Every method sends the caller's deadline less the margin, the service token and the trace id.
TEST_F(CatalogGatewayTest, EveryCallCarriesTheCallersDeadlineAndTheServiceToken) {
  std::vector<absl::Time> deadlines;
  std::vector<std::multimap<std::string, std::string>> metadata;
  auto record = [&](grpc::ClientContext* ctx) {
    deadlines.push_back(absl::FromChrono(ctx->deadline()));
    metadata.push_back(grpc::testing::ClientContextTestPeer(ctx).GetSendInitialMetadata());
  };
  EXPECT_CALL(*stub_, BatchGetPartnerListings(_, _, _))
      .WillOnce(
          [&](grpc::ClientContext* ctx, const auto&, cv1::BatchGetPartnerListingsResponse* out) {
            record(ctx);
            *out->add_listings() = Listed(kTea, 1, cv1::UNIT_KIND_BAG, 1);
            return grpc::Status::OK;
          });
  auto answer = [&](grpc::ClientContext* ctx, const auto&, auto*) {
    record(ctx);
    return grpc::Status::OK;
  };
  EXPECT_CALL(*stub_, CreateReservation(_, _, _)).WillOnce(answer);
  EXPECT_CALL(*stub_, GetReservation(_, _, _)).WillOnce(answer);
  EXPECT_CALL(*stub_, CommitReservation(_, _, _)).WillOnce(answer);
  EXPECT_CALL(*stub_, ReleaseReservation(_, _, _)).WillOnce(answer);
  EXPECT_CALL(*stub_, AdjustStock(_, _, _)).WillOnce(answer);
  EXPECT_CALL(*stub_, ListReservations(_, _, _)).WillOnce(answer);

  const CallContext call = CallUntil(clock_.Now() + absl::Milliseconds(800));
  ASSERT_TRUE(gateway_.LookupProducts(call, kPartner, {kTea}).ok());
  ASSERT_TRUE(gateway_.Reserve(call, "ord-5", kPartner, {Line(kTea, 1)}, absl::Minutes(1)).ok());
  ASSERT_TRUE(gateway_.GetReservation(call, "ord-5").ok());
  ASSERT_TRUE(gateway_.Commit(call, "ord-5", "c-5").ok());
  ASSERT_TRUE(gateway_.Release(call, "ord-5", "r-5").ok());
  ASSERT_TRUE(gateway_.ReturnStock(call, kTea, 1, "s-5", "").ok());
  ASSERT_TRUE(gateway_.ListHeldReservations(call, "ord-").ok());

  EXPECT_EQ(deadlines, std::vector<absl::Time>(7, clock_.Now() + absl::Milliseconds(750)));
  for (const auto& sent : metadata) {
    EXPECT_THAT(sent, ::testing::UnorderedElementsAre(Pair("authorization", "Bearer orders-token"),
                                                      Pair("x-cooplink-trace-id", "trace-7")));
  }
}

TEST_F(CatalogGatewayTest, ACallerOutOfTimeSendsNothing) {
  EXPECT_CALL(*stub_, CreateReservation(_, _, _)).Times(0);
  EXPECT_CALL(*stub_, CommitReservation(_, _, _)).Times(0);
  const CallContext late = CallUntil(clock_.Now() + absl::Milliseconds(30));  // < the margin
  EXPECT_EQ(
      gateway_.Reserve(late, "ord-6", kPartner, {Line(kTea, 1)}, absl::Minutes(1)).status().code(),
      absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(gateway_.Commit(late, "ord-6", "c-6").status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST(UnitWeightGramsTest, WeightKindsHaveTheirGramsOthersNone) {
  EXPECT_EQ(UnitWeightGrams(cv1::UNIT_KIND_KG), 1000);
  EXPECT_EQ(UnitWeightGrams(cv1::UNIT_KIND_JIN), 500);
  EXPECT_EQ(UnitWeightGrams(cv1::UNIT_KIND_GRAM), 1);
  for (cv1::UnitKind kind :
       {cv1::UNIT_KIND_UNSPECIFIED, cv1::UNIT_KIND_PIECE, cv1::UNIT_KIND_BOX, cv1::UNIT_KIND_BOTTLE,
        cv1::UNIT_KIND_BAG, cv1::UNIT_KIND_JAR, cv1::UNIT_KIND_CAKE}) {
    EXPECT_EQ(UnitWeightGrams(kind), 0) << cv1::UnitKind_Name(kind);
  }
}

TEST(UnitWeightGramsTest, RequiredWeightIsTheKindsOrASoldByWeightUnitsOwn) {
  cv1::Unit unit;
  unit.set_kind(cv1::UNIT_KIND_JIN);
  EXPECT_EQ(RequiredUnitWeightGrams(unit), 500);
  unit.set_sold_by_weight(true);
  unit.set_unit_weight_grams(500);
  EXPECT_EQ(RequiredUnitWeightGrams(unit), 500);
  unit.set_kind(cv1::UNIT_KIND_BOX);  // a 2.5 kg box sold by weight
  unit.set_unit_weight_grams(2500);
  EXPECT_EQ(RequiredUnitWeightGrams(unit), 2500);
  unit.set_kind(cv1::UNIT_KIND_CAKE);  // a 357 g cake sold by the piece: weight for shipping only
  unit.set_sold_by_weight(false);
  unit.set_unit_weight_grams(357);
  EXPECT_EQ(RequiredUnitWeightGrams(unit), 0);
}

}  // namespace
}  // namespace cooplink::orders
