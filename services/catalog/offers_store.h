// Storage of offers: the SQL (named constants in offers_store.cc), the one row mapping of an offer
// (OfferFromRow, also used by the change feed) and the 832 county list. Functions taking Tx& run
// inside the caller's transaction and may throw sql::SQLException (mapped by Database).
#ifndef COOPLINK_SERVICES_CATALOG_OFFERS_STORE_H_
#define COOPLINK_SERVICES_CATALOG_OFFERS_STORE_H_

#include <cppconn/resultset.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/paging.h"
#include "services/common/sql_shapes.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// Maps a row with the columns id, product_id, partner_id, cooperative_id, channel_price_fen,
// state, create_time_us, withdraw_time_us.
void OfferFromRow(sql::ResultSet& rs, v1::Offer* out);
// Loads one offer (optionally FOR UPDATE); NOT_FOUND when absent.
absl::Status LoadOffer(Tx& tx, const std::string& id, bool for_update, v1::Offer* out);
// Inserts an ACTIVE offer of `product` to `partner_id`.
void InsertOffer(Tx& tx, const std::string& id, const v1::Product& product,
                 const std::string& partner_id, std::optional<int64_t> channel_price_fen,
                 int64_t now_us);
// Whether the partner already holds an ACTIVE offer of the product (locks the index entry).
bool ActiveOfferExists(Tx& tx, const std::string& partner_id, const std::string& product_id);
void MarkOfferWithdrawn(Tx& tx, const std::string& id, int64_t now_us);
// Withdraws every ACTIVE offer of a product; returns (offer id, partner id) of each, in id order.
std::vector<std::pair<std::string, std::string>> WithdrawOffersOfProduct(
    Tx& tx, const std::string& product_id, int64_t now_us);
// Whether `region_code` is on the 832 platform's list of eligible counties.
bool Is832County(Tx& tx, const std::string& region_code);

// The filters of ListOffers after validation.
struct OfferListFilter {
  std::string product_id;  // "" = any
  std::string partner_id;  // "" = any
  v1::OfferState state = v1::OFFER_STATE_UNSPECIFIED;
  std::string after;  // keyset: offers with a greater id
  int limit = 1;
};
// The ListOffers statement limited to what `p` may see (`worker_cooperatives`: a social worker's
// caseload), in id order; false when the caller sees nothing.
bool ListOffersQuery(const Principal& p, const std::vector<std::string>& worker_cooperatives,
                     const OfferListFilter& filter, SqlQuery* query);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_OFFERS_STORE_H_
