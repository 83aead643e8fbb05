// Every mutating RPC carries a request_id, scoped (as the protos say) to the calling principal and
// the RPC. RunIdempotent() makes the mutation and the record of its reply one transaction, keyed by
// (principal, method, request_id):
//   - the first call runs the body and stores the reply;
//   - a retry (also a concurrent one: it waits on the key's row lock) replays the stored reply;
//   - the same request_id on the same RPC with a different body is FAILED_PRECONDITION
//     (REQUEST_ID_REUSED), nothing written; on another RPC it is another key;
//   - a body that fails rolls everything back and records nothing, so a retry runs again.
#ifndef COOPLINK_SERVICES_COMMON_IDEMPOTENCY_H_
#define COOPLINK_SERVICES_COMMON_IDEMPOTENCY_H_

#include <google/protobuf/message.h>
#include <functional>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/auth.h"
#include "services/common/clock.h"
#include "services/common/db.h"

namespace cooplink {

struct IdempotencyKey {
  std::string principal_id;
  std::string request_id;
  std::string method;        // the RPC's name: part of the key
  std::string request_hash;  // SHA-256 of the request serialised deterministically, without
                             // request_id
};

// True for 1..64 characters of [A-Za-z0-9_-]: the rule for request_ids and caller-chosen ids
// such as reservation ids.
bool IsValidRequestId(absl::string_view id);
// SHA-256 (hex) of `message` serialised deterministically: equal requests, equal fingerprints.
std::string RequestFingerprint(const google::protobuf::Message& message);

// INVALID_ARGUMENT (field "request_id") unless the request's request_id is 1..64 chars of
// [A-Za-z0-9_-]. `request` must have a string field named request_id.
absl::StatusOr<IdempotencyKey> MakeIdempotencyKey(const Principal& principal,
                                                  absl::string_view method,
                                                  const google::protobuf::Message& request);

// Runs `body` in a transaction at most once per key; see the file comment. `reply` is the
// message the body fills in and the one a replay is parsed into.
absl::Status RunIdempotent(Database& db, const Clock& clock, const IdempotencyKey& key,
                           google::protobuf::Message* reply,
                           const std::function<absl::Status(Tx&)>& body);

// For a call whose effect spans several transactions and calls to other services (orders' stock
// saga): looks the key up BEFORE anything is sent anywhere. Returns true with `reply` filled when
// the key already holds a reply for an identical request (a retry: replay it); false when the key
// is not known; FAILED_PRECONDITION REQUEST_ID_REUSED for a different request. A plain read: a
// concurrent first call may still be running, which RunIdempotent then settles.
absl::StatusOr<bool> ReplayIfSeen(Database& db, const IdempotencyKey& key,
                                  google::protobuf::Message* reply);
// Replaces the stored reply of `key` (recorded by RunIdempotent earlier in the same call) in the
// caller's transaction, so a retry replays what the caller finally received. Does nothing when the
// key is not stored.
void StoreReply(Tx& tx, const IdempotencyKey& key, const google::protobuf::Message& reply);

// Deletes up to `limit` remembered request_ids created before `cutoff`; returns how many. The API
// promises at least 24 hours; services keep them for kIdempotencyRetention.
inline constexpr absl::Duration kIdempotencyRetention = absl::Hours(24 * 7);
absl::StatusOr<int64_t> PurgeIdempotencyKeys(Database& db, absl::Time cutoff, int limit);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_IDEMPOTENCY_H_
