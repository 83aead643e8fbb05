// A WatchCatalogChanges client stream for tests, with its own context (and so its own cancel
// button). A stream "caught up" is detected by its heartbeats: the server sends one only when a
// poll found nothing and the heartbeat interval passed without a write, so a heartbeat received
// after two heartbeat intervals covers every change committed before (the catalog fixture runs
// the server with a 500 ms heartbeat interval).
#ifndef COOPLINK_TESTS_SUPPORT_WATCH_CLIENT_H_
#define COOPLINK_TESTS_SUPPORT_WATCH_CLIENT_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cooplink/catalog/v1/catalog.grpc.pb.h"

namespace cooplink::testing {

namespace cv1 = ::cooplink::catalog::v1;

// One client stream with its own context (and so its own cancel button).
class Watch {
 public:
  Watch(cv1::CatalogService::Stub& stub, const std::string& token, const std::string& cursor,
        std::chrono::seconds deadline = std::chrono::seconds(30), bool start_at_now = false) {
    if (!token.empty()) ctx_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx_.set_deadline(std::chrono::system_clock::now() + deadline);
    cv1::WatchCatalogChangesRequest req;
    req.set_cursor(cursor);
    req.set_start_at_now(start_at_now);
    reader_ = stub.WatchCatalogChanges(&ctx_, req);
  }
  ~Watch() {
    if (!finished_) {
      ctx_.TryCancel();
      Finish();
    }
  }

  std::optional<cv1::CatalogChange> Next() {
    cv1::CatalogChange change;
    if (!reader_->Read(&change)) return std::nullopt;
    return change;
  }
  // The next change that is not a heartbeat.
  std::optional<cv1::CatalogChange> NextChange() {
    while (auto c = Next()) {
      if (c->kind() != cv1::CATALOG_CHANGE_KIND_HEARTBEAT) return c;
    }
    return std::nullopt;
  }
  // Every change until `heartbeats` heartbeats arrived (see the file comment).
  std::vector<cv1::CatalogChange> UntilCaughtUp(int heartbeats = 2) {
    std::vector<cv1::CatalogChange> out;
    int seen = 0;
    while (seen < heartbeats) {
      auto c = Next();
      if (!c) {
        ADD_FAILURE() << "stream ended: " << Finish().error_message();
        break;
      }
      if (c->kind() == cv1::CATALOG_CHANGE_KIND_HEARTBEAT) {
        ++seen;
      } else {
        seen = 0;  // still delivering: wait for heartbeats after the last change
        out.push_back(*std::move(c));
      }
    }
    return out;
  }
  void Cancel() {
    ctx_.TryCancel();
    cv1::CatalogChange ignored;
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
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<cv1::CatalogChange>> reader_;
  bool finished_ = false;
  grpc::Status status_;
};

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_WATCH_CLIENT_H_
