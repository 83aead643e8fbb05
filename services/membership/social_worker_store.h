// Storage of social workers and their assignments: the SQL statements (named constants in
// social_worker_store.cc), row mapping and small functions that run in the caller's transaction.
// A worker's phone arrives already sealed (pii_columns.h); rows carry only its masked form.
// (A worker's ACTIVE assignments as a scope are read by access_store.h ResolveScope.)
#ifndef COOPLINK_SERVICES_MEMBERSHIP_SOCIAL_WORKER_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_SOCIAL_WORKER_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/db.h"
#include "services/common/paging.h"
#include "services/membership/pii_columns.h"
#include "services/membership/social_worker_rules.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

void InsertSocialWorker(Tx& tx, const std::string& id, const NewSocialWorker& worker,
                        const SealedPhone& phone, int64_t now_us);
// NOT_FOUND("social_worker", id) when there is none.
absl::Status LoadSocialWorker(Tx& tx, const std::string& id, v1::SocialWorker* out);
void LoadSocialWorkerPage(Tx& tx, const std::string& county_prefix, const PageRequest& page,
                          v1::ListSocialWorkersResponse* out);
bool SocialWorkerExists(Tx& tx, const std::string& id);
// Locks the worker's row, serialising changes of its assignments; false when there is none.
bool LockSocialWorker(Tx& tx, const std::string& id);

// True when the worker already has an ACTIVE assignment of the request's village or cooperative.
// A locking read: under the worker's row lock it sees assignments committed after the snapshot.
bool HasActiveAssignment(Tx& tx, const v1::AssignSocialWorkerRequest& req);
// Inserts an ACTIVE assignment of the request's village or cooperative.
void InsertAssignment(Tx& tx, const std::string& id, const v1::AssignSocialWorkerRequest& req,
                      int64_t now_us);
// NOT_FOUND("assignment", id) when there is none. With `for_update` the row stays locked.
absl::Status LoadAssignment(Tx& tx, const std::string& id, bool for_update, v1::Assignment* out);
void EndAssignment(Tx& tx, const std::string& id, int64_t now_us);
void LoadAssignmentPage(Tx& tx, const std::string& social_worker_id, const PageRequest& page,
                        v1::ListAssignmentsResponse* out);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_SOCIAL_WORKER_STORE_H_
