// The change sequencer: the outbox relay's transactional sink for topic kChangeTopic. In the
// relay's transaction, under the feed_head row lock, each change of a batch (in outbox order)
//   1. gets the next feed sequence;
//   2. updates its product's listing source — the product as its last product change left it, the
//      stock as its last stock change left it (change_log.h says which part of a snapshot is
//      exact);
//   3. is stored in catalog_changes with the snapshot staff and members receive;
//   4. is projected onto every partner listing of the product (listing_rules.h): a listing whose
//      content changes gets the sequence as its version, and the change as that partner receives
//      it goes to the partner's stream (partner_listing_changes).
// A product's source and listings are read once per batch and written once at its end (Projector),
// so a busy product costs two statements per change (its catalog_changes row and one stream row
// per partner whose listing moved) rather than six.
// It is the only writer of these tables, so a partner's stream and ListPartnerListings show the
// same versions. Changes recorded before snapshots existed carry only ids: the current rows stand
// in for their snapshot.
#include <google/protobuf/util/message_differencer.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/listing_rules.h"
#include "services/catalog/listings_store.h"
#include "services/common/feed_sequence.h"
#include "services/common/fields.h"

namespace cooplink::catalog {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr const char* kLockFeedHead = "SELECT last_sequence FROM feed_head WHERE id = 1 FOR UPDATE";
constexpr const char* kSequenceChange =
    "INSERT INTO catalog_changes (sequence, kind, product_id, cooperative_id, household_id, "
    "offer_id, partner_id, change_time_us, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kSetFeedHead = "UPDATE feed_head SET last_sequence = ? WHERE id = 1";

bool IsProductKind(v1::CatalogChangeKind kind) {
  return kind == v1::CATALOG_CHANGE_KIND_PRODUCT_UPSERTED ||
         kind == v1::CATALOG_CHANGE_KIND_PRODUCT_STATE_CHANGED ||
         kind == v1::CATALOG_CHANGE_KIND_PRICE_CHANGED;
}

StoredListing* RowOf(std::vector<StoredListing>& rows, const std::string& partner_id) {
  for (StoredListing& row : rows) {
    if (row.partner_id == partner_id) return &row;
  }
  return nullptr;
}

// A product's projection within one batch: its source and listing rows are read (locked) at its
// first change in the batch and written once at the end (Flush), however many of its changes the
// batch holds.
struct ProductProjection {
  ListingSource source;
  bool source_exists = false;  // stored before this batch
  bool first_sight = false;    // no source before this batch: offers may predate listings
  int64_t source_sequence = 0;
  bool source_dirty = false;
  std::vector<StoredListing> rows;
};

class Projector {
 public:
  explicit Projector(Tx& tx) : tx_(tx) {}

  // Steps 2 to 4 for one change; returns the snapshot staff receive.
  v1::CatalogChange Project(int64_t sequence, int64_t change_us, const v1::CatalogChange& snap) {
    const v1::CatalogChangeKind kind = snap.kind();
    const std::string& product_id = snap.product().id();
    ProductProjection& p = Load(snap);
    if (IsProductKind(kind)) p.source.product = snap.product();
    if (kind == v1::CATALOG_CHANGE_KIND_STOCK_CHANGED) p.source.stock = snap.stock();
    p.source_sequence = sequence;
    p.source_dirty = true;

    v1::CatalogChange staff;
    staff.set_kind(kind);
    *staff.mutable_change_time() = ToTimestamp(change_us);
    *staff.mutable_product() = p.source.product;
    if (kind == v1::CATALOG_CHANGE_KIND_STOCK_CHANGED) *staff.mutable_stock() = p.source.stock;
    if (kind == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED) *staff.mutable_offer() = snap.offer();
    if (snap.has_previous_price()) *staff.mutable_previous_price() = snap.previous_price();

    if (kind == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED && !snap.offer().partner_id().empty()) {
      StoredListing* row = RowOf(p.rows, snap.offer().partner_id());
      std::optional<OfferTerms> current;
      if (row != nullptr) current = row->terms;
      if (std::optional<OfferTerms> next = NextTerms(current, snap.offer())) {
        if (row == nullptr) {
          p.rows.push_back({snap.offer().partner_id(), *next, {}, /*exists=*/false});
        } else {
          row->terms = *next;
        }
      }
    }
    for (StoredListing& row : p.rows) {
      v1::PartnerListing listing =
          ListingOf(row.partner_id, p.source.product, p.source.stock, row.terms);
      const bool listed_before = row.exists || row.dirty;
      if (listed_before ? MessageDifferencer::Equals(listing, row.listing) : listing.removed()) {
        continue;  // nothing new
      }
      v1::PartnerListing before;
      if (listed_before) before = std::move(row.listing);
      row.listing = listing;
      row.removed = listing.removed();
      row.version = sequence;
      row.change_time_us = change_us;
      row.dirty = true;

      v1::CatalogChange change;
      change.set_kind(kind);
      *change.mutable_change_time() = ToTimestamp(change_us);
      if (std::optional<int64_t> previous = PreviousChannelPrice(before, listing)) {
        listing.mutable_previous_channel_price()->set_fen(*previous);
      }
      StampVersion(sequence, change_us, &listing);
      if (!listing.removed()) {
        *change.mutable_product() = p.source.product;
        if (kind == v1::CATALOG_CHANGE_KIND_STOCK_CHANGED) {
          *change.mutable_stock() = p.source.stock;
        }
        if (snap.has_previous_price()) *change.mutable_previous_price() = snap.previous_price();
      }
      if (kind == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED &&
          snap.offer().partner_id() == row.partner_id) {
        *change.mutable_offer() = snap.offer();
      }
      *change.mutable_listing() = std::move(listing);
      InsertPartnerChange(tx_, row.partner_id, sequence, product_id, change);
    }
    return staff;
  }

