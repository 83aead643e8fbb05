#include "services/catalog/product_rules.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink::catalog {

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
      checked = CheckText(v, "reason", reason, kRejectReason);
      break;
    case ProductAction::kPause:
      checked = CheckText(v, "reason", reason, kPauseReason);
      break;
    case ProductAction::kArchive:
      checked = CheckText(v, "reason", reason, kArchiveReason);
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

}  // namespace cooplink::catalog
