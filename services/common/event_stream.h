// One server-streaming "watch" RPC for every service: the backlog after a cursor, then live events,
// heartbeats while idle, an expired cursor answered clearly, prompt stop on shutdown. A service
// writes only an EventSource (read events after a position, in the caller's scope) and one line in
// its gRPC adapter:
//
//   return runner_->Stream<v1::CatalogChange>(ctx, "WatchCatalogChanges", &source_,
//                                             {req->cursor(), req->start_at_now()}, options_);
//
// A source shared by every stream (as above) must outlive them all. A source built per call (e.g.
// holding the request's filters) is handed over instead, and the reactor deletes it with itself in
// OnDone(), after the stream's last call into it:
//
//   return runner_->Stream<v1::OrderEvent>(
//       ctx, "WatchOrderEvents", std::make_unique<OrderEventSource>(db, clock, req->partner_id(),
//       req->cooperative_id()), {req->cursor(), req->start_at_now()}, options_);
//
// RpcRunner::Stream() authenticates exactly like RpcRunner::Unary() (same header, same
// UNAUTHENTICATED), answers a full worker pool with the same RESOURCE_EXHAUSTED SERVER_OVERLOADED,
// runs every source call under the same exception guard, and writes the same access-log line
// (once, when the stream ends, with the stream's whole duration).
//
// Positions are int64 (a feed sequence); cursors are opaque and versioned (CursorCodec). A source
// returns the last position it EXAMINED, also when it filtered everything out, so a heartbeat's
// cursor moves past events the caller may not see and a resumed stream does not re-read them.
//
// Threading. A stream is driven by ONE logical chain of steps; at any moment exactly one of these
// holds the chain:
//   (a) a Poll() task queued on or running on the worker pool (the only step that blocks, on the
//       source's database);
//   (b) a grpc::Alarm armed for the next poll (no thread is held while the stream idles);
//   (c) one write in flight (StartWrite -> OnWriteDone on a gRPC thread, which only writes the
//       next buffered event or hands the chain back to (a)/(b)).
// The chain's holder is the only code touching the stream state (after_, pending_, current_,
// last_write_); the hand-offs (pool queue mutex, gRPC write completion, alarm) order those
// accesses. The holder ends the chain by calling Finish() exactly once and then touches nothing.
// OnCancel() (client gone, deadline, server shutdown past its drain deadline) never finishes by
// itself: it sets cancelled_ and cancels an armed alarm, whose callback (ok = false) hands the
// chain to a Poll() that sees cancelled_ and finishes; an in-flight write completes with
// ok = false and finishes. gRPC calls OnDone() after Finish() and the last write completed: the
// reactor deletes itself there. Nothing references the reactor after that: an alarm callback has
// already run (Finish happens only downstream of it) and no task is queued.
//
// Shutdown: the server calls RpcRunner::StopStreams() before draining; each stream then ends at
// its next poll (within one poll interval) with UNAVAILABLE SERVER_SHUTTING_DOWN ("resume with
// the last cursor"), so the drain does not wait for open streams.
#ifndef COOPLINK_SERVICES_COMMON_EVENT_STREAM_H_
#define COOPLINK_SERVICES_COMMON_EVENT_STREAM_H_

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/call_context.h"
#include "services/common/server.h"
#include "services/common/status.h"

namespace cooplink {

struct StreamOptions {
  absl::Duration poll_interval = absl::Milliseconds(200);  // how often a live stream looks for news
  absl::Duration heartbeat_interval = absl::Seconds(25);   // < the 30 s the APIs promise
  int batch_size = 200;                                    // events read per poll
};

// Opaque, versioned cursors: base64url("<tag>|<position>"), e.g. tag "w1" for catalog's feed.
// A new format gets a new tag; Decode() refuses every other tag.
class CursorCodec {
 public:
  explicit CursorCodec(std::string tag) : prefix_(std::move(tag) + "|") {}
  std::string Encode(int64_t position) const;
  // INVALID_ARGUMENT (field "cursor") unless `cursor` is one Encode() could have produced.
  absl::StatusOr<int64_t> Decode(absl::string_view cursor) const;

