// What a domain method knows about the call it serves: who is calling, until when, whether the
// caller has gone, and the trace id. RpcRunner builds one per RPC from the gRPC ServerContext; a
// domain method passes it on to everything it calls, so that the handler's remaining time reaches
// a call to another service (ServiceClient derives the outgoing deadline from deadline()).
//
// Background work (sweepers, relays, bootstrap) uses CallContext::Internal(): no deadline, never
// cancelled. A CallContext is cheap to copy and safe to read from any thread.
#ifndef COOPLINK_SERVICES_COMMON_CALL_CONTEXT_H_
#define COOPLINK_SERVICES_COMMON_CALL_CONTEXT_H_

#include <functional>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "services/common/auth.h"

namespace cooplink {

class CallContext {
 public:
  // `cancelled` answers whether the caller has gone (null: never); `deadline` is when the caller
  // stops waiting (absl::InfiniteFuture(): never).
  CallContext(Principal principal, absl::Time deadline, std::function<bool()> cancelled = nullptr,
              std::string trace_id = {})
      : principal_(std::move(principal)),
        deadline_(deadline),
        cancelled_(std::move(cancelled)),
        trace_id_(std::move(trace_id)) {}

  // A call made by the service itself (a background job, a command on the server host).
  static CallContext Internal(Principal principal) {
    return CallContext(std::move(principal), absl::InfiniteFuture());
  }

  const Principal& principal() const { return principal_; }
  absl::Time deadline() const { return deadline_; }
  bool cancelled() const { return cancelled_ != nullptr && cancelled_(); }
  // Time left before the deadline at `now` (never negative; InfiniteDuration() without one).
  absl::Duration remaining(absl::Time now) const {
    if (deadline_ == absl::InfiniteFuture()) return absl::InfiniteDuration();
    return deadline_ > now ? deadline_ - now : absl::ZeroDuration();
  }
  const std::string& trace_id() const { return trace_id_; }

 private:
  Principal principal_;
  absl::Time deadline_;
  std::function<bool()> cancelled_;
  std::string trace_id_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_CALL_CONTEXT_H_
