// Membership, catalog and orders servers started in-process for a test suite (port 0, their own
// databases, one fake clock), stubs to all three over real gRPC, and helpers that build a selling
// world through the APIs: a cooperative with stock, a partner with an offer, an order as a
// platform would push it.
#ifndef COOPLINK_TESTS_SUPPORT_ORDERS_FIXTURE_H_
#define COOPLINK_TESTS_SUPPORT_ORDERS_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "cooplink/orders/v1/orders.grpc.pb.h"
#include "services/orders/orders_server.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {

namespace ov1 = ::cooplink::orders::v1;

// A cooperative with an ACTIVE product in stock, offered to a partner.
struct SellingWorld {
  CoopWorld coop;
  PartnerWorld partner;
  cv1::Product product;
};

class OrdersFixture : public CatalogFixture {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  static std::unique_ptr<orders::OrdersServer>* orders_server_;
  static std::unique_ptr<ov1::OrdersService::Stub>* orders_stub_;

  ov1::OrdersService::Stub& orders() { return **orders_stub_; }
  orders::Orders& orders_domain() { return (*orders_server_)->orders(); }
  Database& orders_db() { return (*orders_server_)->database(); }
  std::unique_ptr<ov1::OrdersService::Stub> NewOrdersStub();

  // A cooperative whose product has `on_hand` units, offered to a new partner (listed for it);
  // with `platform` set the partner's refunds are decided by that platform.
  SellingWorld NewSellingWorld(int64_t on_hand,
                               common::v1::Platform platform = common::v1::PLATFORM_UNSPECIFIED);
  // Waits until the partner's listing of the product is current (the offer reached the catalog's
  // listings), so UpsertPartnerOrder finds it offered.
  void AwaitListed(const PartnerWorld& partner, const std::string& product_id);
  // The stock of a product as catalog reports it.
  cv1::Stock StockOf(const std::string& product_id);

  // An order as a platform pushes it: one line of `quantity` units of the world's product at its
  // price, reported in `state`, with a plain buyer contact.
  ov1::UpsertPartnerOrderRequest OrderRequest(const SellingWorld& world,
                                              const std::string& external_order_id,
                                              int64_t quantity, ov1::OrderState state,
                                              int64_t platform_update_seconds = 1'780'000'000);
  // UpsertPartnerOrder as the world's partner; asserts success.
  ov1::UpsertPartnerOrderResponse Upsert(const SellingWorld& world,
                                         const ov1::UpsertPartnerOrderRequest& req);
  ov1::Order GetOrder(const std::string& token, const std::string& id);

  // The lifecycle as the cooperative (or the partner) drives it; each asserts success.
  std::vector<ov1::Fulfilment> FulfilmentsOf(const std::string& token, const std::string& order_id);
  ov1::Fulfilment Pack(const std::string& token, const std::string& fulfilment_id,
                       const std::vector<ov1::PackedLine>& packed = {});
  ov1::Shipment Ship(const std::string& token, const std::string& fulfilment_id,
                     const std::string& carrier_code = "SF");
  ov1::Shipment Deliver(const std::string& token, const std::string& shipment_id);
  ov1::Order Complete(const std::string& token, const std::string& order_id);
  // A PAID order of `quantity` units of the world's product, packed and shipped by its
  // cooperative (SHIPPED); `shipment` receives the shipment when not null.
  ov1::Order ShippedOrder(const SellingWorld& world, const std::string& external_order_id,
                          int64_t quantity, ov1::Shipment* shipment = nullptr);

  // What the orders outbox holds for an order, sequenced or not: the "orders.settlements"
  // messages (serialized Settlements) and the "orders.events" messages (serialized OrderEvents).
  std::vector<ov1::Settlement> OutboxSettlements(const std::string& order_id);
  std::vector<ov1::OrderEvent> OutboxEvents(const std::string& order_id);
  // Every settlement of an order, as a platform admin lists them.
  std::vector<ov1::Settlement> SettlementsOf(const std::string& order_id);
};

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_ORDERS_FIXTURE_H_
