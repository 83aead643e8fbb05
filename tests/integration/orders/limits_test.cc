// Every limit orders.proto states for a request field (services/orders/orders_limits.h, tied to the
// proto comments by tests/unit/common/limits_contract_test.cc), walked through real gRPC just
// below, at and just above each bound (tests/support/limit_walker.h), and the limits no FieldLimit
// kind holds: the reconciliation window (positive, at most 7 days), a line_total above
// quantity × unit_price, and an unset shipping_fee meaning 0.
//
// The baselines use real resources, so a value that passes validation meets the RPC's own rules:
// a request_id walk on CancelOrder cancels the order once and then meets INVALID_STATE_TRANSITION;
// the packed weight walk is UNDERWEIGHT below the line's required weight and packs the fulfilment
// at the top of the range; CreateShipment then ships it once (ALREADY_EXISTS after).
#include <gtest/gtest.h>

#include <iostream>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/orders/orders_limits.h"
#include "tests/support/limit_walker.h"
#include "tests/support/orders_fixture.h"

namespace cooplink::testing {
namespace {

using Stub = ov1::OrdersService::Stub;
using grpc::StatusCode;

constexpr int64_t kMaxFen = std::numeric_limits<int64_t>::max();
// Seconds: 7 days before the fixture's default platform_update_time, after its create time.
constexpr int64_t kWindowStart = 1'780'000'000 - 7 * 86'400;

class OrdersLimitsTest : public OrdersFixture {
 protected:
  // An ACTIVE product of `world` sold by the jin (500 g), offered to and listed for `partner`.
  cv1::Product JinProduct(const SellingWorld& world) {
    cv1::CreateProductRequest create;
    create.set_request_id(NewRequestId());
    *create.mutable_product() = ProductBody(world.coop);
    create.mutable_product()->set_title("澜沧古树红茶散装");
    create.mutable_product()->mutable_unit()->set_kind(cv1::UNIT_KIND_JIN);
    create.mutable_product()->mutable_unit()->set_sold_by_weight(true);
    create.mutable_product()->mutable_unit()->set_unit_weight_grams(500);
    cv1::Product product;
    grpc::Status s = catalog().CreateProduct(Ctx(world.coop.admin_token).get(), create, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::SubmitProductRequest submit;
    submit.set_request_id(NewRequestId());
    submit.set_product_id(product.id());
    s = catalog().SubmitProduct(Ctx(world.coop.member_token).get(), submit, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::ApproveProductRequest approve;
    approve.set_request_id(NewRequestId());
    approve.set_product_id(product.id());
    s = catalog().ApproveProduct(Ctx(admin()).get(), approve, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::AdjustStockRequest adjust;
    adjust.set_request_id(NewRequestId());
    adjust.set_product_id(product.id());
    adjust.set_delta(1000);
    adjust.set_reason(cv1::STOCK_ADJUSTMENT_REASON_RESTOCK);
    cv1::Stock stock;
    s = catalog().AdjustStock(Ctx(world.coop.admin_token).get(), adjust, &stock);
    EXPECT_TRUE(s.ok()) << s.error_message();
    OfferTo(product, world.partner, world.coop.admin_token);
    AwaitListed(world.partner, product.id());
    return product;
  }

  // The one fulfilment of a paid order.
  ov1::Fulfilment FulfilmentOf(const std::string& order_id) {
    ov1::ListFulfilmentsRequest req;
    req.set_order_id(order_id);
    ov1::ListFulfilmentsResponse resp;
    grpc::Status s = orders().ListFulfilments(Ctx(admin()).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.fulfilments_size(), 1);
    return resp.fulfilments_size() > 0 ? resp.fulfilments(0) : ov1::Fulfilment();
  }

  // A REQUESTED refund of 1 fen on line L1 of `order_id`.
  ov1::AfterSale RequestRefund(const std::string& order_id) {
    ov1::CreateAfterSaleRequest req;
    req.set_request_id(NewRequestId());
    ov1::AfterSale* a = req.mutable_after_sale();
    a->set_order_id(order_id);
    a->set_kind(ov1::AFTER_SALE_KIND_REFUND_ONLY);
    a->set_reason("果子坏了");
    ov1::AfterSaleLine* line = a->add_lines();
    line->set_external_line_id("L1");
    line->mutable_refund()->set_fen(1);
    ov1::AfterSale out;
    grpc::Status s = orders().CreateAfterSale(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    return out;
  }

  grpc::Status Reconcile(const SellingWorld& world, int64_t start_us, int64_t end_us,
                         ov1::ListOrdersForReconciliationResponse* resp) {
    ov1::ListOrdersForReconciliationRequest req;
    req.set_partner_id(world.partner.partner.id());
    req.mutable_start_time()->set_seconds(start_us / 1'000'000);
    req.mutable_start_time()->set_nanos(static_cast<int32_t>(start_us % 1'000'000) * 1000);
    req.mutable_end_time()->set_seconds(end_us / 1'000'000);
    req.mutable_end_time()->set_nanos(static_cast<int32_t>(end_us % 1'000'000) * 1000);
    return orders().ListOrdersForReconciliation(Ctx(world.partner.token).get(), req, resp);
  }
};

// The lines of an UpsertPartnerOrder baseline: a price so high that any line_total up to the
// Money maximum is within quantity × unit_price, and a line_total of 0 so that any unit_price is.
void SetWalkLine(ov1::OrderLine* line, const std::string& external_line_id,
                 const std::string& product_id) {
  line->set_external_line_id(external_line_id);
  line->set_product_id(product_id);
  line->set_quantity(1);
  line->mutable_unit_price()->set_fen(kMaxFen);
  line->mutable_line_total()->set_fen(0);
}

TEST_F(OrdersLimitsTest, EveryDocumentedLimitIsEnforcedExactly) {
  const SellingWorld w = NewSellingWorld(/*on_hand=*/1'000'000);
  const cv1::Product jin = JinProduct(w);
  const std::string token = admin();

  // An unpaid order to cancel and to (fail to) complete.
  const ov1::Order unpaid =
      Upsert(w, OrderRequest(w, "ORD-UNPAID", 1, ov1::ORDER_STATE_PENDING_PAYMENT)).order();
  // A paid order of 2 jin (1000 g required): its fulfilment is packed, then shipped, by the walk.
  ov1::UpsertPartnerOrderRequest weighed = OrderRequest(w, "ORD-JIN", 2, ov1::ORDER_STATE_PAID);
  weighed.mutable_order()->mutable_lines(0)->set_product_id(jin.id());
  weighed.mutable_order()->mutable_lines(0)->mutable_unit_price()->set_fen(jin.price().fen());
  weighed.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(2 * jin.price().fen());
  const ov1::Order jin_order = Upsert(w, weighed).order();
  ASSERT_EQ(jin_order.stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  const ov1::Fulfilment jin_fulfilment = FulfilmentOf(jin_order.id());
  ASSERT_EQ(jin_fulfilment.lines_size(), 1);
  ASSERT_EQ(jin_fulfilment.lines(0).required_weight_grams(), 1000);
  // A paid order of 100 lines (L1..L100), for after-sales of up to 100 lines.
  ov1::UpsertPartnerOrderRequest wide = OrderRequest(w, "ORD-WIDE", 1, ov1::ORDER_STATE_PAID);
  for (int i = 2; i <= 100; ++i) {
    ov1::OrderLine* line = wide.mutable_order()->add_lines();
    *line = wide.order().lines(0);
    line->set_external_line_id(absl::StrCat("L", i));
  }
  const ov1::Order paid = Upsert(w, wide).order();
  ASSERT_EQ(paid.lines_size(), 100);
  const ov1::AfterSale to_approve = RequestRefund(paid.id());
  const ov1::AfterSale to_reject = RequestRefund(paid.id());
  const ov1::AfterSale to_complete = RequestRefund(paid.id());
  const ov1::AfterSale to_close = RequestRefund(paid.id());

  LimitWalker walker(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                         ov1::OrdersService::service_full_name()),
                     orders::kOrdersLimits, Today(clock_->Now()));
  // A phone of n digits; a carrier code of n characters that is one of the carrier table (none has
  // 1 or more than 5 characters: those lengths are only walked from outside).
  walker.Token(orders::limits::kBuyer, "phone", [](int64_t n) {
    return std::optional<std::string>(std::string(static_cast<size_t>(n), '8'));
  });
  walker.Token(orders::limits::kShipment, "carrier_code",
               [](int64_t n) -> std::optional<std::string> {
                 for (const char* code : {"SF", "ZTO", "JTSD", "YUNDA"}) {
                   if (static_cast<int64_t>(std::string(code).size()) == n)
                     return std::string(code);
                 }
                 if (n == 0 || n > orders::kCarrierCode.max)
                   return std::string(static_cast<size_t>(n), 'A');
                 return std::nullopt;
               });
  walker.Elements(orders::limits::kOrder, "lines", [&w](google::protobuf::Message* m, int n) {
    auto* order = static_cast<ov1::Order*>(m);
    order->clear_lines();
    for (int i = 0; i < n; ++i) {
      SetWalkLine(order->add_lines(), absl::StrCat("W", i + 1), w.product.id());
    }
  });
  walker.Elements(orders::limits::kAfterSale, "lines", [](google::protobuf::Message* m, int n) {
    auto* after_sale = static_cast<ov1::AfterSale*>(m);
    after_sale->clear_lines();
    for (int i = 0; i < n; ++i) {
      ov1::AfterSaleLine* line = after_sale->add_lines();
      line->set_external_line_id(absl::StrCat("L", i + 1));
      line->mutable_refund()->set_fen(1);
    }
  });

  int pushes = 0;
  walker.Rpc<ov1::UpsertPartnerOrderRequest, ov1::UpsertPartnerOrderResponse>(
      orders(), &Stub::UpsertPartnerOrder, w.partner.token, [&] {
        // A new order on every call (the walk writes external_order_id too; then the same order
        // is pushed again, which is fine while it is unpaid).
        ov1::UpsertPartnerOrderRequest req = OrderRequest(w, absl::StrCat("ORD-WALK-", ++pushes), 1,
                                                          ov1::ORDER_STATE_PENDING_PAYMENT);
        req.mutable_order()->clear_lines();
        SetWalkLine(req.mutable_order()->add_lines(), "W1", w.product.id());
        req.mutable_order()->mutable_buyer()->set_platform_contact_ref("AAEnOaid0001");
        return req;
      });
  walker.Rpc<ov1::ListOrdersRequest, ov1::ListOrdersResponse>(
      orders(), &Stub::ListOrders, token, [] { return ov1::ListOrdersRequest(); });
  walker.Rpc<ov1::CancelOrderRequest, ov1::Order>(orders(), &Stub::CancelOrder, token, [&] {
    ov1::CancelOrderRequest req;
    req.set_order_id(unpaid.id());
    req.set_reason("买家不想要了");
    return req;
  });
  walker.Rpc<ov1::ListFulfilmentsRequest, ov1::ListFulfilmentsResponse>(
      orders(), &Stub::ListFulfilments, token, [] { return ov1::ListFulfilmentsRequest(); });
  walker.Rpc<ov1::MarkFulfilmentPackedRequest, ov1::Fulfilment>(
      orders(), &Stub::MarkFulfilmentPacked, token, [&] {
        ov1::MarkFulfilmentPackedRequest req;
        req.set_fulfilment_id(jin_fulfilment.id());
        ov1::PackedLine* line = req.add_packed_lines();
        line->set_external_line_id("L1");
        line->set_packed_weight_grams(999);  // UNDERWEIGHT: only the weight walk packs it
        return req;
      });
  walker.Rpc<ov1::CreateShipmentRequest, ov1::Shipment>(orders(), &Stub::CreateShipment, token,
                                                        [&] {
                                                          ov1::CreateShipmentRequest req;
                                                          ov1::Shipment* s = req.mutable_shipment();
                                                          s->set_fulfilment_id(jin_fulfilment.id());
                                                          s->set_carrier_code("SF");
                                                          s->set_tracking_number("SF1400000001");
                                                          return req;
                                                        });
  walker.Rpc<ov1::ConfirmDeliveryRequest, ov1::Shipment>(orders(), &Stub::ConfirmDelivery, token,
                                                         [] {
                                                           ov1::ConfirmDeliveryRequest req;
                                                           req.set_shipment_id(NewId(absl::Now()));
                                                           return req;
                                                         });
  walker.Rpc<ov1::CompleteOrderRequest, ov1::Order>(orders(), &Stub::CompleteOrder, token, [&] {
    ov1::CompleteOrderRequest req;
    req.set_order_id(unpaid.id());
    return req;
  });
  walker.Rpc<ov1::CreateAfterSaleRequest, ov1::AfterSale>(
      orders(), &Stub::CreateAfterSale, token, [&] {
        ov1::CreateAfterSaleRequest req;
        ov1::AfterSale* a = req.mutable_after_sale();
        a->set_order_id(paid.id());
        a->set_kind(ov1::AFTER_SALE_KIND_REFUND_ONLY);
        a->set_reason("果子坏了");
        ov1::AfterSaleLine* line = a->add_lines();
        line->set_external_line_id("L1");
        line->mutable_refund()->set_fen(1);
        return req;
      });
  walker.Rpc<ov1::ApproveAfterSaleRequest, ov1::AfterSale>(orders(), &Stub::ApproveAfterSale, token,
                                                           [&] {
                                                             ov1::ApproveAfterSaleRequest req;
                                                             req.set_after_sale_id(to_approve.id());
                                                             return req;
                                                           });
  walker.Rpc<ov1::RejectAfterSaleRequest, ov1::AfterSale>(orders(), &Stub::RejectAfterSale, token,
                                                          [&] {
                                                            ov1::RejectAfterSaleRequest req;
                                                            req.set_after_sale_id(to_reject.id());
                                                            req.set_reason("照片显示完好");
                                                            return req;
                                                          });
  walker.Rpc<ov1::CompleteAfterSaleRequest, ov1::AfterSale>(
      orders(), &Stub::CompleteAfterSale, token, [&] {
        ov1::CompleteAfterSaleRequest req;
        req.set_after_sale_id(to_complete.id());  // REQUESTED: INVALID_STATE_TRANSITION
        return req;
      });
  walker.Rpc<ov1::CloseAfterSaleRequest, ov1::AfterSale>(orders(), &Stub::CloseAfterSale, token,
                                                         [&] {
                                                           ov1::CloseAfterSaleRequest req;
                                                           req.set_after_sale_id(to_close.id());
                                                           req.set_reason("买家撤销");
                                                           return req;
                                                         });
  walker.Rpc<ov1::ListAfterSalesRequest, ov1::ListAfterSalesResponse>(
      orders(), &Stub::ListAfterSales, token, [] { return ov1::ListAfterSalesRequest(); });
  walker.Rpc<ov1::ListOrdersForReconciliationRequest, ov1::ListOrdersForReconciliationResponse>(
      orders(), &Stub::ListOrdersForReconciliation, token, [&] {
        ov1::ListOrdersForReconciliationRequest req;
        req.set_partner_id(w.partner.partner.id());
        req.set_shop_id("shop-1");
        req.mutable_start_time()->set_seconds(kWindowStart);
        req.mutable_end_time()->set_seconds(kWindowStart + 86'400);
        return req;
      });
  walker.Rpc<ov1::ListSettlementsRequest, ov1::ListSettlementsResponse>(
      orders(), &Stub::ListSettlements, token, [] { return ov1::ListSettlementsRequest(); });

  const LimitWalker::Totals totals = walker.Walk();
  std::cout << "orders: " << totals.limits << " limits (" << totals.entries
            << " table entries) over " << totals.rpcs << " RPCs, " << totals.probes << " calls, "
            << totals.ok << " succeeded\n";
  RecordProperty("limits", totals.limits);
  RecordProperty("probes", totals.probes);
  EXPECT_EQ(totals.rpcs, 16);

  // The walk reached past validation: the weight walk packed the jin fulfilment, and the shipment
  // walk shipped it.
  const ov1::Fulfilment after = FulfilmentOf(jin_order.id());
  EXPECT_EQ(after.state(), ov1::FULFILMENT_STATE_SHIPPED);
  EXPECT_FALSE(after.shipment_id().empty());
  EXPECT_EQ(GetOrder(token, unpaid.id()).state(), ov1::ORDER_STATE_CANCELLED);
}

TEST_F(OrdersLimitsTest, TheReconciliationWindowIsPositiveAndAtMostSevenDays) {
  const SellingWorld w = NewSellingWorld(/*on_hand=*/10);
  // An order last updated at the very end of a 7-day window.
  const int64_t start_us = kWindowStart * 1'000'000;
  const int64_t seven_days_us = int64_t{7} * 86'400 * 1'000'000;
  const int64_t last_second = kWindowStart + 7 * 86'400 - 1;
  const ov1::Order order =
      Upsert(w, OrderRequest(w, "ORD-EDGE", 1, ov1::ORDER_STATE_PENDING_PAYMENT, last_second))
          .order();

  ov1::ListOrdersForReconciliationResponse resp;
  grpc::Status s = Reconcile(w, start_us, start_us + seven_days_us, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.orders_size(), 1);
  EXPECT_EQ(resp.orders(0).id(), order.id());

  struct Bad {
    const char* label;
    int64_t end_us;
  };
  for (const Bad& bad : {Bad{"7 days + 1 µs", start_us + seven_days_us + 1},
                         Bad{"empty (end = start)", start_us}, Bad{"negative", start_us - 1}}) {
    s = Reconcile(w, start_us, bad.end_us, &resp);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT) << bad.label;
    EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"end_time"}) << bad.label;
  }
}

TEST_F(OrdersLimitsTest, ALineTotalAboveQuantityTimesUnitPriceIsRefused) {
  const SellingWorld w = NewSellingWorld(/*on_hand=*/10);
  ov1::UpsertPartnerOrderRequest req =
      OrderRequest(w, "ORD-OVERPAID", 2, ov1::ORDER_STATE_PENDING_PAYMENT);
  const int64_t most = 2 * w.product.price().fen();
  req.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(most + 1);
  ov1::UpsertPartnerOrderResponse resp;
  grpc::Status s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), req, &resp);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"order.lines[0].line_total"});

