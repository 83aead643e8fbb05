#include "services/catalog/product_rules.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink::catalog {
namespace {

bool IsSixDigits(const std::string& s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

bool IsLanguageCode(const std::string& s) {
  return s.size() >= 2 && s.size() <= 8 &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isalpha(c) || c == '-'; });
}

void ValidateLabels(FieldViolations& v, v1::Product& p) {
  if (p.labels_size() > kMaxLabels) {
    v.Add("product.labels", absl::StrCat("at most ", kMaxLabels, " labels"));
  }
  std::vector<std::string> seen;
  for (int i = 0; i < p.labels_size(); ++i) {
    auto* label = p.mutable_labels(i);
    const std::string prefix = absl::StrCat("product.labels[", i, "]");
    label->set_language_code(Trimmed(label->language_code()));
    const std::string lower = absl::AsciiStrToLower(label->language_code());
    if (!IsLanguageCode(label->language_code())) {
      v.Add(prefix + ".language_code", "must be a language tag of 2 to 8 letters or '-'");
    } else if (lower == "zh" || lower == "zh-hans") {
      v.Add(prefix + ".language_code", "the primary title is already Simplified Chinese");
    } else if (std::find(seen.begin(), seen.end(), lower) != seen.end()) {
      v.Add(prefix + ".language_code", "at most one label per language");
    }
    seen.push_back(lower);
    label->set_title(CheckText(v, prefix + ".title", label->title(), kMaxTitle));
    label->set_description(
        CheckText(v, prefix + ".description", label->description(), kMaxDescription, false));
  }
}

void ValidateUnit(FieldViolations& v, const v1::Unit& u) {
  if (!v1::UnitKind_IsValid(u.kind()) || u.kind() == v1::UNIT_KIND_UNSPECIFIED) {
    v.Add("product.unit.kind", "must be one of the defined unit kinds");
  } else if (u.sold_by_weight()) {
    const int32_t fixed = u.kind() == v1::UNIT_KIND_KG     ? 1000
                          : u.kind() == v1::UNIT_KIND_JIN  ? 500
                          : u.kind() == v1::UNIT_KIND_GRAM ? 1
                                                           : 0;
    if (u.unit_weight_grams() < 1 || u.unit_weight_grams() > kMaxUnitWeightGrams) {
      v.Add("product.unit.unit_weight_grams", "required when sold by weight: 1 to 1000000 grams");
    } else if (fixed != 0 && u.unit_weight_grams() != fixed) {
      v.Add("product.unit.unit_weight_grams",
            absl::StrCat("must be ", fixed, " for this unit kind"));
    }
  } else if (u.unit_weight_grams() != 0) {
    v.Add("product.unit.unit_weight_grams", "must be 0 unless sold by weight");
  }
}

void ValidateImages(FieldViolations& v, v1::Product& p) {
  if (p.image_urls_size() > kMaxImages) {
    v.Add("product.image_urls", absl::StrCat("at most ", kMaxImages, " images"));
  }
  for (int i = 0; i < p.image_urls_size(); ++i) {
    p.set_image_urls(i, Trimmed(p.image_urls(i)));
    const std::string& url = p.image_urls(i);
    if (url.size() <= 8 || url.compare(0, 8, "https://") != 0 || CharCount(url) > kMaxImageUrl) {
      v.Add(absl::StrCat("product.image_urls[", i, "]"),
            "must be an https:// URL of at most 500 characters");
    }
  }
}

void ValidateCertifications(FieldViolations& v, const v1::Product& p) {
  std::vector<int> seen;
  for (int c : p.certifications()) {
    if (!v1::Certification_IsValid(c) || c == v1::CERTIFICATION_UNSPECIFIED) {
      v.Add("product.certifications", "must hold defined certifications only");
      return;
    }
    if (std::find(seen.begin(), seen.end(), c) != seen.end()) {
      v.Add("product.certifications", "must not repeat a certification");
      return;
    }
    seen.push_back(c);
  }
}

}  // namespace

