// WatchOrderEvents: one OrderEventSource per call (it holds the request's filters), owned by the
// shared stream (services/common/event_stream.h), which authenticates, polls, heartbeats and stops.
#include "services/orders/order_events.h"
#include "services/orders/orders_grpc.h"

namespace cooplink::orders {

grpc::ServerWriteReactor<v1::OrderEvent>* OrdersGrpc::WatchOrderEvents(
    grpc::CallbackServerContext* ctx, const v1::WatchOrderEventsRequest* req) {
  auto source = std::make_unique<OrderEventSource>(db_, &orders_->clock(), req->partner_id(),
                                                   req->cooperative_id());
  return runner_->Stream<v1::OrderEvent>(ctx, "WatchOrderEvents", std::move(source),
                                         {req->cursor(), req->start_at_now()}, watch_);
}

}  // namespace cooplink::orders
