// After-sales through real gRPC with membership, catalog and orders against the real MariaDB:
// opening one (which orders, which lines, the refund cap per line, the platform's id once),
// who decides (the partner's platform or the cooperative, never both), rejecting, closing,
// completing with the returned goods back in catalog stock, an open after-sale holding the order's
// completion, a refund after completion reversing part of the settlement (and a full refund netting
// it to zero), and replays of each mutating RPC.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/orders_fixture.h"

namespace cooplink::testing {
namespace {

using ov1::AFTER_SALE_KIND_REFUND_ONLY;
using ov1::AFTER_SALE_KIND_RETURN_AND_REFUND;
using ov1::ORDER_STATE_COMPLETED;
using ov1::ORDER_STATE_PAID;
using ov1::ORDER_STATE_PENDING_PAYMENT;

struct Refund {
  std::string line;
  int64_t quantity;
  int64_t fen;
};

class AfterSalesTest : public OrdersFixture {
 protected:
  ov1::CreateAfterSaleRequest AfterSaleRequest(const std::string& order_id, ov1::AfterSaleKind kind,
                                               const std::vector<Refund>& lines,
                                               const std::string& external = "") {
    ov1::CreateAfterSaleRequest req;
    req.set_request_id(NewRequestId());
    ov1::AfterSale* a = req.mutable_after_sale();
    a->set_order_id(order_id);
    a->set_kind(kind);
    a->set_reason("茶饼受潮");
    a->set_external_after_sale_id(external);
    for (const Refund& r : lines) {
      ov1::AfterSaleLine* l = a->add_lines();
      l->set_external_line_id(r.line);
      l->set_quantity(r.quantity);
      l->mutable_refund()->set_fen(r.fen);
    }
    return req;
  }
  grpc::Status TryCreate(const std::string& token, const ov1::CreateAfterSaleRequest& req,
                         ov1::AfterSale* out = nullptr) {
    ov1::AfterSale ignored;
    return orders().CreateAfterSale(Ctx(token).get(), req, out ? out : &ignored);
  }
  ov1::AfterSale Create(const std::string& token, const ov1::CreateAfterSaleRequest& req) {
    ov1::AfterSale out;
    grpc::Status s = TryCreate(token, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    return out;
  }
  grpc::Status TryApprove(const std::string& token, const std::string& id,
                          ov1::AfterSale* out = nullptr) {
    ov1::ApproveAfterSaleRequest req;
    req.set_request_id(NewRequestId());
    req.set_after_sale_id(id);
    ov1::AfterSale ignored;
    return orders().ApproveAfterSale(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status TryReject(const std::string& token, const std::string& id,
                         ov1::AfterSale* out = nullptr) {
    ov1::RejectAfterSaleRequest req;
    req.set_request_id(NewRequestId());
    req.set_after_sale_id(id);
    req.set_reason("照片显示包装完好");
    ov1::AfterSale ignored;
    return orders().RejectAfterSale(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status TryComplete(const std::string& token, const std::string& id, bool restock = false,
                           ov1::AfterSale* out = nullptr) {
    ov1::CompleteAfterSaleRequest req;
    req.set_request_id(NewRequestId());
    req.set_after_sale_id(id);
    req.set_restock(restock);
    ov1::AfterSale ignored;
    return orders().CompleteAfterSale(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status TryClose(const std::string& token, const std::string& id,
                        ov1::AfterSale* out = nullptr) {
    ov1::CloseAfterSaleRequest req;
    req.set_request_id(NewRequestId());
    req.set_after_sale_id(id);
    req.set_reason("买家撤销申请");
    ov1::AfterSale ignored;
    return orders().CloseAfterSale(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status TryCompleteOrder(const std::string& token, const std::string& order_id) {
    ov1::CompleteOrderRequest req;
    req.set_request_id(NewRequestId());
    req.set_order_id(order_id);
    ov1::Order out;
    return orders().CompleteOrder(Ctx(token).get(), req, &out);
  }
  // Approved and completed by the cooperative (the fixture's partners leave the decision to it).
  ov1::AfterSale Refunded(const SellingWorld& w, const ov1::CreateAfterSaleRequest& req) {
    const ov1::AfterSale a = Create(w.partner.token, req);
    EXPECT_TRUE(TryApprove(w.coop.admin_token, a.id()).ok());
    ov1::AfterSale done;
    grpc::Status s = TryComplete(w.coop.admin_token, a.id(), false, &done);
    EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    return done;
  }
  static void ExpectFailed(const grpc::Status& s, const std::string& reason) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_EQ(ErrorReason(s), reason) << s.error_message();
  }
};

TEST_F(AfterSalesTest, AnAfterSaleNeedsAPaidOrderAndLinesOfOneCooperative) {
  SellingWorld w = NewSellingWorld(10);
  const auto unpaid = Upsert(w, OrderRequest(w, "U-1", 1, ORDER_STATE_PENDING_PAYMENT)).order();
  ExpectFailed(TryCreate(w.partner.token, AfterSaleRequest(unpaid.id(), AFTER_SALE_KIND_REFUND_ONLY,
                                                           {{"L1", 0, 1}})),
               "INVALID_STATE_TRANSITION");
  // A cancelled order.
  const auto cancelled = Upsert(w, OrderRequest(w, "U-2", 1, ORDER_STATE_PAID)).order();
  ov1::CancelOrderRequest cancel;
  cancel.set_request_id(NewRequestId());
  cancel.set_order_id(cancelled.id());
  cancel.set_reason("缺货");
  ov1::Order out;
  ASSERT_TRUE(orders().CancelOrder(Ctx(w.partner.token).get(), cancel, &out).ok());
  ExpectFailed(
      TryCreate(w.partner.token,
                AfterSaleRequest(cancelled.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 1}})),
      "INVALID_STATE_TRANSITION");
  // An order with lines of two cooperatives.
  CoopWorld b = NewCoop();
  const cv1::Product bp = ActiveProduct(b, 5);
  OfferTo(bp, w.partner, b.admin_token);
  AwaitListed(w.partner, bp.id());
  auto req = OrderRequest(w, "U-3", 2, ORDER_STATE_PAID);
  ov1::OrderLine* l2 = req.mutable_order()->add_lines();
  l2->set_external_line_id("L2");
  l2->set_product_id(bp.id());
  l2->set_quantity(1);
  l2->mutable_unit_price()->set_fen(bp.price().fen());
  l2->mutable_line_total()->set_fen(bp.price().fen());
  const auto paid = Upsert(w, req).order();
  grpc::Status s = TryCreate(
      w.partner.token,
      AfterSaleRequest(paid.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}, {"L2", 0, 100}}));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"after_sale.lines[1].external_line_id"});
  // Refund only with a quantity; a return of more than the line; a line not in the order.
  s = TryCreate(w.partner.token,
                AfterSaleRequest(paid.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 1, 100}}));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"after_sale.lines[0].quantity"});
  s = TryCreate(w.partner.token,
                AfterSaleRequest(paid.id(), AFTER_SALE_KIND_RETURN_AND_REFUND, {{"L1", 3, 100}}));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = TryCreate(w.partner.token,
                AfterSaleRequest(paid.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L7", 0, 100}}));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // One cooperative's admin opens after-sales for its own lines only; the other does not see L1's.
  s = TryCreate(b.admin_token,
                AfterSaleRequest(paid.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const ov1::AfterSale mine =
      Create(w.coop.admin_token,
             AfterSaleRequest(paid.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  EXPECT_EQ(mine.state(), ov1::AFTER_SALE_STATE_REQUESTED);
  EXPECT_EQ(mine.cooperative_id(), w.coop.cooperative.id());
  EXPECT_EQ(mine.partner_id(), w.partner.partner.id());
  EXPECT_EQ(mine.refund_total().fen(), 100);
  const ov1::AfterSale theirs =
      Create(b.admin_token,
             AfterSaleRequest(paid.id(), AFTER_SALE_KIND_RETURN_AND_REFUND, {{"L2", 1, 100}}));
  ov1::ListAfterSalesRequest list;
  list.set_order_id(paid.id());
  ov1::ListAfterSalesResponse page;
  ASSERT_TRUE(orders().ListAfterSales(Ctx(b.admin_token).get(), list, &page).ok());
  ASSERT_EQ(page.after_sales_size(), 1);
  EXPECT_EQ(page.after_sales(0).id(), theirs.id());
  ASSERT_TRUE(orders().ListAfterSales(Ctx(w.partner.token).get(), list, &page).ok());
  EXPECT_EQ(page.after_sales_size(), 2);
  // Another cooperative's after-sale is not found to decide.
  EXPECT_EQ(TryApprove(b.admin_token, mine.id()).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(TryApprove(w.coop.admin_token, theirs.id()).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AfterSalesTest, RefundsOfALineNeverExceedItsTotal) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "CAP-1", 2, ORDER_STATE_PAID)).order();
  const int64_t total = order.lines(0).line_total().fen();
  ASSERT_EQ(total, 2 * w.product.price().fen());
  // Above the line total.
  grpc::Status s =
      TryCreate(w.partner.token,
                AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, total + 1}}));
  ExpectFailed(s, "REFUND_EXCEEDS_PAID");
  EXPECT_EQ(ErrorMetadata(s)["refundable_fen"], absl::StrCat(total));
  EXPECT_EQ(ErrorMetadata(s)["external_line_id"], "L1");
  // Below it, then one fen above what is left, then exactly what is left.
  const ov1::AfterSale first = Create(
      w.partner.token,
      AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, total - 100}}, "TB-1"));
  s = TryCreate(w.partner.token,
                AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 101}}));
  ExpectFailed(s, "REFUND_EXCEEDS_PAID");
  EXPECT_EQ(ErrorMetadata(s)["refundable_fen"], "100");
  const ov1::AfterSale second = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  s = TryCreate(w.partner.token,
                AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 1}}));
  ExpectFailed(s, "REFUND_EXCEEDS_PAID");
  // A rejected or closed after-sale no longer counts.
  ASSERT_TRUE(TryReject(w.coop.admin_token, second.id()).ok());
  Create(w.partner.token,
         AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 60}}));
  ASSERT_TRUE(TryClose(w.partner.token, first.id()).ok());
  Create(w.partner.token,
         AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, total - 60}}));
  // The platform's id is recorded once per order.
  s = TryCreate(w.partner.token,
                AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 1}}, "TB-1"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReason(s), "ALREADY_EXISTS");
  // A refund of 0 is INVALID_ARGUMENT.
  s = TryCreate(w.partner.token,
                AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 0}}));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AfterSalesTest, ConcurrentRequestsNeverRefundMoreThanTheLine) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "CC-1", 2, ORDER_STATE_PAID)).order();
  const int64_t total = order.lines(0).line_total().fen();
  ASSERT_EQ(total % 4, 0);
  std::atomic<int> created{0}, refused{0};
  RunConcurrently(8, [&](int) {
    grpc::Status s = TryCreate(
        w.partner.token,
        AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, total / 4}}));
    if (s.ok()) {
      ++created;
    } else if (ErrorReason(s) == "REFUND_EXCEEDS_PAID") {
      ++refused;
    } else {
      ADD_FAILURE() << s.error_message() << " [" << ErrorReason(s) << "]";
    }
  });
  EXPECT_EQ(created.load(), 4);
  EXPECT_EQ(refused.load(), 4);
}

