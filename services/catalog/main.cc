// catalog: products, review, lots, stock, reservations, offers and the partner change feed.
//
//   catalog [flags]           serve (applies migrations first)
//   catalog migrate [flags]   apply migrations and exit
#include "services/catalog/catalog_server.h"
#include "services/common/service_main.h"

namespace {

constexpr char kUsage[] =
    "catalog: the cooplink catalog service.\n"
    "Usage:\n"
    "  catalog [flags]          serve gRPC (applies migrations first)\n"
    "  catalog migrate [flags]  apply database migrations and exit";

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::catalog;
  return cooplink::RunServiceMain<CatalogServer>(argc, argv, "catalog", kUsage, AddCatalogFlags,
                                                 MigrateCatalog);
}
