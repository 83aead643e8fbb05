// What a partner's program relies on around reservations, through real gRPC against the real
// MariaDB: the partner comes from the token (naming itself still works, naming another partner is
// refused), ListReservations (state filters as GetReservation reads them, keyset paging, tenant
// walls, bad input), INSUFFICIENT_STOCK's available units as structured details (also for 100
// short lines, within gRPC's trailer limit), and the token reasons on the watch stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/paging.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

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

// The (subject, description) of each google.rpc.PreconditionFailure violation in `status`.
std::vector<std::pair<std::string, std::string>> Described(const grpc::Status& s) {
  std::vector<std::pair<std::string, std::string>> out;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(s.error_details())) return out;
  for (const auto& any : rpc.details()) {
    google::rpc::PreconditionFailure failure;
    if (!any.UnpackTo(&failure)) continue;
    for (const auto& v : failure.violations()) {
      EXPECT_EQ(v.type(), "INSUFFICIENT_STOCK");
      out.emplace_back(v.subject(), v.description());
    }
  }
  return out;
}

// What a client program does with INSUFFICIENT_STOCK: the available units of each of its lines,
// read from the ErrorInfo metadata ("available_<product_id>"); lines that were not short have none.
std::map<std::string, int64_t> AvailablePerLine(const grpc::Status& s, const Lines& lines) {
  std::map<std::string, int64_t> out;
  const auto metadata = ErrorMetadata(s);
  for (const auto& [product_id, quantity] : lines) {
    auto it = metadata.find(absl::StrCat("available_", product_id));
    if (it == metadata.end()) continue;
    int64_t available = -1;
    EXPECT_TRUE(absl::SimpleAtoi(it->second, &available)) << it->second;
    out[product_id] = available;
  }
  return out;
}

class PartnerReservationsTest : public CatalogFixture {
 protected:
  grpc::Status Reserve(const std::string& token, const std::string& partner_id,
                       const std::string& reservation_id, const Lines& lines, cv1::Reservation* out,
                       int64_t ttl_seconds = 0) {
    cv1::CreateReservationRequest req;
    req.set_reservation_id(reservation_id);
    req.set_partner_id(partner_id);
    for (const auto& [product_id, quantity] : lines) {
      auto* line = req.add_lines();
      line->set_product_id(product_id);
      line->set_quantity(quantity);
    }
    if (ttl_seconds != 0) req.mutable_ttl()->set_seconds(ttl_seconds);
    return catalog().CreateReservation(Ctx(token).get(), req, out);
  }

  // Reserves and asserts success.
  cv1::Reservation Reserved(const PartnerWorld& partner, const std::string& id, const Lines& lines,
                            int64_t ttl_seconds = 0) {
    cv1::Reservation r;
    grpc::Status s = Reserve(partner.token, "", id, lines, &r, ttl_seconds);
    EXPECT_TRUE(s.ok()) << id << ": " << s.error_message();
    return r;
  }

  grpc::Status List(const std::string& token, const std::string& partner_id,
                    cv1::ReservationState state, int page_size, const std::string& page_token,
                    cv1::ListReservationsResponse* out) {
    cv1::ListReservationsRequest req;
    req.set_partner_id(partner_id);
    req.set_state(state);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    return catalog().ListReservations(Ctx(token).get(), req, out);
  }

  // Every (partner_id, id, state) the caller lists with these filters, following the pages.
  std::vector<std::string> ListAll(const std::string& token, const std::string& partner_id,
                                   cv1::ReservationState state, int page_size = 0) {
    std::vector<std::string> out;
    std::string page_token;
    do {
      cv1::ListReservationsResponse page;
      grpc::Status s = List(token, partner_id, state, page_size, page_token, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (page_size > 0) {
        EXPECT_LE(page.reservations_size(), page_size);
      }
      for (const auto& r : page.reservations()) {
        EXPECT_GE(r.lines_size(), 1);
        if (state != cv1::RESERVATION_STATE_UNSPECIFIED) {
          EXPECT_EQ(r.state(), state) << r.id();
        }
        out.push_back(absl::StrCat(r.partner_id(), "/", r.id()));
      }
      page_token = page.next_page_token();
    } while (!page_token.empty());
    return out;
  }

  // Only the entries of `partner` (the suite shares its database with other tests).
  static std::vector<std::string> Of(const PartnerWorld& partner,
                                     const std::vector<std::string>& keys) {
    std::vector<std::string> out;
    for (const auto& k : keys) {
      if (k.rfind(partner.partner.id() + "/", 0) == 0) out.push_back(k.substr(k.find('/') + 1));
    }
    return out;
  }

  cv1::Product OfferedProduct(const CoopWorld& world, const PartnerWorld& partner,
                              int64_t on_hand) {
    cv1::Product product = ActiveProduct(world, on_hand);
    OfferTo(product, partner, world.admin_token);
    return product;
  }

  grpc::Status Adjust(const std::string& token, const std::string& product_id, int64_t delta,
                      const std::string& lot_id, cv1::Stock* out) {
    cv1::AdjustStockRequest req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product_id);
    req.set_delta(delta);
    req.set_reason(delta > 0 ? cv1::STOCK_ADJUSTMENT_REASON_RESTOCK
                             : cv1::STOCK_ADJUSTMENT_REASON_SPOILAGE);
    req.set_note("霉变");
    req.set_lot_id(lot_id);
    return catalog().AdjustStock(Ctx(token).get(), req, out);
  }
};

