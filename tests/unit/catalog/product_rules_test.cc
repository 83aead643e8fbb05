// The product lifecycle and content rules, without a database: every action from every state,
// who may perform each action, self-review, the certificate rule, field limits at, below and
// above their bounds, and what an update changes.
#include "services/catalog/product_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/status.h"

namespace cooplink::catalog {
namespace {

constexpr char kCoop[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kHousehold[] = "01HH0000000000000000000000";
constexpr char kProductId[] = "01PRD00000000000000000000A";

// The legal steps of the lifecycle; everything else must be refused.
const std::map<std::pair<ProductAction, v1::ProductState>, v1::ProductState>& LegalSteps() {
  static const auto* const kSteps =
      new std::map<std::pair<ProductAction, v1::ProductState>, v1::ProductState>{
          {{ProductAction::kSubmit, v1::PRODUCT_STATE_DRAFT}, v1::PRODUCT_STATE_SUBMITTED},
          {{ProductAction::kSubmit, v1::PRODUCT_STATE_REJECTED}, v1::PRODUCT_STATE_SUBMITTED},
          {{ProductAction::kApprove, v1::PRODUCT_STATE_SUBMITTED}, v1::PRODUCT_STATE_ACTIVE},
          {{ProductAction::kReject, v1::PRODUCT_STATE_SUBMITTED}, v1::PRODUCT_STATE_REJECTED},
          {{ProductAction::kPause, v1::PRODUCT_STATE_ACTIVE}, v1::PRODUCT_STATE_PAUSED},
          {{ProductAction::kResume, v1::PRODUCT_STATE_PAUSED}, v1::PRODUCT_STATE_ACTIVE},
          {{ProductAction::kArchive, v1::PRODUCT_STATE_DRAFT}, v1::PRODUCT_STATE_ARCHIVED},
          {{ProductAction::kArchive, v1::PRODUCT_STATE_SUBMITTED}, v1::PRODUCT_STATE_ARCHIVED},
          {{ProductAction::kArchive, v1::PRODUCT_STATE_ACTIVE}, v1::PRODUCT_STATE_ARCHIVED},
          {{ProductAction::kArchive, v1::PRODUCT_STATE_REJECTED}, v1::PRODUCT_STATE_ARCHIVED},
          {{ProductAction::kArchive, v1::PRODUCT_STATE_PAUSED}, v1::PRODUCT_STATE_ARCHIVED},
      };
  return *kSteps;
}

std::vector<v1::ProductState> AllStates() {
  std::vector<v1::ProductState> states;
  const auto* descriptor = v1::ProductState_descriptor();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    states.push_back(static_cast<v1::ProductState>(descriptor->value(i)->number()));
  }
  return states;
}

TEST(ProductLifecycleTest, EveryActionFromEveryState) {
  int legal = 0;
  for (ProductAction action : kProductActions) {
    for (v1::ProductState from : AllStates()) {
      const auto next = NextState(action, from);
      const auto it = LegalSteps().find({action, from});
      const std::string what =
          absl::StrCat(ProductActionVerb(action), " from ", v1::ProductState_Name(from));
      if (it != LegalSteps().end()) {
        ++legal;
        ASSERT_TRUE(next.ok()) << what << ": " << next.status();
        EXPECT_EQ(*next, it->second) << what;
      } else {
        ASSERT_FALSE(next.ok()) << what;
        EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition) << what;
        EXPECT_EQ(ReasonOf(next.status()), "INVALID_STATE_TRANSITION") << what;
        EXPECT_EQ(next.status().message(),
                  absl::StrCat("cannot ", ProductActionVerb(action), " a product in state ",
                               v1::ProductState_Name(from)))
            << what;
      }
    }
  }
  EXPECT_EQ(legal, static_cast<int>(LegalSteps().size()));
}

TEST(ProductLifecycleTest, ArchivedIsFinal) {
  for (ProductAction action : kProductActions) {
    EXPECT_FALSE(NextState(action, v1::PRODUCT_STATE_ARCHIVED).ok()) << ProductActionVerb(action);
  }
}

TEST(ProductLifecycleTest, MethodsAndEffects) {
  EXPECT_EQ(ProductActionMethod(ProductAction::kSubmit), "SubmitProduct");
  EXPECT_EQ(ProductActionMethod(ProductAction::kArchive), "ArchiveProduct");
  EXPECT_TRUE(EffectsOf(ProductAction::kSubmit).record_submitter);
  EXPECT_TRUE(EffectsOf(ProductAction::kSubmit).certificate_rule);
  EXPECT_TRUE(EffectsOf(ProductAction::kApprove).forbid_submitter);
  EXPECT_TRUE(EffectsOf(ProductAction::kApprove).certificate_rule);
  EXPECT_TRUE(EffectsOf(ProductAction::kReject).forbid_submitter);
  EXPECT_FALSE(EffectsOf(ProductAction::kReject).certificate_rule);
  EXPECT_FALSE(EffectsOf(ProductAction::kPause).certificate_rule);
  EXPECT_TRUE(EffectsOf(ProductAction::kResume).certificate_rule);
  EXPECT_TRUE(EffectsOf(ProductAction::kArchive).withdraw_offers);
  for (ProductAction a : {ProductAction::kSubmit, ProductAction::kApprove, ProductAction::kReject,
                          ProductAction::kPause, ProductAction::kResume}) {
    EXPECT_FALSE(EffectsOf(a).withdraw_offers);
  }
}

Principal WithRole(Role role) {
  Principal p;
  p.id = "principal-1";
  p.role = role;
  return p;
}

TEST(ProductActorsTest, WhichRolesMayCallEachAction) {
  const std::map<ProductAction, std::set<Role>> allowed = {
      {ProductAction::kSubmit,
       {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin, Role::kMember}},
      {ProductAction::kApprove,
       {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin}},
      {ProductAction::kReject,
       {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin}},
      {ProductAction::kPause, {Role::kPlatformAdmin, Role::kCooperativeAdmin}},
      {ProductAction::kResume, {Role::kPlatformAdmin, Role::kCooperativeAdmin}},
      {ProductAction::kArchive, {Role::kPlatformAdmin, Role::kCooperativeAdmin}},
  };
  for (ProductAction action : kProductActions) {
    for (Role role : {Role::kUnspecified, Role::kPlatformAdmin, Role::kSocialWorker,
                      Role::kCooperativeAdmin, Role::kMember, Role::kPartner}) {
      const absl::Status s = RequireActionRole(action, WithRole(role));
      const std::string what = absl::StrCat(ProductActionVerb(action), " by ", RoleName(role));
      if (allowed.at(action).count(role) > 0) {
        EXPECT_TRUE(s.ok()) << what << ": " << s;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << what;
        EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED") << what;
      }
    }
  }
}

TEST(ProductActorsTest, WhichRelationsMayActOnAProduct) {
  const std::map<ProductAction, std::set<Relation>> allowed = {
      {ProductAction::kSubmit,
       {Relation::kPlatformAdmin, Relation::kAssignedWorker, Relation::kCooperativeAdmin,
        Relation::kProducerMember}},
      {ProductAction::kApprove,
       {Relation::kPlatformAdmin, Relation::kAssignedWorker, Relation::kCooperativeAdmin}},
      {ProductAction::kReject,
       {Relation::kPlatformAdmin, Relation::kAssignedWorker, Relation::kCooperativeAdmin}},
      {ProductAction::kPause, {Relation::kPlatformAdmin, Relation::kCooperativeAdmin}},
      {ProductAction::kResume, {Relation::kPlatformAdmin, Relation::kCooperativeAdmin}},
      {ProductAction::kArchive, {Relation::kPlatformAdmin, Relation::kCooperativeAdmin}},
  };
  for (ProductAction action : kProductActions) {
    for (Relation r :
         {Relation::kNone, Relation::kPlatformAdmin, Relation::kAssignedWorker,
          Relation::kCooperativeAdmin, Relation::kProducerMember, Relation::kPartner}) {
      const absl::Status s = RequireActionRelation(action, r, kProductId);
      const std::string what =
          absl::StrCat(ProductActionVerb(action), " by relation ", static_cast<int>(r));
      if (r == Relation::kNone) {
        EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << what;  // existence is not leaked
      } else if (allowed.at(action).count(r) > 0) {
        EXPECT_TRUE(s.ok()) << what << ": " << s;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << what;
        EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED") << what;
      }
    }
  }
}

TEST(ProductActorsTest, ReviewersMayNotReviewWhatTheySubmitted) {
  for (ProductAction action : kProductActions) {
    const absl::Status self = CheckNotSelfReview(action, "principal-1", "principal-1");
    if (action == ProductAction::kApprove || action == ProductAction::kReject) {
      EXPECT_EQ(self.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(ReasonOf(self), "SELF_APPROVAL_NOT_ALLOWED");
    } else {
      EXPECT_TRUE(self.ok()) << ProductActionVerb(action);
    }
    EXPECT_TRUE(CheckNotSelfReview(action, "principal-2", "principal-1").ok());
    EXPECT_TRUE(CheckNotSelfReview(action, "", "principal-1").ok());  // never submitted
  }
}

TEST(ProductActorsTest, TransitionReasons) {
  EXPECT_EQ(CheckTransitionReason(ProductAction::kReject, "").status().code(),
            absl::StatusCode::kInvalidArgument);  // required
  EXPECT_EQ(*CheckTransitionReason(ProductAction::kReject, "  blurry photos "), "blurry photos");
  EXPECT_EQ(*CheckTransitionReason(ProductAction::kPause, ""), "");
  EXPECT_EQ(*CheckTransitionReason(ProductAction::kArchive, ""), "");
  const std::string at_limit(kRejectReason.max, 'r');
  const std::string above(kRejectReason.max + 1, 'r');
  for (ProductAction a : {ProductAction::kReject, ProductAction::kPause, ProductAction::kArchive}) {
    EXPECT_EQ(*CheckTransitionReason(a, at_limit), at_limit);
    EXPECT_EQ(CheckTransitionReason(a, above).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(*CheckTransitionReason(ProductAction::kSubmit, "ignored"), "");
}

v1::Product ValidProduct() {
  v1::Product p;
  p.set_cooperative_id(kCoop);
  p.set_household_id(kHousehold);
  p.set_title("普洱生茶");
  p.set_category(v1::PRODUCT_CATEGORY_PROCESSED_TEA);
  p.mutable_unit()->set_kind(v1::UNIT_KIND_CAKE);
  p.mutable_price()->set_fen(12800);
  p.set_min_order_quantity(1);
  p.set_origin_region_code("530822");
  return p;
}

// The fields with a violation when `p` is validated for creation.
std::set<std::string> Violations(v1::Product p) {
  FieldViolations v;
  ValidateProduct(v, p, nullptr);
  std::set<std::string> fields;
  if (v.empty()) return fields;
  google::rpc::BadRequest bad;
  auto payload = v.ToStatus().GetPayload("type.googleapis.com/google.rpc.BadRequest");
  if (payload) bad.ParseFromString(std::string(*payload));
  for (const auto& f : bad.field_violations()) fields.insert(f.field());
  if (fields.empty()) fields.insert("?");
  return fields;
}

TEST(ProductValidationTest, AValidProductPasses) {
  EXPECT_TRUE(Violations(ValidProduct()).empty());
}

TEST(ProductValidationTest, TitleLimits) {
  v1::Product p = ValidProduct();
  p.set_title("");
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.title"});
  EXPECT_EQ(kProductTitle.max, 60);  // the proto's limit
  p.set_title(std::string(60, 'a'));
  EXPECT_TRUE(Violations(p).empty());
  p.set_title(std::string(61, 'a'));
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.title"});
  std::string cjk;
  for (int i = 0; i < 60; ++i) cjk += "茶";  // characters, not bytes
  p.set_title(cjk);
  EXPECT_TRUE(Violations(p).empty());
  p.set_title(cjk + "茶");
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.title"});
}

TEST(ProductValidationTest, PriceAndMinimumOrderLimits) {
  v1::Product p = ValidProduct();
  for (int64_t fen : {int64_t{0}, int64_t{-1}, kProductPrice.max + 1}) {
    p.mutable_price()->set_fen(fen);
    EXPECT_EQ(Violations(p), std::set<std::string>{"product.price.fen"}) << fen;
  }
  for (int64_t fen : {int64_t{1}, kProductPrice.max}) {
    p.mutable_price()->set_fen(fen);
    EXPECT_TRUE(Violations(p).empty()) << fen;
  }
  p = ValidProduct();
  for (int64_t q : {int64_t{-1}, int64_t{10'001}}) {
    p.set_min_order_quantity(q);
    EXPECT_EQ(Violations(p), std::set<std::string>{"product.min_order_quantity"}) << q;
  }
  for (int64_t q : {int64_t{1}, int64_t{10'000}}) {
    p.set_min_order_quantity(q);
    EXPECT_TRUE(Violations(p).empty()) << q;
  }
}

TEST(ProductValidationTest, MinimumOrderZeroMeansOneOnCreateOnly) {
  v1::Product p = ValidProduct();
  p.set_min_order_quantity(0);
  FieldViolations v;
  ValidateProduct(v, p, nullptr);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(p.min_order_quantity(), 1);
  google::protobuf::FieldMask mask;
  mask.add_paths("min_order_quantity");
  v1::Product patch;
  patch.set_min_order_quantity(0);
  ValidateProduct(v, patch, &mask);
  EXPECT_FALSE(v.empty());  // an update gives a real value
}

TEST(ProductValidationTest, UnitWeights) {
  v1::Product p = ValidProduct();
  p.mutable_unit()->set_kind(v1::UNIT_KIND_KG);
  p.mutable_unit()->set_sold_by_weight(true);
  p.mutable_unit()->set_unit_weight_grams(1000);
  EXPECT_TRUE(Violations(p).empty());
  p.mutable_unit()->set_unit_weight_grams(999);  // a kilogram is 1000 g
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.unit.unit_weight_grams"});
  p.mutable_unit()->set_kind(v1::UNIT_KIND_BOX);
  for (int32_t g : {1, 100'000}) {
    p.mutable_unit()->set_unit_weight_grams(g);
    EXPECT_TRUE(Violations(p).empty()) << g;
  }
  for (int32_t g : {0, -1, 100'001}) {  // sold by weight: required, at most 100 kg
    p.mutable_unit()->set_unit_weight_grams(g);
    EXPECT_EQ(Violations(p), std::set<std::string>{"product.unit.unit_weight_grams"}) << g;
  }
  // Sold by the piece: the weight is optional (shipping), within the same bounds.
  p.mutable_unit()->set_kind(v1::UNIT_KIND_CAKE);
  p.mutable_unit()->set_sold_by_weight(false);
  for (int32_t g : {0, 357, 100'000}) {
    p.mutable_unit()->set_unit_weight_grams(g);
    EXPECT_TRUE(Violations(p).empty()) << g;
  }
  for (int32_t g : {-1, 100'001}) {
    p.mutable_unit()->set_unit_weight_grams(g);
    EXPECT_EQ(Violations(p), std::set<std::string>{"product.unit.unit_weight_grams"}) << g;
  }
  // A weight unit not sold by weight may leave the weight out, but a weight given is the unit's.
  p.mutable_unit()->set_kind(v1::UNIT_KIND_JIN);
  p.mutable_unit()->set_unit_weight_grams(0);
  EXPECT_TRUE(Violations(p).empty());
  p.mutable_unit()->set_unit_weight_grams(500);
  EXPECT_TRUE(Violations(p).empty());
  p.mutable_unit()->set_unit_weight_grams(357);
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.unit.unit_weight_grams"});
  p.mutable_unit()->set_kind(v1::UNIT_KIND_UNSPECIFIED);
  p.mutable_unit()->set_unit_weight_grams(0);
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.unit.kind"});
}

TEST(ProductValidationTest, LabelsImagesCertificationsRegion) {
  v1::Product p = ValidProduct();
  for (int i = 0; i < kProductLabels.max; ++i) {
    auto* label = p.add_labels();
    label->set_language_code(std::string("x") + static_cast<char>('a' + i));
    label->set_title("t");
  }
  EXPECT_TRUE(Violations(p).empty());
  auto* extra = p.add_labels();
  extra->set_language_code("en");
  extra->set_title("t");
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.labels"});

  p = ValidProduct();
  p.add_labels()->set_language_code("zh");
  p.mutable_labels(0)->set_title("t");
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.labels[0].language_code"});

  p = ValidProduct();
  for (int i = 0; i < kProductImages.max; ++i) p.add_image_urls("https://img.example/a.jpg");
  EXPECT_TRUE(Violations(p).empty());
  p.add_image_urls("https://img.example/b.jpg");
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.image_urls"});
  p = ValidProduct();
  p.add_image_urls("http://img.example/a.jpg");
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.image_urls[0]"});
  p = ValidProduct();
  p.add_image_urls("https://" + std::string(kImageUrl.max - 8, 'a'));
  EXPECT_TRUE(Violations(p).empty());
  p.set_image_urls(0, "https://" + std::string(kImageUrl.max - 7, 'a'));
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.image_urls[0]"});

  p = ValidProduct();
  p.add_certifications(v1::CERTIFICATION_ORGANIC);
  EXPECT_TRUE(Violations(p).empty());
  p.add_certifications(v1::CERTIFICATION_ORGANIC);
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.certifications"});

  p = ValidProduct();
  for (const char* bad : {"53082", "5308221", "53082a"}) {
    p.set_origin_region_code(bad);
    EXPECT_EQ(Violations(p), std::set<std::string>{"product.origin_region_code"}) << bad;
  }
  p.set_compliance_certificate_number(std::string(kCertificateNumber.max + 1, '1'));
  p.set_origin_region_code("530822");
  EXPECT_EQ(Violations(p), std::set<std::string>{"product.compliance_certificate_number"});
}

TEST(ProductValidationTest, MaskLimitsWhatIsChecked) {
  v1::Product patch;  // everything empty: only the masked field is checked
  google::protobuf::FieldMask mask;
  mask.add_paths("price");
  FieldViolations v;
  ValidateProduct(v, patch, &mask);
  EXPECT_FALSE(v.empty());
  patch.mutable_price()->set_fen(100);
  FieldViolations ok;
  ValidateProduct(ok, patch, &mask);
  EXPECT_TRUE(ok.empty());
  google::protobuf::FieldMask bad;
  bad.add_paths("state");
  EXPECT_EQ(CheckProductUpdateMask(bad).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckProductUpdateMask(mask).ok());
}

TEST(CertificateRuleTest, NeededForFreshCategoriesFromItsStartDay) {
  const absl::TimeZone cst = absl::FixedTimeZone(8 * 3600);
  const absl::Time day_before = absl::FromCivil(absl::CivilSecond(2026, 1, 31, 23, 59, 59), cst);
  const absl::Time first_day = absl::FromCivil(absl::CivilSecond(2026, 2, 1, 0, 0, 0), cst);
  v1::Product p = ValidProduct();
  p.set_category(v1::PRODUCT_CATEGORY_VEGETABLE);
  EXPECT_TRUE(CertificateRule(day_before, p).ok());
  const absl::Status missing = CertificateRule(first_day, p);
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(missing), "COMPLIANCE_CERTIFICATE_REQUIRED");
  p.set_compliance_certificate_number("HG-2026-001");
  EXPECT_TRUE(CertificateRule(first_day, p).ok());
  p.clear_compliance_certificate_number();
  p.set_category(v1::PRODUCT_CATEGORY_PROCESSED_TEA);
  EXPECT_TRUE(CertificateRule(first_day, p).ok());
  int needing = 0;
  for (int c = 0; c <= v1::ProductCategory_MAX; ++c) {
    needing += NeedsCertificate(static_cast<v1::ProductCategory>(c)) ? 1 : 0;
  }
  EXPECT_EQ(needing, 7);
}

TEST(ProductUpdateTest, UpdatableUnlessUnderReviewOrArchived) {
  v1::Product p = ValidProduct();
  for (v1::ProductState s : AllStates()) {
    p.set_state(s);
    const bool refused = s == v1::PRODUCT_STATE_SUBMITTED || s == v1::PRODUCT_STATE_ARCHIVED;
    const absl::Status status = CheckUpdatable(p);
    EXPECT_EQ(!status.ok(), refused) << v1::ProductState_Name(s);
    if (refused) {
      EXPECT_EQ(ReasonOf(status), "INVALID_STATE_TRANSITION");
    }
  }
}

TEST(ProductUpdateTest, PatchAndDiff) {
  const v1::Product current = ValidProduct();
  v1::Product patch;
  patch.mutable_price()->set_fen(9900);
  patch.set_title("ignored: not in the mask");
  google::protobuf::FieldMask mask;
  mask.add_paths("price");
  const v1::Product next = ApplyPatch(current, patch, mask);
  EXPECT_EQ(next.title(), current.title());
  EXPECT_EQ(next.price().fen(), 9900);
  ProductDiff d = Diff(current, next);
  EXPECT_TRUE(d.price);
  EXPECT_FALSE(d.fields);
  EXPECT_FALSE(d.text);
  EXPECT_FALSE(d.unit);
  EXPECT_TRUE(d.any());

  v1::Product relabel = current;
  relabel.add_labels()->set_language_code("en");
  d = Diff(current, relabel);
  EXPECT_TRUE(d.fields);
  EXPECT_TRUE(d.text);
  EXPECT_FALSE(d.price);

  v1::Product reunit = current;
  reunit.mutable_unit()->set_kind(v1::UNIT_KIND_BOX);
  d = Diff(current, reunit);
  EXPECT_TRUE(d.unit);
  EXPECT_FALSE(d.text);
  EXPECT_FALSE(Diff(current, current).any());
}

}  // namespace
}  // namespace cooplink::catalog
