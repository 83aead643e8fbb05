// ListOrders and ListOrdersForReconciliation through real gRPC: paging (newest first; by
// (platform_update_time, id)), page tokens bound to their filters, the filters and each caller's
// scope, and the reconciliation window's limits (positive, at most 7 days: exactly 7 is allowed).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/orders_fixture.h"

namespace cooplink::testing {
namespace {

using ov1::ORDER_STATE_PAID;
using ov1::ORDER_STATE_PENDING_PAYMENT;

constexpr int64_t kT0 = 1'780'000'000;  // a platform_update_time, in seconds
constexpr int64_t kDay = 24 * 3600;

class ReadsTest : public OrdersFixture {
 protected:
  // Every page of ListOrders as `token` with `req`'s filters, `page_size` at a time.
  std::vector<std::string> ListAll(const std::string& token, ov1::ListOrdersRequest req,
                                   int page_size, int* pages = nullptr) {
    std::vector<std::string> ids;
    req.set_page_size(page_size);
    int n = 0;
    for (;;) {
      ov1::ListOrdersResponse resp;
      grpc::Status s = orders().ListOrders(Ctx(token).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      ++n;
      EXPECT_LE(resp.orders_size(), page_size);
      for (const auto& o : resp.orders()) ids.push_back(o.id());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    if (pages != nullptr) *pages = n;
    return ids;
  }

  static ov1::ListOrdersForReconciliationRequest Window(const std::string& partner_id,
                                                        int64_t start, int64_t end) {
    ov1::ListOrdersForReconciliationRequest req;
    req.set_partner_id(partner_id);
    req.mutable_start_time()->set_seconds(start);
    req.mutable_end_time()->set_seconds(end);
    return req;
  }
  std::vector<ov1::Order> ReconcileAll(const std::string& token,
                                       ov1::ListOrdersForReconciliationRequest req, int page_size,
                                       int* pages = nullptr) {
    std::vector<ov1::Order> out;
    req.set_page_size(page_size);
    int n = 0;
    for (;;) {
      ov1::ListOrdersForReconciliationResponse resp;
      grpc::Status s = orders().ListOrdersForReconciliation(Ctx(token).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
      if (!s.ok()) break;
      ++n;
      EXPECT_LE(resp.orders_size(), page_size);
      for (const auto& o : resp.orders()) out.push_back(o);
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    if (pages != nullptr) *pages = n;
    return out;
  }
  grpc::StatusCode ReconcileCode(const std::string& token,
                                 const ov1::ListOrdersForReconciliationRequest& req) {
    ov1::ListOrdersForReconciliationResponse resp;
    return orders().ListOrdersForReconciliation(Ctx(token).get(), req, &resp).error_code();
  }
};

TEST_F(ReadsTest, ListOrdersPagesNewestFirstWithFiltersAndTokensBoundToThem) {
  SellingWorld w = NewSellingWorld(100);
  SellingWorld other = NewSellingWorld(100);
  std::vector<std::string> created, paid;
  for (int i = 0; i < 7; ++i) {
    const auto state = i % 3 == 0 ? ORDER_STATE_PENDING_PAYMENT : ORDER_STATE_PAID;
    const std::string id =
        Upsert(w, OrderRequest(w, absl::StrCat("LO-", i), 1, state)).order().id();
    created.push_back(id);
    if (state == ORDER_STATE_PAID) paid.push_back(id);
  }
  const std::string foreign =
      Upsert(other, OrderRequest(other, "LO-X", 1, ORDER_STATE_PAID)).order().id();
  const std::vector<std::string> newest_first(created.rbegin(), created.rend());
  const std::vector<std::string> paid_newest_first(paid.rbegin(), paid.rend());

  // The partner: its own orders, newest first, in pages of 3 (3 + 3 + 1).
  int pages = 0;
  EXPECT_EQ(ListAll(w.partner.token, {}, 3, &pages), newest_first);
  EXPECT_EQ(pages, 3);
  // Exactly one full page: no token after it.
  EXPECT_EQ(ListAll(w.partner.token, {}, 7, &pages), newest_first);
  EXPECT_EQ(pages, 1);
  // The state filter.
  ov1::ListOrdersRequest by_state;
  by_state.set_state(ORDER_STATE_PAID);
  EXPECT_EQ(ListAll(w.partner.token, by_state, 2), paid_newest_first);
  // The cooperative's admin, and the platform admin filtering by cooperative or partner.
  EXPECT_EQ(ListAll(w.coop.admin_token, {}, 4), newest_first);
  ov1::ListOrdersRequest by_coop;
  by_coop.set_cooperative_id(w.coop.cooperative.id());
  EXPECT_EQ(ListAll(admin(), by_coop, 5), newest_first);
  ov1::ListOrdersRequest by_partner;
  by_partner.set_partner_id(other.partner.partner.id());
  EXPECT_EQ(ListAll(admin(), by_partner, 5), std::vector<std::string>{foreign});
  // A filter outside the caller's scope matches nothing.
  EXPECT_TRUE(ListAll(w.partner.token, by_partner, 5).empty());
  EXPECT_TRUE(ListAll(other.coop.admin_token, by_coop, 5).empty());

  // A token reused with other filters, a token that is not one, a negative size: INVALID_ARGUMENT.
  ov1::ListOrdersRequest first;
  first.set_page_size(2);
  ov1::ListOrdersResponse page;
  ASSERT_TRUE(orders().ListOrders(Ctx(w.partner.token).get(), first, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  ov1::ListOrdersRequest reused = by_state;
  reused.set_page_token(page.next_page_token());
  grpc::Status s = orders().ListOrders(Ctx(w.partner.token).get(), reused, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ov1::ListOrdersRequest bogus;
  bogus.set_page_token("not-a-token");
  EXPECT_EQ(orders().ListOrders(Ctx(w.partner.token).get(), bogus, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ov1::ListOrdersRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(orders().ListOrders(Ctx(w.partner.token).get(), negative, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // The same filters continue where the first page stopped.
  ov1::ListOrdersResponse second;
  ov1::ListOrdersRequest again;
  again.set_page_size(2);
  ASSERT_TRUE(orders().ListOrders(Ctx(w.partner.token).get(), again, &page).ok());
  again.set_page_token(page.next_page_token());
  ASSERT_TRUE(orders().ListOrders(Ctx(w.partner.token).get(), again, &second).ok());
  ASSERT_EQ(second.orders_size(), 2);
  EXPECT_EQ(second.orders(0).id(), newest_first[2]);
}

TEST_F(ReadsTest, ReconciliationListsAWindowByPlatformTimeThenId) {
  SellingWorld w = NewSellingWorld(100);
  SellingWorld other = NewSellingWorld(100);
  // Platform times: the window's start, twice the same second, later, exactly 7 days on, and
  // beyond.
  struct Pushed {
    std::string external;
    int64_t time;
  };
  const std::vector<Pushed> pushes = {{"RC-start", kT0},         {"RC-same-1", kT0 + 100},
                                      {"RC-same-2", kT0 + 100},  {"RC-later", kT0 + 5000},
                                      {"RC-7d", kT0 + 7 * kDay}, {"RC-8d", kT0 + 8 * kDay},
                                      {"RC-before", kT0 - 1}};
  std::map<std::string, std::string> id_of;
  for (const auto& p : pushes) {
    id_of[p.external] =
        Upsert(w, OrderRequest(w, p.external, 1, ORDER_STATE_PAID, p.time)).order().id();
  }
  Upsert(other, OrderRequest(other, "RC-other", 1, ORDER_STATE_PAID, kT0 + 10));
  // Two orders at the same second are ordered by id.
  const bool same1_first = id_of["RC-same-1"] < id_of["RC-same-2"];
  const std::vector<std::string> expected = {
      id_of["RC-start"], same1_first ? id_of["RC-same-1"] : id_of["RC-same-2"],
      same1_first ? id_of["RC-same-2"] : id_of["RC-same-1"], id_of["RC-later"]};

  // [kT0, kT0 + 7 days): start inclusive, end exclusive; 7 days exactly is allowed.
  const auto window = Window(w.partner.partner.id(), kT0, kT0 + 7 * kDay);
  for (int size : {1, 2, 3, 50}) {
    int pages = 0;
    const auto got = ReconcileAll(admin(), window, size, &pages);
    std::vector<std::string> ids;
    for (const auto& o : got) ids.push_back(o.id());
    EXPECT_EQ(ids, expected) << "page size " << size;
    for (size_t i = 1; i < got.size(); ++i) {
      EXPECT_LE(got[i - 1].platform_update_time().seconds(),
                got[i].platform_update_time().seconds());
    }
    for (const auto& o : got) EXPECT_EQ(o.buyer().phone(), "138****5678");  // masked
  }
  // The partner for itself: with its id or none.
  auto own = window;
  own.clear_partner_id();
  EXPECT_EQ(ReconcileAll(w.partner.token, own, 10).size(), expected.size());
  EXPECT_EQ(ReconcileAll(w.partner.token, window, 10).size(), expected.size());
  // A shop filter.
  auto shop = window;
  shop.set_shop_id("shop-2");
  EXPECT_TRUE(ReconcileAll(admin(), shop, 10).empty());
  shop.set_shop_id("shop-1");
  EXPECT_EQ(ReconcileAll(admin(), shop, 10).size(), expected.size());
  // The next window starts where this one ended.
  const auto next =
      ReconcileAll(admin(), Window(w.partner.partner.id(), kT0 + 7 * kDay, kT0 + 14 * kDay), 10);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].id(), id_of["RC-7d"]);
  EXPECT_EQ(next[1].id(), id_of["RC-8d"]);

  // Another partner's orders: PERMISSION_DENIED; other roles: PERMISSION_DENIED.
  EXPECT_EQ(ReconcileCode(other.partner.token, window), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReconcileCode(w.coop.admin_token, window), grpc::StatusCode::PERMISSION_DENIED);
  // The window: positive and at most 7 days.
  EXPECT_EQ(ReconcileCode(admin(), Window(w.partner.partner.id(), kT0, kT0 + 7 * kDay + 1)),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReconcileCode(admin(), Window(w.partner.partner.id(), kT0, kT0)),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReconcileCode(admin(), Window(w.partner.partner.id(), kT0, kT0 - 1)),
            grpc::StatusCode::INVALID_ARGUMENT);
  auto no_end = window;
  no_end.clear_end_time();
  EXPECT_EQ(ReconcileCode(admin(), no_end), grpc::StatusCode::INVALID_ARGUMENT);
  auto no_start = window;
  no_start.clear_start_time();
  EXPECT_EQ(ReconcileCode(admin(), no_start), grpc::StatusCode::INVALID_ARGUMENT);
  // A platform admin must name the partner.
  EXPECT_EQ(ReconcileCode(admin(), own), grpc::StatusCode::INVALID_ARGUMENT);
  // A token reused with another window: INVALID_ARGUMENT.
  auto paged = window;
  paged.set_page_size(1);
  ov1::ListOrdersForReconciliationResponse page;
  ASSERT_TRUE(orders().ListOrdersForReconciliation(Ctx(admin()).get(), paged, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  auto moved = Window(w.partner.partner.id(), kT0 + 1, kT0 + 7 * kDay);
  moved.set_page_token(page.next_page_token());
  EXPECT_EQ(ReconcileCode(admin(), moved), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReadsTest, ALaterPushMovesAnOrderInTheReconciliationOrder) {
  SellingWorld w = NewSellingWorld(100);
  const std::string a =
      Upsert(w, OrderRequest(w, "MV-a", 1, ORDER_STATE_PENDING_PAYMENT, kT0 + 10)).order().id();
  const std::string b =
      Upsert(w, OrderRequest(w, "MV-b", 1, ORDER_STATE_PENDING_PAYMENT, kT0 + 20)).order().id();
  Upsert(w, OrderRequest(w, "MV-a", 1, ORDER_STATE_PAID, kT0 + 30));  // a paid later
  const auto got = ReconcileAll(w.partner.token, Window("", kT0, kT0 + kDay), 1);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id(), b);
  EXPECT_EQ(got[1].id(), a);
  EXPECT_EQ(got[1].platform_update_time().seconds(), kT0 + 30);
}

}  // namespace
}  // namespace cooplink::testing
