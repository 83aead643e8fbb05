// The rules of reservations, apart from storage: request validation with the TTL bounds, whose
// partner a reservation is, the lifecycle and how a reservation reads at a given time (also as a
// list filter), and the lock order of its lines. The refusal for short stock is the stock rule's
// (stock_rules.h InsufficientStock). Pure functions: no SQL, no transaction, no gRPC.
//
// Lifecycle: HELD -> COMMITTED (commit before expire_time), HELD -> RELEASED (release before
// expire_time), HELD -> EXPIRED (the sweeper, or a release after expire_time). A HELD reservation
// whose expire_time has passed reads as EXPIRED even before the sweeper records it, and can no
// longer be committed. COMMITTED, RELEASED and EXPIRED are final.
#ifndef COOPLINK_SERVICES_CATALOG_RESERVATION_RULES_H_
#define COOPLINK_SERVICES_CATALOG_RESERVATION_RULES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/catalog_limits.h"
#include "services/common/auth.h"
#include "services/common/status.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

inline constexpr absl::Duration kMinReservationTtl = absl::Seconds(kReservationTtl.min);

// The configurable bounds (CatalogSettings); the defaults are the proto's (catalog_limits.h).
struct ReservationLimits {
  absl::Duration default_ttl = absl::Seconds(kReservationTtl.zero_means);
  absl::Duration max_ttl = absl::Seconds(kReservationTtl.max);
  int max_lines = static_cast<int>(kReservationLines.max);
};

// Validates a CreateReservation request into `v` (id, partner, 1..max_lines lines of distinct
// products and quantities in kLineQuantity — one violation for too many lines, not one per
// line —, a TTL of kMinReservationTtl..max_ttl or 0 for the default). Returns the effective TTL.
absl::Duration ValidateReservation(FieldViolations& v, const v1::CreateReservationRequest& req,
                                   const ReservationLimits& limits);

// The partner a reservation is for. A partner reserves for itself: its partner_id comes from its
// token, and naming it in the request is optional. A platform admin must name one (a violation on
// "partner_id" in `v` otherwise).
std::string ReservingPartner(FieldViolations& v, const Principal& p,
                             const std::string& requested_partner_id);
// PERMISSION_DENIED ROLE_NOT_ALLOWED when a partner names another partner (CreateReservation,
// ListReservations).
absl::Status CheckReservesForItself(const Principal& p, const std::string& requested_partner_id);

// The request body a reservation id is bound to: everything but the id, with the effective
// partner and TTL (so that a retry naming its own partner_id or leaving it empty, or giving the
// default TTL or none, is the same request).
v1::CreateReservationRequest ReservationBody(const v1::CreateReservationRequest& req,
                                             const std::string& partner_id, absl::Duration ttl);

// How a reservation stored in `stored` state with `expire_us` reads at `now_us`: a HELD one past
// its expire time reads as EXPIRED.
v1::ReservationState EffectiveState(v1::ReservationState stored, int64_t expire_us, int64_t now_us);

// What a commit does to a reservation in `stored` state at `now_us`.
enum class CommitStep {
  kConsume,      // HELD before its expire time: take the units
  kAlreadyDone,  // COMMITTED: answer as is
  kRefuse,       // released or expired: FAILED_PRECONDITION RESERVATION_NOT_HELD (CommitRefusal)
};
CommitStep CommitStepFor(v1::ReservationState stored, int64_t expire_us, int64_t now_us);
absl::Status CommitRefusal();

// What a release does: COMMITTED is refused (ReleaseRefusal); HELD becomes RELEASED, or EXPIRED
// when past its expire time; RELEASED and EXPIRED answer as they are.
enum class ReleaseStep { kRefuse, kRelease, kExpire, kUnchanged };
ReleaseStep ReleaseStepFor(v1::ReservationState stored, int64_t expire_us, int64_t now_us);
absl::Status ReleaseRefusal();

// Whether the sweeper expires a reservation in `stored` state at `now_us`.
bool SweeperExpires(v1::ReservationState stored, int64_t expire_us, int64_t now_us);

// One line of a reservation.
struct ReservationLine {
  int line_no = 0;
  std::string product_id;
  int64_t quantity = 0;
};
// The lines sorted by product id: the order stock rows are locked in.
std::vector<ReservationLine> ByProduct(std::vector<ReservationLine> lines);

// ListReservations' state filter in stored terms. A reservation reads as EXPIRED once a HELD one
// passes its expire time (EffectiveState), before the sweeper records it; so the filter HELD means
// "stored HELD, not yet expired" and EXPIRED means "stored EXPIRED, or stored HELD and expired".
struct StoredStateMatch {
  v1::ReservationState stored;
  enum class Expiry { kAny, kNotExpired, kExpired } expiry;
};
// The stored states that read as `effective`; empty for UNSPECIFIED (no filter).
std::vector<StoredStateMatch> StoredStatesFor(v1::ReservationState effective);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_RESERVATION_RULES_H_
