#include "services/catalog/offers_store.h"

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/status.h"

namespace cooplink::catalog {
namespace {

#define COOPLINK_OFFER_COLUMNS                                                         \
  "o.id, o.product_id, o.partner_id, o.cooperative_id, o.channel_price_fen, o.state, " \
  "o.create_time_us, o.withdraw_time_us"

constexpr const char* kSelectOffer =
    "SELECT " COOPLINK_OFFER_COLUMNS " FROM offers o WHERE o.id = ?";
constexpr const char* kSelectOfferForUpdate =
    "SELECT " COOPLINK_OFFER_COLUMNS " FROM offers o WHERE o.id = ? FOR UPDATE";
constexpr const char* kInsertOffer =
    "INSERT INTO offers (id, product_id, partner_id, cooperative_id, channel_price_fen, state, "
    "active_product_id, create_time_us, withdraw_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)";
constexpr const char* kActiveOfferExists =
    "SELECT 1 FROM offers WHERE partner_id = ? AND active_product_id = ? FOR UPDATE";
constexpr const char* kWithdrawOffer =
    "UPDATE offers SET state = ?, active_product_id = NULL, withdraw_time_us = ? WHERE id = ?";
constexpr const char* kActiveOffersOfProduct =
    "SELECT id, partner_id FROM offers WHERE product_id = ? AND state = ? ORDER BY id FOR UPDATE";
constexpr const char* kWithdrawOffersOfProduct =
    "UPDATE offers SET state = ?, active_product_id = NULL, withdraw_time_us = ? "
    "WHERE product_id = ? AND state = ?";
constexpr const char* kEligibleCounty = "SELECT 1 FROM eligible_832_counties WHERE region_code = ?";
// ListOffers: the scope and the indexed filters are appended; the state filter is switched off
// by its value (0).
constexpr const char* kListOffersHead =
    "SELECT " COOPLINK_OFFER_COLUMNS " FROM offers o WHERE o.id > ?";
constexpr const char* kScopeCooperativeIn = " AND o.cooperative_id IN ";
constexpr const char* kScopeCooperative = " AND o.cooperative_id = ?";
constexpr const char* kScopePartner = " AND o.partner_id = ?";
constexpr const char* kFilterProduct = " AND o.product_id = ?";
constexpr const char* kFilterPartner = " AND o.partner_id = ?";
constexpr const char* kListOffersTail = " AND (? = 0 OR o.state = ?) ORDER BY o.id LIMIT ?";

#undef COOPLINK_OFFER_COLUMNS

constexpr int kActive = v1::OFFER_STATE_ACTIVE;
constexpr int kWithdrawn = v1::OFFER_STATE_WITHDRAWN;

}  // namespace

void OfferFromRow(sql::ResultSet& rs, v1::Offer* out) {
  out->set_id(rs.getString("id"));
  out->set_product_id(rs.getString("product_id"));
  out->set_partner_id(rs.getString("partner_id"));
  out->set_cooperative_id(rs.getString("cooperative_id"));
  if (!rs.isNull("channel_price_fen")) {
    out->mutable_channel_price()->set_fen(rs.getInt64("channel_price_fen"));
  }
  out->set_state(static_cast<v1::OfferState>(rs.getInt("state")));
  *out->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  if (!rs.isNull("withdraw_time_us")) {
    *out->mutable_withdraw_time() = ToTimestamp(rs.getInt64("withdraw_time_us"));
  }
}

absl::Status LoadOffer(Tx& tx, const std::string& id, bool for_update, v1::Offer* out) {
  auto rs = tx.Query(for_update ? kSelectOfferForUpdate : kSelectOffer, id);
  if (!rs->next()) return NotFound("offer", id);
  OfferFromRow(*rs, out);
  return absl::OkStatus();
}

void InsertOffer(Tx& tx, const std::string& id, const v1::Product& product,
                 const std::string& partner_id, std::optional<int64_t> channel_price_fen,
                 int64_t now_us) {
  tx.ExecuteParams(kInsertOffer, {Param(id), Param(product.id()), Param(partner_id),
                                  Param(product.cooperative_id()), Param(channel_price_fen),
                                  Param(kActive), Param(product.id()), Param(now_us)});
}

bool ActiveOfferExists(Tx& tx, const std::string& partner_id, const std::string& product_id) {
  return tx.Query(kActiveOfferExists, partner_id, product_id)->next();
}

void MarkOfferWithdrawn(Tx& tx, const std::string& id, int64_t now_us) {
  tx.Execute(kWithdrawOffer, kWithdrawn, now_us, id);
}

std::vector<std::pair<std::string, std::string>> WithdrawOffersOfProduct(
    Tx& tx, const std::string& product_id, int64_t now_us) {
  std::vector<std::pair<std::string, std::string>> offers;
  {
    auto rs = tx.Query(kActiveOffersOfProduct, product_id, kActive);
    while (rs->next()) offers.emplace_back(rs->getString("id"), rs->getString("partner_id"));
  }
  if (!offers.empty())
    tx.Execute(kWithdrawOffersOfProduct, kWithdrawn, now_us, product_id, kActive);
  return offers;
}

bool Is832County(Tx& tx, const std::string& region_code) {
  return tx.Query(kEligibleCounty, region_code)->next();
}

bool ListOffersQuery(const Principal& p, const std::vector<std::string>& worker_cooperatives,
                     const OfferListFilter& f, SqlQuery* query) {
  query->sql = kListOffersHead;
  query->params = {Param(f.after)};
  if (p.is(Role::kSocialWorker)) {
    if (worker_cooperatives.empty()) return false;
    absl::StrAppend(&query->sql, kScopeCooperativeIn);
    AppendInList(worker_cooperatives, &query->sql, &query->params);
  } else if (p.is(Role::kCooperativeAdmin)) {
    absl::StrAppend(&query->sql, kScopeCooperative);
    query->params.push_back(Param(p.cooperative_id));
  } else if (p.is(Role::kPartner)) {
    absl::StrAppend(&query->sql, kScopePartner);
    query->params.push_back(Param(p.partner_id));
  }
  if (!f.product_id.empty()) {
    absl::StrAppend(&query->sql, kFilterProduct);
    query->params.push_back(Param(f.product_id));
  }
  if (!f.partner_id.empty()) {
    absl::StrAppend(&query->sql, kFilterPartner);
    query->params.push_back(Param(f.partner_id));
  }
  absl::StrAppend(&query->sql, kListOffersTail);
  const int state = static_cast<int>(f.state);
  query->params.push_back(Param(state));
  query->params.push_back(Param(state));
  query->params.push_back(Param(static_cast<int64_t>(f.limit)));
  return true;
}

}  // namespace cooplink::catalog
