// The order event feed at the database level against the real MariaDB: events appended to the
// outbox in writers' transactions, sequenced by OrderEventSequencer through an OutboxRelay, read
// back through OrderEventSource as each role sees them. Consecutive sequences, scopes (platform
// admin, partner, cooperative admin, refused filters and roles), resume by cursor without gap or
// duplicate, start_at_now, purge and expired cursors, heartbeats, a payload that breaks the
// contract, and concurrent writers with two relays (two replicas, TiDB-like snapshots).
#include "services/orders/order_events.h"

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/ids.h"
#include "services/common/outbox.h"
#include "services/common/outbox_relay.h"
#include "tests/support/test_env.h"

namespace cooplink::orders {
const std::vector<Migration>& Migrations();  // generated from migrations/*.sql
}  // namespace cooplink::orders

namespace cooplink::testing {
namespace {

namespace ov1 = ::cooplink::orders::v1;
using orders::OrderEventSource;

constexpr int kAll = 1000;  // a read limit larger than any test's backlog

std::string Id() { return NewId(absl::Now()); }

// An event as the orders writers build it (masked order, every line with its cooperative).
ov1::OrderEvent Event(ov1::OrderEventKind kind, const std::string& order_id,
                      const std::string& partner_id,
                      const std::vector<std::string>& line_cooperatives,
                      const std::string& component_cooperative = "") {
  ov1::OrderEvent e;
  e.set_kind(kind);
  ov1::Order* order = e.mutable_order();
  order->set_id(order_id);
  order->set_partner_id(partner_id);
  for (size_t i = 0; i < line_cooperatives.size(); ++i) {
    ov1::OrderLine* line = order->add_lines();
    line->set_external_line_id(absl::StrCat("line-", i));
    line->set_cooperative_id(line_cooperatives[i]);
  }
  switch (kind) {
    case ov1::ORDER_EVENT_KIND_FULFILMENT_CHANGED:
      e.mutable_fulfilment()->set_order_id(order_id);
      e.mutable_fulfilment()->set_cooperative_id(component_cooperative);
      break;
    case ov1::ORDER_EVENT_KIND_AFTER_SALE_CHANGED:
      e.mutable_after_sale()->set_order_id(order_id);
      e.mutable_after_sale()->set_cooperative_id(component_cooperative);
      break;
    case ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED:
      e.mutable_settlement()->set_order_id(order_id);
      e.mutable_settlement()->set_cooperative_id(component_cooperative);
      break;
    default:
      break;
  }
  return e;
}

Principal Caller(Role role, const std::string& scope_id = "") {
  Principal p;
  p.id = Id();
  p.role = role;
  if (role == Role::kPartner) p.partner_id = scope_id;
  if (role == Role::kCooperativeAdmin || role == Role::kMember) p.cooperative_id = scope_id;
  return p;
}

// What one caller's stream delivers, read through the source as the shared stream would.
struct Watched {
  absl::Status status;  // of Start()
  std::vector<ov1::OrderEvent> events;
  int64_t last_examined = 0;  // what the final Read() returned
  std::vector<int64_t> seqs() const {
    std::vector<int64_t> out;
    for (const auto& e : events) out.push_back(*orders::DecodeOrderEventCursor(e.cursor()));
    return out;
  }
  // "<order>/<kind>[/<component cooperative>]" of each event, in order.
  std::vector<std::string> labels(const std::map<std::string, std::string>& names) const {
    std::vector<std::string> out;
    for (const auto& e : events) {
      std::string label = absl::StrCat(names.at(e.order().id()), "/", e.kind());
      if (e.has_fulfilment())
        absl::StrAppend(&label, "/", names.at(e.fulfilment().cooperative_id()));
      if (e.has_after_sale())
        absl::StrAppend(&label, "/", names.at(e.after_sale().cooperative_id()));
      if (e.has_settlement())
        absl::StrAppend(&label, "/", names.at(e.settlement().cooperative_id()));
      out.push_back(label);
    }
    return out;
  }
};

class OrderEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenMigrated("test_orders_order_events", "orders", orders::Migrations());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    relay_ = std::make_unique<OutboxRelay>(db_.get(), &clock_, orders::kOrderEventTopic,
                                           std::make_unique<orders::OrderEventSequencer>());
  }

