// Wiring of the income server on the shared ServiceRuntime (services/common/service_runtime.h):
// the runtime opens and migrates the database; this file adds the client of membership (the
// household directory) and of orders (the settlement importer: a StreamConsumer on
// WatchOrderEvents whose cursor is stored with the entries it records), the Income domain, the
// revocation source and the gRPC adapter, plus income's background jobs: the alert review job and
// the daily check. main.cc parses the command line and calls this; integration tests start it
// in-process next to membership, catalog and orders servers.
#ifndef COOPLINK_SERVICES_INCOME_INCOME_SERVER_H_
#define COOPLINK_SERVICES_INCOME_INCOME_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cooplink/orders/v1/orders.grpc.pb.h"
#include "services/common/config.h"
#include "services/common/service_runtime.h"
#include "services/common/stream_consumer.h"
#include "services/income/household_directory.h"
#include "services/income/income.h"
#include "services/income/income_grpc.h"

namespace cooplink::income {

inline constexpr char kServiceName[] = "cooplink.income.v1.IncomeService";

// The runtime's options plus income's own.
struct IncomeConfig : RuntimeConfig {
  std::string membership_target;
  std::string orders_target;
  std::string service_token;  // income's service-account token (platform admin) for both
  std::string membership_tls_ca_file;
  std::string orders_tls_ca_file;
  absl::Duration call_deadline = absl::Seconds(5);  // cap of calls made without a caller deadline
  bool import_settlements = true;                   // run the settlement importer
  absl::Duration review_interval = absl::Seconds(10);  // alert review job
  absl::Duration daily_check_interval = absl::Hours(24);
  IncomeSettings settings;

  IncomeConfig() { db.database = "cooplink_income"; }
};

void AddIncomeFlags(Flags& flags, IncomeConfig* config);

class IncomeServer {
 public:
  // `directory` may be null: then the gRPC directory over the configured membership is used.
  static absl::StatusOr<std::unique_ptr<IncomeServer>> Start(
      const IncomeConfig& config, const Clock* clock,
      std::unique_ptr<HouseholdDirectory> directory = nullptr);
  ~IncomeServer();

  int port() const { return runtime_->port(); }
  Income& income() { return *income_; }
  Database& database() { return runtime_->db(); }
  // The settlement importer (null when --import_settlements is off).
  StreamConsumer<orders::v1::OrderEvent>* importer() { return importer_.get(); }
  void Shutdown();

 private:
  IncomeServer() = default;
  std::unique_ptr<ServiceRuntime> runtime_;  // first: outlives the domain that uses its database
  std::unique_ptr<HouseholdDirectory> directory_;
  std::unique_ptr<Income> income_;
  std::unique_ptr<IncomeGrpc> service_;
  std::shared_ptr<orders::v1::OrdersService::StubInterface> orders_stub_;
  std::unique_ptr<StreamConsumer<orders::v1::OrderEvent>> importer_;
};

const std::vector<Migration>& Migrations();
std::vector<CheckConstraintRule> CheckConstraintRules();

// Opens the database and applies migrations only (the `migrate` command).
absl::Status MigrateIncome(const DbConfig& db);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_INCOME_SERVER_H_
