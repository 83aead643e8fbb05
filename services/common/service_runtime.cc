#include "services/common/service_runtime.h"

#include <exception>

#include "services/common/idempotency.h"
#include "services/common/log.h"

namespace cooplink {
namespace {

// Idempotency keys purged per statement (one short transaction each).
constexpr int kPurgeBatch = 1000;

absl::StatusOr<std::unique_ptr<Database>> OpenMigrated(const DbConfig& config,
                                                       const ServiceSpec& spec) {
  auto db = Database::Open(config, spec.check_rules);
  if (!db.ok()) return db.status();
  if (absl::Status s = ApplyMigrations(**db, spec.component, spec.migrations); !s.ok()) return s;
  return db;
}

}  // namespace

void AddRuntimeFlags(Flags& flags, RuntimeConfig* config) {
  AddServerFlags(flags, &config->server);
  AddDbFlags(flags, &config->db);
  flags.AddString("token_key", "COOPLINK_TOKEN_KEY",
                  "Base64 key (>= 32 bytes) that signs and verifies bearer tokens; every service "
                  "needs the same key.",
                  &config->token_key, /*secret=*/true);
  flags.AddInt("workers", "COOPLINK_WORKERS", "Threads running database-backed handlers.",
               &config->workers, 1, 256);
  flags.AddInt("max_queue", "COOPLINK_MAX_QUEUE",
               "Calls that may wait for a worker before RESOURCE_EXHAUSTED.", &config->max_queue, 1,
               1 << 20);
  flags.AddDuration("revocation_refresh", "COOPLINK_REVOCATION_REFRESH",
                    "How often revoked tokens are reloaded (a revoked token stops working within "
                    "this interval).",
                    &config->revocation_refresh, absl::Milliseconds(100), absl::Seconds(60));
  flags.AddBool("access_log", "COOPLINK_ACCESS_LOG", "Write one JSON line per RPC to stdout.",
                &config->access_log);
}

absl::Status MigrateDatabase(const DbConfig& db, const ServiceSpec& spec) {
  return OpenMigrated(db, spec).status();
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Open(const RuntimeConfig& config,
                                                                     ServiceSpec spec,
                                                                     const Clock* clock) {
  auto token_key = DecodeKey("token_key (COOPLINK_TOKEN_KEY)", config.token_key, 32, 1024);
  if (!token_key.ok()) return token_key.status();
  auto codec = TokenCodec::Create(*token_key);
  if (!codec.ok()) return codec.status();
  std::unique_ptr<ServiceRuntime> rt(new ServiceRuntime(config, std::move(spec), clock));
  rt->codec_ = std::make_unique<TokenCodec>(*std::move(codec));
  auto db = OpenMigrated(config.db, rt->spec_);
  if (!db.ok()) return db.status();
  rt->db_ = *std::move(db);
  return rt;
}

ServiceRuntime::~ServiceRuntime() { Shutdown(); }

absl::Status ServiceRuntime::StartAuthentication(RevocationList::Source source,
                                                 FirstRevocationLoad first_load) {
  if (runner_ != nullptr) return absl::FailedPreconditionError("authentication already started");
  revocations_ = std::make_unique<RevocationList>(std::move(source), clock_);
  if (absl::Status s = revocations_->Refresh(); !s.ok()) {
    if (first_load == FirstRevocationLoad::kRequired) return s;
    // Another service being down at start-up must not keep this one down: the refresher retries.
    LogWarn("revocation list not loaded yet",
            {{"service", spec_.component}, {"code", absl::StatusCodeToString(s.code())}});
  }
  revocations_->StartRefreshing(config_.revocation_refresh);
  authenticator_ = std::make_unique<Authenticator>(codec_.get(), revocations_.get(), clock_);
  access_log_ = std::make_unique<AccessLog>(config_.access_log);
  workers_ = std::make_unique<WorkerPool>(config_.workers, config_.max_queue);
  runner_ = std::make_unique<RpcRunner>(spec_.service_name, workers_.get(), authenticator_.get(),
                                        access_log_.get());
  return absl::OkStatus();
}

void ServiceRuntime::AddPeriodic(std::string name, absl::Duration interval,
                                 std::function<void()> task) {
  Job job{std::move(name), interval, std::move(task)};
  if (serving_) {
    StartJob(std::move(job));
  } else {
    pending_jobs_.push_back(std::move(job));
  }
}

void ServiceRuntime::AddJanitorJob(std::string name, std::function<void()> task) {
  janitor_jobs_.push_back({std::move(name), kJanitorInterval, std::move(task)});
}

void ServiceRuntime::AddStopHook(std::function<void()> hook) {
  stop_hooks_.push_back(std::move(hook));
}

void ServiceRuntime::StartJob(Job job) {
  auto guarded = [name = job.name, component = spec_.component, task = std::move(job.task)] {
    try {
      task();
    } catch (const std::exception& e) {
      LogError("background job threw", {{"service", component}, {"job", name}, {"what", e.what()}});
    } catch (...) {
      LogError("background job threw", {{"service", component}, {"job", name}});
    }
  };
  running_jobs_.push_back(std::make_unique<Periodic>(job.interval, std::move(guarded)));
}

void ServiceRuntime::RunJanitor() {
  // Request ids are remembered for kIdempotencyRetention (the API promises at least 24 hours).
  DrainInBatches(kPurgeBatch, [this](int limit) {
    return PurgeIdempotencyKeys(*db_, clock_->Now() - kIdempotencyRetention, limit);
  });
  for (const Job& job : janitor_jobs_) job.task();
}

absl::Status ServiceRuntime::Serve(const std::vector<grpc::Service*>& services) {
  if (runner_ == nullptr) {
    return absl::FailedPreconditionError("StartAuthentication() must run before Serve()");
  }
  auto host = ServiceHost::Start(config_.server, services, {spec_.service_name});
  if (!host.ok()) return host.status();
  host_ = *std::move(host);
  port_ = host_->port();
  serving_ = true;
  for (Job& job : pending_jobs_) StartJob(std::move(job));
  pending_jobs_.clear();
  StartJob({"janitor", kJanitorInterval, [this] { RunJanitor(); }});
  return absl::OkStatus();
}

void ServiceRuntime::Shutdown() {
  for (auto& hook : stop_hooks_) hook();
  stop_hooks_.clear();
  if (host_) host_->Shutdown();
  for (auto& job : running_jobs_) job->Stop();
  running_jobs_.clear();
  if (workers_) workers_->Stop();
  if (revocations_) revocations_->StopRefreshing();
  host_.reset();  // after the drain nothing refers to the services any more
  serving_ = false;
}

}  // namespace cooplink
