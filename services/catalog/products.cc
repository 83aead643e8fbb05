// Products: creation, reads, scoped listing, masked updates, the review lifecycle with its
// transition log, and the price history.
#include <cppconn/resultset.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/catalog/catalog.h"
#include "services/catalog/internal.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

constexpr size_t kMaxTitle = 100;
constexpr size_t kMaxDescription = 2000;
constexpr int kMaxLabels = 10;
constexpr int kMaxImages = 20;
constexpr size_t kMaxImageUrl = 500;
constexpr size_t kMaxCertificate = 64;
constexpr size_t kMaxReason = 500;
constexpr int64_t kMaxPriceFen = 100'000'000;  // 1 million yuan per unit
constexpr int64_t kMaxMinOrder = 1'000'000;
constexpr int32_t kMaxUnitWeightGrams = 1'000'000;

constexpr const char* kInsertProduct =
    "INSERT INTO products (id, cooperative_id, household_id, title, description, extras, category, "
    "unit_kind, sold_by_weight, unit_weight_grams, price_fen, min_order_quantity, "
    "origin_region_code, compliance_certificate_number, state, rejection_reason, submitted_by, "
    "version, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '', NULL, 1, ?, ?)";
constexpr const char* kUpdateProductFields =
    "UPDATE products SET title = ?, description = ?, extras = ?, category = ?, unit_kind = ?, "
    "sold_by_weight = ?, unit_weight_grams = ?, price_fen = ?, min_order_quantity = ?, "
    "origin_region_code = ?, compliance_certificate_number = ?, version = version + 1, "
    "update_time_us = ? WHERE id = ?";
constexpr const char* kUpdateProductState =
    "UPDATE products SET state = ?, rejection_reason = ?, version = version + 1, "
    "update_time_us = ? WHERE id = ?";
constexpr const char* kSetSubmitter = "UPDATE products SET submitted_by = ? WHERE id = ?";
constexpr const char* kSelectSubmitter = "SELECT submitted_by FROM products WHERE id = ?";
constexpr const char* kInsertTransition =
    "INSERT INTO product_transitions (id, product_id, from_state, to_state, reason, actor, "
    "transition_time_us) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertPriceChange =
    "INSERT INTO price_changes (id, product_id, old_price_fen, new_price_fen, changed_by, "
    "change_time_us) VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kListTransitions =
    "SELECT id, product_id, from_state, to_state, reason, actor, transition_time_us "
    "FROM product_transitions WHERE product_id = ? AND id > ? ORDER BY id LIMIT ?";
constexpr const char* kListPriceChanges =
    "SELECT id, product_id, old_price_fen, new_price_fen, changed_by, change_time_us "
    "FROM price_changes WHERE product_id = ? AND id > ? ORDER BY id LIMIT ?";
constexpr const char* kActiveOffersOfProduct =
    "SELECT id, partner_id FROM offers WHERE product_id = ? AND state = 1 ORDER BY id FOR UPDATE";
constexpr const char* kWithdrawOffersOfProduct =
    "UPDATE offers SET state = 2, active_product_id = NULL, withdraw_time_us = ? "
    "WHERE product_id = ? AND state = 1";
constexpr const char* kUnitLocked =
    "SELECT 1 FROM lots WHERE product_id = ? UNION ALL "
    "SELECT 1 FROM stock_movements WHERE product_id = ? LIMIT 1";

// The day from which certificate categories need a 承诺达标合格证.
const absl::CivilDay kCertificateRuleStart(2026, 2, 1);

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

