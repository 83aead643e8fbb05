// The stock saga under injected failures, against real catalog and the real orders database: a
// second orders::Orders domain object built here on the fixture's orders database talks to the
// fixture's catalog through a CatalogGateway decorator that makes one step fail (catalog
// unreachable, a reply lost after catalog acted, a database error before the outcome is recorded,
// an order cancelled while its reserve is in flight, a hold whose order was never recorded). A
// second domain object with the plain gateway plays the restarted process: its recovery job
// (RecoverStock) and orphan job (ReleaseOrphanReservations) finish or undo what was left, and
// catalog's TTL sweeper (ExpireReservations) takes back a hold no order stands behind.
//
// After every step: catalog's available + committed + held = the initial stock (committed read
// from catalog's reservations of the partner's orders), and no order shows RESERVED or COMMITTED
// without catalog holding (or having committed) the matching reservation.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/config.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/common/membership_directory.h"
#include "services/orders/catalog_gateway.h"
#include "services/orders/order_store.h"
#include "services/orders/orders.h"
#include "services/orders/stock_rules.h"
#include "tests/support/orders_fixture.h"

namespace cooplink::testing {
namespace {

using orders::CatalogGateway;
using orders::StockStep;
using ov1::ORDER_STATE_PAID;
using ov1::ORDER_STATE_PENDING_PAYMENT;

// A port nothing listens on (bound, then closed; never hard-coded).
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// How one catalog call fails.
enum class Fault {
  kNone,
  kUnreachable,  // sent to a gateway whose catalog is a closed port
  kReplyLost,    // catalog acts, then the reply is lost (UNAVAILABLE)
};

// The fixture's catalog, with faults injected per call kind.
class FaultyCatalog final : public CatalogGateway {
 public:
  FaultyCatalog(CatalogGateway* real, CatalogGateway* unreachable)
      : real_(real), unreachable_(unreachable) {}

  std::atomic<Fault> lookup{Fault::kNone};
  std::atomic<Fault> reserve{Fault::kNone};
  std::atomic<Fault> commit{Fault::kNone};
  // Runs once, before the next Reserve is sent.
  std::function<void()> before_reserve;
  std::atomic<int> reserves_sent{0}, commits_sent{0};

  absl::StatusOr<std::vector<orders::ProductFacts>> LookupProducts(
      const CallContext& call, const std::string& partner_id,
      const std::vector<std::string>& product_ids) override {
    return To(lookup)->LookupProducts(call, partner_id, product_ids);
  }
  absl::StatusOr<cv1::Reservation> Reserve(const CallContext& call,
                                           const std::string& reservation_id,
                                           const std::string& partner_id,
                                           const std::vector<cv1::ReservationLine>& lines,
                                           absl::Duration ttl) override {
    std::function<void()> hook;
    std::swap(hook, before_reserve);
    if (hook) hook();
    const Fault f = reserve;
    auto r = To(reserve)->Reserve(call, reservation_id, partner_id, lines, ttl);
    if (f == Fault::kNone || f == Fault::kReplyLost) ++reserves_sent;
    if (f == Fault::kReplyLost) return absl::UnavailableError("injected: the reply was lost");
    return r;
  }
  absl::StatusOr<cv1::Reservation> GetReservation(const CallContext& call,
                                                  const std::string& reservation_id) override {
    return real_->GetReservation(call, reservation_id);
  }
  absl::StatusOr<cv1::Reservation> Commit(const CallContext& call,
                                          const std::string& reservation_id,
                                          const std::string& request_id) override {
    const Fault f = commit;
    auto r = To(commit)->Commit(call, reservation_id, request_id);
    if (f == Fault::kNone || f == Fault::kReplyLost) ++commits_sent;
    if (f == Fault::kReplyLost) return absl::UnavailableError("injected: the reply was lost");
    return r;
  }
  absl::StatusOr<cv1::Reservation> Release(const CallContext& call,
                                           const std::string& reservation_id,
                                           const std::string& request_id) override {
    return real_->Release(call, reservation_id, request_id);
  }
  absl::Status ReturnStock(const CallContext& call, const std::string& product_id, int64_t quantity,
                           const std::string& request_id, const std::string& note) override {
    return real_->ReturnStock(call, product_id, quantity, request_id, note);
  }
  absl::StatusOr<std::vector<cv1::Reservation>> ListHeldReservations(
      const CallContext& call, const std::string& id_prefix) override {
    return real_->ListHeldReservations(call, id_prefix);
  }

