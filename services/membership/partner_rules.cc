#include "services/membership/partner_rules.h"

#include "services/common/fields.h"

namespace cooplink::membership {

void ValidatePartner(FieldViolations& v, v1::Partner& p) {
  p.set_name(CheckText(v, "partner.name", p.name(), kPartnerName));
  if (!common::v1::ChannelKind_IsValid(p.channel_kind()) ||
      p.channel_kind() == common::v1::CHANNEL_KIND_UNSPECIFIED) {
    v.Add("partner.channel_kind", "must be one of the defined channel kinds");
  }
  CheckInteger(v, "partner.commission_rate_bps", p.commission_rate_bps(), kCommissionRateBps);
  p.set_contact(CheckText(v, "partner.contact", p.contact(), kPartnerContact));
  if (!common::v1::Platform_IsValid(p.platform())) {
    v.Add("partner.platform", "must be one of the defined platforms");
  }
  if (!common::v1::RefundDecider_IsValid(p.refund_decider())) {
    v.Add("partner.refund_decider", "must be PLATFORM or COOPERATIVE");
  } else if (p.refund_decider() == common::v1::REFUND_DECIDER_UNSPECIFIED) {
    // On create, unset means the platform's way; an update must name one (see the patch).
    p.set_refund_decider(p.platform() != common::v1::PLATFORM_UNSPECIFIED
                             ? common::v1::REFUND_DECIDER_PLATFORM
                             : common::v1::REFUND_DECIDER_COOPERATIVE);
  }
}

v1::Partner ApplyPartnerPatch(const v1::Partner& current, const v1::Partner& patch,
                              const google::protobuf::FieldMask& mask) {
  v1::Partner next = current;
  if (MaskHas(mask, "name")) next.set_name(patch.name());
  if (MaskHas(mask, "channel_kind")) next.set_channel_kind(patch.channel_kind());
  if (MaskHas(mask, "commission_rate_bps")) {
    next.set_commission_rate_bps(patch.commission_rate_bps());
  }
  if (MaskHas(mask, "contact")) next.set_contact(patch.contact());
  if (MaskHas(mask, "platform")) next.set_platform(patch.platform());
  if (MaskHas(mask, "refund_decider")) next.set_refund_decider(patch.refund_decider());
  return next;
}

absl::Status ValidatePartnerPatch(const v1::Partner& patch,
                                  const google::protobuf::FieldMask& mask) {
  // The unmasked fields hold valid placeholders, so only the masked ones can be reported.
  v1::Partner probe;
  probe.set_name("-");
  probe.set_channel_kind(common::v1::CHANNEL_KIND_OTHER);
  probe.set_refund_decider(common::v1::REFUND_DECIDER_COOPERATIVE);
  probe = ApplyPartnerPatch(probe, patch, mask);
  FieldViolations v;
  if (MaskHas(mask, "refund_decider") &&
      patch.refund_decider() == common::v1::REFUND_DECIDER_UNSPECIFIED) {
    v.Add("partner.refund_decider", "must be PLATFORM or COOPERATIVE");
  }
  ValidatePartner(v, probe);
  return v.ToStatus();
}

absl::Status CheckChannelKindFilter(int channel_kind) {
  if (!common::v1::ChannelKind_IsValid(channel_kind)) {
    return InvalidField("channel_kind", "unknown channel kind");
  }
  return absl::OkStatus();
}

absl::Status CheckPartnerVisible(const Principal& p, const std::string& partner_id) {
  if (p.is(Role::kPartner) && p.partner_id != partner_id) return NotFound("partner", partner_id);
  return absl::OkStatus();
}

}  // namespace cooplink::membership
