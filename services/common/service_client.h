// The one way a cooplink service calls another: every outgoing unary call goes through a
// ServiceClient, which
//   - derives the call's deadline from the caller's: min(incoming deadline - margin, now + cap).
//     The margin leaves the caller time to answer after the callee gives up; the cap (from config)
//     bounds calls made without a deadline (background jobs use CallContext::Internal()). A call
//     with less than the margin left fails at once with DEADLINE_EXCEEDED and is never sent;
//   - sends the service's own token ("authorization: Bearer <token>") and the caller's trace id
//     ("x-cooplink-trace-id") when it has one;
//   - returns the callee's status as is: its code, message and google.rpc details (ErrorInfo
//     reason, BadRequest field violations) come back as absl::Status payloads (FromGrpcStatus), so
//     NOT_FOUND stays NOT_FOUND and ReasonOf() reads the callee's reason;
//   - retries only what is safe to send twice: reads (Read()), writes that carry a request_id
//     (Write() looks at the request) and writes the callee dedupes by another key of the request
//     (IdempotentWrite(): catalog's CreateReservation by its reservation_id), and only on
//     UNAVAILABLE, with jittered exponential backoff, at most RetryPolicy::max_attempts attempts,
//     all within the one outgoing deadline. A write without a request_id is sent once: UNAVAILABLE
//     may mean it was applied.
//
// It takes the generated `StubInterface` of the callee, so the gMock stub the build generates
// (`Mock<Service>Stub` in `*_mock.grpc.pb.h`) stands in for the network in unit tests. It is a
// small copyable value (the stub is shared); calls may be made from any thread at once. A call
// blocks its thread (worker-pool threads, never gRPC's own).
#ifndef COOPLINK_SERVICES_COMMON_SERVICE_CLIENT_H_
#define COOPLINK_SERVICES_COMMON_SERVICE_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/call_context.h"
#include "services/common/clock.h"
#include "services/common/status.h"

namespace cooplink {

struct ServerOptions;

inline constexpr char kTraceIdHeader[] = "x-cooplink-trace-id";

struct RetryPolicy {
  int max_attempts = 3;  // including the first; 1 disables retries
  absl::Duration initial_backoff = absl::Milliseconds(20);
  absl::Duration max_backoff = absl::Milliseconds(500);
  double multiplier = 2.0;
};

struct ServiceClientOptions {
  std::string callee = "service";  // named in the client's own error messages
  absl::Duration deadline_cap = absl::Seconds(2);
  absl::Duration margin = absl::Milliseconds(50);
  RetryPolicy retry;
};

// How to dial another service. Enabled without a CA file: the system's root certificates.
struct ClientTls {
  bool enabled = false;
  std::string ca_file;  // PEM root certificates that verify the callee's certificate
};

// The default rule: dial with TLS when the service serves TLS itself or a CA file is given.
ClientTls ClientTlsFor(const ServerOptions& serving, std::string ca_file);

// A channel to `target` ("host:port"): TLS as configured, else plaintext. Fails only when the CA
// file cannot be read; connecting happens lazily, on the first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target,
                                                           const ClientTls& tls);

// The half of ServiceClient that does not depend on the generated stub.
class CallPolicy {
 public:
  // `clock` reads wall time for deadlines (null: the system clock); it must be the clock
  // CallContext deadlines are measured with, i.e. real time outside unit tests.
  CallPolicy(std::string token, ServiceClientOptions options, const Clock* clock);

  // The outgoing deadline of a call made for `call`; DEADLINE_EXCEEDED when less than the margin
  // is left, CANCELLED when the caller has gone.
  absl::StatusOr<absl::Time> OutgoingDeadline(const CallContext& call) const;
  // Deadline, token and trace id on a fresh ClientContext.
  void Prepare(const CallContext& call, absl::Time deadline, grpc::ClientContext& ctx) const;
  // After attempt `attempt` (1-based) failed with `status`: true when the call should be sent
  // again, having slept the backoff; false when the status is final (not retryable, attempts
  // used up, the backoff would outlast `deadline`, or the caller has gone).
  bool BackOff(const CallContext& call, const absl::Status& status, bool retry_safe, int attempt,
               absl::Time deadline) const;

 private:
  std::string authorization_;
  ServiceClientOptions options_;
  const Clock* clock_;
};

// Does the write carry a (non-empty) request_id, i.e. may it be sent twice?
template <typename Request>
bool CarriesRequestId(const Request& request) {
  if constexpr (requires {
                  { request.request_id() } -> std::convertible_to<std::string_view>;
                }) {
    return !request.request_id().empty();
  } else {
    return false;
  }
}

// `Stub` is a generated `<Service>::StubInterface`.
template <typename Stub>
class ServiceClient {
 public:
  template <typename Request, typename Reply>
  using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Reply*);

  ServiceClient(std::shared_ptr<Stub> stub, std::string token, ServiceClientOptions options = {},
                const Clock* clock = nullptr)
      : stub_(std::move(stub)), policy_(std::move(token), std::move(options), clock) {}

  // A call that changes nothing: retried on UNAVAILABLE.
  template <typename Request, typename Reply>
  absl::StatusOr<Reply> Read(const CallContext& call, Method<Request, Reply> method,
                             const Request& request) const {
    return Call(call, method, request, /*retry_safe=*/true);
  }
  // A call that changes something: retried on UNAVAILABLE only when it carries a request_id.
  template <typename Request, typename Reply>
  absl::StatusOr<Reply> Write(const CallContext& call, Method<Request, Reply> method,
                              const Request& request) const {
    return Call(call, method, request, CarriesRequestId(request));
  }
  // A write whose callee dedupes it by a key other than request_id that the request carries (the
  // caller vouches for it): retried on UNAVAILABLE like a read.
  template <typename Request, typename Reply>
  absl::StatusOr<Reply> IdempotentWrite(const CallContext& call, Method<Request, Reply> method,
                                        const Request& request) const {
    return Call(call, method, request, /*retry_safe=*/true);
  }

 private:
  template <typename Request, typename Reply>
  absl::StatusOr<Reply> Call(const CallContext& call, Method<Request, Reply> method,
                             const Request& request, bool retry_safe) const {
    absl::StatusOr<absl::Time> deadline = policy_.OutgoingDeadline(call);
    if (!deadline.ok()) return deadline.status();
    for (int attempt = 1;; ++attempt) {
      grpc::ClientContext ctx;
      policy_.Prepare(call, *deadline, ctx);
      Reply reply;
      absl::Status status = FromGrpcStatus(((*stub_).*method)(&ctx, request, &reply));
      if (status.ok()) return reply;
      if (!policy_.BackOff(call, status, retry_safe, attempt, *deadline)) return status;
    }
  }

  std::shared_ptr<Stub> stub_;
  CallPolicy policy_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_SERVICE_CLIENT_H_
