// The orders domain: partner orders recorded exactly once, their stock through catalog
// reservations (a saga that never holds a transaction across a call), the canonical state machine,
// fulfilments per cooperative, shipments, after-sales, settlements and the order event feed.
//
// Orders is a plain class built from values (database, catalog gateway, membership directory,
// personal-data cipher, clock, settings) so tests construct it directly. Every method validates its
// request (INVALID_ARGUMENT with field violations, nothing written), resolves the caller's scope
// (outside it reads as NOT_FOUND), asks catalog and membership what it needs *before* opening a
// transaction, and runs mutations through RunIdempotent(). Every transaction that changes an order
// appends its events to the outbox (event_log.h) in the same transaction.
#ifndef COOPLINK_SERVICES_ORDERS_ORDERS_H_
#define COOPLINK_SERVICES_ORDERS_ORDERS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/call_context.h"
#include "services/common/clock.h"
#include "services/common/crypto.h"
#include "services/common/db.h"
#include "services/common/idempotency.h"
#include "services/common/membership_directory.h"
#include "services/orders/after_sale_rules.h"
#include "services/orders/catalog_gateway.h"
#include "services/orders/order_rules.h"
#include "services/orders/order_store.h"
#include "services/orders/stock_rules.h"

namespace cooplink::orders {

struct OrdersSettings {
  // How long the reservation of an unpaid order holds its goods (the proto's 24 hours).
  absl::Duration reservation_ttl = absl::Hours(24);
  // A SHORT order's stock is retried at least this often (the proto's 5 minutes).
  absl::Duration stock_retry_interval = absl::Minutes(5);
  // A stock step left pending by a call (catalog unreachable, a crash) is taken over by the
  // recovery job after this long.
  absl::Duration stock_step_grace = absl::Seconds(30);
  // A HELD "ord-" reservation that no order stands behind is released after this long.
  absl::Duration orphan_grace = absl::Minutes(2);
  // Automatic completion (order_rules.h).
  CompletionWindows completion;
  // Tests only (null in production): called by the stock saga after a step's catalog call and
  // right before the transaction that records its outcome; an error fails that transaction as a
  // database error would (the outcome is not recorded, the step stays due).
  std::function<absl::Status(StockStep)> fault_before_record_for_test;
};

class Orders {
 public:
  Orders(Database* db, CatalogGateway* catalog, MembershipDirectory* directory,
         const PiiCipher* cipher, const Clock* clock, OrdersSettings settings = {})
      : db_(db),
        catalog_(catalog),
        directory_(directory),
        cipher_(cipher),
        clock_(clock),
        settings_(settings) {}

  // Recording partner orders (upsert.cc).
  absl::Status UpsertPartnerOrder(const CallContext& call, const v1::UpsertPartnerOrderRequest& req,
                                  v1::UpsertPartnerOrderResponse* out);

  // Reads (order_reads.cc).
  absl::Status GetOrder(const CallContext& call, const v1::GetOrderRequest& req, v1::Order* out);
  absl::Status ListOrders(const CallContext& call, const v1::ListOrdersRequest& req,
                          v1::ListOrdersResponse* out);
  absl::Status ListOrdersForReconciliation(const CallContext& call,
                                           const v1::ListOrdersForReconciliationRequest& req,
                                           v1::ListOrdersForReconciliationResponse* out);

  // The order's own lifecycle (order_lifecycle.cc).
  absl::Status CancelOrder(const CallContext& call, const v1::CancelOrderRequest& req,
                           v1::Order* out);
  absl::Status CompleteOrder(const CallContext& call, const v1::CompleteOrderRequest& req,
                             v1::Order* out);

  // Fulfilments and shipments (fulfilments.cc).
  absl::Status ListFulfilments(const CallContext& call, const v1::ListFulfilmentsRequest& req,
                               v1::ListFulfilmentsResponse* out);
  absl::Status MarkFulfilmentPacked(const CallContext& call,
                                    const v1::MarkFulfilmentPackedRequest& req,
                                    v1::Fulfilment* out);
  absl::Status CreateShipment(const CallContext& call, const v1::CreateShipmentRequest& req,
                              v1::Shipment* out);
  absl::Status ConfirmDelivery(const CallContext& call, const v1::ConfirmDeliveryRequest& req,
                               v1::Shipment* out);

