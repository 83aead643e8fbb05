// The pure parts of the order event feed, without a database: which events each role may watch
// with which filters (ResolveOrderEventScope, every role x filter), and how an outbox payload is
// checked and described for the sequencer (DescribeOrderEvent: kind, partner, cooperative columns,
// scope cooperatives, event time).
#include <gtest/gtest.h>

#include "services/common/status.h"
#include "services/orders/order_events.h"

namespace cooplink::orders {
namespace {

Principal Caller(Role role) {
  Principal p;
  p.id = "principal";
  p.role = role;
  if (role == Role::kPartner) p.partner_id = "P1";
  if (role == Role::kCooperativeAdmin || role == Role::kMember) p.cooperative_id = "C1";
  return p;
}

void ExpectRefused(const absl::StatusOr<OrderEventFilter>& scope) {
  EXPECT_EQ(scope.status().code(), absl::StatusCode::kPermissionDenied) << scope.status();
  EXPECT_EQ(ReasonOf(scope.status()), "ROLE_NOT_ALLOWED");
}

TEST(OrderEventScopeTest, PlatformAdminWatchesEverythingAndMayFilterFreely) {
  auto all = ResolveOrderEventScope(Caller(Role::kPlatformAdmin), "", "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->partner_id, "");
  EXPECT_EQ(all->cooperative_id, "");
  auto filtered = ResolveOrderEventScope(Caller(Role::kPlatformAdmin), "P9", "C9");
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(filtered->partner_id, "P9");
  EXPECT_EQ(filtered->cooperative_id, "C9");
}

TEST(OrderEventScopeTest, PartnerWatchesOnlyItsOwnOrders) {
  for (const char* own : {"", "P1"}) {
    auto scope = ResolveOrderEventScope(Caller(Role::kPartner), own, "");
    ASSERT_TRUE(scope.ok());
    EXPECT_EQ(scope->partner_id, "P1");
    EXPECT_EQ(scope->cooperative_id, "");
  }
  auto narrowed = ResolveOrderEventScope(Caller(Role::kPartner), "", "C7");
  ASSERT_TRUE(narrowed.ok());
  EXPECT_EQ(narrowed->partner_id, "P1");
  EXPECT_EQ(narrowed->cooperative_id, "C7");
  ExpectRefused(ResolveOrderEventScope(Caller(Role::kPartner), "P2", ""));
}

TEST(OrderEventScopeTest, CooperativeAdminWatchesOnlyItsCooperativesScope) {
  for (const char* own : {"", "C1"}) {
    auto scope = ResolveOrderEventScope(Caller(Role::kCooperativeAdmin), "", own);
    ASSERT_TRUE(scope.ok());
    EXPECT_EQ(scope->cooperative_id, "C1");
    EXPECT_EQ(scope->partner_id, "");
  }
  auto narrowed = ResolveOrderEventScope(Caller(Role::kCooperativeAdmin), "P4", "");
  ASSERT_TRUE(narrowed.ok());
  EXPECT_EQ(narrowed->partner_id, "P4");
  EXPECT_EQ(narrowed->cooperative_id, "C1");
  ExpectRefused(ResolveOrderEventScope(Caller(Role::kCooperativeAdmin), "", "C2"));
}

TEST(OrderEventScopeTest, OtherRolesMayNotWatch) {
  for (Role role : {Role::kMember, Role::kSocialWorker, Role::kUnspecified}) {
    ExpectRefused(ResolveOrderEventScope(Caller(role), "", ""));
  }
}

v1::OrderEvent OrderLevel(v1::OrderEventKind kind) {
  v1::OrderEvent e;
  e.set_kind(kind);
  e.mutable_order()->set_id("O1");
  e.mutable_order()->set_partner_id("P1");
  for (const char* coop : {"C2", "C1", "C2"}) {
    e.mutable_order()->add_lines()->set_cooperative_id(coop);
  }
  return e;
}

TEST(DescribeOrderEventTest, AnOrderLevelEventIsSeenByEveryDistinctCooperativeOfItsLines) {
  const absl::Time create = absl::FromUnixMicros(1'780'000'000'000'123);
  auto d = DescribeOrderEvent(OrderLevel(v1::ORDER_EVENT_KIND_ORDER_UPDATED).SerializeAsString(),
                              create);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->scope_cooperatives, (std::vector<std::string>{"C1", "C2"}));
  EXPECT_EQ(d->row.order_id, "O1");
  EXPECT_EQ(d->row.partner_id, "P1");
  EXPECT_EQ(d->row.cooperative_id, "");
  EXPECT_EQ(d->row.kind, v1::ORDER_EVENT_KIND_ORDER_UPDATED);
  EXPECT_EQ(d->row.event_time_us, 1'780'000'000'000'123);  // unset: the outbox row's time
  v1::OrderEvent stored;
  ASSERT_TRUE(stored.ParseFromString(d->row.payload));
  EXPECT_EQ(stored.event_time().seconds(), 1'780'000'000);
  EXPECT_EQ(stored.event_time().nanos(), 123'000);
}

TEST(DescribeOrderEventTest, AComponentEventIsSeenOnlyByItsCooperativeAndKeepsItsOwnTime) {
  v1::OrderEvent e = OrderLevel(v1::ORDER_EVENT_KIND_SETTLEMENT_CREATED);
  e.mutable_settlement()->set_cooperative_id("C2");
  e.mutable_event_time()->set_seconds(1'700'000'000);
  const std::string payload = e.SerializeAsString();
  auto d = DescribeOrderEvent(payload, absl::FromUnixSeconds(1'780'000'000));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->scope_cooperatives, std::vector<std::string>{"C2"});
  EXPECT_EQ(d->row.cooperative_id, "C2");
  EXPECT_EQ(d->row.event_time_us, int64_t{1'700'000'000} * 1'000'000);
  EXPECT_EQ(d->row.payload, payload);  // stored as written
}

TEST(DescribeOrderEventTest, APayloadBreakingTheContractIsInternal) {
  const absl::Time now = absl::FromUnixSeconds(1'780'000'000);
  std::vector<v1::OrderEvent> bad;
  bad.push_back(OrderLevel(v1::ORDER_EVENT_KIND_UNSPECIFIED));
  bad.push_back(OrderLevel(v1::ORDER_EVENT_KIND_HEARTBEAT));
  bad.push_back(OrderLevel(v1::ORDER_EVENT_KIND_FULFILMENT_CHANGED));  // no fulfilment
  bad.push_back(OrderLevel(v1::ORDER_EVENT_KIND_AFTER_SALE_CHANGED));
  bad.back().mutable_after_sale()->set_id("A1");  // no cooperative
  bad.push_back(OrderLevel(v1::ORDER_EVENT_KIND_ORDER_CREATED));
  bad.back().mutable_order()->clear_partner_id();
  bad.push_back(OrderLevel(v1::ORDER_EVENT_KIND_ORDER_CREATED));
  bad.back().mutable_order()->add_lines();  // a line without its cooperative
  for (const v1::OrderEvent& e : bad) {
    EXPECT_EQ(DescribeOrderEvent(e.SerializeAsString(), now).status().code(),
              absl::StatusCode::kInternal)
        << e.ShortDebugString();
  }
  EXPECT_EQ(DescribeOrderEvent("\xff\xff", now).status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace cooplink::orders
