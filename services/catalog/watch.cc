// Placeholder: replaced by the real implementation.
#include "services/catalog/catalog.h"

namespace cooplink::catalog {

absl::StatusOr<int64_t> Catalog::StartWatch(const Principal&, const std::string&) {
  return absl::UnimplementedError("WatchCatalogChanges");
}
absl::StatusOr<int64_t> Catalog::ReadChanges(const Principal&, int64_t, int,
                                             std::vector<v1::CatalogChange>*) {
  return absl::UnimplementedError("WatchCatalogChanges");
}
std::string Catalog::EncodeCursor(int64_t sequence) { return std::to_string(sequence); }

}  // namespace cooplink::catalog
