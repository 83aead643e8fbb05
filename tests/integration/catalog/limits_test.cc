// Every limit catalog.proto states for a request field (services/catalog/catalog_limits.h, tied to
// the proto comments by tests/unit/common/limits_contract_test.cc), walked through real gRPC just
// below, at and just above each bound (tests/support/limit_walker.h), and the contract's defaults
// that the walk only sees as "not refused": a min_order_quantity of 0 is stored as 1, a product
// sold by the piece keeps its shipping weight, a stock CORRECTION needs no note.
#include <gtest/gtest.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "services/catalog/catalog_limits.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "tests/support/catalog_fixture.h"
#include "tests/support/limit_walker.h"

namespace cooplink::testing {
namespace {

using Stub = cv1::CatalogService::Stub;
using grpc::StatusCode;

class CatalogLimitsTest : public CatalogFixture {
 protected:
  // A product body with every limited field present, so the walk reaches each of them: a tea cake
  // sold by the piece with its shipping weight, one label, one image.
  cv1::Product FullBody(const CoopWorld& w) {
    cv1::Product p = ProductBody(w);
    p.mutable_unit()->set_unit_weight_grams(357);
    p.set_compliance_certificate_number("HG-530828-2026-0001");
    return p;
  }
  cv1::Product Create(const CoopWorld& w, const cv1::Product& body) {
    cv1::CreateProductRequest req;
    req.set_request_id(NewRequestId());
    *req.mutable_product() = body;
    cv1::Product out;
    grpc::Status s = catalog().CreateProduct(Ctx(w.admin_token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_F(CatalogLimitsTest, EveryDocumentedLimitIsEnforcedExactly) {
  const CoopWorld w = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product body = FullBody(w);
  const cv1::Product draft = Create(w, body);
  const cv1::Product lifecycle = Create(w, body);
  const cv1::Product active = ActiveProduct(w, /*on_hand=*/1'000'000);
  const cv1::Offer offer = OfferTo(active, partner, w.admin_token);
  const std::string token = admin();

  LimitWalker walker(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                         cv1::CatalogService::service_full_name()),
                     catalog::kCatalogLimits, Today(clock_->Now()));
  walker.Elements(catalog::limits::kProduct, "labels", [](google::protobuf::Message* m, int n) {
    static const char* const kCodes[] = {"en", "ii", "th", "bo", "ug", "za", "mn", "ko",
                                         "ja", "fr", "de", "es", "vi", "lo", "my"};
    auto* product = static_cast<cv1::Product*>(m);
    product->clear_labels();
    for (int i = 0; i < n; ++i) {
      auto* label = product->add_labels();
      label->set_language_code(kCodes[i]);
      label->set_title("Pu'er tea cake");
    }
  });
  walker.Elements("cooplink.catalog.v1.CreateReservationRequest", "lines",
                  [&active](google::protobuf::Message* m, int n) {
                    auto* req = static_cast<cv1::CreateReservationRequest*>(m);
                    req->clear_lines();
                    for (int i = 0; i < n; ++i) {
                      auto* line = req->add_lines();
                      // Distinct products: the real one first, then ids that name nothing.
                      line->set_product_id(i == 0 ? active.id() : NewId(absl::Now()));
                      line->set_quantity(1);
                    }
                  });

  walker.Elements("cooplink.catalog.v1.BatchGetPartnerListingsRequest", "product_ids",
                  [](google::protobuf::Message* m, int n) {
                    auto* req = static_cast<cv1::BatchGetPartnerListingsRequest*>(m);
                    req->clear_product_ids();
                    for (int i = 0; i < n; ++i) req->add_product_ids(NewId(absl::Now()));
                  });

  walker.Rpc<cv1::CreateProductRequest, cv1::Product>(catalog(), &Stub::CreateProduct, token, [&] {
    cv1::CreateProductRequest req;
    *req.mutable_product() = body;
    return req;
  });
  walker.Rpc<cv1::ListProductsRequest, cv1::ListProductsResponse>(
      catalog(), &Stub::ListProducts, token, [] { return cv1::ListProductsRequest(); });
  walker.Rpc<cv1::UpdateProductRequest, cv1::Product>(catalog(), &Stub::UpdateProduct, token, [&] {
    cv1::UpdateProductRequest req;
    *req.mutable_product() = body;
    req.mutable_product()->set_id(draft.id());
    for (const char* path :
         {"title", "description", "labels", "category", "unit", "price", "min_order_quantity",
          "origin_region_code", "image_urls", "certifications", "compliance_certificate_number"}) {
      req.mutable_update_mask()->add_paths(path);
    }
    return req;
  });
  walker.Rpc<cv1::SubmitProductRequest, cv1::Product>(catalog(), &Stub::SubmitProduct, token, [&] {
    cv1::SubmitProductRequest req;
    req.set_product_id(lifecycle.id());
    return req;
  });
  walker.Rpc<cv1::ApproveProductRequest, cv1::Product>(catalog(), &Stub::ApproveProduct, token,
                                                       [&] {
                                                         cv1::ApproveProductRequest req;
                                                         req.set_product_id(lifecycle.id());
                                                         return req;
                                                       });
  walker.Rpc<cv1::RejectProductRequest, cv1::Product>(catalog(), &Stub::RejectProduct, token, [&] {
    cv1::RejectProductRequest req;
    req.set_product_id(lifecycle.id());
    req.set_reason("图片不清晰");
    return req;
  });
  walker.Rpc<cv1::PauseProductRequest, cv1::Product>(catalog(), &Stub::PauseProduct, token, [&] {
    cv1::PauseProductRequest req;
    req.set_product_id(lifecycle.id());
    return req;
  });
  walker.Rpc<cv1::ResumeProductRequest, cv1::Product>(catalog(), &Stub::ResumeProduct, token, [&] {
    cv1::ResumeProductRequest req;
    req.set_product_id(lifecycle.id());
    return req;
  });
  walker.Rpc<cv1::ArchiveProductRequest, cv1::Product>(catalog(), &Stub::ArchiveProduct, token,
                                                       [&] {
                                                         cv1::ArchiveProductRequest req;
                                                         req.set_product_id(lifecycle.id());
                                                         return req;
                                                       });
  walker.Rpc<cv1::ListProductTransitionsRequest, cv1::ListProductTransitionsResponse>(
      catalog(), &Stub::ListProductTransitions, token, [&] {
        cv1::ListProductTransitionsRequest req;
        req.set_product_id(active.id());
        return req;
      });
  walker.Rpc<cv1::ListPriceChangesRequest, cv1::ListPriceChangesResponse>(
      catalog(), &Stub::ListPriceChanges, token, [&] {
        cv1::ListPriceChangesRequest req;
        req.set_product_id(active.id());
        return req;
      });
  walker.Rpc<cv1::SearchProductsRequest, cv1::SearchProductsResponse>(
      catalog(), &Stub::SearchProducts, token, [] {
        cv1::SearchProductsRequest req;
        req.set_query("普洱");
        return req;
      });
  walker.Rpc<cv1::CreateLotRequest, cv1::Lot>(catalog(), &Stub::CreateLot, token, [&] {
    cv1::CreateLotRequest req;
    req.mutable_lot()->set_product_id(active.id());
    req.mutable_lot()->set_lot_code(absl::StrCat("L", NextSequence()));
    *req.mutable_lot()->mutable_harvest_date() = ToDate(Today(clock_->Now()));
    req.mutable_lot()->set_quantity(10);
    return req;
  });
  walker.Rpc<cv1::ListLotsRequest, cv1::ListLotsResponse>(catalog(), &Stub::ListLots, token, [&] {
    cv1::ListLotsRequest req;
    req.set_product_id(active.id());
    return req;
  });
  walker.Rpc<cv1::AdjustStockRequest, cv1::Stock>(catalog(), &Stub::AdjustStock, token, [&] {
    cv1::AdjustStockRequest req;
    req.set_product_id(active.id());
    req.set_delta(5);
    req.set_reason(cv1::STOCK_ADJUSTMENT_REASON_CORRECTION);  // either sign, no note needed
    return req;
  });
  walker.Rpc<cv1::CreateReservationRequest, cv1::Reservation>(
      catalog(), &Stub::CreateReservation, token, [&] {
        cv1::CreateReservationRequest req;
        req.set_partner_id(partner.partner.id());
        auto* line = req.add_lines();
        line->set_product_id(active.id());
        line->set_quantity(1);
        return req;
      });
  walker.Rpc<cv1::CommitReservationRequest, cv1::Reservation>(
      catalog(), &Stub::CommitReservation, token, [] {
        cv1::CommitReservationRequest req;
        req.set_reservation_id("no-such-reservation");
        return req;
      });
  walker.Rpc<cv1::ReleaseReservationRequest, cv1::Reservation>(
      catalog(), &Stub::ReleaseReservation, token, [] {
        cv1::ReleaseReservationRequest req;
        req.set_reservation_id("no-such-reservation");
        return req;
      });
  walker.Rpc<cv1::ListReservationsRequest, cv1::ListReservationsResponse>(
      catalog(), &Stub::ListReservations, token, [] { return cv1::ListReservationsRequest(); });
  walker.Rpc<cv1::CreateOfferRequest, cv1::Offer>(catalog(), &Stub::CreateOffer, token, [&] {
    cv1::CreateOfferRequest req;
    req.mutable_offer()->set_product_id(active.id());
    req.mutable_offer()->set_partner_id(partner.partner.id());
    req.mutable_offer()->mutable_channel_price()->set_fen(26800);
    return req;
  });
  walker.Rpc<cv1::ListOffersRequest, cv1::ListOffersResponse>(
      catalog(), &Stub::ListOffers, token, [] { return cv1::ListOffersRequest(); });
  walker.Rpc<cv1::ListPartnerListingsRequest, cv1::ListPartnerListingsResponse>(
      catalog(), &Stub::ListPartnerListings, token, [&] {
        cv1::ListPartnerListingsRequest req;
        req.set_partner_id(partner.partner.id());
        return req;
      });
  walker.Rpc<cv1::BatchGetPartnerListingsRequest, cv1::BatchGetPartnerListingsResponse>(
      catalog(), &Stub::BatchGetPartnerListings, token, [&] {
        cv1::BatchGetPartnerListingsRequest req;
        req.set_partner_id(partner.partner.id());
        req.add_product_ids(active.id());
        return req;
      });
  walker.Rpc<cv1::WithdrawOfferRequest, cv1::Offer>(catalog(), &Stub::WithdrawOffer, token, [&] {
    cv1::WithdrawOfferRequest req;
    req.set_offer_id(offer.id());
    return req;
  });

  const LimitWalker::Totals totals = walker.Walk();
  std::cout << "catalog: " << totals.limits << " limits (" << totals.entries
            << " table entries) over " << totals.rpcs << " RPCs, " << totals.probes << " calls, "
            << totals.ok << " succeeded\n";
  RecordProperty("limits", totals.limits);
  RecordProperty("probes", totals.probes);
  EXPECT_GE(totals.rpcs, 20);
}

TEST_F(CatalogLimitsTest, MinOrderQuantityZeroOnCreateMeansOne) {
  const CoopWorld w = NewCoop();
  cv1::Product body = FullBody(w);
  body.set_min_order_quantity(0);
  EXPECT_EQ(Create(w, body).min_order_quantity(), 1);
  body.set_min_order_quantity(10'000);
  EXPECT_EQ(Create(w, body).min_order_quantity(), 10'000);
}

TEST_F(CatalogLimitsTest, AProductSoldByThePieceKeepsItsShippingWeight) {
  const CoopWorld w = NewCoop();
  const cv1::Product cake = Create(w, FullBody(w));  // a 357 g tea cake, sold per cake
  EXPECT_FALSE(cake.unit().sold_by_weight());
  EXPECT_EQ(cake.unit().unit_weight_grams(), 357);
  cv1::GetProductRequest get;
  get.set_id(cake.id());
  cv1::Product read;
  ASSERT_TRUE(catalog().GetProduct(Ctx(w.admin_token).get(), get, &read).ok());
  EXPECT_EQ(read.unit().unit_weight_grams(), 357);
}

TEST_F(CatalogLimitsTest, ACorrectionNeedsNoNote) {
  const CoopWorld w = NewCoop();
  const cv1::Product p = ActiveProduct(w, /*on_hand=*/10);
  cv1::AdjustStockRequest req;
  req.set_request_id(NewRequestId());
  req.set_product_id(p.id());
  req.set_delta(-3);
  req.set_reason(cv1::STOCK_ADJUSTMENT_REASON_CORRECTION);
  cv1::Stock stock;
  grpc::Status s = catalog().AdjustStock(Ctx(w.admin_token).get(), req, &stock);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(stock.on_hand(), 7);
}

}  // namespace
}  // namespace cooplink::testing
