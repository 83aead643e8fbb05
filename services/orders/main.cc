// orders: partner orders, stock through catalog, fulfilment, shipping, after-sales, settlements.
//
//   orders [flags]           serve (applies migrations first)
//   orders migrate [flags]   apply migrations and exit
#include "services/common/service_main.h"
#include "services/orders/orders_server.h"

namespace {

constexpr char kUsage[] =
    "orders: the cooplink orders service.\n"
    "Usage:\n"
    "  orders [flags]          serve gRPC (applies migrations first)\n"
    "  orders migrate [flags]  apply database migrations and exit";

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::orders;
  return cooplink::RunServiceMain<OrdersServer>(argc, argv, "orders", kUsage, AddOrdersFlags,
                                                MigrateOrders);
}
