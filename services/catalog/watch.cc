// The change feed behind WatchCatalogChanges: its sequencer (the outbox relay's sink), cursors,
// the retention check and scoped reads of catalog_changes. The stream itself (polling, heartbeats,
// cancellation) is the shared one of services/common/event_stream.h (see watch_stream.cc).
//
// Writers record changes in the outbox (AppendChanges, topic kChangeTopic); the server's
// OutboxRelay hands committed ones to ChangeSequencer in outbox order, which gives them
// consecutive sequences in catalog_changes in the relay's transaction (exactly once).
//
// Cursors are base64url("w1|<sequence>") (CursorCodec): opaque to clients, versioned.
// Every change carries its own sequence as cursor; a heartbeat carries the last sequence the
// stream examined (changes outside the caller's scope are skipped but still advance it).
//
// Scope of each caller (decided per change, on the change row's cooperative/household/partner):
//   - platform admin: everything;
//   - social worker: changes of its assigned cooperatives (caseload fetched once per batch);
//   - cooperative admin: its cooperative's changes;
//   - member: its household's products in its cooperative (not OFFER_CHANGED: offers are not a
//     member's business);
//   - partner: OFFER_CHANGED of its own offers (so it learns of withdrawals), and other changes
//     of a product only while it holds an ACTIVE offer for it and the product is ACTIVE now —
//     except PRODUCT_STATE_CHANGED, delivered whatever the product's state, so a partner mirroring
//     the catalog learns that an offered product was paused (or archived) and resumed.
// Each change carries the product as it is NOW (and the current stock / offer), not as it was at
// the change: delivery is at least once and a mirror only needs to converge.
#include <cppconn/resultset.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "services/catalog/access.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/offers_store.h"
#include "services/catalog/products_store.h"
#include "services/common/crypto.h"
#include "services/common/event_stream.h"
#include "services/common/fields.h"

namespace cooplink::catalog {
namespace {

const CursorCodec& Cursors() {
  static const auto* const kCodec = new CursorCodec("w1");
  return *kCodec;
}

constexpr const char* kReadChanges =
    "SELECT sequence, kind, product_id, cooperative_id, household_id, offer_id, partner_id, "
    "change_time_us FROM catalog_changes WHERE sequence > ? ORDER BY sequence LIMIT ?";
constexpr const char* kLockFeedHead = "SELECT last_sequence FROM feed_head WHERE id = 1 FOR UPDATE";
constexpr const char* kSequenceChange =
    "INSERT INTO catalog_changes (sequence, kind, product_id, cooperative_id, household_id, "
    "offer_id, partner_id, change_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kSetFeedHead = "UPDATE feed_head SET last_sequence = ? WHERE id = 1";
constexpr const char* kPurgeChanges =
    "DELETE FROM catalog_changes WHERE change_time_us < ? ORDER BY sequence LIMIT ?";
constexpr const char* kOldestChange = "SELECT MIN(sequence) AS oldest FROM catalog_changes";
constexpr const char* kFeedHead = "SELECT last_sequence FROM feed_head WHERE id = 1";
constexpr const char* kSelectStock =
    "SELECT on_hand, reserved, update_time_us FROM stock WHERE product_id = ?";
constexpr const char* kSelectOffer =
    "SELECT id, product_id, partner_id, cooperative_id, channel_price_fen, state, create_time_us, "
    "withdraw_time_us FROM offers WHERE id = ?";
constexpr const char* kActiveOffer =
    "SELECT 1 FROM offers WHERE partner_id = ? AND active_product_id = ? AND state = ? LIMIT 1";

struct FeedRow {
  int64_t sequence = 0;
  v1::CatalogChangeKind kind = v1::CATALOG_CHANGE_KIND_UNSPECIFIED;
  std::string product_id;
  std::string cooperative_id;
  std::string household_id;
  std::string offer_id;
  std::string partner_id;
  int64_t change_time_us = 0;
};

}  // namespace

std::string Catalog::EncodeCursor(int64_t sequence) { return Cursors().Encode(sequence); }

absl::StatusOr<int64_t> Catalog::StartWatch(const CallContext& call, const std::string& cursor) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember, Role::kPartner});
      !s.ok()) {
    return s;
  }
  if (cursor.empty()) return 0;  // from the oldest retained change
  auto after = Cursors().Decode(cursor);
  if (!after.ok()) return after.status();
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    int64_t head = 0;
    {
      auto rs = tx.Query(kFeedHead);
      if (rs->next()) head = rs->getInt64("last_sequence");
    }
    if (*after > head) {
      // Not a cursor of this feed (e.g. the database was restored from an older backup).
      return CursorExpired(
          "the cursor is ahead of the change feed; resync with ListProducts and start a fresh "
          "stream");
    }
    int64_t oldest = head + 1;  // nothing retained: the next change will be head + 1
    {
      auto rs = tx.Query(kOldestChange);
      if (rs->next() && !rs->isNull("oldest")) oldest = rs->getInt64("oldest");
    }
    // Changes after the cursor were already purged (they are kept change_retention at least):
    // resuming would silently skip them.
    if (*after + 1 < oldest) {
      return CursorExpired(
          absl::StrCat("the cursor is older than the change retention (",
                       absl::FormatDuration(settings_.change_retention),
                       "); resync with ListProducts(updated_since) and start a fresh stream"));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return *after;
}

