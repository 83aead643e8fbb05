// The rules of principals (users and service accounts) and their bearer tokens: valid principals,
// token lifetimes, the claims a token carries and who may see a principal's tokens. Pure: no SQL,
// no transaction, no gRPC.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_PRINCIPAL_RULES_H_
#define COOPLINK_SERVICES_MEMBERSHIP_PRINCIPAL_RULES_H_

#include <google/protobuf/duration.pb.h>

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/auth.h"
#include "services/common/status.h"
#include "services/membership/membership_limits.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

// From membership_limits.h.
inline constexpr absl::Duration kDefaultTokenTtl = absl::Seconds(kTokenTtl.zero_means);
inline constexpr absl::Duration kMaxTokenTtl = absl::Seconds(kTokenTtl.max);
inline constexpr int kDefaultRevocationPage = static_cast<int>(kRevocationPageSize.zero_means);
inline constexpr int kMaxRevocationPage = static_cast<int>(kRevocationPageSize.max);

// Validates `p` and trims its display name: the role must be defined, and exactly the scope ids
// the role needs must be set (a cooperative admin: cooperative_id; a member: cooperative_id,
// household_id and member_id; a social worker: social_worker_id; a partner: partner_id).
void ValidatePrincipal(FieldViolations& v, v1::Principal& p);
// INVALID_ARGUMENT unless the member named by a member principal belongs to the principal's
// cooperative and household.
absl::Status CheckMemberPlacement(const v1::Principal& p, const std::string& member_cooperative_id,
                                  const std::string& member_household_id);

// A requested token lifetime: zero means kDefaultTokenTtl; negative or above kMaxTokenTtl adds a
// violation.
absl::Duration TokenTtl(FieldViolations& v, const google::protobuf::Duration& requested);
// When a token issued at `now` for `ttl` expires, in whole seconds (tokens carry seconds).
int64_t TokenExpiryMicros(absl::Time now, absl::Duration ttl);
// The claims a token of `p` carries.
Principal TokenClaims(const v1::Principal& p, const std::string& token_id, absl::Time expire_time);

// Principals and their tokens are visible only to their owner and to platform admins.
bool OwnsOrAdmin(const Principal& caller, const std::string& principal_id);

// ListTokenRevocations' page: INVALID_ARGUMENT for a negative size or sequence; a size of 0 is
// the default, anything above the maximum is clamped.
absl::StatusOr<int> RevocationPageSize(const v1::ListTokenRevocationsRequest& req);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_PRINCIPAL_RULES_H_
