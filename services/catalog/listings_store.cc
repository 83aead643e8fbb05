#include "services/catalog/listings_store.h"

#include <cppconn/resultset.h>

#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/common/fields.h"
#include "services/common/sql_shapes.h"

namespace cooplink::catalog {
namespace {

constexpr const char* kLockSource =
    "SELECT product, stock FROM listing_sources WHERE product_id = ? FOR UPDATE";
constexpr const char* kInsertSource =
    "INSERT INTO listing_sources (product_id, product, stock, sequence) VALUES (?, ?, ?, ?)";
constexpr const char* kUpdateSource =
    "UPDATE listing_sources SET product = ?, stock = ?, sequence = ? WHERE product_id = ?";
constexpr const char* kLockProductListings =
    "SELECT partner_id, offer_id, offer_active, channel_price_fen, listing FROM partner_listings "
    "WHERE product_id = ? ORDER BY partner_id FOR UPDATE";
constexpr const char* kInsertListing =
    "INSERT INTO partner_listings (partner_id, product_id, offer_id, offer_active, "
    "channel_price_fen, removed, listing, version, change_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kUpdateListing =
    "UPDATE partner_listings SET offer_id = ?, offer_active = ?, channel_price_fen = ?, "
    "removed = ?, listing = ?, version = ?, change_time_us = ? "
    "WHERE partner_id = ? AND product_id = ?";
constexpr const char* kActiveOffersOf =
    "SELECT id, partner_id, channel_price_fen FROM offers WHERE product_id = ? AND state = ? "
    "ORDER BY id";
constexpr const char* kUnlistedOffers =
    "SELECT o.id, o.product_id FROM offers o LEFT JOIN partner_listings l "
    "ON l.partner_id = o.partner_id AND l.product_id = o.product_id "
    "WHERE o.state = ? AND o.id > ? AND l.partner_id IS NULL ORDER BY o.id LIMIT ?";
constexpr const char* kInsertPartnerChange =
    "INSERT INTO partner_listing_changes (partner_id, sequence, product_id, change_json) "
    "VALUES (?, ?, ?, ?)";
constexpr const char* kPurgePartnerChanges =
    "DELETE FROM partner_listing_changes WHERE sequence < ? ORDER BY sequence LIMIT ?";
constexpr const char* kListCurrent =
    "SELECT listing, version, change_time_us FROM partner_listings "
    "WHERE partner_id = ? AND product_id > ? AND removed = 0 ORDER BY product_id LIMIT ?";
constexpr const char* kListChanged =
    "SELECT listing, version, change_time_us FROM partner_listings "
    "WHERE partner_id = ? AND version > ? ORDER BY version LIMIT ?";
constexpr const char* kGetListingsHead =
    "SELECT listing, version, change_time_us FROM partner_listings "
    "WHERE partner_id = ? AND product_id IN ";
constexpr const char* kReadPartnerChanges =
    "SELECT sequence, change_json FROM partner_listing_changes "
    "WHERE partner_id = ? AND sequence > ? AND sequence <= ? ORDER BY sequence LIMIT ?";

v1::PartnerListing ListingFromRow(sql::ResultSet& rs) {
  v1::PartnerListing listing;
  (void)FromJson(std::string(rs.getString("listing")), &listing);
  StampVersion(rs.getInt64("version"), rs.getInt64("change_time_us"), &listing);
  return listing;
}

std::vector<v1::PartnerListing> Listings(std::unique_ptr<sql::ResultSet> rs) {
  std::vector<v1::PartnerListing> out;
  while (rs->next()) out.push_back(ListingFromRow(*rs));
  return out;
}

}  // namespace

std::optional<ListingSource> LockListingSource(Tx& tx, const std::string& product_id) {
  auto rs = tx.Query(kLockSource, product_id);
  if (!rs->next()) return std::nullopt;
  ListingSource source;
  (void)FromJson(std::string(rs->getString("product")), &source.product);
  (void)FromJson(std::string(rs->getString("stock")), &source.stock);
  return source;
}

void SaveListingSource(Tx& tx, const ListingSource& source, bool exists, int64_t sequence) {
  if (exists) {
    tx.Execute(kUpdateSource, ToJson(source.product), ToJson(source.stock), sequence,
               source.product.id());
  } else {
    tx.Execute(kInsertSource, source.product.id(), ToJson(source.product), ToJson(source.stock),
               sequence);
  }
}

std::vector<StoredListing> LockProductListings(Tx& tx, const std::string& product_id) {
  std::vector<StoredListing> rows;
  auto rs = tx.Query(kLockProductListings, product_id);
  while (rs->next()) {
    StoredListing row;
    row.partner_id = rs->getString("partner_id");
    row.terms.offer_id = rs->getString("offer_id");
    row.terms.active = rs->getInt("offer_active") != 0;
    if (!rs->isNull("channel_price_fen")) {
      row.terms.channel_price_fen = rs->getInt64("channel_price_fen");
    }
    (void)FromJson(std::string(rs->getString("listing")), &row.listing);
    rows.push_back(std::move(row));
  }
  return rows;
}

void SaveListing(Tx& tx, const std::string& product_id, const StoredListing& row) {
  const int active = row.terms.active ? 1 : 0;
  const int removed = row.removed ? 1 : 0;
  if (row.exists) {
    tx.Execute(kUpdateListing, row.terms.offer_id, active, row.terms.channel_price_fen, removed,
               ToJson(row.listing), row.version, row.change_time_us, row.partner_id, product_id);
  } else {
    tx.Execute(kInsertListing, row.partner_id, product_id, row.terms.offer_id, active,
               row.terms.channel_price_fen, removed, ToJson(row.listing), row.version,
               row.change_time_us);
  }
}

std::vector<StoredListing> ActiveOffersOf(Tx& tx, const std::string& product_id) {
  std::vector<StoredListing> rows;
  auto rs = tx.Query(kActiveOffersOf, product_id, static_cast<int>(v1::OFFER_STATE_ACTIVE));
  while (rs->next()) {
    StoredListing row;
    row.partner_id = rs->getString("partner_id");
    row.terms.offer_id = rs->getString("id");
    row.terms.active = true;
    if (!rs->isNull("channel_price_fen")) {
      row.terms.channel_price_fen = rs->getInt64("channel_price_fen");
    }
    row.exists = false;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::pair<std::string, std::string>> UnlistedOffers(Tx& tx, const std::string& after,
                                                                int64_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  auto rs = tx.Query(kUnlistedOffers, static_cast<int>(v1::OFFER_STATE_ACTIVE), after, limit);
  while (rs->next()) out.emplace_back(rs->getString("id"), rs->getString("product_id"));
  return out;
}

void InsertPartnerChange(Tx& tx, const std::string& partner_id, int64_t sequence,
                         const std::string& product_id, const v1::CatalogChange& change) {
  tx.Execute(kInsertPartnerChange, partner_id, sequence, product_id, ToJson(change));
}

int64_t PurgePartnerChanges(Tx& tx, int64_t before, int64_t limit) {
  return tx.Execute(kPurgePartnerChanges, before, limit);
}

void StampVersion(int64_t version, int64_t change_time_us, v1::PartnerListing* listing) {
  listing->set_version(version);
  listing->set_version_cursor(Catalog::EncodeCursor(version));
  *listing->mutable_change_time() = ToTimestamp(change_time_us);
}

std::vector<v1::PartnerListing> ListCurrentListings(Tx& tx, const std::string& partner_id,
                                                    const std::string& after, int64_t limit) {
  return Listings(tx.Query(kListCurrent, partner_id, after, limit));
}

std::vector<v1::PartnerListing> ListChangedListings(Tx& tx, const std::string& partner_id,
                                                    int64_t after, int64_t limit) {
  return Listings(tx.Query(kListChanged, partner_id, after, limit));
}

absl::flat_hash_map<std::string, v1::PartnerListing> GetListings(
    Tx& tx, const std::string& partner_id, const std::vector<std::string>& product_ids) {
  std::string sql = kGetListingsHead;
  std::vector<SqlParam> params = {Param(partner_id)};
  AppendInList(product_ids, &sql, &params);
  absl::flat_hash_map<std::string, v1::PartnerListing> out;
  for (v1::PartnerListing& listing : Listings(tx.QueryParams(sql, params))) {
    std::string id = listing.product_id();
    out.emplace(std::move(id), std::move(listing));
  }
  return out;
}

std::vector<std::pair<int64_t, v1::CatalogChange>> ReadPartnerChanges(
    Tx& tx, const std::string& partner_id, int64_t after, int64_t through, int64_t limit) {
  std::vector<std::pair<int64_t, v1::CatalogChange>> out;
  auto rs = tx.Query(kReadPartnerChanges, partner_id, after, through, limit);
  while (rs->next()) {
    v1::CatalogChange change;
    (void)FromJson(std::string(rs->getString("change_json")), &change);
    out.emplace_back(rs->getInt64("sequence"), std::move(change));
  }
  return out;
}

}  // namespace cooplink::catalog
