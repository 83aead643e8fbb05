// Storage of social workers and their assignments: the SQL statements (named constants in
// social_worker_store.cc), row mapping and small functions that run in the caller's transaction.
// A worker's phone arrives already sealed (pii_columns.h); rows carry only its masked form.
// (A worker's ACTIVE assignments as a scope are read by access_store.h ResolveScope.)
//
// Locking: AssignSocialWorker locks the worker's row (LockSocialWorker), which serialises every
// assignment of that worker, then inserts the new assignment and only then counts the worker's
// ACTIVE assignments of that scope with a locking read (CountActiveAssignments, FOR UPDATE on the
// scope's index): more than one is a duplicate and the transaction rolls back. Insert first, then
// read: a locking read of an empty range takes a gap lock, and two transactions holding gap locks
// on the same gap then both inserting into it deadlock (InnoDB's insert-intention wait; it happens
// between different workers of one village, whose ranges share a gap). When the read comes last,
// the gap locks are taken once the transaction has nothing left to wait for. On TiDB, which has
// no gap locks, the worker's row lock alone serialises, and FOR UPDATE reads the latest rows.
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

// Inserts an ACTIVE assignment of the request's village or cooperative.
void InsertAssignment(Tx& tx, const std::string& id, const v1::AssignSocialWorkerRequest& req,
                      int64_t now_us);
// The worker's ACTIVE assignments of the request's village or cooperative, counted by a locking
// read after the insert (see the file comment): 1 unless the insert made a duplicate.
int64_t CountActiveAssignments(Tx& tx, const v1::AssignSocialWorkerRequest& req);
// NOT_FOUND("assignment", id) when there is none. With `for_update` the row stays locked.
absl::Status LoadAssignment(Tx& tx, const std::string& id, bool for_update, v1::Assignment* out);
void EndAssignment(Tx& tx, const std::string& id, int64_t now_us);
void LoadAssignmentPage(Tx& tx, const std::string& social_worker_id, const PageRequest& page,
                        v1::ListAssignmentsResponse* out);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_SOCIAL_WORKER_STORE_H_