absl::string_view ProductActionMethod(ProductAction action) {
  switch (action) {
    case ProductAction::kSubmit:
      return "SubmitProduct";
    case ProductAction::kApprove:
      return "ApproveProduct";
    case ProductAction::kReject:
      return "RejectProduct";
    case ProductAction::kPause:
      return "PauseProduct";
    case ProductAction::kResume:
      return "ResumeProduct";
    case ProductAction::kArchive:
      return "ArchiveProduct";
  }
  return "";
}

absl::string_view ProductActionVerb(ProductAction action) {
  switch (action) {
    case ProductAction::kSubmit:
      return "submit";
    case ProductAction::kApprove:
      return "approve";
    case ProductAction::kReject:
      return "reject";
    case ProductAction::kPause:
      return "pause";
    case ProductAction::kResume:
      return "resume";
    case ProductAction::kArchive:
      return "archive";
  }
  return "";
}

ProductActionEffects EffectsOf(ProductAction action) {
  ProductActionEffects e;
  switch (action) {
    case ProductAction::kSubmit:
      e.certificate_rule = true;
      e.record_submitter = true;
      break;
    case ProductAction::kApprove:
      e.certificate_rule = true;
      e.forbid_submitter = true;
      break;
    case ProductAction::kReject:
      e.forbid_submitter = true;
      break;
    case ProductAction::kPause:
      break;
    case ProductAction::kResume:
      e.certificate_rule = true;
      break;
    case ProductAction::kArchive:
      e.withdraw_offers = true;
      break;
  }
  return e;
}

absl::Status InvalidTransition(v1::ProductState state, absl::string_view verb) {
  return FailedPrecondition(
      "INVALID_STATE_TRANSITION",
      absl::StrCat("cannot ", verb, " a product in state ", v1::ProductState_Name(state)));
}

absl::StatusOr<v1::ProductState> NextState(ProductAction action, v1::ProductState from) {
  using S = v1::ProductState;
  auto step = [&](std::initializer_list<S> sources, S to) -> absl::StatusOr<S> {
    if (std::find(sources.begin(), sources.end(), from) != sources.end()) return to;
    return InvalidTransition(from, ProductActionVerb(action));
  };
  switch (action) {
    case ProductAction::kSubmit:
      return step({v1::PRODUCT_STATE_DRAFT, v1::PRODUCT_STATE_REJECTED},
                  v1::PRODUCT_STATE_SUBMITTED);
    case ProductAction::kApprove:
      return step({v1::PRODUCT_STATE_SUBMITTED}, v1::PRODUCT_STATE_ACTIVE);
    case ProductAction::kReject:
      return step({v1::PRODUCT_STATE_SUBMITTED}, v1::PRODUCT_STATE_REJECTED);
    case ProductAction::kPause:
      return step({v1::PRODUCT_STATE_ACTIVE}, v1::PRODUCT_STATE_PAUSED);
    case ProductAction::kResume:
      return step({v1::PRODUCT_STATE_PAUSED}, v1::PRODUCT_STATE_ACTIVE);
    case ProductAction::kArchive:
      return step({v1::PRODUCT_STATE_DRAFT, v1::PRODUCT_STATE_SUBMITTED, v1::PRODUCT_STATE_ACTIVE,
                   v1::PRODUCT_STATE_REJECTED, v1::PRODUCT_STATE_PAUSED},
                  v1::PRODUCT_STATE_ARCHIVED);
  }
  return InvalidTransition(from, ProductActionVerb(action));
}

absl::Status RequireEditorRole(const Principal& principal) {
  return RequireRole(principal, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                                 Role::kMember});
}