  // After-sales (after_sales.cc).
  absl::Status CreateAfterSale(const CallContext& call, const v1::CreateAfterSaleRequest& req,
                               v1::AfterSale* out);
  absl::Status ApproveAfterSale(const CallContext& call, const v1::ApproveAfterSaleRequest& req,
                                v1::AfterSale* out);
  absl::Status RejectAfterSale(const CallContext& call, const v1::RejectAfterSaleRequest& req,
                               v1::AfterSale* out);
  absl::Status CompleteAfterSale(const CallContext& call, const v1::CompleteAfterSaleRequest& req,
                                 v1::AfterSale* out);
  absl::Status CloseAfterSale(const CallContext& call, const v1::CloseAfterSaleRequest& req,
                              v1::AfterSale* out);
  absl::Status ListAfterSales(const CallContext& call, const v1::ListAfterSalesRequest& req,
                              v1::ListAfterSalesResponse* out);

  // Settlements (settlements.cc).
  absl::Status GetSettlement(const CallContext& call, const v1::GetSettlementRequest& req,
                             v1::Settlement* out);
  absl::Status ListSettlements(const CallContext& call, const v1::ListSettlementsRequest& req,
                               v1::ListSettlementsResponse* out);

  // The stock saga (stock_saga.cc). Runs the order's due stock steps (stock_rules.h) one after
  // the other until none is left or one cannot finish now (then it stays due for the recovery
  // job); returns the order as stored afterwards. Errors are the database's; catalog's failures
  // are outcomes of the step, not errors.
  // `as_written`: the order exactly as the caller's transaction just committed it (saves a read).
  absl::StatusOr<OrderRow> AdvanceStock(const CallContext& call, const std::string& order_id,
                                        std::optional<OrderRow> as_written = std::nullopt);
  // The recovery job: advances up to `limit` orders whose stock step is due (left by a crash or
  // an unreachable catalog, or a SHORT order's retry), then up to `limit` returns whose restock is
  // due; returns the larger of the orders it looked at and the restocks it finished.
  absl::StatusOr<int> RecoverStock(int limit);
  // Releases HELD reservations made by this service ("ord-" ids) that no order stands behind any
  // more (a reserve that finished after its order was cancelled or its lines changed), older than
  // the orphan grace; returns how many it released.
  absl::StatusOr<int> ReleaseOrphanReservations();
  // Completes up to `limit` orders whose automatic completion is due (order_lifecycle.cc); returns
  // how many it completed.
  absl::StatusOr<int> CompleteDueOrders(int limit);

  const Clock& clock() const { return *clock_; }
  const OrdersSettings& settings() const { return settings_; }

 private:
  // Approve, reject, complete, close (after_sales.cc).
  absl::Status DecideAfterSale(const CallContext& call, AfterSaleAction action,
                               const IdempotencyKey& key, const std::string& after_sale_id,
                               const std::string& text, bool restock, v1::AfterSale* out);
  // Clears the stock due time of an order that needs no stock step (stock_saga.cc); returns the
  // order as stored afterwards.
  absl::StatusOr<OrderRow> ClearStaleStockDue(const std::string& order_id);
  // The RETURN stock movements of a completed return with restock (after its transaction; the
  // recovery job calls it again for one left due).
  absl::Status FinishRestock(const CallContext& call, const std::string& after_sale_id);

  Database* db_;
  CatalogGateway* catalog_;
  MembershipDirectory* directory_;
  const PiiCipher* cipher_;
  const Clock* clock_;
  OrdersSettings settings_;
};

}  // namespace cooplink::orders

#endif  // COOPLINK_SERVICES_ORDERS_ORDERS_H_
