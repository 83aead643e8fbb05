// UpsertPartnerOrder: a platform order recorded exactly once, then its stock step.
//
// Order of work: role, idempotency key, validation; a replay answers from the stored reply before
// anything is sent anywhere; then, outside any transaction, what is stored for (partner, shop,
// external order id) and, for a new order or new lines, the products' facts from catalog (offered
// to the partner, cooperative, household, channel price). One RunIdempotent transaction then
// locks the order (or inserts it), applies the reported state along the legal transitions only,
// and appends the events. The stock step that became due (reserve, commit, release) runs after
// it commits (stock_saga.cc), and the final reply replaces the stored one.
//
// Concurrent first sightings of one platform order race to insert; the unique key lets one win and
// the others run again, now finding the order (UNCHANGED, or UPDATED by a newer push).
#include <map>

#include "absl/strings/str_cat.h"
#include "services/common/db_errors.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/log.h"
#include "services/common/status.h"
#include "services/orders/lifecycle.h"
#include "services/orders/order_input_rules.h"
#include "services/orders/orders.h"
#include "services/orders/stock_rules.h"

namespace cooplink::orders {
namespace {

constexpr char kMethod[] = "UpsertPartnerOrder";
// First sightings that lose the insert race run again; more than this many losses in a row
// means something else is wrong.
constexpr int kMaxRounds = 4;

std::string Seal(const PiiCipher& cipher, const std::string& value, const char* context) {
  return value.empty() ? std::string() : cipher.Encrypt(value, context);
}

// The reported fields the service keeps, onto the row (not the state, lines or stock).
void ApplyReported(const v1::UpsertPartnerOrderRequest& req, const PiiCipher& cipher,
                   OrderRow& row) {
  const v1::Order& o = req.order();
  row.partner_status = Trimmed(o.partner_status());
  row.platform_create_us = TimestampMicros(o.platform_create_time());
  row.platform_update_us = TimestampMicros(o.platform_update_time());
  if (o.has_pay_time()) row.pay_us = TimestampMicros(o.pay_time());
  const v1::BuyerContact& b = o.buyer();
  const std::string name = Trimmed(b.name()), phone = Trimmed(b.phone());
  row.buyer_name_sealed = Seal(cipher, name, kBuyerNameContext);
  row.buyer_phone_sealed = Seal(cipher, phone, kBuyerPhoneContext);
  row.buyer_address_sealed = Seal(cipher, Trimmed(b.address()), kBuyerAddressContext);
  row.buyer_contact_ref_sealed =
      Seal(cipher, Trimmed(b.platform_contact_ref()), kBuyerContactRefContext);
  row.buyer_name_masked = MaskName(name);
  row.buyer_phone_masked = MaskPhone(phone);
  row.buyer_region_code = b.region_code();
  row.shipping_fee_fen = o.shipping_fee().fen();
  row.shipping_held = o.shipping_held();
  row.content_hash = ContentFingerprint(req);
}

// The lines as reported, with what catalog says about each product.
void ApplyLines(const v1::Order& o, const std::map<std::string, ProductFacts>& facts,
                OrderRow& row) {
  row.lines.clear();
  row.goods_total_fen = 0;
  for (const v1::OrderLine& l : o.lines()) {
    const ProductFacts& f = facts.at(l.product_id());
    LineRow line;
    line.external_line_id = Trimmed(l.external_line_id());
    line.product_id = l.product_id();
    line.cooperative_id = f.cooperative_id;
    line.household_id = f.household_id;
    line.quantity = l.quantity();
    line.unit_price_fen = l.unit_price().fen();
    line.line_total_fen = l.line_total().fen();
    line.price_mismatch = l.unit_price().fen() != f.channel_price_fen;
    line.unit_weight_grams = f.unit_weight_grams;
    row.goods_total_fen += line.line_total_fen;
    row.lines.push_back(std::move(line));
  }
  row.lines_hash = LinesFingerprint(o);
}

// Every product of the order offered to the partner (FAILED_PRECONDITION PRODUCT_NOT_OFFERED
// naming the first that is not), by product id.
absl::StatusOr<std::map<std::string, ProductFacts>> LoadFacts(const CallContext& call,
                                                              CatalogGateway& catalog,
                                                              const std::string& partner_id,
                                                              const v1::Order& order) {
  std::vector<std::string> ids;
  for (const auto& [product_id, quantity] : QuantitiesByProduct(order)) ids.push_back(product_id);
  absl::StatusOr<std::vector<ProductFacts>> facts = catalog.LookupProducts(call, partner_id, ids);
  if (!facts.ok()) return facts.status();
  std::map<std::string, ProductFacts> by_id;
  for (ProductFacts& f : *facts) {
    if (!f.offered) {
      return FailedPrecondition(
          "PRODUCT_NOT_OFFERED",
          absl::StrCat("product ", f.product_id, " has no ACTIVE offer to the partner"),
          {{"product_id", f.product_id}});
    }
    std::string id = f.product_id;
    by_id.emplace(std::move(id), std::move(f));
  }
  return by_id;
}

// A reservation the partner made at checkout: HELD, its own, for exactly the order's quantities.
absl::Status CheckPartnerReservation(const CallContext& call, CatalogGateway& catalog,
                                     const std::string& partner_id, const v1::Order& order) {
  absl::StatusOr<catalog::v1::Reservation> r = catalog.GetReservation(call, order.reservation_id());
  if (r.status().code() == absl::StatusCode::kNotFound) {
    return FailedPrecondition("RESERVATION_MISMATCH", "order.reservation_id is not a reservation");
  }
  if (!r.ok()) return r.status();
  std::map<std::string, int64_t> want, held;
  for (const auto& [product, quantity] : QuantitiesByProduct(order)) want[product] = quantity;
  for (const auto& line : r->lines()) held[line.product_id()] += line.quantity();
  if (r->partner_id() != partner_id || r->state() != catalog::v1::RESERVATION_STATE_HELD ||
      want != held) {
    return FailedPrecondition("RESERVATION_MISMATCH",
                              "order.reservation_id must be the partner's HELD reservation of "
                              "exactly the order's products and quantities");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Orders::UpsertPartnerOrder(const CallContext& call,
                                        const v1::UpsertPartnerOrderRequest& req,
                                        v1::UpsertPartnerOrderResponse* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  absl::StatusOr<IdempotencyKey> key = MakeIdempotencyKey(p, kMethod, req);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidateUpsert(req); !s.ok()) return s;
  const v1::Order& order = req.order();
  std::string partner_id = order.partner_id();
  if (p.is(Role::kPartner)) {
    if (!partner_id.empty() && partner_id != p.partner_id) {
      return PermissionDenied("ROLE_NOT_ALLOWED", "a partner records its own orders only");
    }
    partner_id = p.partner_id;
  } else if (!LooksLikeId(partner_id)) {
    return InvalidField("order.partner_id", "required for a platform admin: the partner's id");
  }
  absl::StatusOr<bool> seen = ReplayIfSeen(*db_, *key, out);
  if (!seen.ok() || *seen) return seen.status();

  const std::string shop = Trimmed(order.shop_id());
  const std::string external = Trimmed(order.external_order_id());
  const std::string lines_hash = LinesFingerprint(order);
  const int64_t reported_us = TimestampMicros(order.platform_update_time());
  OrderRow after;
  for (int round = 1;; ++round) {
    std::optional<OrderRow> stored;
    if (absl::Status s = db_->Read([&](Tx& tx) {
          stored = LoadOrderByExternal(tx, partner_id, shop, external, /*for_update=*/false);
          return absl::OkStatus();
        });
        !s.ok()) {
      return s;
    }
    const bool fresh = !stored || reported_us >= stored->platform_update_us;
    const bool new_lines = !stored || (stored->lines_hash != lines_hash &&
                                       stored->state == v1::ORDER_STATE_PENDING_PAYMENT && fresh);
    std::map<std::string, ProductFacts> facts;
    if (new_lines) {
      auto loaded = LoadFacts(call, *catalog_, partner_id, order);
      if (!loaded.ok()) return loaded.status();
      facts = *std::move(loaded);
    }
    const bool partner_reservation = !stored && !order.reservation_id().empty();
    if (partner_reservation) {
      if (absl::Status s = CheckPartnerReservation(call, *catalog_, partner_id, order); !s.ok()) {
        return s;
      }
    }
    SettlementTerms terms;
    const bool may_complete =
        stored && fresh && req.reported_state() == v1::ORDER_STATE_COMPLETED &&
        (stored->state == v1::ORDER_STATE_SHIPPED || stored->state == v1::ORDER_STATE_DELIVERED);
    if (may_complete) {
      auto loaded = LoadSettlementTerms(call, *directory_, partner_id, stored->Cooperatives());
      if (!loaded.ok()) return loaded.status();
      terms = *std::move(loaded);
    }

    bool again = false;
    absl::Status status = RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
      again = false;
      const absl::Time now = clock_->Now();
      const int64_t now_us = ToMicros(now);
      // A known order is locked; an unknown one is inserted without a locking read first (a
      // locking read of a missing key takes gap locks that deadlock concurrent first sightings):
      // the unique key decides which concurrent insert wins.
      std::optional<OrderRow> row =
          LoadOrderByExternal(tx, partner_id, shop, external, /*for_update=*/stored.has_value());
      if (!stored && row) row = LoadOrderByExternal(tx, partner_id, shop, external, true);
      ChangedParts changed;
      if (!row) {
        if (stored) return absl::InternalError("a recorded order disappeared");
        OrderRow r;
        r.id = NewId(now);
        r.partner_id = partner_id;
        r.shop_id = shop;
        r.external_order_id = external;
        r.create_us = r.update_us = now_us;
        ApplyReported(req, *cipher_, r);
        ApplyLines(order, facts, r);
        auto plan = PlanReportedState(v1::ORDER_STATE_UNSPECIFIED, req.reported_state(), {});
        if (!plan.ok()) return plan.status();
        r.state = v1::ORDER_STATE_PENDING_PAYMENT;
        if (plan->next == v1::ORDER_STATE_CANCELLED) {
          r.stock_status = v1::ORDER_STOCK_STATUS_RELEASED;  // closed unpaid: nothing to hold
        } else if (partner_reservation) {
          r.reservation_id = order.reservation_id();
          r.reservation_from_partner = true;
          r.stock_status = v1::ORDER_STOCK_STATUS_RESERVED;
        } else {
          r.stock_attempt = 1;
          r.stock_status = v1::ORDER_STOCK_STATUS_PENDING;
        }
        if (plan->next == v1::ORDER_STATE_PAID) {
          PayOrder(tx, r, r.pay_us.value_or(now_us), now_us, &changed, /*new_order=*/true);
        } else if (plan->next == v1::ORDER_STATE_CANCELLED) {
          CancelOrderRow(tx, r, absl::StrCat("closed on the platform: ", r.partner_status), now_us,
                         &changed,
                         /*new_order=*/true);
        }
        if (NextStockStep(r.state, r.stock_status) != StockStep::kNone) {
          r.stock_due_us = ToMicros(now + settings_.stock_step_grace);
        }
        try {
          InsertOrder(tx, r);
        } catch (const sql::SQLException& e) {
          if (e.getErrorCode() != kMysqlErrDupEntry) throw;
          again = true;  // a concurrent first sighting won: run again and find its order
          return absl::AbortedError("the order was recorded concurrently");
        }
        out->set_outcome(v1::UPSERT_OUTCOME_CREATED);
        after = r;
        if (absl::Status s = AppendStepEvents(tx, r, /*created=*/true, changed, *cipher_, now);
            !s.ok()) {
          return s;
        }
        return OrderToProto(r, BuyerView::kMasked, *cipher_, out->mutable_order());
      }

      OrderRow& r = *row;
      if (reported_us < r.platform_update_us) {
        out->set_outcome(v1::UPSERT_OUTCOME_STALE_IGNORED);
        after = r;
        return OrderToProto(r, BuyerView::kMasked, *cipher_, out->mutable_order());
      }
      if (r.content_hash == ContentFingerprint(req)) {
        out->set_outcome(v1::UPSERT_OUTCOME_UNCHANGED);
        after = r;
        return OrderToProto(r, BuyerView::kMasked, *cipher_, out->mutable_order());
      }
      const bool lines_changed = r.lines_hash != lines_hash;
      if (lines_changed) {
        if (r.state != v1::ORDER_STATE_PENDING_PAYMENT) {
          return FailedPrecondition("ORDER_LINES_IMMUTABLE",
                                    "an order's lines cannot change once it is PAID");
        }
        if (facts.empty()) {
          again = true;  // the lines changed after the facts were read: read them again
          return absl::AbortedError("the order's lines changed concurrently");
        }
      }
      OrderFacts order_facts;
      order_facts.open_after_sales = HasOpenAfterSales(tx, r.id);
      auto plan = PlanReportedState(r.state, req.reported_state(), order_facts);
      if (!plan.ok()) return plan.status();
      ApplyReported(req, *cipher_, r);
      r.update_us = now_us;
      if (lines_changed) {
        ApplyLines(order, facts, r);
        // The old hold no longer matches: a new attempt reserves the new lines; the old hold is
        // released by the orphan job (ReleaseOrphanReservations), as no order stands behind it.
        if (r.stock_status != v1::ORDER_STOCK_STATUS_COMMITTED) {
          r.reservation_id.clear();
          r.reservation_from_partner = false;
          r.stock_attempt += 1;
          r.stock_status = v1::ORDER_STOCK_STATUS_PENDING;
        }
      }
      if (plan->pay) PayOrder(tx, r, r.pay_us.value_or(now_us), now_us, &changed);
      if (plan->cancel) {
        CancelOrderRow(tx, r, absl::StrCat("closed on the platform: ", r.partner_status), now_us,
                       &changed);
      }
      if (plan->deliver_all) {
        if (absl::Status s = DeliverAll(tx, r, reported_us, settings_.completion, now_us, &changed);
            !s.ok()) {
          return s;
        }
      }
      if (plan->complete) {
        if (!may_complete) {
          again = true;  // the order reached a completable state after the terms were read
          return absl::AbortedError("the order's state changed concurrently");
        }
        if (absl::Status s = CompleteAndSettle(tx, r, terms, now_us, &changed); !s.ok()) return s;
      }
      if (plan->refund_everything) {
        if (absl::Status s = RefundEverything(tx, r, now_us, &changed); !s.ok()) return s;
      }
      if (!plan->not_applied.ok()) {
        LogInfo("reported state not applied", {{"order_id", r.id},
                                               {"reason", ReasonOf(plan->not_applied)},
                                               {"trace_id", call.trace_id()}});
      }
      const StockStep step = NextStockStep(r.state, r.stock_status);
      r.stock_due_us.reset();
      if (step != StockStep::kNone) r.stock_due_us = ToMicros(now + settings_.stock_step_grace);
      UpdateOrder(tx, r, lines_changed);
      out->set_outcome(v1::UPSERT_OUTCOME_UPDATED);
      after = r;
      if (absl::Status s = AppendStepEvents(tx, r, /*created=*/false, changed, *cipher_, now);
          !s.ok()) {
        return s;
      }
      return OrderToProto(r, BuyerView::kMasked, *cipher_, out->mutable_order());
    });
    if (again && round < kMaxRounds) continue;
    if (!status.ok()) return status;
    break;
  }

  // The stock step, after the order is recorded; then the reply the caller gets is the one a
  // retry replays.
  if (NextStockStep(after.state, after.stock_status) == StockStep::kNone) return absl::OkStatus();
  absl::StatusOr<OrderRow> advanced = AdvanceStock(call, after.id, after);
  if (!advanced.ok()) {
    // The order is recorded and its step stays due for the recovery job: the reply stands.
    LogWarn("stock step left to the recovery job",
            {{"order_id", after.id}, {"error", advanced.status().ToString()}});
    return absl::OkStatus();
  }
  if (absl::Status s = OrderToProto(*advanced, BuyerView::kMasked, *cipher_, out->mutable_order());
      !s.ok()) {
    return s;
  }
  return db_->Transact([&](Tx& tx) {
    StoreReply(tx, *key, *out);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::orders
