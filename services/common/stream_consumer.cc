#include "services/common/stream_consumer.h"

#include <cppconn/resultset.h>

#include <algorithm>
#include <random>

#include "absl/time/clock.h"
#include "services/common/log.h"

namespace cooplink {
namespace {

constexpr const char* kLoadCursor = "SELECT cursor_value FROM stream_cursors WHERE stream_name = ?";
constexpr const char* kStoreCursor =
    "INSERT INTO stream_cursors (stream_name, cursor_value, update_time_us) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE cursor_value = VALUES(cursor_value), "
    "update_time_us = VALUES(update_time_us)";

}  // namespace

absl::StatusOr<std::string> LoadStreamCursor(Database& db, const std::string& name) {
  std::string cursor;
  absl::Status status = db.Read([&](Tx& tx) {
    auto rs = tx.Query(kLoadCursor, name);
    cursor = rs->next() ? std::string(rs->getString("cursor_value")) : std::string();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return cursor;
}

void StoreStreamCursor(Tx& tx, const std::string& name, const std::string& cursor, absl::Time now) {
  tx.Execute(kStoreCursor, name, cursor, absl::ToUnixMicros(now));
}

StreamConsumerBase::~StreamConsumerBase() { Stop(); }

void StreamConsumerBase::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void StreamConsumerBase::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (open_ != nullptr) open_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void StreamConsumerBase::Loop() {
  std::mt19937_64 random(std::random_device{}());
  absl::Duration backoff = options_.initial_backoff;
  while (!stop_.HasBeenNotified()) {
    bool progressed = false;
    absl::StatusOr<std::string> cursor = LoadStreamCursor(*db_, name_);
    absl::Status ended = cursor.status();
    if (cursor.ok()) {
      grpc::ClientContext ctx;
      {
        absl::MutexLock lock(&mu_);
        if (stop_.HasBeenNotified()) break;
        open_ = &ctx;
      }
      ++connections_;
      ended = RunStream(&ctx, *cursor, &progressed);
      absl::MutexLock lock(&mu_);
      open_ = nullptr;
    }
    if (stop_.HasBeenNotified()) break;
    if (progressed) backoff = options_.initial_backoff;
    LogWarn("stream consumer reconnects",
            {{"consumer", name_}, {"code", absl::StatusCodeToString(ended.code())}});
    // Jittered (half to all of the backoff): replicas that lost the same server spread out.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    if (stop_.WaitForNotificationWithTimeout(backoff * jitter(random))) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace cooplink
