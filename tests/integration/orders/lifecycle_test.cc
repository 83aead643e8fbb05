// The order lifecycle after UpsertPartnerOrder, through real gRPC with membership, catalog and
// orders against the real MariaDB: packing (stock refusals, packed weights of goods sold by
// weight), shipping (held orders, carriers, one shipment per fulfilment), delivery, completion (by
// CompleteOrder, by the platform, automatically after the return window), orders split between
// two cooperatives, cancellation with the goods returned to catalog, what the platform reports
// after shipment, every illegal transition, replays of each mutating RPC, and the settlements a
// completion writes (their arithmetic, their outbox messages and who may read them).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/orders_fixture.h"

namespace cooplink::testing {
namespace {

using ov1::ORDER_STATE_CANCELLED;
using ov1::ORDER_STATE_COMPLETED;
using ov1::ORDER_STATE_DELIVERED;
using ov1::ORDER_STATE_PAID;
using ov1::ORDER_STATE_PARTIALLY_SHIPPED;
using ov1::ORDER_STATE_PENDING_PAYMENT;
using ov1::ORDER_STATE_SHIPPED;

class LifecycleTest : public OrdersFixture {
 protected:
  // A second cooperative selling to the world's partner: its product, offered and listed.
  struct SecondCoop {
    CoopWorld coop;
    cv1::Product product;
  };
  SecondCoop AddCoop(const SellingWorld& w, int64_t on_hand) {
    SecondCoop c;
    c.coop = NewCoop();
    c.product = ActiveProduct(c.coop, on_hand);
    OfferTo(c.product, w.partner, c.coop.admin_token);
    AwaitListed(w.partner, c.product.id());
    return c;
  }

  // The orders row's stock status as stored, and a way to set it (a crash between two saga steps
  // leaves exactly such a row for the recovery job).
  void SetStockStatus(const std::string& order_id, ov1::OrderStockStatus status) {
    ASSERT_TRUE(orders_db()
                    .Transact([&](Tx& tx) {
                      tx.Execute(
                          "UPDATE orders SET stock_status = ?, stock_due_us = ? WHERE id = ?",
                          static_cast<int>(status), absl::ToUnixMicros(clock_->Now()), order_id);
                      return absl::OkStatus();
                    })
                    .ok());
  }

