// The rules of products, apart from storage: the review lifecycle (which action leads from which
// state to which), who may perform each action, the certificate and self-review rules, field
// validation and what an update changes. Pure functions: no SQL, no transaction, no gRPC; the
// domain (products.cc, product_lifecycle.cc) applies them around one transaction. The lifecycle
// and who may act are defined in product_rules.cc, the content rules (fields, masks, patches,
// diffs, list filters) in product_fields.cc; the limits they check are in catalog_limits.h.
//
// The lifecycle:
//   submit   DRAFT, REJECTED                          -> SUBMITTED  (certificate rule)
//   approve  SUBMITTED                                -> ACTIVE     (certificate rule; not by the
//                                                                    submitter)
//   reject   SUBMITTED                                -> REJECTED   (reason required; not by the
//                                                                    submitter)
//   pause    ACTIVE                                   -> PAUSED
//   resume   PAUSED                                   -> ACTIVE     (certificate rule)
//   archive  DRAFT, SUBMITTED, ACTIVE, REJECTED, PAUSED -> ARCHIVED (withdraws ACTIVE offers)
// Any other (action, state) is FAILED_PRECONDITION INVALID_STATE_TRANSITION; ARCHIVED is final.
// Fields may be updated in every state but SUBMITTED (under review) and ARCHIVED.
#ifndef COOPLINK_SERVICES_CATALOG_PRODUCT_RULES_H_
#define COOPLINK_SERVICES_CATALOG_PRODUCT_RULES_H_

#include <google/protobuf/field_mask.pb.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "cooplink/catalog/v1/catalog.pb.h"
#include "services/catalog/access.h"
#include "services/catalog/catalog_limits.h"
#include "services/common/auth.h"
#include "services/common/status.h"

namespace cooplink::catalog {

namespace v1 = ::cooplink::catalog::v1;

// The day from which certificate categories need a 承诺达标合格证.
inline constexpr absl::CivilDay kCertificateRuleStart(2026, 2, 1);

// --- The lifecycle ------------------------------------------------------------------------------
enum class ProductAction { kSubmit, kApprove, kReject, kPause, kResume, kArchive };
inline constexpr ProductAction kProductActions[] = {
    ProductAction::kSubmit, ProductAction::kApprove, ProductAction::kReject,
    ProductAction::kPause,  ProductAction::kResume,  ProductAction::kArchive};

// What a lifecycle action takes besides the state change.
struct ProductActionEffects {
  bool certificate_rule = false;  // CertificateRule must hold
  bool forbid_submitter = false;  // never by the principal who submitted (CheckNotSelfReview)
  bool record_submitter = false;  // remembers the caller as the submitter
  bool withdraw_offers = false;   // withdraws the product's ACTIVE offers
};

// The RPC method ("SubmitProduct"), for the idempotency key.
absl::string_view ProductActionMethod(ProductAction action);
// The verb in messages ("submit").
absl::string_view ProductActionVerb(ProductAction action);
ProductActionEffects EffectsOf(ProductAction action);

// The state `action` leads to from `from`; FAILED_PRECONDITION INVALID_STATE_TRANSITION
// ("cannot <verb> a product in state <STATE>") when the lifecycle has no such step.
absl::StatusOr<v1::ProductState> NextState(ProductAction action, v1::ProductState from);

// The same refusal, for an action outside the lifecycle ("update").
absl::Status InvalidTransition(v1::ProductState state, absl::string_view verb);

// --- Who may act --------------------------------------------------------------------------------
// By role alone, before anything else is looked at: PERMISSION_DENIED ROLE_NOT_ALLOWED unless the
// role may ever perform `action` (submit: the editors; approve, reject: platform admin, social
// worker, cooperative admin; pause, resume, archive: platform admin, cooperative admin).
absl::Status RequireActionRole(ProductAction action, const Principal& principal);
// By the caller's relation to the product: NOT_FOUND outside its scope, PERMISSION_DENIED when
// in scope but not allowed (submit: kStaffRelations; approve, reject: kReviewerRelations; pause,
// resume, archive: kManagerRelations).
absl::Status RequireActionRelation(ProductAction action, Relation relation,
                                   const std::string& product_id);
// Who may create, read, update and list the history of products: platform admin, social worker,
// cooperative admin, member (PERMISSION_DENIED for the other roles).
absl::Status RequireEditorRole(const Principal& principal);
// PERMISSION_DENIED SELF_APPROVAL_NOT_ALLOWED when `action` forbids the submitter and the caller
// is the one who submitted (`submitted_by`, empty when nobody has).
absl::Status CheckNotSelfReview(ProductAction action, const std::string& submitted_by,
                                const std::string& principal_id);
// The action's reason after validation (reject: required; pause, archive: optional; others: none,
// the request has no reason). INVALID_ARGUMENT on field "reason" when too long or missing.
absl::StatusOr<std::string> CheckTransitionReason(ProductAction action, const std::string& reason);

// --- Content rules ------------------------------------------------------------------------------
// Whether products of category `c` need a compliance certificate (承诺达标合格证) number.
bool NeedsCertificate(v1::ProductCategory c);
// FAILED_PRECONDITION COMPLIANCE_CERTIFICATE_REQUIRED when, on or after kCertificateRuleStart
// (China Standard Time), a product of such a category has no certificate number.
absl::Status CertificateRule(absl::Time now, const v1::Product& product);
// FAILED_PRECONDITION INVALID_STATE_TRANSITION ("cannot update …") while SUBMITTED or ARCHIVED.
absl::Status CheckUpdatable(const v1::Product& current);

// Validates (and trims) the writable fields of `p` against catalog_limits.h: all of them when
// `mask` is null (create), else those the mask names. Field names are "product.<path>". On create a
// min_order_quantity of 0 becomes 1 (the proto's default). unit_weight_grams is 0 to 100000:
// required when sold by weight, optional otherwise (shipping), and a non-zero weight of a KG, JIN
// or GRAM unit must be 1000, 500 or 1.
void ValidateProduct(FieldViolations& v, v1::Product& p, const google::protobuf::FieldMask* mask);
// The fields UpdateProduct may name in its mask.
absl::Status CheckProductUpdateMask(const google::protobuf::FieldMask& mask);
// `current` with the fields named by `mask` taken from `patch`.
v1::Product ApplyPatch(const v1::Product& current, const v1::Product& patch,
                       const google::protobuf::FieldMask& mask);

// The repeated fields (labels, image URLs, certifications) stored together as one blob.
v1::Product ExtrasOf(const v1::Product& product);

// What an update changes.
struct ProductDiff {
  bool price = false;   // the price (recorded in the price history)
  bool fields = false;  // anything but the price
  bool unit = false;    // the unit (locked once the product has lots or stock)
  bool text = false;    // title, description or extras: the search index is rebuilt
  bool any() const { return price || fields; }
};
ProductDiff Diff(const v1::Product& current, const v1::Product& next);

// --- ListProducts filters -----------------------------------------------------------------------
// Validates the filters of a ListProducts request into `v`.
void ValidateListFilters(FieldViolations& v, const v1::ListProductsRequest& req);

}  // namespace cooplink::catalog

#endif  // COOPLINK_SERVICES_CATALOG_PRODUCT_RULES_H_
