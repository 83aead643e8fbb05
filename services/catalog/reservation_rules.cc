#include "services/catalog/reservation_rules.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"

namespace cooplink::catalog {

absl::Duration ValidateReservation(FieldViolations& v, const v1::CreateReservationRequest& req,
                                   const ReservationLimits& limits) {
  if (!IsValidRequestId(req.reservation_id())) {  // kReservationId: the request_id rule
    v.Add("reservation_id", "required: 1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!req.partner_id().empty()) CheckId(v, "partner_id", req.partner_id());
  if (req.lines().empty() || req.lines_size() > limits.max_lines) {  // kReservationLines
    v.Add("lines", absl::StrCat("required: 1 to ", limits.max_lines, " lines"));
  }
  std::map<std::string, int> seen;  // product id -> first line index
  // Too many lines is one violation, not one per line (the details must fit in a trailer).
  const int checked_lines = req.lines_size() > limits.max_lines ? 0 : req.lines_size();
  for (int i = 0; i < checked_lines; ++i) {
    const auto& line = req.lines(i);
    const std::string field = absl::StrCat("lines[", i, "]");
    CheckId(v, field + ".product_id", line.product_id());
    if (!line.product_id().empty() && !seen.emplace(line.product_id(), i).second) {
      v.Add(field + ".product_id", "the product is already on another line");
    }
    CheckInteger(v, field + ".quantity", line.quantity(), kLineQuantity);
  }
  absl::Duration ttl = absl::Seconds(req.ttl().seconds()) + absl::Nanoseconds(req.ttl().nanos());
  if (ttl < absl::ZeroDuration() || req.ttl().nanos() < 0 || req.ttl().nanos() > 999999999) {
    v.Add("ttl", "must not be negative");
  } else if (ttl == absl::ZeroDuration()) {
    ttl = limits.default_ttl;
  } else if (ttl < kMinReservationTtl || ttl > limits.max_ttl) {
    v.Add("ttl", absl::StrCat("must be 1 minute to ", absl::FormatDuration(limits.max_ttl)));
  }
  return ttl;
}

std::string ReservingPartner(FieldViolations& v, const Principal& p,
                             const std::string& requested_partner_id) {
  if (p.is(Role::kPartner)) return p.partner_id;
  if (requested_partner_id.empty()) {
    v.Add("partner_id", "required: the partner the reservation is for");
  }
  return requested_partner_id;
}

absl::Status CheckReservesForItself(const Principal& p, const std::string& requested_partner_id) {
  if (p.is(Role::kPartner) && !requested_partner_id.empty() &&
      requested_partner_id != p.partner_id) {
    return PermissionDenied("ROLE_NOT_ALLOWED",
                            "a partner may name only itself: its reservations are its own");
  }
  return absl::OkStatus();
}

v1::CreateReservationRequest ReservationBody(const v1::CreateReservationRequest& req,
                                             const std::string& partner_id, absl::Duration ttl) {
  v1::CreateReservationRequest body = req;
  body.clear_reservation_id();
  body.set_partner_id(partner_id);
  body.mutable_ttl()->set_seconds(absl::ToInt64Seconds(ttl));
  body.mutable_ttl()->set_nanos(0);
  return body;
}

v1::ReservationState EffectiveState(v1::ReservationState stored, int64_t expire_us,
                                    int64_t now_us) {
  if (stored == v1::RESERVATION_STATE_HELD && expire_us <= now_us) {
    return v1::RESERVATION_STATE_EXPIRED;
  }
  return stored;
}

CommitStep CommitStepFor(v1::ReservationState stored, int64_t expire_us, int64_t now_us) {
  if (stored == v1::RESERVATION_STATE_HELD && expire_us > now_us) return CommitStep::kConsume;
  if (stored == v1::RESERVATION_STATE_COMMITTED) return CommitStep::kAlreadyDone;
  return CommitStep::kRefuse;
}

absl::Status CommitRefusal() {
  return FailedPrecondition("RESERVATION_NOT_HELD", "the reservation was released or has expired");
}

ReleaseStep ReleaseStepFor(v1::ReservationState stored, int64_t expire_us, int64_t now_us) {
  if (stored == v1::RESERVATION_STATE_COMMITTED) return ReleaseStep::kRefuse;
  if (stored == v1::RESERVATION_STATE_HELD) {
    // Past its expire_time it already reads as EXPIRED: record it as such.
    return expire_us <= now_us ? ReleaseStep::kExpire : ReleaseStep::kRelease;
  }
  return ReleaseStep::kUnchanged;
}

absl::Status ReleaseRefusal() {
  return FailedPrecondition("RESERVATION_COMMITTED", "the reservation was committed");
}

bool SweeperExpires(v1::ReservationState stored, int64_t expire_us, int64_t now_us) {
  return stored == v1::RESERVATION_STATE_HELD && expire_us <= now_us;
}

std::vector<ReservationLine> ByProduct(std::vector<ReservationLine> lines) {
  std::sort(lines.begin(), lines.end(), [](const ReservationLine& a, const ReservationLine& b) {
    return a.product_id < b.product_id;
  });
  return lines;
}

std::vector<StoredStateMatch> StoredStatesFor(v1::ReservationState effective) {
  using Expiry = StoredStateMatch::Expiry;
  switch (effective) {
    case v1::RESERVATION_STATE_HELD:
      return {{v1::RESERVATION_STATE_HELD, Expiry::kNotExpired}};
    case v1::RESERVATION_STATE_EXPIRED:
      return {{v1::RESERVATION_STATE_EXPIRED, Expiry::kAny},
              {v1::RESERVATION_STATE_HELD, Expiry::kExpired}};
    case v1::RESERVATION_STATE_COMMITTED:
    case v1::RESERVATION_STATE_RELEASED:
      return {{effective, Expiry::kAny}};
    default:
      return {};
  }
}

}  // namespace cooplink::catalog
