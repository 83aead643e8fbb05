// Storage of partners: the SQL statements (named constants in partner_store.cc), row mapping and
// small functions that run in the caller's transaction.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_PARTNER_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_PARTNER_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/db.h"
#include "services/common/paging.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

void InsertPartner(Tx& tx, const std::string& id, const v1::Partner& p, int64_t now_us);
// NOT_FOUND("partner", id) when there is none. With `for_update` the row stays locked.
absl::Status LoadPartner(Tx& tx, const std::string& id, bool for_update, v1::Partner* out);
// Writes the updatable fields of `next` (the row must be locked) and bumps its version.
void SavePartner(Tx& tx, const v1::Partner& next, int64_t now_us);
// The page of partners, of one channel kind unless `kind` is UNSPECIFIED.
void LoadPartnerPage(Tx& tx, common::v1::ChannelKind kind, const PageRequest& page,
                     const std::string& filters, v1::ListPartnersResponse* out);
bool PartnerExists(Tx& tx, const std::string& id);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_PARTNER_STORE_H_
