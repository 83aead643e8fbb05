#include "services/membership/cooperative_rules.h"

#include "absl/strings/ascii.h"
#include "services/common/fields.h"
#include "services/membership/identity.h"

namespace cooplink::membership {

void ValidateCooperative(FieldViolations& v, v1::Cooperative& c, bool creating) {
  c.set_name(CheckText(v, "cooperative.name", c.name(), kCooperativeName));
  if (creating) {
    c.set_uscc(absl::AsciiStrToUpper(Trimmed(c.uscc())));
    if (absl::Status s = ValidateUscc(c.uscc()); !s.ok()) {
      v.Add("cooperative.uscc", std::string(s.message()));
    } else if (!IsCooperativeUscc(c.uscc())) {
      v.Add("cooperative.uscc", "a farmers' cooperative's code must begin with 93 (GB 32100)");
    }
  }
  c.set_region_code(Trimmed(c.region_code()));
  if (!IsRegionCode(c.region_code())) {
    v.Add("cooperative.region_code", "must be a 6-digit GB/T 2260 region code");
  }
  c.set_fiscal_year_end_month(static_cast<int32_t>(
      EffectiveValue(c.fiscal_year_end_month(), kFiscalYearEndMonth, creating)));
  CheckInteger(v, "cooperative.fiscal_year_end_month", c.fiscal_year_end_month(),
               kFiscalYearEndMonth);
  CheckInteger(v, "cooperative.service_fee_bps", c.service_fee_bps(), kServiceFeeBps);
}

absl::Status CheckRegionCodePrefix(const std::string& prefix) {
  if (!IsCodePrefix(prefix, kRegionCodePrefix.max)) {
    return InvalidField("region_code_prefix", "must be up to 6 digits");
  }
  return absl::OkStatus();
}

v1::Cooperative ApplyCooperativePatch(const v1::Cooperative& current, const v1::Cooperative& patch,
                                      const google::protobuf::FieldMask& mask) {
  v1::Cooperative next = current;
  if (MaskHas(mask, "name")) next.set_name(patch.name());
  if (MaskHas(mask, "region_code")) next.set_region_code(patch.region_code());
  if (MaskHas(mask, "fiscal_year_end_month")) {
    next.set_fiscal_year_end_month(patch.fiscal_year_end_month());
  }
  if (MaskHas(mask, "service_fee_bps")) next.set_service_fee_bps(patch.service_fee_bps());
  return next;
}

absl::Status CheckFiscalYearChange(const v1::Cooperative& current, const v1::Cooperative& next,
                                   bool has_pending_exits) {
  if (next.fiscal_year_end_month() != current.fiscal_year_end_month() && has_pending_exits) {
    return FailedPrecondition("PENDING_EXITS",
                              "members have requested exit; changing the fiscal year would move "
                              "their exit date");
  }
  return absl::OkStatus();
}

}  // namespace cooplink::membership