TEST_F(AfterSalesTest, APlatformDecidesItsPartnersRefunds) {
  SellingWorld w = NewSellingWorld(10, common::v1::PLATFORM_TAOBAO);
  const auto order = Upsert(w, OrderRequest(w, "TB-1", 2, ORDER_STATE_PAID)).order();
  const ov1::AfterSale a =
      Create(w.coop.admin_token,
             AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 500}}));
  ExpectFailed(TryApprove(w.coop.admin_token, a.id()), "REFUND_DECIDED_BY_PLATFORM");
  ExpectFailed(TryReject(w.coop.admin_token, a.id()), "REFUND_DECIDED_BY_PLATFORM");
  ExpectFailed(TryClose(w.coop.admin_token, a.id()), "REFUND_DECIDED_BY_PLATFORM");
  ov1::AfterSale approved;
  ASSERT_TRUE(TryApprove(w.partner.token, a.id(), &approved).ok());
  EXPECT_EQ(approved.state(), ov1::AFTER_SALE_STATE_APPROVED);
  EXPECT_FALSE(approved.decided_by().empty());
  ExpectFailed(TryComplete(w.coop.admin_token, a.id()), "REFUND_DECIDED_BY_PLATFORM");
  ov1::AfterSale done;
  ASSERT_TRUE(TryComplete(w.partner.token, a.id(), false, &done).ok());
  EXPECT_EQ(done.state(), ov1::AFTER_SALE_STATE_COMPLETED);
}

