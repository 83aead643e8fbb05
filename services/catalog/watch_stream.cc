// WatchCatalogChanges: a grpc::ServerWriteReactor that polls the change feed.
//
// Threading. The stream is driven by ONE logical chain of steps; at any moment exactly one of
// these holds the chain:
//   (a) a Poll() task queued on or running on the worker pool (the only step that blocks, on the
//       database);
//   (b) a grpc::Alarm armed for the next poll (no thread is held while the stream idles);
//   (c) one write in flight (StartWrite → OnWriteDone on a gRPC thread, which only writes the
//       next buffered change or hands the chain back to (a)/(b)).
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
// On shutdown CatalogServer calls CatalogGrpc::StopWatches() first: each stream then ends at its
// next poll (within one poll interval) with UNAVAILABLE, so the drain does not wait for streams.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/alarm.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/catalog/catalog_grpc.h"
#include "services/common/fields.h"

namespace cooplink::catalog {
namespace {

constexpr char kMethod[] = "WatchCatalogChanges";

std::chrono::system_clock::time_point Deadline(absl::Duration after) {
  return std::chrono::system_clock::now() +
         std::chrono::microseconds(absl::ToInt64Microseconds(after));
}

class WatchReactor final : public grpc::ServerWriteReactor<v1::CatalogChange> {
 public:
  WatchReactor(grpc::CallbackServerContext* ctx, Catalog* catalog, WorkerPool* workers,
               AccessLog* log, std::string service, const WatchOptions& options,
               const std::atomic<bool>* stopping)
      : ctx_(ctx),
        stopping_(stopping),
        catalog_(catalog),
        workers_(workers),
        log_(log),
        service_(std::move(service)),
        options_(options),
        start_(absl::Now()),
        last_write_(start_) {}

  // Called once by the handler (on the gRPC thread, before the reactor is returned; gRPC holds
  // writes and Finish issued before binding until the reactor is bound).
  void Start(absl::StatusOr<Principal> principal, std::string cursor) {
    if (!principal.ok()) {
      End(principal.status());
      return;
    }
    principal_ = *std::move(principal);
    call_.emplace(MakeCallContext(ctx_, principal_));
    cursor_ = std::move(cursor);
    if (!workers_->Submit([this] { Begin(); })) {
      End(WithReason(absl::ResourceExhaustedError("server is overloaded; retry with backoff"),
                     "SERVER_OVERLOADED"));
    }
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

  // Worker: validate the cursor, then poll.
  void Begin() {
    absl::StatusOr<int64_t> after = Guarded([&] { return catalog_->StartWatch(*call_, cursor_); });
    if (!after.ok()) {
      End(after.status());
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
    if (stopping_->load()) {
      End(WithReason(absl::UnavailableError("the server is shutting down; resume with the last "
                                            "cursor"),
                     "SERVER_SHUTTING_DOWN"));
      return;
    }
    pending_.clear();
    next_ = 0;
    absl::StatusOr<int64_t> last = Guarded(
        [&] { return catalog_->ReadChanges(*call_, after_, options_.batch_size, &pending_); });
    if (!last.ok()) {
      End(last.status());
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
      v1::CatalogChange heartbeat;
      heartbeat.set_cursor(Catalog::EncodeCursor(after_));
      heartbeat.set_kind(v1::CATALOG_CHANGE_KIND_HEARTBEAT);
      *heartbeat.mutable_change_time() = ToTimestamp(ToMicros(catalog_->clock().Now()));
      pending_.push_back(std::move(heartbeat));
      WriteNext();
      return;
    }
    // Rows outside the caller's scope were skipped: keep reading until caught up.
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
    StartWrite(&current_);
  }

  // Hands the chain to a Poll() on the pool, now or after `delay` (via an alarm).
  void SchedulePoll(absl::Duration delay) {
    if (delay <= absl::ZeroDuration() && workers_->Submit([this] { Poll(); })) return;
    if (delay <= absl::ZeroDuration()) delay = options_.poll_interval;  // pool full: retry later
    {
      absl::MutexLock lock(&alarm_mu_);
      if (!cancelled_.load()) {
        alarm_ = std::make_unique<grpc::Alarm>();
        alarm_armed_ = true;
        alarm_->Set(Deadline(delay), [this](bool) { OnAlarm(); });
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
    if (workers_->Submit([this] { Poll(); })) return;
    if (Cancelled()) {
      End(absl::CancelledError("the client cancelled the stream"));
    } else {
      SchedulePoll(options_.poll_interval);  // pool full: try again later
    }
  }

  // Ends the stream: one access-log line, then Finish. The caller must not touch `this` after.
  void End(const absl::Status& status) {
    log_->Record(service_, kMethod, status, absl::Now() - start_, principal_.id);
    Finish(ToGrpcStatus(status));
  }

  template <typename Fn>
  static auto Guarded(Fn fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const std::exception&) {
      std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"watch step threw\"}\n");
      return absl::InternalError("internal error");
    } catch (...) {
      return absl::InternalError("internal error");
    }
  }

  grpc::CallbackServerContext* const ctx_;
  const std::atomic<bool>* const stopping_;
  Catalog* const catalog_;
  WorkerPool* const workers_;
  AccessLog* const log_;
  const std::string service_;
  const WatchOptions options_;
  const absl::Time start_;

  std::atomic<bool> cancelled_{false};
  absl::Mutex alarm_mu_;
  std::unique_ptr<grpc::Alarm> alarm_ ABSL_GUARDED_BY(alarm_mu_);
  bool alarm_armed_ ABSL_GUARDED_BY(alarm_mu_) = false;

  // Owned by the chain's current holder (see the file comment).
  Principal principal_;
  std::optional<CallContext> call_;
  std::string cursor_;
  int64_t after_ = 0;
  std::vector<v1::CatalogChange> pending_;
  size_t next_ = 0;
  v1::CatalogChange current_;
  absl::Time last_write_;
};

}  // namespace

grpc::ServerWriteReactor<v1::CatalogChange>* CatalogGrpc::WatchCatalogChanges(
    grpc::CallbackServerContext* ctx, const v1::WatchCatalogChangesRequest* req) {
  auto* reactor = new WatchReactor(ctx, catalog_, workers_, runner_->access_log(),
                                   runner_->service(), watch_, &stopping_);
  const auto& metadata = ctx->client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view header;
  if (it != metadata.end()) header = absl::string_view(it->second.data(), it->second.size());
  reactor->Start(authenticator_->Authenticate(header), req->cursor());
  return reactor;
}

}  // namespace cooplink::catalog
