// WatchCatalogChanges on the shared event stream (services/common/event_stream.h): the catalog's
// EventSource is the change feed of watch.cc (Catalog::StartWatch / ReadChanges), its heartbeat a
// HEARTBEAT change carrying the cursor of the last sequence examined.
#include "services/catalog/catalog_grpc.h"
#include "services/common/event_stream.h"
#include "services/common/fields.h"

namespace cooplink::catalog {

absl::StatusOr<int64_t> CatalogChangeSource::Start(const CallContext& call,
                                                   const StreamStart& start) {
  return catalog_->StartWatch(call, start.cursor, start.from_now);
}

absl::StatusOr<int64_t> CatalogChangeSource::Read(const CallContext& call, int64_t after, int limit,
                                                  std::vector<v1::CatalogChange>* out) {
  return catalog_->ReadChanges(call, after, limit, out);
}

v1::CatalogChange CatalogChangeSource::Heartbeat(int64_t position) {
  v1::CatalogChange heartbeat;
  heartbeat.set_cursor(Catalog::EncodeCursor(position));
  heartbeat.set_kind(v1::CATALOG_CHANGE_KIND_HEARTBEAT);
  *heartbeat.mutable_change_time() = ToTimestamp(ToMicros(catalog_->clock().Now()));
  return heartbeat;
}

grpc::ServerWriteReactor<v1::CatalogChange>* CatalogGrpc::WatchCatalogChanges(
    grpc::CallbackServerContext* ctx, const v1::WatchCatalogChangesRequest* req) {
  return runner_->Stream<v1::CatalogChange>(ctx, "WatchCatalogChanges", &changes_,
                                            {req->cursor(), req->start_at_now()}, watch_);
}

}  // namespace cooplink::catalog
