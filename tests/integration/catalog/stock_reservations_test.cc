// Lots, stock and reservations through real gRPC against the real MariaDB: the stock rule under
// concurrency (no overselling), all-or-nothing reservations, idempotency, expiry by the injected
// clock, a commit racing the expiry sweeper, partner scope and FIFO lot consumption.
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

using Stub = cv1::CatalogService::Stub;
using Lines = std::vector<std::pair<std::string, int64_t>>;

// Puts the fake clock back where it was when the test moved it.
class ClockRestorer {
 public:
  explicit ClockRestorer(FakeClock* clock) : clock_(clock), saved_(clock->Now()) {}
  ~ClockRestorer() { clock_->Set(saved_); }

 private:
  FakeClock* clock_;
  absl::Time saved_;
};

std::pair<int64_t, int64_t> OnHandReserved(int64_t on_hand, int64_t reserved) {
  return {on_hand, reserved};
}

// The (type, subject) of each google.rpc.PreconditionFailure violation in `status`.
std::vector<std::pair<std::string, std::string>> PreconditionViolations(const grpc::Status& s) {
  std::vector<std::pair<std::string, std::string>> out;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(s.error_details())) return out;
  for (const auto& any : rpc.details()) {
    if (any.type_url() != "type.googleapis.com/google.rpc.PreconditionFailure") continue;
    google::rpc::PreconditionFailure failure;
    failure.ParseFromString(any.value());
    for (const auto& v : failure.violations()) out.emplace_back(v.type(), v.subject());
  }
  return out;
}

class StockReservationsTest : public CatalogFixture {
 protected:
  grpc::Status Reserve(const std::string& token, const std::string& partner_id,
                       const std::string& reservation_id, const Lines& lines, cv1::Reservation* out,
                       int64_t ttl_seconds = 0, Stub* stub = nullptr) {
    cv1::CreateReservationRequest req;
    req.set_reservation_id(reservation_id);
    req.set_partner_id(partner_id);
    for (const auto& [product_id, quantity] : lines) {
      auto* line = req.add_lines();
      line->set_product_id(product_id);
      line->set_quantity(quantity);
    }
    if (ttl_seconds != 0) req.mutable_ttl()->set_seconds(ttl_seconds);
    return (stub ? *stub : catalog()).CreateReservation(Ctx(token).get(), req, out);
  }

  grpc::Status Commit(const std::string& token, const std::string& id, cv1::Reservation* out,
                      const std::string& request_id = NewRequestId()) {
    cv1::CommitReservationRequest req;
    req.set_request_id(request_id);
    req.set_reservation_id(id);
    return catalog().CommitReservation(Ctx(token).get(), req, out);
  }

