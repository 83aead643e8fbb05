// The content rules of products (product_rules.h, "Content rules"): field validation against
// catalog_limits.h, update masks, patches and diffs, and the ListProducts filters. The lifecycle
// and who may act are in product_rules.cc.
#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/catalog/product_rules.h"  // declares what this file defines
#include "services/common/fields.h"

namespace cooplink::catalog {
namespace {

bool IsDigits(const std::string& s, const FieldLimit& limit) {
  const auto n = static_cast<int64_t>(s.size());
  return n >= limit.min && n <= limit.max && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

// A BCP-47 tag as the proto bounds it: 2 to 35 letters, digits or '-', starting with a letter.
bool IsLanguageCode(const std::string& s) {
  const auto n = static_cast<int64_t>(s.size());
  return n >= kLabelLanguageCode.min && n <= kLabelLanguageCode.max && absl::ascii_isalpha(s[0]) &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isalnum(c) || c == '-'; });
}

void ValidateLabels(FieldViolations& v, v1::Product& p) {
  CheckCount(v, "product.labels", p.labels_size(), kProductLabels);
  std::vector<std::string> seen;
  for (int i = 0; i < p.labels_size(); ++i) {
    auto* label = p.mutable_labels(i);
    const std::string prefix = absl::StrCat("product.labels[", i, "]");
    label->set_language_code(Trimmed(label->language_code()));
    const std::string lower = absl::AsciiStrToLower(label->language_code());
    if (!IsLanguageCode(label->language_code())) {
      v.Add(prefix + ".language_code",
            absl::StrCat("must be a BCP-47 language tag of ", DescribeLimit(kLabelLanguageCode),
                         " (letters, digits, '-')"));
    } else if (lower == "zh" || lower == "zh-hans") {
      v.Add(prefix + ".language_code", "the primary title is already Simplified Chinese");
    } else if (std::find(seen.begin(), seen.end(), lower) != seen.end()) {
      v.Add(prefix + ".language_code", "at most one label per language");
    }
    seen.push_back(lower);
    label->set_title(CheckText(v, prefix + ".title", label->title(), kLabelTitle));
    label->set_description(
        CheckText(v, prefix + ".description", label->description(), kLabelDescription));
  }
}

// The weight of one unit of a weight unit kind; 0 for the other kinds.
int32_t FixedUnitWeight(v1::UnitKind kind) {
  switch (kind) {
    case v1::UNIT_KIND_KG:
      return 1000;
    case v1::UNIT_KIND_JIN:
      return 500;
    case v1::UNIT_KIND_GRAM:
      return 1;
    default:
      return 0;
  }
}

void ValidateUnit(FieldViolations& v, const v1::Unit& u) {
  constexpr const char* kField = "product.unit.unit_weight_grams";
  if (!v1::UnitKind_IsValid(u.kind()) || u.kind() == v1::UNIT_KIND_UNSPECIFIED) {
    v.Add("product.unit.kind", "must be one of the defined unit kinds");
    return;
  }
  if (!CheckInteger(v, kField, u.unit_weight_grams(), kUnitWeightGrams)) return;
  const int32_t fixed = FixedUnitWeight(u.kind());
  if (u.sold_by_weight() && u.unit_weight_grams() == 0) {
    v.Add(kField, "is required (greater than 0) when sold by weight");
  } else if (fixed != 0 && u.unit_weight_grams() != 0 && u.unit_weight_grams() != fixed) {
    v.Add(kField, absl::StrCat("must be ", fixed, " for this unit kind"));
  }
}

void ValidateImages(FieldViolations& v, v1::Product& p) {
  CheckCount(v, "product.image_urls", p.image_urls_size(), kProductImages);
  for (int i = 0; i < p.image_urls_size(); ++i) {
    p.set_image_urls(i, Trimmed(p.image_urls(i)));
    const std::string& url = p.image_urls(i);
    const auto chars = static_cast<int64_t>(CharCount(url));
    if (chars < kImageUrl.min || url.compare(0, 8, "https://") != 0 || chars > kImageUrl.max) {
      v.Add(absl::StrCat("product.image_urls[", i, "]"),
            absl::StrCat("must be an https:// URL of at most ", kImageUrl.max, " characters"));
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

void ValidateProduct(FieldViolations& v, v1::Product& p, const google::protobuf::FieldMask* mask) {
  auto want = [&](const char* path) { return mask == nullptr || MaskHas(*mask, path); };
  if (mask == nullptr) {
    CheckId(v, "product.cooperative_id", p.cooperative_id());
    CheckId(v, "product.household_id", p.household_id());
  }
  if (want("title")) p.set_title(CheckText(v, "product.title", p.title(), kProductTitle));
  if (want("description")) {
    p.set_description(CheckText(v, "product.description", p.description(), kProductDescription));
  }
  if (want("labels")) ValidateLabels(v, p);
  if (want("category")) {
    if (!v1::ProductCategory_IsValid(p.category()) ||
        p.category() == v1::PRODUCT_CATEGORY_UNSPECIFIED) {
      v.Add("product.category", "must be one of the defined categories");
    }
  }
  if (want("unit")) ValidateUnit(v, p.unit());
  if (want("price")) CheckFen(v, "product.price.fen", p.has_price(), p.price(), kProductPrice);
  if (want("min_order_quantity")) {
    p.set_min_order_quantity(
        EffectiveValue(p.min_order_quantity(), kMinOrderQuantity, /*creating=*/mask == nullptr));
    CheckInteger(v, "product.min_order_quantity", p.min_order_quantity(), kMinOrderQuantity);
  }
  if (want("origin_region_code")) {
    p.set_origin_region_code(Trimmed(p.origin_region_code()));
    if (!IsDigits(p.origin_region_code(), kOriginRegionCode)) {
      v.Add("product.origin_region_code", "must be a 6-digit GB/T 2260 county code");
    }
  }
  if (want("image_urls")) ValidateImages(v, p);
  if (want("certifications")) ValidateCertifications(v, p);
  if (want("compliance_certificate_number")) {
    p.set_compliance_certificate_number(CheckText(v, "product.compliance_certificate_number",
                                                  p.compliance_certificate_number(),
                                                  kCertificateNumber));
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
  if (!IsDigits(req.region_code(), kListRegionCode)) {
    v.Add("region_code", absl::StrCat("must be ", DescribeLimit(kListRegionCode)));
  }
  if (!v1::ProductState_IsValid(req.state())) v.Add("state", "must be one of the defined states");
  if (req.has_updated_since() &&
      (req.updated_since().seconds() < 0 || req.updated_since().nanos() < 0 ||
       req.updated_since().nanos() > 999999999)) {
    v.Add("updated_since", "must be a valid timestamp");
  }
}

}  // namespace cooplink::catalog
