// The client side of a watch stream (event_stream.h): reads a server stream for as long as it
// runs, hands each event to a handler, remembers its cursor durably and reconnects after errors.
// Income uses it for orders' WatchOrderEvents.
//
// Contract:
//   - The cursor is kept in the consumer's own database (stream_cursors, runtime migration 3,
//     keyed by the consumer's name) and written in the SAME transaction as the handler's effect:
//     an event is applied exactly once even though the server delivers at least once. A handler
//     that fails rolls back its effect and the cursor; the stream is reopened (after a backoff)
//     from the last stored cursor, so the event comes again.
//   - Also with several replicas running the same consumer (same name): each event's transaction
//     first locks the cursor row (FOR UPDATE, so the latest value also on TiDB, whose snapshot is
//     taken at BEGIN) and goes on only if it still holds the cursor this stream started from or
//     last stored. Otherwise another replica applied the event: the transaction is rolled back,
//     the stream ends (ABORTED) and is reopened from the stored cursor.
//   - Heartbeats do not reach the handler; their cursor is stored (so a restart does not re-read
//     events the caller could not see anyway).
//   - After any end of a stream (an error, the server's UNAVAILABLE on shutdown, a network
//     failure) the consumer reconnects with the stored cursor after a jittered, doubling backoff
//     (reset by the first event received). It never gives up; an expired cursor
//     (FAILED_PRECONDITION CURSOR_EXPIRED) needs an operator or a resync and is retried slowly.
//   - The handler runs inside Database::Transact, which retries deadlocks: no effects outside the
//     transaction.
//
// Threading: Start() runs the consumer on one thread of its own; Stop() cancels the open stream
// and joins it (prompt: the stream's blocking Read returns at once).
#ifndef COOPLINK_SERVICES_COMMON_STREAM_CONSUMER_H_
#define COOPLINK_SERVICES_COMMON_STREAM_CONSUMER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/db.h"
#include "services/common/status.h"

namespace cooplink {

struct ConsumerOptions {
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(30);
};

// The stored cursor of consumer `name` ("" when it has none yet).
absl::StatusOr<std::string> LoadStreamCursor(Database& db, const std::string& name);
// Moves consumer `name`'s stored cursor from `expected` ("" when it has none yet) to `cursor` in
// `tx`, holding the row's lock until tx ends. ABORTED when the stored cursor is not `expected`
// (another consumer of the same name moved it): nothing is written.
absl::Status AdvanceStreamCursor(Tx& tx, const std::string& name, const std::string& expected,
                                 const std::string& cursor, absl::Time now);

// The part of a consumer that does not depend on the event type: the thread, reconnects,
// backoff and stopping.
class StreamConsumerBase {
 public:
  virtual ~StreamConsumerBase();
  StreamConsumerBase(const StreamConsumerBase&) = delete;
  StreamConsumerBase& operator=(const StreamConsumerBase&) = delete;

  void Start();
  void Stop();

  const std::string& name() const { return name_; }
  // Streams opened so far (tests and metrics).
  int64_t connections() const { return connections_.load(); }

 protected:
  StreamConsumerBase(Database* db, const Clock* clock, std::string name, ConsumerOptions options)
      : db_(db), clock_(clock), name_(std::move(name)), options_(options) {}
  // Reads one stream opened on `ctx` after `cursor` until it ends; returns why it ended. Sets
  // `*progressed` once an event was applied.
  virtual absl::Status RunStream(grpc::ClientContext* ctx, const std::string& cursor,
                                 bool* progressed) = 0;

  Database* const db_;
  const Clock* const clock_;

 private:
  void Loop();

  const std::string name_;
  const ConsumerOptions options_;
  std::atomic<int64_t> connections_{0};
  absl::Notification stop_;
  absl::Mutex mu_;
  grpc::ClientContext* open_ ABSL_GUARDED_BY(mu_) = nullptr;  // the stream to cancel on Stop()
  std::thread thread_;
};

template <typename Event>
class StreamConsumer final : public StreamConsumerBase {
 public:
  // Opens the stream after `cursor` ("" = from the oldest retained event) on `ctx`, e.g.
  //   [stub, token](grpc::ClientContext* ctx, const std::string& cursor) {
  //     ctx->AddMetadata("authorization", "Bearer " + token);
  //     v1::WatchOrderEventsRequest req; req.set_cursor(cursor);
  //     return stub->WatchOrderEvents(ctx, req);
  //   }
  using Open = std::function<std::unique_ptr<grpc::ClientReaderInterface<Event>>(
      grpc::ClientContext* ctx, const std::string& cursor)>;
  // Applies one event in the consumer's transaction (the cursor is stored in the same one).
  using Handler = std::function<absl::Status(Tx& tx, const Event& event)>;
  using IsHeartbeat = std::function<bool(const Event& event)>;

  // `name` identifies the consumer's cursor row (one per consumed stream and filter).
  StreamConsumer(Database* db, const Clock* clock, std::string name, Open open, Handler handler,
                 IsHeartbeat is_heartbeat, ConsumerOptions options = {})
      : StreamConsumerBase(db, clock, std::move(name), options),
        open_stream_(std::move(open)),
        handler_(std::move(handler)),
        is_heartbeat_(std::move(is_heartbeat)) {}
  ~StreamConsumer() override { Stop(); }

 private:
  absl::Status RunStream(grpc::ClientContext* ctx, const std::string& cursor,
                         bool* progressed) override {
    std::unique_ptr<grpc::ClientReaderInterface<Event>> reader = open_stream_(ctx, cursor);
    Event event;
    absl::Status applied;
    std::string stored = cursor;  // what the row holds if no other consumer moved it
    while (reader->Read(&event)) {
      applied = db_->Transact([&](Tx& tx) -> absl::Status {
        // The cursor row's lock first: a replica consuming the same stream waits here, then sees
        // the event applied.
        if (absl::Status s = AdvanceStreamCursor(tx, name(), stored, event.cursor(), clock_->Now());
            !s.ok()) {
          return s;
        }
        if (!is_heartbeat_(event)) return handler_(tx, event);
        return absl::OkStatus();
      });
      if (applied.ok()) stored = event.cursor();
      if (!applied.ok()) {
        ctx->TryCancel();
        while (reader->Read(&event)) {
        }
        break;
      }
      *progressed = true;
    }
    const grpc::Status finished = reader->Finish();
    if (!applied.ok()) return applied;
    return finished.ok() ? absl::UnavailableError("the stream ended") : FromGrpcStatus(finished);
  }

  const Open open_stream_;
  const Handler handler_;
  const IsHeartbeat is_heartbeat_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_STREAM_CONSUMER_H_