TEST_F(AfterSalesTest, ACooperativeDecidesForAPartnerWithoutAPlatform) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "CD-1", 2, ORDER_STATE_PAID)).order();
  const ov1::AfterSale a = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 500}}));
  ExpectFailed(TryApprove(w.partner.token, a.id()), "REFUND_DECIDED_BY_COOPERATIVE");
  ExpectFailed(TryReject(w.partner.token, a.id()), "REFUND_DECIDED_BY_COOPERATIVE");
  ov1::AfterSale approved;
  ASSERT_TRUE(TryApprove(w.coop.admin_token, a.id(), &approved).ok());
  EXPECT_EQ(approved.state(), ov1::AFTER_SALE_STATE_APPROVED);
  // Approved is not rejected any more; a social worker decides nothing.
  ExpectFailed(TryReject(w.coop.admin_token, a.id()), "INVALID_STATE_TRANSITION");
  EXPECT_EQ(TryApprove(AssignedWorkerToken(w.coop.cooperative.id()), a.id()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Another one, rejected with its reason.
  const ov1::AfterSale b = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 300}}));
  ov1::AfterSale rejected;
  ASSERT_TRUE(TryReject(w.coop.admin_token, b.id(), &rejected).ok());
  EXPECT_EQ(rejected.state(), ov1::AFTER_SALE_STATE_REJECTED);
  EXPECT_EQ(rejected.reject_reason(), "照片显示包装完好");
  EXPECT_FALSE(rejected.decided_by().empty());
  ExpectFailed(TryApprove(w.coop.admin_token, b.id()), "INVALID_STATE_TRANSITION");
  ExpectFailed(TryComplete(w.coop.admin_token, b.id()), "INVALID_STATE_TRANSITION");
  // Complete (the refund paid) is reported by either side.
  ov1::AfterSale done;
  ASSERT_TRUE(TryComplete(w.partner.token, a.id(), false, &done).ok());
  EXPECT_EQ(done.state(), ov1::AFTER_SALE_STATE_COMPLETED);
  EXPECT_FALSE(done.restocked());
}

