// Storage of cooperatives: the SQL statements (named constants in cooperative_store.cc), row
// mapping and small functions that run in the caller's transaction. No access checks here: the
// domain (cooperatives.cc) applies access_rules.h before it calls in, and lists take the scope
// to apply their one SQL scope filter.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_COOPERATIVE_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_COOPERATIVE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/db.h"
#include "services/common/paging.h"
#include "services/membership/access_rules.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

void InsertCooperative(Tx& tx, const std::string& id, const v1::Cooperative& c, int64_t now_us);
// NOT_FOUND("cooperative", id) when there is none. With `for_update` the row stays locked.
absl::Status LoadCooperative(Tx& tx, const std::string& id, bool for_update, v1::Cooperative* out);
// Writes the updatable fields of `next` (the row must be locked) and bumps its version.
void SaveCooperative(Tx& tx, const v1::Cooperative& next, int64_t now_us);
// The page of cooperatives the scope may list, filtered by region code prefix.
void LoadCooperativePage(Tx& tx, const Scope& scope, const std::string& region_prefix,
                         const PageRequest& page, const std::string& filters,
                         v1::ListCooperativesResponse* out);

bool CooperativeExists(Tx& tx, const std::string& id);
// What a change to a cooperative's members needs of the cooperative.
struct LockedCooperative {
  int fiscal_year_end_month = 12;
  std::string region_code;  // where admitted households may live (access_rules.h)
};
// Locks the cooperative's row (the first lock of every change to its set of ACTIVE members) and
// returns what its member changes need; nullopt when there is no such cooperative.
std::optional<LockedCooperative> LockCooperative(Tx& tx, const std::string& id);
// True while a member of the cooperative has given notice and not yet exited.
bool HasPendingExits(Tx& tx, const std::string& cooperative_id);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_COOPERATIVE_STORE_H_
