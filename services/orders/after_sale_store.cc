#include "services/orders/after_sale_store.h"

#include "absl/container/flat_hash_map.h"
#include "services/common/fields.h"

namespace cooplink::orders {
namespace {

#define COOPLINK_AFTER_SALE_COLUMNS                                                        \
  "a.id, a.order_id, a.partner_id, a.cooperative_id, a.external_after_sale_id, a.kind, "   \
  "a.refund_total_fen, a.reason, a.state, a.reject_reason, a.close_reason, a.decided_by, " \
  "a.restock_state, a.create_time_us, a.update_time_us"

constexpr const char* kInsertAfterSale =
    "INSERT INTO after_sales (id, order_id, partner_id, cooperative_id, external_after_sale_id, "
    "kind, refund_total_fen, reason, state, reject_reason, close_reason, decided_by, "
    "restock_state, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertLine =
    "INSERT INTO after_sale_lines (after_sale_id, line_no, external_line_id, quantity, "
    "refund_fen) VALUES (?, ?, ?, ?, ?)";
constexpr const char* kSelectAfterSale =
    "SELECT " COOPLINK_AFTER_SALE_COLUMNS " FROM after_sales a WHERE a.id = ?";
constexpr const char* kSelectAfterSaleForUpdate =
    "SELECT " COOPLINK_AFTER_SALE_COLUMNS " FROM after_sales a WHERE a.id = ? FOR UPDATE";
constexpr const char* kSelectOrderAfterSales =
    "SELECT " COOPLINK_AFTER_SALE_COLUMNS " FROM after_sales a WHERE a.order_id = ? ORDER BY a.id";
constexpr const char* kListHead = "SELECT " COOPLINK_AFTER_SALE_COLUMNS " FROM after_sales a";
#undef COOPLINK_AFTER_SALE_COLUMNS
constexpr const char* kSelectLinesHead =
    "SELECT after_sale_id, external_line_id, quantity, refund_fen FROM after_sale_lines "
    "WHERE after_sale_id IN ";
constexpr const char* kSelectLinesTail = " ORDER BY after_sale_id, line_no";
constexpr const char* kUpdateAfterSale =
    "UPDATE after_sales SET state = ?, reject_reason = ?, close_reason = ?, decided_by = ?, "
    "restock_state = ?, update_time_us = ? WHERE id = ?";
constexpr const char* kExternalExists =
    "SELECT 1 FROM after_sales WHERE order_id = ? AND external_after_sale_id = ?";
constexpr const char* kRestockState = "SELECT restock_state FROM after_sales WHERE id = ?";
constexpr const char* kRestockDueIds =
    "SELECT id FROM after_sales WHERE restock_state = ? ORDER BY id LIMIT ?";

v1::AfterSale AfterSaleFrom(sql::ResultSet& rs) {
  v1::AfterSale a;
  a.set_id(rs.getString("id"));
  a.set_order_id(rs.getString("order_id"));
  a.set_partner_id(rs.getString("partner_id"));
  a.set_cooperative_id(rs.getString("cooperative_id"));
  if (!rs.isNull("external_after_sale_id")) {
    a.set_external_after_sale_id(rs.getString("external_after_sale_id"));
  }
  a.set_kind(static_cast<v1::AfterSaleKind>(rs.getInt("kind")));
  a.mutable_refund_total()->set_fen(rs.getInt64("refund_total_fen"));
  a.set_reason(rs.getString("reason"));
  a.set_state(static_cast<v1::AfterSaleState>(rs.getInt("state")));
  a.set_reject_reason(rs.getString("reject_reason"));
  a.set_close_reason(rs.getString("close_reason"));
  a.set_decided_by(rs.getString("decided_by"));
  a.set_restocked(rs.getInt("restock_state") == kRestockDone);
  *a.mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *a.mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
  return a;
}

std::vector<v1::AfterSale> LoadWithLines(Tx& tx, const std::string& sql,
                                         const std::vector<SqlParam>& params) {
  std::vector<v1::AfterSale> out;
  {
    auto rs = tx.QueryParams(sql, params);
    while (rs->next()) out.push_back(AfterSaleFrom(*rs));
  }
  if (out.empty()) return out;
  absl::flat_hash_map<std::string, size_t> at;
  std::vector<std::string> ids;
  for (size_t i = 0; i < out.size(); ++i) {
    at.emplace(out[i].id(), i);
    ids.push_back(out[i].id());
  }
  SqlQuery lines{kSelectLinesHead, {}};
  AppendInList(ids, &lines.sql, &lines.params);
  lines.sql += kSelectLinesTail;
  auto rs = tx.QueryParams(lines.sql, lines.params);
  while (rs->next()) {
    auto it = at.find(std::string(rs->getString("after_sale_id")));
    if (it == at.end()) continue;
    v1::AfterSaleLine* l = out[it->second].add_lines();
    l->set_external_line_id(rs->getString("external_line_id"));
    l->set_quantity(rs->getInt64("quantity"));
    l->mutable_refund()->set_fen(rs->getInt64("refund_fen"));
  }
  return out;
}

}  // namespace

const char* const kAfterSaleListHead = kListHead;

void InsertAfterSale(Tx& tx, const v1::AfterSale& a, int restock_state) {
  std::optional<std::string> external;
  if (!a.external_after_sale_id().empty()) external = a.external_after_sale_id();
  tx.Execute(kInsertAfterSale, a.id(), a.order_id(), a.partner_id(), a.cooperative_id(), external,
             static_cast<int>(a.kind()), a.refund_total().fen(), a.reason(),
             static_cast<int>(a.state()), a.reject_reason(), a.close_reason(), a.decided_by(),
             restock_state, TimestampMicros(a.create_time()), TimestampMicros(a.update_time()));
  for (int i = 0; i < a.lines_size(); ++i) {
    tx.Execute(kInsertLine, a.id(), i, a.lines(i).external_line_id(), a.lines(i).quantity(),
               a.lines(i).refund().fen());
  }
}

std::optional<v1::AfterSale> LoadAfterSale(Tx& tx, const std::string& id, bool for_update) {
  auto found = LoadWithLines(tx, for_update ? kSelectAfterSaleForUpdate : kSelectAfterSale, {id});
  if (found.empty()) return std::nullopt;
  return std::move(found[0]);
}

std::vector<v1::AfterSale> LoadOrderAfterSales(Tx& tx, const std::string& order_id) {
  return LoadWithLines(tx, kSelectOrderAfterSales, {order_id});
}

void UpdateAfterSale(Tx& tx, const v1::AfterSale& a, int restock_state) {
  tx.Execute(kUpdateAfterSale, static_cast<int>(a.state()), a.reject_reason(), a.close_reason(),
             a.decided_by(), restock_state, TimestampMicros(a.update_time()), a.id());
}

bool ExternalAfterSaleExists(Tx& tx, const std::string& order_id, const std::string& external_id) {
  return tx.Query(kExternalExists, order_id, external_id)->next();
}

int RestockState(Tx& tx, const std::string& id) {
  auto rs = tx.Query(kRestockState, id);
  return rs->next() ? rs->getInt("restock_state") : kRestockNone;
}

std::vector<std::string> AfterSalesWithRestockDue(Tx& tx, int limit) {
  std::vector<std::string> ids;
  auto rs = tx.Query(kRestockDueIds, kRestockDue, static_cast<int64_t>(limit));
  while (rs->next()) ids.push_back(rs->getString("id"));
  return ids;
}

std::vector<v1::AfterSale> LoadAfterSaleList(Tx& tx, const SqlQuery& query) {
  return LoadWithLines(tx, query.sql, query.params);
}

}  // namespace cooplink::orders