  // Writes every source and listing the batch changed.
  void Flush() {
    for (auto& [product_id, p] : products_) {
      if (p.source_dirty) SaveListingSource(tx_, p.source, p.source_exists, p.source_sequence);
      for (const StoredListing& row : p.rows) {
        if (row.dirty) SaveListing(tx_, product_id, row);
      }
    }
  }

 private:
  ProductProjection& Load(const v1::CatalogChange& snap) {
    const std::string& product_id = snap.product().id();
    auto it = products_.find(product_id);
    if (it != products_.end()) return it->second;
    ProductProjection p;
    std::optional<ListingSource> stored = LockListingSource(tx_, product_id);
    p.source_exists = stored.has_value();
    p.first_sight = !p.source_exists;
    p.source = stored.value_or(ListingSource{snap.product(), snap.stock()});
    p.rows = LockProductListings(tx_, product_id);
    if (p.first_sight) {  // offers made before listings existed
      for (StoredListing& offer : ActiveOffersOf(tx_, product_id)) {
        if (RowOf(p.rows, offer.partner_id) == nullptr) p.rows.push_back(std::move(offer));
      }
    }
    return products_.emplace(product_id, std::move(p)).first->second;
  }

  Tx& tx_;
  // Only the sequencer (one at a time, under the feed_head lock) touches these tables, so the order
  // in which products are locked and written cannot deadlock.
  std::map<std::string, ProductProjection> products_;
};

}  // namespace

absl::Status ChangeSequencer::Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) {
  // Numbered under the feed_head lock (feed_sequence.h); the other tables read here are read with
  // locks too (listings_store.h), as the snapshot may be older than the lock.
  absl::StatusOr<FeedSequence> sequence = FeedSequence::Lock(tx, kLockFeedHead);
  if (!sequence.ok()) return sequence.status();
  Projector projector(tx);
  for (const OutboxMessage& message : batch) {
    absl::StatusOr<v1::CatalogChange> snap = DecodeChange(message.payload);
    if (!snap.ok()) return snap.status();
    if (!IsSnapshot(*snap)) {
      // A payload of ids only (recorded before snapshots existed): the rows as they are now.
      const std::string offer_id = snap->offer().id();
      if (auto s = LoadCurrentChange(tx, snap->product().id(), offer_id, &*snap); !s.ok()) {
        return s;
      }
    }
    const int64_t change_us = ToMicros(message.create_time);
    const int64_t number = sequence->Next();
    const v1::CatalogChange staff = projector.Project(number, change_us, *snap);
    const v1::Product& product = staff.product();
    const bool offer = snap->kind() == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED;
    tx.ExecuteParams(kSequenceChange,
                     {Param(number), Param(static_cast<int>(snap->kind())), Param(product.id()),
                      Param(product.cooperative_id()), Param(product.household_id()),
                      offer ? Param(snap->offer().id()) : SqlParam(nullptr),
                      offer ? Param(snap->offer().partner_id()) : SqlParam(nullptr),
                      Param(change_us), Param(EncodeChange(staff))});
  }
  projector.Flush();
  return sequence->Commit(tx, kSetFeedHead);
}

}  // namespace cooplink::catalog