  // One writer transaction appending `events` (each keyed by its order).
  void Append(const std::vector<ov1::OrderEvent>& events) {
    ASSERT_TRUE(db_->Transact([&](Tx& tx) {
                     for (const auto& e : events) {
                       Outbox::Append(tx, orders::kOrderEventTopic, e.order().id(),
                                      e.SerializeAsString(), clock_.Now());
                     }
                     return absl::OkStatus();
                   })
                    .ok());
  }
  // Runs the relay until the topic is delivered.
  void Sequence() {
    while (true) {
      absl::StatusOr<int> n = relay_->RunOnce();
      ASSERT_TRUE(n.ok()) << n.status();
      if (*n == 0) return;
    }
  }
  Watched Watch(const Principal& caller, StreamStart start = {}, const std::string& partner = "",
                const std::string& cooperative = "", int limit = kAll) {
    OrderEventSource source(db_.get(), &clock_, partner, cooperative);
    const CallContext call = CallContext::Internal(caller);
    Watched w;
    absl::StatusOr<int64_t> after = source.Start(call, start);
    w.status = after.status();
    if (!after.ok()) return w;
    w.last_examined = *after;
    while (true) {
      const size_t before = w.events.size();
      absl::StatusOr<int64_t> last = source.Read(call, w.last_examined, limit, &w.events);
      EXPECT_TRUE(last.ok()) << last.status();
      if (!last.ok() || (*last == w.last_examined && w.events.size() == before)) return w;
      w.last_examined = *last;
    }
  }
  int64_t Head() {
    int64_t head = -1;
    EXPECT_TRUE(db_->Read([&](Tx& tx) {
                     head = orders::ReadOrderEventHead(tx);
                     return absl::OkStatus();
                   })
                    .ok());
    return head;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'780'000'000)};
  std::unique_ptr<Database> db_;
  std::unique_ptr<OutboxRelay> relay_;
};

std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  for (int64_t p = first; p <= last; ++p) out.push_back(p);
  return out;
}

TEST_F(OrderEventsTest, CommittedEventsGetConsecutiveSequencesInOutboxOrder) {
  const std::string partner = Id(), coop = Id(), a = Id(), b = Id();
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, a, partner, {coop})});
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, b, partner, {coop}),
          Event(ov1::ORDER_EVENT_KIND_ORDER_UPDATED, a, partner, {coop})});
  // A transaction that rolls back leaves no event and no sequence.
  EXPECT_FALSE(
      db_->Transact([&](Tx& tx) {
           Outbox::Append(
               tx, orders::kOrderEventTopic, a,
               Event(ov1::ORDER_EVENT_KIND_ORDER_UPDATED, a, partner, {coop}).SerializeAsString(),
               clock_.Now());
           return absl::AbortedError("the writer gave up");
         })
          .ok());
  Append({Event(ov1::ORDER_EVENT_KIND_FULFILMENT_CHANGED, a, partner, {coop}, coop)});
  Sequence();

  Watched all = Watch(Caller(Role::kPlatformAdmin));
  ASSERT_TRUE(all.status.ok()) << all.status;
  EXPECT_EQ(all.seqs(), Range(1, 4));
  EXPECT_EQ(all.last_examined, 4);
  EXPECT_EQ(Head(), 4);
  ASSERT_EQ(all.events.size(), 4u);
  EXPECT_EQ(all.events[0].order().id(), a);
  EXPECT_EQ(all.events[1].order().id(), b);
  EXPECT_EQ(all.events[2].kind(), ov1::ORDER_EVENT_KIND_ORDER_UPDATED);
  EXPECT_EQ(all.events[3].fulfilment().cooperative_id(), coop);
  for (const auto& e : all.events) {
    // The writers left event_time unset here: the outbox row's time stands in.
    EXPECT_EQ(e.event_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
    EXPECT_EQ(e.order().lines(0).cooperative_id(), coop);
  }
  // Delivered exactly once: another round finds nothing.
  absl::StatusOr<int> again = relay_->RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(CountRows(*db_, "order_events"), 4);
}

