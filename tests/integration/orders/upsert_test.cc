// UpsertPartnerOrder through real gRPC with membership, catalog and orders against the real
// MariaDB: orders recorded exactly once (retries, concurrent duplicates, later and older pushes),
// request_id reuse, stock through catalog reservations (HELD on an unpaid order, COMMITTED on
// payment, SHORT and its retries, released on cancellation), scarce stock under 64 concurrent
// orders, the buyer contact encrypted and masked, and the walls between tenants.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/orders_fixture.h"

namespace cooplink::testing {
namespace {

using ov1::ORDER_STATE_CANCELLED;
using ov1::ORDER_STATE_PAID;
using ov1::ORDER_STATE_PENDING_PAYMENT;

class UpsertTest : public OrdersFixture {
 protected:
  int64_t OrdersNamed(const std::string& partner_id, const std::string& external_id) {
    int64_t n = 0;
    EXPECT_TRUE(orders_db()
                    .Read([&](Tx& tx) {
                      auto rs = tx.Query(
                          "SELECT COUNT(*) AS n FROM orders WHERE partner_id = ? AND "
                          "external_order_id = ?",
                          partner_id, external_id);
                      rs->next();
                      n = rs->getInt64("n");
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }
};

TEST_F(UpsertTest, APaidOrderIsRecordedWithItsStockCommittedAndItsBuyerMasked) {
  SellingWorld w = NewSellingWorld(10);
  auto resp = Upsert(w, OrderRequest(w, "4012345678901234567", 3, ORDER_STATE_PAID));
  EXPECT_EQ(resp.outcome(), ov1::UPSERT_OUTCOME_CREATED);
  const ov1::Order& o = resp.order();
  EXPECT_EQ(o.state(), ORDER_STATE_PAID);
  EXPECT_EQ(o.stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(o.external_order_id(), "4012345678901234567");  // 19 digits kept exactly
  EXPECT_EQ(o.partner_id(), w.partner.partner.id());
  ASSERT_EQ(o.lines_size(), 1);
  EXPECT_EQ(o.lines(0).cooperative_id(), w.coop.cooperative.id());
  EXPECT_EQ(o.lines(0).household_id(), w.coop.household.id());
  EXPECT_FALSE(o.lines(0).price_mismatch());
  EXPECT_EQ(o.goods_total().fen(), 3 * w.product.price().fen());
  EXPECT_EQ(o.buyer().name(), "张**");
  EXPECT_EQ(o.buyer().phone(), "138****5678");
  EXPECT_EQ(o.buyer().address(), "****");
  EXPECT_EQ(o.buyer().region_code(), "530828");
  EXPECT_FALSE(o.reservation_id().empty());
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 7);
  EXPECT_EQ(stock.reserved(), 0);
  // One TO_PACK fulfilment for the cooperative.
  ov1::ListFulfilmentsRequest list;
  list.set_order_id(o.id());
  ov1::ListFulfilmentsResponse fulfilments;
  ASSERT_TRUE(orders().ListFulfilments(Ctx(w.coop.admin_token).get(), list, &fulfilments).ok());
  ASSERT_EQ(fulfilments.fulfilments_size(), 1);
  EXPECT_EQ(fulfilments.fulfilments(0).state(), ov1::FULFILMENT_STATE_TO_PACK);
  // The buyer contact is sealed at rest: no plain name or phone in the row.
  ASSERT_TRUE(orders_db()
                  .Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT buyer_name_sealed, buyer_phone_sealed, buyer_address_sealed "
                        "FROM orders WHERE id = ?",
                        o.id());
                    EXPECT_TRUE(rs->next());
                    for (const char* c :
                         {"buyer_name_sealed", "buyer_phone_sealed", "buyer_address_sealed"}) {
                      const std::string v = rs->getString(c);
                      EXPECT_EQ(v.find("张三丰"), std::string::npos);
                      EXPECT_EQ(v.find("13812345678"), std::string::npos);
                      EXPECT_EQ(v.find("勐朗镇"), std::string::npos);
                    }
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(UpsertTest, ARetryReplaysAndAReusedRequestIdWritesNothing) {
  SellingWorld w = NewSellingWorld(10);
  auto req = OrderRequest(w, "A-1", 1, ORDER_STATE_PAID);
  auto first = Upsert(w, req);
  auto again = Upsert(w, req);
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  const int64_t orders_before = CountRows(orders_db(), "orders");
  const int64_t outbox_before = CountRows(orders_db(), "outbox");
  auto other = OrderRequest(w, "A-2", 2, ORDER_STATE_PAID);
  other.set_request_id(req.request_id());
  ov1::UpsertPartnerOrderResponse resp;
  grpc::Status s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), other, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(orders_db(), "orders"), orders_before);
  EXPECT_EQ(CountRows(orders_db(), "outbox"), outbox_before);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 9);  // only the first order's unit left stock
}

TEST_F(UpsertTest, SixteenConcurrentIdenticalPushesMakeOneOrder) {
  SellingWorld w = NewSellingWorld(10);
  const auto req = OrderRequest(w, "SAME-1", 2, ORDER_STATE_PAID);
  std::vector<std::string> ids(16);
  RunConcurrently(16, [&](int i) {
    ov1::UpsertPartnerOrderResponse resp;
    grpc::Status s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    ids[i] = resp.order().id();
  });
  // The same platform order under 16 different request_ids at once: still one order.
  std::vector<std::string> ids2(16);
  const auto req2 = OrderRequest(w, "SAME-2", 2, ORDER_STATE_PAID);
  RunConcurrently(16, [&](int i) {
    auto r = req2;
    r.set_request_id(absl::StrCat(req2.request_id(), "-", i));
    ov1::UpsertPartnerOrderResponse resp;
    grpc::Status s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), r, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    ids2[i] = resp.order().id();
  });
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(std::set<std::string>(ids2.begin(), ids2.end()).size(), 1u);
  EXPECT_EQ(OrdersNamed(w.partner.partner.id(), "SAME-1"), 1);
  EXPECT_EQ(OrdersNamed(w.partner.partner.id(), "SAME-2"), 1);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 6);  // 2 + 2 units committed, once each
}

TEST_F(UpsertTest, TwoPartnersWithTheSameRequestIdGetTwoOrders) {
  SellingWorld a = NewSellingWorld(5);
  SellingWorld b = NewSellingWorld(5);
  auto ra = OrderRequest(a, "X-1", 1, ORDER_STATE_PAID);
  auto rb = OrderRequest(b, "X-1", 1, ORDER_STATE_PAID);
  rb.set_request_id(ra.request_id());
  const auto oa = Upsert(a, ra).order();
  const auto ob = Upsert(b, rb).order();
  EXPECT_NE(oa.id(), ob.id());
  EXPECT_EQ(oa.partner_id(), a.partner.partner.id());
  EXPECT_EQ(ob.partner_id(), b.partner.partner.id());
}

TEST_F(UpsertTest, AnOlderPushChangesNothingAndALaterOneMovesTheOrder) {
  SellingWorld w = NewSellingWorld(5);
  auto unpaid = OrderRequest(w, "T-1", 1, ORDER_STATE_PENDING_PAYMENT, 1'780'000'000);
  auto created = Upsert(w, unpaid);
  EXPECT_EQ(created.order().state(), ORDER_STATE_PENDING_PAYMENT);
  EXPECT_EQ(created.order().stock_status(), ov1::ORDER_STOCK_STATUS_RESERVED);
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 1);
  // Paid, but the push carries an older platform time: ignored.
  auto stale = OrderRequest(w, "T-1", 1, ORDER_STATE_PAID, 1'779'999'999);
  auto ignored = Upsert(w, stale);
  EXPECT_EQ(ignored.outcome(), ov1::UPSERT_OUTCOME_STALE_IGNORED);
  EXPECT_EQ(ignored.order().state(), ORDER_STATE_PENDING_PAYMENT);
  EXPECT_EQ(ignored.order().partner_status(), "WAIT_BUYER_PAY");
  // The same push again with the same time and content: UNCHANGED.
  auto same = unpaid;
  same.set_request_id(NewRequestId());
  EXPECT_EQ(Upsert(w, same).outcome(), ov1::UPSERT_OUTCOME_UNCHANGED);
  // Paid with a newer time: PAID, stock committed.
  auto paid = OrderRequest(w, "T-1", 1, ORDER_STATE_PAID, 1'780'000'100);
  auto updated = Upsert(w, paid);
  EXPECT_EQ(updated.outcome(), ov1::UPSERT_OUTCOME_UPDATED);
  EXPECT_EQ(updated.order().state(), ORDER_STATE_PAID);
  EXPECT_EQ(updated.order().stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 4);
  EXPECT_EQ(stock.reserved(), 0);
  // An earlier state reported later does not move it back, but its partner_status is kept.
  auto back = OrderRequest(w, "T-1", 1, ORDER_STATE_PENDING_PAYMENT, 1'780'000'200);
  auto kept = Upsert(w, back);
  EXPECT_EQ(kept.order().state(), ORDER_STATE_PAID);
  EXPECT_EQ(kept.order().partner_status(), "WAIT_BUYER_PAY");
}

TEST_F(UpsertTest, LinesAreImmutableOncePaidAndReReservedBefore) {
  SellingWorld w = NewSellingWorld(10);
  auto unpaid = OrderRequest(w, "L-1", 2, ORDER_STATE_PENDING_PAYMENT, 1'780'000'000);
  Upsert(w, unpaid);
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 2);
  // Before payment a changed line reserves anew.
  auto changed = OrderRequest(w, "L-1", 5, ORDER_STATE_PENDING_PAYMENT, 1'780'000'010);
  auto resp = Upsert(w, changed);
  EXPECT_EQ(resp.order().lines(0).quantity(), 5);
  EXPECT_EQ(resp.order().stock_status(), ov1::ORDER_STOCK_STATUS_RESERVED);
  // The old hold of 2 is released by the orphan job once its grace has passed.
  clock_->Advance(absl::Minutes(3));
  ASSERT_TRUE(orders_domain().ReleaseOrphanReservations().ok());
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 5);
  auto paid = OrderRequest(w, "L-1", 5, ORDER_STATE_PAID, 1'780'000'020);
  Upsert(w, paid);
  auto again = OrderRequest(w, "L-1", 6, ORDER_STATE_PAID, 1'780'000'030);
  ov1::UpsertPartnerOrderResponse out;
  grpc::Status s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), again, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "ORDER_LINES_IMMUTABLE");
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 5);
}

TEST_F(UpsertTest, AProductNotOfferedToThePartnerIsRefusedAndNothingIsWritten) {
  SellingWorld w = NewSellingWorld(5);
  PartnerWorld stranger = NewPartner();
  auto req = OrderRequest(w, "N-1", 1, ORDER_STATE_PAID);
  const int64_t before = CountRows(orders_db(), "orders");
  ov1::UpsertPartnerOrderResponse out;
  grpc::Status s = orders().UpsertPartnerOrder(Ctx(stranger.token).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "PRODUCT_NOT_OFFERED");
  EXPECT_EQ(ErrorMetadata(s)["product_id"], w.product.id());
  EXPECT_EQ(CountRows(orders_db(), "orders"), before);
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 0);
}

TEST_F(UpsertTest, ShortStockIsRecordedAndRetriedByLaterPushesAndTheJob) {
  SellingWorld w = NewSellingWorld(1);
  auto req = OrderRequest(w, "S-1", 3, ORDER_STATE_PAID, 1'780'000'000);
  auto resp = Upsert(w, req);
  EXPECT_EQ(resp.outcome(), ov1::UPSERT_OUTCOME_CREATED);
  EXPECT_EQ(resp.order().state(), ORDER_STATE_PAID);
  EXPECT_EQ(resp.order().stock_status(), ov1::ORDER_STOCK_STATUS_SHORT);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 1);
  // Restocked; the job's retry is not due yet, a later push retries at once.
  cv1::AdjustStockRequest adjust;
  adjust.set_request_id(NewRequestId());
  adjust.set_product_id(w.product.id());
  adjust.set_delta(5);
  adjust.set_reason(cv1::STOCK_ADJUSTMENT_REASON_RESTOCK);
  cv1::Stock stock;
  ASSERT_TRUE(catalog().AdjustStock(Ctx(w.coop.admin_token).get(), adjust, &stock).ok());
  auto later = OrderRequest(w, "S-1", 3, ORDER_STATE_PAID, 1'780'000'100);
  later.mutable_order()->set_partner_status("WAIT_SELLER_SEND_GOODS_2");
  auto retried = Upsert(w, later);
  EXPECT_EQ(retried.order().stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 3);
  // Another SHORT order is retried by the recovery job once its retry is due.
  auto second = Upsert(w, OrderRequest(w, "S-2", 4, ORDER_STATE_PAID));
  EXPECT_EQ(second.order().stock_status(), ov1::ORDER_STOCK_STATUS_SHORT);
  adjust.set_request_id(NewRequestId());
  ASSERT_TRUE(catalog().AdjustStock(Ctx(w.coop.admin_token).get(), adjust, &stock).ok());
  ASSERT_TRUE(orders_domain().RecoverStock(100).ok());
  EXPECT_EQ(GetOrder(w.partner.token, second.order().id()).stock_status(),
            ov1::ORDER_STOCK_STATUS_SHORT);  // not due yet
  clock_->Advance(absl::Minutes(6));
  ASSERT_TRUE(orders_domain().RecoverStock(100).ok());
  EXPECT_EQ(GetOrder(w.partner.token, second.order().id()).stock_status(),
            ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 4);
}

TEST_F(UpsertTest, ClosedBeforePaymentReleasesTheHold) {
  SellingWorld w = NewSellingWorld(5);
  Upsert(w, OrderRequest(w, "C-1", 2, ORDER_STATE_PENDING_PAYMENT, 1'780'000'000));
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 2);
  auto closed = OrderRequest(w, "C-1", 2, ORDER_STATE_CANCELLED, 1'780'000'100);
  closed.mutable_order()->set_partner_status("TRADE_CLOSED_BY_TAOBAO");
  auto resp = Upsert(w, closed);
  EXPECT_EQ(resp.order().state(), ORDER_STATE_CANCELLED);
  EXPECT_EQ(resp.order().stock_status(), ov1::ORDER_STOCK_STATUS_RELEASED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.on_hand(), 5);
}

TEST_F(UpsertTest, SixtyFourConcurrentOrdersOnScarceStock) {
  SellingWorld w = NewSellingWorld(20);
  std::atomic<int> committed{0}, short_orders{0};
  RunConcurrently(64, [&](int i) {
    auto req = OrderRequest(w, absl::StrCat("SCARCE-", i), 1, ORDER_STATE_PAID);
    ov1::UpsertPartnerOrderResponse resp;
    grpc::Status s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message() << " [" << ErrorReason(s)
                        << "]";
    if (resp.order().stock_status() == ov1::ORDER_STOCK_STATUS_COMMITTED) ++committed;
    if (resp.order().stock_status() == ov1::ORDER_STOCK_STATUS_SHORT) ++short_orders;
  });
  EXPECT_EQ(committed.load(), 20);  // min(demand 64, stock 20)
  EXPECT_EQ(short_orders.load(), 44);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 0);
  EXPECT_EQ(stock.reserved(), 0);
  // stock + committed + held = the initial stock
  EXPECT_EQ(stock.on_hand() + committed.load() + stock.reserved(), 20);
}

TEST_F(UpsertTest, AMaskedContactWithAPlatformReferenceIsRecordable) {
  SellingWorld w = NewSellingWorld(5);
  auto req = OrderRequest(w, "M-1", 1, ORDER_STATE_PAID);
  req.mutable_order()->mutable_buyer()->set_name("张**");
  req.mutable_order()->mutable_buyer()->set_phone("138****5678");
  req.mutable_order()->mutable_buyer()->set_address("云南省普洱市澜沧县****");
  req.mutable_order()->mutable_buyer()->set_platform_contact_ref("AAEYnOAID1234567890abcdef");
  const auto o = Upsert(w, req).order();
  EXPECT_EQ(o.buyer().phone(), "138****5678");
  EXPECT_TRUE(o.buyer().platform_contact_ref().empty());  // masked view
  ov1::GetOrderRequest get;
  get.set_id(o.id());
  get.set_view(ov1::ORDER_VIEW_SHIPPING);
  ov1::Order shipping;
  ASSERT_TRUE(orders().GetOrder(Ctx(w.coop.admin_token).get(), get, &shipping).ok());
  EXPECT_EQ(shipping.buyer().platform_contact_ref(), "AAEYnOAID1234567890abcdef");
}

TEST_F(UpsertTest, TenantsAreWalledAndTheShippingViewIsAudited) {
  SellingWorld w = NewSellingWorld(5);
  SellingWorld other = NewSellingWorld(5);
  const auto o = Upsert(w, OrderRequest(w, "W-1", 1, ORDER_STATE_PAID)).order();
  ov1::GetOrderRequest get;
  get.set_id(o.id());
  ov1::Order out;
  // Another partner and another cooperative: NOT_FOUND, like a missing order.
  for (const std::string& token :
       {other.partner.token, other.coop.admin_token, UnassignedWorkerToken()}) {
    grpc::Status s = orders().GetOrder(Ctx(token).get(), get, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  get.set_id("01JQZZZZZZZZZZZZZZZZZZZZZZ");
  grpc::Status missing = orders().GetOrder(Ctx(w.partner.token).get(), get, &out);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_id(o.id());
  // In scope: the partner, the cooperative, an assigned worker (masked).
  for (const std::string& token :
       {w.partner.token, w.coop.admin_token, AssignedWorkerToken(w.coop.cooperative.id())}) {
    EXPECT_TRUE(orders().GetOrder(Ctx(token).get(), get, &out).ok());
    EXPECT_EQ(out.buyer().name(), "张**");
  }
  // SHIPPING: the partner and a worker may not; the shipping cooperative may, audited.
  get.set_view(ov1::ORDER_VIEW_SHIPPING);
  grpc::Status denied = orders().GetOrder(Ctx(w.partner.token).get(), get, &out);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(denied), "SHIPPING_VIEW_NOT_ALLOWED");
  const int64_t audits = CountRows(orders_db(), "shipping_view_audit");
  ASSERT_TRUE(orders().GetOrder(Ctx(w.coop.admin_token).get(), get, &out).ok());
  EXPECT_EQ(out.buyer().name(), "张三丰");
  EXPECT_EQ(out.buyer().phone(), "13812345678");
  EXPECT_EQ(out.buyer().address(), "勐朗镇勐滨村 8 组 12 号");
  EXPECT_EQ(CountRows(orders_db(), "shipping_view_audit"), audits + 1);
  // Lists: each caller sees only its own.
  ov1::ListOrdersRequest list;
  ov1::ListOrdersResponse page;
  ASSERT_TRUE(orders().ListOrders(Ctx(other.partner.token).get(), list, &page).ok());
  for (const auto& order : page.orders()) EXPECT_NE(order.id(), o.id());
  ASSERT_TRUE(orders().ListOrders(Ctx(w.coop.admin_token).get(), list, &page).ok());
  ASSERT_GE(page.orders_size(), 1);
  EXPECT_EQ(page.orders(0).id(), o.id());
  // A partner cannot record an order for another partner.
  auto foreign = OrderRequest(w, "W-2", 1, ORDER_STATE_PAID);
  foreign.mutable_order()->set_partner_id(w.partner.partner.id());
  ov1::UpsertPartnerOrderResponse resp;
  grpc::Status s = orders().UpsertPartnerOrder(Ctx(other.partner.token).get(), foreign, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  get.set_view(ov1::ORDER_VIEW_SHIPPING);
  const int64_t audits_before_unpaid = CountRows(orders_db(), "shipping_view_audit");
  // An unpaid order has no fulfilment: nothing to ship, so no cooperative sees the contact yet.
  const auto unpaid = Upsert(w, OrderRequest(w, "W-3", 1, ORDER_STATE_PENDING_PAYMENT)).order();
  get.set_id(unpaid.id());
  grpc::Status early = orders().GetOrder(Ctx(w.coop.admin_token).get(), get, &out);
  EXPECT_EQ(ErrorReason(early), "SHIPPING_VIEW_NOT_ALLOWED");
  EXPECT_EQ(CountRows(orders_db(), "shipping_view_audit"), audits_before_unpaid);
  EXPECT_TRUE(orders().GetOrder(Ctx(admin()).get(), get, &out).ok());  // the platform admin may
}

TEST_F(UpsertTest, APartnersCheckoutReservationIsAdoptedOnlyWhenItHoldsExactlyTheLines) {
  SellingWorld w = NewSellingWorld(10);
  auto reserve = [&](const std::string& id, int64_t quantity) {
    cv1::CreateReservationRequest req;
    req.set_reservation_id(id);
    cv1::ReservationLine* line = req.add_lines();
    line->set_product_id(w.product.id());
    line->set_quantity(quantity);
    cv1::Reservation r;
    grpc::Status s = catalog().CreateReservation(Ctx(w.partner.token).get(), req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
  };
  const std::string held = absl::StrCat("checkout-", NextSequence());
  reserve(held, 3);
  // Another quantity than the reservation holds: refused, nothing written, the hold untouched.
  auto wrong = OrderRequest(w, "R-1", 2, ORDER_STATE_PAID);
  wrong.mutable_order()->set_reservation_id(held);
  const int64_t before = CountRows(orders_db(), "orders");
  ov1::UpsertPartnerOrderResponse out;
  grpc::Status s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), wrong, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "RESERVATION_MISMATCH");
  EXPECT_EQ(CountRows(orders_db(), "orders"), before);
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 3);
  // A reservation that is not one: refused the same way.
  auto unknown = OrderRequest(w, "R-2", 3, ORDER_STATE_PAID);
  unknown.mutable_order()->set_reservation_id("no-such-hold");
  s = orders().UpsertPartnerOrder(Ctx(w.partner.token).get(), unknown, &out);
  EXPECT_EQ(ErrorReason(s), "RESERVATION_MISMATCH");
  // Exactly the lines: adopted and committed on payment, no second hold made.
  auto right = OrderRequest(w, "R-3", 3, ORDER_STATE_PAID);
  right.mutable_order()->set_reservation_id(held);
  const ov1::Order o = Upsert(w, right).order();
  EXPECT_EQ(o.reservation_id(), held);
  EXPECT_EQ(o.stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 7);
  EXPECT_EQ(stock.reserved(), 0);
}

}  // namespace
}  // namespace cooplink::testing
