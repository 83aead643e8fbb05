// The change feed behind WatchCatalogChanges: cursors, the retention check and scoped reads of
// catalog_changes (staff and members) and of partner_listing_changes (partners). The stream
// itself (polling, heartbeats, cancellation) is the shared one of services/common/event_stream.h
// (see watch_stream.cc); the sequencer that fills these tables is change_sequencer.cc.
//
// Cursors are base64url("w1|<sequence>") (CursorCodec): opaque to clients, versioned. Listing
// versions and watermarks are cursors of the same feed. Every change carries its own sequence as
// cursor; a heartbeat carries the last sequence the stream examined (changes outside the caller's
// scope are skipped but still advance it).
//
// Scope of each caller:
//   - platform admin: everything;
//   - social worker: changes of its assigned cooperatives (caseload fetched once per batch);
//   - cooperative admin: its cooperative's changes;
//   - member: its household's products in its cooperative (not OFFER_CHANGED: offers are not a
//     member's business);
//   - partner: its own stream, the changes that changed one of its listings (change_sequencer.cc).
// Each change carries the snapshot the sequencer stored: the state right after the change. Changes
// sequenced before snapshots existed are read as the product (stock, offer) is now.
#include <cppconn/resultset.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/catalog/access.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/listings_store.h"
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
    "change_time_us, snapshot FROM catalog_changes WHERE sequence > ? AND sequence <= ? "
    "ORDER BY sequence LIMIT ?";
constexpr const char* kPurgeChanges =
    "DELETE FROM catalog_changes WHERE change_time_us < ? ORDER BY sequence LIMIT ?";
constexpr const char* kOldestChange = "SELECT MIN(sequence) AS oldest FROM catalog_changes";

struct FeedRow {
  int64_t sequence = 0;
  v1::CatalogChangeKind kind = v1::CATALOG_CHANGE_KIND_UNSPECIFIED;
  std::string product_id;
  std::string cooperative_id;
  std::string household_id;
  std::string offer_id;
  std::string partner_id;
  int64_t change_time_us = 0;
  std::optional<std::string> snapshot;
};

}  // namespace

std::string Catalog::EncodeCursor(int64_t sequence) { return Cursors().Encode(sequence); }

absl::StatusOr<int64_t> Catalog::DecodeCursor(const std::string& cursor) {
  return Cursors().Decode(cursor);
}

absl::StatusOr<int64_t> Catalog::StartWatch(const CallContext& call, const std::string& cursor,
                                            bool from_now) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember, Role::kPartner});
      !s.ok()) {
    return s;
  }
  if (from_now && !cursor.empty()) {
    return InvalidField("start_at_now", "cannot be set together with cursor");
  }
  const bool at_now = from_now;
  if (cursor.empty() && !at_now) return 0;  // from the oldest retained change
  absl::StatusOr<int64_t> after = at_now ? 0 : Cursors().Decode(cursor);
  if (!after.ok()) return after.status();
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    const int64_t head = ReadFeedHead(tx);
    if (at_now) {
      *after = head;
      return absl::OkStatus();
    }
    if (*after > head) {
      // Not a cursor of this feed (e.g. the database was restored from an older backup).
      return CursorExpired(
          "the cursor is ahead of the change feed; resync (partners: ListPartnerListings; others: "
          "ListProducts) and start a fresh stream");
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
                       "); resync (partners: ListPartnerListings(changed_since); others: "
                       "ListProducts(updated_since)) and start from its watermark or a fresh "
                       "stream"));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return *after;
}

absl::StatusOr<int64_t> Catalog::ReadChanges(const CallContext& call, int64_t after, int limit,
                                             std::vector<v1::CatalogChange>* out) {
  const Principal& p = call.principal();
  if (p.is(Role::kPartner)) return ReadPartnerChanges(call, after, limit, out);
  // The feed head first, then the caller's scope from membership (once per batch), then the rows
  // up to that head: every row read was sequenced before the scope was asked, so a caseload change
  // acknowledged before a change was recorded decides it (none is skipped for a stale scope).
  int64_t head = after;
  if (auto s = db_->Read([&](Tx& tx) {
        head = std::max(head, ReadFeedHead(tx));
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  if (head == after) return after;  // nothing new: membership is not asked
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  auto in_scope = [&](const FeedRow& row) {
    // Members see their household's products but not the cooperative's offers.
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
      auto rs = tx.Query(kReadChanges, after, head, static_cast<int64_t>(std::max(limit, 1)));
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
        r.snapshot = GetOptionalString(*rs, "snapshot");
        rows.push_back(std::move(r));
      }
    }
    for (const FeedRow& row : rows) {
      last = row.sequence;
      if (!in_scope(row)) continue;
      v1::CatalogChange change;
      if (!row.snapshot || !FromJson(*row.snapshot, &change)) {
        // Sequenced before snapshots existed: read as the rows are now.
        const bool offer = row.kind == v1::CATALOG_CHANGE_KIND_OFFER_CHANGED;
        if (!LoadCurrentChange(tx, row.product_id, offer ? row.offer_id : "", &change).ok()) {
          continue;
        }
        if (row.kind != v1::CATALOG_CHANGE_KIND_STOCK_CHANGED) change.clear_stock();
        change.set_kind(row.kind);
        *change.mutable_change_time() = ToTimestamp(row.change_time_us);
      }
      change.set_cursor(EncodeCursor(row.sequence));
      changes.push_back(std::move(change));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (auto& c : changes) out->push_back(std::move(c));
  return last;
}

absl::StatusOr<int64_t> Catalog::ReadPartnerChanges(const CallContext& call, int64_t after,
                                                    int limit,
                                                    std::vector<v1::CatalogChange>* out) {
  const std::string& partner_id = call.principal().partner_id;
  const int64_t max = std::max(limit, 1);
  int64_t last = after;
  std::vector<std::pair<int64_t, v1::CatalogChange>> changes;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    // The head first: every change up to it is committed, so reading up to it leaves no gap.
    const int64_t head = std::max(after, ReadFeedHead(tx));
    changes = catalog::ReadPartnerChanges(tx, partner_id, after, head, max);
    last = static_cast<int64_t>(changes.size()) < max ? head : changes.back().first;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (auto& [sequence, change] : changes) {
    change.set_cursor(EncodeCursor(sequence));
    out->push_back(std::move(change));
  }
  return last;
}

absl::StatusOr<int64_t> Catalog::PurgeChanges(absl::Time cutoff, int limit) {
  int64_t deleted = 0;
  absl::Status status = db_->Transact([&](Tx& tx) {
    deleted = tx.Execute(kPurgeChanges, ToMicros(cutoff), static_cast<int64_t>(limit));
    // Partners' streams keep what the feed keeps: everything from the oldest retained change on
    // (or from the next one, when none is retained).
    int64_t keep_from = 0;
    {
      auto rs = tx.Query(kOldestChange);
      if (rs->next() && !rs->isNull("oldest")) keep_from = rs->getInt64("oldest");
    }
    if (keep_from == 0) keep_from = ReadFeedHead(tx) + 1;
    deleted += PurgePartnerChanges(tx, keep_from, limit);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

}  // namespace cooplink::catalog