TEST_F(OrderEventsTest, EachCallerSeesOnlyItsScope) {
  const std::string p1 = Id(), p2 = Id(), c1 = Id(), c2 = Id(), a = Id(), b = Id();
  const std::map<std::string, std::string> names = {{p1, "P1"}, {p2, "P2"}, {c1, "C1"},
                                                    {c2, "C2"}, {a, "A"},   {b, "B"}};
  constexpr int kCreated = ov1::ORDER_EVENT_KIND_ORDER_CREATED;
  constexpr int kFulfilment = ov1::ORDER_EVENT_KIND_FULFILMENT_CHANGED;
  constexpr int kAfterSale = ov1::ORDER_EVENT_KIND_AFTER_SALE_CHANGED;
  constexpr int kSettlement = ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED;
  // Order A (partner P1) has lines of C1 (two) and C2; order B (partner P2) only of C2.
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, a, p1, {c1, c2, c1})});
  Append({Event(ov1::ORDER_EVENT_KIND_FULFILMENT_CHANGED, a, p1, {c1, c2, c1}, c1),
          Event(ov1::ORDER_EVENT_KIND_FULFILMENT_CHANGED, a, p1, {c1, c2, c1}, c2)});
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, b, p2, {c2})});
  Append({Event(ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED, b, p2, {c2}, c2)});
  Append({Event(ov1::ORDER_EVENT_KIND_AFTER_SALE_CHANGED, a, p1, {c1, c2, c1}, c1)});
  Sequence();
  auto label = [](const char* order, int kind, const char* coop = nullptr) {
    return coop == nullptr ? absl::StrCat(order, "/", kind)
                           : absl::StrCat(order, "/", kind, "/", coop);
  };
  using Labels = std::vector<std::string>;

  Watched admin = Watch(Caller(Role::kPlatformAdmin));
  EXPECT_EQ(admin.seqs(), Range(1, 6));
  EXPECT_EQ(Watch(Caller(Role::kPlatformAdmin), {}, p2).labels(names),
            (Labels{label("B", kCreated), label("B", kSettlement, "C2")}));
  EXPECT_EQ(
      Watch(Caller(Role::kPlatformAdmin), {}, "", c1).labels(names),
      (Labels{label("A", kCreated), label("A", kFulfilment, "C1"), label("A", kAfterSale, "C1")}));

  // A partner: its own orders; a cooperative filter narrows to what that cooperative sees.
  EXPECT_EQ(Watch(Caller(Role::kPartner, p1)).labels(names),
            (Labels{label("A", kCreated), label("A", kFulfilment, "C1"),
                    label("A", kFulfilment, "C2"), label("A", kAfterSale, "C1")}));
  EXPECT_EQ(Watch(Caller(Role::kPartner, p1), {}, p1, c2).labels(names),
            (Labels{label("A", kCreated), label("A", kFulfilment, "C2")}));
  // Filtered-out events still move the position (the heartbeat's cursor): the head.
  EXPECT_EQ(Watch(Caller(Role::kPartner, p2)).last_examined, 6);

  // A cooperative admin: order-level events of orders with its lines, its own components only.
  EXPECT_EQ(
      Watch(Caller(Role::kCooperativeAdmin, c1)).labels(names),
      (Labels{label("A", kCreated), label("A", kFulfilment, "C1"), label("A", kAfterSale, "C1")}));
  EXPECT_EQ(Watch(Caller(Role::kCooperativeAdmin, c2)).labels(names),
            (Labels{label("A", kCreated), label("A", kFulfilment, "C2"), label("B", kCreated),
                    label("B", kSettlement, "C2")}));
  EXPECT_EQ(Watch(Caller(Role::kCooperativeAdmin, c2), {}, p1, c2).labels(names),
            (Labels{label("A", kCreated), label("A", kFulfilment, "C2")}));
  EXPECT_EQ(Watch(Caller(Role::kCooperativeAdmin, c1)).last_examined, 6);

  // Filters outside the scope, and roles that may not watch.
  for (const absl::Status& refused :
       {Watch(Caller(Role::kPartner, p1), {}, p2).status,
        Watch(Caller(Role::kCooperativeAdmin, c1), {}, "", c2).status,
        Watch(Caller(Role::kMember, c1)).status, Watch(Caller(Role::kSocialWorker)).status}) {
    EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << refused;
    EXPECT_EQ(ReasonOf(refused), "ROLE_NOT_ALLOWED");
  }
  // One scope row per distinct cooperative of an order-level event.
  EXPECT_EQ(CountRows(*db_, "order_event_scopes WHERE seq = 1"), 2);
}

