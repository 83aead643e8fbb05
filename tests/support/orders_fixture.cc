#include "tests/support/orders_fixture.h"

#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/orders/event_log.h"

namespace cooplink::testing {

std::unique_ptr<orders::OrdersServer>* OrdersFixture::orders_server_ = nullptr;
std::unique_ptr<ov1::OrdersService::Stub>* OrdersFixture::orders_stub_ = nullptr;

void OrdersFixture::SetUpTestSuite() {
  CatalogFixture::SetUpTestSuite();
  const std::string suite =
      absl::AsciiStrToLower(::testing::UnitTest::GetInstance()->current_test_suite()->name());
  orders::OrdersConfig oc;
  oc.db = TestDbConfig(absl::StrCat("test_orders_", suite));
  oc.server.listen = "127.0.0.1:0";
  oc.token_key = *token_key_;
  oc.pii_key = RandomKeyBase64();
  oc.membership_target = absl::StrCat("127.0.0.1:", (*membership_)->port());
  oc.catalog_target = absl::StrCat("127.0.0.1:", (*catalog_server_)->port());
  oc.service_token = *admin_token_;
  oc.access_log = false;
  oc.revocation_refresh = absl::Milliseconds(200);
  oc.stock_interval = absl::Hours(1);  // tests run the recovery job explicitly
  oc.completion_interval = absl::Hours(1);
  oc.orphan_interval = absl::Hours(1);
  oc.feed_interval = absl::Milliseconds(10);
  oc.watch.poll_interval = absl::Milliseconds(20);
  oc.watch.heartbeat_interval = absl::Milliseconds(500);
  oc.workers = 16;
  auto os = orders::OrdersServer::Start(oc, clock_);
  ASSERT_TRUE(os.ok()) << os.status();
  orders_server_ = new std::unique_ptr<orders::OrdersServer>(*std::move(os));
  orders_stub_ = new std::unique_ptr<ov1::OrdersService::Stub>(ov1::OrdersService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*orders_server_)->port()),
                          grpc::InsecureChannelCredentials())));
}

void OrdersFixture::TearDownTestSuite() {
  delete orders_stub_;
  orders_stub_ = nullptr;
  if (orders_server_ != nullptr) (*orders_server_)->Shutdown();
  delete orders_server_;
  orders_server_ = nullptr;
  CatalogFixture::TearDownTestSuite();
}

std::unique_ptr<ov1::OrdersService::Stub> OrdersFixture::NewOrdersStub() {
  grpc::ChannelArguments args;
  args.SetInt("cooplink.test.unique", NextSequence());  // a channel of its own
  return ov1::OrdersService::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", (*orders_server_)->port()),
                                grpc::InsecureChannelCredentials(), args));
}