// --- The partner from the token ------------------------------------------------------------------

TEST_F(PartnerReservationsTest, APartnerReservesWithoutNamingItselfAndNamingItselfStillWorks) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const PartnerWorld other = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 10);
  OfferTo(product, other, world.admin_token);

  cv1::Reservation r;
  ASSERT_TRUE(Reserve(partner.token, "", "token-1", {{product.id(), 2}}, &r).ok());
  EXPECT_EQ(r.partner_id(), partner.partner.id());
  // A client written before still names itself: the same request for the idempotency key.
  cv1::Reservation again;
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "token-1", {{product.id(), 2}}, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), r.SerializeAsString());
  ASSERT_TRUE(
      Reserve(partner.token, partner.partner.id(), "token-2", {{product.id(), 1}}, &again).ok());
  EXPECT_EQ(again.partner_id(), partner.partner.id());

  // Naming another partner is refused and writes nothing.
  const int64_t reservations = CountRows(db(), "reservations");
  grpc::Status s = Reserve(partner.token, other.partner.id(), "token-3", {{product.id(), 1}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(CountRows(db(), "reservations"), reservations);

  // A platform admin must say for whom.
  s = Reserve(admin(), "", "token-4", {{product.id(), 1}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"partner_id"});
  ASSERT_TRUE(Reserve(admin(), other.partner.id(), "token-4", {{product.id(), 1}}, &r).ok());
  EXPECT_EQ(r.partner_id(), other.partner.id());
  EXPECT_EQ(CountRows(db(), "reservations"), reservations + 1);
}

// --- ListReservations --------------------------------------------------------------------------

TEST_F(PartnerReservationsTest, ListReservationsFiltersByTheStateAReservationReadsAs) {
  ClockRestorer restore(clock_);
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product product = OfferedProduct(world, partner, 100);

  Reserved(partner, "h-1", {{product.id(), 1}});
  Reserved(partner, "h-2", {{product.id(), 1}});
  Reserved(partner, "c-1", {{product.id(), 1}});
  Reserved(partner, "r-1", {{product.id(), 1}});
  Reserved(partner, "x-swept", {{product.id(), 1}}, 60);
  Reserved(partner, "x-unswept", {{product.id(), 1}}, 120);
  cv1::Reservation r;
  cv1::CommitReservationRequest commit;
  commit.set_request_id(NewRequestId());
  commit.set_reservation_id("c-1");
  ASSERT_TRUE(catalog().CommitReservation(Ctx(partner.token).get(), commit, &r).ok());
  cv1::ReleaseReservationRequest release;
  release.set_request_id(NewRequestId());
  release.set_reservation_id("r-1");
  ASSERT_TRUE(catalog().ReleaseReservation(Ctx(partner.token).get(), release, &r).ok());
  clock_->Advance(absl::Seconds(90));
  ASSERT_TRUE(domain().ExpireReservations(1000).ok());  // x-swept is recorded EXPIRED
  clock_->Advance(absl::Seconds(60));                   // x-unswept is past its TTL, unswept

  using S = cv1::ReservationState;
  const std::map<S, std::vector<std::string>> expected = {
      {cv1::RESERVATION_STATE_UNSPECIFIED, {"c-1", "h-1", "h-2", "r-1", "x-swept", "x-unswept"}},
      {cv1::RESERVATION_STATE_HELD, {"h-1", "h-2"}},
      {cv1::RESERVATION_STATE_COMMITTED, {"c-1"}},
      {cv1::RESERVATION_STATE_RELEASED, {"r-1"}},
      {cv1::RESERVATION_STATE_EXPIRED, {"x-swept", "x-unswept"}},
  };
  for (const auto& [state, ids] : expected) {
    EXPECT_EQ(Of(partner, ListAll(partner.token, "", state)), ids) << state;
    // The same through pages of one (the UNION of two stored states pages too).
    EXPECT_EQ(Of(partner, ListAll(partner.token, "", state, 1)), ids) << state;
    EXPECT_EQ(Of(partner, ListAll(admin(), partner.partner.id(), state, 1)), ids) << state;
  }

  // A listed reservation reads exactly as GetReservation reads it, lines included.
  cv1::ListReservationsResponse page;
  ASSERT_TRUE(List(partner.token, "", cv1::RESERVATION_STATE_EXPIRED, 0, "", &page).ok());
  ASSERT_EQ(page.reservations_size(), 2);
  cv1::GetReservationRequest get;
  get.set_id("x-unswept");
  cv1::Reservation got;
  ASSERT_TRUE(catalog().GetReservation(Ctx(partner.token).get(), get, &got).ok());
  EXPECT_EQ(page.reservations(1).SerializeAsString(), got.SerializeAsString());
  EXPECT_EQ(got.state(), cv1::RESERVATION_STATE_EXPIRED);
  ASSERT_EQ(got.lines_size(), 1);
  EXPECT_EQ(got.lines(0).product_id(), product.id());
}

TEST_F(PartnerReservationsTest, ListReservationsPagesByKeysetWithoutGapsOrRepeats) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product a = OfferedProduct(world, partner, 100);
  const cv1::Product b = OfferedProduct(world, partner, 100);
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(absl::StrCat("cart-", i));
    Reserved(partner, ids.back(), {{a.id(), 1}, {b.id(), i + 1}});
  }
  EXPECT_EQ(ListAll(partner.token, "", cv1::RESERVATION_STATE_UNSPECIFIED, 3).size(), 7u);
  EXPECT_EQ(Of(partner, ListAll(partner.token, "", cv1::RESERVATION_STATE_HELD, 3)), ids);

  // Lines come back in request order, complete, on every page.
  cv1::ListReservationsResponse first, second;
  ASSERT_TRUE(List(partner.token, "", cv1::RESERVATION_STATE_HELD, 3, "", &first).ok());
  ASSERT_EQ(first.reservations_size(), 3);
  EXPECT_FALSE(first.next_page_token().empty());
  const cv1::Reservation& cart2 = first.reservations(2);
  EXPECT_EQ(cart2.id(), "cart-2");
  ASSERT_EQ(cart2.lines_size(), 2);
  EXPECT_EQ(cart2.lines(0).product_id(), a.id());
  EXPECT_EQ(cart2.lines(1).product_id(), b.id());
  EXPECT_EQ(cart2.lines(1).quantity(), 3);
  // A reservation created behind the cursor does not move the next page.
  Reserved(partner, "cart-0a", {{a.id(), 1}});
  ASSERT_TRUE(
      List(partner.token, "", cv1::RESERVATION_STATE_HELD, 3, first.next_page_token(), &second)
          .ok());
  ASSERT_EQ(second.reservations_size(), 3);
  EXPECT_EQ(second.reservations(0).id(), "cart-3");
}

