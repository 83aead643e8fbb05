// Placeholder: replaced by the real implementation.
#include "services/catalog/catalog.h"

namespace cooplink::catalog {

absl::Status Catalog::CreateOffer(const Principal&, const v1::CreateOfferRequest&, v1::Offer*) {
  return absl::UnimplementedError("CreateOffer");
}

absl::Status Catalog::ListOffers(const Principal&, const v1::ListOffersRequest&, v1::ListOffersResponse*) {
  return absl::UnimplementedError("ListOffers");
}

absl::Status Catalog::WithdrawOffer(const Principal&, const v1::WithdrawOfferRequest&, v1::Offer*) {
  return absl::UnimplementedError("WithdrawOffer");
}

}  // namespace cooplink::catalog