void OrdersFixture::AwaitListed(const PartnerWorld& partner, const std::string& product_id) {
  for (int i = 0; i < 500; ++i) {
    cv1::BatchGetPartnerListingsRequest req;
    req.add_product_ids(product_id);
    cv1::BatchGetPartnerListingsResponse resp;
    grpc::Status s = catalog().BatchGetPartnerListings(Ctx(partner.token).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (resp.listings_size() == 1 && resp.listings(0).version() > 0 &&
        !resp.listings(0).removed()) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL() << "the offer of " << product_id << " never reached the partner's listings";
}

SellingWorld OrdersFixture::NewSellingWorld(int64_t on_hand, common::v1::Platform platform) {
  SellingWorld w;
  w.coop = NewCoop();
  w.partner = NewPartner(common::v1::CHANNEL_KIND_ECOMMERCE, platform);
  w.product = ActiveProduct(w.coop, on_hand);
  OfferTo(w.product, w.partner, w.coop.admin_token);
  AwaitListed(w.partner, w.product.id());
  return w;
}

cv1::Stock OrdersFixture::StockOf(const std::string& product_id) {
  cv1::GetStockRequest req;
  req.set_product_id(product_id);
  cv1::Stock stock;
  grpc::Status s = catalog().GetStock(Ctx(admin()).get(), req, &stock);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return stock;
}

ov1::UpsertPartnerOrderRequest OrdersFixture::OrderRequest(const SellingWorld& world,
                                                           const std::string& external_order_id,
                                                           int64_t quantity, ov1::OrderState state,
                                                           int64_t platform_update_seconds) {
  ov1::UpsertPartnerOrderRequest req;
  req.set_request_id(NewRequestId());
  req.set_reported_state(state);
  ov1::Order* o = req.mutable_order();
  o->set_shop_id("shop-1");
  o->set_external_order_id(external_order_id);
  o->set_partner_status(state == ov1::ORDER_STATE_PENDING_PAYMENT ? "WAIT_BUYER_PAY"
                                                                  : "WAIT_SELLER_SEND_GOODS");
  o->mutable_platform_update_time()->set_seconds(platform_update_seconds);
  o->mutable_platform_create_time()->set_seconds(1'779'990'000);
  if (state != ov1::ORDER_STATE_PENDING_PAYMENT) {
    o->mutable_pay_time()->set_seconds(1'779'995'000);
  }
  ov1::OrderLine* l = o->add_lines();
  l->set_external_line_id("L1");
  l->set_product_id(world.product.id());
  l->set_quantity(quantity);
  l->mutable_unit_price()->set_fen(world.product.price().fen());
  l->mutable_line_total()->set_fen(world.product.price().fen() * quantity);
  o->mutable_buyer()->set_name("张三丰");
  o->mutable_buyer()->set_phone("13812345678");
  o->mutable_buyer()->set_region_code("530828");
  o->mutable_buyer()->set_address("勐朗镇勐滨村 8 组 12 号");
  return req;
}

ov1::UpsertPartnerOrderResponse OrdersFixture::Upsert(const SellingWorld& world,
                                                      const ov1::UpsertPartnerOrderRequest& req) {
  ov1::UpsertPartnerOrderResponse resp;
  grpc::Status s = orders().UpsertPartnerOrder(Ctx(world.partner.token).get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return resp;
}

ov1::Order OrdersFixture::GetOrder(const std::string& token, const std::string& id) {
  ov1::GetOrderRequest req;
  req.set_id(id);
  ov1::Order order;
  grpc::Status s = orders().GetOrder(Ctx(token).get(), req, &order);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return order;
}

std::vector<ov1::Fulfilment> OrdersFixture::FulfilmentsOf(const std::string& token,
                                                          const std::string& order_id) {
  ov1::ListFulfilmentsRequest req;
  req.set_order_id(order_id);
  ov1::ListFulfilmentsResponse resp;
  grpc::Status s = orders().ListFulfilments(Ctx(token).get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return {resp.fulfilments().begin(), resp.fulfilments().end()};
}

ov1::Fulfilment OrdersFixture::Pack(const std::string& token, const std::string& fulfilment_id,
                                    const std::vector<ov1::PackedLine>& packed) {
  ov1::MarkFulfilmentPackedRequest req;
  req.set_request_id(NewRequestId());
  req.set_fulfilment_id(fulfilment_id);
  for (const ov1::PackedLine& l : packed) *req.add_packed_lines() = l;
  ov1::Fulfilment out;
  grpc::Status s = orders().MarkFulfilmentPacked(Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return out;
}

ov1::Shipment OrdersFixture::Ship(const std::string& token, const std::string& fulfilment_id,
                                  const std::string& carrier_code) {
  ov1::CreateShipmentRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_shipment()->set_fulfilment_id(fulfilment_id);
  req.mutable_shipment()->set_carrier_code(carrier_code);
  req.mutable_shipment()->set_tracking_number(absl::StrCat("SF", 1'000'000 + NextSequence()));
  ov1::Shipment out;
  grpc::Status s = orders().CreateShipment(Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return out;
}

ov1::Shipment OrdersFixture::Deliver(const std::string& token, const std::string& shipment_id) {
  ov1::ConfirmDeliveryRequest req;
  req.set_request_id(NewRequestId());
  req.set_shipment_id(shipment_id);
  ov1::Shipment out;
  grpc::Status s = orders().ConfirmDelivery(Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return out;
}

ov1::Order OrdersFixture::Complete(const std::string& token, const std::string& order_id) {
  ov1::CompleteOrderRequest req;
  req.set_request_id(NewRequestId());
  req.set_order_id(order_id);
  ov1::Order out;
  grpc::Status s = orders().CompleteOrder(Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return out;
}

ov1::Order OrdersFixture::ShippedOrder(const SellingWorld& world,
                                       const std::string& external_order_id, int64_t quantity,
                                       ov1::Shipment* shipment) {
  const ov1::Order paid =
      Upsert(world, OrderRequest(world, external_order_id, quantity, ov1::ORDER_STATE_PAID))
          .order();
  EXPECT_EQ(paid.stock_status(), ov1::ORDER_STOCK_STATUS_COMMITTED);
  const std::vector<ov1::Fulfilment> fulfilments = FulfilmentsOf(world.coop.admin_token, paid.id());
  EXPECT_EQ(fulfilments.size(), 1u);
  if (fulfilments.empty()) return paid;
  Pack(world.coop.admin_token, fulfilments[0].id());
  const ov1::Shipment shipped = Ship(world.coop.admin_token, fulfilments[0].id());
  if (shipment != nullptr) *shipment = shipped;
  return GetOrder(world.partner.token, paid.id());
}

std::vector<ov1::Settlement> OrdersFixture::OutboxSettlements(const std::string& order_id) {
  std::vector<ov1::Settlement> out;
  EXPECT_TRUE(orders_db()
                  .Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT payload FROM outbox WHERE topic = ? AND msg_key = ? ORDER BY id",
                        std::string(orders::kSettlementTopic), order_id);
                    while (rs->next()) {
                      ov1::Settlement s;
                      EXPECT_TRUE(s.ParseFromString(rs->getString("payload")));
                      out.push_back(std::move(s));
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  return out;
}

std::vector<ov1::OrderEvent> OrdersFixture::OutboxEvents(const std::string& order_id) {
  std::vector<ov1::OrderEvent> out;
  EXPECT_TRUE(orders_db()
                  .Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT payload FROM outbox WHERE topic = ? AND msg_key = ? ORDER BY id",
                        std::string(orders::kOrderEventTopic), order_id);
                    while (rs->next()) {
                      ov1::OrderEvent e;
                      EXPECT_TRUE(e.ParseFromString(rs->getString("payload")));
                      out.push_back(std::move(e));
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  return out;
}

std::vector<ov1::Settlement> OrdersFixture::SettlementsOf(const std::string& order_id) {
  ov1::ListSettlementsRequest req;
  req.set_order_id(order_id);
  ov1::ListSettlementsResponse resp;
  grpc::Status s = orders().ListSettlements(Ctx(admin()).get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return {resp.settlements().begin(), resp.settlements().end()};
}

}  // namespace cooplink::testing