bool IsSixDigits(const std::string& s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

bool IsLanguageCode(const std::string& s) {
  return s.size() >= 2 && s.size() <= 8 && std::all_of(s.begin(), s.end(), [](char c) {
           return absl::ascii_isalpha(c) || c == '-';
         });
}

// Validates (and trims) the writable fields of `p`: all of them when creating, else those named
// by `mask`. Field names are "product.<path>".
void ValidateProduct(FieldViolations& v, v1::Product& p, const google::protobuf::FieldMask* mask) {
  auto want = [&](const char* path) { return mask == nullptr || MaskHas(*mask, path); };
  if (mask == nullptr) {
    CheckId(v, "product.cooperative_id", p.cooperative_id());
    CheckId(v, "product.household_id", p.household_id());
  }
  if (want("title")) p.set_title(CheckText(v, "product.title", p.title(), kMaxTitle));
  if (want("description")) {
    p.set_description(
        CheckText(v, "product.description", p.description(), kMaxDescription, false));
  }
  if (want("labels")) {
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
  if (want("category")) {
    if (!v1::ProductCategory_IsValid(p.category()) ||
        p.category() == v1::PRODUCT_CATEGORY_UNSPECIFIED) {
      v.Add("product.category", "must be one of the defined categories");
    }
  }
  if (want("unit")) {
    const v1::Unit& u = p.unit();
    if (!v1::UnitKind_IsValid(u.kind()) || u.kind() == v1::UNIT_KIND_UNSPECIFIED) {
      v.Add("product.unit.kind", "must be one of the defined unit kinds");
    } else if (u.sold_by_weight()) {
      const int32_t fixed = u.kind() == v1::UNIT_KIND_KG    ? 1000
                            : u.kind() == v1::UNIT_KIND_JIN ? 500
                            : u.kind() == v1::UNIT_KIND_GRAM ? 1
                                                             : 0;
      if (u.unit_weight_grams() < 1 || u.unit_weight_grams() > kMaxUnitWeightGrams) {
        v.Add("product.unit.unit_weight_grams",
              "required when sold by weight: 1 to 1000000 grams");
      } else if (fixed != 0 && u.unit_weight_grams() != fixed) {
        v.Add("product.unit.unit_weight_grams",
              absl::StrCat("must be ", fixed, " for this unit kind"));
      }
    } else if (u.unit_weight_grams() != 0) {
      v.Add("product.unit.unit_weight_grams", "must be 0 unless sold by weight");
    }
  }
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
  if (want("image_urls")) {
    if (p.image_urls_size() > kMaxImages) {
      v.Add("product.image_urls", absl::StrCat("at most ", kMaxImages, " images"));
    }
    for (int i = 0; i < p.image_urls_size(); ++i) {
      p.set_image_urls(i, Trimmed(p.image_urls(i)));
      const std::string& url = p.image_urls(i);
      if (url.size() <= 8 || url.compare(0, 8, "https://") != 0 ||
          CharCount(url) > kMaxImageUrl) {
        v.Add(absl::StrCat("product.image_urls[", i, "]"),
              "must be an https:// URL of at most 500 characters");
      }
    }
  }
  if (want("certifications")) {
    std::vector<int> seen;
    for (int c : p.certifications()) {
      if (!v1::Certification_IsValid(c) || c == v1::CERTIFICATION_UNSPECIFIED) {
        v.Add("product.certifications", "must hold defined certifications only");
        break;
      }
      if (std::find(seen.begin(), seen.end(), c) != seen.end()) {
        v.Add("product.certifications", "must not repeat a certification");
        break;
      }
      seen.push_back(c);
    }
  }
  if (want("compliance_certificate_number")) {
    p.set_compliance_certificate_number(CheckText(v, "product.compliance_certificate_number",
                                                  p.compliance_certificate_number(),
                                                  kMaxCertificate, false));
  }
}


// OK when the caller may read `product` (a partner only while it is offered to it).
absl::Status CheckRead(Tx& tx, const Scope& scope, const v1::Product& product) {
  Relation r = RelationIn(scope, product.cooperative_id(), product.household_id());
  if (r == Relation::kPartner) {
    return PartnerSeesProduct(tx, scope.principal->partner_id, product.id())
               ? absl::OkStatus()
               : NotFound("product", product.id());
  }
  return RequireRelation(r,
                         {Relation::kPlatformAdmin, Relation::kAssignedWorker,
                          Relation::kCooperativeAdmin, Relation::kProducerMember},
                         product.id());
}

absl::Status CertificateRule(const Clock& clock, const v1::Product& product) {
  if (Today(clock.Now()) >= kCertificateRuleStart && NeedsCertificate(product.category()) &&
      product.compliance_certificate_number().empty()) {
    return FailedPrecondition("COMPLIANCE_CERTIFICATE_REQUIRED",
                              "products of this category need a compliance certificate "
                              "(承诺达标合格证) number since 2026-02-01");
  }
  return absl::OkStatus();
}

absl::Status InvalidTransition(const v1::Product& product, absl::string_view action) {
  return FailedPrecondition(
      "INVALID_STATE_TRANSITION",
      absl::StrCat("cannot ", action, " a product in state ",
                   v1::ProductState_Name(product.state())));
}

void RecordTransition(Tx& tx, const Clock& clock, const std::string& product_id,
                      v1::ProductState from, v1::ProductState to, const std::string& reason,
                      const std::string& actor) {
  tx.Execute(kInsertTransition, NewId(clock.Now()), product_id, static_cast<int>(from),
             static_cast<int>(to), reason, actor, ToMicros(clock.Now()));
}

void RecordPriceChange(Tx& tx, const Clock& clock, const std::string& product_id,
                       int64_t old_fen, int64_t new_fen, const std::string& actor) {
  tx.Execute(kInsertPriceChange, NewId(clock.Now()), product_id, old_fen, new_fen, actor,
             ToMicros(clock.Now()));
}

// One lifecycle method.
struct TransitionSpec {
  const char* method;
  const char* action;  // for messages
  std::vector<Relation> allowed;
  std::vector<v1::ProductState> from;
  v1::ProductState to;
  std::string reason;
  bool certificate_rule = false;
  bool forbid_submitter = false;  // review: never by the principal who submitted
  bool record_submitter = false;
  bool withdraw_offers = false;
};

absl::Status RunTransition(Database& db, const Clock& clock, MembershipDirectory& directory,
                           const CallContext& call, const google::protobuf::Message& req,
                           const std::string& product_id, const TransitionSpec& spec,
                           v1::Product* out) {
  const Principal& p = call.principal();
  auto key = MakeIdempotencyKey(p, spec.method, req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "product_id", product_id);
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(call, directory);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(db, clock, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Product current;
    if (auto s = LoadProduct(tx, product_id, /*for_update=*/true, &current); !s.ok()) return s;
    const Relation r = RelationIn(*scope, current.cooperative_id(), current.household_id());
    if (r == Relation::kNone) return NotFound("product", product_id);
    if (std::find(spec.allowed.begin(), spec.allowed.end(), r) == spec.allowed.end()) {
      return RequireRelation(r, {}, product_id);  // PERMISSION_DENIED
    }
    if (std::find(spec.from.begin(), spec.from.end(), current.state()) == spec.from.end()) {
      return InvalidTransition(current, spec.action);
    }
    if (spec.forbid_submitter) {
      auto rs = tx.Query(kSelectSubmitter, product_id);
      if (rs->next() && GetOptionalString(*rs, "submitted_by").value_or("") == p.id) {
        return PermissionDenied("SELF_APPROVAL_NOT_ALLOWED",
                                "a product is reviewed by someone other than its submitter");
      }
    }
    if (spec.certificate_rule) {
      if (auto s = CertificateRule(clock, current); !s.ok()) return s;
    }
    const int64_t now = ToMicros(clock.Now());
    const std::string rejection = spec.to == v1::PRODUCT_STATE_REJECTED ? spec.reason : "";
    tx.Execute(kUpdateProductState, static_cast<int>(spec.to), rejection, now, product_id);
    if (spec.record_submitter) tx.Execute(kSetSubmitter, p.id, product_id);
    RecordTransition(tx, clock, product_id, current.state(), spec.to, spec.reason, p.id);
    std::vector<ChangeRow> changes;
    if (spec.withdraw_offers) {
      std::vector<std::pair<std::string, std::string>> offers;
      auto rs = tx.Query(kActiveOffersOfProduct, product_id);
      while (rs->next()) offers.emplace_back(rs->getString("id"), rs->getString("partner_id"));
      if (!offers.empty()) tx.Execute(kWithdrawOffersOfProduct, now, product_id);
      for (const auto& [offer_id, partner_id] : offers) {
        changes.push_back({v1::CATALOG_CHANGE_KIND_OFFER_CHANGED, product_id,
                           current.cooperative_id(), current.household_id(), offer_id,
                           partner_id});
      }
    }
    if (auto s = LoadProduct(tx, product_id, false, out); !s.ok()) return s;
    changes.insert(changes.begin(),
                   ProductChange(v1::CATALOG_CHANGE_KIND_PRODUCT_STATE_CHANGED, *out));
    AppendChanges(tx, changes, now);
    return absl::OkStatus();
  });
}

const std::vector<Relation> kEditors = {Relation::kPlatformAdmin, Relation::kAssignedWorker,
                                        Relation::kCooperativeAdmin, Relation::kProducerMember};
const std::vector<Relation> kReviewers = {Relation::kPlatformAdmin, Relation::kAssignedWorker,
                                          Relation::kCooperativeAdmin};
const std::vector<Relation> kManagers = {Relation::kPlatformAdmin, Relation::kCooperativeAdmin};

absl::Status RequireEditorRole(const Principal& p) {
  return RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                         Role::kMember});
}

