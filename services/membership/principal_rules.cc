#include "services/membership/principal_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink::membership {

void ValidatePrincipal(FieldViolations& v, v1::Principal& p) {
  p.set_display_name(CheckText(v, "principal.display_name", p.display_name(), kDisplayName));
  if (!common::v1::Role_IsValid(p.role()) || p.role() == common::v1::ROLE_UNSPECIFIED) {
    v.Add("principal.role", "must be one of the defined roles");
    return;
  }
  const Role role = static_cast<Role>(p.role());
  auto scope = [&](const char* field, const std::string& value, bool needed) {
    if (needed) {
      CheckId(v, absl::StrCat("principal.", field), value);
    } else if (!value.empty()) {
      v.Add(absl::StrCat("principal.", field), "must be empty for this role");
    }
  };
  scope("cooperative_id", p.cooperative_id(),
        role == Role::kCooperativeAdmin || role == Role::kMember);
  scope("household_id", p.household_id(), role == Role::kMember);
  scope("member_id", p.member_id(), role == Role::kMember);
  scope("social_worker_id", p.social_worker_id(), role == Role::kSocialWorker);
  scope("partner_id", p.partner_id(), role == Role::kPartner);
}

absl::Status CheckMemberPlacement(const v1::Principal& p, const std::string& member_cooperative_id,
                                  const std::string& member_household_id) {
  if (member_cooperative_id != p.cooperative_id() || member_household_id != p.household_id()) {
    return InvalidField("principal.member_id",
                        "the member must belong to cooperative_id and household_id");
  }
  return absl::OkStatus();
}

absl::Duration TokenTtl(FieldViolations& v, const google::protobuf::Duration& requested) {
  absl::Duration ttl = absl::Seconds(requested.seconds()) + absl::Nanoseconds(requested.nanos());
  if (ttl == absl::ZeroDuration()) ttl = kDefaultTokenTtl;
  if (ttl < absl::ZeroDuration() || ttl > kMaxTokenTtl) {
    v.Add("ttl", "must be positive and at most 30 days");
  }
  return ttl;
}

int64_t TokenExpiryMicros(absl::Time now, absl::Duration ttl) {
  return ToMicros(now + ttl) / 1000000 * 1000000;
}

Principal TokenClaims(const v1::Principal& p, const std::string& token_id, absl::Time expire_time) {
  Principal out;
  out.id = p.id();
  out.role = static_cast<Role>(p.role());
  out.token_id = token_id;
  out.cooperative_id = p.cooperative_id();
  out.household_id = p.household_id();
  out.member_id = p.member_id();
  out.social_worker_id = p.social_worker_id();
  out.partner_id = p.partner_id();
  out.expire_time = expire_time;
  return out;
}

bool OwnsOrAdmin(const Principal& caller, const std::string& principal_id) {
  return caller.is(Role::kPlatformAdmin) || caller.id == principal_id;
}

absl::StatusOr<int> RevocationPageSize(const v1::ListTokenRevocationsRequest& req) {
  if (req.page_size() < 0) return InvalidField("page_size", "must not be negative");
  if (req.after_sequence() < 0) return InvalidField("after_sequence", "must not be negative");
  return req.page_size() == 0 ? kDefaultRevocationPage
                              : std::min(req.page_size(), kMaxRevocationPage);
}

}  // namespace cooplink::membership