 private:
  std::string prefix_;
};

// FAILED_PRECONDITION with reason CURSOR_EXPIRED: the events after the cursor are no longer
// retained (or the cursor is from another feed). `message` tells the caller how to resync.
absl::Status CursorExpired(absl::string_view message);

// Where a client asks a stream to start: after `cursor` (empty: the oldest retained event), or,
// with `from_now`, after the newest event (the source refuses both together).
struct StreamStart {
  std::string cursor;
  bool from_now = false;
};

// What a service provides for one stream. Called on the worker pool, one call at a time per
// stream (different streams call concurrently). May block on the database; must not throw (an
// exception ends the stream with INTERNAL).
template <typename Event>
class EventSource {
 public:
  virtual ~EventSource() = default;
  // Checks that the caller may watch and decodes `start` (its cursor; "" = from the oldest
  // retained event, or the newest with from_now); returns the position to read after.
  // INVALID_ARGUMENT field "cursor" when malformed, CursorExpired() when older than the retention,
  // PERMISSION_DENIED for a role that may not.
  virtual absl::StatusOr<int64_t> Start(const CallContext& call, const StreamStart& start) = 0;
  // Appends to `out` up to `limit` events after `after` that the caller may see, in position
  // order, each carrying its cursor; returns the last position examined (>= after).
  virtual absl::StatusOr<int64_t> Read(const CallContext& call, int64_t after, int limit,
                                       std::vector<Event>* out) = 0;
  // The heartbeat sent while idle, carrying the cursor of `position`.
  virtual Event Heartbeat(int64_t position) = 0;
};

namespace stream_internal {
std::chrono::system_clock::time_point AlarmDeadline(absl::Duration after);
absl::Status ShuttingDown();
}  // namespace stream_internal

template <typename Event>
class EventStreamReactor final : public grpc::ServerWriteReactor<Event> {
 public:
  // `owned` is null for a shared source, else the per-call source `source` points to.
  EventStreamReactor(RpcRunner* runner, grpc::CallbackServerContext* ctx, const char* method,
                     EventSource<Event>* source, std::unique_ptr<EventSource<Event>> owned,
                     const StreamOptions& options)
      : runner_(runner),
        ctx_(ctx),
        method_(method),
        owned_source_(std::move(owned)),
        source_(source),
        options_(options),
        start_(absl::Now()),
        last_write_(start_) {}

  // Called once by RpcRunner::Stream on the gRPC thread, before the reactor is returned (gRPC
  // holds writes and Finish issued before binding until the reactor is bound).
  void Start(absl::StatusOr<Principal> principal, StreamStart start) {
    if (!principal.ok()) {
      End(principal.status());
      return;
    }
    principal_ = *std::move(principal);
    call_.emplace(MakeCallContext(ctx_, principal_));
    stream_start_ = std::move(start);
    if (!runner_->pool_->Submit([this] { Begin(); })) End(RpcRunner::Overloaded());
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      End(absl::CancelledError("the stream was closed while writing"));
      return;
    }
    if (next_ < pending_.size()) {
      WriteNext();
      return;
    }
    // The buffered batch is written: look again at once, there may be more backlog.
    SchedulePoll(absl::ZeroDuration());
  }

  void OnCancel() override {
    cancelled_.store(true);
    absl::MutexLock lock(&alarm_mu_);
    if (alarm_armed_) alarm_->Cancel();
  }

  void OnDone() override { delete this; }

 private:
  bool Cancelled() const { return cancelled_.load() || ctx_->IsCancelled(); }

  // Worker: check the caller and the cursor, then poll.
  void Begin() {
    if (ctx_->deadline() < std::chrono::system_clock::now()) {
      End(absl::DeadlineExceededError("deadline passed before the call started"));
      return;
    }
    absl::StatusOr<int64_t> after = absl::InternalError("not started");
    absl::Status status = runner_->Guarded(method_, [&] {
      after = source_->Start(*call_, stream_start_);
      return after.status();
    });
    if (!status.ok()) {
      End(status);
      return;
    }
    after_ = *after;
    Poll();
  }

  // Worker: read the next batch and write it, or send a heartbeat, or wait.
  void Poll() {
    if (Cancelled()) {
      End(absl::CancelledError("the client cancelled the stream"));
      return;
    }
    if (runner_->streams_stopping_.load()) {
      End(stream_internal::ShuttingDown());
      return;
    }
    pending_.clear();
    next_ = 0;
    absl::StatusOr<int64_t> last = absl::InternalError("not read");
    absl::Status status = runner_->Guarded(method_, [&] {
      last = source_->Read(*call_, after_, options_.batch_size, &pending_);
      return last.status();
    });
    if (!status.ok()) {
      End(status);
      return;
    }
    const bool progressed = *last > after_;
    after_ = *last;
    if (!pending_.empty()) {
      WriteNext();
      return;
    }
    const absl::Duration since_write = absl::Now() - last_write_;
    if (since_write >= options_.heartbeat_interval) {
      pending_.push_back(source_->Heartbeat(after_));
      WriteNext();
      return;
    }
    // Events outside the caller's scope were skipped: keep reading until caught up.
    if (progressed) {
      SchedulePoll(absl::ZeroDuration());
      return;
    }
    SchedulePoll(std::min(options_.poll_interval, options_.heartbeat_interval - since_write));
  }

