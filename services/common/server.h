// The server runtime every cooplink service uses.
//
// Threading model: gRPC's callback API. Handlers block on the database, so a handler never runs on
// gRPC's own threads: RpcRunner::Unary() authenticates on the gRPC thread (cheap, no I/O), hands
// the work to a bounded WorkerPool sized for the database pool, and finishes the reactor from the
// worker. Measured on this machine kind this gives 1.5-2x the sync API's throughput for a
// DB-backed unary call (see tools/ and README); a full queue answers RESOURCE_EXHAUSTED at once
// instead of piling up threads.
#ifndef COOPLINK_SERVICES_COMMON_SERVER_H_
#define COOPLINK_SERVICES_COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/common/auth.h"
#include "services/common/call_context.h"
#include "services/common/log.h"
#include "services/common/status.h"

namespace cooplink {

// Server streams (defined in event_stream.h).
template <typename Event>
class EventSource;
template <typename Event>
class EventStreamReactor;
struct StreamOptions;
struct StreamStart;

// A fixed set of threads running queued tasks. Submit() refuses work beyond `max_queue`.
class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queue);
  ~WorkerPool();
  bool Submit(std::function<void()> task);
  // Runs every queued task, then joins the threads.
  void Stop();

 private:
  void Loop();
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  size_t max_queue_;
  std::vector<std::thread> threads_;
};

// The CallContext of a call: its principal, the client's deadline, its cancellation.
CallContext MakeCallContext(grpc::CallbackServerContext* ctx, Principal principal);

// One JSON line per RPC (msg "access") on stdout through the logger: time, service, method, code,
// reason, duration, principal id. Never request bodies, never personal data. The line is formatted
// by the calling thread; only the write is serialised.
class AccessLog {
 public:
  explicit AccessLog(bool enabled, Logger* out = &Logger::Stdout())
      : enabled_(enabled), out_(out) {}
  void Record(absl::string_view service, absl::string_view method, const absl::Status& status,
              absl::Duration duration, absl::string_view principal_id);

 private:
  bool enabled_;
  Logger* out_;
};

class RpcRunner {
 public:
  RpcRunner(std::string service, WorkerPool* pool, const Authenticator* auth, AccessLog* log)
      : service_(std::move(service)), pool_(pool), auth_(auth), log_(log) {}

  // Authenticates the caller, runs `fn(call)` (a CallContext) on the worker pool, converts its
  // status once, logs the call and finishes the reactor. `fn` must not throw; if it does, the call
  // fails with INTERNAL (and is logged) rather than crashing the server.
  template <typename Fn>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const char* method, Fn fn) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    const absl::Time start = absl::Now();
    absl::StatusOr<Principal> principal = Authenticate(*ctx);
    if (!principal.ok()) {
      Finish(reactor, method, start, "", principal.status());
      return reactor;
    }
    const bool accepted = pool_->Submit(
        [this, reactor, ctx, method, start, p = *std::move(principal), fn = std::move(fn)]() {
          absl::Status status;
          if (ctx->IsCancelled()) {
            status = absl::CancelledError("the call was cancelled before it started");
          } else if (ctx->deadline() < std::chrono::system_clock::now()) {
            status = absl::DeadlineExceededError("deadline passed before the call started");
          } else {
            const CallContext call = MakeCallContext(ctx, p);
            status = Guarded(method, [&] { return fn(call); });
          }
          Finish(reactor, method, start, p.id, status);
        });
    if (!accepted) {
      Finish(reactor, method, start, principal->id, Overloaded());
    }
    return reactor;
  }

  // Serves a server stream of `source`'s events from `start` with the same authentication,
  // overload answer, exception guard and access-log line as Unary() (event_stream.h: include it
  // where this is called; it defines these templates). `source` is shared by the streams and must
  // outlive every one of them.
  template <typename Event>
  grpc::ServerWriteReactor<Event>* Stream(grpc::CallbackServerContext* ctx, const char* method,
                                          EventSource<Event>* source, StreamStart start,
                                          const StreamOptions& options);
  // The same for a source built for this one call (e.g. holding the request's filters): the
  // stream owns it and deletes it when the stream is done, after its last call into it.
  template <typename Event>
  grpc::ServerWriteReactor<Event>* Stream(grpc::CallbackServerContext* ctx, const char* method,
                                          std::unique_ptr<EventSource<Event>> source,
                                          StreamStart start, const StreamOptions& options);
  // Called before the server drains: every open stream ends at its next poll with UNAVAILABLE
  // (the client resumes elsewhere with its last cursor) instead of holding up the drain.
  void StopStreams() { streams_stopping_.store(true); }

  const std::string& service() const { return service_; }

 private:
  template <typename Event>
  friend class EventStreamReactor;

  static absl::Status Overloaded() {
    return WithReason(absl::ResourceExhaustedError("server is overloaded; retry with backoff"),
                      "SERVER_OVERLOADED");
  }
  absl::StatusOr<Principal> Authenticate(const grpc::CallbackServerContext& ctx) const;
  // Runs `fn`, turning an exception into INTERNAL and an error log line.
  absl::Status Guarded(const char* method, const std::function<absl::Status()>& fn) const;
  void Finish(grpc::ServerUnaryReactor* reactor, const char* method, absl::Time start,
              absl::string_view principal_id, const absl::Status& status);

  std::string service_;
  WorkerPool* pool_;
  const Authenticator* auth_;
  AccessLog* log_;
  std::atomic<bool> streams_stopping_{false};
};

// The keepalive pings a client may send (the contract written in every proto's header): one every
// `min_ping_interval` or less often, with or without calls in flight. A ping that comes sooner,
// with nothing sent by the server since the previous one, is a strike; strike max_ping_strikes + 1
// closes the connection with GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (gRPC core's enforcement:
// GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
// GRPC_ARG_HTTP2_MAX_PING_STRIKES). gRPC's own defaults (5 minutes, and 2 hours on a connection
// without calls) cut off common client settings such as grpc-js pinging every 10 s.
struct KeepalivePolicy {
  absl::Duration min_ping_interval = absl::Seconds(5);
  int max_ping_strikes = 2;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:0";
  int max_receive_bytes = 4 << 20;
  int max_send_bytes = 16 << 20;
  absl::Duration drain_timeout = absl::Seconds(20);
  std::string tls_cert_file;  // both set: TLS; both empty: plaintext (loopback / behind a proxy)
  std::string tls_key_file;
  // Not a flag: clients are written against it (tests shorten it to run quickly).
  KeepalivePolicy keepalive;
};

// Builds and owns a gRPC server with health checking (grpc.health.v1, describable through
// reflection), server reflection, size limits, the keepalive policy and no SO_REUSEPORT.
class ServiceHost {
 public:
  // `health_names` are the fully qualified service names reported SERVING while up.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      std::vector<std::string> health_names);
  ~ServiceHost();

  int port() const { return port_; }
  // Health NOT_SERVING, then waits up to the drain timeout for in-flight calls.
  void Shutdown();

 private:
  ServiceHost() = default;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> health_names_;
  absl::Duration drain_timeout_;
  int port_ = 0;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread (call first in main(), before any thread starts,
// so every thread inherits the mask), then WaitForTerminationSignal() waits for one.
void BlockTerminationSignals();
int WaitForTerminationSignal();

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SERVER_H_
