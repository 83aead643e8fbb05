#include "services/common/stream_consumer.h"

#include <cppconn/resultset.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/log.h"

namespace cooplink {
namespace {

constexpr const char* kLoadCursor = "SELECT cursor_value FROM stream_cursors WHERE stream_name = ?";
constexpr const char* kLockCursor =
    "SELECT cursor_value FROM stream_cursors WHERE stream_name = ? FOR UPDATE";
// A second consumer inserting the first cursor at the same time fails on the primary key.
constexpr const char* kInsertCursor =
    "INSERT INTO stream_cursors (stream_name, cursor_value, update_time_us) VALUES (?, ?, ?)";
constexpr const char* kUpdateCursor =
    "UPDATE stream_cursors SET cursor_value = ?, update_time_us = ? WHERE stream_name = ?";

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

absl::Status AdvanceStreamCursor(Tx& tx, const std::string& name, const std::string& expected,
                                 const std::string& cursor, absl::Time now) {
  auto rs = tx.Query(kLockCursor, name);
  const bool exists = rs->next();
  const std::string current = exists ? std::string(rs->getString("cursor_value")) : "";
  if (current != expected) {
    return absl::AbortedError(
        absl::StrCat("another consumer named ", name, " moved the stream cursor"));
  }
  if (!exists) {
    tx.Execute(kInsertCursor, name, cursor, absl::ToUnixMicros(now));
  } else {
    // Matched by its key and locked above; the row may be unchanged (a heartbeat repeating the
    // last event's cursor within the same microsecond), so the affected count is not checked.
    tx.Execute(kUpdateCursor, cursor, absl::ToUnixMicros(now), name);
  }
  return absl::OkStatus();
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
