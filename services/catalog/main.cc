// catalog: products, review, lots, stock, reservations, offers and the partner change feed.
//
//   catalog [flags]           serve (applies migrations first)
//   catalog migrate [flags]   apply migrations and exit
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/catalog/catalog_server.h"
#include "services/common/service_main.h"

namespace {

constexpr char kService[] = "catalog";
constexpr char kUsage[] =
    "catalog: the cooplink catalog service.\n"
    "Usage:\n"
    "  catalog [flags]          serve gRPC (applies migrations first)\n"
    "  catalog migrate [flags]  apply database migrations and exit";

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::catalog;
  cooplink::BlockTerminationSignals();
  CatalogConfig config;
  cooplink::Flags flags(kUsage);
  AddCatalogFlags(flags, &config);
  if (auto exit_code = cooplink::ParseCommandLine(kService, flags, argc, argv)) return *exit_code;
  const auto& args = flags.positional();
  if (!args.empty() && args[0] == "migrate") {
    if (auto s = MigrateCatalog(config.db); !s.ok()) return cooplink::FailStartup(kService, s);
    std::fprintf(stderr, "catalog: migrations applied\n");
    return 0;
  }
  if (!args.empty()) {
    return cooplink::FailStartup(kService,
                                 absl::InvalidArgumentError(absl::StrCat("unknown command ", args[0])));
  }
  cooplink::SystemClock clock;
  return cooplink::ServeUntilTerminated<CatalogServer>(kService, config, &clock);
}
