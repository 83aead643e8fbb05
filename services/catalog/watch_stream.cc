// Placeholder: replaced by the real implementation.
#include "services/catalog/catalog_grpc.h"

namespace cooplink::catalog {

grpc::ServerWriteReactor<v1::CatalogChange>* CatalogGrpc::WatchCatalogChanges(
    grpc::CallbackServerContext*, const v1::WatchCatalogChangesRequest*) {
  class Refuse : public grpc::ServerWriteReactor<v1::CatalogChange> {
   public:
    Refuse() { Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not yet")); }
    void OnDone() override { delete this; }
  };
  return new Refuse();
}

}  // namespace cooplink::catalog