TEST_F(AfterSalesTest, ClosingWithdrawsARequestedOrApprovedAfterSaleOnce) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "CL-1", 2, ORDER_STATE_PAID)).order();
  const ov1::AfterSale requested = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  ov1::AfterSale closed;
  ASSERT_TRUE(TryClose(w.partner.token, requested.id(), &closed).ok());
  EXPECT_EQ(closed.state(), ov1::AFTER_SALE_STATE_CLOSED);
  EXPECT_EQ(closed.close_reason(), "买家撤销申请");
  // Closed again (another request): unchanged.
  ov1::AfterSale again;
  clock_->Advance(absl::Seconds(10));
  ASSERT_TRUE(TryClose(w.coop.admin_token, requested.id(), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), closed.SerializeAsString());
  ExpectFailed(TryApprove(w.coop.admin_token, requested.id()), "INVALID_STATE_TRANSITION");
  // APPROVED -> CLOSED as well.
  const ov1::AfterSale approved = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  ASSERT_TRUE(TryApprove(w.coop.admin_token, approved.id()).ok());
  ASSERT_TRUE(TryClose(w.coop.admin_token, approved.id(), &closed).ok());
  EXPECT_EQ(closed.state(), ov1::AFTER_SALE_STATE_CLOSED);
  ExpectFailed(TryComplete(w.partner.token, approved.id()), "INVALID_STATE_TRANSITION");
  // A completed one is not closed.
  const ov1::AfterSale done =
      Refunded(w, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  ExpectFailed(TryClose(w.partner.token, done.id()), "INVALID_STATE_TRANSITION");
  // Only the completed one is listed as COMPLETED.
  ov1::ListAfterSalesRequest list;
  list.set_order_id(order.id());
  list.set_state(ov1::AFTER_SALE_STATE_COMPLETED);
  ov1::ListAfterSalesResponse page;
  ASSERT_TRUE(orders().ListAfterSales(Ctx(w.coop.admin_token).get(), list, &page).ok());
  ASSERT_EQ(page.after_sales_size(), 1);
  EXPECT_EQ(page.after_sales(0).id(), done.id());
}

