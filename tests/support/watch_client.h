// Watch-stream clients for tests (WatchCatalogChanges, WatchOrderEvents), each with its own context
// (and so its own cancel button). A stream "caught up" is detected by its heartbeats: the server
// sends one only when a poll found nothing and the heartbeat interval passed without a write, so a
// heartbeat received after two heartbeat intervals covers every change committed before (the
// fixtures run the servers with a 500 ms heartbeat interval).
//
// WatchStream<Message> is the shared part; Watch (catalog) and OrderWatch (orders) open the call.
#ifndef COOPLINK_TESTS_SUPPORT_WATCH_CLIENT_H_
#define COOPLINK_TESTS_SUPPORT_WATCH_CLIENT_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "cooplink/orders/v1/orders.grpc.pb.h"

namespace cooplink::testing {

namespace cv1 = ::cooplink::catalog::v1;
namespace ov1 = ::cooplink::orders::v1;

// One client stream of `Message`s; `is_heartbeat` tells a heartbeat from a change.
template <typename Message>
class WatchStream {
 public:
  using Opener =
      std::function<std::unique_ptr<grpc::ClientReader<Message>>(grpc::ClientContext* ctx)>;

  WatchStream(const std::string& token, std::chrono::seconds deadline,
              std::function<bool(const Message&)> is_heartbeat, const Opener& open)
      : is_heartbeat_(std::move(is_heartbeat)) {
    if (!token.empty()) ctx_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx_.set_deadline(std::chrono::system_clock::now() + deadline);
    reader_ = open(&ctx_);
  }
  ~WatchStream() {
    if (!finished_) {
      ctx_.TryCancel();
      Finish();
    }
  }
  WatchStream(const WatchStream&) = delete;
  WatchStream& operator=(const WatchStream&) = delete;

  std::optional<Message> Next() {
    Message m;
    if (!reader_->Read(&m)) return std::nullopt;
    return m;
  }
  // The next message that is not a heartbeat.
  std::optional<Message> NextChange() {
    while (auto m = Next()) {
      if (!is_heartbeat_(*m)) return m;
    }
    return std::nullopt;
  }
  // Every change until `heartbeats` heartbeats arrived in a row (see the file comment).
  std::vector<Message> UntilCaughtUp(int heartbeats = 2) {
    std::vector<Message> out;
    int seen = 0;
    while (seen < heartbeats) {
      auto m = Next();
      if (!m) {
        ADD_FAILURE() << "stream ended: " << Finish().error_message();
        break;
      }
      if (is_heartbeat_(*m)) {
        ++seen;
      } else {
        seen = 0;  // still delivering: wait for heartbeats after the last change
        out.push_back(*std::move(m));
      }
    }
    return out;
  }
  void Cancel() {
    ctx_.TryCancel();
    Message ignored;
    while (reader_->Read(&ignored)) {
    }
    Finish();
  }
  grpc::Status Finish() {
    if (!finished_) {
      status_ = reader_->Finish();
      finished_ = true;
    }
    return status_;
  }

 private:
  std::function<bool(const Message&)> is_heartbeat_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<Message>> reader_;
  bool finished_ = false;
  grpc::Status status_;
};

// WatchCatalogChanges.
class Watch : public WatchStream<cv1::CatalogChange> {
 public:
  Watch(cv1::CatalogService::Stub& stub, const std::string& token, const std::string& cursor,
        std::chrono::seconds deadline = std::chrono::seconds(30), bool start_at_now = false)
      : WatchStream(
            token, deadline,
            [](const cv1::CatalogChange& c) {
              return c.kind() == cv1::CATALOG_CHANGE_KIND_HEARTBEAT;
            },
            [&](grpc::ClientContext* ctx) {
              cv1::WatchCatalogChangesRequest req;
              req.set_cursor(cursor);
              req.set_start_at_now(start_at_now);
              return stub.WatchCatalogChanges(ctx, req);
            }) {}
};

// WatchOrderEvents.
class OrderWatch : public WatchStream<ov1::OrderEvent> {
 public:
  OrderWatch(ov1::OrdersService::Stub& stub, const std::string& token,
             const ov1::WatchOrderEventsRequest& req,
             std::chrono::seconds deadline = std::chrono::seconds(30))
      : WatchStream(
            token, deadline,
            [](const ov1::OrderEvent& e) { return e.kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT; },
            [&](grpc::ClientContext* ctx) { return stub.WatchOrderEvents(ctx, req); }) {}
};

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_WATCH_CLIENT_H_
