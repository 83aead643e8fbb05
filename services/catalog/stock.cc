// Placeholder: replaced by the real implementation.
#include "services/catalog/catalog.h"

namespace cooplink::catalog {

absl::Status Catalog::CreateLot(const Principal&, const v1::CreateLotRequest&, v1::Lot*) {
  return absl::UnimplementedError("CreateLot");
}

absl::Status Catalog::ListLots(const Principal&, const v1::ListLotsRequest&, v1::ListLotsResponse*) {
  return absl::UnimplementedError("ListLots");
}

absl::Status Catalog::AdjustStock(const Principal&, const v1::AdjustStockRequest&, v1::Stock*) {
  return absl::UnimplementedError("AdjustStock");
}

absl::Status Catalog::GetStock(const Principal&, const v1::GetStockRequest&, v1::Stock*) {
  return absl::UnimplementedError("GetStock");
}

}  // namespace cooplink::catalog