TEST_F(AfterSalesTest, AnOpenAfterSaleHoldsCompletionAndCompletedRefundsLowerTheGross) {
  SellingWorld w = NewSellingWorld(10);
  ov1::Shipment shipment;
  const auto order = ShippedOrder(w, "OA-1", 3, &shipment);
  const int64_t total = 3 * w.product.price().fen();
  const ov1::AfterSale open = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 700}}));
  ExpectFailed(TryCompleteOrder(w.partner.token, order.id()), "OPEN_AFTER_SALES");
  ASSERT_TRUE(TryApprove(w.coop.admin_token, open.id()).ok());
  ExpectFailed(TryCompleteOrder(w.partner.token, order.id()), "OPEN_AFTER_SALES");
  // Pushed COMPLETED by the platform while it is open: the state stays.
  auto pushed = OrderRequest(w, "OA-1", 3, ORDER_STATE_COMPLETED, 1'780'000'700);
  pushed.mutable_order()->set_partner_status("TRADE_FINISHED");
  EXPECT_EQ(Upsert(w, pushed).order().state(), ov1::ORDER_STATE_SHIPPED);
  EXPECT_TRUE(SettlementsOf(order.id()).empty());
  // Refunded before completion: the settlement's gross is what is left.
  ASSERT_TRUE(TryComplete(w.coop.admin_token, open.id()).ok());
  const ov1::Order done = Complete(w.partner.token, order.id());
  EXPECT_EQ(done.state(), ORDER_STATE_COMPLETED);
  const auto settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 1u);
  const ov1::Settlement& s = settlements[0];
  EXPECT_EQ(s.gross().fen(), total - 700);
  EXPECT_TRUE(s.reversed_settlement_id().empty());
  EXPECT_EQ(
      s.partner_commission().fen() + s.cooperative_service_fee().fen() + s.producer_total().fen(),
      total - 700);
  ASSERT_EQ(s.payouts_size(), 1);
  EXPECT_EQ(s.payouts(0).amount().fen(), s.producer_total().fen());
}

TEST_F(AfterSalesTest, AReturnCompletedWithRestockPutsTheUnitsBack) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = ShippedOrder(w, "RS-1", 3);
  ASSERT_EQ(StockOf(w.product.id()).on_hand(), 7);
  const int64_t price = w.product.price().fen();
  // A refund only is not restocked.
  const ov1::AfterSale refund = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  ASSERT_TRUE(TryApprove(w.coop.admin_token, refund.id()).ok());
  grpc::Status s = TryComplete(w.coop.admin_token, refund.id(), /*restock=*/true);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A return of 2 units, restocked.
  const ov1::AfterSale ret = Create(
      w.partner.token,
      AfterSaleRequest(order.id(), AFTER_SALE_KIND_RETURN_AND_REFUND, {{"L1", 2, 2 * price}}));
  ASSERT_TRUE(TryApprove(w.coop.admin_token, ret.id()).ok());
  ov1::AfterSale done;
  s = TryComplete(w.coop.admin_token, ret.id(), /*restock=*/true, &done);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(done.state(), ov1::AFTER_SALE_STATE_COMPLETED);
  EXPECT_TRUE(done.restocked());
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 9);
  // Read back, and the recovery job does not return the units twice.
  ov1::ListAfterSalesRequest list;
  list.set_order_id(order.id());
  ov1::ListAfterSalesResponse page;
  ASSERT_TRUE(orders().ListAfterSales(Ctx(w.partner.token).get(), list, &page).ok());
  bool found = false;
  for (const auto& a : page.after_sales()) {
    if (a.id() != ret.id()) continue;
    found = true;
    EXPECT_TRUE(a.restocked());
  }
  EXPECT_TRUE(found);
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(orders_domain().RecoverStock(100).ok());
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 9);
  // A return completed without restock leaves stock alone.
  const ov1::AfterSale kept =
      Create(w.partner.token,
             AfterSaleRequest(order.id(), AFTER_SALE_KIND_RETURN_AND_REFUND, {{"L1", 1, 50}}));
  ASSERT_TRUE(TryApprove(w.coop.admin_token, kept.id()).ok());
  ASSERT_TRUE(TryComplete(w.coop.admin_token, kept.id(), /*restock=*/false, &done).ok());
  EXPECT_FALSE(done.restocked());
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 9);
}

TEST_F(AfterSalesTest, ARestockLeftDueIsFinishedByTheRecoveryJobWithoutReturningTwice) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = ShippedOrder(w, "RJ-1", 4);
  const ov1::AfterSale ret =
      Create(w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_RETURN_AND_REFUND,
                                               {{"L1", 3, 3 * w.product.price().fen()}}));
  ASSERT_TRUE(TryApprove(w.coop.admin_token, ret.id()).ok());
  ASSERT_TRUE(TryComplete(w.coop.admin_token, ret.id(), true).ok());
  ASSERT_EQ(StockOf(w.product.id()).on_hand(), 9);
  // A crash after catalog took the units back but before it was recorded leaves the restock due
  // (restock_state 1): the job finishes it; catalog's request ids keep the return single.
  ASSERT_TRUE(orders_db()
                  .Transact([&](Tx& tx) {
                    tx.Execute("UPDATE after_sales SET restock_state = 1 WHERE id = ?", ret.id());
                    return absl::OkStatus();
                  })
                  .ok());
  ov1::ListAfterSalesRequest list;
  list.set_order_id(order.id());
  ov1::ListAfterSalesResponse page;
  ASSERT_TRUE(orders().ListAfterSales(Ctx(w.partner.token).get(), list, &page).ok());
  ASSERT_EQ(page.after_sales_size(), 1);
  EXPECT_FALSE(page.after_sales(0).restocked());
  ASSERT_TRUE(orders_domain().RecoverStock(100).ok());
  ASSERT_TRUE(orders().ListAfterSales(Ctx(w.partner.token).get(), list, &page).ok());
  EXPECT_TRUE(page.after_sales(0).restocked());
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 9);
}