TEST_F(OrderEventsTest, ResumingFromACursorGivesNoGapAndNoDuplicate) {
  const std::string partner = Id(), coop = Id();
  for (int i = 0; i < 10; ++i) {
    Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), partner, {coop})});
  }
  Sequence();
  const Principal caller = Caller(Role::kPartner, partner);
  // A first stream reads in batches of 3 and is cut after its 4th event.
  OrderEventSource first(db_.get(), &clock_, "", "");
  const CallContext call = CallContext::Internal(caller);
  absl::StatusOr<int64_t> after = first.Start(call, {});
  ASSERT_TRUE(after.ok());
  std::vector<ov1::OrderEvent> seen;
  for (int batch = 0; batch < 2; ++batch) {  // 3 + 3 events
    absl::StatusOr<int64_t> last = first.Read(call, *after, 3, &seen);
    ASSERT_TRUE(last.ok());
    after = *last;
  }
  ASSERT_GE(seen.size(), 4u);
  seen.resize(4);  // the client processed four before the cut
  // More events arrive while it is away.
  for (int i = 0; i < 5; ++i) {
    Append({Event(ov1::ORDER_EVENT_KIND_ORDER_UPDATED, Id(), partner, {coop})});
  }
  Sequence();
  Watched resumed = Watch(caller, {seen.back().cursor()}, "", "", /*limit=*/3);
  ASSERT_TRUE(resumed.status.ok()) << resumed.status;
  std::vector<int64_t> all;
  for (const auto& e : seen) all.push_back(*orders::DecodeOrderEventCursor(e.cursor()));
  for (int64_t s : resumed.seqs()) all.push_back(s);
  EXPECT_EQ(all, Range(1, 15));
}

TEST_F(OrderEventsTest, StartAtNowSkipsTheBacklog) {
  const std::string partner = Id(), coop = Id();
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), partner, {coop}),
          Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), partner, {coop})});
  Sequence();
  const CallContext call = CallContext::Internal(Caller(Role::kPlatformAdmin));
  OrderEventSource source(db_.get(), &clock_, "", "");
  StreamStart now;
  now.from_now = true;
  absl::StatusOr<int64_t> after = source.Start(call, now);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, 2);
  std::vector<ov1::OrderEvent> out;
  absl::StatusOr<int64_t> last = source.Read(call, *after, kAll, &out);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(out.empty());
  const std::string later = Id();
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, later, partner, {coop})});
  Sequence();
  last = source.Read(call, *last, kAll, &out);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].order().id(), later);
  EXPECT_EQ(*orders::DecodeOrderEventCursor(out[0].cursor()), 3);

  // Both a cursor and start_at_now: refused.
  now.cursor = orders::EncodeOrderEventCursor(1);
  absl::StatusOr<int64_t> both = source.Start(call, now);
  EXPECT_EQ(both.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(OrderEventsTest, PurgedEventsExpireOlderCursors) {
  const std::string partner = Id(), coop = Id();
  for (int i = 0; i < 4; ++i) {  // 1..4, eight days old by the end
    Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), partner, {coop})});
  }
  clock_.Advance(absl::Hours(24));
  for (int i = 0; i < 3; ++i) {  // 5..7, seven days old by the end
    Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), partner, {coop})});
  }
  Sequence();
  clock_.Advance(orders::kOrderEventRetention);
  const absl::Time cutoff = clock_.Now() - orders::kOrderEventRetention;
  // In chunks of 3: 1..3, then 4, then nothing (5..7 are exactly at the cutoff: kept).
  absl::StatusOr<int64_t> purged = orders::PurgeOrderEvents(*db_, cutoff, 3);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 3);
  purged = orders::PurgeOrderEvents(*db_, cutoff, 3);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  purged = orders::PurgeOrderEvents(*db_, cutoff, 3);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0);
  EXPECT_EQ(CountRows(*db_, "order_events"), 3);
  EXPECT_EQ(CountRows(*db_, "order_event_scopes WHERE seq <= 4"), 0);

  const Principal admin = Caller(Role::kPlatformAdmin);
  Watched expired = Watch(admin, {orders::EncodeOrderEventCursor(3)});
  EXPECT_EQ(expired.status.code(), absl::StatusCode::kFailedPrecondition) << expired.status;
  EXPECT_EQ(ReasonOf(expired.status), "CURSOR_EXPIRED");
  // The cursor of the last purged event still resumes: nothing after it is missing.
  EXPECT_EQ(Watch(admin, {orders::EncodeOrderEventCursor(4)}).seqs(), Range(5, 7));
  // An empty cursor starts with the oldest retained event.
  EXPECT_EQ(Watch(admin).seqs(), Range(5, 7));
  // A cursor ahead of the feed (another database) is expired too; a malformed one is invalid.
  EXPECT_EQ(ReasonOf(Watch(admin, {orders::EncodeOrderEventCursor(99)}).status), "CURSOR_EXPIRED");
  EXPECT_EQ(Watch(admin, {"not-a-cursor"}).status.code(), absl::StatusCode::kInvalidArgument);
  // A catalog cursor ("w1") is not an order cursor.
  EXPECT_EQ(Watch(admin, {CursorCodec("w1").Encode(5)}).status.code(),
            absl::StatusCode::kInvalidArgument);

  // A stream positioned at 4, purged past before its next read, ends rather than skip 5..7.
  OrderEventSource behind(db_.get(), &clock_, "", "");
  const CallContext call = CallContext::Internal(admin);
  absl::StatusOr<int64_t> at = behind.Start(call, {orders::EncodeOrderEventCursor(4)});
  ASSERT_TRUE(at.ok());

  // Everything purged: the head's cursor still resumes, an older one does not.
  clock_.Advance(absl::Hours(1));
  purged = orders::PurgeOrderEvents(*db_, clock_.Now() - orders::kOrderEventRetention, 100);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 3);
  EXPECT_TRUE(Watch(admin, {orders::EncodeOrderEventCursor(7)}).status.ok());
  EXPECT_EQ(ReasonOf(Watch(admin, {orders::EncodeOrderEventCursor(6)}).status), "CURSOR_EXPIRED");
  std::vector<ov1::OrderEvent> out;
  absl::StatusOr<int64_t> read = behind.Read(call, *at, kAll, &out);
  EXPECT_EQ(ReasonOf(read.status()), "CURSOR_EXPIRED") << read.status();
  EXPECT_TRUE(out.empty());
  // An empty cursor on an empty feed starts at the head; the next event is delivered.
  Watched empty = Watch(admin);
  ASSERT_TRUE(empty.status.ok());
  EXPECT_EQ(empty.last_examined, 7);
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), partner, {coop})});
  Sequence();
  EXPECT_EQ(Watch(admin).seqs(), Range(8, 8));
}

