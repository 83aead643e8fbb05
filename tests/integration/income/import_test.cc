// The settlement importer: settlements of completed orders become household income through the
// real path (orders' WatchOrderEvents, the importer's stream consumer), refunds lower it; the same
// event twice and a reversal before its settlement are applied once (ApplyOrderEvent directly); an
// importer that applied an event but died before its cursor moved double-counts nothing when a
// consumer re-delivers it from the stored cursor; GetSettlementImportStatus.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/common/stream_consumer.h"
#include "tests/support/income_fixture.h"

namespace cooplink::testing {
namespace {

using ov1::ORDER_STATE_PAID;

class ImportFixture : public IncomeFixture {
 protected:
  // The household's entries as the platform admin lists them.
  std::vector<iv1::IncomeEntry> EntriesOf(const std::string& household_id) {
    iv1::ListIncomeEntriesRequest req;
    req.set_household_id(household_id);
    req.set_page_size(500);
    iv1::ListIncomeEntriesResponse page;
    grpc::Status s = income().ListIncomeEntries(Ctx(admin()).get(), req, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {page.entries().begin(), page.entries().end()};
  }
  // The entry imported under "<settlement_id>/<household_id>", waiting (bounded) for it.
  std::optional<iv1::IncomeEntry> AwaitImported(const std::string& settlement_id,
                                                const std::string& household_id) {
    const std::string ref = settlement_id + "/" + household_id;
    for (int i = 0; i < 500; ++i) {
      for (const iv1::IncomeEntry& e : EntriesOf(household_id)) {
        if (e.source_ref() == ref) return e;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }
  int64_t MarketplaceNet(const std::string& household_id) {
    int64_t net = 0;
    for (const iv1::IncomeEntry& e : EntriesOf(household_id)) {
      if (e.source() == iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT) net += e.amount().fen();
    }
    return net;
  }
  // A completed refund of `fen` on line L1 (approved and completed by the cooperative).
  void Refund(const SellingWorld& w, const std::string& order_id, int64_t fen) {
    ov1::CreateAfterSaleRequest req;
    req.set_request_id(NewRequestId());
    ov1::AfterSale* a = req.mutable_after_sale();
    a->set_order_id(order_id);
    a->set_kind(ov1::AFTER_SALE_KIND_REFUND_ONLY);
    a->set_reason("茶饼受潮");
    ov1::AfterSaleLine* l = a->add_lines();
    l->set_external_line_id("L1");
    l->mutable_refund()->set_fen(fen);
    ov1::AfterSale created;
    grpc::Status s = orders().CreateAfterSale(Ctx(w.partner.token).get(), req, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ov1::ApproveAfterSaleRequest approve;
    approve.set_request_id(NewRequestId());
    approve.set_after_sale_id(created.id());
    ov1::AfterSale out;
    ASSERT_TRUE(orders().ApproveAfterSale(Ctx(w.coop.admin_token).get(), approve, &out).ok());
    ov1::CompleteAfterSaleRequest complete;
    complete.set_request_id(NewRequestId());
    complete.set_after_sale_id(created.id());
    s = orders().CompleteAfterSale(Ctx(w.coop.admin_token).get(), complete, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // A completed order of `quantity` units; returns its (one) settlement.
  ov1::Settlement CompletedOrder(const SellingWorld& w, const std::string& external_id,
                                 int64_t quantity) {
    const ov1::Order order = ShippedOrder(w, external_id, quantity);
    Complete(w.partner.token, order.id());
    const auto settlements = SettlementsOf(order.id());
    EXPECT_EQ(settlements.size(), 1u);
    return settlements.empty() ? ov1::Settlement() : settlements[0];
  }
  absl::Status Apply(const ov1::OrderEvent& event) {
    return income_db().Transact([&](Tx& tx) { return income_domain().ApplyOrderEvent(tx, event); });
  }
  ov1::OrderEvent EventOf(const ov1::Settlement& s) {
    ov1::OrderEvent e;
    e.set_kind(ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED);
    e.set_cursor("synthetic");
    *e.mutable_settlement() = s;
    *e.mutable_event_time() = ToTimestamp(ToMicros(clock_->Now()));
    return e;
  }
  iv1::SettlementImportStatus Status() {
    iv1::SettlementImportStatus out;
    grpc::Status s = income().GetSettlementImportStatus(Ctx(admin()).get(), {}, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  int64_t QueuedReviews(const std::string& household_id) {
    int64_t n = 0;
    EXPECT_TRUE(
        income_db()
            .Read([&](Tx& tx) {
              auto rs = tx.Query(
                  "SELECT COUNT(*) AS n FROM household_alert_reviews WHERE household_id = ?",
                  household_id);
              if (rs->next()) n = rs->getInt64("n");
              return absl::OkStatus();
            })
            .ok());
    return n;
  }
};

class ImportTest : public ImportFixture {};

TEST_F(ImportTest, ASettlementBecomesIncomeAndRefundsLowerIt) {
  const SellingWorld w = NewSellingWorld(20);
  const int64_t applied_before = Status().settlements_applied();
  const ov1::Settlement s = CompletedOrder(w, "IM-1", 3);
  ASSERT_GE(s.payouts_size(), 1);
  int64_t paid = 0;
  for (const ov1::ProducerPayout& p : s.payouts()) {
    if (p.amount().fen() == 0) continue;
    paid += p.amount().fen();
    std::optional<iv1::IncomeEntry> e = AwaitImported(s.id(), p.household_id());
    ASSERT_TRUE(e.has_value()) << "the settlement never reached income";
    EXPECT_EQ(e->amount().fen(), p.amount().fen());
    EXPECT_EQ(e->kind(), iv1::INCOME_KIND_PRODUCTION_BUSINESS);
    EXPECT_EQ(e->source(), iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT);
    EXPECT_EQ(e->cooperative_id(), s.cooperative_id());
    EXPECT_EQ(DateToSql(e->occurred_date()),
              CivilToSql(Today(absl::FromUnixMicros(TimestampMicros(s.create_time())))));
    EXPECT_EQ(QueuedReviews(p.household_id()), 1);
  }
  const std::string household = s.payouts(0).household_id();
  EXPECT_EQ(MarketplaceNet(household), paid);
  // An imported entry is reversed only by a refund.
  const iv1::IncomeEntry imported = *AwaitImported(s.id(), household);
  iv1::ReverseIncomeEntryRequest rev;
  rev.set_request_id(NewRequestId());
  rev.set_entry_id(imported.id());
  rev.set_reason("手工冲销");
  iv1::IncomeEntry out;
  grpc::Status st = income().ReverseIncomeEntry(Ctx(admin()).get(), rev, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(st), "IMPORTED_ENTRY");

  // Two partial refunds: two reversal settlements of the same settlement, both applied.
  Refund(w, s.order_id(), 1000);
  Refund(w, s.order_id(), 500);
  const auto all = SettlementsOf(s.order_id());
  ASSERT_EQ(all.size(), 3u);
  int64_t refunded = 0;
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_EQ(all[i].reversed_settlement_id(), s.id());
    for (const ov1::ProducerPayout& p : all[i].payouts()) {
      if (p.amount().fen() == 0) continue;
      refunded += p.amount().fen();
      std::optional<iv1::IncomeEntry> e = AwaitImported(all[i].id(), p.household_id());
      ASSERT_TRUE(e.has_value()) << "the refund never reached income";
      EXPECT_EQ(e->amount().fen(), p.amount().fen());
      EXPECT_LT(e->amount().fen(), 0);
      EXPECT_TRUE(e->reversal_of().empty());
      EXPECT_EQ(DateToSql(e->occurred_date()), DateToSql(imported.occurred_date()));
      EXPECT_NE(e->note().find(s.id()), std::string::npos);
    }
  }
  EXPECT_LT(refunded, 0);
  EXPECT_EQ(MarketplaceNet(household), paid + refunded);
  EXPECT_LT(MarketplaceNet(household), paid);

  const iv1::SettlementImportStatus status = Status();
  EXPECT_FALSE(status.cursor().empty());
  EXPECT_TRUE(status.has_cursor_update_time());
  EXPECT_TRUE(status.has_last_settlement_event_time());
  EXPECT_GE(status.settlements_applied(), applied_before + 3);
}

TEST_F(ImportTest, TheSameEventTwiceAndAReversalBeforeItsSettlementApplyOnce) {
  const mv1::Household a = NewHousehold(NewVillage());
  const mv1::Household b = NewHousehold(NewVillage());
  const CoopWorld coop = NewCoop();
  ov1::Settlement s;
  s.set_id(NewId(clock_->Now()));
  s.set_order_id(NewId(clock_->Now()));
  s.set_cooperative_id(coop.cooperative.id());
  *s.mutable_create_time() = ToTimestamp(ToMicros(clock_->Now() - absl::Hours(24 * 10)));
  auto pay = [](ov1::Settlement& st, const std::string& household, int64_t fen) {
    ov1::ProducerPayout* p = st.add_payouts();
    p->set_household_id(household);
    p->mutable_amount()->set_fen(fen);
    p->mutable_gross()->set_fen(fen);
  };
  pay(s, a.id(), 9000);
  pay(s, b.id(), 0);  // a zero payout records nothing
  ov1::Settlement r;
  r.set_id(NewId(clock_->Now()));
  r.set_order_id(s.order_id());
  r.set_cooperative_id(s.cooperative_id());
  r.set_reversed_settlement_id(s.id());
  *r.mutable_create_time() = ToTimestamp(ToMicros(clock_->Now()));
  pay(r, a.id(), -2500);

  const int64_t waiting = Status().reversals_waiting();
  const int64_t pending_rows = CountRows(income_db(), "pending_reversals");
  // The reversal first, twice: it waits, once.
  ASSERT_TRUE(Apply(EventOf(r)).ok());
  ASSERT_TRUE(Apply(EventOf(r)).ok());
  EXPECT_EQ(CountRows(income_db(), "pending_reversals"), pending_rows + 1);
  EXPECT_EQ(Status().reversals_waiting(), waiting + 1);
  EXPECT_TRUE(EntriesOf(a.id()).empty());
  // The settlement, twice: applied once, and the waiting reversal with it.
  ASSERT_TRUE(Apply(EventOf(s)).ok());
  ASSERT_TRUE(Apply(EventOf(s)).ok());
  // The reversal delivered again after it applied: nothing.
  ASSERT_TRUE(Apply(EventOf(r)).ok());
  EXPECT_EQ(CountRows(income_db(), "pending_reversals"), pending_rows);
  const auto entries = EntriesOf(a.id());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].amount().fen() + entries[1].amount().fen(), 6500);
  for (const iv1::IncomeEntry& e : entries) {
    EXPECT_EQ(DateToSql(e.occurred_date()),
              CivilToSql(Today(clock_->Now() - absl::Hours(24 * 10))));
    EXPECT_EQ(e.cooperative_id(), coop.cooperative.id());
  }
  EXPECT_TRUE(EntriesOf(b.id()).empty());
  // Other kinds of events do nothing.
  ov1::OrderEvent other = EventOf(s);
  other.set_kind(ov1::ORDER_EVENT_KIND_ORDER_UPDATED);
  other.mutable_settlement()->set_id(NewId(clock_->Now()));
  ASSERT_TRUE(Apply(other).ok());
  EXPECT_EQ(EntriesOf(a.id()).size(), 2u);
}

// The importer cannot ask membership for a household's facts inside its transaction: it queues the
// household, and the review job re-evaluates its alerts (here: an imported settlement is the
// household's only income, below the county's line).
TEST_F(ImportTest, AnImportedSettlementReachesTheAlertsThroughTheReviewQueue) {
  const std::string village = NewVillage("530829");
  const mv1::Household h = NewHousehold(village, 2);
  ASSERT_FALSE(
      CreateLine("530829", static_cast<int>(Today(clock_->Now()).year()), 600000).id().empty());
  ASSERT_TRUE(income_domain().RunAlertReviews().ok());  // the line's own review: no entries yet

  ov1::Settlement s;
  s.set_id(NewId(clock_->Now()));
  s.set_order_id(NewId(clock_->Now()));
  s.set_cooperative_id(NewCoop().cooperative.id());
  *s.mutable_create_time() = ToTimestamp(ToMicros(clock_->Now()));
  ov1::ProducerPayout* p = s.add_payouts();
  p->set_household_id(h.id());
  p->mutable_amount()->set_fen(50000);
  p->mutable_gross()->set_fen(52000);
  ASSERT_TRUE(Apply(EventOf(s)).ok());
  EXPECT_EQ(QueuedReviews(h.id()), 1);

  auto alerts = [&] {
    iv1::ListAlertsRequest req;
    req.set_household_id(h.id());
    iv1::ListAlertsResponse out;
    EXPECT_TRUE(income().ListAlerts(Ctx(admin()).get(), req, &out).ok());
    return out;
  };
  EXPECT_EQ(alerts().alerts_size(), 0);  // nothing before the review job runs
  auto evaluated = income_domain().RunAlertReviews();
  ASSERT_TRUE(evaluated.ok()) << evaluated.status();
  EXPECT_GE(*evaluated, 1);
  EXPECT_EQ(QueuedReviews(h.id()), 0);
  const iv1::ListAlertsResponse raised = alerts();
  ASSERT_EQ(raised.alerts_size(), 1);
  EXPECT_EQ(raised.alerts(0).kind(), iv1::ALERT_KIND_BELOW_THRESHOLD);
  EXPECT_EQ(raised.alerts(0).per_capita_net_income().fen(), 25000);  // 50,000 fen ÷ 2 residents
}

TEST_F(ImportTest, OnlyAPlatformAdminSeesTheImportStatus) {
  const CoopWorld coop = NewCoop();
  iv1::SettlementImportStatus out;
  for (const std::string& token : {coop.admin_token, coop.member_token}) {
    grpc::Status s = income().GetSettlementImportStatus(Ctx(token).get(), {}, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  }
}

// The income server without its importer: the test plays the importer that died after applying
// an event (its cursor never moved), then a consumer of the same name that resumes from the
// stored cursor and receives the event again.
class ImporterRestartTest : public ImportFixture {
 protected:
  static void SetUpTestSuite() {
    SetUpIncomeSuiteWith([](income::IncomeConfig& c) { c.import_settlements = false; });
  }
  // Settlement ids the consumer's handler received (also those it found applied already).
  absl::Mutex mu_;
  std::set<std::string> delivered_ ABSL_GUARDED_BY(mu_);

  std::unique_ptr<StreamConsumer<ov1::OrderEvent>> NewImporter(ov1::OrdersService::Stub* stub) {
    const std::string token = admin();
    income::Income* domain = &income_domain();
    ConsumerOptions options;
    options.initial_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    return std::make_unique<StreamConsumer<ov1::OrderEvent>>(
        &income_db(), clock_, income::kSettlementImporter,
        [stub, token](grpc::ClientContext* ctx, const std::string& cursor) {
          ctx->AddMetadata("authorization", "Bearer " + token);
          ov1::WatchOrderEventsRequest req;
          req.set_cursor(cursor);
          return stub->WatchOrderEvents(ctx, req);
        },
        [this, domain](Tx& tx, const ov1::OrderEvent& e) {
          if (e.kind() == ov1::ORDER_EVENT_KIND_SETTLEMENT_CREATED) {
            absl::MutexLock lock(&mu_);
            delivered_.insert(e.settlement().id());
          }
          return domain->ApplyOrderEvent(tx, e);
        },
        [](const ov1::OrderEvent& e) { return e.kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT; },
        options);
  }
};

TEST_F(ImporterRestartTest, AnEventAppliedBeforeTheCursorMovedIsNotCountedTwice) {
  const SellingWorld w = NewSellingWorld(20);
  const ov1::Settlement first = CompletedOrder(w, "RS-1", 2);
  ASSERT_GE(first.payouts_size(), 1);
  const std::string household = first.payouts(0).household_id();
  // The crashed importer: applied, cursor not stored.
  ASSERT_TRUE(Apply(EventOf(first)).ok());
  ASSERT_TRUE(*LoadStreamCursor(income_db(), income::kSettlementImporter) == "");
  const int64_t once = MarketplaceNet(household);
  EXPECT_EQ(once, first.payouts(0).amount().fen());

  // The restarted importer reads from the stored (empty) cursor: the event comes again.
  std::unique_ptr<ov1::OrdersService::Stub> stub = NewOrdersStub();
  auto importer = NewImporter(stub.get());
  importer->Start();
  // A later settlement arriving proves the stream went past the first one.
  const ov1::Settlement second = CompletedOrder(w, "RS-2", 1);
  ASSERT_TRUE(AwaitImported(second.id(), second.payouts(0).household_id()).has_value());
  EXPECT_EQ(MarketplaceNet(household),
            once + (second.payouts(0).household_id() == household ? second.payouts(0).amount().fen()
                                                                  : 0));
  int matching = 0;
  for (const iv1::IncomeEntry& e : EntriesOf(household)) {
    if (e.source_ref() == first.id() + "/" + household) ++matching;
  }
  EXPECT_EQ(matching, 1);
  importer->Stop();
  {
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(delivered_.count(first.id()), 1u) << "the first settlement was not delivered again";
  }

  // The status: the stored cursor, and the lag once the cursor stops moving.
  iv1::SettlementImportStatus status = Status();
  EXPECT_FALSE(status.cursor().empty());
  EXPECT_EQ(status.cursor(), *LoadStreamCursor(income_db(), income::kSettlementImporter));
  EXPECT_TRUE(status.has_cursor_update_time());
  EXPECT_GE(status.settlements_applied(), 2);
  EXPECT_TRUE(status.has_last_settlement_event_time());
  const int64_t lag = status.lag_seconds();
  clock_->Advance(absl::Seconds(90));
  status = Status();
  EXPECT_EQ(status.lag_seconds(), lag + 90);
}

}  // namespace
}  // namespace cooplink::testing
