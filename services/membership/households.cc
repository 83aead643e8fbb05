// Placeholder: replaced by the real implementation.
#include "services/membership/membership.h"

namespace cooplink::membership {

absl::Status Membership::CreateHousehold(const Principal&, const v1::CreateHouseholdRequest&, v1::Household*) {
  return absl::UnimplementedError("CreateHousehold");
}

absl::Status Membership::GetHousehold(const Principal&, const v1::GetHouseholdRequest&, v1::Household*) {
  return absl::UnimplementedError("GetHousehold");
}

absl::Status Membership::ListHouseholds(const Principal&, const v1::ListHouseholdsRequest&, v1::ListHouseholdsResponse*) {
  return absl::UnimplementedError("ListHouseholds");
}

absl::Status Membership::UpdateHousehold(const Principal&, const v1::UpdateHouseholdRequest&, v1::Household*) {
  return absl::UnimplementedError("UpdateHousehold");
}

absl::Status Membership::ChangeMonitoringCategory(const Principal&, const v1::ChangeMonitoringCategoryRequest&, v1::Household*) {
  return absl::UnimplementedError("ChangeMonitoringCategory");
}

absl::Status Membership::ListCategoryChanges(const Principal&, const v1::ListCategoryChangesRequest&, v1::ListCategoryChangesResponse*) {
  return absl::UnimplementedError("ListCategoryChanges");
}

}  // namespace cooplink::membership