  grpc::Status TryPack(const std::string& token, const std::string& fulfilment_id,
                       const std::vector<ov1::PackedLine>& packed = {},
                       ov1::Fulfilment* out = nullptr) {
    ov1::MarkFulfilmentPackedRequest req;
    req.set_request_id(NewRequestId());
    req.set_fulfilment_id(fulfilment_id);
    for (const ov1::PackedLine& l : packed) *req.add_packed_lines() = l;
    ov1::Fulfilment ignored;
    return orders().MarkFulfilmentPacked(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status TryShip(const std::string& token, const std::string& fulfilment_id,
                       const std::string& carrier = "ZTO") {
    ov1::CreateShipmentRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_shipment()->set_fulfilment_id(fulfilment_id);
    req.mutable_shipment()->set_carrier_code(carrier);
    req.mutable_shipment()->set_tracking_number("ZT7788990011");
    ov1::Shipment out;
    return orders().CreateShipment(Ctx(token).get(), req, &out);
  }
  grpc::Status TryDeliver(const std::string& token, const std::string& shipment_id,
                          std::optional<absl::Time> at, ov1::Shipment* out = nullptr) {
    ov1::ConfirmDeliveryRequest req;
    req.set_request_id(NewRequestId());
    req.set_shipment_id(shipment_id);
    if (at) req.mutable_delivery_time()->set_seconds(absl::ToUnixSeconds(*at));
    ov1::Shipment ignored;
    return orders().ConfirmDelivery(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status TryCancel(const std::string& token, const std::string& order_id,
                         ov1::Order* out = nullptr) {
    ov1::CancelOrderRequest req;
    req.set_request_id(NewRequestId());
    req.set_order_id(order_id);
    req.set_reason("买家申请取消");
    ov1::Order ignored;
    return orders().CancelOrder(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status TryComplete(const std::string& token, const std::string& order_id) {
    ov1::CompleteOrderRequest req;
    req.set_request_id(NewRequestId());
    req.set_order_id(order_id);
    ov1::Order out;
    return orders().CompleteOrder(Ctx(token).get(), req, &out);
  }

  static ov1::PackedLine Weighed(const std::string& line, int64_t grams) {
    ov1::PackedLine l;
    l.set_external_line_id(line);
    l.set_packed_weight_grams(grams);
    return l;
  }

  // A later push of the world's order with a new state (and platform time).
  ov1::UpsertPartnerOrderResponse Push(const SellingWorld& w, const std::string& external,
                                       int64_t quantity, ov1::OrderState state,
                                       int64_t platform_seconds, const std::string& status) {
    auto req = OrderRequest(w, external, quantity, state, platform_seconds);
    req.mutable_order()->set_partner_status(status);
    return Upsert(w, req);
  }

  // The settlement rules of orders.proto for one completed order whose lines are
  // `line_totals_by_coop` (less `refunded_by_coop`): one original settlement per cooperative, the
  // rates from membership (fixture: commission 500 bps, fee 300 bps), the parts summing to the
  // gross, each in the outbox exactly once with its SETTLEMENT_CREATED event.
  void ExpectSettled(const ov1::Order& order, std::map<std::string, int64_t> gross_by_coop,
                     int32_t commission_bps = 500, int32_t fee_bps = 300) {
    const std::vector<ov1::Settlement> all = SettlementsOf(order.id());
    std::map<std::string, int64_t> seen;
    for (const ov1::Settlement& s : all) {
      if (!s.reversed_settlement_id().empty()) continue;
      EXPECT_EQ(seen.count(s.cooperative_id()), 0u) << "two settlements for one cooperative";
      seen[s.cooperative_id()] = s.gross().fen();
      EXPECT_EQ(s.order_id(), order.id());
      EXPECT_EQ(s.partner_id(), order.partner_id());
      EXPECT_EQ(s.commission_rate_bps(), commission_bps);
      EXPECT_EQ(s.service_fee_bps(), fee_bps);
      EXPECT_EQ(s.partner_commission().fen() + s.cooperative_service_fee().fen() +
                    s.producer_total().fen(),
                s.gross().fen());
      int64_t payouts = 0, payout_gross = 0;
      for (const ov1::ProducerPayout& p : s.payouts()) {
        payouts += p.amount().fen();
        payout_gross += p.gross().fen();
        EXPECT_GE(p.amount().fen(), 0);
      }
      EXPECT_EQ(payouts, s.producer_total().fen());
      EXPECT_EQ(payout_gross, s.gross().fen());
      // Largest remainder: each part within 1 fen of its exact share.
      EXPECT_LT(std::abs(s.partner_commission().fen() * 10000 - s.gross().fen() * commission_bps),
                10000);
      EXPECT_LT(std::abs(s.cooperative_service_fee().fen() * 10000 - s.gross().fen() * fee_bps),
                10000);
    }
    EXPECT_EQ(seen, gross_by_coop);
    // The outbox: each settlement once under "orders.settlements", and once as an event.
    std::map<std::string, int> messages, events;
    for (const ov1::Settlement& s : OutboxSettlements(order.id())) ++messages[s.id()];
    for (const ov1::OrderEvent& e : OutboxEvents(order.id())) {
      if (e.kind() == ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED) ++events[e.settlement().id()];
    }
    EXPECT_EQ(messages.size(), all.size());
    EXPECT_EQ(events.size(), all.size());
    for (const ov1::Settlement& s : all) {
      EXPECT_EQ(messages[s.id()], 1) << s.id();
      EXPECT_EQ(events[s.id()], 1) << s.id();
    }
    for (const ov1::Settlement& m : OutboxSettlements(order.id())) {
      for (const ov1::Settlement& s : all) {
        if (s.id() == m.id()) {
          EXPECT_EQ(m.SerializeAsString(), s.SerializeAsString());
        }
      }
    }
  }
};

TEST_F(LifecycleTest, PackingRefusesShortAndUncommittedStock) {
  SellingWorld w = NewSellingWorld(2);
  // SHORT: 3 wanted, 2 in stock.
  const auto short_order = Upsert(w, OrderRequest(w, "P-SHORT", 3, ORDER_STATE_PAID)).order();
  ASSERT_EQ(short_order.stock_status(), ov1::ORDER_STOCK_STATUS_SHORT);
  auto fulfilments = FulfilmentsOf(w.coop.admin_token, short_order.id());
  ASSERT_EQ(fulfilments.size(), 1u);
  grpc::Status s = TryPack(w.coop.admin_token, fulfilments[0].id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "STOCK_SHORT");
  // Paid, but the commit is still under way (a crash left it RESERVED): STOCK_NOT_COMMITTED until
  // the recovery job commits it.
  const auto paid = Upsert(w, OrderRequest(w, "P-RESERVED", 1, ORDER_STATE_PAID)).order();
  ASSERT_EQ(paid.stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  SetStockStatus(paid.id(), ov1::ORDER_STOCK_STATUS_RESERVED);
  fulfilments = FulfilmentsOf(w.coop.admin_token, paid.id());
  ASSERT_EQ(fulfilments.size(), 1u);
  s = TryPack(w.coop.admin_token, fulfilments[0].id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "STOCK_NOT_COMMITTED");
  SetStockStatus(paid.id(), ov1::ORDER_STOCK_STATUS_PENDING);
  s = TryPack(w.coop.admin_token, fulfilments[0].id());
  EXPECT_EQ(ErrorReason(s), "STOCK_NOT_COMMITTED");
  SetStockStatus(paid.id(), ov1::ORDER_STOCK_STATUS_RESERVED);
  ASSERT_TRUE(orders_domain().RecoverStock(100).ok());
  EXPECT_EQ(GetOrder(w.partner.token, paid.id()).stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 1);  // the commit was not repeated
  const ov1::Fulfilment packed = Pack(w.coop.admin_token, fulfilments[0].id());
  EXPECT_EQ(packed.state(), ov1::FULFILMENT_STATE_PACKED);
  EXPECT_TRUE(packed.has_pack_time());
  // Packing twice is no transition.
  s = TryPack(w.coop.admin_token, fulfilments[0].id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
}

TEST_F(LifecycleTest, GoodsSoldByWeightArePackedWithTheirNetWeight) {
  SellingWorld w;
  w.coop = NewCoop();
  w.partner = NewPartner();
  cv1::Product body = ProductBody(w.coop);
  body.set_title("澜沧古树晒青毛茶（散装）");
  body.mutable_unit()->set_kind(cv1::UNIT_KIND_KG);
  body.mutable_unit()->set_sold_by_weight(true);
  body.mutable_unit()->set_unit_weight_grams(1000);
  body.mutable_price()->set_fen(36000);
  w.product = ActiveProductFrom(w.coop, body, 10);
  OfferTo(w.product, w.partner, w.coop.admin_token);
  AwaitListed(w.partner, w.product.id());
  const auto order = Upsert(w, OrderRequest(w, "KG-1", 2, ORDER_STATE_PAID)).order();
  auto fulfilments = FulfilmentsOf(w.coop.admin_token, order.id());
  ASSERT_EQ(fulfilments.size(), 1u);
  ASSERT_EQ(fulfilments[0].lines_size(), 1);
  EXPECT_EQ(fulfilments[0].lines(0).required_weight_grams(), 2000);
  const std::string id = fulfilments[0].id();
  // Missing weight: INVALID_ARGUMENT on packed_lines.
  grpc::Status s = TryPack(w.coop.admin_token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"packed_lines"});
  // A weight of 0, or for a line that is not there: INVALID_ARGUMENT.
  s = TryPack(w.coop.admin_token, id, {Weighed("L1", 0)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = TryPack(w.coop.admin_token, id, {Weighed("L1", 2000), Weighed("L9", 100)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Underweight: FAILED_PRECONDITION with the figures.
  s = TryPack(w.coop.admin_token, id, {Weighed("L1", 1999)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "UNDERWEIGHT");
  auto meta = ErrorMetadata(s);
  EXPECT_EQ(meta["external_line_id"], "L1");
  EXPECT_EQ(meta["required_weight_grams"], "2000");
  EXPECT_EQ(meta["packed_weight_grams"], "1999");
  EXPECT_EQ(FulfilmentsOf(w.coop.admin_token, order.id())[0].state(),
            ov1::FULFILMENT_STATE_TO_PACK);
  // Enough: PACKED with the weight recorded.
  ov1::Fulfilment packed;
  s = TryPack(w.coop.admin_token, id, {Weighed("L1", 2015)}, &packed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(packed.state(), ov1::FULFILMENT_STATE_PACKED);
  ASSERT_EQ(packed.lines_size(), 1);
  EXPECT_EQ(packed.lines(0).packed_weight_grams(), 2015);
  EXPECT_EQ(FulfilmentsOf(w.partner.token, order.id())[0].lines(0).packed_weight_grams(), 2015);
}

TEST_F(LifecycleTest, ShippingNeedsAPackedFulfilmentAnUnheldOrderAndAKnownCarrier) {
  SellingWorld w = NewSellingWorld(5);
  auto held = OrderRequest(w, "H-1", 1, ORDER_STATE_PAID, 1'780'000'000);
  held.mutable_order()->set_partner_status("PAID_FORBID_CONSIGN");
  held.mutable_order()->set_shipping_held(true);
  const auto order = Upsert(w, held).order();
  EXPECT_TRUE(order.shipping_held());
  const std::string f = FulfilmentsOf(w.coop.admin_token, order.id())[0].id();
  grpc::Status s = TryShip(w.coop.admin_token, f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "NOT_PACKED");  // the fulfilment's own state comes first
  Pack(w.coop.admin_token, f);              // a held order may be packed
  s = TryShip(w.coop.admin_token, f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "SHIPPING_HELD");
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_PAID);
  // The platform lifts the hold.
  auto cleared = OrderRequest(w, "H-1", 1, ORDER_STATE_PAID, 1'780'000'100);
  EXPECT_FALSE(Upsert(w, cleared).order().shipping_held());
  s = TryShip(w.coop.admin_token, f, "UPS");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"shipment.carrier_code"});
  const ov1::Shipment shipment = Ship(w.coop.admin_token, f, "YTO");
  EXPECT_EQ(shipment.fulfilment_id(), f);
  EXPECT_EQ(shipment.cooperative_id(), w.coop.cooperative.id());
  EXPECT_EQ(shipment.state(), ov1::SHIPMENT_STATE_IN_TRANSIT);
  EXPECT_EQ(shipment.carrier_code(), "YTO");
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_SHIPPED);
  const auto after = FulfilmentsOf(w.coop.admin_token, order.id());
  EXPECT_EQ(after[0].state(), ov1::FULFILMENT_STATE_SHIPPED);
  EXPECT_EQ(after[0].shipment_id(), shipment.id());
  // A second shipment of the same fulfilment.
  s = TryShip(w.coop.admin_token, f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(LifecycleTest, ANotPackedFulfilmentIsNotShipped) {
  SellingWorld w = NewSellingWorld(5);
  const auto order = Upsert(w, OrderRequest(w, "NP-1", 1, ORDER_STATE_PAID)).order();
  const std::string f = FulfilmentsOf(w.coop.admin_token, order.id())[0].id();
  grpc::Status s = TryShip(w.coop.admin_token, f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "NOT_PACKED");
  // The partner does not pack or ship.
  s = TryPack(w.partner.token, f);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(LifecycleTest, DeliveryIsIdempotentAndItsTimeIsChecked) {
  SellingWorld w = NewSellingWorld(5);
  ov1::Shipment shipment;
  const auto order = ShippedOrder(w, "D-1", 1, &shipment);
  ASSERT_EQ(order.state(), ORDER_STATE_SHIPPED);
  const absl::Time shipped = absl::FromUnixSeconds(shipment.ship_time().seconds());
  clock_->Advance(absl::Hours(30));
  grpc::Status s = TryDeliver(w.coop.admin_token, shipment.id(), clock_->Now() + absl::Hours(1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"delivery_time"});
  s = TryDeliver(w.coop.admin_token, shipment.id(), shipped - absl::Minutes(1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"delivery_time"});
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_SHIPPED);
  ov1::Shipment delivered;
  const absl::Time at = shipped + absl::Hours(20);
  s = TryDeliver(w.partner.token, shipment.id(), at, &delivered);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(delivered.state(), ov1::SHIPMENT_STATE_DELIVERED);
  EXPECT_EQ(delivered.delivery_time().seconds(), absl::ToUnixSeconds(at));
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_DELIVERED);
  EXPECT_EQ(FulfilmentsOf(w.coop.admin_token, order.id())[0].state(),
            ov1::FULFILMENT_STATE_DELIVERED);
  // Confirmed again (another request, another time): unchanged.
  ov1::Shipment again;
  s = TryDeliver(w.coop.admin_token, shipment.id(), std::nullopt, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.SerializeAsString(), delivered.SerializeAsString());
  // Another cooperative does not see the shipment.
  SellingWorld other = NewSellingWorld(1);
  s = TryDeliver(other.coop.admin_token, shipment.id(), std::nullopt);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(LifecycleTest, CompleteOrderSettlesOncePerCooperative) {
  SellingWorld w = NewSellingWorld(5);
  ov1::Shipment shipment;
  const auto order = ShippedOrder(w, "CO-1", 3, &shipment);
  // Only the order's partner (or a platform admin) completes.
  grpc::Status s = TryComplete(w.coop.admin_token, order.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  SellingWorld other = NewSellingWorld(1);
  s = TryComplete(other.partner.token, order.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // The rates are membership's at settlement time.
  mv1::UpdateCooperativeRequest fee;
  fee.set_request_id(NewRequestId());
  fee.mutable_cooperative()->set_id(w.coop.cooperative.id());
  fee.mutable_cooperative()->set_service_fee_bps(450);
  fee.mutable_update_mask()->add_paths("service_fee_bps");
  mv1::Cooperative coop;
  ASSERT_TRUE(members().UpdateCooperative(Ctx(admin()).get(), fee, &coop).ok());
  mv1::UpdatePartnerRequest commission;
  commission.set_request_id(NewRequestId());
  commission.mutable_partner()->set_id(w.partner.partner.id());
  commission.mutable_partner()->set_commission_rate_bps(777);
  commission.mutable_update_mask()->add_paths("commission_rate_bps");
  mv1::Partner partner;
  ASSERT_TRUE(members().UpdatePartner(Ctx(admin()).get(), commission, &partner).ok());
  const ov1::Order done = Complete(w.partner.token, order.id());  // SHIPPED -> COMPLETED
  EXPECT_EQ(done.state(), ORDER_STATE_COMPLETED);
  ExpectSettled(done, {{w.coop.cooperative.id(), 3 * w.product.price().fen()}}, 777, 450);
  // COMPLETED is final.
  s = TryComplete(w.partner.token, order.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  s = TryCancel(w.partner.token, order.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  EXPECT_EQ(SettlementsOf(order.id()).size(), 1u);
}

TEST_F(LifecycleTest, ConcurrentCompletionsSettleOnce) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = ShippedOrder(w, "CC-1", 2);
  std::atomic<int> completed{0}, refused{0};
  RunConcurrently(8, [&](int i) {
    grpc::Status s;
    if (i % 2 == 0) {
      s = TryComplete(w.partner.token, order.id());
    } else {
      auto req = OrderRequest(w, "CC-1", 2, ORDER_STATE_COMPLETED, 1'780'000'100 + i);
      req.mutable_order()->set_partner_status(absl::StrCat("TRADE_FINISHED_", i));
      ov1::UpsertPartnerOrderResponse resp;
      s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), req, &resp);
    }
    if (s.ok()) {
      ++completed;
    } else if (ErrorReason(s) == "INVALID_STATE_TRANSITION") {
      ++refused;
    } else {
      ADD_FAILURE() << s.error_message() << " [" << ErrorReason(s) << "]";
    }
  });
  EXPECT_GE(completed.load(), 1);  // CompleteOrder once; every push is recorded
  EXPECT_EQ(completed.load() + refused.load(), 8);
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_COMPLETED);
  ExpectSettled(GetOrder(w.partner.token, order.id()),
                {{w.coop.cooperative.id(), 2 * w.product.price().fen()}});
}

TEST_F(LifecycleTest, APlatformPushOfCompletedCompletesAndSettles) {
  SellingWorld w = NewSellingWorld(5);
  const auto order = ShippedOrder(w, "PC-1", 2);
  auto resp = Push(w, "PC-1", 2, ORDER_STATE_COMPLETED, 1'780'000'500, "TRADE_FINISHED");
  EXPECT_EQ(resp.order().state(), ORDER_STATE_COMPLETED);
  EXPECT_EQ(resp.order().partner_status(), "TRADE_FINISHED");
  ExpectSettled(resp.order(), {{w.coop.cooperative.id(), 2 * w.product.price().fen()}});
  // Pushed again later: nothing more is settled.
  Push(w, "PC-1", 2, ORDER_STATE_COMPLETED, 1'780'000'600, "TRADE_FINISHED_2");
  EXPECT_EQ(SettlementsOf(order.id()).size(), 1u);
  ExpectSettled(resp.order(), {{w.coop.cooperative.id(), 2 * w.product.price().fen()}});
}

TEST_F(LifecycleTest, DeliveredOrdersCompleteByThemselvesAfterTheReturnWindowOnly) {
  SellingWorld w = NewSellingWorld(5);
  ov1::Shipment shipment;
  const auto order = ShippedOrder(w, "AC-1", 1, &shipment);
  Deliver(w.coop.admin_token, shipment.id());
  ASSERT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_DELIVERED);
  const auto window = orders_domain().settings().completion.return_window;
  clock_->Advance(window - absl::Minutes(1));
  ASSERT_TRUE(orders_domain().CompleteDueOrders(100).ok());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_DELIVERED);
  EXPECT_TRUE(SettlementsOf(order.id()).empty());
  clock_->Advance(absl::Minutes(2));
  auto completed = orders_domain().CompleteDueOrders(100);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_GE(*completed, 1);
  const ov1::Order done = GetOrder(w.partner.token, order.id());
  EXPECT_EQ(done.state(), ORDER_STATE_COMPLETED);
  ExpectSettled(done, {{w.coop.cooperative.id(), w.product.price().fen()}});
  // The job again: nothing left for this order.
  ASSERT_TRUE(orders_domain().CompleteDueOrders(100).ok());
  EXPECT_EQ(SettlementsOf(order.id()).size(), 1u);
}

TEST_F(LifecycleTest, TwoCooperativesEachHandleOnlyTheirOwnFulfilment) {
  SellingWorld w = NewSellingWorld(10);
  SecondCoop b = AddCoop(w, 10);
  auto req = OrderRequest(w, "TWO-1", 2, ORDER_STATE_PAID);
  ov1::OrderLine* l2 = req.mutable_order()->add_lines();
  l2->set_external_line_id("L2");
  l2->set_product_id(b.product.id());
  l2->set_quantity(3);
  l2->mutable_unit_price()->set_fen(b.product.price().fen());
  l2->mutable_line_total()->set_fen(3 * b.product.price().fen() - 50);  // a discount
  const auto order = Upsert(w, req).order();
  ASSERT_EQ(order.state(), ORDER_STATE_PAID);
  ASSERT_EQ(order.stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(StockOf(b.product.id()).on_hand(), 7);
  // Each cooperative lists its own; the partner both.
  const auto mine = FulfilmentsOf(w.coop.admin_token, order.id());
  const auto theirs = FulfilmentsOf(b.coop.admin_token, order.id());
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(mine[0].cooperative_id(), w.coop.cooperative.id());
  EXPECT_EQ(theirs[0].cooperative_id(), b.coop.cooperative.id());
  ASSERT_EQ(mine[0].lines_size(), 1);
  EXPECT_EQ(mine[0].lines(0).external_line_id(), "L1");
  ASSERT_EQ(theirs[0].lines_size(), 1);
  EXPECT_EQ(theirs[0].lines(0).external_line_id(), "L2");
  EXPECT_EQ(FulfilmentsOf(w.partner.token, order.id()).size(), 2u);
  const auto assigned = FulfilmentsOf(AssignedWorkerToken(b.coop.cooperative.id()), order.id());
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].id(), theirs[0].id());
  EXPECT_TRUE(FulfilmentsOf(UnassignedWorkerToken(), order.id()).empty());
  EXPECT_TRUE(FulfilmentsOf(NewPartner().token, order.id()).empty());
  // Filtering on the other cooperative lists nothing.
  ov1::ListFulfilmentsRequest list;
  list.set_cooperative_id(b.coop.cooperative.id());
  ov1::ListFulfilmentsResponse resp;
  ASSERT_TRUE(orders().ListFulfilments(Ctx(w.coop.admin_token).get(), list, &resp).ok());
  EXPECT_EQ(resp.fulfilments_size(), 0);
  // The other cooperative's fulfilment is NOT_FOUND to pack or ship.
  grpc::Status s = TryPack(w.coop.admin_token, theirs[0].id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = TryShip(w.coop.admin_token, theirs[0].id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // Neither cooperative may cancel an order that is not all its own.
  s = TryCancel(w.coop.admin_token, order.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Pack(w.coop.admin_token, mine[0].id());
  const ov1::Shipment first = Ship(w.coop.admin_token, mine[0].id());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_PARTIALLY_SHIPPED);
  // Partly shipped: no cancellation, no completion.
  s = TryCancel(w.partner.token, order.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  s = TryComplete(w.partner.token, order.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  Pack(b.coop.admin_token, theirs[0].id());
  const ov1::Shipment second = Ship(b.coop.admin_token, theirs[0].id());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_SHIPPED);
  // Delivery of one shipment leaves the order SHIPPED; of both, DELIVERED.
  clock_->Advance(absl::Hours(1));
  Deliver(w.coop.admin_token, first.id());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_SHIPPED);
  s = TryDeliver(w.coop.admin_token, second.id(), std::nullopt);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  Deliver(b.coop.admin_token, second.id());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_DELIVERED);
  const ov1::Order done = Complete(w.partner.token, order.id());
  ExpectSettled(done, {{w.coop.cooperative.id(), 2 * w.product.price().fen()},
                       {b.coop.cooperative.id(), 3 * b.product.price().fen() - 50}});
}

TEST_F(LifecycleTest, CancelAfterPaymentReturnsTheGoodsAndCancelsTheFulfilments) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "X-1", 4, ORDER_STATE_PAID)).order();
  ASSERT_EQ(StockOf(w.product.id()).on_hand(), 6);
  // A social worker reads but does not cancel; another cooperative does not see it.
  grpc::Status s = TryCancel(AssignedWorkerToken(w.coop.cooperative.id()), order.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  SellingWorld other = NewSellingWorld(1);
  s = TryCancel(other.coop.admin_token, order.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // The cooperative owns every line: it may cancel.
  ov1::Order cancelled;
  s = TryCancel(w.coop.admin_token, order.id(), &cancelled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cancelled.state(), ORDER_STATE_CANCELLED);
  EXPECT_EQ(cancelled.cancel_reason(), "买家申请取消");
  EXPECT_EQ(cancelled.stock_status(), ov1::ORDER_STOCK_STATUS_RELEASED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 10);  // back to the initial stock
  EXPECT_EQ(stock.reserved(), 0);
  for (const auto& f : FulfilmentsOf(w.coop.admin_token, order.id())) {
    EXPECT_EQ(f.state(), ov1::FULFILMENT_STATE_CANCELLED);
  }
  // The stock job finds nothing more to do, and returns nothing twice.
  clock_->Advance(absl::Minutes(1));
  ASSERT_TRUE(orders_domain().RecoverStock(100).ok());
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 10);
  // Cancelled is final; packing a cancelled fulfilment is refused.
  s = TryCancel(w.partner.token, order.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  s = TryComplete(w.partner.token, order.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  s = TryPack(w.coop.admin_token, FulfilmentsOf(w.coop.admin_token, order.id())[0].id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
}

TEST_F(LifecycleTest, CancelBeforePaymentReleasesTheHold) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "XU-1", 3, ORDER_STATE_PENDING_PAYMENT)).order();
  ASSERT_EQ(StockOf(w.product.id()).reserved(), 3);
  ov1::Order cancelled;
  grpc::Status s = TryCancel(w.partner.token, order.id(), &cancelled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cancelled.state(), ORDER_STATE_CANCELLED);
  EXPECT_EQ(cancelled.stock_status(), ov1::ORDER_STOCK_STATUS_RELEASED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.on_hand(), 10);
  EXPECT_TRUE(FulfilmentsOf(w.coop.admin_token, order.id()).empty());
  // Paid later on the platform: the cancelled order stays cancelled.
  auto paid = Push(w, "XU-1", 3, ORDER_STATE_PAID, 1'780'000'100, "WAIT_SELLER_SEND_GOODS");
  EXPECT_EQ(paid.order().state(), ORDER_STATE_CANCELLED);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 10);
}

TEST_F(LifecycleTest, IllegalTransitionsAreRefused) {
  SellingWorld w = NewSellingWorld(10);
  // PENDING_PAYMENT: not completed, not packed.
  const auto unpaid = Upsert(w, OrderRequest(w, "I-1", 1, ORDER_STATE_PENDING_PAYMENT)).order();
  grpc::Status s = TryComplete(w.partner.token, unpaid.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  EXPECT_TRUE(FulfilmentsOf(w.coop.admin_token, unpaid.id()).empty());
  // PAID: not completed before shipment.
  const auto paid = Upsert(w, OrderRequest(w, "I-2", 1, ORDER_STATE_PAID)).order();
  s = TryComplete(w.partner.token, paid.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  EXPECT_EQ(GetOrder(w.partner.token, paid.id()).state(), ORDER_STATE_PAID);
  // SHIPPED: not cancelled.
  const auto shipped = ShippedOrder(w, "I-3", 1);
  s = TryCancel(w.partner.token, shipped.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  s = TryCancel(admin(), shipped.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  EXPECT_EQ(GetOrder(w.partner.token, shipped.id()).state(), ORDER_STATE_SHIPPED);
  // An earlier state pushed later does not move it back.
  auto back = Push(w, "I-3", 1, ORDER_STATE_PAID, 1'780'000'900, "WAIT_SELLER_SEND_GOODS");
  EXPECT_EQ(back.order().state(), ORDER_STATE_SHIPPED);
}

TEST_F(LifecycleTest, ThePlatformReportsDeliveryAndAClosedTradeAfterShipment) {
  SellingWorld w = NewSellingWorld(10);
  ov1::Shipment shipment;
  const auto order = ShippedOrder(w, "PF-1", 2, &shipment);
  clock_->Advance(absl::Hours(2));
  auto delivered = Push(w, "PF-1", 2, ORDER_STATE_DELIVERED, 1'780'000'300, "TRADE_BUYER_SIGNED");
  EXPECT_EQ(delivered.order().state(), ORDER_STATE_DELIVERED);
  EXPECT_EQ(FulfilmentsOf(w.coop.admin_token, order.id())[0].state(),
            ov1::FULFILMENT_STATE_DELIVERED);
  // The shipment is delivered, at a time neither before its shipping nor in the future.
  ov1::Shipment again;
  ASSERT_TRUE(TryDeliver(w.coop.admin_token, shipment.id(), std::nullopt, &again).ok());
  EXPECT_EQ(again.state(), ov1::SHIPMENT_STATE_DELIVERED);
  EXPECT_GE(again.delivery_time().seconds(), shipment.ship_time().seconds());
  EXPECT_LE(again.delivery_time().seconds(), absl::ToUnixSeconds(clock_->Now()));
  // The trade closed on the platform after shipment: the order keeps its state and gets one
  // completed after-sale refunding everything.
  auto closed = Push(w, "PF-1", 2, ORDER_STATE_CANCELLED, 1'780'000'400, "TRADE_CLOSED");
  EXPECT_EQ(closed.order().state(), ORDER_STATE_DELIVERED);
  EXPECT_EQ(closed.order().partner_status(), "TRADE_CLOSED");
  ov1::ListAfterSalesRequest list;
  list.set_order_id(order.id());
  ov1::ListAfterSalesResponse after_sales;
  ASSERT_TRUE(orders().ListAfterSales(Ctx(w.partner.token).get(), list, &after_sales).ok());
  ASSERT_EQ(after_sales.after_sales_size(), 1);
  const ov1::AfterSale& a = after_sales.after_sales(0);
  EXPECT_EQ(a.state(), ov1::AFTER_SALE_STATE_COMPLETED);
  EXPECT_EQ(a.refund_total().fen(), 2 * w.product.price().fen());
  EXPECT_EQ(a.cooperative_id(), w.coop.cooperative.id());
  // Pushed again: no second refund.
  Push(w, "PF-1", 2, ORDER_STATE_CANCELLED, 1'780'000'450, "TRADE_CLOSED_BY_TAOBAO");
  ASSERT_TRUE(orders().ListAfterSales(Ctx(w.partner.token).get(), list, &after_sales).ok());
  EXPECT_EQ(after_sales.after_sales_size(), 1);
  // Completed later, nothing is left to settle: a settlement of 0.
  const ov1::Order done = Complete(w.partner.token, order.id());
  EXPECT_EQ(done.state(), ORDER_STATE_COMPLETED);
  ExpectSettled(done, {{w.coop.cooperative.id(), 0}});
}

TEST_F(LifecycleTest, EveryMutatingCallReplaysItsReplyAndRefusesAReusedRequestId) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "R-1", 1, ORDER_STATE_PAID)).order();
  const auto other = Upsert(w, OrderRequest(w, "R-2", 1, ORDER_STATE_PAID)).order();
  const std::string f = FulfilmentsOf(w.coop.admin_token, order.id())[0].id();
  const std::string f2 = FulfilmentsOf(w.coop.admin_token, other.id())[0].id();
  const std::string& coop = w.coop.admin_token;
  auto expect_reused = [](const grpc::Status& s) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  };
  // MarkFulfilmentPacked.
  ov1::MarkFulfilmentPackedRequest pack;
  pack.set_request_id(NewRequestId());
  pack.set_fulfilment_id(f);
  ov1::Fulfilment p1, p2;
  ASSERT_TRUE(orders().MarkFulfilmentPacked(Ctx(coop).get(), pack, &p1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(orders().MarkFulfilmentPacked(Ctx(coop).get(), pack, &p2).ok());
  EXPECT_EQ(p1.SerializeAsString(), p2.SerializeAsString());
  pack.set_fulfilment_id(f2);
  expect_reused(orders().MarkFulfilmentPacked(Ctx(coop).get(), pack, &p2));
  EXPECT_EQ(FulfilmentsOf(coop, other.id())[0].state(), ov1::FULFILMENT_STATE_TO_PACK);
  // CreateShipment.
  ov1::CreateShipmentRequest ship;
  ship.set_request_id(NewRequestId());
  ship.mutable_shipment()->set_fulfilment_id(f);
  ship.mutable_shipment()->set_carrier_code("SF");
  ship.mutable_shipment()->set_tracking_number("SF1234567890");
  ov1::Shipment s1, s2;
  ASSERT_TRUE(orders().CreateShipment(Ctx(coop).get(), ship, &s1).ok());
  ASSERT_TRUE(orders().CreateShipment(Ctx(coop).get(), ship, &s2).ok());
  EXPECT_EQ(s1.SerializeAsString(), s2.SerializeAsString());
  ship.mutable_shipment()->set_tracking_number("SF0000000001");
  expect_reused(orders().CreateShipment(Ctx(coop).get(), ship, &s2));
  // ConfirmDelivery.
  clock_->Advance(absl::Hours(1));
  ov1::ConfirmDeliveryRequest deliver;
  deliver.set_request_id(NewRequestId());
  deliver.set_shipment_id(s1.id());
  ov1::Shipment d1, d2;
  ASSERT_TRUE(orders().ConfirmDelivery(Ctx(w.partner.token).get(), deliver, &d1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(orders().ConfirmDelivery(Ctx(w.partner.token).get(), deliver, &d2).ok());
  EXPECT_EQ(d1.SerializeAsString(), d2.SerializeAsString());
  deliver.mutable_delivery_time()->set_seconds(absl::ToUnixSeconds(clock_->Now()));
  expect_reused(orders().ConfirmDelivery(Ctx(w.partner.token).get(), deliver, &d2));
  // CompleteOrder.
  ov1::CompleteOrderRequest complete;
  complete.set_request_id(NewRequestId());
  complete.set_order_id(order.id());
  ov1::Order c1, c2;
  ASSERT_TRUE(orders().CompleteOrder(Ctx(w.partner.token).get(), complete, &c1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(orders().CompleteOrder(Ctx(w.partner.token).get(), complete, &c2).ok());
  EXPECT_EQ(c1.SerializeAsString(), c2.SerializeAsString());
  EXPECT_EQ(SettlementsOf(order.id()).size(), 1u);
  complete.set_order_id(other.id());
  expect_reused(orders().CompleteOrder(Ctx(w.partner.token).get(), complete, &c2));
  // CancelOrder (the reply includes the goods' return).
  ov1::CancelOrderRequest cancel;
  cancel.set_request_id(NewRequestId());
  cancel.set_order_id(other.id());
  cancel.set_reason("缺货");
  ov1::Order x1, x2;
  ASSERT_TRUE(orders().CancelOrder(Ctx(w.partner.token).get(), cancel, &x1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(orders().CancelOrder(Ctx(w.partner.token).get(), cancel, &x2).ok());
  EXPECT_EQ(x1.SerializeAsString(), x2.SerializeAsString());
  EXPECT_EQ(x1.stock_status(), ov1::ORDER_STOCK_STATUS_RELEASED);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 9);  // one returned once, one shipped
  cancel.set_reason("买家不要了");
  expect_reused(orders().CancelOrder(Ctx(w.partner.token).get(), cancel, &x2));
}

TEST_F(LifecycleTest, SettlementsAreReadInTheirScopeOnly) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = ShippedOrder(w, "SC-1", 2);
  Complete(w.partner.token, order.id());
  const auto settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 1u);
  const ov1::Settlement& s = settlements[0];
  ASSERT_EQ(s.payouts_size(), 1);
  EXPECT_EQ(s.payouts(0).household_id(), w.coop.household.id());
  ov1::GetSettlementRequest get;
  get.set_id(s.id());
  // In scope: the member of the paid household, the cooperative, the partner, an assigned worker.
  for (const std::string& token : {w.coop.member_token, w.coop.admin_token, w.partner.token,
                                   AssignedWorkerToken(w.coop.cooperative.id())}) {
    ov1::Settlement out;
    grpc::Status st = orders().GetSettlement(Ctx(token).get(), get, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(out.SerializeAsString(), s.SerializeAsString());
  }
  // Out of scope: another cooperative, its member, another partner.
  SellingWorld other = NewSellingWorld(1);
  for (const std::string& token :
       {other.coop.admin_token, other.coop.member_token, other.partner.token}) {
    ov1::Settlement out;
    grpc::Status st = orders().GetSettlement(Ctx(token).get(), get, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
    ov1::ListSettlementsRequest list;
    ov1::ListSettlementsResponse page;
    ASSERT_TRUE(orders().ListSettlements(Ctx(token).get(), list, &page).ok());
    for (const auto& listed : page.settlements()) EXPECT_NE(listed.id(), s.id());
    list.set_order_id(order.id());
    ASSERT_TRUE(orders().ListSettlements(Ctx(token).get(), list, &page).ok());
    EXPECT_EQ(page.settlements_size(), 0);
  }
  // Listed for the member and the partner.
  for (const std::string& token : {w.coop.member_token, w.partner.token}) {
    ov1::ListSettlementsRequest list;
    ov1::ListSettlementsResponse page;
    ASSERT_TRUE(orders().ListSettlements(Ctx(token).get(), list, &page).ok());
    ASSERT_EQ(page.settlements_size(), 1);
    EXPECT_EQ(page.settlements(0).id(), s.id());
  }
}

}  // namespace
}  // namespace cooplink::testing
