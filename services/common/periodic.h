// Runs a task every `interval` on its own thread until stopped (or destroyed). Used for the
// reservation sweeper, the idempotency-key janitor and similar housekeeping.
#ifndef COOPLINK_SERVICES_COMMON_PERIODIC_H_
#define COOPLINK_SERVICES_COMMON_PERIODIC_H_

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace cooplink {

class Periodic {
 public:
  Periodic(absl::Duration interval, std::function<void()> task)
      : thread_([this, interval, task = std::move(task)] {
          while (!stop_.WaitForNotificationWithTimeout(interval)) task();
        }) {}
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void Stop() {
    if (!thread_.joinable()) return;
    if (!stop_.HasBeenNotified()) stop_.Notify();
    thread_.join();
  }

 private:
  absl::Notification stop_;
  std::thread thread_;  // last: starts after stop_ exists
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_PERIODIC_H_
