#include "services/orders/settlement_store.h"

#include "absl/container/flat_hash_map.h"
#include "services/common/fields.h"

namespace cooplink::orders {
namespace {

#define COOPLINK_SETTLEMENT_COLUMNS                                                        \
  "s.id, s.order_id, s.cooperative_id, s.partner_id, s.gross_fen, s.commission_rate_bps, " \
  "s.partner_commission_fen, s.service_fee_bps, s.service_fee_fen, s.producer_total_fen, " \
  "s.reversed_settlement_id, s.after_sale_id, s.create_time_us"

constexpr const char* kInsertSettlement =
    "INSERT INTO settlements (id, order_id, cooperative_id, partner_id, gross_fen, "
    "commission_rate_bps, partner_commission_fen, service_fee_bps, service_fee_fen, "
    "producer_total_fen, reversed_settlement_id, after_sale_id, create_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertPayout =
    "INSERT INTO settlement_payouts (settlement_id, household_id, gross_fen, amount_fen) "
    "VALUES (?, ?, ?, ?)";
constexpr const char* kSelectSettlement =
    "SELECT " COOPLINK_SETTLEMENT_COLUMNS " FROM settlements s WHERE s.id = ?";
constexpr const char* kSelectOrderSettlements =
    "SELECT " COOPLINK_SETTLEMENT_COLUMNS
    " FROM settlements s WHERE s.order_id = ? AND s.cooperative_id = ? ORDER BY s.id";
constexpr const char* kListHead = "SELECT " COOPLINK_SETTLEMENT_COLUMNS " FROM settlements s";
constexpr const char* kSelectPayoutsHead =
    "SELECT settlement_id, household_id, gross_fen, amount_fen FROM settlement_payouts "
    "WHERE settlement_id IN ";
constexpr const char* kSelectPayoutsTail = " ORDER BY settlement_id, household_id";
constexpr const char* kCompletedRefunds =
    "SELECT l.external_line_id, SUM(l.refund_fen) AS refunded FROM after_sales a "
    "JOIN after_sale_lines l ON l.after_sale_id = a.id "
    "WHERE a.order_id = ? AND a.state = ? GROUP BY l.external_line_id";

#undef COOPLINK_SETTLEMENT_COLUMNS

constexpr int kCompleted = v1::AFTER_SALE_STATE_COMPLETED;

v1::Settlement SettlementFrom(sql::ResultSet& rs) {
  v1::Settlement s;
  s.set_id(rs.getString("id"));
  s.set_order_id(rs.getString("order_id"));
  s.set_cooperative_id(rs.getString("cooperative_id"));
  s.set_partner_id(rs.getString("partner_id"));
  s.mutable_gross()->set_fen(rs.getInt64("gross_fen"));
  s.set_commission_rate_bps(rs.getInt("commission_rate_bps"));
  s.mutable_partner_commission()->set_fen(rs.getInt64("partner_commission_fen"));
  s.set_service_fee_bps(rs.getInt("service_fee_bps"));
  s.mutable_cooperative_service_fee()->set_fen(rs.getInt64("service_fee_fen"));
  s.mutable_producer_total()->set_fen(rs.getInt64("producer_total_fen"));
  s.set_reversed_settlement_id(rs.getString("reversed_settlement_id"));
  s.set_after_sale_id(rs.getString("after_sale_id"));
  *s.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  return s;
}

// Reads the statement's settlements, then their payouts in one more statement.
std::vector<v1::Settlement> LoadWithPayouts(Tx& tx, const std::string& sql,
                                            const std::vector<SqlParam>& params) {
  std::vector<v1::Settlement> out;
  {
    auto rs = tx.QueryParams(sql, params);
    while (rs->next()) out.push_back(SettlementFrom(*rs));
  }
  if (out.empty()) return out;
  absl::flat_hash_map<std::string, size_t> at;
  std::vector<std::string> ids;
  for (size_t i = 0; i < out.size(); ++i) {
    at.emplace(out[i].id(), i);
    ids.push_back(out[i].id());
  }
  SqlQuery payouts{kSelectPayoutsHead, {}};
  AppendInList(ids, &payouts.sql, &payouts.params);
  payouts.sql += kSelectPayoutsTail;
  auto rs = tx.QueryParams(payouts.sql, payouts.params);
  while (rs->next()) {
    auto it = at.find(std::string(rs->getString("settlement_id")));
    if (it == at.end()) continue;
    v1::ProducerPayout* p = out[it->second].add_payouts();
    p->set_household_id(rs->getString("household_id"));
    p->mutable_gross()->set_fen(rs->getInt64("gross_fen"));
    p->mutable_amount()->set_fen(rs->getInt64("amount_fen"));
  }
  return out;
}

}  // namespace

const char* const kSettlementListHead = kListHead;

v1::Settlement SettlementOf(const SettlementAmounts& a, const SettlementRates& rates) {
  v1::Settlement s;
  s.mutable_gross()->set_fen(a.gross_fen);
  s.set_commission_rate_bps(rates.commission_bps);
  s.mutable_partner_commission()->set_fen(a.partner_commission_fen);
  s.set_service_fee_bps(rates.service_fee_bps);
  s.mutable_cooperative_service_fee()->set_fen(a.service_fee_fen);
  s.mutable_producer_total()->set_fen(a.producer_total_fen);
  for (const HouseholdPayout& h : a.payouts) {
    v1::ProducerPayout* p = s.add_payouts();
    p->set_household_id(h.household_id);
    p->mutable_gross()->set_fen(h.gross_fen);
    p->mutable_amount()->set_fen(h.amount_fen);
  }
  return s;
}

SettlementAmounts AmountsOf(const v1::Settlement& s) {
  SettlementAmounts a;
  a.gross_fen = s.gross().fen();
  a.partner_commission_fen = s.partner_commission().fen();
  a.service_fee_fen = s.cooperative_service_fee().fen();
  a.producer_total_fen = s.producer_total().fen();
  for (const v1::ProducerPayout& p : s.payouts()) {
    a.payouts.push_back({p.household_id(), p.gross().fen(), p.amount().fen()});
  }
  return a;
}

void InsertSettlement(Tx& tx, const v1::Settlement& s) {
  const int64_t create_us = TimestampMicros(s.create_time());
  tx.Execute(kInsertSettlement, s.id(), s.order_id(), s.cooperative_id(), s.partner_id(),
             s.gross().fen(), s.commission_rate_bps(), s.partner_commission().fen(),
             s.service_fee_bps(), s.cooperative_service_fee().fen(), s.producer_total().fen(),
             s.reversed_settlement_id(), s.after_sale_id(), create_us);
  for (const v1::ProducerPayout& p : s.payouts()) {
    tx.Execute(kInsertPayout, s.id(), p.household_id(), p.gross().fen(), p.amount().fen());
  }
}

std::optional<v1::Settlement> LoadSettlement(Tx& tx, const std::string& id) {
  std::vector<v1::Settlement> found = LoadWithPayouts(tx, kSelectSettlement, {id});
  if (found.empty()) return std::nullopt;
  return std::move(found[0]);
}

std::vector<v1::Settlement> LoadOrderSettlements(Tx& tx, const std::string& order_id,
                                                 const std::string& cooperative_id) {
  return LoadWithPayouts(tx, kSelectOrderSettlements, {order_id, cooperative_id});
}

std::map<std::string, int64_t> CompletedRefundsByLine(Tx& tx, const std::string& order_id) {
  std::map<std::string, int64_t> out;
  auto rs = tx.Query(kCompletedRefunds, order_id, kCompleted);
  while (rs->next()) out[rs->getString("external_line_id")] = rs->getInt64("refunded");
  return out;
}

std::vector<v1::Settlement> LoadSettlementList(Tx& tx, const SqlQuery& query) {
  return LoadWithPayouts(tx, query.sql, query.params);
}

}  // namespace cooplink::orders
