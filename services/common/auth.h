// Authentication and authorization shared by every service.
//
// Tokens are issued by membership and verified locally by every service: a token is
//   "cl1." + base64url(claims) + "." + base64url(HMAC-SHA256(key, "cl1." + base64url(claims)))
// with claims "token_id|principal_id|role|cooperative_id|household_id|member_id|social_worker_id|
// partner_id|expiry_unix_seconds". Revocation is a list of token ids each service refreshes from
// membership (RevocationList): a revoked token stops working in membership within one refresh
// interval, elsewhere within the refresh interval plus the time membership takes to sequence the
// revocation into its feed (--revocation_feed_interval; services/membership/revocation_log.h).
//
// Every authentication failure is UNAUTHENTICATED with a google.rpc.ErrorInfo reason saying what a
// client should do. The checks run in this order and the first that fails is reported:
//   TOKEN_MISSING            no "authorization" entry, or "Bearer " with nothing after it
//   TOKEN_MALFORMED          not "Bearer <token>", or not shaped like a cooplink token
//                            ("cl1." + base64url claims + "." + base64url 32-byte signature), or
//                            claims that do not parse
//   TOKEN_SIGNATURE_INVALID  well-formed but not signed by this deployment's key (a token of
//                            another environment, a changed --token_key, or a tampered token)
//   TOKEN_EXPIRED            past its expiry; metadata "expire_time" (RFC 3339, UTC)
//   TOKEN_REVOKED            revoked by RevokeToken (within one revocation refresh)
// MISSING, MALFORMED and SIGNATURE_INVALID are client or deployment errors; EXPIRED and REVOKED
// mean "get a new token" (IssueToken) and retry.
#ifndef COOPLINK_SERVICES_COMMON_AUTH_H_
#define COOPLINK_SERVICES_COMMON_AUTH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/common/clock.h"

namespace cooplink {

// The ErrorInfo reasons of UNAUTHENTICATED (see the file comment).
inline constexpr char kTokenMissing[] = "TOKEN_MISSING";
inline constexpr char kTokenMalformed[] = "TOKEN_MALFORMED";
inline constexpr char kTokenSignatureInvalid[] = "TOKEN_SIGNATURE_INVALID";
inline constexpr char kTokenExpired[] = "TOKEN_EXPIRED";
inline constexpr char kTokenRevoked[] = "TOKEN_REVOKED";

// Numbering matches cooplink.common.v1.Role.
enum class Role : int {
  kUnspecified = 0,
  kPlatformAdmin = 1,
  kSocialWorker = 2,
  kCooperativeAdmin = 3,
  kMember = 4,
  kPartner = 5,
};
absl::string_view RoleName(Role role);

// Who is calling. Scope ids are set according to the role.
struct Principal {
  std::string id;
  Role role = Role::kUnspecified;
  std::string token_id;
  std::string cooperative_id;    // cooperative admin, member
  std::string household_id;      // member
  std::string member_id;         // member
  std::string social_worker_id;  // social worker
  std::string partner_id;        // partner
  absl::Time expire_time;

  bool is(Role r) const { return role == r; }
};

class TokenCodec {
 public:
  // `key` must be at least 32 bytes.
  static absl::StatusOr<TokenCodec> Create(std::string key);

  std::string Sign(const Principal& principal) const;
  // UNAUTHENTICATED with reason TOKEN_MALFORMED, TOKEN_SIGNATURE_INVALID or TOKEN_EXPIRED.
  absl::StatusOr<Principal> Verify(absl::string_view token, absl::Time now) const;

 private:
  explicit TokenCodec(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// Revoked token ids, refreshed from a source (membership's database or its ListTokenRevocations
// RPC). Entries are kept until the token would have expired anyway.
class RevocationList {
 public:
  struct Entry {
    std::string token_id;
    absl::Time expire_time;
    int64_t sequence = 0;
  };
  // Returns revocations with sequence > after_sequence, in sequence order. The source guarantees
  // that no revocation numbered at or below a sequence it returned appears later (membership's
  // feed is sequenced at commit). Entries with sequence 0 (committed, not yet sequenced; only
  // membership's own source has them) are listed without moving the cursor.
  using Source = std::function<absl::StatusOr<std::vector<Entry>>(int64_t after_sequence)>;

  RevocationList(Source source, const Clock* clock) : source_(std::move(source)), clock_(clock) {}
  ~RevocationList() { StopRefreshing(); }

  absl::Status Refresh();
  bool IsRevoked(absl::string_view token_id) const;
  // Refreshes every `interval` on a background thread until StopRefreshing() or destruction.
  void StartRefreshing(absl::Duration interval);
  void StopRefreshing();

 private:
  Source source_;
  const Clock* clock_;
  absl::Mutex refresh_mu_;  // serialises Refresh()
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> revoked_ ABSL_GUARDED_BY(mu_);
  int64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Notification stop_;
  std::thread refresher_;
};

// Authenticates "authorization: Bearer <token>" metadata values.
class Authenticator {
 public:
  Authenticator(const TokenCodec* codec, const RevocationList* revocations, const Clock* clock)
      : codec_(codec), revocations_(revocations), clock_(clock) {}
  // `header` is the raw authorization metadata value, "" when absent. UNAUTHENTICATED with one of
  // the reasons in the file comment.
  absl::StatusOr<Principal> Authenticate(absl::string_view header) const;

 private:
  const TokenCodec* codec_;
  const RevocationList* revocations_;
  const Clock* clock_;
};

// PERMISSION_DENIED unless the principal has one of `roles`.
absl::Status RequireRole(const Principal& p, std::initializer_list<Role> roles);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_AUTH_H_