int64_t TimestampMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// Reads and scope-checks a product for the per-product lists.
absl::Status ReadableProduct(Tx& tx, const Scope& scope, const std::string& id) {
  v1::Product product;
  if (auto s = LoadProduct(tx, id, false, &product); !s.ok()) return s;
  return CheckRead(tx, scope, product);
}

void TransitionFromRow(sql::ResultSet& rs, v1::ProductTransition* t) {
  t->set_id(rs.getString("id"));
  t->set_product_id(rs.getString("product_id"));
  t->set_from_state(static_cast<v1::ProductState>(rs.getInt("from_state")));
  t->set_to_state(static_cast<v1::ProductState>(rs.getInt("to_state")));
  t->set_reason(rs.getString("reason"));
  t->set_actor(rs.getString("actor"));
  *t->mutable_transition_time() = ToTimestamp(rs.getInt64("transition_time_us"));
}

void PriceChangeFromRow(sql::ResultSet& rs, v1::PriceChange* c) {
  c->set_id(rs.getString("id"));
  c->set_product_id(rs.getString("product_id"));
  c->mutable_old_price()->set_fen(rs.getInt64("old_price_fen"));
  c->mutable_new_price()->set_fen(rs.getInt64("new_price_fen"));
  c->set_changed_by(rs.getString("changed_by"));
  *c->mutable_change_time() = ToTimestamp(rs.getInt64("change_time_us"));
}

}  // namespace