 private:
  CatalogGateway* To(const std::atomic<Fault>& f) {
    return f == Fault::kUnreachable ? unreachable_ : real_;
  }
  CatalogGateway* real_;
  CatalogGateway* unreachable_;
};

class SagaFaultsTest : public OrdersFixture {
 protected:
  void SetUp() override {
    ServiceClientOptions options;
    options.callee = "catalog";
    options.deadline_cap = absl::Seconds(2);
    real_ = std::make_unique<orders::GrpcCatalogGateway>(
        orders::CatalogClient(cv1::CatalogService::NewStub(grpc::CreateChannel(
                                  absl::StrCat("127.0.0.1:", (*catalog_server_)->port()),
                                  grpc::InsecureChannelCredentials())),
                              admin(), options));
    unreachable_ = std::make_unique<orders::GrpcCatalogGateway>(orders::CatalogClient(
        cv1::CatalogService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", ClosedPort()),
                                                         grpc::InsecureChannelCredentials())),
        admin(), options));
    faulty_ = std::make_unique<FaultyCatalog>(real_.get(), unreachable_.get());
    options.callee = "membership";
    directory_ = std::make_unique<GrpcMembershipDirectory>(
        MembershipClient(mv1::MembershipService::NewStub(
                             grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*membership_)->port()),
                                                 grpc::InsecureChannelCredentials())),
                         admin(), options));
    auto key = DecodeKey("pii key", RandomKeyBase64(), 32, 32);
    ASSERT_TRUE(key.ok()) << key.status();
    auto cipher = PiiCipher::Create(*key);
    ASSERT_TRUE(cipher.ok()) << cipher.status();
    cipher_ = std::make_unique<PiiCipher>(*std::move(cipher));
    orders::OrdersSettings settings;
    settings.fault_before_record_for_test = [this](StockStep step) -> absl::Status {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = record_faults_.find(step);
      if (it == record_faults_.end() || it->second == 0) return absl::OkStatus();
      --it->second;
      return absl::UnavailableError("injected: the database went away");
    };
    settings_ = settings;
    faulty_orders_ = std::make_unique<orders::Orders>(&orders_db(), faulty_.get(), directory_.get(),
                                                      cipher_.get(), clock_, settings);
    // The restarted process: the plain gateway, no faults.
    restarted_ = std::make_unique<orders::Orders>(&orders_db(), real_.get(), directory_.get(),
                                                  cipher_.get(), clock_, orders::OrdersSettings{});
  }

  // The next recording of `step`'s outcome fails `times` times.
  void FailRecording(StockStep step, int times) {
    std::lock_guard<std::mutex> lock(mu_);
    record_faults_[step] = times;
  }

  static CallContext PartnerCall(const SellingWorld& w) {
    Principal p;
    p.id = w.partner.partner.id();
    p.role = Role::kPartner;
    p.partner_id = w.partner.partner.id();
    return CallContext(std::move(p), absl::Now() + absl::Seconds(10));
  }

  absl::StatusOr<ov1::UpsertPartnerOrderResponse> UpsertVia(
      orders::Orders& domain, const SellingWorld& w, const ov1::UpsertPartnerOrderRequest& req) {
    ov1::UpsertPartnerOrderResponse out;
    absl::Status s = domain.UpsertPartnerOrder(PartnerCall(w), req, &out);
    if (!s.ok()) return s;
    return out;
  }

  orders::OrderRow Stored(const std::string& id) {
    std::optional<orders::OrderRow> row;
    EXPECT_TRUE(orders_db()
                    .Read([&](Tx& tx) {
                      row = orders::LoadOrder(tx, id, /*for_update=*/false);
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_TRUE(row.has_value()) << id;
    return row.value_or(orders::OrderRow{});
  }

  // Catalog's reservation as the platform admin reads it (nullopt: NOT_FOUND).
  std::optional<cv1::Reservation> Reservation(const std::string& id) {
    cv1::GetReservationRequest req;
    req.set_id(id);
    cv1::Reservation r;
    grpc::Status s = catalog().GetReservation(Ctx(admin()).get(), req, &r);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::nullopt;
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }

  // Every reservation id an order of the partner may have made (each attempt so far).
  std::vector<std::string> ReservationIdsOf(const orders::OrderRow& o) {
    std::vector<std::string> ids;
    for (int a = 1; a <= o.stock_attempt; ++a) ids.push_back(orders::ReservationIdFor(o.id, a));
    return ids;
  }

  std::vector<orders::OrderRow> OrdersOf(const SellingWorld& w) {
    std::vector<std::string> ids;
    EXPECT_TRUE(orders_db()
                    .Read([&](Tx& tx) {
                      auto rs = tx.Query("SELECT id FROM orders WHERE partner_id = ? ORDER BY id",
                                         w.partner.partner.id());
                      while (rs->next()) ids.push_back(rs->getString("id"));
                      return absl::OkStatus();
                    })
                    .ok());
    std::vector<orders::OrderRow> rows;
    for (const std::string& id : ids) rows.push_back(Stored(id));
    return rows;
  }

  // The invariants (see the file comment); `extra_held` counts holds made outside any order.
  void ExpectConsistent(const SellingWorld& w, int64_t initial, int64_t extra_held = 0) {
    SCOPED_TRACE("consistency");
    const cv1::Stock stock = StockOf(w.product.id());
    int64_t committed = 0, held = 0;
    for (const orders::OrderRow& o : OrdersOf(w)) {
      int64_t quantity = 0;
      for (const auto& l : o.lines) quantity += l.quantity;
      for (const std::string& id : ReservationIdsOf(o)) {
        auto r = Reservation(id);
        if (!r) continue;
        if (r->state() == cv1::RESERVATION_STATE_COMMITTED) committed += quantity;
        if (r->state() == cv1::RESERVATION_STATE_HELD) held += quantity;
      }
      if (o.stock_status == ov1::ORDER_STOCK_STATUS_RESERVED ||
          o.stock_status == ov1::ORDER_STOCK_STATUS_COMMITTED) {
        auto r = Reservation(o.reservation_id);
        ASSERT_TRUE(r.has_value()) << "order " << o.id << " counts stock without a reservation";
        ASSERT_EQ(r->lines_size(), 1);
        EXPECT_EQ(r->lines(0).product_id(), w.product.id());
        EXPECT_EQ(r->lines(0).quantity(), quantity);
        EXPECT_EQ(r->partner_id(), w.partner.partner.id());
        if (o.stock_status == ov1::ORDER_STOCK_STATUS_COMMITTED) {
          EXPECT_EQ(r->state(), cv1::RESERVATION_STATE_COMMITTED) << o.id;
        } else {  // HELD, or committed with the reply lost and not yet recorded
          EXPECT_TRUE(r->state() == cv1::RESERVATION_STATE_HELD ||
                      r->state() == cv1::RESERVATION_STATE_COMMITTED)
              << o.id << " " << cv1::ReservationState_Name(r->state());
        }
      }
    }
    EXPECT_GE(stock.available(), 0);
    EXPECT_EQ(stock.reserved(), held + extra_held);
    EXPECT_EQ(stock.available() + committed + stock.reserved(), initial)
        << "available " << stock.available() << " committed " << committed << " held "
        << stock.reserved();
  }

  // Runs the restarted process's recovery job once its steps are due.
  void RecoverAfterGrace() {
    clock_->Advance(settings_.stock_step_grace + absl::Seconds(1));
    auto n = restarted_->RecoverStock(1000);
    ASSERT_TRUE(n.ok()) << n.status();
  }

  std::unique_ptr<orders::GrpcCatalogGateway> real_, unreachable_;
  std::unique_ptr<FaultyCatalog> faulty_;
  std::unique_ptr<GrpcMembershipDirectory> directory_;
  std::unique_ptr<PiiCipher> cipher_;
  orders::OrdersSettings settings_;
  std::unique_ptr<orders::Orders> faulty_orders_, restarted_;
  std::mutex mu_;
  std::map<StockStep, int> record_faults_;
};

TEST_F(SagaFaultsTest, CatalogUnreachableAtReserveLeavesAPendingOrderTheJobFinishes) {
  SellingWorld w = NewSellingWorld(10);
  // Catalog entirely unreachable: the products cannot be looked up, nothing is recorded.
  faulty_->lookup = Fault::kUnreachable;
  auto refused = UpsertVia(*faulty_orders_, w, OrderRequest(w, "U-0", 1, ORDER_STATE_PAID));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_TRUE(OrdersOf(w).empty());
  // Reachable for the lookup, unreachable for the reserve: recorded PENDING, nothing held.
  faulty_->lookup = Fault::kNone;
  faulty_->reserve = Fault::kUnreachable;
  auto resp = UpsertVia(*faulty_orders_, w, OrderRequest(w, "U-1", 3, ORDER_STATE_PAID));
  ASSERT_TRUE(resp.ok()) << resp.status();
  const std::string id = resp->order().id();
  EXPECT_EQ(resp->order().state(), ORDER_STATE_PAID);
  EXPECT_EQ(resp->order().stock_status(), ov1::ORDER_STOCK_STATUS_PENDING);
  EXPECT_EQ(Stored(id).stock_status, ov1::ORDER_STOCK_STATUS_PENDING);
  EXPECT_FALSE(Reservation(orders::ReservationIdFor(id, 1)).has_value());
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 0);
  ExpectConsistent(w, 10);
  // Not due yet: the job leaves it.
  ASSERT_TRUE(restarted_->RecoverStock(1000).ok());
  EXPECT_EQ(Stored(id).stock_status, ov1::ORDER_STOCK_STATUS_PENDING);
  RecoverAfterGrace();
  const orders::OrderRow done = Stored(id);
  EXPECT_EQ(done.stock_status, ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(done.reservation_id, orders::ReservationIdFor(id, 1));
  EXPECT_FALSE(done.stock_due_us.has_value());
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 7);
  EXPECT_EQ(stock.reserved(), 0);
  ExpectConsistent(w, 10);
}

TEST_F(SagaFaultsTest, AReserveWhoseReplyWasLostIsFoundAgainNotMadeTwice) {
  SellingWorld w = NewSellingWorld(10);
  faulty_->reserve = Fault::kReplyLost;
  auto resp = UpsertVia(*faulty_orders_, w, OrderRequest(w, "R-1", 2, ORDER_STATE_PAID));
  ASSERT_TRUE(resp.ok()) << resp.status();
  const std::string id = resp->order().id();
  EXPECT_EQ(faulty_->reserves_sent.load(), 1);
  // Catalog holds it; the order does not count it.
  EXPECT_EQ(Stored(id).stock_status, ov1::ORDER_STOCK_STATUS_PENDING);
  auto held = Reservation(orders::ReservationIdFor(id, 1));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->state(), cv1::RESERVATION_STATE_HELD);
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 2);
  ExpectConsistent(w, 10);
  // Past the orphan grace the orphan job leaves it: its order stands behind it (PENDING, this
  // attempt).
  clock_->Advance(absl::Minutes(3));
  ASSERT_TRUE(restarted_->ReleaseOrphanReservations().ok());
  EXPECT_EQ(Reservation(orders::ReservationIdFor(id, 1))->state(), cv1::RESERVATION_STATE_HELD);
  // The recovery job reserves with the same id: catalog answers the same hold; then commits.
  ASSERT_TRUE(restarted_->RecoverStock(1000).ok());
  const orders::OrderRow done = Stored(id);
  EXPECT_EQ(done.stock_status, ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(done.reservation_id, orders::ReservationIdFor(id, 1));
  EXPECT_EQ(done.stock_attempt, 1);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 8);  // 2 units, once
  EXPECT_EQ(stock.reserved(), 0);
  ExpectConsistent(w, 10);
}

