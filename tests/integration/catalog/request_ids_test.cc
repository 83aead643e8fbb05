// request_id is scoped to the calling principal AND the RPC (protos: "scoped to the calling
// principal and the RPC"): CreateProduct and then CreateLot with the same key by the same
// cooperative admin both happen; the same key on CreateProduct with another body is
// REQUEST_ID_REUSED and writes nothing.
#include <gtest/gtest.h>

#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

class RequestIdsTest : public CatalogFixture {
 protected:
  cv1::CreateProductRequest Create(const std::string& request_id, const CoopWorld& world,
                                   const std::string& title) {
    cv1::CreateProductRequest req;
    req.set_request_id(request_id);
    *req.mutable_product() = ProductBody(world);
    req.mutable_product()->set_title(title);
    return req;
  }
  cv1::CreateLotRequest Lot(const std::string& request_id, const std::string& product_id) {
    cv1::CreateLotRequest req;
    req.set_request_id(request_id);
    auto* lot = req.mutable_lot();
    lot->set_product_id(product_id);
    lot->set_lot_code("JM-2026-SPRING");
    lot->mutable_harvest_date()->set_year(2026);
    lot->mutable_harvest_date()->set_month(2);
    lot->mutable_harvest_date()->set_day(20);
    lot->set_quantity(12);
    return req;
  }
};

TEST_F(RequestIdsTest, TheSameRequestIdOnAnotherRpcIsAnotherRequest) {
  const CoopWorld world = NewCoop();
  const std::string key = NewRequestId();
  const int64_t products = CountRows(db(), "products");
  const int64_t lots = CountRows(db(), "lots");

  cv1::Product product;
  grpc::Status s = catalog().CreateProduct(Ctx(world.admin_token).get(),
                                           Create(key, world, "景迈山古树普洱茶饼"), &product);
  ASSERT_TRUE(s.ok()) << s.error_message();
  cv1::Lot lot;
  s = catalog().CreateLot(Ctx(world.admin_token).get(), Lot(key, product.id()), &lot);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";

  EXPECT_EQ(lot.product_id(), product.id());
  EXPECT_EQ(CountRows(db(), "products"), products + 1);
  EXPECT_EQ(CountRows(db(), "lots"), lots + 1);
}

TEST_F(RequestIdsTest, TheSameRequestIdOnTheSameRpcWithAnotherBodyIsReused) {
  const CoopWorld world = NewCoop();
  const std::string key = NewRequestId();
  cv1::Product first;
  grpc::Status s = catalog().CreateProduct(Ctx(world.admin_token).get(),
                                           Create(key, world, "景迈山古树普洱茶饼"), &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const int64_t products = CountRows(db(), "products");

  cv1::Product second;
  s = catalog().CreateProduct(Ctx(world.admin_token).get(), Create(key, world, "澜沧野生核桃"),
                              &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "products"), products);

  cv1::Product replay;
  s = catalog().CreateProduct(Ctx(world.admin_token).get(),
                              Create(key, world, "景迈山古树普洱茶饼"), &replay);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(replay.id(), first.id());
  EXPECT_EQ(CountRows(db(), "products"), products);
}

}  // namespace
}  // namespace cooplink::testing