TEST_F(OrderEventsTest, HeartbeatCarriesTheCursorOfTheLastExaminedEvent) {
  const std::string mine = Id(), other = Id(), coop = Id();
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), mine, {coop})});
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), other, {coop}),
          Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, Id(), other, {coop})});
  Sequence();
  const CallContext call = CallContext::Internal(Caller(Role::kPartner, mine));
  OrderEventSource source(db_.get(), &clock_, "", "");
  absl::StatusOr<int64_t> after = source.Start(call, {orders::EncodeOrderEventCursor(1)});
  ASSERT_TRUE(after.ok());
  std::vector<ov1::OrderEvent> out;
  absl::StatusOr<int64_t> last = source.Read(call, *after, kAll, &out);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(out.empty());  // 2 and 3 are another partner's
  EXPECT_EQ(*last, 3);
  const ov1::OrderEvent heartbeat = source.Heartbeat(*last);
  EXPECT_EQ(heartbeat.kind(), ov1::ORDER_EVENT_KIND_HEARTBEAT);
  EXPECT_EQ(*orders::DecodeOrderEventCursor(heartbeat.cursor()), 3);
  EXPECT_EQ(heartbeat.event_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_FALSE(heartbeat.has_order());
  // Resuming from the heartbeat's cursor re-reads nothing.
  EXPECT_TRUE(Watch(call.principal(), {heartbeat.cursor()}).events.empty());
}

