// catalog: products, review, lots, stock, reservations, offers and the partner change feed.
//
//   catalog [flags]           serve (applies migrations first)
//   catalog migrate [flags]   apply migrations and exit
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "services/catalog/catalog_server.h"

namespace {

constexpr char kUsage[] =
    "catalog: the cooplink catalog service.\n"
    "Usage:\n"
    "  catalog [flags]          serve gRPC (applies migrations first)\n"
    "  catalog migrate [flags]  apply database migrations and exit";

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "catalog: %s\n", std::string(status.ToString()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::catalog;
  cooplink::BlockTerminationSignals();
  CatalogConfig config;
  cooplink::Flags flags(kUsage);
  AddCatalogFlags(flags, &config);
  if (auto s = flags.Parse(argc, argv); !s.ok()) return Fail(s);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  const auto& args = flags.positional();
  if (!args.empty() && args[0] == "migrate") {
    if (auto s = MigrateCatalog(config.db); !s.ok()) return Fail(s);
    std::fprintf(stderr, "catalog: migrations applied\n");
    return 0;
  }
  if (!args.empty()) return Fail(absl::InvalidArgumentError(absl::StrCat("unknown command ", args[0])));
  cooplink::SystemClock clock;
  auto server = CatalogServer::Start(config, &clock);
  if (!server.ok()) return Fail(server.status());
  std::fprintf(stderr,
               "{\"level\":\"info\",\"msg\":\"serving\",\"service\":\"catalog\",\"port\":%d}\n",
               (*server)->port());
  const int sig = cooplink::WaitForTerminationSignal();
  std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"draining\",\"signal\":%d}\n", sig);
  (*server)->Shutdown();
  std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopped\"}\n");
  return 0;
}