TEST_F(SagaFaultsTest, ACommitWhoseReplyWasLostIsRecordedWithoutCommittingTwice) {
  SellingWorld w = NewSellingWorld(10);
  faulty_->commit = Fault::kReplyLost;
  auto resp = UpsertVia(*faulty_orders_, w, OrderRequest(w, "K-1", 4, ORDER_STATE_PAID));
  ASSERT_TRUE(resp.ok()) << resp.status();
  const std::string id = resp->order().id();
  EXPECT_EQ(faulty_->commits_sent.load(), 1);
  // The process "died" before recording the commit: PAID + RESERVED, catalog COMMITTED.
  const orders::OrderRow left = Stored(id);
  EXPECT_EQ(left.state, ORDER_STATE_PAID);
  EXPECT_EQ(left.stock_status, ov1::ORDER_STOCK_STATUS_RESERVED);
  EXPECT_TRUE(left.stock_due_us.has_value());
  EXPECT_EQ(Reservation(left.reservation_id)->state(), cv1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 6);
  ExpectConsistent(w, 10);
  RecoverAfterGrace();
  const orders::OrderRow done = Stored(id);
  EXPECT_EQ(done.stock_status, ov1::ORDER_STOCK_STATUS_COMMITTED);
  EXPECT_EQ(done.reservation_id, left.reservation_id);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 6);  // committed once
  EXPECT_EQ(stock.reserved(), 0);
  ExpectConsistent(w, 10);
}

