// Appending to the change feed: every writing transaction records what it changed in the outbox
// (topic kChangeTopic, key = product id), in the same transaction, together with a snapshot of the
// state right after the change; the outbox relay's ChangeSequencer (change_sequencer.cc) later
// gives the changes their feed sequence in catalog_changes and projects them onto the partners'
// listings.
//
// Which part of a snapshot is exact: the part the change is about, read under the writer's own row
// lock after its write — the product for PRODUCT_UPSERTED / PRODUCT_STATE_CHANGED / PRICE_CHANGED
// (product row lock), the stock for STOCK_CHANGED (stock row lock), the offer for OFFER_CHANGED
// (offer row lock). Writers of one of these parts serialise on that lock, so their outbox ids (and
// feed sequences) follow their commit order. The other parts are what the writer read (possibly a
// moment old); the sequencer uses them only for a product it has not seen before.
#ifndef COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_
#define COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/common/db.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

struct ChangeRow {
  v1::CatalogChangeKind kind;
  v1::Product product;                        // after the change (exact for the product kinds)
  std::string offer_id;                       // OFFER_CHANGED only
  std::optional<int64_t> previous_price_fen;  // PRICE_CHANGED only
};

// Records `changes` in the outbox (topic kChangeTopic, key product id), in the caller's
// transaction (so they commit or vanish with it), each with its snapshot: the product given, the
// product's stock row and, for OFFER_CHANGED, the offer row as this transaction sees them now.
// Takes no lock beyond the inserted rows.
void AppendChanges(Tx& tx, const std::vector<ChangeRow>& changes, int64_t now_us);

// The outbox payload: JSON of the CatalogChange snapshot (field names as in the proto, enums as
// numbers, so SQL and people can read it). Payloads written before snapshots existed hold only the
// ids (IsSnapshot() false): the sequencer then reads the current rows.
std::string EncodeChange(const v1::CatalogChange& change);
// JSON as the catalog stores it (proto field names, enums as numbers); deterministic, so two
// encodings of equal messages are equal strings.
std::string ToJson(const google::protobuf::Message& message);
bool FromJson(absl::string_view json, google::protobuf::Message* message);
absl::StatusOr<v1::CatalogChange> DecodeChange(absl::string_view payload);
inline bool IsSnapshot(const v1::CatalogChange& change) {
  return change.product().state() != v1::PRODUCT_STATE_UNSPECIFIED;
}

// The last sequence the feed has given (feed_head; a plain read: sequences up to it are committed,
// so rows read afterwards up to it leave no gap).
int64_t ReadFeedHead(Tx& tx);

// `change` filled from the rows as they are now, for changes recorded before snapshots existed:
// the product, its stock and, when `offer_id` is set, the offer. NOT_FOUND without the product.
absl::Status LoadCurrentChange(Tx& tx, const std::string& product_id, const std::string& offer_id,
                               v1::CatalogChange* change);

inline ChangeRow ProductChange(v1::CatalogChangeKind kind, const v1::Product& p) {
  return {kind, p, "", std::nullopt};
}
inline ChangeRow OfferChange(const v1::Product& p, const std::string& offer_id) {
  return {v1::CATALOG_CHANGE_KIND_OFFER_CHANGED, p, offer_id, std::nullopt};
}

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_
