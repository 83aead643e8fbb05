// The rules of offers, apart from storage: who manages offers, which products may be offered,
// the 832 platform's eligibility rule and the offer lifecycle (ACTIVE -> WITHDRAWN, final).
// Pure functions: no SQL, no transaction, no gRPC.
#ifndef COOPLINK_SERVICES_CATALOG_OFFER_RULES_H_
#define COOPLINK_SERVICES_CATALOG_OFFER_RULES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "cooplink/common/v1/common.pb.h"
#include "services/catalog/catalog_limits.h"
#include "services/common/auth.h"
#include "services/common/status.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// Field checks of CreateOffer's offer (ids and the optional channel price, kChannelPrice).
void ValidateOffer(FieldViolations& v, const v1::Offer& offer);

// Platform admin, or the admin of the product's cooperative; anyone else reads NOT_FOUND
// (`resource` "product" or "offer", `id` its id): offers are not their business.
absl::Status RequireOfferManager(const Principal& p, const std::string& cooperative_id,
                                 const std::string& resource, const std::string& id);

// FAILED_PRECONDITION PRODUCT_NOT_ACTIVE unless the product is ACTIVE.
absl::Status CheckOfferable(const v1::Product& product);

// Whether an offer to a partner of this channel must pass the 832 rule.
bool Needs832Eligibility(common::v1::ChannelKind channel);
// The 832 rule: both the product's origin county and the cooperative's county are on the list of
// eligible counties; FAILED_PRECONDITION NOT_ELIGIBLE_FOR_832 otherwise.
absl::Status Check832Eligibility(bool origin_eligible, bool cooperative_region_eligible);

// FAILED_PRECONDITION INVALID_STATE_TRANSITION unless the offer is ACTIVE.
absl::Status CheckWithdrawable(const v1::Offer& offer);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_OFFER_RULES_H_
