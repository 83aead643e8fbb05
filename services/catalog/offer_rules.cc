#include "services/catalog/offer_rules.h"

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink::catalog {

void ValidateOffer(FieldViolations& v, const v1::Offer& offer) {
  CheckId(v, "offer.product_id", offer.product_id());
  CheckId(v, "offer.partner_id", offer.partner_id());
  CheckFen(v, "offer.channel_price.fen", offer.has_channel_price(), offer.channel_price(),
           kChannelPrice);
}

absl::Status RequireOfferManager(const Principal& p, const std::string& cooperative_id,
                                 const std::string& resource, const std::string& id) {
  if (p.is(Role::kPlatformAdmin)) return absl::OkStatus();
  if (p.is(Role::kCooperativeAdmin) && p.cooperative_id == cooperative_id) {
    return absl::OkStatus();
  }
  return NotFound(resource, id);
}

absl::Status CheckOfferable(const v1::Product& product) {
  if (product.state() != v1::PRODUCT_STATE_ACTIVE) {
    return FailedPrecondition("PRODUCT_NOT_ACTIVE",
                              absl::StrCat("only ACTIVE products can be offered; the product is ",
                                           v1::ProductState_Name(product.state())));
  }
  return absl::OkStatus();
}

bool Needs832Eligibility(common::v1::ChannelKind channel) {
  return channel == common::v1::CHANNEL_KIND_PLATFORM_832;
}

absl::Status Check832Eligibility(bool origin_eligible, bool cooperative_region_eligible) {
  if (origin_eligible && cooperative_region_eligible) return absl::OkStatus();
  return FailedPrecondition("NOT_ELIGIBLE_FOR_832",
                            "both the product's origin and the cooperative's region must be "
                            "832 counties");
}

absl::Status CheckWithdrawable(const v1::Offer& offer) {
  if (offer.state() != v1::OFFER_STATE_ACTIVE) {
    return FailedPrecondition("INVALID_STATE_TRANSITION", "the offer is already withdrawn");
  }
  return absl::OkStatus();
}

}  // namespace cooplink::catalog
