#include "services/membership/household_rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/common/fields.h"
#include "services/membership/identity.h"

namespace cooplink::membership {
namespace {

// Crockford base32 as used by NewId.
constexpr absl::string_view kIdAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void CheckVillageCode(FieldViolations& v, v1::Household& h) {
  h.set_village_code(Trimmed(h.village_code()));
  if (!IsVillageCode(h.village_code())) {
    v.Add("household.village_code",
          "must be a 12-digit village code whose first 6 digits are a GB/T 2260 region code");
  }
}
void CheckHeadName(FieldViolations& v, v1::Household& h) {
  h.set_head_name(CheckText(v, "household.head_name", h.head_name(), kHeadName));
}
void CheckResidentSize(FieldViolations& v, const v1::Household& h) {
  CheckInteger(v, "household.resident_size", h.resident_size(), kResidentSize);
}
void CheckEthnicity(FieldViolations& v, v1::Household& h) {
  h.set_ethnicity(CheckText(v, "household.ethnicity", h.ethnicity(), kEthnicity));
}

}  // namespace

void ValidateNewHousehold(FieldViolations& v, v1::Household& h) {
  CheckVillageCode(v, h);
  CheckHeadName(v, h);
  CheckResidentSize(v, h);
  CheckEthnicity(v, h);
  if (!v1::MonitoringCategory_IsValid(h.monitoring_category())) {
    v.Add("household.monitoring_category", "must be one of the defined categories");
  } else if (h.monitoring_category() == v1::MONITORING_CATEGORY_UNSPECIFIED) {
    h.set_monitoring_category(v1::MONITORING_CATEGORY_ORDINARY);
  }
}

void ValidateHouseholdPatch(FieldViolations& v, v1::Household& patch,
                            const google::protobuf::FieldMask& mask) {
  if (MaskHas(mask, "village_code")) CheckVillageCode(v, patch);
  if (MaskHas(mask, "head_name")) CheckHeadName(v, patch);
  if (MaskHas(mask, "resident_size")) CheckResidentSize(v, patch);
  if (MaskHas(mask, "ethnicity")) CheckEthnicity(v, patch);
}

v1::Household ApplyHouseholdPatch(const v1::Household& current, const v1::Household& patch,
                                  const google::protobuf::FieldMask& mask) {
  v1::Household next = current;
  if (MaskHas(mask, "village_code")) next.set_village_code(patch.village_code());
  if (MaskHas(mask, "head_name")) next.set_head_name(patch.head_name());
  if (MaskHas(mask, "resident_size")) next.set_resident_size(patch.resident_size());
  if (MaskHas(mask, "ethnicity")) next.set_ethnicity(patch.ethnicity());
  return next;
}

void ValidateHouseholdFilters(FieldViolations& v, const v1::ListHouseholdsRequest& req) {
  if (!IsCodePrefix(req.village_code_prefix(), kVillageCodePrefix.max)) {
    v.Add("village_code_prefix", "must be up to 12 digits");
  }
  if (!v1::MonitoringCategory_IsValid(req.monitoring_category())) {
    v.Add("monitoring_category", "must be one of the defined categories");
  }
  if (!req.cooperative_id().empty()) CheckId(v, "cooperative_id", req.cooperative_id());
}

absl::CivilDay ValidateSizeEffectiveDate(FieldViolations& v, const v1::UpdateHouseholdRequest& req,
                                         absl::CivilDay today) {
  if (!req.has_resident_size_effective_date()) return today;
  if (!MaskHas(req.update_mask(), "resident_size")) {
    v.Add("resident_size_effective_date", "may be set only with \"resident_size\" in update_mask");
    return today;
  }
  auto day = CheckDate(v, "resident_size_effective_date", req.resident_size_effective_date());
  if (!day.has_value()) return today;
  if (*day > today) {
    v.Add("resident_size_effective_date", "must not be in the future");
    return today;
  }
  return *day;
}

absl::Status CheckSizeChangeDate(const v1::Household& current, absl::CivilDay effective) {
  if (current.resident_size_history().empty()) return absl::OkStatus();
  const common::v1::Date& last = current.resident_size_history().rbegin()->effective_date();
  const absl::CivilDay last_day(last.year(), last.month(), last.day());
  if (effective >= last_day) return absl::OkStatus();
  FieldViolations v;
  v.Add("resident_size_effective_date",
        absl::StrCat("must not be before ", CivilToSql(last_day),
                     ", the effective date of the household's latest recorded resident size: the "
                     "size history is kept in date order"));
  return v.ToStatus();
}

absl::Status CheckRegistrationCategory(const Principal& p, v1::MonitoringCategory category) {
  if (p.is(Role::kCooperativeAdmin) && category != v1::MONITORING_CATEGORY_ORDINARY) {
    return PermissionDenied("ROLE_NOT_ALLOWED",
                            "a cooperative admin may only register ORDINARY households; the "
                            "monitoring category is set by social workers");
  }
  return absl::OkStatus();
}

std::optional<std::string> RegisteringCooperative(const Principal& p) {
  if (!p.is(Role::kCooperativeAdmin)) return std::nullopt;
  return p.cooperative_id;
}

absl::Status CheckVillageAssigned(const Scope& scope, const std::string& village_code) {
  if (scope.principal.is(Role::kSocialWorker) && !scope.HasVillage(village_code)) {
    return PermissionDenied("VILLAGE_NOT_ASSIGNED",
                            "the village is not assigned to the calling social worker");
  }
  return absl::OkStatus();
}

std::string ValidateCategoryChange(FieldViolations& v,
                                   const v1::ChangeMonitoringCategoryRequest& req,
                                   absl::CivilDay today) {
  CheckId(v, "household_id", req.household_id());
  if (!v1::MonitoringCategory_IsValid(req.category()) ||
      req.category() == v1::MONITORING_CATEGORY_UNSPECIFIED) {
    v.Add("category", "must be one of the defined categories (not UNSPECIFIED)");
  }
  std::string reason = CheckText(v, "reason", req.reason(), kCategoryReason);
  if (auto day = CheckDate(v, "effective_date", req.effective_date());
      day.has_value() && *day > today) {
    v.Add("effective_date", "must not be after today");
  }
  return reason;
}

absl::Status CheckCategoryChange(v1::MonitoringCategory current, v1::MonitoringCategory to) {
  if (current == to) {
    return FailedPrecondition("CATEGORY_UNCHANGED",
                              "the household is already in this monitoring category");
  }
  return absl::OkStatus();
}

std::string OrderedChangeId(const std::string& fresh_id,
                            const std::optional<std::string>& last_id) {
  if (last_id.has_value() && fresh_id <= *last_id) return IdSuccessor(*last_id);
  return fresh_id;
}

std::string IdSuccessor(std::string id) {
  for (size_t i = id.size(); i-- > 0;) {
    const size_t pos = kIdAlphabet.find(id[i]);
    if (pos + 1 < kIdAlphabet.size()) {
      id[i] = kIdAlphabet[pos + 1];
      return id;
    }
    id[i] = kIdAlphabet[0];
  }
  return id;  // unreachable for ids NewId produces (the top 2 bits are zero)
}

}  // namespace cooplink::membership
