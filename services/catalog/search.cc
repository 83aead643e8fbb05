// Placeholder: replaced by the real implementation.
#include "services/catalog/catalog.h"
#include "services/catalog/internal.h"

namespace cooplink::catalog {

void IndexProduct(Tx&, const v1::Product&) {}

absl::Status Catalog::SearchProducts(const Principal&, const v1::SearchProductsRequest&, v1::SearchProductsResponse*) {
  return absl::UnimplementedError("SearchProducts");
}

}  // namespace cooplink::catalog