absl::Status RequireActionRole(ProductAction action, const Principal& principal) {
  switch (action) {
    case ProductAction::kSubmit:
      return RequireEditorRole(principal);
    case ProductAction::kApprove:
    case ProductAction::kReject:
      return RequireRole(principal,
                         {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
    case ProductAction::kPause:
    case ProductAction::kResume:
    case ProductAction::kArchive:
      return RequireRole(principal, {Role::kPlatformAdmin, Role::kCooperativeAdmin});
  }
  return RequireRole(principal, {});
}

absl::Status RequireActionRelation(ProductAction action, Relation relation,
                                   const std::string& product_id) {
  switch (action) {
    case ProductAction::kSubmit:
      return RequireRelation(relation, kStaffRelations, product_id);
    case ProductAction::kApprove:
    case ProductAction::kReject:
      return RequireRelation(relation, kReviewerRelations, product_id);
    case ProductAction::kPause:
    case ProductAction::kResume:
    case ProductAction::kArchive:
      return RequireRelation(relation, kManagerRelations, product_id);
  }
  return RequireRelation(relation, {}, product_id);
}

absl::Status CheckNotSelfReview(ProductAction action, const std::string& submitted_by,
                                const std::string& principal_id) {
  if (EffectsOf(action).forbid_submitter && !submitted_by.empty() && submitted_by == principal_id) {
    return PermissionDenied("SELF_APPROVAL_NOT_ALLOWED",
                            "a product is reviewed by someone other than its submitter");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CheckTransitionReason(ProductAction action, const std::string& reason) {
  FieldViolations v;
  std::string checked;
  switch (action) {
    case ProductAction::kReject:
      checked = CheckText(v, "reason", reason, kMaxReason);
      break;
    case ProductAction::kPause:
    case ProductAction::kArchive:
      checked = CheckText(v, "reason", reason, kMaxReason, /*required=*/false);
      break;
    case ProductAction::kSubmit:
    case ProductAction::kApprove:
    case ProductAction::kResume:
      break;
  }
  if (!v.empty()) return v.ToStatus();
  return checked;
}

bool NeedsCertificate(v1::ProductCategory c) {
  switch (c) {
    case v1::PRODUCT_CATEGORY_VEGETABLE:
    case v1::PRODUCT_CATEGORY_CULTIVATED_FUNGI:
    case v1::PRODUCT_CATEGORY_FRUIT:
    case v1::PRODUCT_CATEGORY_FRESH_TEA_LEAVES:
    case v1::PRODUCT_CATEGORY_LIVESTOCK_POULTRY:
    case v1::PRODUCT_CATEGORY_EGGS:
    case v1::PRODUCT_CATEGORY_FARMED_AQUATIC:
      return true;
    default:
      return false;
  }
}

absl::Status CertificateRule(absl::Time now, const v1::Product& product) {
  if (Today(now) >= kCertificateRuleStart && NeedsCertificate(product.category()) &&
      product.compliance_certificate_number().empty()) {
    return FailedPrecondition("COMPLIANCE_CERTIFICATE_REQUIRED",
                              "products of this category need a compliance certificate "
                              "(承诺达标合格证) number since 2026-02-01");
  }
  return absl::OkStatus();
}

absl::Status CheckUpdatable(const v1::Product& current) {
  if (current.state() == v1::PRODUCT_STATE_SUBMITTED ||
      current.state() == v1::PRODUCT_STATE_ARCHIVED) {
    return InvalidTransition(current.state(), "update");
  }
  return absl::OkStatus();
}

void ValidateProduct(FieldViolations& v, v1::Product& p, const google::protobuf::FieldMask* mask) {
  auto want = [&](const char* path) { return mask == nullptr || MaskHas(*mask, path); };
  if (mask == nullptr) {
    CheckId(v, "product.cooperative_id", p.cooperative_id());
    CheckId(v, "product.household_id", p.household_id());
  }
  if (want("title")) p.set_title(CheckText(v, "product.title", p.title(), kMaxTitle));
  if (want("description")) {
    p.set_description(CheckText(v, "product.description", p.description(), kMaxDescription, false));
  }
  if (want("labels")) ValidateLabels(v, p);
  if (want("category")) {
    if (!v1::ProductCategory_IsValid(p.category()) ||
        p.category() == v1::PRODUCT_CATEGORY_UNSPECIFIED) {
      v.Add("product.category", "must be one of the defined categories");
    }
  }
  if (want("unit")) ValidateUnit(v, p.unit());
  if (want("price")) {
    if (p.price().fen() < 1 || p.price().fen() > kMaxPriceFen) {
      v.Add("product.price.fen", "must be 1 to 100000000 fen");
    }
  }
  if (want("min_order_quantity")) {
    if (p.min_order_quantity() < 1 || p.min_order_quantity() > kMaxMinOrder) {
      v.Add("product.min_order_quantity", "must be 1 to 1000000");
    }
  }
  if (want("origin_region_code")) {
    p.set_origin_region_code(Trimmed(p.origin_region_code()));
    if (!IsSixDigits(p.origin_region_code())) {
      v.Add("product.origin_region_code", "must be a 6-digit GB/T 2260 county code");
    }
  }
  if (want("image_urls")) ValidateImages(v, p);
  if (want("certifications")) ValidateCertifications(v, p);
  if (want("compliance_certificate_number")) {
    p.set_compliance_certificate_number(CheckText(v, "product.compliance_certificate_number",
                                                  p.compliance_certificate_number(),
                                                  kMaxCertificate, false));
  }
}

absl::Status CheckProductUpdateMask(const google::protobuf::FieldMask& mask) {
  return CheckUpdateMask(mask, {"title", "description", "labels", "category", "unit", "price",
                                "min_order_quantity", "origin_region_code", "image_urls",
                                "certifications", "compliance_certificate_number"});
}

v1::Product ApplyPatch(const v1::Product& current, const v1::Product& patch,
                       const google::protobuf::FieldMask& mask) {
  v1::Product next = current;
  if (MaskHas(mask, "title")) next.set_title(patch.title());
  if (MaskHas(mask, "description")) next.set_description(patch.description());
  if (MaskHas(mask, "labels")) *next.mutable_labels() = patch.labels();
  if (MaskHas(mask, "category")) next.set_category(patch.category());
  if (MaskHas(mask, "unit")) *next.mutable_unit() = patch.unit();
  if (MaskHas(mask, "price")) *next.mutable_price() = patch.price();
  if (MaskHas(mask, "min_order_quantity")) next.set_min_order_quantity(patch.min_order_quantity());
  if (MaskHas(mask, "origin_region_code")) next.set_origin_region_code(patch.origin_region_code());
  if (MaskHas(mask, "image_urls")) *next.mutable_image_urls() = patch.image_urls();
  if (MaskHas(mask, "certifications")) *next.mutable_certifications() = patch.certifications();
  if (MaskHas(mask, "compliance_certificate_number")) {
    next.set_compliance_certificate_number(patch.compliance_certificate_number());
  }
  return next;
}

v1::Product ExtrasOf(const v1::Product& product) {
  v1::Product extras;
  *extras.mutable_labels() = product.labels();
  *extras.mutable_image_urls() = product.image_urls();
  *extras.mutable_certifications() = product.certifications();
  return extras;
}

ProductDiff Diff(const v1::Product& current, const v1::Product& next) {
  ProductDiff d;
  d.price = next.price().fen() != current.price().fen();
  v1::Product others_next = next, others_current = current;
  others_next.clear_price();
  others_current.clear_price();
  d.fields = others_next.SerializeAsString() != others_current.SerializeAsString();
  d.unit = next.unit().SerializeAsString() != current.unit().SerializeAsString();
  d.text = next.title() != current.title() || next.description() != current.description() ||
           ExtrasOf(next).SerializeAsString() != ExtrasOf(current).SerializeAsString();
  return d;
}

void ValidateListFilters(FieldViolations& v, const v1::ListProductsRequest& req) {
  if (!req.cooperative_id().empty()) CheckId(v, "cooperative_id", req.cooperative_id());
  if (!v1::ProductCategory_IsValid(req.category())) {
    v.Add("category", "must be one of the defined categories");
  }
  const std::string& prefix = req.region_code();
  if (prefix.size() > 6 || !std::all_of(prefix.begin(), prefix.end(), absl::ascii_isdigit)) {
    v.Add("region_code", "must be up to 6 digits");
  }
  if (!v1::ProductState_IsValid(req.state())) v.Add("state", "must be one of the defined states");
  if (req.has_updated_since() &&
      (req.updated_since().seconds() < 0 || req.updated_since().nanos() < 0 ||
       req.updated_since().nanos() > 999999999)) {
    v.Add("updated_since", "must be a valid timestamp");
  }
}

int64_t TimestampMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

}  // namespace cooplink::catalog
