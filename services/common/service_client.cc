#include "services/common/service_client.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/common/server.h"

namespace cooplink {
namespace {

const Clock* SystemClockInstance() {
  static const Clock* const kClock = new SystemClock();
  return kClock;
}

// Uniform in [d/2, d]: spreads the retries of clients that failed together.
absl::Duration Jittered(absl::Duration d) {
  thread_local std::minstd_rand rng(std::random_device{}());
  return d * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

}  // namespace

ClientTls ClientTlsFor(const ServerOptions& serving, std::string ca_file) {
  ClientTls tls;
  tls.enabled = !serving.tls_cert_file.empty() || !ca_file.empty();
  tls.ca_file = std::move(ca_file);
  return tls;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& target,
                                                           const ClientTls& tls) {
  if (!tls.enabled) return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  grpc::SslCredentialsOptions ssl;
  if (!tls.ca_file.empty()) {
    std::ifstream in(tls.ca_file);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in || pem.str().empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read the TLS CA file ", tls.ca_file, " to dial ", target));
    }
    ssl.pem_root_certs = pem.str();
  }
  return grpc::CreateChannel(target, grpc::SslCredentials(ssl));
}

CallPolicy::CallPolicy(std::string token, ServiceClientOptions options, const Clock* clock)
    : authorization_(absl::StrCat("Bearer ", token)),
      options_(std::move(options)),
      clock_(clock != nullptr ? clock : SystemClockInstance()) {}

absl::StatusOr<absl::Time> CallPolicy::OutgoingDeadline(const CallContext& call) const {
  if (call.cancelled()) {
    return absl::CancelledError(
        absl::StrCat("the caller has gone; ", options_.callee, " was not called"));
  }
  const absl::Time now = clock_->Now();
  absl::Time deadline = now + options_.deadline_cap;
  if (call.deadline() != absl::InfiniteFuture()) {
    const absl::Time incoming = call.deadline() - options_.margin;
    if (incoming <= now) {
      return absl::DeadlineExceededError(
          absl::StrCat("the caller's deadline leaves no time to call ", options_.callee));
    }
    deadline = std::min(deadline, incoming);
  }
  return deadline;
}

void CallPolicy::Prepare(const CallContext& call, absl::Time deadline,
                         grpc::ClientContext& ctx) const {
  ctx.set_deadline(absl::ToChronoTime(deadline));
  ctx.AddMetadata("authorization", authorization_);
  if (!call.trace_id().empty()) ctx.AddMetadata(kTraceIdHeader, call.trace_id());
}

bool CallPolicy::BackOff(const CallContext& call, const absl::Status& status, bool retry_safe,
                         int attempt, absl::Time deadline) const {
  const RetryPolicy& retry = options_.retry;
  if (!retry_safe || status.code() != absl::StatusCode::kUnavailable) return false;
  if (attempt >= retry.max_attempts || call.cancelled()) return false;
  const absl::Duration backoff = Jittered(
      std::min(retry.max_backoff, retry.initial_backoff * std::pow(retry.multiplier, attempt - 1)));
  if (clock_->Now() + backoff >= deadline) return false;
  absl::SleepFor(backoff);
  return true;
}

}  // namespace cooplink