TEST_F(SagaFaultsTest, ADatabaseErrorWhileRecordingAStepLeavesItToTheJob) {
  SellingWorld w = NewSellingWorld(10);
  // The reserve is made in catalog, recording it fails.
  FailRecording(StockStep::kReserve, 1);
  auto resp = UpsertVia(*faulty_orders_, w, OrderRequest(w, "D-1", 1, ORDER_STATE_PAID));
  ASSERT_TRUE(resp.ok()) << resp.status();  // the order is recorded; its step is left due
  const std::string id = resp->order().id();
  EXPECT_EQ(Stored(id).stock_status, ov1::ORDER_STOCK_STATUS_PENDING);
  EXPECT_EQ(Reservation(orders::ReservationIdFor(id, 1))->state(), cv1::RESERVATION_STATE_HELD);
  ExpectConsistent(w, 10);
  // The job reserves (same hold) and commits; recording the commit fails once.
  FailRecording(StockStep::kCommit, 1);
  clock_->Advance(settings_.stock_step_grace + absl::Seconds(1));
  ASSERT_TRUE(faulty_orders_->RecoverStock(1000).ok());
  const orders::OrderRow mid = Stored(id);
  EXPECT_EQ(mid.stock_status, ov1::ORDER_STOCK_STATUS_RESERVED);
  EXPECT_EQ(Reservation(mid.reservation_id)->state(), cv1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(StockOf(w.product.id()).on_hand(), 9);
  ExpectConsistent(w, 10);
  // The next round records it, without committing twice.
  RecoverAfterGrace();
  EXPECT_EQ(Stored(id).stock_status, ov1::ORDER_STOCK_STATUS_COMMITTED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.on_hand(), 9);
  EXPECT_EQ(stock.reserved(), 0);
  ExpectConsistent(w, 10);
}

TEST_F(SagaFaultsTest, AHoldMadeAfterItsOrderWasCancelledIsReleasedByTheOrphanJob) {
  SellingWorld w = NewSellingWorld(10);
  std::string order_id;
  // While the reserve is on its way, the order is cancelled (and its release finds nothing).
  faulty_->before_reserve = [&] {
    auto found = [&]() -> std::string {
      std::string id;
      EXPECT_TRUE(orders_db()
                      .Read([&](Tx& tx) {
                        auto o = orders::LoadOrderByExternal(tx, w.partner.partner.id(), "shop-1",
                                                             "E-1", false);
                        if (o) id = o->id;
                        return absl::OkStatus();
                      })
                      .ok());
      return id;
    }();
    order_id = found;
    ov1::CancelOrderRequest cancel;
    cancel.set_request_id(NewRequestId());
    cancel.set_order_id(found);
    cancel.set_reason("buyer changed their mind");
    ov1::Order out;
    absl::Status s = restarted_->CancelOrder(PartnerCall(w), cancel, &out);
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_EQ(out.state(), ov1::ORDER_STATE_CANCELLED);
  };
  auto resp = UpsertVia(*faulty_orders_, w, OrderRequest(w, "E-1", 2, ORDER_STATE_PENDING_PAYMENT));
  ASSERT_TRUE(resp.ok()) << resp.status();
  ASSERT_FALSE(order_id.empty());
  const orders::OrderRow cancelled = Stored(order_id);
  EXPECT_EQ(cancelled.state, ov1::ORDER_STATE_CANCELLED);
  EXPECT_EQ(cancelled.stock_status, ov1::ORDER_STOCK_STATUS_RELEASED);
  // The hold arrived after the cancellation: an orphan, counted by no order.
  const std::string hold = orders::ReservationIdFor(order_id, 1);
  EXPECT_EQ(Reservation(hold)->state(), cv1::RESERVATION_STATE_HELD);
  EXPECT_EQ(StockOf(w.product.id()).reserved(), 2);
  ExpectConsistent(w, 10);
  // Within the orphan grace it stays; after it, the orphan job releases it.
  ASSERT_TRUE(restarted_->ReleaseOrphanReservations().ok());
  EXPECT_EQ(Reservation(hold)->state(), cv1::RESERVATION_STATE_HELD);
  clock_->Advance(absl::Minutes(2) + absl::Seconds(1));
  auto released = restarted_->ReleaseOrphanReservations();
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_GE(*released, 1);
  EXPECT_EQ(Reservation(hold)->state(), cv1::RESERVATION_STATE_RELEASED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.on_hand(), 10);
  ExpectConsistent(w, 10);
}

TEST_F(SagaFaultsTest, AHoldWhoseOrderWasNeverRecordedExpiresByItsTtl) {
  SellingWorld w = NewSellingWorld(10);
  // A reserve made for an order whose recording never committed (a process that died): its id
  // names an order the database does not have.
  const std::string hold = orders::ReservationIdFor(NewId(clock_->Now()), 1);
  cv1::ReservationLine line;
  line.set_product_id(w.product.id());
  line.set_quantity(3);
  auto r = real_->Reserve(PartnerCall(w), hold, w.partner.partner.id(), {line}, absl::Minutes(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state(), cv1::RESERVATION_STATE_HELD);
  ExpectConsistent(w, 10, /*extra_held=*/3);
  clock_->Advance(absl::Minutes(10) + absl::Seconds(1));
  auto expired = domain().ExpireReservations(1000);
  ASSERT_TRUE(expired.ok()) << expired.status();
  EXPECT_GE(*expired, 1);
  EXPECT_EQ(Reservation(hold)->state(), cv1::RESERVATION_STATE_EXPIRED);
  const cv1::Stock stock = StockOf(w.product.id());
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.on_hand(), 10);
  ExpectConsistent(w, 10);
}

TEST_F(SagaFaultsTest, ACancelledShortOrderLeavesTheRecoveryQueue) {
  SellingWorld w = NewSellingWorld(1);
  auto resp = UpsertVia(*restarted_, w, OrderRequest(w, "Q-1", 3, ORDER_STATE_PAID));
  ASSERT_TRUE(resp.ok()) << resp.status();
  const std::string id = resp->order().id();
  EXPECT_EQ(Stored(id).stock_status, ov1::ORDER_STOCK_STATUS_SHORT);
  ov1::CancelOrderRequest cancel;
  cancel.set_request_id(NewRequestId());
  cancel.set_order_id(id);
  cancel.set_reason("out of stock");
  ov1::Order out;
  ASSERT_TRUE(restarted_->CancelOrder(PartnerCall(w), cancel, &out).ok());
  EXPECT_EQ(out.stock_status(), ov1::ORDER_STOCK_STATUS_RELEASED);
  // Once its old retry time has passed, the job looks at it once and lets it go: no step is due.
  clock_->Advance(absl::Minutes(6));
  ASSERT_TRUE(restarted_->RecoverStock(1000).ok());
  EXPECT_FALSE(Stored(id).stock_due_us.has_value());
  std::vector<std::string> due;
  ASSERT_TRUE(orders_db()
                  .Read([&](Tx& tx) {
                    due = orders::OrdersWithStockDue(tx, ToMicros(clock_->Now()), 1000);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(std::count(due.begin(), due.end(), id), 0);
  EXPECT_EQ(Stored(id).stock_status, ov1::ORDER_STOCK_STATUS_RELEASED);
  ExpectConsistent(w, 1);
}

TEST_F(SagaFaultsTest, APartnersOwnReservationNamedLikeOursIsLeftAlone) {
  SellingWorld w = NewSellingWorld(10);
  // A partner's checkout reservation whose id happens to start with "ord-".
  cv1::CreateReservationRequest create;
  create.set_reservation_id("ord-checkout-1");
  auto* line = create.add_lines();
  line->set_product_id(w.product.id());
  line->set_quantity(2);
  cv1::Reservation created;
  grpc::Status s = catalog().CreateReservation(Ctx(w.partner.token).get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  clock_->Advance(absl::Minutes(3));
  ASSERT_TRUE(restarted_->ReleaseOrphanReservations().ok());
  EXPECT_EQ(Reservation("ord-checkout-1")->state(), cv1::RESERVATION_STATE_HELD);
  ExpectConsistent(w, 10, /*extra_held=*/2);
}

}  // namespace
}  // namespace cooplink::testing
