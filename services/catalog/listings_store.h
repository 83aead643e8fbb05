// Storage of partner listings and the per-partner change stream (migration 0006): the SQL (named
// constants in listings_store.cc) and row mapping. The change sequencer writes these tables in the
// outbox relay's transaction (it is their only writer); ListPartnerListings,
// BatchGetPartnerListings and a partner's WatchCatalogChanges read them. Functions taking Tx& run
// in the caller's transaction and may throw sql::SQLException.
#ifndef COOPLINK_SERVICES_CATALOG_LISTINGS_STORE_H_
#define COOPLINK_SERVICES_CATALOG_LISTINGS_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/listing_rules.h"
#include "services/common/db.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// --- Sequencer side (locking reads: the latest rows, also where the snapshot is older) ----------
// A product's state as of the last sequenced change (listing_sources).
struct ListingSource {
  v1::Product product;
  v1::Stock stock;
};
std::optional<ListingSource> LockListingSource(Tx& tx, const std::string& product_id);
void SaveListingSource(Tx& tx, const ListingSource& source, bool exists, int64_t sequence);

// One partner's row for a product.
struct StoredListing {
  std::string partner_id;
  OfferTerms terms;
  v1::PartnerListing listing;  // the listing content (ListingOf); stored as JSON
  bool exists = true;          // false: not stored yet
  // Set by the sequencer when the listing changed (and so must be saved).
  bool dirty = false;
  bool removed = false;
  int64_t version = 0;
  int64_t change_time_us = 0;
};
std::vector<StoredListing> LockProductListings(Tx& tx, const std::string& product_id);
// Inserts or updates the row (its terms, listing, removed, version and change time).
void SaveListing(Tx& tx, const std::string& product_id, const StoredListing& row);
// The partners' ACTIVE offers of a product as the offers table has them now (a product the
// sequencer sees for the first time: offers made before listings existed).
std::vector<StoredListing> ActiveOffersOf(Tx& tx, const std::string& product_id);
// Up to `limit` ACTIVE offers (id, product id) with id > `after`, by id, whose partner has no
// listing of the product: offers made before listings existed (or whose OFFER_CHANGED is still
// waiting in the outbox).
std::vector<std::pair<std::string, std::string>> UnlistedOffers(Tx& tx, const std::string& after,
                                                                int64_t limit);
// Appends one change to a partner's stream.
void InsertPartnerChange(Tx& tx, const std::string& partner_id, int64_t sequence,
                         const std::string& product_id, const v1::CatalogChange& change);
// Deletes up to `limit` partner changes with sequence below `before`; returns how many.
int64_t PurgePartnerChanges(Tx& tx, int64_t before, int64_t limit);

// --- Read side --------------------------------------------------------------------------------
// Fills the listing's version fields from the row's version and change time.
void StampVersion(int64_t version, int64_t change_time_us, v1::PartnerListing* listing);
// Up to `limit` listed (not removed) listings of the partner with product_id > `after`, by
// product_id.
std::vector<v1::PartnerListing> ListCurrentListings(Tx& tx, const std::string& partner_id,
                                                    const std::string& after, int64_t limit);
// Up to `limit` listings of the partner with version > `after`, tombstones included, by version.
std::vector<v1::PartnerListing> ListChangedListings(Tx& tx, const std::string& partner_id,
                                                    int64_t after, int64_t limit);
// The partner's listings of `product_ids` that exist (one statement, an IN list padded to a fixed
// shape, sql_shapes.h), by product id. `product_ids` must not be empty.
absl::flat_hash_map<std::string, v1::PartnerListing> GetListings(
    Tx& tx, const std::string& partner_id, const std::vector<std::string>& product_ids);
// Up to `limit` changes of the partner's stream with after < sequence <= through, in order (their
// cursor unset).
std::vector<std::pair<int64_t, v1::CatalogChange>> ReadPartnerChanges(
    Tx& tx, const std::string& partner_id, int64_t after, int64_t through, int64_t limit);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_LISTINGS_STORE_H_
