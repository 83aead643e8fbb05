#include "services/catalog/internal.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/catalog/catalog.h"
#include "services/common/crypto.h"
#include "services/common/outbox.h"

namespace cooplink::catalog {
namespace {

constexpr const char* kPartnerSeesProduct =
    "SELECT 1 FROM offers o JOIN products p ON p.id = o.product_id "
    "WHERE o.partner_id = ? AND o.product_id = ? AND o.state = 1 AND p.state = 3 LIMIT 1";

}  // namespace

const char* const kProductColumns =
    "p.id, p.cooperative_id, p.household_id, p.title, p.description, p.extras, p.category, "
    "p.unit_kind, p.sold_by_weight, p.unit_weight_grams, p.price_fen, p.min_order_quantity, "
    "p.origin_region_code, p.compliance_certificate_number, p.state, p.rejection_reason, "
    "p.version, p.create_time_us, p.update_time_us";

void ProductFromRow(sql::ResultSet& rs, v1::Product* out) {
  out->Clear();
  auto extras = Base64UrlDecode(std::string(rs.getString("extras")));
  if (extras.ok()) out->ParseFromString(*extras);  // labels, image_urls, certifications
  out->set_id(rs.getString("id"));
  out->set_cooperative_id(rs.getString("cooperative_id"));
  out->set_household_id(rs.getString("household_id"));
  out->set_title(rs.getString("title"));
  out->set_description(rs.getString("description"));
  out->set_category(static_cast<v1::ProductCategory>(rs.getInt("category")));
  out->mutable_unit()->set_kind(static_cast<v1::UnitKind>(rs.getInt("unit_kind")));
  out->mutable_unit()->set_sold_by_weight(rs.getBoolean("sold_by_weight"));
  out->mutable_unit()->set_unit_weight_grams(rs.getInt("unit_weight_grams"));
  out->mutable_price()->set_fen(rs.getInt64("price_fen"));
  out->set_min_order_quantity(rs.getInt64("min_order_quantity"));
  out->set_origin_region_code(rs.getString("origin_region_code"));
  out->set_compliance_certificate_number(rs.getString("compliance_certificate_number"));
  out->set_state(static_cast<v1::ProductState>(rs.getInt("state")));
  out->set_rejection_reason(rs.getString("rejection_reason"));
  out->set_etag(Etag(rs.getInt64("version")));
  *out->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *out->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
}

absl::Status LoadProduct(Tx& tx, const std::string& id, bool for_update, v1::Product* out) {
  auto rs = tx.Query(absl::StrCat("SELECT ", kProductColumns, " FROM products p WHERE p.id = ?",
                                  for_update ? " FOR UPDATE" : ""),
                     id);
  if (!rs->next()) return NotFound("product", id);
  ProductFromRow(*rs, out);
  return absl::OkStatus();
}

std::string EncodeExtras(const v1::Product& product) {
  v1::Product extras;
  *extras.mutable_labels() = product.labels();
  *extras.mutable_image_urls() = product.image_urls();
  *extras.mutable_certifications() = product.certifications();
  return Base64UrlEncode(extras.SerializeAsString());
}

absl::StatusOr<Scope> ResolveScope(const CallContext& call, MembershipDirectory& directory) {
  const Principal& p = call.principal();
  Scope scope{&p, {}};
  if (p.is(Role::kSocialWorker)) {
    auto cooperatives = directory.WorkerCooperatives(call, p.social_worker_id);
    if (!cooperatives.ok()) return cooperatives.status();
    scope.worker_cooperatives = *std::move(cooperatives);
  }
  return scope;
}

Relation RelationIn(const Scope& scope, const std::string& cooperative_id,
                    const std::string& household_id) {
  const Principal& p = *scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return Relation::kPlatformAdmin;
    case Role::kSocialWorker:
      return std::find(scope.worker_cooperatives.begin(), scope.worker_cooperatives.end(),
                       cooperative_id) != scope.worker_cooperatives.end()
                 ? Relation::kAssignedWorker
                 : Relation::kNone;
    case Role::kCooperativeAdmin:
      return p.cooperative_id == cooperative_id ? Relation::kCooperativeAdmin : Relation::kNone;
    case Role::kMember:
      return p.cooperative_id == cooperative_id && p.household_id == household_id
                 ? Relation::kProducerMember
                 : Relation::kNone;
    case Role::kPartner:
      return Relation::kPartner;
    case Role::kUnspecified:
      break;
  }
  return Relation::kNone;
}

