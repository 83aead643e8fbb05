#include "services/common/server.h"

#include <cppconn/exception.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.pb.h"

namespace cooplink {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

CallContext MakeCallContext(grpc::CallbackServerContext* ctx, Principal principal) {
  const auto deadline = ctx->deadline();
  return CallContext(std::move(principal),
                     deadline == std::chrono::system_clock::time_point::max()
                         ? absl::InfiniteFuture()
                         : absl::FromChrono(deadline),
                     [ctx] { return ctx->IsCancelled(); });
}

WorkerPool::WorkerPool(int threads, size_t max_queue) : max_queue_(max_queue) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || queue_.size() >= max_queue_) return false;
  queue_.push_back(std::move(task));
  return true;
}

void WorkerPool::Loop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkerPool* p)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) { return p->stopping_ || !p->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void WorkerPool::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void AccessLog::Record(absl::string_view service, absl::string_view method,
                       const absl::Status& status, absl::Duration duration,
                       absl::string_view principal_id) {
  if (!enabled_) return;
  out_->Write(FormatLogLine(absl::Now(), LogLevel::kInfo, "access",
                            {{"kind", "access"},
                             {"service", service},
                             {"method", method},
                             {"code", absl::StatusCodeToString(status.code())},
                             {"reason", ReasonOf(status)},
                             {"duration_ms", absl::ToDoubleMilliseconds(duration)},
                             {"principal", principal_id}}));
}

absl::StatusOr<Principal> RpcRunner::Authenticate(const grpc::CallbackServerContext& ctx) const {
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view header;
  if (it != metadata.end()) header = absl::string_view(it->second.data(), it->second.size());
  return auth_->Authenticate(header);
}

absl::Status RpcRunner::Guarded(const char* method, const std::function<absl::Status()>& fn) const {
  try {
    return fn();
  } catch (const sql::SQLException& e) {
    // Driver messages may quote values (personal data): log only the code and SQL state.
    LogError("handler threw", {{"service", service_},
                               {"method", method},
                               {"db_error", e.getErrorCode()},
                               {"sqlstate", e.getSQLStateCStr()}});
  } catch (const std::exception& e) {
    LogError("handler threw", {{"service", service_}, {"method", method}, {"what", e.what()}});
  } catch (...) {
    LogError("handler threw", {{"service", service_}, {"method", method}});
  }
  return absl::InternalError("internal error");
}

void RpcRunner::Finish(grpc::ServerUnaryReactor* reactor, const char* method, absl::Time start,
                       absl::string_view principal_id, const absl::Status& status) {
  log_->Record(service_, method, status, absl::Now() - start, principal_id);
  reactor->Finish(ToGrpcStatus(status));
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    std::vector<std::string> health_names) {
  // Linking health.pb.cc registers grpc.health.v1 in the descriptor pool, so reflection can
  // describe the built-in health service; touching the descriptor keeps the object linked.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto cert = ReadFile(options.tls_cert_file);
    auto key = ReadFile(options.tls_key_file);
    if (!cert.ok()) return cert.status();
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    credentials = grpc::SslServerCredentials(ssl);
  }

  std::unique_ptr<ServiceHost> host(new ServiceHost());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &host->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_bytes);
  builder.SetMaxSendMessageSize(options.max_send_bytes);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive.min_ping_interval)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, options.keepalive.max_ping_strikes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  host->server_ = builder.BuildAndStart();
  if (host->server_ == nullptr || host->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  host->drain_timeout_ = options.drain_timeout;
  host->health_names_ = std::move(health_names);
  auto* health = host->server_->GetHealthCheckService();
  health->SetServingStatus(true);
  for (const auto& name : host->health_names_) health->SetServingStatus(name, true);
  return host;
}

ServiceHost::~ServiceHost() { Shutdown(); }

void ServiceHost::Shutdown() {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus(false);
  for (const auto& name : health_names_) health->SetServingStatus(name, false);
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(drain_timeout_)));
  server_->Wait();
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace cooplink
