// Appending to the change feed: every writing transaction records what it changed in the change
// inbox, in the same transaction; Catalog::SequenceChanges (watch.cc) later gives the rows their
// feed sequence.
#ifndef COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_
#define COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

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
// Records `changes` in the change inbox, in the caller's transaction (so they commit or vanish with
// it). Takes no global lock: Catalog::SequenceChanges later gives them their feed sequence.
void AppendChanges(Tx& tx, const std::vector<ChangeRow>& changes, int64_t now_us);
inline ChangeRow ProductChange(v1::CatalogChangeKind kind, const v1::Product& p) {
  return {kind, p.id(), p.cooperative_id(), p.household_id(), "", ""};
}

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_CHANGE_LOG_H_