TEST_F(OrderEventsTest, APayloadThatBreaksTheContractRollsTheRoundBack) {
  const std::string partner = Id(), coop = Id(), order = Id();
  Append({Event(ov1::ORDER_EVENT_KIND_ORDER_CREATED, order, partner, {coop})});
  // A fulfilment event without its cooperative, after a good one in the same batch.
  Append({Event(ov1::ORDER_EVENT_KIND_FULFILMENT_CHANGED, order, partner, {coop}, "")});
  absl::StatusOr<int> round = relay_->RunOnce();
  EXPECT_EQ(round.status().code(), absl::StatusCode::kInternal) << round.status();
  EXPECT_EQ(CountRows(*db_, "order_events"), 0);  // the good one waits too: order is kept
  EXPECT_EQ(Head(), 0);
  absl::StatusOr<OutboxLag> lag = Outbox::Pending(*db_, orders::kOrderEventTopic, clock_.Now());
  ASSERT_TRUE(lag.ok());
  EXPECT_EQ(lag->pending, 2);
  // Bytes that are no OrderEvent, and an order-level event with a line lacking its cooperative.
  EXPECT_EQ(orders::DescribeOrderEvent("\xff\xff\xff", clock_.Now()).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(orders::DescribeOrderEvent(
                Event(ov1::ORDER_EVENT_KIND_ORDER_UPDATED, order, partner, {coop, ""})
                    .SerializeAsString(),
                clock_.Now())
                .status()
                .code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(orders::DescribeOrderEvent(
                Event(ov1::ORDER_EVENT_KIND_HEARTBEAT, order, partner, {coop}).SerializeAsString(),
                clock_.Now())
                .status()
                .code(),
            absl::StatusCode::kInternal);
}

TEST_F(OrderEventsTest, ConcurrentWritersAndTwoRelaysSequenceEveryEventOnceInOrderPerOrder) {
  constexpr int kWriters = 8;
  constexpr int kTransactionsPerWriter = 30;
  constexpr int kEventsPerTransaction = 2;
  constexpr int kTotal = kWriters * kTransactionsPerWriter * kEventsPerTransaction;
  // A second pool on the same database, as a second replica.
  auto replica = Database::Open(db_->config());
  ASSERT_TRUE(replica.ok()) << replica.status();

  const SystemClock clock;
  RelayOptions options;
  options.batch_size = 7;  // many rounds
  options.poll_interval = absl::Milliseconds(1);
  options.initial_backoff = absl::Milliseconds(1);
  options.lease = absl::Microseconds(1);      // expires at once: the relays keep taking it over
  options.snapshot_at_begin_for_test = true;  // TiDB: each round's snapshot predates its lock
  OutboxRelay a(db_.get(), &clock, orders::kOrderEventTopic,
                std::make_unique<orders::OrderEventSequencer>(), options);
  OutboxRelay b(replica->get(), &clock, orders::kOrderEventTopic,
                std::make_unique<orders::OrderEventSequencer>(), options);
  a.Start();
  b.Start();
  const std::string partner = Id(), coop = Id();
  std::vector<std::string> order_of_writer;
  for (int w = 0; w < kWriters; ++w) order_of_writer.push_back(Id());
  RunConcurrently(kWriters, [&](int w) {
    Database& db = w % 2 == 0 ? *db_ : **replica;
    for (int i = 0; i < kTransactionsPerWriter; ++i) {
      EXPECT_TRUE(db.Transact([&](Tx& tx) {
                      for (int e = 0; e < kEventsPerTransaction; ++e) {
                        ov1::OrderEvent event = Event(ov1::ORDER_EVENT_KIND_ORDER_UPDATED,
                                                      order_of_writer[w], partner, {coop});
                        // The step of the order's history, in the writer's (commit) order.
                        event.mutable_order()->set_partner_status(
                            absl::StrCat(i * kEventsPerTransaction + e));
                        Outbox::Append(tx, orders::kOrderEventTopic, order_of_writer[w],
                                       event.SerializeAsString(), clock.Now());
                      }
                      return absl::OkStatus();
                    }).ok());
    }
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (CountRows(*db_, "order_events") < kTotal && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  a.Stop();
  b.Stop();

  Watched all = Watch(Caller(Role::kPlatformAdmin));
  EXPECT_EQ(all.seqs(), Range(1, kTotal));
  std::map<std::string, std::vector<int>> steps;
  for (const auto& e : all.events) {
    steps[e.order().id()].push_back(std::stoi(e.order().partner_status()));
  }
  ASSERT_EQ(steps.size(), static_cast<size_t>(kWriters));
  for (const auto& [order, seen] : steps) {
    std::vector<int> expected;
    for (int s = 0; s < kTransactionsPerWriter * kEventsPerTransaction; ++s) expected.push_back(s);
    EXPECT_EQ(seen, expected) << order;  // each once, in the order's commit order
  }
  EXPECT_EQ(Head(), kTotal);
  absl::StatusOr<OutboxLag> lag = Outbox::Pending(*db_, orders::kOrderEventTopic, clock.Now());
  ASSERT_TRUE(lag.ok());
  EXPECT_EQ(lag->pending, 0);
  std::cout << "sequenced " << kTotal << " events from " << kWriters
            << " writers; relay a delivered " << a.Lag()->delivered << ", relay b "
            << b.Lag()->delivered << "\n";
}

}  // namespace
}  // namespace cooplink::testing
