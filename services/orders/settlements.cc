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

bool PaysHousehold(const v1::Settlement& s, const std::string& household_id) {
  return std::any_of(s.payouts().begin(), s.payouts().end(),
                     [&](const v1::ProducerPayout& p) { return p.household_id() == household_id; });
}

}  // namespace

absl::Status Orders::GetSettlement(const CallContext& call, const v1::GetSettlementRequest& req,
                                   v1::Settlement* out) {
  const Principal& p = call.principal();
  OrderScope scope;
  scope.principal = &p;
  if (!p.is(Role::kMember)) {
    auto resolved = ResolveOrderScope(call, *directory_);
    if (!resolved.ok()) return resolved.status();
    scope = *std::move(resolved);
  }
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
    } else if (RelationToPart(scope, s->partner_id(), s->cooperative_id()) ==
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
  std::vector<std::string> worker_cooperatives;
  if (p.is(Role::kSocialWorker)) {
    auto scope = ResolveOrderScope(call, *directory_);
    if (!scope.ok()) return scope.status();
    worker_cooperatives = scope->worker_cooperatives;
  } else if (absl::Status s = RequireRole(
                 p, {Role::kPlatformAdmin, Role::kPartner, Role::kCooperativeAdmin, Role::kMember});
             !s.ok()) {
    return s;
  }
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
  q.sql += kWhereAfter;
  q.params.push_back(page->after);
  auto add = [&q](const char* clause, const std::string& value) {
    q.sql += clause;
    q.params.push_back(value);
  };
  // The caller's scope, then the filters (a filter outside the scope matches nothing).
  if (p.is(Role::kPartner)) add(kFilterPartner, p.partner_id);
  if (p.is(Role::kCooperativeAdmin)) add(kFilterCooperative, p.cooperative_id);
  if (p.is(Role::kMember)) add(kFilterHousehold, p.household_id);
  if (p.is(Role::kSocialWorker)) {
    if (worker_cooperatives.empty()) return absl::OkStatus();
    q.sql += kFilterCooperativesIn;
    AppendInList(worker_cooperatives, &q.sql, &q.params);
  }
  if (!req.cooperative_id().empty()) add(kFilterCooperative, req.cooperative_id());
  if (!req.order_id().empty()) add(kFilterOrder, req.order_id());
  if (!req.partner_id().empty()) add(kFilterPartner, req.partner_id());
  if (!req.household_id().empty()) add(kFilterHousehold, req.household_id());
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
