// The start-up, background work and shutdown every cooplink server shares, in one piece, so that a
// service's server file only builds its domain, its gRPC adapter and its own jobs:
//
//   auto rt = ServiceRuntime::Open(config, {"membership", kServiceName, Migrations(),
//                                           CheckConstraintRules()}, clock);
//       token key decoded -> database opened -> server settings checked -> runtime and service
//       migrations applied -> CHECK constraints verified (migrations.h, server_checks.h)
//   ... build the domain from rt->db(), rt->tokens(), clock ...
//   rt->StartAuthentication(revocation_source, FirstRevocationLoad::kRequired);
//       revocation list loaded and refreshed every --revocation_refresh -> authenticator ->
//       access log -> worker pool (--workers, --max_queue) -> RpcRunner
//   ... build the gRPC adapter on rt->runner() ...
//   rt->AddPeriodic("sweeper", interval, fn);   // service-specific background jobs
//   rt->AddJanitorJob("purge changes", fn);     // run with the idempotency-key purge, every 10 min
//   rt->AddStopHook(fn);                        // e.g. end open streams before the drain
//   rt->Serve({adapter});                       // ServiceHost (health: service name); jobs run
//
// Shutdown() (idempotent; also run by the destructor): stop hooks -> health NOT_SERVING and the
// host drains in-flight calls (--drain_timeout) -> periodic jobs and the janitor stop -> the worker
// pool finishes its queue -> the revocation refresher stops. After it no runtime thread runs, so
// the domain objects the jobs and the adapter point at may then be destroyed; the database lives
// as long as the runtime, so declare the runtime before (destroy it after) the domain.
//
// Threading: building (Open .. Serve) and Shutdown happen on one thread; accessors may be used
// from any thread once Serve() returned.
#ifndef COOPLINK_SERVICES_COMMON_SERVICE_RUNTIME_H_
#define COOPLINK_SERVICES_COMMON_SERVICE_RUNTIME_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/auth.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/db.h"
#include "services/common/migrations.h"
#include "services/common/periodic.h"
#include "services/common/server.h"

namespace cooplink {

// Options every service has (README, "Configuration"). A service's config derives from it and adds
// its own fields, so `config.workers` reads the same in every service.
struct RuntimeConfig {
  DbConfig db;
  ServerOptions server;
  std::string token_key;  // base64, >= 32 bytes: signs (membership) and verifies bearer tokens
  int workers = 16;
  int max_queue = 2048;
  absl::Duration revocation_refresh = absl::Seconds(15);
  bool access_log = true;
};

// Registers the server, database and runtime flags (--listen .. --access_log) on `flags`.
void AddRuntimeFlags(Flags& flags, RuntimeConfig* config);

// What the runtime needs to know of a service.
struct ServiceSpec {
  std::string component;     // "membership": names its migrations and its log lines
  std::string service_name;  // "cooplink.membership.v1.MembershipService": access log, health
  std::vector<Migration> migrations;
  // What the migrations' CHECK constraints mean to a caller when a write breaks one (db_errors.h).
  std::vector<CheckConstraintRule> check_rules;
};

// Opens the database, checks the server and applies the runtime's and `spec`'s migrations (the
// `migrate` command).
absl::Status MigrateDatabase(const DbConfig& db, const ServiceSpec& spec);

// How a failed first load of the revocation list is treated.
enum class FirstRevocationLoad {
  kRequired,           // start-up fails (the source is the service's own database)
  kRetryInBackground,  // logged; the refresher retries (the source is another service)
};

// Calls `batch(limit)` until it handles fewer than `limit` items or fails; a failure (e.g. the
// database restarting) is left for the job's next tick. `batch` returns StatusOr<integer>.
template <typename Batch>
void DrainInBatches(int limit, Batch batch) {
  while (true) {
    auto handled = batch(limit);
    if (!handled.ok() || *handled < limit) return;
  }
}

class ServiceRuntime {
 public:
  // How often the janitor (idempotency-key purge and the services' janitor jobs) runs.
  static constexpr absl::Duration kJanitorInterval = absl::Minutes(10);

  // Decodes the token key, opens the database and applies the migrations. Starts no thread: this
  // is all `bootstrap-admin` needs. `clock` must outlive the runtime.
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Open(const RuntimeConfig& config,
                                                              ServiceSpec spec, const Clock* clock);
  ~ServiceRuntime();
  ServiceRuntime(const ServiceRuntime&) = delete;
  ServiceRuntime& operator=(const ServiceRuntime&) = delete;

  // Loads the revocation list from `source` and refreshes it every config.revocation_refresh;
  // builds the authenticator, the access log, the worker pool and the RpcRunner. Once.
  absl::Status StartAuthentication(RevocationList::Source source, FirstRevocationLoad first_load);

  // A background job run every `interval` on its own thread from Serve() on (at once when added
  // later) until Shutdown(). An exception from `task` is logged with `name`, not fatal.
  void AddPeriodic(std::string name, absl::Duration interval, std::function<void()> task);
  // A housekeeping job run by the janitor every kJanitorInterval, after the idempotency-key purge.
  // Add before Serve().
  void AddJanitorJob(std::string name, std::function<void()> task);
  // Runs first in Shutdown(), before the host drains (end what would hold the drain).
  void AddStopHook(std::function<void()> hook);

  // Starts the gRPC host with `services` (health reports the spec's service name SERVING), then the
  // background jobs and the janitor. StartAuthentication() must have succeeded.
  absl::Status Serve(const std::vector<grpc::Service*>& services);
  // See the file comment.
  void Shutdown();

  Database& db() { return *db_; }
  const TokenCodec& tokens() const { return *codec_; }
  const Clock& clock() const { return *clock_; }
  const RuntimeConfig& config() const { return config_; }
  const ServiceSpec& spec() const { return spec_; }
  // Valid after StartAuthentication().
  RpcRunner& runner() { return *runner_; }
  WorkerPool& workers() { return *workers_; }
  const Authenticator& authenticator() const { return *authenticator_; }
  RevocationList& revocations() { return *revocations_; }
  // The bound port; valid after Serve().
  int port() const { return port_; }

 private:
  struct Job {
    std::string name;
    absl::Duration interval;
    std::function<void()> task;
  };
  ServiceRuntime(RuntimeConfig config, ServiceSpec spec, const Clock* clock)
      : config_(std::move(config)), spec_(std::move(spec)), clock_(clock) {}
  void StartJob(Job job);
  void RunJanitor();

  RuntimeConfig config_;
  ServiceSpec spec_;
  const Clock* clock_;
  std::unique_ptr<TokenCodec> codec_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<RevocationList> revocations_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RpcRunner> runner_;
  std::unique_ptr<ServiceHost> host_;
  std::vector<Job> pending_jobs_;  // added before Serve()
  std::vector<Job> janitor_jobs_;
  std::vector<std::unique_ptr<Periodic>> running_jobs_;
  std::vector<std::function<void()>> stop_hooks_;
  bool serving_ = false;
  int port_ = 0;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SERVICE_RUNTIME_H_