  grpc::Status Release(const std::string& token, const std::string& id, cv1::Reservation* out,
                       const std::string& request_id = NewRequestId()) {
    cv1::ReleaseReservationRequest req;
    req.set_request_id(request_id);
    req.set_reservation_id(id);
    return catalog().ReleaseReservation(Ctx(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, cv1::Reservation* out) {
    cv1::GetReservationRequest req;
    req.set_id(id);
    return catalog().GetReservation(Ctx(token).get(), req, out);
  }

  cv1::Stock StockOf(const std::string& product_id, const std::string& token = "") {
    cv1::GetStockRequest req;
    req.set_product_id(product_id);
    cv1::Stock out;
    grpc::Status s = catalog().GetStock(Ctx(token.empty() ? admin() : token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Adjust(const std::string& token, const std::string& product_id, int64_t delta,
                      cv1::StockAdjustmentReason reason, cv1::Stock* out,
                      const std::string& note = "盘点", const std::string& lot_id = "") {
    cv1::AdjustStockRequest req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product_id);
    req.set_delta(delta);
    req.set_reason(reason);
    req.set_note(note);
    req.set_lot_id(lot_id);
    return catalog().AdjustStock(Ctx(token).get(), req, out);
  }

  grpc::Status CreateLot(const std::string& token, const std::string& product_id,
                         const std::string& code, absl::CivilDay harvest, int64_t quantity,
                         cv1::Lot* out) {
    cv1::CreateLotRequest req;
    req.set_request_id(NewRequestId());
    auto* lot = req.mutable_lot();
    lot->set_product_id(product_id);
    lot->set_lot_code(code);
    lot->mutable_harvest_date()->set_year(static_cast<int32_t>(harvest.year()));
    lot->mutable_harvest_date()->set_month(harvest.month());
    lot->mutable_harvest_date()->set_day(harvest.day());
    lot->set_quantity(quantity);
    return catalog().CreateLot(Ctx(token).get(), req, out);
  }

  // (on_hand, reserved) straight from the table.
  std::pair<int64_t, int64_t> SqlStock(const std::string& product_id) {
    std::pair<int64_t, int64_t> out{-1, -1};
    EXPECT_TRUE(db().Read([&](Tx& tx) {
                      auto rs = tx.Query("SELECT on_hand, reserved FROM stock WHERE product_id = ?",
                                         product_id);
                      if (rs->next()) out = {rs->getInt64("on_hand"), rs->getInt64("reserved")};
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  int64_t SqlInt(const std::string& sql, const std::string& arg) {
    int64_t out = -1;
    EXPECT_TRUE(db().Read([&](Tx& tx) {
                      auto rs = tx.Query(sql, arg);
                      if (rs->next()) out = rs->getInt64(1);
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  int64_t LotRemaining(const std::string& lot_id) {
    return SqlInt("SELECT remaining FROM lots WHERE id = ?", lot_id);
  }

  int64_t StockChanges(const std::string& product_id) {
    return SqlInt(
        absl::StrCat("SELECT COUNT(*) FROM ", kAllChanges, " WHERE kind = 4 AND product_id = ?"),
        product_id);
  }

  // An ACTIVE product offered to `partner`, with `on_hand` units in stock.
  cv1::Product OfferedProduct(const CoopWorld& world, const PartnerWorld& partner,
                              int64_t on_hand) {
    cv1::Product product = ActiveProduct(world, on_hand);
    OfferTo(product, partner, world.admin_token);
    return product;
  }

  // Like ActiveProduct, with a minimum order quantity.
  cv1::Product ActiveProductWithMinimum(const CoopWorld& world, int64_t min_order) {
    cv1::CreateProductRequest create;
    create.set_request_id(NewRequestId());
    *create.mutable_product() = ProductBody(world);
    create.mutable_product()->set_min_order_quantity(min_order);
    cv1::Product product;
    EXPECT_TRUE(catalog().CreateProduct(Ctx(world.admin_token).get(), create, &product).ok());
    cv1::SubmitProductRequest submit;
    submit.set_request_id(NewRequestId());
    submit.set_product_id(product.id());
    EXPECT_TRUE(catalog().SubmitProduct(Ctx(world.member_token).get(), submit, &product).ok());
    cv1::ApproveProductRequest approve;
    approve.set_request_id(NewRequestId());
    approve.set_product_id(product.id());
    EXPECT_TRUE(catalog().ApproveProduct(Ctx(admin()).get(), approve, &product).ok());
    return product;
  }
};

// --- Lots --------------------------------------------------------------------------------------

TEST_F(StockReservationsTest, LotsAddStockAreListedAndCheckedForScope) {
  const CoopWorld world = NewCoop();
  const cv1::Product product = ActiveProduct(world);
  const int64_t changes_before = StockChanges(product.id());

  cv1::Lot first, second;
  ASSERT_TRUE(CreateLot(world.admin_token, product.id(), "JM-2026-SPRING-01",
                        absl::CivilDay(2026, 2, 20), 120, &first)
                  .ok());
  EXPECT_EQ(first.id().size(), 26u);
  EXPECT_EQ(first.cooperative_id(), world.cooperative.id());
  EXPECT_EQ(first.quantity(), 120);
  EXPECT_EQ(first.harvest_date().day(), 20);
  EXPECT_FALSE(first.created_by().empty());
  // The producer household's member records lots too; a harvest today is fine.
  ASSERT_TRUE(CreateLot(world.member_token, product.id(), "JM-2026-SPRING-02",
                        absl::CivilDay(2026, 3, 1), 30, &second)
                  .ok());

  cv1::Stock stock = StockOf(product.id(), world.admin_token);
  EXPECT_EQ(stock.on_hand(), 150);
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.available(), 150);
  EXPECT_EQ(SqlInt("SELECT COUNT(*) FROM stock_movements WHERE product_id = ? AND reason = 1 "
                   "AND lot_id IS NOT NULL",
                   product.id()),
            2);
  EXPECT_EQ(LotRemaining(first.id()), 120);
  EXPECT_EQ(StockChanges(product.id()), changes_before + 2);

  // Listing, one per page, in id order.
  cv1::ListLotsRequest list;
  list.set_product_id(product.id());
  list.set_page_size(1);
  cv1::ListLotsResponse page;
  ASSERT_TRUE(catalog().ListLots(Ctx(world.member_token).get(), list, &page).ok());
  ASSERT_EQ(page.lots_size(), 1);
  EXPECT_EQ(page.lots(0).id(), first.id());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(catalog().ListLots(Ctx(world.member_token).get(), list, &page).ok());
  ASSERT_EQ(page.lots_size(), 1);
  EXPECT_EQ(page.lots(0).id(), second.id());
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_EQ(page.lots(0).SerializeAsString(), second.SerializeAsString());

  // lot_code is unique per product.
  cv1::Lot dup;
  grpc::Status s = CreateLot(world.admin_token, product.id(), "JM-2026-SPRING-01",
                             absl::CivilDay(2026, 2, 21), 5, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(StockOf(product.id()).on_hand(), 150);

  // Bad lots write nothing.
  const int64_t lots_before = CountRows(db(), "lots");
  s = CreateLot(world.admin_token, product.id(), "JM-FUTURE", absl::CivilDay(2026, 3, 2), 5, &dup);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"lot.harvest_date"});
  cv1::CreateLotRequest bad;
  bad.set_request_id(NewRequestId());
  bad.mutable_lot()->set_product_id(product.id());
  bad.mutable_lot()->set_lot_code("no spaces allowed");
  bad.mutable_lot()->mutable_harvest_date()->set_year(2026);
  bad.mutable_lot()->mutable_harvest_date()->set_month(2);
  bad.mutable_lot()->mutable_harvest_date()->set_day(30);
  bad.mutable_lot()->set_quantity(0);
  s = catalog().CreateLot(Ctx(world.admin_token).get(), bad, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"lot.lot_code", "lot.harvest_date", "lot.quantity"}));
  EXPECT_EQ(CountRows(db(), "lots"), lots_before);

  // Scope: another cooperative's admin and another household's member do not see the product;
  // partners may never create or list lots.
  const CoopWorld other = NewCoop();
  s = CreateLot(other.admin_token, product.id(), "X-1", absl::CivilDay(2026, 2, 1), 5, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  const auto [neighbour, neighbour_token] = AddMember(world);
  s = CreateLot(neighbour_token, product.id(), "X-2", absl::CivilDay(2026, 2, 1), 5, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  const PartnerWorld partner = NewPartner();
  OfferTo(product, partner, world.admin_token);
  s = CreateLot(partner.token, product.id(), "X-3", absl::CivilDay(2026, 2, 1), 5, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  list.clear_page_token();
  EXPECT_EQ(catalog().ListLots(Ctx(partner.token).get(), list, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(catalog().ListLots(Ctx(other.admin_token).get(), list, &page).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(
      catalog().ListLots(Ctx(AssignedWorkerToken(world.cooperative.id())).get(), list, &page).ok());
  EXPECT_EQ(CountRows(db(), "lots"), lots_before);
}

TEST_F(StockReservationsTest, CommitsConsumeLotsOldestHarvestFirst) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = ActiveProduct(world);
  OfferTo(product, partner, world.admin_token);
  cv1::Lot feb, jan, late;
  ASSERT_TRUE(
      CreateLot(world.admin_token, product.id(), "FEB", absl::CivilDay(2026, 2, 20), 5, &feb).ok());
  ASSERT_TRUE(
      CreateLot(world.admin_token, product.id(), "JAN", absl::CivilDay(2026, 1, 10), 3, &jan).ok());
  ASSERT_TRUE(
      CreateLot(world.admin_token, product.id(), "LATE", absl::CivilDay(2026, 2, 25), 4, &late)
          .ok());

  cv1::Reservation r;
  ASSERT_TRUE(Reserve(partner.token, partner.partner.id(), "fifo-1", {{product.id(), 6}}, &r).ok());
  // Holding does not touch the lots; committing does, oldest harvest first.
  EXPECT_EQ(LotRemaining(jan.id()), 3);
  ASSERT_TRUE(Commit(partner.token, "fifo-1", &r).ok());
  EXPECT_EQ(LotRemaining(jan.id()), 0);
  EXPECT_EQ(LotRemaining(feb.id()), 2);
  EXPECT_EQ(LotRemaining(late.id()), 4);
  EXPECT_EQ(StockOf(product.id()).on_hand(), 6);

  // An adjustment naming a lot moves that lot too, and never below zero.
  cv1::Stock stock;
  grpc::Status s = Adjust(world.admin_token, product.id(), -3,
                          cv1::STOCK_ADJUSTMENT_REASON_SPOILAGE, &stock, "受潮", feb.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(StockOf(product.id()).on_hand(), 6);
  EXPECT_EQ(LotRemaining(feb.id()), 2);
  ASSERT_TRUE(Adjust(world.admin_token, product.id(), -2, cv1::STOCK_ADJUSTMENT_REASON_SPOILAGE,
                     &stock, "受潮", feb.id())
                  .ok());
  EXPECT_EQ(stock.on_hand(), 4);
  EXPECT_EQ(LotRemaining(feb.id()), 0);

  // The next commit takes what the later lot has.
  ASSERT_TRUE(Reserve(partner.token, partner.partner.id(), "fifo-2", {{product.id(), 3}}, &r).ok());
  ASSERT_TRUE(Commit(partner.token, "fifo-2", &r).ok());
  EXPECT_EQ(LotRemaining(late.id()), 1);
  EXPECT_EQ(StockOf(product.id()).on_hand(), 1);
}

// --- Stock -------------------------------------------------------------------------------------

TEST_F(StockReservationsTest, AdjustStockFollowsTheReasonsAndTheStockRule) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 0);

  cv1::Stock stock = StockOf(product.id());
  EXPECT_EQ(stock.on_hand(), 0);  // never stocked
  EXPECT_EQ(stock.available(), 0);

  ASSERT_TRUE(
      Adjust(world.admin_token, product.id(), 40, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, &stock)
          .ok());
  EXPECT_EQ(stock.on_hand(), 40);
  ASSERT_TRUE(
      Adjust(admin(), product.id(), -5, cv1::STOCK_ADJUSTMENT_REASON_CORRECTION, &stock).ok());
  EXPECT_EQ(stock.on_hand(), 35);
  ASSERT_TRUE(
      Adjust(world.admin_token, product.id(), 2, cv1::STOCK_ADJUSTMENT_REASON_RETURN, &stock, "")
          .ok());
  EXPECT_EQ(stock.on_hand(), 37);
  EXPECT_EQ(stock.product_id(), product.id());

  // Hold 30; then removing more than the 7 available is refused and writes nothing.
  cv1::Reservation r;
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "adjust-hold", {{product.id(), 30}}, &r).ok());
  const int64_t movements = CountRows(db(), "stock_movements");
  grpc::Status s =
      Adjust(world.admin_token, product.id(), -8, cv1::STOCK_ADJUSTMENT_REASON_SPOILAGE, &stock);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(CountRows(db(), "stock_movements"), movements);
  EXPECT_EQ(SqlStock(product.id()), OnHandReserved(37, 30));
  ASSERT_TRUE(
      Adjust(world.admin_token, product.id(), -7, cv1::STOCK_ADJUSTMENT_REASON_SPOILAGE, &stock)
          .ok());
  EXPECT_EQ(stock.on_hand(), 30);
  EXPECT_EQ(stock.reserved(), 30);
  EXPECT_EQ(stock.available(), 0);

  // Who: members and partners never adjust; another cooperative's admin does not see it.
  s = Adjust(world.member_token, product.id(), 1, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, &stock);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Adjust(partner.token, product.id(), 1, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, &stock);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Adjust(NewCoop().admin_token, product.id(), 1, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, &stock);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // A lot of another product.
  const cv1::Product other = ActiveProduct(world);
  cv1::Lot lot;
  ASSERT_TRUE(
      CreateLot(world.admin_token, other.id(), "OTHER", absl::CivilDay(2026, 2, 1), 3, &lot).ok());
  s = Adjust(world.admin_token, product.id(), 1, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, &stock, "",
             lot.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  EXPECT_EQ(SqlStock(product.id()), OnHandReserved(30, 30));
}

TEST_F(StockReservationsTest, GetStockIsForWhoeverMayReadTheProduct) {
  const CoopWorld world = NewCoop();
  const PartnerWorld offered = NewPartner();
  const PartnerWorld stranger = NewPartner();
  const cv1::Product product = OfferedProduct(world, offered, 12);

  for (const std::string& token : {admin(), world.admin_token, world.member_token,
                                   AssignedWorkerToken(world.cooperative.id()), offered.token}) {
    cv1::Stock stock = StockOf(product.id(), token);
    EXPECT_EQ(stock.on_hand(), 12);
    EXPECT_EQ(stock.available(), 12);
  }
  cv1::GetStockRequest req;
  req.set_product_id(product.id());
  cv1::Stock out;
  for (const std::string& token :
       {stranger.token, UnassignedWorkerToken(), NewCoop().admin_token, AddMember(world).second}) {
    EXPECT_EQ(catalog().GetStock(Ctx(token).get(), req, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  req.set_product_id("not-an-id");
  EXPECT_EQ(ViolatedFields(catalog().GetStock(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"product_id"});
}

// --- Reservations: the acceptance scenarios ---------------------------------------------------

TEST_F(StockReservationsTest, SixtyFourConcurrentBuyersNeverOversellFifty) {
  const CoopWorld world = NewCoop();
  std::vector<PartnerWorld> partners;
  for (int i = 0; i < 4; ++i) partners.push_back(NewPartner());
  const cv1::Product product = ActiveProduct(world, 50);
  for (const auto& partner : partners) OfferTo(product, partner, world.admin_token);
  std::vector<std::unique_ptr<Stub>> stubs;
  for (int i = 0; i < 4; ++i) stubs.push_back(NewCatalogStub());

  constexpr int kBuyers = 64;
  std::vector<grpc::Status> results(kBuyers);
  RunConcurrently(kBuyers, [&](int i) {
    const PartnerWorld& partner = partners[i % partners.size()];
    cv1::Reservation r;
    results[i] = Reserve(partner.token, partner.partner.id(), absl::StrCat("buyer-", i),
                         {{product.id(), 1}}, &r, 0, stubs[i % stubs.size()].get());
    if (results[i].ok()) {
      EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_HELD);
    }
  });

  int ok = 0, insufficient = 0;
  for (const grpc::Status& s : results) {
    if (s.ok()) {
      ++ok;
    } else if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
               ErrorReason(s) == "INSUFFICIENT_STOCK") {
      ++insufficient;
      EXPECT_EQ(
          PreconditionViolations(s),
          (std::vector<std::pair<std::string, std::string>>{{"INSUFFICIENT_STOCK", product.id()}}));
    } else {
      ADD_FAILURE() << "unexpected: " << s.error_code() << " " << s.error_message();
    }
  }
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(insufficient, 14);
  const cv1::Stock stock = StockOf(product.id(), partners[0].token);
  EXPECT_EQ(stock.on_hand(), 50);
  EXPECT_EQ(stock.reserved(), 50);
  EXPECT_EQ(stock.available(), 0);
  EXPECT_EQ(SqlStock(product.id()), OnHandReserved(50, 50));
  // The stock rule holds for every product in the table, not only through the API.
  EXPECT_EQ(SqlInt("SELECT COUNT(*) FROM stock WHERE (on_hand < reserved OR reserved < 0 "
                   "OR on_hand < 0) AND product_id <> ?",
                   ""),
            0);
  EXPECT_EQ(SqlInt("SELECT COALESCE(SUM(l.quantity), 0) FROM reservation_lines l JOIN "
                   "reservations r ON r.partner_id = l.partner_id AND r.id = l.reservation_id "
                   "WHERE r.state = 1 AND l.product_id = ?",
                   product.id()),
            50);
}

TEST_F(StockReservationsTest, AReservationPastItsTtlIsExpiredAndItsStockReturns) {
  ClockRestorer restore(clock_);
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 10);

  cv1::Reservation r;
  ASSERT_TRUE(Reserve(partner.token, partner.partner.id(), "ttl-1", {{product.id(), 4}}, &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_HELD);
  EXPECT_EQ(r.expire_time().seconds() - r.create_time().seconds(), 15 * 60);  // the default TTL
  EXPECT_EQ(StockOf(product.id()).available(), 6);

  clock_->Advance(absl::Minutes(16));
  // Reported EXPIRED at once, before the sweeper has released anything.
  ASSERT_TRUE(Get(partner.token, "ttl-1", &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_EXPIRED);
  EXPECT_EQ(SqlStock(product.id()).second, 4);

  auto expired = domain().ExpireReservations(100);
  ASSERT_TRUE(expired.ok()) << expired.status();
  EXPECT_GE(*expired, 1);
  EXPECT_EQ(SqlInt("SELECT state FROM reservations WHERE id = ?", "ttl-1"),
            static_cast<int64_t>(cv1::RESERVATION_STATE_EXPIRED));
  ASSERT_TRUE(Get(partner.token, "ttl-1", &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_EXPIRED);
  cv1::Stock stock = StockOf(product.id());
  EXPECT_EQ(stock.reserved(), 0);
  EXPECT_EQ(stock.available(), 10);
  // Nothing left to expire; an expired reservation cannot be committed; releasing it is a no-op.
  auto again = domain().ExpireReservations(100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  grpc::Status s = Commit(partner.token, "ttl-1", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "RESERVATION_NOT_HELD");
  ASSERT_TRUE(Release(partner.token, "ttl-1", &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_EXPIRED);
  EXPECT_EQ(StockOf(product.id()).available(), 10);

  // A custom TTL; releasing after expire_time (before the sweeper) records EXPIRED.
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "ttl-2", {{product.id(), 3}}, &r, 120).ok());
  EXPECT_EQ(r.expire_time().seconds() - r.create_time().seconds(), 120);
  clock_->Advance(absl::Minutes(3));
  ASSERT_TRUE(Release(partner.token, "ttl-2", &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_EXPIRED);
  EXPECT_EQ(SqlStock(product.id()), OnHandReserved(10, 0));
}

TEST_F(StockReservationsTest, ACommitRacingTheExpirySweeperResolvesExactlyOnce) {
  ClockRestorer restore(clock_);
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 1000);

  constexpr int kRounds = 20;
  int committed = 0, expired = 0;
  int64_t on_hand = 1000;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = absl::StrCat("race-", round);
    cv1::Reservation r;
    ASSERT_TRUE(Reserve(partner.token, partner.partner.id(), id, {{product.id(), 3}}, &r, 60).ok());
    // One millisecond before expiry: the commit is still in time unless the sweeper's clock
    // advance and row lock come first.
    clock_->Advance(absl::Seconds(60) - absl::Milliseconds(1));
    grpc::Status commit;
    cv1::Reservation committed_reply;
    absl::StatusOr<int> swept = 0;
    std::thread committer([&] { commit = Commit(partner.token, id, &committed_reply); });
    std::thread sweeper([&] {
      // Staggered across the commit's own latency, so that rounds land before, inside and after
      // the window in which the commit holds the reservation's row lock.
      std::this_thread::sleep_for(std::chrono::microseconds(40 * round));
      clock_->Advance(absl::Milliseconds(2));
      swept = domain().ExpireReservations(100);
    });
    committer.join();
    sweeper.join();
    ASSERT_TRUE(swept.ok()) << swept.status();
    // A sweep after the race changes nothing for this reservation.
    ASSERT_TRUE(domain().ExpireReservations(100).ok());

    ASSERT_TRUE(Get(partner.token, id, &r).ok());
    const auto [sql_on_hand, sql_reserved] = SqlStock(product.id());
    EXPECT_EQ(sql_reserved, 0);
    if (commit.ok()) {
      ++committed;
      EXPECT_EQ(committed_reply.state(), cv1::RESERVATION_STATE_COMMITTED);
      EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_COMMITTED);
      on_hand -= 3;
    } else {
      ++expired;
      EXPECT_EQ(commit.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
      EXPECT_EQ(ErrorReason(commit), "RESERVATION_NOT_HELD");
      EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_EXPIRED);
      EXPECT_EQ(SqlInt("SELECT state FROM reservations WHERE id = ?", id),
                static_cast<int64_t>(cv1::RESERVATION_STATE_EXPIRED));
    }
    EXPECT_EQ(sql_on_hand, on_hand) << "round " << round;
  }
  EXPECT_EQ(committed + expired, kRounds);
  std::printf("commit vs expiry: %d committed, %d expired\n", committed, expired);
}

TEST_F(StockReservationsTest, AMultiLineReservationIsAllOrNothing) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product plenty = OfferedProduct(world, partner, 10);
  const cv1::Product scarce = OfferedProduct(world, partner, 2);
  const cv1::Product none = OfferedProduct(world, partner, 0);
  const int64_t reservations = CountRows(db(), "reservations");
  const int64_t changes = CountRows(db(), kAllChanges);

  cv1::Reservation r;
  grpc::Status s = Reserve(partner.token, partner.partner.id(), "multi-1",
                           {{plenty.id(), 5}, {scarce.id(), 3}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(
      PreconditionViolations(s),
      (std::vector<std::pair<std::string, std::string>>{{"INSUFFICIENT_STOCK", scarce.id()}}));
  EXPECT_EQ(StockOf(plenty.id()).reserved(), 0);
  EXPECT_EQ(StockOf(scarce.id()).reserved(), 0);
  EXPECT_EQ(CountRows(db(), "reservations"), reservations);
  EXPECT_EQ(CountRows(db(), kAllChanges), changes);

  // Every short product is named.
  s = Reserve(partner.token, partner.partner.id(), "multi-2",
              {{none.id(), 1}, {plenty.id(), 5}, {scarce.id(), 3}}, &r);
  EXPECT_EQ(PreconditionViolations(s).size(), 2u);

  // The same id, now fitting, succeeds (failed calls are not remembered).
  ASSERT_TRUE(Reserve(partner.token, partner.partner.id(), "multi-1",
                      {{plenty.id(), 5}, {scarce.id(), 2}}, &r)
                  .ok());
  ASSERT_EQ(r.lines_size(), 2);
  EXPECT_EQ(r.lines(0).product_id(), plenty.id());  // in request order
  EXPECT_EQ(r.lines(1).quantity(), 2);
  EXPECT_EQ(StockOf(plenty.id()).available(), 5);
  EXPECT_EQ(StockOf(scarce.id()).available(), 0);
  EXPECT_EQ(CountRows(db(), kAllChanges), changes + 2);  // one STOCK_CHANGED per product
}

TEST_F(StockReservationsTest, TheReservationIdMakesCreationIdempotent) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 100);

  cv1::Reservation first, second;
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "idem-1", {{product.id(), 7}}, &first).ok());
  // An explicit 15-minute TTL is the same body as the default.
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "idem-1", {{product.id(), 7}}, &second, 900)
          .ok());
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(StockOf(product.id()).reserved(), 7);

  // A retry returns the current state.
  cv1::Reservation released;
  ASSERT_TRUE(Release(partner.token, "idem-1", &released).ok());
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "idem-1", {{product.id(), 7}}, &second).ok());
  EXPECT_EQ(second.state(), cv1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(StockOf(product.id()).reserved(), 0);

  // A different body under the same id.
  grpc::Status s =
      Reserve(partner.token, partner.partner.id(), "idem-1", {{product.id(), 8}}, &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");

  // Concurrent duplicates: one reservation, every caller gets it.
  constexpr int kCallers = 8;
  std::vector<grpc::Status> results(kCallers);
  std::vector<cv1::Reservation> replies(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    results[i] = Reserve(partner.token, partner.partner.id(), "idem-concurrent",
                         {{product.id(), 9}}, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(StockOf(product.id()).reserved(), 9);
  EXPECT_EQ(SqlInt("SELECT COUNT(*) FROM reservations WHERE id = ?", "idem-concurrent"), 1);
}

TEST_F(StockReservationsTest, CommitAndReleaseAreIdempotentAndFinal) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 20);

  cv1::Reservation r;
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "final-1", {{product.id(), 6}}, &r).ok());
  ASSERT_TRUE(Get(partner.token, "final-1", &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_HELD);
  EXPECT_EQ(r.partner_id(), partner.partner.id());

  const std::string commit_request = NewRequestId();
  cv1::Reservation committed, replayed;
  ASSERT_TRUE(Commit(partner.token, "final-1", &committed, commit_request).ok());
  EXPECT_EQ(committed.state(), cv1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(SqlStock(product.id()), OnHandReserved(14, 0));
  // The same request replays; a new request on a COMMITTED reservation returns it unchanged.
  ASSERT_TRUE(Commit(partner.token, "final-1", &replayed, commit_request).ok());
  EXPECT_EQ(replayed.SerializeAsString(), committed.SerializeAsString());
  ASSERT_TRUE(Commit(admin(), "final-1", &replayed).ok());
  EXPECT_EQ(replayed.SerializeAsString(), committed.SerializeAsString());
  EXPECT_EQ(SqlStock(product.id()), OnHandReserved(14, 0));
  grpc::Status s = Release(partner.token, "final-1", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "RESERVATION_COMMITTED");
  // request_ids are scoped to the RPC: the commit's request_id on Release is a new request.
  s = Release(partner.token, "final-1", &r, commit_request);
  EXPECT_EQ(ErrorReason(s), "RESERVATION_COMMITTED");

  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "final-2", {{product.id(), 4}}, &r).ok());
  EXPECT_EQ(StockOf(product.id()).available(), 10);
  cv1::Reservation released;
  ASSERT_TRUE(Release(partner.token, "final-2", &released).ok());
  EXPECT_EQ(released.state(), cv1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(StockOf(product.id()).available(), 14);
  ASSERT_TRUE(Release(partner.token, "final-2", &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(SqlStock(product.id()), OnHandReserved(14, 0));
  s = Commit(partner.token, "final-2", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "RESERVATION_NOT_HELD");
}

TEST_F(StockReservationsTest, PartnersReserveOnlyWhatIsOfferedToThemAndSeeOnlyTheirOwn) {
  const CoopWorld world = NewCoop();
  const PartnerWorld mine = NewPartner();
  const PartnerWorld theirs = NewPartner();
  const cv1::Product offered = OfferedProduct(world, mine, 10);
  const cv1::Product unoffered = ActiveProduct(world, 10);
  const int64_t reservations = CountRows(db(), "reservations");

  cv1::Reservation r;
  // Not offered to `theirs`, not offered at all, not ACTIVE, or not existing: never reservable.
  grpc::Status s = Reserve(theirs.token, theirs.partner.id(), "vis-1", {{offered.id(), 1}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "PRODUCT_NOT_AVAILABLE");
  s = Reserve(mine.token, mine.partner.id(), "vis-2", {{offered.id(), 1}, {unoffered.id(), 1}}, &r);
  EXPECT_EQ(ErrorReason(s), "PRODUCT_NOT_AVAILABLE");
  cv1::CreateProductRequest draft;
  draft.set_request_id(NewRequestId());
  *draft.mutable_product() = ProductBody(world);
  cv1::Product draft_product;
  ASSERT_TRUE(catalog().CreateProduct(Ctx(world.admin_token).get(), draft, &draft_product).ok());
  s = Reserve(admin(), mine.partner.id(), "vis-3", {{draft_product.id(), 1}}, &r);
  EXPECT_EQ(ErrorReason(s), "PRODUCT_NOT_AVAILABLE");
  s = Reserve(mine.token, mine.partner.id(), "vis-4", {{"01ARZ3NDEKTSV4RRFFQ69G5FAV", 1}}, &r);
  EXPECT_EQ(ErrorReason(s), "PRODUCT_NOT_AVAILABLE");
  // A partner reserves only for itself; other roles never reserve.
  s = Reserve(theirs.token, mine.partner.id(), "vis-5", {{offered.id(), 1}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Reserve(world.admin_token, mine.partner.id(), "vis-6", {{offered.id(), 1}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CountRows(db(), "reservations"), reservations);
  EXPECT_EQ(StockOf(offered.id()).reserved(), 0);

  // The platform admin reserves for a partner; the reservation is the partner's.
  ASSERT_TRUE(Reserve(admin(), mine.partner.id(), "vis-7", {{offered.id(), 2}}, &r).ok());
  EXPECT_EQ(r.partner_id(), mine.partner.id());
  ASSERT_TRUE(Get(mine.token, "vis-7", &r).ok());
  ASSERT_TRUE(Get(admin(), "vis-7", &r).ok());
  // Another partner's reservation does not exist for `theirs`.
  EXPECT_EQ(Get(theirs.token, "vis-7", &r).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Commit(theirs.token, "vis-7", &r).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Release(theirs.token, "vis-7", &r).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(world.admin_token, "vis-7", &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(admin(), "no-such-reservation", &r).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(StockOf(offered.id()).reserved(), 2);
  // The admin commits on the partner's behalf.
  ASSERT_TRUE(Commit(admin(), "vis-7", &r).ok());
  EXPECT_EQ(r.state(), cv1::RESERVATION_STATE_COMMITTED);
}

TEST_F(StockReservationsTest, BadInputIsRefusedNamingTheFieldAndWritesNothing) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 50);
  const cv1::Product other = OfferedProduct(world, partner, 50);
  const cv1::Product minimum = ActiveProductWithMinimum(world, 5);
  OfferTo(minimum, partner, world.admin_token);
  cv1::Stock restocked;
  ASSERT_TRUE(
      Adjust(world.admin_token, minimum.id(), 50, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, &restocked)
          .ok());

  auto valid = [&] {
    cv1::CreateReservationRequest req;
    req.set_reservation_id(absl::StrCat("bad-", NextSequence()));
    req.set_partner_id(partner.partner.id());
    auto* line = req.add_lines();
    line->set_product_id(product.id());
    line->set_quantity(1);
    return req;
  };
  struct Case {
    const char* name;
    std::function<void(cv1::CreateReservationRequest&)> mutate;
    std::vector<std::string> fields;
  };
  const std::vector<Case> cases = {
      {"quantity 0", [](auto& r) { r.mutable_lines(0)->set_quantity(0); }, {"lines[0].quantity"}},
      {"quantity -1", [](auto& r) { r.mutable_lines(0)->set_quantity(-1); }, {"lines[0].quantity"}},
      {"quantity 10^12",
       [](auto& r) { r.mutable_lines(0)->set_quantity(1000000000000); },
       {"lines[0].quantity"}},
      {"below min_order_quantity",
       [&](auto& r) {
         auto* line = r.add_lines();
         line->set_product_id(minimum.id());
         line->set_quantity(4);
       },
       {"lines[1].quantity"}},
      {"negative ttl", [](auto& r) { r.mutable_ttl()->set_seconds(-60); }, {"ttl"}},
      {"ttl too short", [](auto& r) { r.mutable_ttl()->set_seconds(30); }, {"ttl"}},
      {"ttl too long", [](auto& r) { r.mutable_ttl()->set_seconds(25 * 3600); }, {"ttl"}},
      {"empty lines", [](auto& r) { r.clear_lines(); }, {"lines"}},
      {"duplicate product",
       [&](auto& r) {
         auto* line = r.add_lines();
         line->set_product_id(product.id());
         line->set_quantity(2);
       },
       {"lines[1].product_id"}},
      {"bad product id",
       [](auto& r) { r.mutable_lines(0)->set_product_id("x"); },
       {"lines[0].product_id"}},
      {"bad reservation id",
       [](auto& r) { r.set_reservation_id("has space"); },
       {"reservation_id"}},
      {"missing partner", [](auto& r) { r.clear_partner_id(); }, {"partner_id"}},
  };
  const int64_t reservations = CountRows(db(), "reservations");
  const int64_t lines = CountRows(db(), "reservation_lines");
  for (const Case& c : cases) {
    auto req = valid();
    c.mutate(req);
    cv1::Reservation out;
    grpc::Status s = catalog().CreateReservation(Ctx(admin()).get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_EQ(ViolatedFields(s), c.fields) << c.name;
  }
  auto too_many = valid();
  for (int i = 1; i <= 100; ++i) *too_many.add_lines() = too_many.lines(0);
  cv1::Reservation out;
  EXPECT_EQ(ViolatedFields(catalog().CreateReservation(Ctx(admin()).get(), too_many, &out)),
            std::vector<std::string>{"lines"});
  EXPECT_EQ(CountRows(db(), "reservations"), reservations);
  EXPECT_EQ(CountRows(db(), "reservation_lines"), lines);
  EXPECT_EQ(StockOf(product.id()).reserved(), 0);
  EXPECT_EQ(StockOf(other.id()).reserved(), 0);

  // AdjustStock: every field checked, nothing written.
  const int64_t movements = CountRows(db(), "stock_movements");
  struct AdjustCase {
    const char* name;
    int64_t delta;
    int reason;
    std::string note;
    std::vector<std::string> fields;
  };
  const std::vector<AdjustCase> adjust_cases = {
      {"delta 0", 0, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, "", {"delta"}},
      {"delta 10^12", 1000000000000, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, "", {"delta"}},
      {"unknown reason", 5, 99, "", {"reason"}},
      {"unspecified reason", 5, 0, "", {"reason"}},
      {"restock negative", -5, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, "", {"delta"}},
      {"spoilage positive", 5, cv1::STOCK_ADJUSTMENT_REASON_SPOILAGE, "", {"delta"}},
      {"note too long", 5, cv1::STOCK_ADJUSTMENT_REASON_RESTOCK, std::string(201, 'x'), {"note"}},
  };
  for (const AdjustCase& c : adjust_cases) {
    cv1::AdjustStockRequest req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product.id());
    req.set_delta(c.delta);
    req.set_reason(static_cast<cv1::StockAdjustmentReason>(c.reason));
    req.set_note(c.note);
    cv1::Stock stock;
    grpc::Status s = catalog().AdjustStock(Ctx(world.admin_token).get(), req, &stock);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_EQ(ViolatedFields(s), c.fields) << c.name;
  }
  EXPECT_EQ(CountRows(db(), "stock_movements"), movements);
  EXPECT_EQ(StockOf(product.id()).on_hand(), 50);
}

}  // namespace
}  // namespace cooplink::testing
