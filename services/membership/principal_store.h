// Storage of principals and tokens: the SQL statements (named constants in principal_store.cc), row
// mapping and small functions that run in the caller's transaction. The revocation feed is in
// revocation_log.h.
// Bearer token strings are never stored: only their metadata (id, principal, expiry, revocation).
#ifndef COOPLINK_SERVICES_MEMBERSHIP_PRINCIPAL_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_PRINCIPAL_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/db.h"
#include "services/common/paging.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

void InsertPrincipal(Tx& tx, const std::string& id, const v1::Principal& p, int64_t now_us);
// NOT_FOUND("principal", id) when there is none.
absl::Status LoadPrincipal(Tx& tx, const std::string& id, v1::Principal* out);
// The page of principals, of one role unless `role` is UNSPECIFIED.
void LoadPrincipalPage(Tx& tx, common::v1::Role role, const PageRequest& page,
                       const std::string& filters, v1::ListPrincipalsResponse* out);

void InsertToken(Tx& tx, const std::string& id, const std::string& principal_id,
                 int64_t expire_time_us, int64_t now_us);
// NOT_FOUND("token", id) when there is none. With `for_update` the row stays locked.
absl::Status LoadToken(Tx& tx, const std::string& id, bool for_update, v1::Token* out);
// A principal's tokens, newest first.
void LoadTokenPage(Tx& tx, const std::string& principal_id, const PageRequest& page,
                   v1::ListTokensResponse* out);
// Marks the (locked, unrevoked) token revoked; the caller appends the revocation to the feed
// (revocation_log.h AppendRevocation) in the same transaction.
absl::Status MarkTokenRevoked(Tx& tx, const std::string& token_id, int64_t now_us);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_PRINCIPAL_STORE_H_