  void WriteNext() {
    if (Cancelled()) {
      End(absl::CancelledError("the client cancelled the stream"));
      return;
    }
    current_ = std::move(pending_[next_++]);
    last_write_ = absl::Now();
    this->StartWrite(&current_);
  }

  // Hands the chain to a Poll() on the pool, now or after `delay` (via an alarm).
  void SchedulePoll(absl::Duration delay) {
    if (delay <= absl::ZeroDuration() && runner_->pool_->Submit([this] { Poll(); })) return;
    if (delay <= absl::ZeroDuration()) delay = options_.poll_interval;  // pool full: retry later
    {
      absl::MutexLock lock(&alarm_mu_);
      if (!cancelled_.load()) {
        alarm_ = std::make_unique<grpc::Alarm>();
        alarm_armed_ = true;
        alarm_->Set(stream_internal::AlarmDeadline(delay), [this](bool) { OnAlarm(); });
        return;
      }
    }
    // OnCancel already ran (and found no alarm to cancel): do not wait.
    End(absl::CancelledError("the client cancelled the stream"));
  }

  // Alarm callback (a gRPC executor thread): fired or cancelled; either way Poll() decides.
  void OnAlarm() {
    {
      absl::MutexLock lock(&alarm_mu_);
      alarm_armed_ = false;
    }
    if (runner_->pool_->Submit([this] { Poll(); })) return;
    if (Cancelled()) {
      End(absl::CancelledError("the client cancelled the stream"));
    } else {
      SchedulePoll(options_.poll_interval);  // pool full: try again later
    }
  }

  // Ends the stream: one access-log line, then Finish. The caller must not touch `this` after.
  void End(const absl::Status& status) {
    runner_->log_->Record(runner_->service_, method_, status, absl::Now() - start_, principal_.id);
    this->Finish(ToGrpcStatus(status));
  }

  RpcRunner* const runner_;
  grpc::CallbackServerContext* const ctx_;
  const char* const method_;
  const std::unique_ptr<EventSource<Event>> owned_source_;  // deleted with the reactor (OnDone)
  EventSource<Event>* const source_;
  const StreamOptions options_;
  const absl::Time start_;

  std::atomic<bool> cancelled_{false};
  absl::Mutex alarm_mu_;
  std::unique_ptr<grpc::Alarm> alarm_ ABSL_GUARDED_BY(alarm_mu_);
  bool alarm_armed_ ABSL_GUARDED_BY(alarm_mu_) = false;

  // Owned by the chain's current holder (see the file comment).
  Principal principal_;
  std::optional<CallContext> call_;
  StreamStart stream_start_;
  int64_t after_ = 0;
  std::vector<Event> pending_;
  size_t next_ = 0;
  Event current_;
  absl::Time last_write_;
};

template <typename Event>
grpc::ServerWriteReactor<Event>* RpcRunner::Stream(grpc::CallbackServerContext* ctx,
                                                   const char* method, EventSource<Event>* source,
                                                   StreamStart start,
                                                   const StreamOptions& options) {
  auto* reactor = new EventStreamReactor<Event>(this, ctx, method, source, nullptr, options);
  reactor->Start(Authenticate(*ctx), std::move(start));
  return reactor;
}

template <typename Event>
grpc::ServerWriteReactor<Event>* RpcRunner::Stream(grpc::CallbackServerContext* ctx,
                                                   const char* method,
                                                   std::unique_ptr<EventSource<Event>> source,
                                                   StreamStart start,
                                                   const StreamOptions& options) {
  EventSource<Event>* const raw = source.get();
  auto* reactor = new EventStreamReactor<Event>(this, ctx, method, raw, std::move(source), options);
  reactor->Start(Authenticate(*ctx), std::move(start));
  return reactor;
}

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_EVENT_STREAM_H_
