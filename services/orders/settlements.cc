// Reading settlements: GetSettlement and ListSettlements, in the caller's scope (a member sees the
// settlements that pay its own household).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/paging.h"
#include "services/common/status.h"
#include "services/orders/order_access.h"
#include "services/orders/orders.h"
#include "services/orders/settlement_store.h"

namespace cooplink::orders {
namespace {

constexpr const char* kWhereAfter = " WHERE s.id > ?";
constexpr const char* kFilterCooperative = " AND s.cooperative_id = ?";
constexpr const char* kFilterCooperativesIn = " AND s.cooperative_id IN ";
constexpr const char* kFilterOrder = " AND s.order_id = ?";
constexpr const char* kFilterPartner = " AND s.partner_id = ?";
constexpr const char* kFilterHousehold =
    " AND s.id IN (SELECT settlement_id FROM settlement_payouts WHERE household_id = ?)";
constexpr const char* kOrderById = " ORDER BY s.id LIMIT ?";

// Orders' scope, plus members: a member sees the settlements that pay its own household.
absl::StatusOr<OrderScope> SettlementScope(const CallContext& call,
                                           MembershipDirectory& directory) {
  if (!call.principal().is(Role::kMember)) return ResolveOrderScope(call, directory);
  OrderScope scope;
  scope.principal = &call.principal();
  return scope;
}

bool PaysHousehold(const v1::Settlement& s, const std::string& household_id) {
  return std::any_of(s.payouts().begin(), s.payouts().end(),
                     [&](const v1::ProducerPayout& p) { return p.household_id() == household_id; });
}

}  // namespace

absl::Status Orders::GetSettlement(const CallContext& call, const v1::GetSettlementRequest& req,
                                   v1::Settlement* out) {
  const Principal& p = call.principal();
  absl::StatusOr<OrderScope> scope = SettlementScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::optional<v1::Settlement> s = LoadSettlement(tx, req.id());
    if (!s) return NotFound("settlement", req.id());
    if (p.is(Role::kMember)) {
      if (p.household_id.empty() || !PaysHousehold(*s, p.household_id)) {
        return NotFound("settlement", req.id());
      }
    } else if (RelationToPart(*scope, s->partner_id(), s->cooperative_id()) ==
               OrderRelation::kNone) {
      return NotFound("settlement", req.id());
    }
    *out = *std::move(s);
    return absl::OkStatus();
  });
}

absl::Status Orders::ListSettlements(const CallContext& call, const v1::ListSettlementsRequest& req,
                                     v1::ListSettlementsResponse* out) {
  const Principal& p = call.principal();
  absl::StatusOr<OrderScope> scope = SettlementScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  if (!req.cooperative_id().empty()) CheckId(v, "cooperative_id", req.cooperative_id());
  if (!req.order_id().empty()) CheckId(v, "order_id", req.order_id());
  if (!req.partner_id().empty()) CheckId(v, "partner_id", req.partner_id());
  if (!req.household_id().empty()) CheckId(v, "household_id", req.household_id());
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat("settlements|", req.cooperative_id(), "|", req.order_id(), "|", req.partner_id(),
                   "|", req.household_id());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();

  SqlQuery q{kSettlementListHead, {}};
  q.Add(kWhereAfter, page->after);
  // The caller's scope, then the filters (a filter outside the scope matches nothing).
  if (!AppendPartScope(*scope, {kFilterPartner, kFilterCooperative, kFilterCooperativesIn}, &q)) {
    return absl::OkStatus();
  }
  if (p.is(Role::kMember)) q.Add(kFilterHousehold, p.household_id);
  if (!req.cooperative_id().empty()) q.Add(kFilterCooperative, req.cooperative_id());
  if (!req.order_id().empty()) q.Add(kFilterOrder, req.order_id());
  if (!req.partner_id().empty()) q.Add(kFilterPartner, req.partner_id());
  if (!req.household_id().empty()) q.Add(kFilterHousehold, req.household_id());
  q.sql += kOrderById;
  q.params.emplace_back(std::in_place_type<int64_t>, page->size + 1);
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::Settlement> rows = LoadSettlementList(tx, q);
    out->set_next_page_token(
        TrimToPage(rows, *page, filters, [](const v1::Settlement& s) { return s.id(); }));
    for (v1::Settlement& s : rows) *out->add_settlements() = std::move(s);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::orders