absl::StatusOr<int64_t> Catalog::ReadChanges(const CallContext& call, int64_t after, int limit,
                                             std::vector<v1::CatalogChange>* out) {
  const Principal& p = call.principal();
  // Membership is asked before the database is touched (once per batch).
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto in_scope = [&](const FeedRow& row) {
    // Members see their household's products but not the cooperative's offers; partners are
    // decided per row below, against their current offers.
    if (p.is(Role::kMember) && row.kind == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED) return false;
    return RelationIn(*scope, row.cooperative_id, row.household_id) != Relation::kNone;
  };

  int64_t last = after;
  std::vector<v1::CatalogChange> changes;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    last = after;
    changes.clear();
    std::vector<FeedRow> rows;
    {
      auto rs = tx.Query(kReadChanges, after, static_cast<int64_t>(std::max(limit, 1)));
      while (rs->next()) {
        FeedRow r;
        r.sequence = rs->getInt64("sequence");
        r.kind = static_cast<v1::CatalogChangeKind>(rs->getInt("kind"));
        r.product_id = rs->getString("product_id");
        r.cooperative_id = rs->getString("cooperative_id");
        r.household_id = rs->getString("household_id");
        r.offer_id = GetOptionalString(*rs, "offer_id").value_or("");
        r.partner_id = GetOptionalString(*rs, "partner_id").value_or("");
        r.change_time_us = rs->getInt64("change_time_us");
        rows.push_back(std::move(r));
      }
    }
    // Current products of this batch, loaded once each (absent: not found, skipped).
    absl::flat_hash_map<std::string, std::optional<v1::Product>> products;
    auto product = [&](const std::string& id) -> const v1::Product* {
      auto it = products.find(id);
      if (it == products.end()) {
        v1::Product loaded;
        std::optional<v1::Product> value;
        if (LoadProduct(tx, id, /*for_update=*/false, &loaded).ok()) value = std::move(loaded);
        it = products.emplace(id, std::move(value)).first;
      }
      return it->second ? &*it->second : nullptr;
    };
    absl::flat_hash_map<std::string, bool> partner_offered;  // product id → active offer to p
    for (const FeedRow& row : rows) {
      last = row.sequence;
      if (!in_scope(row)) continue;
      const v1::Product* current = product(row.product_id);
      if (current == nullptr) continue;
      if (p.is(Role::kPartner)) {
        if (row.kind == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED) {
          if (row.partner_id != p.partner_id) continue;
        } else {
          auto it = partner_offered.find(row.product_id);
          if (it == partner_offered.end()) {
            it = partner_offered
                     .emplace(row.product_id, tx.Query(kActiveOffer, p.partner_id, row.product_id,
                                                       static_cast<int>(v1::OFFER_STATE_ACTIVE))
                                                  ->next())
                     .first;
          }
          if (!it->second) continue;
          if (current->state() != v1::PRODUCT_STATE_ACTIVE &&
              row.kind != v1::CATALOG_CHANGE_KIND_PRODUCT_STATE_CHANGED) {
            continue;
          }
        }
      }
      v1::CatalogChange change;
      change.set_cursor(EncodeCursor(row.sequence));
      change.set_kind(row.kind);
      *change.mutable_change_time() = ToTimestamp(row.change_time_us);
      *change.mutable_product() = *current;
      if (row.kind == v1::CATALOG_CHANGE_KIND_STOCK_CHANGED) {
        v1::Stock* stock = change.mutable_stock();
        stock->set_product_id(row.product_id);
        auto rs = tx.Query(kSelectStock, row.product_id);
        if (rs->next()) {
          stock->set_on_hand(rs->getInt64("on_hand"));
          stock->set_reserved(rs->getInt64("reserved"));
          stock->set_available(stock->on_hand() - stock->reserved());
          *stock->mutable_update_time() = ToTimestamp(rs->getInt64("update_time_us"));
        }
      }
      if (row.kind == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED && !row.offer_id.empty()) {
        auto rs = tx.Query(kSelectOffer, row.offer_id);
        if (rs->next()) OfferFromRow(*rs, change.mutable_offer());
      }
      changes.push_back(std::move(change));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (auto& c : changes) out->push_back(std::move(c));
  return last;
}

absl::StatusOr<int64_t> Catalog::PurgeChanges(absl::Time cutoff, int limit) {
  int64_t deleted = 0;
  absl::Status status = db_->Transact([&](Tx& tx) {
    deleted = tx.Execute(kPurgeChanges, ToMicros(cutoff), static_cast<int64_t>(limit));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::Status ChangeSequencer::Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) {
  // The feed_head lock (after the relay's lease lock) makes sequences consecutive even if two
  // relays ever overlapped; being a locking read, it sees the latest head also where the
  // transaction's snapshot is older (TiDB takes it at BEGIN).
  int64_t sequence = 0;
  {
    auto head = tx.Query(kLockFeedHead);
    if (!head->next()) return absl::InternalError("feed_head has no row (migration 0001)");
    sequence = head->getInt64("last_sequence");
  }
  for (const OutboxMessage& message : batch) {
    absl::StatusOr<ChangeRow> c = DecodeChange(message.payload);
    if (!c.ok()) return c.status();
    tx.ExecuteParams(kSequenceChange,
                     {Param(++sequence), Param(static_cast<int>(c->kind)), Param(c->product_id),
                      Param(c->cooperative_id), Param(c->household_id),
                      c->offer_id.empty() ? SqlParam(nullptr) : Param(c->offer_id),
                      c->partner_id.empty() ? SqlParam(nullptr) : Param(c->partner_id),
                      Param(ToMicros(message.create_time))});
  }
  // The head only grows, so the update changes its one row.
  if (!batch.empty() && tx.Execute(kSetFeedHead, sequence) != 1) {
    return absl::AbortedError("feed_head moved under its lock");
  }
  return absl::OkStatus();
}

}  // namespace cooplink::catalog