TEST_F(AfterSalesTest, ARefundAfterCompletionWritesReversalsThatNetToZero) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = ShippedOrder(w, "RV-1", 3);
  const int64_t total = 3 * w.product.price().fen();
  Complete(w.partner.token, order.id());
  auto settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 1u);
  const ov1::Settlement original = settlements[0];
  ASSERT_EQ(original.gross().fen(), total);
  // A partial refund after completion.
  const int64_t part = 12345;
  const ov1::AfterSale first =
      Refunded(w, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, part}}));
  settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 2u);
  const ov1::Settlement& reversal = settlements[1];
  EXPECT_EQ(reversal.reversed_settlement_id(), original.id());
  EXPECT_EQ(reversal.after_sale_id(), first.id());
  EXPECT_EQ(reversal.cooperative_id(), original.cooperative_id());
  EXPECT_EQ(reversal.commission_rate_bps(), original.commission_rate_bps());
  EXPECT_EQ(reversal.service_fee_bps(), original.service_fee_bps());
  EXPECT_EQ(reversal.gross().fen(), -part);
  EXPECT_LE(reversal.partner_commission().fen(), 0);
  EXPECT_LE(reversal.cooperative_service_fee().fen(), 0);
  EXPECT_LE(reversal.producer_total().fen(), 0);
  EXPECT_EQ(reversal.partner_commission().fen() + reversal.cooperative_service_fee().fen() +
                reversal.producer_total().fen(),
            -part);
  int64_t payouts = 0;
  for (const auto& p : reversal.payouts()) payouts += p.amount().fen();
  EXPECT_EQ(payouts, reversal.producer_total().fen());
  // Its outbox message and event, once each.
  int messages = 0, events = 0;
  for (const auto& m : OutboxSettlements(order.id())) {
    if (m.id() != reversal.id()) continue;
    ++messages;
    EXPECT_EQ(m.SerializeAsString(), reversal.SerializeAsString());
  }
  for (const auto& e : OutboxEvents(order.id())) {
    if (e.kind() == ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED &&
        e.settlement().id() == reversal.id()) {
      ++events;
    }
  }
  EXPECT_EQ(messages, 1);
  EXPECT_EQ(events, 1);
  // The rest refunded (a return, restocked): every part of the order's settlements nets to zero.
  const ov1::AfterSale rest = Create(
      w.partner.token,
      AfterSaleRequest(order.id(), AFTER_SALE_KIND_RETURN_AND_REFUND, {{"L1", 3, total - part}}));
  ASSERT_TRUE(TryApprove(w.coop.admin_token, rest.id()).ok());
  ov1::AfterSale done;
  ASSERT_TRUE(TryComplete(w.coop.admin_token, rest.id(), true, &done).ok());
  EXPECT_TRUE(done.restocked());
  settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 3u);
  int64_t gross = 0, commission = 0, fee = 0, producers = 0;
  std::map<std::string, int64_t> by_household;
  for (const auto& s : settlements) {
    gross += s.gross().fen();
    commission += s.partner_commission().fen();
    fee += s.cooperative_service_fee().fen();
    producers += s.producer_total().fen();
    for (const auto& p : s.payouts()) by_household[p.household_id()] += p.amount().fen();
  }
  EXPECT_EQ(gross, 0);
  EXPECT_EQ(commission, 0);
  EXPECT_EQ(fee, 0);
  EXPECT_EQ(producers, 0);
  for (const auto& [household, amount] : by_household) EXPECT_EQ(amount, 0) << household;
  EXPECT_EQ(OutboxSettlements(order.id()).size(), 3u);
  // Nothing is left to refund.
  ExpectFailed(TryCreate(w.partner.token,
                         AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 1}})),
               "REFUND_EXCEEDS_PAID");
}

