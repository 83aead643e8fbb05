// The gRPC adapter: one line per unary RPC (RpcRunner: authentication, worker pool, status
// conversion, access log) and one for the WatchOrderEvents server stream.
#ifndef COOPLINK_SERVICES_ORDERS_ORDERS_GRPC_H_
#define COOPLINK_SERVICES_ORDERS_ORDERS_GRPC_H_

#include "cooplink/orders/v1/orders.grpc.pb.h"
#include "services/common/event_stream.h"
#include "services/common/server.h"
#include "services/orders/orders.h"

namespace cooplink::orders {

class OrdersGrpc final : public v1::OrdersService::CallbackService {
 public:
  OrdersGrpc(Orders* orders, Database* db, RpcRunner* runner, StreamOptions watch)
      : orders_(orders), db_(db), runner_(runner), watch_(watch) {}

#define COOPLINK_ORDERS_RPC(Method, Request, Reply)                                          \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* req, \
                                   v1::Reply* reply) override {                              \
    return runner_->Unary(ctx, #Method, [this, req, reply](const CallContext& call) {        \
      return orders_->Method(call, *req, reply);                                             \
    });                                                                                      \
  }

  COOPLINK_ORDERS_RPC(UpsertPartnerOrder, UpsertPartnerOrderRequest, UpsertPartnerOrderResponse)
  COOPLINK_ORDERS_RPC(GetOrder, GetOrderRequest, Order)
  COOPLINK_ORDERS_RPC(ListOrders, ListOrdersRequest, ListOrdersResponse)
  COOPLINK_ORDERS_RPC(CancelOrder, CancelOrderRequest, Order)
  COOPLINK_ORDERS_RPC(ListFulfilments, ListFulfilmentsRequest, ListFulfilmentsResponse)
  COOPLINK_ORDERS_RPC(MarkFulfilmentPacked, MarkFulfilmentPackedRequest, Fulfilment)
  COOPLINK_ORDERS_RPC(CreateShipment, CreateShipmentRequest, Shipment)
  COOPLINK_ORDERS_RPC(ConfirmDelivery, ConfirmDeliveryRequest, Shipment)
  COOPLINK_ORDERS_RPC(CompleteOrder, CompleteOrderRequest, Order)
  COOPLINK_ORDERS_RPC(CreateAfterSale, CreateAfterSaleRequest, AfterSale)
  COOPLINK_ORDERS_RPC(ApproveAfterSale, ApproveAfterSaleRequest, AfterSale)
  COOPLINK_ORDERS_RPC(RejectAfterSale, RejectAfterSaleRequest, AfterSale)
  COOPLINK_ORDERS_RPC(CompleteAfterSale, CompleteAfterSaleRequest, AfterSale)
  COOPLINK_ORDERS_RPC(CloseAfterSale, CloseAfterSaleRequest, AfterSale)
  COOPLINK_ORDERS_RPC(ListAfterSales, ListAfterSalesRequest, ListAfterSalesResponse)
  COOPLINK_ORDERS_RPC(ListOrdersForReconciliation, ListOrdersForReconciliationRequest,
                      ListOrdersForReconciliationResponse)
  COOPLINK_ORDERS_RPC(GetSettlement, GetSettlementRequest, Settlement)
  COOPLINK_ORDERS_RPC(ListSettlements, ListSettlementsRequest, ListSettlementsResponse)

#undef COOPLINK_ORDERS_RPC

  // Server stream: backlog after the cursor, then live events and heartbeats.
  grpc::ServerWriteReactor<v1::OrderEvent>* WatchOrderEvents(
      grpc::CallbackServerContext* ctx, const v1::WatchOrderEventsRequest* req) override;

  // Called before the server drains: open streams end at their next poll with UNAVAILABLE.
  void StopWatches() { runner_->StopStreams(); }

 private:
  Orders* orders_;
  Database* db_;  // the event feed's
  RpcRunner* runner_;
  StreamOptions watch_;
};

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDERS_GRPC_H_
