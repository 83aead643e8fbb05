// The gRPC adapter: one line per unary RPC (RpcRunner: authentication, worker pool, status
// conversion, access log) and one for the WatchCatalogChanges server stream (RpcRunner::Stream
// over CatalogChangeSource, watch_stream.cc).
#ifndef COOPLINK_SERVICES_CATALOG_CATALOG_GRPC_H_
#define COOPLINK_SERVICES_CATALOG_CATALOG_GRPC_H_

#include "absl/time/time.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/common/event_stream.h"
#include "services/common/server.h"

namespace cooplink::catalog {

// Poll and heartbeat intervals of WatchCatalogChanges streams.
using WatchOptions = StreamOptions;

// The change feed as an event stream (watch_stream.cc over watch.cc).
class CatalogChangeSource final : public EventSource<v1::CatalogChange> {
 public:
  explicit CatalogChangeSource(Catalog* catalog) : catalog_(catalog) {}
  absl::StatusOr<int64_t> Start(const CallContext& call, const StreamStart& start) override;
  absl::StatusOr<int64_t> Read(const CallContext& call, int64_t after, int limit,
                               std::vector<v1::CatalogChange>* out) override;
  v1::CatalogChange Heartbeat(int64_t position) override;

 private:
  Catalog* catalog_;
};

class CatalogGrpc final : public v1::CatalogService::CallbackService {
 public:
  // Unary calls and streams alike run on `runner`'s pool and authenticate through it.
  CatalogGrpc(Catalog* catalog, RpcRunner* runner, WatchOptions watch)
      : catalog_(catalog), runner_(runner), changes_(catalog), watch_(watch) {}

#define COOPLINK_CATALOG_RPC(Method, Request, Reply)                                         \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* req, \
                                   v1::Reply* reply) override {                              \
    return runner_->Unary(ctx, #Method, [this, req, reply](const CallContext& call) {        \
      return catalog_->Method(call, *req, reply);                                            \
    });                                                                                      \
  }

  COOPLINK_CATALOG_RPC(CreateProduct, CreateProductRequest, Product)
  COOPLINK_CATALOG_RPC(GetProduct, GetProductRequest, Product)
  COOPLINK_CATALOG_RPC(ListProducts, ListProductsRequest, ListProductsResponse)
  COOPLINK_CATALOG_RPC(UpdateProduct, UpdateProductRequest, Product)
  COOPLINK_CATALOG_RPC(SubmitProduct, SubmitProductRequest, Product)
  COOPLINK_CATALOG_RPC(ApproveProduct, ApproveProductRequest, Product)
  COOPLINK_CATALOG_RPC(RejectProduct, RejectProductRequest, Product)
  COOPLINK_CATALOG_RPC(PauseProduct, PauseProductRequest, Product)
  COOPLINK_CATALOG_RPC(ResumeProduct, ResumeProductRequest, Product)
  COOPLINK_CATALOG_RPC(ArchiveProduct, ArchiveProductRequest, Product)
  COOPLINK_CATALOG_RPC(ListProductTransitions, ListProductTransitionsRequest,
                       ListProductTransitionsResponse)
  COOPLINK_CATALOG_RPC(ListPriceChanges, ListPriceChangesRequest, ListPriceChangesResponse)
  COOPLINK_CATALOG_RPC(SearchProducts, SearchProductsRequest, SearchProductsResponse)
  COOPLINK_CATALOG_RPC(CreateLot, CreateLotRequest, Lot)
  COOPLINK_CATALOG_RPC(ListLots, ListLotsRequest, ListLotsResponse)
  COOPLINK_CATALOG_RPC(AdjustStock, AdjustStockRequest, Stock)
  COOPLINK_CATALOG_RPC(GetStock, GetStockRequest, Stock)
  COOPLINK_CATALOG_RPC(CreateReservation, CreateReservationRequest, Reservation)
  COOPLINK_CATALOG_RPC(GetReservation, GetReservationRequest, Reservation)
  COOPLINK_CATALOG_RPC(ListReservations, ListReservationsRequest, ListReservationsResponse)
  COOPLINK_CATALOG_RPC(CommitReservation, CommitReservationRequest, Reservation)
  COOPLINK_CATALOG_RPC(ReleaseReservation, ReleaseReservationRequest, Reservation)
  COOPLINK_CATALOG_RPC(CreateOffer, CreateOfferRequest, Offer)
  COOPLINK_CATALOG_RPC(ListOffers, ListOffersRequest, ListOffersResponse)
  COOPLINK_CATALOG_RPC(WithdrawOffer, WithdrawOfferRequest, Offer)
  COOPLINK_CATALOG_RPC(ListPartnerListings, ListPartnerListingsRequest, ListPartnerListingsResponse)
  COOPLINK_CATALOG_RPC(BatchGetPartnerListings, BatchGetPartnerListingsRequest,
                       BatchGetPartnerListingsResponse)

#undef COOPLINK_CATALOG_RPC

  // Server stream: backlog after the cursor, then live changes and heartbeats (watch_stream.cc).
  grpc::ServerWriteReactor<v1::CatalogChange>* WatchCatalogChanges(
      grpc::CallbackServerContext* ctx, const v1::WatchCatalogChangesRequest* req) override;

  // Called before the server drains: every open watch ends at its next poll with UNAVAILABLE
  // (the client resumes elsewhere with its last cursor) instead of holding shutdown for the whole
  // drain timeout.
  void StopWatches() { runner_->StopStreams(); }

 private:
  Catalog* catalog_;
  RpcRunner* runner_;
  CatalogChangeSource changes_;
  WatchOptions watch_;
};

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CATALOG_GRPC_H_