TEST_F(AfterSalesTest, APlatformCloseAfterCompletionRefundsAndReversesEachCooperative) {
  SellingWorld w = NewSellingWorld(10);
  CoopWorld b = NewCoop();
  const cv1::Product bp = ActiveProduct(b, 5);
  OfferTo(bp, w.partner, b.admin_token);
  AwaitListed(w.partner, bp.id());
  auto req = OrderRequest(w, "PX-1", 2, ORDER_STATE_PAID);
  ov1::OrderLine* l2 = req.mutable_order()->add_lines();
  l2->set_external_line_id("L2");
  l2->set_product_id(bp.id());
  l2->set_quantity(1);
  l2->mutable_unit_price()->set_fen(bp.price().fen());
  l2->mutable_line_total()->set_fen(bp.price().fen() - 1);
  const auto order = Upsert(w, req).order();
  for (const auto& [token, coop] : {std::pair{w.coop.admin_token, w.coop.cooperative.id()},
                                    std::pair{b.admin_token, b.cooperative.id()}}) {
    const auto fulfilments = FulfilmentsOf(token, order.id());
    ASSERT_EQ(fulfilments.size(), 1u);
    EXPECT_EQ(fulfilments[0].cooperative_id(), coop);
    Pack(token, fulfilments[0].id());
    Ship(token, fulfilments[0].id());
  }
  // A partial refund of L1 first (completed before the order: it lowers A's gross).
  Refunded(w, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 1000}}));
  ASSERT_EQ(Complete(w.partner.token, order.id()).state(), ORDER_STATE_COMPLETED);
  auto settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 2u);
  std::map<std::string, int64_t> gross;
  for (const auto& s : settlements) gross[s.cooperative_id()] = s.gross().fen();
  EXPECT_EQ(gross[w.coop.cooperative.id()], 2 * w.product.price().fen() - 1000);
  EXPECT_EQ(gross[b.cooperative.id()], bp.price().fen() - 1);
  // The trade is closed on the platform after completion: the order stays COMPLETED, one
  // completed after-sale per cooperative refunds what is left, and each settlement nets to zero.
  auto closed = OrderRequest(w, "PX-1", 2, ov1::ORDER_STATE_CANCELLED, 1'780'000'800);
  *closed.mutable_order()->add_lines() = *l2;
  closed.mutable_order()->set_partner_status("TRADE_CLOSED");
  EXPECT_EQ(Upsert(w, closed).order().state(), ORDER_STATE_COMPLETED);
  ov1::ListAfterSalesRequest list;
  list.set_order_id(order.id());
  list.set_state(ov1::AFTER_SALE_STATE_COMPLETED);
  ov1::ListAfterSalesResponse page;
  ASSERT_TRUE(orders().ListAfterSales(Ctx(admin()).get(), list, &page).ok());
  ASSERT_EQ(page.after_sales_size(), 3);
  settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 4u);
  std::map<std::string, int64_t> net_gross, net_producers, net_commission;
  int reversals = 0;
  for (const auto& s : settlements) {
    net_gross[s.cooperative_id()] += s.gross().fen();
    net_producers[s.cooperative_id()] += s.producer_total().fen();
    net_commission[s.cooperative_id()] += s.partner_commission().fen();
    if (!s.reversed_settlement_id().empty()) {
      ++reversals;
      EXPECT_FALSE(s.after_sale_id().empty());
    }
  }
  EXPECT_EQ(reversals, 2);
  for (const auto& [coop, sum] : net_gross) EXPECT_EQ(sum, 0) << coop;
  for (const auto& [coop, sum] : net_producers) EXPECT_EQ(sum, 0) << coop;
  for (const auto& [coop, sum] : net_commission) EXPECT_EQ(sum, 0) << coop;
  EXPECT_EQ(OutboxSettlements(order.id()).size(), 4u);
}

TEST_F(AfterSalesTest, AutomaticCompletionWaitsForOpenAfterSales) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = ShippedOrder(w, "AW-1", 1);  // shipped, no delivery recorded
  const ov1::AfterSale open = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}}));
  const auto& windows = orders_domain().settings().completion;
  clock_->Advance(windows.receipt_window + windows.return_window - absl::Minutes(1));
  ASSERT_TRUE(orders_domain().CompleteDueOrders(100).ok());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ov1::ORDER_STATE_SHIPPED);
  clock_->Advance(absl::Minutes(2));
  ASSERT_TRUE(orders_domain().CompleteDueOrders(100).ok());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ov1::ORDER_STATE_SHIPPED);  // held
  EXPECT_TRUE(SettlementsOf(order.id()).empty());
  ASSERT_TRUE(TryClose(w.partner.token, open.id()).ok());
  clock_->Advance(absl::Hours(2));
  ASSERT_TRUE(orders_domain().CompleteDueOrders(100).ok());
  EXPECT_EQ(GetOrder(w.partner.token, order.id()).state(), ORDER_STATE_COMPLETED);
  const auto settlements = SettlementsOf(order.id());
  ASSERT_EQ(settlements.size(), 1u);
  EXPECT_EQ(settlements[0].gross().fen(), w.product.price().fen());  // a closed refund is not one
}

