// The rules of what a partner reports (order_input_rules.h) and of the stock saga (stock_rules.h),
// without a database.
#include <gtest/gtest.h>

#include <algorithm>

#include "google/rpc/error_details.pb.h"

#include "services/common/status.h"
#include "services/orders/order_input_rules.h"
#include "services/orders/stock_rules.h"

namespace cooplink::orders {
namespace {

v1::UpsertPartnerOrderRequest ValidRequest() {
  v1::UpsertPartnerOrderRequest req;
  req.set_request_id("r1");
  req.set_reported_state(v1::ORDER_STATE_PAID);
  v1::Order* o = req.mutable_order();
  o->set_shop_id("shop-1");
  o->set_external_order_id("4012345678901234567");  // 19 digits: a string, never a double
  o->set_partner_status("WAIT_SELLER_SEND_GOODS");
  o->mutable_platform_update_time()->set_seconds(1'780'000'000);
  o->mutable_platform_create_time()->set_seconds(1'779'990'000);
  v1::OrderLine* l = o->add_lines();
  l->set_external_line_id("L1");
  l->set_product_id("01JQ0000000000000000000000");
  l->set_quantity(3);
  l->mutable_unit_price()->set_fen(12'800);
  l->mutable_line_total()->set_fen(38'400);
  o->mutable_buyer()->set_name("张三丰");
  o->mutable_buyer()->set_phone("13812345678");
  o->mutable_buyer()->set_region_code("530828");
  o->mutable_buyer()->set_address("勐朗镇 1 号");
  return req;
}

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  google::rpc::BadRequest bad;
  auto payload = s.GetPayload("type.googleapis.com/google.rpc.BadRequest");
  if (payload) bad.ParseFromString(std::string(*payload));
  for (const auto& f : bad.field_violations()) out.push_back(f.field());
  return out;
}

TEST(ValidateUpsert, AcceptsAValidOrder) { EXPECT_TRUE(ValidateUpsert(ValidRequest()).ok()); }

TEST(ValidateUpsert, NamesEveryBadField) {
  v1::UpsertPartnerOrderRequest req = ValidRequest();
  req.set_reported_state(v1::ORDER_STATE_UNSPECIFIED);
  req.mutable_order()->clear_shop_id();
  req.mutable_order()->clear_platform_update_time();
  req.mutable_order()->mutable_lines(0)->set_quantity(0);
  req.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(38'401);
  req.mutable_order()->mutable_buyer()->set_phone("138-1234-abcd");
  req.mutable_order()->mutable_buyer()->set_region_code("53082");
  req.mutable_order()->set_reservation_id("has space");
  const absl::Status s = ValidateUpsert(req);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  const std::vector<std::string> expected = {
      "order.shop_id",     "order.platform_update_time", "order.lines[0].quantity",
      "order.buyer.phone", "order.buyer.region_code",    "order.reservation_id",
      "reported_state"};
  const std::vector<std::string> got = Fields(s);
  for (const std::string& f : expected) {
    EXPECT_NE(std::find(got.begin(), got.end(), f), got.end()) << f;
  }
}

TEST(ValidateUpsert, LineTotalAtMostQuantityTimesPrice) {
  v1::UpsertPartnerOrderRequest req = ValidRequest();
  req.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(38'400);  // at
  EXPECT_TRUE(ValidateUpsert(req).ok());
  req.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(38'401);  // above
  EXPECT_EQ(Fields(ValidateUpsert(req)), std::vector<std::string>{"order.lines[0].line_total"});
  req.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(0);  // a free gift
  EXPECT_TRUE(ValidateUpsert(req).ok());
}

TEST(ValidateUpsert, LineLimitsBelowAtAbove) {
  v1::UpsertPartnerOrderRequest req = ValidRequest();
  req.mutable_order()->mutable_lines(0)->set_quantity(1'000'000);
  req.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(0);
  EXPECT_TRUE(ValidateUpsert(req).ok());
  req.mutable_order()->mutable_lines(0)->set_quantity(1'000'001);
  EXPECT_EQ(Fields(ValidateUpsert(req)), std::vector<std::string>{"order.lines[0].quantity"});
  req = ValidRequest();
  for (int i = 1; i < 100; ++i) {
    v1::OrderLine* l = req.mutable_order()->add_lines();
    *l = req.order().lines(0);
    l->set_external_line_id("L" + std::to_string(i + 1));
  }
  EXPECT_TRUE(ValidateUpsert(req).ok()) << "100 lines";
  v1::OrderLine* extra = req.mutable_order()->add_lines();
  *extra = req.order().lines(0);
  extra->set_external_line_id("L101");
  EXPECT_EQ(Fields(ValidateUpsert(req)), std::vector<std::string>{"order.lines"});
}

TEST(ValidateUpsert, RepeatedExternalLineIdIsRefused) {
  v1::UpsertPartnerOrderRequest req = ValidRequest();
  *req.mutable_order()->add_lines() = req.order().lines(0);
  EXPECT_EQ(Fields(ValidateUpsert(req)),
            std::vector<std::string>{"order.lines[1].external_line_id"});
}

TEST(ValidateUpsert, MaskedContactFromThePlatformIsAccepted) {
  v1::UpsertPartnerOrderRequest req = ValidRequest();
  req.mutable_order()->mutable_buyer()->set_name("张**");
  req.mutable_order()->mutable_buyer()->set_phone("138****5678");
  req.mutable_order()->mutable_buyer()->set_address("云南省普洱市****");
  req.mutable_order()->mutable_buyer()->set_platform_contact_ref("AAHmOAID0123456789");
  EXPECT_TRUE(ValidateUpsert(req).ok());
}

TEST(Masks, NamePhoneAddress) {
  EXPECT_EQ(MaskName("张三丰"), "张**");
  EXPECT_EQ(MaskName("Li"), "L*");
  EXPECT_EQ(MaskName("张"), "张");
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("138****5678"), "138****5678");  // the platform's own mask
  EXPECT_EQ(MaskPhone("0879-1234567"), "*4567");
  EXPECT_EQ(MaskPhone("123"), "****");
  EXPECT_EQ(std::string(kMaskedAddress), "****");
}

TEST(Fingerprints, LinesAndContent) {
  v1::UpsertPartnerOrderRequest a = ValidRequest(), b = ValidRequest();
  EXPECT_EQ(LinesFingerprint(a.order()), LinesFingerprint(b.order()));
  EXPECT_EQ(ContentFingerprint(a), ContentFingerprint(b));
  b.mutable_order()->set_partner_status("WAIT_BUYER_CONFIRM_GOODS");
  EXPECT_EQ(LinesFingerprint(a.order()), LinesFingerprint(b.order()));
  EXPECT_NE(ContentFingerprint(a), ContentFingerprint(b));
  b = ValidRequest();
  b.mutable_order()->mutable_lines(0)->set_quantity(4);
  EXPECT_NE(LinesFingerprint(a.order()), LinesFingerprint(b.order()));
  b = ValidRequest();
  b.set_request_id("another");  // not part of the content
  EXPECT_EQ(ContentFingerprint(a), ContentFingerprint(b));
}

TEST(QuantitiesByProduct, RepeatedProductIsSummed) {
  v1::Order o = ValidRequest().order();
  v1::OrderLine* l = o.add_lines();
  *l = o.lines(0);
  l->set_external_line_id("L2");
  l->set_quantity(2);
  v1::OrderLine* other = o.add_lines();
  *other = o.lines(0);
  other->set_external_line_id("L3");
  other->set_product_id("01JQ0000000000000000000001");
  const auto q = QuantitiesByProduct(o);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0], std::make_pair(std::string("01JQ0000000000000000000000"), int64_t{5}));
  EXPECT_EQ(q[1].second, 3);
}

TEST(StockRules, NextStepForEveryStateAndStatus) {
  using S = v1::OrderState;
  using K = v1::OrderStockStatus;
  const S states[] = {v1::ORDER_STATE_PENDING_PAYMENT,   v1::ORDER_STATE_PAID,
                      v1::ORDER_STATE_PARTIALLY_SHIPPED, v1::ORDER_STATE_SHIPPED,
                      v1::ORDER_STATE_DELIVERED,         v1::ORDER_STATE_COMPLETED,
                      v1::ORDER_STATE_CANCELLED};
  for (S state : states) {
    const bool cancelled = state == v1::ORDER_STATE_CANCELLED;
    const bool unpaid = state == v1::ORDER_STATE_PENDING_PAYMENT;
    const bool unshipped = unpaid || state == v1::ORDER_STATE_PAID;
    EXPECT_EQ(NextStockStep(state, v1::ORDER_STOCK_STATUS_PENDING),
              cancelled ? StockStep::kRelease : StockStep::kReserve);
    EXPECT_EQ(NextStockStep(state, v1::ORDER_STOCK_STATUS_SHORT),
              unshipped ? StockStep::kReserve : StockStep::kNone);
    EXPECT_EQ(NextStockStep(state, v1::ORDER_STOCK_STATUS_RESERVED), cancelled ? StockStep::kRelease
                                                                     : unpaid  ? StockStep::kNone
                                                                              : StockStep::kCommit);
    EXPECT_EQ(NextStockStep(state, v1::ORDER_STOCK_STATUS_COMMITTED),
              cancelled ? StockStep::kReturn : StockStep::kNone);
    EXPECT_EQ(NextStockStep(state, K::ORDER_STOCK_STATUS_RELEASED), StockStep::kNone);
  }
}

TEST(StockRules, CatalogAnswersClassified) {
  const absl::Status short_stock = FailedPrecondition("INSUFFICIENT_STOCK", "x");
  const absl::Status unavailable = absl::UnavailableError("down");
  EXPECT_EQ(ClassifyStockFailure(StockStep::kReserve, short_stock), StockFailure::kShort);
  EXPECT_EQ(
      ClassifyStockFailure(StockStep::kReserve, FailedPrecondition("PRODUCT_NOT_AVAILABLE", "x")),
      StockFailure::kShort);
  EXPECT_EQ(ClassifyStockFailure(StockStep::kReserve, unavailable), StockFailure::kRetry);
  EXPECT_EQ(
      ClassifyStockFailure(StockStep::kCommit, FailedPrecondition("RESERVATION_NOT_HELD", "x")),
      StockFailure::kHoldLapsed);
  EXPECT_EQ(ClassifyStockFailure(StockStep::kCommit, unavailable), StockFailure::kRetry);
  EXPECT_EQ(
      ClassifyStockFailure(StockStep::kRelease, FailedPrecondition("RESERVATION_COMMITTED", "x")),
      StockFailure::kCommitted);
  EXPECT_EQ(ClassifyStockFailure(StockStep::kRelease, absl::NotFoundError("x")),
            StockFailure::kGone);
  EXPECT_EQ(ClassifyStockFailure(StockStep::kRelease, unavailable), StockFailure::kRetry);
}

TEST(StockRules, IdsAreDerivedAndFitRequestIds) {
  const std::string order = "01JQ0000000000000000000000";
  EXPECT_EQ(ReservationIdFor(order, 2), "ord-01JQ0000000000000000000000-2");
  EXPECT_LE(CommitRequestId(ReservationIdFor(order, 999999)).size(), 64u);
  EXPECT_LE(ReturnRequestId(order, 99).size(), 64u);
  EXPECT_NE(CommitRequestId("x"), ReleaseRequestId("x"));
}

}  // namespace
}  // namespace cooplink::orders
