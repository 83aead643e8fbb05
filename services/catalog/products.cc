// Placeholder: replaced by the real implementation.
#include "services/catalog/catalog.h"

namespace cooplink::catalog {

absl::Status Catalog::CreateProduct(const Principal&, const v1::CreateProductRequest&, v1::Product*) {
  return absl::UnimplementedError("CreateProduct");
}

absl::Status Catalog::GetProduct(const Principal&, const v1::GetProductRequest&, v1::Product*) {
  return absl::UnimplementedError("GetProduct");
}

absl::Status Catalog::ListProducts(const Principal&, const v1::ListProductsRequest&, v1::ListProductsResponse*) {
  return absl::UnimplementedError("ListProducts");
}

absl::Status Catalog::UpdateProduct(const Principal&, const v1::UpdateProductRequest&, v1::Product*) {
  return absl::UnimplementedError("UpdateProduct");
}

absl::Status Catalog::SubmitProduct(const Principal&, const v1::SubmitProductRequest&, v1::Product*) {
  return absl::UnimplementedError("SubmitProduct");
}

absl::Status Catalog::ApproveProduct(const Principal&, const v1::ApproveProductRequest&, v1::Product*) {
  return absl::UnimplementedError("ApproveProduct");
}

absl::Status Catalog::RejectProduct(const Principal&, const v1::RejectProductRequest&, v1::Product*) {
  return absl::UnimplementedError("RejectProduct");
}

absl::Status Catalog::PauseProduct(const Principal&, const v1::PauseProductRequest&, v1::Product*) {
  return absl::UnimplementedError("PauseProduct");
}

absl::Status Catalog::ResumeProduct(const Principal&, const v1::ResumeProductRequest&, v1::Product*) {
  return absl::UnimplementedError("ResumeProduct");
}

absl::Status Catalog::ArchiveProduct(const Principal&, const v1::ArchiveProductRequest&, v1::Product*) {
  return absl::UnimplementedError("ArchiveProduct");
}

absl::Status Catalog::ListProductTransitions(const Principal&, const v1::ListProductTransitionsRequest&, v1::ListProductTransitionsResponse*) {
  return absl::UnimplementedError("ListProductTransitions");
}

absl::Status Catalog::ListPriceChanges(const Principal&, const v1::ListPriceChangesRequest&, v1::ListPriceChangesResponse*) {
  return absl::UnimplementedError("ListPriceChanges");
}

}  // namespace cooplink::catalog
