#include "services/catalog/change_log.h"

namespace cooplink::catalog {
namespace {

constexpr const char* kInsertInbox =
    "INSERT INTO catalog_change_inbox (kind, product_id, cooperative_id, household_id, offer_id, "
    "partner_id, change_time_us) VALUES (?, ?, ?, ?, ?, ?, ?)";

}  // namespace

void AppendChanges(Tx& tx, const std::vector<ChangeRow>& changes, int64_t now_us) {
  for (const ChangeRow& c : changes) {
    tx.ExecuteParams(kInsertInbox,
                     {Param(static_cast<int>(c.kind)), Param(c.product_id),
                      Param(c.cooperative_id), Param(c.household_id),
                      c.offer_id.empty() ? SqlParam(nullptr) : Param(c.offer_id),
                      c.partner_id.empty() ? SqlParam(nullptr) : Param(c.partner_id),
                      Param(now_us)});
  }
}

}  // namespace cooplink::catalog
