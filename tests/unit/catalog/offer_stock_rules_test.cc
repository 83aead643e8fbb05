// Offer rules (managers, offerable products, the 832 rule, withdrawal) and stock rules (lots and
// adjustments at, below and above their limits; the INSUFFICIENT_STOCK details), without a
// database.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/catalog/offer_rules.h"
#include "services/catalog/stock_rules.h"
#include "services/common/status.h"

namespace cooplink::catalog {
namespace {

constexpr char kCoop[] = "01COOPA0000000000000000000";
constexpr char kProductId[] = "01PRD00000000000000000000A";
constexpr char kPartnerId[] = "01PTN00000000000000000000A";

TEST(OfferRulesTest, ChannelPriceLimits) {
  v1::Offer offer;
  offer.set_product_id(kProductId);
  offer.set_partner_id(kPartnerId);
  FieldViolations none;
  ValidateOffer(none, offer);  // no channel price: the product's price applies
  EXPECT_TRUE(none.empty());
  for (int64_t fen : {int64_t{1}, kChannelPrice.max}) {
    offer.mutable_channel_price()->set_fen(fen);
    FieldViolations v;
    ValidateOffer(v, offer);
    EXPECT_TRUE(v.empty()) << fen;
  }
  for (int64_t fen : {int64_t{0}, kChannelPrice.max + 1}) {
    offer.mutable_channel_price()->set_fen(fen);
    FieldViolations v;
    ValidateOffer(v, offer);
    EXPECT_FALSE(v.empty()) << fen;
  }
}

TEST(OfferRulesTest, OnlyPlatformAdminsAndTheCooperativesAdminManageOffers) {
  Principal p;
  p.role = Role::kPlatformAdmin;
  EXPECT_TRUE(RequireOfferManager(p, kCoop, "offer", "o").ok());
  p.role = Role::kCooperativeAdmin;
  p.cooperative_id = kCoop;
  EXPECT_TRUE(RequireOfferManager(p, kCoop, "offer", "o").ok());
  EXPECT_EQ(RequireOfferManager(p, "01COOPB0000000000000000000", "offer", "o").code(),
            absl::StatusCode::kNotFound);
  for (Role role : {Role::kSocialWorker, Role::kMember, Role::kPartner, Role::kUnspecified}) {
    p.role = role;
    EXPECT_EQ(RequireOfferManager(p, kCoop, "product", "x").code(), absl::StatusCode::kNotFound);
  }
}

TEST(OfferRulesTest, OnlyActiveProductsAreOffered) {
  v1::Product product;
  for (int s = 0; s <= v1::ProductState_MAX; ++s) {
    product.set_state(static_cast<v1::ProductState>(s));
    const absl::Status status = CheckOfferable(product);
    if (s == v1::PRODUCT_STATE_ACTIVE) {
      EXPECT_TRUE(status.ok());
    } else {
      EXPECT_EQ(ReasonOf(status), "PRODUCT_NOT_ACTIVE") << s;
    }
  }
}

TEST(OfferRulesTest, Eligibility832NeedsBothCounties) {
  EXPECT_TRUE(Needs832Eligibility(common::v1::CHANNEL_KIND_PLATFORM_832));
  for (auto kind : {common::v1::CHANNEL_KIND_UNSPECIFIED, common::v1::CHANNEL_KIND_ECOMMERCE,
                    common::v1::CHANNEL_KIND_WECHAT_SHOP, common::v1::CHANNEL_KIND_LIVE_COMMERCE,
                    common::v1::CHANNEL_KIND_OTHER}) {
    EXPECT_FALSE(Needs832Eligibility(kind)) << kind;
  }
  EXPECT_TRUE(Check832Eligibility(true, true).ok());
  for (auto [origin, region] : {std::pair{true, false}, {false, true}, {false, false}}) {
    const absl::Status s = Check832Eligibility(origin, region);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(s), "NOT_ELIGIBLE_FOR_832");
  }
}

TEST(OfferRulesTest, OnlyActiveOffersAreWithdrawn) {
  v1::Offer offer;
  offer.set_state(v1::OFFER_STATE_ACTIVE);
  EXPECT_TRUE(CheckWithdrawable(offer).ok());
  offer.set_state(v1::OFFER_STATE_WITHDRAWN);
  EXPECT_EQ(ReasonOf(CheckWithdrawable(offer)), "INVALID_STATE_TRANSITION");
}

v1::Lot ValidLotProto() {
  v1::Lot lot;
  lot.set_product_id(kProductId);
  lot.set_lot_code("  2026-SPRING_1 ");
  lot.mutable_harvest_date()->set_year(2026);
  lot.mutable_harvest_date()->set_month(3);
  lot.mutable_harvest_date()->set_day(1);
  lot.set_quantity(100);
  return lot;
}

TEST(StockRulesTest, LotCodes) {
  EXPECT_TRUE(IsLotCode("A"));
  EXPECT_TRUE(IsLotCode(std::string(static_cast<size_t>(kLotCode.max), 'a')));
  EXPECT_FALSE(IsLotCode(std::string(static_cast<size_t>(kLotCode.max) + 1, 'a')));
  EXPECT_FALSE(IsLotCode(""));
  EXPECT_FALSE(IsLotCode("a b"));
  EXPECT_FALSE(IsLotCode("批次"));
}

TEST(StockRulesTest, LotValidation) {
  const absl::CivilDay today(2026, 3, 1);
  FieldViolations v;
  auto lot = ValidateLot(v, ValidLotProto(), today);
  ASSERT_TRUE(lot.has_value());
  EXPECT_EQ(lot->code, "2026-SPRING_1");
  EXPECT_EQ(lot->harvest, today);
  FieldViolations future;
  EXPECT_FALSE(ValidateLot(future, ValidLotProto(), today - 1).has_value());
  EXPECT_FALSE(future.empty());
  for (int64_t q : {int64_t{0}, kLotQuantity.max + 1}) {
    v1::Lot bad = ValidLotProto();
    bad.set_quantity(q);
    FieldViolations w;
    EXPECT_FALSE(ValidateLot(w, bad, today).has_value()) << q;
  }
  v1::Lot max = ValidLotProto();
  max.set_quantity(kLotQuantity.max);
  FieldViolations w;
  EXPECT_TRUE(ValidateLot(w, max, today).has_value());
}

v1::AdjustStockRequest Adjustment(int64_t delta, v1::StockAdjustmentReason reason,
                                  const std::string& note = "") {
  v1::AdjustStockRequest req;
  req.set_product_id(kProductId);
  req.set_delta(delta);
  req.set_reason(reason);
  req.set_note(note);
  return req;
}

bool Valid(const v1::AdjustStockRequest& req) {
  FieldViolations v;
  ValidateAdjustment(v, req);
  return v.empty();
}

TEST(StockRulesTest, AdjustmentSignsSuitTheirReasons) {
  EXPECT_TRUE(Valid(Adjustment(5, v1::STOCK_ADJUSTMENT_REASON_RESTOCK)));
  EXPECT_FALSE(Valid(Adjustment(-5, v1::STOCK_ADJUSTMENT_REASON_RESTOCK)));
  EXPECT_TRUE(Valid(Adjustment(5, v1::STOCK_ADJUSTMENT_REASON_RETURN)));
  EXPECT_FALSE(Valid(Adjustment(-5, v1::STOCK_ADJUSTMENT_REASON_RETURN)));
  EXPECT_TRUE(Valid(Adjustment(-5, v1::STOCK_ADJUSTMENT_REASON_SPOILAGE)));
  EXPECT_FALSE(Valid(Adjustment(5, v1::STOCK_ADJUSTMENT_REASON_SPOILAGE)));
  EXPECT_TRUE(Valid(Adjustment(-5, v1::STOCK_ADJUSTMENT_REASON_CORRECTION)));  // no note needed
  EXPECT_TRUE(Valid(Adjustment(-5, v1::STOCK_ADJUSTMENT_REASON_CORRECTION, "recount")));
  EXPECT_FALSE(Valid(Adjustment(5, v1::STOCK_ADJUSTMENT_REASON_UNSPECIFIED)));
  EXPECT_FALSE(Valid(Adjustment(0, v1::STOCK_ADJUSTMENT_REASON_RESTOCK)));
  EXPECT_TRUE(Valid(Adjustment(kStockDelta.max, v1::STOCK_ADJUSTMENT_REASON_RESTOCK)));
  EXPECT_FALSE(Valid(Adjustment(kStockDelta.max + 1, v1::STOCK_ADJUSTMENT_REASON_RESTOCK)));
  EXPECT_TRUE(Valid(Adjustment(-kStockDelta.max, v1::STOCK_ADJUSTMENT_REASON_SPOILAGE)));
  EXPECT_FALSE(Valid(Adjustment(-kStockDelta.max - 1, v1::STOCK_ADJUSTMENT_REASON_SPOILAGE)));
  EXPECT_TRUE(Valid(Adjustment(1, v1::STOCK_ADJUSTMENT_REASON_RESTOCK,
                               std::string(static_cast<size_t>(kStockNote.max), 'n'))));
  EXPECT_FALSE(Valid(Adjustment(1, v1::STOCK_ADJUSTMENT_REASON_RESTOCK,
                                std::string(static_cast<size_t>(kStockNote.max) + 1, 'n'))));
}

TEST(StockRulesTest, ArchivedProductsTakeNoStock) {
  v1::Product product;
  for (int s = 0; s <= v1::ProductState_MAX; ++s) {
    product.set_state(static_cast<v1::ProductState>(s));
    EXPECT_EQ(CheckTakesStock(product).ok(), s != v1::PRODUCT_STATE_ARCHIVED) << s;
  }
}

// INSUFFICIENT_STOCK carries every short product's available units as ErrorInfo metadata (what a
// program reads) and describes the first few in a PreconditionFailure (what a person reads).
TEST(StockRulesTest, InsufficientStockCarriesTheAvailableUnitsOfEveryShortProduct) {
  std::vector<StockShortfall> shortfalls;
  for (int i = 0; i < 7; ++i) {
    shortfalls.push_back({absl::StrCat("01PRD0000000000000000000", i, "A"), 10 + i, i});
  }
  const absl::Status s = InsufficientStock(shortfalls);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
  const auto metadata = ReasonMetadataOf(s);
  ASSERT_EQ(metadata.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(metadata.at(absl::StrCat("available_", shortfalls[i].product_id)), absl::StrCat(i));
  }
  EXPECT_EQ(s.message(),
            "not enough available stock: product 01PRD00000000000000000000A requested 10, "
            "available 0; 6 more short line(s) in the ErrorInfo metadata");
  auto payload = s.GetPayload("type.googleapis.com/google.rpc.PreconditionFailure");
  ASSERT_TRUE(payload.has_value());
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(failure.ParseFromString(std::string(*payload)));
  ASSERT_EQ(failure.violations_size(), static_cast<int>(kMaxDescribedShortfalls));
  EXPECT_EQ(failure.violations(1).type(), "INSUFFICIENT_STOCK");
  EXPECT_EQ(failure.violations(1).subject(), shortfalls[1].product_id);
  EXPECT_EQ(failure.violations(1).description(), "requested 11, available 1");

  const absl::Status one = InsufficientStock({{"01PRD00000000000000000000A", 5, 2}});
  EXPECT_EQ(one.message(),
            "not enough available stock: product 01PRD00000000000000000000A requested 5, "
            "available 2");

  const absl::Status lot = InsufficientLot("01LOT00000000000000000000A", 8, 3);
  EXPECT_EQ(ReasonOf(lot), "INSUFFICIENT_STOCK");
  EXPECT_EQ(
      ReasonMetadataOf(lot),
      (std::map<std::string, std::string>{{"lot_remaining_01LOT00000000000000000000A", "3"}}));
}

}  // namespace
}  // namespace cooplink::catalog