absl::Status Catalog::CreateProduct(const CallContext& call, const v1::CreateProductRequest& req,
                                    v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireEditorRole(p); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateProduct", req);
  if (!key.ok()) return key.status();
  v1::Product product = req.product();
  FieldViolations v;
  ValidateProduct(v, product, nullptr);
  if (!v.empty()) return v.ToStatus();

  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  if (RelationIn(*scope, product.cooperative_id(), product.household_id()) == Relation::kNone) {
    if (p.is(Role::kMember) && p.cooperative_id == product.cooperative_id()) {
      return PermissionDenied("ROLE_NOT_ALLOWED",
                              "a member creates products only for its own household");
    }
    return NotFound("cooperative", product.cooperative_id());
  }
  auto member = directory_->HouseholdIsActiveMember(call, product.cooperative_id(),
                                                    product.household_id());
  if (!member.ok()) return member.status();
  if (!*member) {
    return FailedPrecondition("PRODUCER_NOT_MEMBER",
                              "the producer household has no active member in the cooperative");
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const int64_t now = ToMicros(clock_->Now());
    const std::string id = NewId(clock_->Now());
    tx.ExecuteParams(
        kInsertProduct,
        {Param(id), Param(product.cooperative_id()), Param(product.household_id()),
         Param(product.title()), Param(product.description()), Param(EncodeExtras(product)),
         Param(static_cast<int>(product.category())),
         Param(static_cast<int>(product.unit().kind())), Param(product.unit().sold_by_weight()),
         Param(static_cast<int>(product.unit().unit_weight_grams())),
         Param(product.price().fen()), Param(product.min_order_quantity()),
         Param(product.origin_region_code()), Param(product.compliance_certificate_number()),
         Param(now), Param(now)});
    RecordTransition(tx, *clock_, id, v1::PRODUCT_STATE_UNSPECIFIED, v1::PRODUCT_STATE_DRAFT, "",
                     p.id);
    RecordPriceChange(tx, *clock_, id, 0, product.price().fen(), p.id);
    if (auto s = LoadProduct(tx, id, false, out); !s.ok()) return s;
    IndexProduct(tx, *out);
    AppendChanges(tx, {ProductChange(v1::CATALOG_CHANGE_KIND_PRODUCT_UPSERTED, *out)}, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::GetProduct(const CallContext& call, const v1::GetProductRequest& req,
                                 v1::Product* out) {
  const Principal& p = call.principal();
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  if (p.is(Role::kUnspecified)) return RequireEditorRole(p);
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    v1::Product product;
    if (auto s = LoadProduct(tx, req.id(), false, &product); !s.ok()) return s;
    if (auto s = CheckRead(tx, *scope, product); !s.ok()) return s;
    *out = std::move(product);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListProducts(const CallContext& call, const v1::ListProductsRequest& req,
                                   v1::ListProductsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker,
                               Role::kCooperativeAdmin, Role::kMember, Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
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
  if (!v.empty()) return v.ToStatus();
  const int64_t since = req.has_updated_since() ? TimestampMicros(req.updated_since()) : 0;
  const std::string filters = absl::StrCat(req.cooperative_id(), "|", static_cast<int>(req.category()),
                                           "|", prefix, "|", static_cast<int>(req.state()), "|",
                                           since);
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  int64_t after_time = -1;
  std::string after_id;
  if (!page->after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(page->after, absl::MaxSplits(':', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_time) || !LooksLikeId(parts[1])) {
      return InvalidField("page_token", "is not a page token issued by this service");
    }
    after_id = parts[1];
  }
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();

  std::string sql = absl::StrCat("SELECT ", kProductColumns, " FROM products p WHERE 1 = 1");
  std::vector<SqlParam> params;
  if (!AppendProductScope(*scope, &sql, &params)) return absl::OkStatus();
  if (!req.cooperative_id().empty()) {
    absl::StrAppend(&sql, " AND p.cooperative_id = ?");
    params.push_back(Param(req.cooperative_id()));
  }
  if (req.category() != v1::PRODUCT_CATEGORY_UNSPECIFIED) {
    absl::StrAppend(&sql, " AND p.category = ?");
    params.push_back(Param(static_cast<int>(req.category())));
  }
  if (!prefix.empty()) {
    absl::StrAppend(&sql, " AND p.origin_region_code LIKE CONCAT(?, '%')");
    params.push_back(Param(prefix));
  }
  if (req.state() != v1::PRODUCT_STATE_UNSPECIFIED) {
    absl::StrAppend(&sql, " AND p.state = ?");
    params.push_back(Param(static_cast<int>(req.state())));
  }
  if (since > 0) {
    absl::StrAppend(&sql, " AND p.update_time_us >= ?");
    params.push_back(Param(since));
  }
  if (after_time >= 0) {
    absl::StrAppend(&sql, " AND (p.update_time_us > ? OR (p.update_time_us = ? AND p.id > ?))");
    params.push_back(Param(after_time));
    params.push_back(Param(after_time));
    params.push_back(Param(after_id));
  }
  absl::StrAppend(&sql, " ORDER BY p.update_time_us, p.id LIMIT ?");
  params.push_back(Param(static_cast<int64_t>(page->size + 1)));

  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.QueryParams(sql, params);
    while (rs->next()) {
      if (out->products_size() == page->size) {
        const v1::Product& last = *out->products().rbegin();
        out->set_next_page_token(MakePageToken(
            absl::StrCat(TimestampMicros(last.update_time()), ":", last.id()), filters));
        break;
      }
      ProductFromRow(*rs, out->add_products());
    }
    return absl::OkStatus();
  });
}

absl::Status Catalog::UpdateProduct(const CallContext& call, const v1::UpdateProductRequest& req,
                                    v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireEditorRole(p); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "UpdateProduct", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "product.id", req.product().id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckUpdateMask(req.update_mask(),
                               {"title", "description", "labels", "category", "unit", "price",
                                "min_order_quantity", "origin_region_code", "image_urls",
                                "certifications", "compliance_certificate_number"});
      !s.ok()) {
    return s;
  }
  const auto& mask = req.update_mask();
  v1::Product patch = req.product();
  ValidateProduct(v, patch, &mask);
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const std::string& id = patch.id();
    v1::Product current;
    if (auto s = LoadProduct(tx, id, /*for_update=*/true, &current); !s.ok()) return s;
    const Relation r = RelationIn(*scope, current.cooperative_id(), current.household_id());
    if (auto s = RequireRelation(r,
                                 {Relation::kPlatformAdmin, Relation::kAssignedWorker,
                                  Relation::kCooperativeAdmin, Relation::kProducerMember},
                                 id);
        !s.ok()) {
      return s;
    }
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    if (current.state() == v1::PRODUCT_STATE_SUBMITTED ||
        current.state() == v1::PRODUCT_STATE_ARCHIVED) {
      return InvalidTransition(current, "update");
    }
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
    const bool price_changed = next.price().fen() != current.price().fen();
    v1::Product others_next = next, others_current = current;
    others_next.clear_price();
    others_current.clear_price();
    const bool fields_changed =
        others_next.SerializeAsString() != others_current.SerializeAsString();
    if (!price_changed && !fields_changed) {
      *out = std::move(current);  // nothing to change
      return absl::OkStatus();
    }
    if (next.unit().SerializeAsString() != current.unit().SerializeAsString() &&
        tx.Query(kUnitLocked, id, id)->next()) {
      return FailedPrecondition("UNIT_LOCKED",
                                "the unit cannot change once the product has lots or stock");
    }
    const int64_t now = ToMicros(clock_->Now());
    tx.ExecuteParams(
        kUpdateProductFields,
        {Param(next.title()), Param(next.description()), Param(EncodeExtras(next)),
         Param(static_cast<int>(next.category())), Param(static_cast<int>(next.unit().kind())),
         Param(next.unit().sold_by_weight()),
         Param(static_cast<int>(next.unit().unit_weight_grams())), Param(next.price().fen()),
         Param(next.min_order_quantity()), Param(next.origin_region_code()),
         Param(next.compliance_certificate_number()), Param(now), Param(id)});
    if (price_changed) {
      RecordPriceChange(tx, *clock_, id, current.price().fen(), next.price().fen(), p.id);
    }
    if (auto s = LoadProduct(tx, id, false, out); !s.ok()) return s;
    const bool text_changed =
        next.title() != current.title() || next.description() != current.description() ||
        EncodeExtras(next) != EncodeExtras(current);  // labels live in extras
    if (text_changed) IndexProduct(tx, *out);
    std::vector<ChangeRow> changes;
    if (fields_changed) changes.push_back(ProductChange(v1::CATALOG_CHANGE_KIND_PRODUCT_UPSERTED, *out));
    if (price_changed) changes.push_back(ProductChange(v1::CATALOG_CHANGE_KIND_PRICE_CHANGED, *out));
    AppendChanges(tx, changes, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::SubmitProduct(const CallContext& call, const v1::SubmitProductRequest& req,
                                    v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireEditorRole(p); !s.ok()) return s;
  TransitionSpec spec{"SubmitProduct", "submit", kEditors,
                      {v1::PRODUCT_STATE_DRAFT, v1::PRODUCT_STATE_REJECTED},
                      v1::PRODUCT_STATE_SUBMITTED, ""};
  spec.certificate_rule = true;
  spec.record_submitter = true;
  return RunTransition(*db_, *clock_, *directory_, call, req, req.product_id(), spec, out);
}

absl::Status Catalog::ApproveProduct(const CallContext& call, const v1::ApproveProductRequest& req,
                                     v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker,
                               Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  TransitionSpec spec{"ApproveProduct", "approve", kReviewers, {v1::PRODUCT_STATE_SUBMITTED},
                      v1::PRODUCT_STATE_ACTIVE, ""};
  spec.certificate_rule = true;
  spec.forbid_submitter = true;
  return RunTransition(*db_, *clock_, *directory_, call, req, req.product_id(), spec, out);
}

absl::Status Catalog::RejectProduct(const CallContext& call, const v1::RejectProductRequest& req,
                                    v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker,
                               Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  std::string reason = CheckText(v, "reason", req.reason(), kMaxReason);
  if (!v.empty()) return v.ToStatus();
  TransitionSpec spec{"RejectProduct", "reject", kReviewers, {v1::PRODUCT_STATE_SUBMITTED},
                      v1::PRODUCT_STATE_REJECTED, reason};
  spec.forbid_submitter = true;
  return RunTransition(*db_, *clock_, *directory_, call, req, req.product_id(), spec, out);
}

absl::Status Catalog::PauseProduct(const CallContext& call, const v1::PauseProductRequest& req,
                                   v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  FieldViolations v;
  std::string reason = CheckText(v, "reason", req.reason(), kMaxReason, false);
  if (!v.empty()) return v.ToStatus();
  TransitionSpec spec{"PauseProduct", "pause", kManagers, {v1::PRODUCT_STATE_ACTIVE},
                      v1::PRODUCT_STATE_PAUSED, reason};
  return RunTransition(*db_, *clock_, *directory_, call, req, req.product_id(), spec, out);
}

absl::Status Catalog::ResumeProduct(const CallContext& call, const v1::ResumeProductRequest& req,
                                    v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  TransitionSpec spec{"ResumeProduct", "resume", kManagers, {v1::PRODUCT_STATE_PAUSED},
                      v1::PRODUCT_STATE_ACTIVE, ""};
  spec.certificate_rule = true;
  return RunTransition(*db_, *clock_, *directory_, call, req, req.product_id(), spec, out);
}

absl::Status Catalog::ArchiveProduct(const CallContext& call, const v1::ArchiveProductRequest& req,
                                     v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  FieldViolations v;
  std::string reason = CheckText(v, "reason", req.reason(), kMaxReason, false);
  if (!v.empty()) return v.ToStatus();
  TransitionSpec spec{"ArchiveProduct", "archive", kManagers,
                      {v1::PRODUCT_STATE_DRAFT, v1::PRODUCT_STATE_SUBMITTED,
                       v1::PRODUCT_STATE_ACTIVE, v1::PRODUCT_STATE_REJECTED,
                       v1::PRODUCT_STATE_PAUSED},
                      v1::PRODUCT_STATE_ARCHIVED, reason};
  spec.withdraw_offers = true;
  return RunTransition(*db_, *clock_, *directory_, call, req, req.product_id(), spec, out);
}

absl::Status Catalog::ListProductTransitions(const CallContext& call,
                                             const v1::ListProductTransitionsRequest& req,
                                             v1::ListProductTransitionsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireEditorRole(p); !s.ok()) return s;
  FieldViolations v;
  CheckId(v, "product_id", req.product_id());
  if (!v.empty()) return v.ToStatus();
  auto page = ParsePage(req.page_size(), req.page_token(), req.product_id());
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (auto s = ReadableProduct(tx, *scope, req.product_id()); !s.ok()) return s;
    auto rs = tx.Query(kListTransitions, req.product_id(), page->after,
                       static_cast<int64_t>(page->size + 1));
    FillPage(*rs, *page, req.product_id(), out->mutable_transitions(),
             out->mutable_next_page_token(), TransitionFromRow);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListPriceChanges(const CallContext& call, const v1::ListPriceChangesRequest& req,
                                       v1::ListPriceChangesResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker,
                               Role::kCooperativeAdmin, Role::kMember, Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "product_id", req.product_id());
  if (!v.empty()) return v.ToStatus();
  auto page = ParsePage(req.page_size(), req.page_token(), req.product_id());
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (auto s = ReadableProduct(tx, *scope, req.product_id()); !s.ok()) return s;
    auto rs = tx.Query(kListPriceChanges, req.product_id(), page->after,
                       static_cast<int64_t>(page->size + 1));
    FillPage(*rs, *page, req.product_id(), out->mutable_price_changes(),
             out->mutable_next_page_token(), PriceChangeFromRow);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog
