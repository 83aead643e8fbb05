// The rules of partners (the sales platforms, or seller accounts on them, that cooperatives sell
// through): valid records, masked updates and who may see a partner. Pure: no SQL, no
// transaction, no gRPC.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_PARTNER_RULES_H_
#define COOPLINK_SERVICES_MEMBERSHIP_PARTNER_RULES_H_

#include <google/protobuf/field_mask.pb.h>

#include <string>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/auth.h"
#include "services/common/status.h"
#include "services/membership/membership_limits.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

// The fields UpdatePartner may change.
inline constexpr std::initializer_list<const char*> kPartnerUpdatePaths = {
    "name", "channel_kind", "commission_rate_bps", "contact", "platform", "refund_decider"};

// Adds a violation per invalid writable field of `p` and normalises them in place (trimmed
// texts).
void ValidatePartner(FieldViolations& v, v1::Partner& p);
// `current` with the fields of `patch` named in `mask` copied over.
v1::Partner ApplyPartnerPatch(const v1::Partner& current, const v1::Partner& patch,
                              const google::protobuf::FieldMask& mask);
// Validates only the fields of `patch` named in `mask` (before any database work, so bad input
// never waits on locks).
absl::Status ValidatePartnerPatch(const v1::Partner& patch,
                                  const google::protobuf::FieldMask& mask);
// INVALID_ARGUMENT unless `channel_kind` is a defined channel kind (UNSPECIFIED: any).
absl::Status CheckChannelKindFilter(int channel_kind);

// A partner principal sees only its own partner record: any other reads as NOT_FOUND.
absl::Status CheckPartnerVisible(const Principal& p, const std::string& partner_id);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_PARTNER_RULES_H_