bool AppendProductScope(const Scope& scope, std::string* sql, std::vector<SqlParam>* params) {
  const Principal& p = *scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return true;
    case Role::kSocialWorker: {
      if (scope.worker_cooperatives.empty()) return false;
      std::vector<std::string> marks(scope.worker_cooperatives.size(), "?");
      absl::StrAppend(sql, " AND p.cooperative_id IN (", absl::StrJoin(marks, ", "), ")");
      for (const auto& c : scope.worker_cooperatives) params->push_back(Param(c));
      return true;
    }
    case Role::kCooperativeAdmin:
      absl::StrAppend(sql, " AND p.cooperative_id = ?");
      params->push_back(Param(p.cooperative_id));
      return true;
    case Role::kMember:
      absl::StrAppend(sql, " AND p.cooperative_id = ? AND p.household_id = ?");
      params->push_back(Param(p.cooperative_id));
      params->push_back(Param(p.household_id));
      return true;
    case Role::kPartner:
      // active_product_id is set only while an offer is ACTIVE (unique per partner and product).
      absl::StrAppend(sql,
                      " AND p.state = 3 AND EXISTS (SELECT 1 FROM offers o WHERE "
                      "o.partner_id = ? AND o.active_product_id = p.id)");
      params->push_back(Param(p.partner_id));
      return true;
    case Role::kUnspecified:
      break;
  }
  return false;
}

absl::StatusOr<Relation> RelationTo(const CallContext& call, const std::string& cooperative_id,
                                    const std::string& household_id,
                                    MembershipDirectory& directory) {
  auto scope = ResolveScope(call, directory);
  if (!scope.ok()) return scope.status();
  return RelationIn(*scope, cooperative_id, household_id);
}

absl::Status RequireRelation(Relation relation, std::initializer_list<Relation> allowed,
                             const std::string& product_id) {
  if (relation == Relation::kNone) return NotFound("product", product_id);
  for (Relation r : allowed) {
    if (r == relation) return absl::OkStatus();
  }
  return PermissionDenied("ROLE_NOT_ALLOWED", "this role may not perform this action");
}

bool PartnerSeesProduct(Tx& tx, const std::string& partner_id, const std::string& product_id) {
  return tx.Query(kPartnerSeesProduct, partner_id, product_id)->next();
}

void AppendChanges(Tx& tx, const std::vector<ChangeRow>& changes, int64_t now_us) {
  for (const ChangeRow& c : changes) {
    Outbox::Append(tx, kChangeTopic, c.product_id, EncodeChange(c), absl::FromUnixMicros(now_us));
  }
}

std::string EncodeChange(const ChangeRow& change) {
  v1::CatalogChange message;
  message.set_kind(change.kind);
  message.mutable_product()->set_id(change.product_id);
  message.mutable_product()->set_cooperative_id(change.cooperative_id);
  message.mutable_product()->set_household_id(change.household_id);
  if (!change.offer_id.empty()) {
    message.mutable_offer()->set_id(change.offer_id);
    message.mutable_offer()->set_partner_id(change.partner_id);
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_enums_as_ints = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);  // cannot fail
  return json;
}

absl::StatusOr<ChangeRow> DecodeChange(absl::string_view payload) {
  v1::CatalogChange message;
  if (!google::protobuf::util::JsonStringToMessage(std::string(payload), &message).ok()) {
    return absl::DataLossError("unreadable catalog change in the outbox");
  }
  return ChangeRow{message.kind(),
                   message.product().id(),
                   message.product().cooperative_id(),
                   message.product().household_id(),
                   message.offer().id(),
                   message.offer().partner_id()};
}

}  // namespace cooplink::catalog
