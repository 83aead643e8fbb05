// income: household income ledger, settlement import, summaries, alerts, reports, surplus.
//
//   income [flags]           serve (applies migrations first)
//   income migrate [flags]   apply migrations and exit
#include "services/common/service_main.h"
#include "services/income/income_server.h"

namespace {

constexpr char kUsage[] =
    "income: the cooplink income service.\n"
    "Usage:\n"
    "  income [flags]          serve gRPC (applies migrations first)\n"
    "  income migrate [flags]  apply database migrations and exit";

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink::income;
  return cooplink::RunServiceMain<IncomeServer>(argc, argv, "income", kUsage, AddIncomeFlags,
                                                MigrateIncome);
}
