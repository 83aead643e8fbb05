// Appending to the change feed: every writing transaction records what it changed in the outbox
// (topic kChangeTopic, key = product id), in the same transaction; the outbox relay's
// ChangeSequencer (watch.cc) later gives the changes their feed sequence in catalog_changes.
#ifndef COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_
#define COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/common/db.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

struct ChangeRow {
  v1::CatalogChangeKind kind;
  std::string product_id;
  std::string cooperative_id;
  std::string household_id;
  std::string offer_id;    // OFFER_CHANGED only
  std::string partner_id;  // OFFER_CHANGED only
};
// Records `changes` in the outbox (topic kChangeTopic, key product id), in the caller's
// transaction (so they commit or vanish with it). Takes no global lock: the relay's
// ChangeSequencer later gives them their feed sequence (watch.cc).
void AppendChanges(Tx& tx, const std::vector<ChangeRow>& changes, int64_t now_us);
// The outbox payload of a change and back: JSON of a CatalogChange holding only kind, the
// product's id/cooperative_id/household_id and the offer's id/partner_id (field names as in the
// proto, enums as numbers, so SQL and people can read it).
std::string EncodeChange(const ChangeRow& change);
absl::StatusOr<ChangeRow> DecodeChange(absl::string_view payload);
inline ChangeRow ProductChange(v1::CatalogChangeKind kind, const v1::Product& p) {
  return {kind, p.id(), p.cooperative_id(), p.household_id(), "", ""};
}

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_
