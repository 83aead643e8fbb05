// The rules of a cooperative record: which values are valid, how a masked update applies, and
// when the fiscal year may change. Pure: no SQL, no transaction, no gRPC.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_COOPERATIVE_RULES_H_
#define COOPLINK_SERVICES_MEMBERSHIP_COOPERATIVE_RULES_H_

#include <google/protobuf/field_mask.pb.h>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/status.h"
#include "services/membership/membership_limits.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

// The fields UpdateCooperative may change.
inline constexpr std::initializer_list<const char*> kCooperativeUpdatePaths = {
    "name", "region_code", "fiscal_year_end_month", "service_fee_bps"};

// Adds a violation per invalid writable field of `c` (limits: membership_limits.h) and normalises
// them in place: trims the name; when `creating`, upper-cases the USCC (which must be a valid
// GB 32100 code of a farmers' cooperative, prefix 93) and defaults the fiscal year end month to
// December.
void ValidateCooperative(FieldViolations& v, v1::Cooperative& c, bool creating);

// INVALID_ARGUMENT unless `prefix` is up to 6 digits (a region code prefix).
absl::Status CheckRegionCodePrefix(const std::string& prefix);

// `current` with the fields of `patch` named in `mask` (already checked against
// kCooperativeUpdatePaths) copied over; the result still needs ValidateCooperative.
v1::Cooperative ApplyCooperativePatch(const v1::Cooperative& current, const v1::Cooperative& patch,
                                      const google::protobuf::FieldMask& mask);

// FAILED_PRECONDITION (PENDING_EXITS) when the fiscal year end moves while members have given
// notice: their exit date is the end of the fiscal year they gave notice in.
absl::Status CheckFiscalYearChange(const v1::Cooperative& current, const v1::Cooperative& next,
                                   bool has_pending_exits);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_COOPERATIVE_RULES_H_