  req.set_request_id(NewRequestId());
  req.mutable_order()->mutable_lines(0)->mutable_line_total()->set_fen(most);
  EXPECT_EQ(Upsert(w, req).order().lines(0).line_total().fen(), most);
}

// 512 characters of 4 bytes each, the widest platform_contact_ref the contract allows, are stored
// sealed (VARCHAR(2800) in migration 0001) and read back in the SHIPPING view.
TEST_F(OrdersLimitsTest, TheLongestContactRefIsStoredWhole) {
  const SellingWorld w = NewSellingWorld(/*on_hand=*/10);
  std::string ref;
  for (int i = 0; i < orders::kBuyerContactRef.max; ++i) ref += "\U0001F352";  // 🍒, 4 bytes
  ov1::UpsertPartnerOrderRequest req =
      OrderRequest(w, "ORD-LONG-REF", 1, ov1::ORDER_STATE_PENDING_PAYMENT);
  req.mutable_order()->mutable_buyer()->set_platform_contact_ref(ref);
  const ov1::Order order = Upsert(w, req).order();
  ov1::GetOrderRequest get;
  get.set_id(order.id());
  get.set_view(ov1::ORDER_VIEW_SHIPPING);
  ov1::Order shipping;
  grpc::Status s = orders().GetOrder(Ctx(admin()).get(), get, &shipping);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(shipping.buyer().platform_contact_ref(), ref);
}

TEST_F(OrdersLimitsTest, AnUnsetShippingFeeMeansZero) {
  const SellingWorld w = NewSellingWorld(/*on_hand=*/10);
  ov1::UpsertPartnerOrderRequest req =
      OrderRequest(w, "ORD-NO-FEE", 1, ov1::ORDER_STATE_PENDING_PAYMENT);
  req.mutable_order()->clear_shipping_fee();
  const ov1::Order order = Upsert(w, req).order();
  EXPECT_TRUE(order.has_shipping_fee());
  EXPECT_EQ(order.shipping_fee().fen(), 0);
  EXPECT_EQ(order.total().fen(), order.goods_total().fen());
  EXPECT_EQ(order.goods_total().fen(), w.product.price().fen());
}

}  // namespace
}  // namespace cooplink::testing
