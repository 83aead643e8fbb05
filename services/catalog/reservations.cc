// Placeholder: replaced by the real implementation.
#include "services/catalog/catalog.h"

namespace cooplink::catalog {

absl::Status Catalog::CreateReservation(const Principal&, const v1::CreateReservationRequest&, v1::Reservation*) {
  return absl::UnimplementedError("CreateReservation");
}

absl::Status Catalog::GetReservation(const Principal&, const v1::GetReservationRequest&, v1::Reservation*) {
  return absl::UnimplementedError("GetReservation");
}

absl::Status Catalog::CommitReservation(const Principal&, const v1::CommitReservationRequest&, v1::Reservation*) {
  return absl::UnimplementedError("CommitReservation");
}

absl::Status Catalog::ReleaseReservation(const Principal&, const v1::ReleaseReservationRequest&, v1::Reservation*) {
  return absl::UnimplementedError("ReleaseReservation");
}

absl::StatusOr<int> Catalog::ExpireReservations(int) { return 0; }

}  // namespace cooplink::catalog