TEST_F(AfterSalesTest, EveryMutatingCallReplaysItsReplyAndRefusesAReusedRequestId) {
  SellingWorld w = NewSellingWorld(10);
  const auto order = Upsert(w, OrderRequest(w, "RP-1", 2, ORDER_STATE_PAID)).order();
  auto expect_reused = [](const grpc::Status& s) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  };
  const int64_t before = CountRows(orders_db(), "after_sales");
  // CreateAfterSale.
  auto create = AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 100}});
  ov1::AfterSale a1, a2;
  ASSERT_TRUE(TryCreate(w.partner.token, create, &a1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(TryCreate(w.partner.token, create, &a2).ok());
  EXPECT_EQ(a1.SerializeAsString(), a2.SerializeAsString());
  EXPECT_EQ(CountRows(orders_db(), "after_sales"), before + 1);
  create.mutable_after_sale()->mutable_lines(0)->mutable_refund()->set_fen(101);
  expect_reused(TryCreate(w.partner.token, create));
  EXPECT_EQ(CountRows(orders_db(), "after_sales"), before + 1);
  const ov1::AfterSale b = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 200}}));
  const ov1::AfterSale c = Create(
      w.partner.token, AfterSaleRequest(order.id(), AFTER_SALE_KIND_REFUND_ONLY, {{"L1", 0, 300}}));
  const std::string& coop = w.coop.admin_token;
  // ApproveAfterSale.
  ov1::ApproveAfterSaleRequest approve;
  approve.set_request_id(NewRequestId());
  approve.set_after_sale_id(a1.id());
  ASSERT_TRUE(orders().ApproveAfterSale(Ctx(coop).get(), approve, &a1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(orders().ApproveAfterSale(Ctx(coop).get(), approve, &a2).ok());
  EXPECT_EQ(a1.SerializeAsString(), a2.SerializeAsString());
  approve.set_after_sale_id(b.id());
  expect_reused(orders().ApproveAfterSale(Ctx(coop).get(), approve, &a2));
  // RejectAfterSale.
  ov1::RejectAfterSaleRequest reject;
  reject.set_request_id(NewRequestId());
  reject.set_after_sale_id(b.id());
  reject.set_reason("不符合退款条件");
  ov1::AfterSale r1, r2;
  ASSERT_TRUE(orders().RejectAfterSale(Ctx(coop).get(), reject, &r1).ok());
  ASSERT_TRUE(orders().RejectAfterSale(Ctx(coop).get(), reject, &r2).ok());
  EXPECT_EQ(r1.SerializeAsString(), r2.SerializeAsString());
  reject.set_reason("另一个理由");
  expect_reused(orders().RejectAfterSale(Ctx(coop).get(), reject, &r2));
  // CompleteAfterSale.
  ov1::CompleteAfterSaleRequest complete;
  complete.set_request_id(NewRequestId());
  complete.set_after_sale_id(a1.id());
  ov1::AfterSale c1, c2;
  ASSERT_TRUE(orders().CompleteAfterSale(Ctx(coop).get(), complete, &c1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(orders().CompleteAfterSale(Ctx(coop).get(), complete, &c2).ok());
  EXPECT_EQ(c1.SerializeAsString(), c2.SerializeAsString());
  complete.set_after_sale_id(c.id());
  expect_reused(orders().CompleteAfterSale(Ctx(coop).get(), complete, &c2));
  // CloseAfterSale.
  ov1::CloseAfterSaleRequest close;
  close.set_request_id(NewRequestId());
  close.set_after_sale_id(c.id());
  ov1::AfterSale x1, x2;
  ASSERT_TRUE(orders().CloseAfterSale(Ctx(w.partner.token).get(), close, &x1).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(orders().CloseAfterSale(Ctx(w.partner.token).get(), close, &x2).ok());
  EXPECT_EQ(x1.SerializeAsString(), x2.SerializeAsString());
  close.set_reason("平台关闭");
  expect_reused(orders().CloseAfterSale(Ctx(w.partner.token).get(), close, &x2));
}

}  // namespace
}  // namespace cooplink::testing