TEST_F(PartnerReservationsTest, AnotherPartnersReservationsAreNeverListed) {
  const CoopWorld world = NewCoop();
  const PartnerWorld mine = NewPartner();
  const PartnerWorld theirs = NewPartner();
  const cv1::Product product = OfferedProduct(world, mine, 100);
  OfferTo(product, theirs, world.admin_token);
  // Reservation ids are per partner: both may use the same one.
  Reserved(mine, "order-1", {{product.id(), 1}});
  Reserved(mine, "order-2", {{product.id(), 1}});
  Reserved(theirs, "order-1", {{product.id(), 2}});

  const auto listed = ListAll(mine.token, "", cv1::RESERVATION_STATE_UNSPECIFIED);
  EXPECT_EQ(listed, (std::vector<std::string>{absl::StrCat(mine.partner.id(), "/order-1"),
                                              absl::StrCat(mine.partner.id(), "/order-2")}));
  EXPECT_EQ(ListAll(mine.token, mine.partner.id(), cv1::RESERVATION_STATE_UNSPECIFIED), listed);
  // Naming another partner is refused, as in CreateReservation.
  cv1::ListReservationsResponse page;
  grpc::Status s =
      List(mine.token, theirs.partner.id(), cv1::RESERVATION_STATE_UNSPECIFIED, 0, "", &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  // A page token of another partner's listing does not open it either: it is bound to the filters.
  Reserved(theirs, "order-2", {{product.id(), 1}});
  ASSERT_TRUE(List(theirs.token, "", cv1::RESERVATION_STATE_UNSPECIFIED, 1, "", &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  s = List(mine.token, "", cv1::RESERVATION_STATE_UNSPECIFIED, 1, page.next_page_token(), &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"page_token"});

  // The platform admin sees every partner's, ordered by partner then id, across pages of one.
  const auto all = ListAll(admin(), "", cv1::RESERVATION_STATE_UNSPECIFIED, 1);
  EXPECT_EQ(Of(mine, all), (std::vector<std::string>{"order-1", "order-2"}));
  EXPECT_EQ(Of(theirs, all), (std::vector<std::string>{"order-1", "order-2"}));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
  EXPECT_EQ(Of(theirs, ListAll(admin(), theirs.partner.id(), cv1::RESERVATION_STATE_UNSPECIFIED)),
            (std::vector<std::string>{"order-1", "order-2"}));
  EXPECT_TRUE(
      Of(mine, ListAll(admin(), theirs.partner.id(), cv1::RESERVATION_STATE_UNSPECIFIED)).empty());

  // Cooperative staff and members do not list reservations.
  const std::string worker = AssignedWorkerToken(world.cooperative.id());
  for (const std::string& token : {world.admin_token, world.member_token, worker}) {
    s = List(token, "", cv1::RESERVATION_STATE_UNSPECIFIED, 0, "", &page);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  }
  EXPECT_EQ(List("", "", cv1::RESERVATION_STATE_UNSPECIFIED, 0, "", &page).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(PartnerReservationsTest, BadListInputIsRefusedNamingTheField) {
  const PartnerWorld partner = NewPartner();
  struct Case {
    const char* name;
    std::function<void(cv1::ListReservationsRequest&)> mutate;
    std::vector<std::string> fields;
  };
  const std::vector<Case> cases = {
      {"negative page_size", [](auto& r) { r.set_page_size(-1); }, {"page_size"}},
      {"unknown state",
       [](auto& r) { r.set_state(static_cast<cv1::ReservationState>(99)); },
       {"state"}},
      {"malformed partner_id", [](auto& r) { r.set_partner_id("x"); }, {"partner_id"}},
      {"garbage page_token", [](auto& r) { r.set_page_token("not-a-token"); }, {"page_token"}},
      {"page_token of other filters",
       [](auto& r) { r.set_page_token(MakePageToken("x/y", "other|1")); },
       {"page_token"}},
  };
  for (const Case& c : cases) {
    cv1::ListReservationsRequest req;
    c.mutate(req);
    cv1::ListReservationsResponse out;
    grpc::Status s = catalog().ListReservations(Ctx(partner.token).get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_EQ(ViolatedFields(s), c.fields) << c.name;
  }
}

// --- INSUFFICIENT_STOCK ------------------------------------------------------------------------

TEST_F(PartnerReservationsTest, InsufficientStockTellsAProgramTheAvailableUnitsPerLine) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product two = OfferedProduct(world, partner, 2);
  const cv1::Product none = OfferedProduct(world, partner, 0);
  const cv1::Product plenty = OfferedProduct(world, partner, 10);
  Reserved(partner, "held-1", {{plenty.id(), 3}});  // plenty: 7 available

  const Lines lines = {{plenty.id(), 5}, {two.id(), 5}, {none.id(), 1}};
  cv1::Reservation r;
  grpc::Status s = Reserve(partner.token, "", "short-1", lines, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(AvailablePerLine(s, lines),
            (std::map<std::string, int64_t>{{two.id(), 2}, {none.id(), 0}}));
  EXPECT_EQ(Described(s), (std::vector<std::pair<std::string, std::string>>{
                              {two.id(), "requested 5, available 2"},
                              {none.id(), "requested 1, available 0"}}));  // request order

  // AdjustStock: removing more than is available (on hand less reserved), or than a lot holds.
  cv1::Stock stock;
  s = Adjust(world.admin_token, plenty.id(), -8, "", &stock);
  EXPECT_EQ(ErrorReason(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(ErrorMetadata(s),
            (std::map<std::string, std::string>{{absl::StrCat("available_", plenty.id()), "7"}}));
  cv1::CreateLotRequest create_lot;
  create_lot.set_request_id(NewRequestId());
  create_lot.mutable_lot()->set_product_id(plenty.id());
  create_lot.mutable_lot()->set_lot_code("L-2026-03");
  create_lot.mutable_lot()->mutable_harvest_date()->set_year(2026);
  create_lot.mutable_lot()->mutable_harvest_date()->set_month(2);
  create_lot.mutable_lot()->mutable_harvest_date()->set_day(20);
  create_lot.mutable_lot()->set_quantity(4);
  cv1::Lot lot;
  ASSERT_TRUE(catalog().CreateLot(Ctx(world.admin_token).get(), create_lot, &lot).ok());
  s = Adjust(world.admin_token, plenty.id(), -5, lot.id(), &stock);  // 11 available, lot has 4
  EXPECT_EQ(ErrorReason(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(ErrorMetadata(s),
            (std::map<std::string, std::string>{{absl::StrCat("lot_remaining_", lot.id()), "4"}}));
  cv1::GetStockRequest get_stock;
  get_stock.set_product_id(plenty.id());
  ASSERT_TRUE(catalog().GetStock(Ctx(admin()).get(), get_stock, &stock).ok());
  EXPECT_EQ(stock.on_hand(), 14);  // nothing removed
  EXPECT_EQ(stock.available(), 11);
}

// The largest refusal the contract allows (100 lines, all short, each with the most a short line
// can have available) still reaches a client with default settings, every line's number included.
TEST_F(PartnerReservationsTest, AHundredShortLinesFitTheTrailerAndAllCarryTheirNumbers) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner();
  Lines lines;
  for (int i = 0; i < 100; ++i) {
    lines.emplace_back(OfferedProduct(world, partner, 999'999).id(), 1'000'000);
  }
  cv1::Reservation r;
  grpc::Status s = Reserve(partner.token, "", "hundred", lines, &r);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_EQ(ErrorReason(s), "INSUFFICIENT_STOCK");
  const auto available = AvailablePerLine(s, lines);
  ASSERT_EQ(available.size(), 100u);
  for (const auto& [product_id, units] : available) EXPECT_EQ(units, 999'999) << product_id;
  const auto described = Described(s);
  ASSERT_EQ(described.size(), 5u);
  EXPECT_EQ(described[0].first, lines[0].first);
  // A trailer's size is the sum of its entries, each name + value + 32 bytes. gRPC core counts a
  // binary value decoded; an implementation counting it as sent (base64) must fit too.
  auto trailer_size = [&](size_t details) {
    return (11 + 1 + 32) + (12 + s.error_message().size() + 32) +
           (std::string("grpc-status-details-bin").size() + details + 32);
  };
  const size_t decoded = trailer_size(s.error_details().size());
  const size_t as_sent = trailer_size(absl::Base64Escape(s.error_details()).size());
  std::printf("100 short lines: trailer %zu bytes (%zu with base64 details), message %zu\n",
              decoded, as_sent, s.error_message().size());
  EXPECT_LE(as_sent, 8192u);
  // The count is gRPC's own: a client allowing a little less refuses this very error.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MAX_METADATA_SIZE, static_cast<int>(decoded) - 100);
  args.SetInt("cooplink.test.unique", NextSequence());
  auto strict = cv1::CatalogService::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", (*catalog_server_)->port()),
                                grpc::InsecureChannelCredentials(), args));
  cv1::CreateReservationRequest again;
  again.set_reservation_id("hundred");
  for (const auto& [product_id, quantity] : lines) {
    auto* line = again.add_lines();
    line->set_product_id(product_id);
    line->set_quantity(quantity);
  }
  s = strict->CreateReservation(Ctx(partner.token).get(), again, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

// --- Token reasons on a stream ----------------------------------------------------------------

TEST_F(PartnerReservationsTest, TheWatchStreamGivesTheTokenReasonsToo) {
  for (const auto& [token, reason] : std::vector<std::pair<std::string, std::string>>{
           {"", "TOKEN_MISSING"}, {"cl1.forged.token", "TOKEN_MALFORMED"}}) {
    auto ctx = Ctx(token);
    auto stream = catalog().WatchCatalogChanges(ctx.get(), cv1::WatchCatalogChangesRequest());
    cv1::CatalogChange change;
    EXPECT_FALSE(stream->Read(&change));
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ErrorReason(s), reason);
  }
}

}  // namespace
}  // namespace cooplink::testing
