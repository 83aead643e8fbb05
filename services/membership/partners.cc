// Placeholder: replaced by the real implementation.
#include "services/membership/membership.h"

namespace cooplink::membership {

absl::Status Membership::CreatePartner(const Principal&, const v1::CreatePartnerRequest&, v1::Partner*) {
  return absl::UnimplementedError("CreatePartner");
}

absl::Status Membership::GetPartner(const Principal&, const v1::GetPartnerRequest&, v1::Partner*) {
  return absl::UnimplementedError("GetPartner");
}

absl::Status Membership::ListPartners(const Principal&, const v1::ListPartnersRequest&, v1::ListPartnersResponse*) {
  return absl::UnimplementedError("ListPartners");
}

absl::Status Membership::UpdatePartner(const Principal&, const v1::UpdatePartnerRequest&, v1::Partner*) {
  return absl::UnimplementedError("UpdatePartner");
}

}  // namespace cooplink::membership
