// WatchOrderEvents through real gRPC against the orders server (its relay sequences the outbox
// into the feed every 10 ms, heartbeats every 500 ms): each caller sees only its scope, a stream
// cut by its client resumes from the last cursor it processed with no gap and no duplicate while
// orders keep arriving, start_at_now, heartbeats, and the refusals.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/orders_fixture.h"
#include "tests/support/watch_client.h"

namespace cooplink::testing {
namespace {

using ov1::ORDER_STATE_PAID;
using ov1::ORDER_STATE_PENDING_PAYMENT;

class WatchEventsTest : public OrdersFixture {
 protected:
  static ov1::WatchOrderEventsRequest From(const std::string& cursor,
                                           const std::string& partner_id = "",
                                           const std::string& cooperative_id = "") {
    ov1::WatchOrderEventsRequest req;
    req.set_cursor(cursor);
    req.set_partner_id(partner_id);
    req.set_cooperative_id(cooperative_id);
    return req;
  }
  static ov1::WatchOrderEventsRequest Now() {
    ov1::WatchOrderEventsRequest req;
    req.set_start_at_now(true);
    return req;
  }
  // Waits for the stream's first heartbeat (its start position is fixed by then); returns it.
  static ov1::OrderEvent FirstHeartbeat(OrderWatch& watch) {
    while (auto e = watch.Next()) {
      if (e->kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT) return *e;
    }
    ADD_FAILURE() << "stream ended before a heartbeat: " << watch.Finish().error_message();
    return {};
  }
  static std::set<std::string> OrderIds(const std::vector<ov1::OrderEvent>& events) {
    std::set<std::string> ids;
    for (const auto& e : events) ids.insert(e.order().id());
    return ids;
  }
  static bool HasLineOf(const ov1::Order& o, const std::string& cooperative_id) {
    for (const auto& l : o.lines()) {
      if (l.cooperative_id() == cooperative_id) return true;
    }
    return false;
  }
};

TEST_F(WatchEventsTest, APartnerSeesOnlyItsOwnOrdersEventsAndHeartbeatsArrive) {
  SellingWorld a = NewSellingWorld(10);
  SellingWorld b = NewSellingWorld(10);
  auto stub = NewOrdersStub();
  OrderWatch watch(*stub, a.partner.token, Now());
  const ov1::OrderEvent hb = FirstHeartbeat(watch);
  EXPECT_FALSE(hb.cursor().empty());
  EXPECT_TRUE(hb.has_event_time());
  EXPECT_FALSE(hb.has_order());
  const std::string mine = Upsert(a, OrderRequest(a, "P-A", 1, ORDER_STATE_PAID)).order().id();
  const std::string theirs = Upsert(b, OrderRequest(b, "P-B", 1, ORDER_STATE_PAID)).order().id();
  const std::string mine2 =
      Upsert(a, OrderRequest(a, "P-A2", 1, ORDER_STATE_PENDING_PAYMENT)).order().id();
  const auto events = watch.UntilCaughtUp();
  ASSERT_FALSE(events.empty());
  for (const auto& e : events) {
    EXPECT_EQ(e.order().partner_id(), a.partner.partner.id()) << e.ShortDebugString();
    EXPECT_NE(e.order().id(), theirs);
    EXPECT_EQ(e.order().buyer().phone(), "138****5678");  // masked
  }
  EXPECT_EQ(OrderIds(events), (std::set<std::string>{mine, mine2}));
  EXPECT_EQ(events.front().kind(), ov1::ORDER_EVENT_KIND_ORDER_CREATED);
  // Cursors strictly after the heartbeat's, each once.
  std::set<std::string> cursors;
  for (const auto& e : events) EXPECT_TRUE(cursors.insert(e.cursor()).second);
  // Another partner's filter: PERMISSION_DENIED.
  OrderWatch foreign(*stub, a.partner.token, From("", b.partner.partner.id()));
  EXPECT_FALSE(foreign.Next().has_value());
  EXPECT_EQ(foreign.Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(WatchEventsTest, ACooperativeAdminSeesOnlyItsCooperativesOrders) {
  SellingWorld a = NewSellingWorld(10);
  SellingWorld b = NewSellingWorld(10);
  auto stub = NewOrdersStub();
  OrderWatch watch(*stub, a.coop.admin_token, Now());
  FirstHeartbeat(watch);
  const std::string ours = Upsert(a, OrderRequest(a, "C-A", 2, ORDER_STATE_PAID)).order().id();
  const std::string other = Upsert(b, OrderRequest(b, "C-B", 2, ORDER_STATE_PAID)).order().id();
  const auto events = watch.UntilCaughtUp();
  ASSERT_FALSE(events.empty());
  bool fulfilment = false;
  for (const auto& e : events) {
    EXPECT_TRUE(HasLineOf(e.order(), a.coop.cooperative.id())) << e.ShortDebugString();
    if (e.kind() == ov1::ORDER_EVENT_KIND_FULFILMENT_CHANGED) {
      fulfilment = true;
      EXPECT_EQ(e.fulfilment().cooperative_id(), a.coop.cooperative.id());
    }
  }
  EXPECT_TRUE(fulfilment);  // a PAID order's fulfilment is the cooperative's to see
  EXPECT_EQ(OrderIds(events), std::set<std::string>{ours});
  EXPECT_EQ(OrderIds(events).count(other), 0u);
  // Another cooperative's filter: PERMISSION_DENIED; a worker may not watch.
  OrderWatch foreign(*stub, a.coop.admin_token, From("", "", b.coop.cooperative.id()));
  EXPECT_FALSE(foreign.Next().has_value());
  EXPECT_EQ(foreign.Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  OrderWatch worker(*stub, AssignedWorkerToken(a.coop.cooperative.id()), From(""));
  EXPECT_FALSE(worker.Next().has_value());
  EXPECT_EQ(worker.Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(WatchEventsTest, AStreamCutByItsClientResumesWithNoGapAndNoDuplicate) {
  SellingWorld w = NewSellingWorld(1000);
  constexpr int kOrders = 40;
  // Orders keep arriving while the stream is cut and resumed.
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < kOrders; ++i) {
      Upsert(w, OrderRequest(w, absl::StrCat("R-", i), 1,
                             i % 2 == 0 ? ORDER_STATE_PAID : ORDER_STATE_PENDING_PAYMENT));
      ++written;
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  });
  const ov1::WatchOrderEventsRequest all = From("", w.partner.partner.id());
  std::vector<ov1::OrderEvent> got;
  std::string last;
  // Reads in a lambda so that a failed assertion still joins the writer.
  [&] {
    auto stub = NewOrdersStub();
    OrderWatch first(*stub, admin(), all);
    while (got.size() < 10) {
      auto e = first.NextChange();
      ASSERT_TRUE(e.has_value()) << first.Finish().error_message();
      got.push_back(*e);
      last = e->cursor();
    }
    first.Cancel();  // the client goes away mid-stream
    EXPECT_EQ(first.Finish().error_code(), grpc::StatusCode::CANCELLED);
    EXPECT_LT(written.load(), kOrders)
        << "the writer finished before the cut: the test proves less";
    auto stub2 = NewOrdersStub();
    ov1::WatchOrderEventsRequest resume = all;
    resume.set_cursor(last);
    OrderWatch second(*stub2, admin(), resume);
    // Read until every order's creation is seen and the stream is caught up.
    std::set<std::string> created;
    for (const auto& e : got) {
      if (e.kind() == ov1::ORDER_EVENT_KIND_ORDER_CREATED) created.insert(e.order().id());
    }
    while (written.load() < kOrders || static_cast<int>(created.size()) < kOrders) {
      auto e = second.NextChange();
      ASSERT_TRUE(e.has_value()) << second.Finish().error_message();
      got.push_back(*e);
      if (e->kind() == ov1::ORDER_EVENT_KIND_ORDER_CREATED) created.insert(e->order().id());
    }
    for (auto& e : second.UntilCaughtUp()) got.push_back(std::move(e));
  }();
  writer.join();
  ASSERT_FALSE(HasFatalFailure());
  // No duplicate, and exactly what one uncut stream from the start delivers.
  std::set<std::string> cursors;
  for (const auto& e : got) EXPECT_TRUE(cursors.insert(e.cursor()).second) << e.cursor();
  auto stub = NewOrdersStub();
  OrderWatch uncut(*stub, admin(), all);
  const auto reference = uncut.UntilCaughtUp();
  ASSERT_EQ(got.size(), reference.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].cursor(), reference[i].cursor()) << i;
    EXPECT_EQ(got[i].kind(), reference[i].kind()) << i;
    EXPECT_EQ(got[i].order().id(), reference[i].order().id()) << i;
  }
  int created = 0;
  for (const auto& e : reference) created += e.kind() == ov1::ORDER_EVENT_KIND_ORDER_CREATED;
  EXPECT_EQ(created, kOrders);
}

TEST_F(WatchEventsTest, StartAtNowSkipsThePastAndRefusesACursor) {
  SellingWorld w = NewSellingWorld(10);
  const std::string before = Upsert(w, OrderRequest(w, "N-0", 1, ORDER_STATE_PAID)).order().id();
  auto stub = NewOrdersStub();
  // Let the relay sequence the earlier order's events first.
  {
    OrderWatch caught(*stub, admin(), From("", w.partner.partner.id()));
    EXPECT_EQ(OrderIds(caught.UntilCaughtUp()), std::set<std::string>{before});
  }
  OrderWatch now(*stub, w.partner.token, Now());
  FirstHeartbeat(now);
  const std::string after = Upsert(w, OrderRequest(w, "N-1", 1, ORDER_STATE_PAID)).order().id();
  EXPECT_EQ(OrderIds(now.UntilCaughtUp()), std::set<std::string>{after});
  // start_at_now beside a cursor, and a cursor that is not one: INVALID_ARGUMENT.
  ov1::WatchOrderEventsRequest both = Now();
  both.set_cursor("bzF8MQ");
  OrderWatch refused(*stub, w.partner.token, both);
  EXPECT_FALSE(refused.Next().has_value());
  EXPECT_EQ(refused.Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  OrderWatch malformed(*stub, w.partner.token, From("not a cursor"));
  EXPECT_FALSE(malformed.Next().has_value());
  EXPECT_EQ(malformed.Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // No token: UNAUTHENTICATED.
  OrderWatch anonymous(*stub, "", Now());
  EXPECT_FALSE(anonymous.Next().has_value());
  EXPECT_EQ(anonymous.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace cooplink::testing
