#include "services/catalog/products_store.h"

#include "absl/strings/str_cat.h"
#include "services/catalog/product_rules.h"
#include "services/common/crypto.h"
#include "services/common/fields.h"
#include "services/common/status.h"

namespace cooplink::catalog {
namespace {

// Every product starts as a DRAFT at version 1 (the etag).
constexpr int64_t kFirstVersion = 1;

// The column list as a string literal, so that the statements below are compile-time constants.
#define COOPLINK_PRODUCT_COLUMNS                                                            \
  "p.id, p.cooperative_id, p.household_id, p.title, p.description, p.extras, p.category, "  \
  "p.unit_kind, p.sold_by_weight, p.unit_weight_grams, p.price_fen, p.min_order_quantity, " \
  "p.origin_region_code, p.compliance_certificate_number, p.state, p.rejection_reason, "    \
  "p.version, p.create_time_us, p.update_time_us"

constexpr const char* kSelectProduct =
    "SELECT " COOPLINK_PRODUCT_COLUMNS " FROM products p WHERE p.id = ?";
constexpr const char* kSelectProductForUpdate =
    "SELECT " COOPLINK_PRODUCT_COLUMNS " FROM products p WHERE p.id = ? FOR UPDATE";
constexpr const char* kInsertProduct =
    "INSERT INTO products (id, cooperative_id, household_id, title, description, extras, category, "
    "unit_kind, sold_by_weight, unit_weight_grams, price_fen, min_order_quantity, "
    "origin_region_code, compliance_certificate_number, state, rejection_reason, submitted_by, "
    "version, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL, ?, ?, ?)";
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
constexpr const char* kUnitLocked =
    "SELECT 1 FROM lots WHERE product_id = ? UNION ALL "
    "SELECT 1 FROM stock_movements WHERE product_id = ? LIMIT 1";
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
constexpr const char* kPartnerSeesProduct =
    "SELECT 1 FROM offers o JOIN products p ON p.id = o.product_id "
    "WHERE o.partner_id = ? AND o.product_id = ? AND o.state = ? AND p.state = ? LIMIT 1";
// The scope filters (AppendProductScope). active_product_id is set only while an offer is ACTIVE
// (unique per partner and product).
constexpr const char* kScopeCooperativeIn = " AND p.cooperative_id IN ";
constexpr const char* kScopeCooperative = " AND p.cooperative_id = ?";
constexpr const char* kScopeHousehold = " AND p.cooperative_id = ? AND p.household_id = ?";
constexpr const char* kScopePartner =
    " AND p.state = ? AND EXISTS (SELECT 1 FROM offers o WHERE "
    "o.partner_id = ? AND o.active_product_id = p.id)";
// ListProducts, around the scope filter.
constexpr const char* kListProductsHead = " FROM products p WHERE 1 = 1";
constexpr const char* kListProductsCooperative = " AND p.cooperative_id = ?";
// Unset filters are switched off by their values: category 0, prefix "", state 0, since 0, and
// the first page's after_time -1 (update times are never negative).
constexpr const char* kListProductsTail =
    " AND (? = 0 OR p.category = ?) AND p.origin_region_code LIKE CONCAT(?, '%')"
    " AND (? = 0 OR p.state = ?) AND p.update_time_us >= ?"
    " AND (p.update_time_us > ? OR (p.update_time_us = ? AND p.id > ?))"
    " ORDER BY p.update_time_us, p.id LIMIT ?";

}  // namespace

const char* const kProductColumns = COOPLINK_PRODUCT_COLUMNS;
#undef COOPLINK_PRODUCT_COLUMNS

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
  auto rs = tx.Query(for_update ? kSelectProductForUpdate : kSelectProduct, id);
  if (!rs->next()) return NotFound("product", id);
  ProductFromRow(*rs, out);
  return absl::OkStatus();
}

std::string EncodeExtras(const v1::Product& product) {
  return Base64UrlEncode(ExtrasOf(product).SerializeAsString());
}

void InsertProduct(Tx& tx, const std::string& id, const v1::Product& product, int64_t now_us) {
  tx.ExecuteParams(
      kInsertProduct,
      {Param(id), Param(product.cooperative_id()), Param(product.household_id()),
       Param(product.title()), Param(product.description()), Param(EncodeExtras(product)),
       Param(static_cast<int>(product.category())), Param(static_cast<int>(product.unit().kind())),
       Param(product.unit().sold_by_weight()),
       Param(static_cast<int>(product.unit().unit_weight_grams())), Param(product.price().fen()),
       Param(product.min_order_quantity()), Param(product.origin_region_code()),
       Param(product.compliance_certificate_number()),
       Param(static_cast<int>(v1::PRODUCT_STATE_DRAFT)), Param(kFirstVersion), Param(now_us),
       Param(now_us)});
}

void UpdateProductFields(Tx& tx, const v1::Product& next, int64_t now_us) {
  tx.ExecuteParams(
      kUpdateProductFields,
      {Param(next.title()), Param(next.description()), Param(EncodeExtras(next)),
       Param(static_cast<int>(next.category())), Param(static_cast<int>(next.unit().kind())),
       Param(next.unit().sold_by_weight()),
       Param(static_cast<int>(next.unit().unit_weight_grams())), Param(next.price().fen()),
       Param(next.min_order_quantity()), Param(next.origin_region_code()),
       Param(next.compliance_certificate_number()), Param(now_us), Param(next.id())});
}

void SetProductState(Tx& tx, const std::string& id, v1::ProductState state,
                     const std::string& rejection_reason, int64_t now_us) {
  tx.Execute(kUpdateProductState, static_cast<int>(state), rejection_reason, now_us, id);
}

void SetSubmitter(Tx& tx, const std::string& id, const std::string& principal_id) {
  tx.Execute(kSetSubmitter, principal_id, id);
}

std::string Submitter(Tx& tx, const std::string& id) {
  auto rs = tx.Query(kSelectSubmitter, id);
  if (!rs->next()) return "";
  return GetOptionalString(*rs, "submitted_by").value_or("");
}

bool UnitLocked(Tx& tx, const std::string& id) { return tx.Query(kUnitLocked, id, id)->next(); }

void RecordTransition(Tx& tx, const std::string& transition_id, const std::string& product_id,
                      v1::ProductState from, v1::ProductState to, const std::string& reason,
                      const std::string& actor, int64_t now_us) {
  tx.Execute(kInsertTransition, transition_id, product_id, static_cast<int>(from),
             static_cast<int>(to), reason, actor, now_us);
}

void RecordPriceChange(Tx& tx, const std::string& change_id, const std::string& product_id,
                       int64_t old_fen, int64_t new_fen, const std::string& actor, int64_t now_us) {
  tx.Execute(kInsertPriceChange, change_id, product_id, old_fen, new_fen, actor, now_us);
}

std::unique_ptr<sql::ResultSet> SelectTransitions(Tx& tx, const std::string& product_id,
                                                  const PageRequest& page) {
  return tx.Query(kListTransitions, product_id, page.after, static_cast<int64_t>(page.size + 1));
}

std::unique_ptr<sql::ResultSet> SelectPriceChanges(Tx& tx, const std::string& product_id,
                                                   const PageRequest& page) {
  return tx.Query(kListPriceChanges, product_id, page.after, static_cast<int64_t>(page.size + 1));
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

bool PartnerSeesProduct(Tx& tx, const std::string& partner_id, const std::string& product_id) {
  return tx
      .Query(kPartnerSeesProduct, partner_id, product_id, static_cast<int>(v1::OFFER_STATE_ACTIVE),
             static_cast<int>(v1::PRODUCT_STATE_ACTIVE))
      ->next();
}

absl::Status CheckProductRead(Tx& tx, const Scope& scope, const v1::Product& product) {
  const Relation r = RelationIn(scope, product.cooperative_id(), product.household_id());
  if (r == Relation::kPartner) {
    return PartnerSeesProduct(tx, scope.principal->partner_id, product.id())
               ? absl::OkStatus()
               : NotFound("product", product.id());
  }
  return RequireRelation(r, kStaffRelations, product.id());
}

absl::Status CheckProductReadable(Tx& tx, const Scope& scope, const std::string& id) {
  v1::Product product;
  if (auto s = LoadProduct(tx, id, false, &product); !s.ok()) return s;
  return CheckProductRead(tx, scope, product);
}

bool AppendProductScope(const Scope& scope, std::string* sql, std::vector<SqlParam>* params) {
  const Principal& p = *scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return true;
    case Role::kSocialWorker:
      if (scope.worker_cooperatives.empty()) return false;
      absl::StrAppend(sql, kScopeCooperativeIn);
      AppendInList(scope.worker_cooperatives, sql, params);
      return true;
    case Role::kCooperativeAdmin:
      absl::StrAppend(sql, kScopeCooperative);
      params->push_back(Param(p.cooperative_id));
      return true;
    case Role::kMember:
      absl::StrAppend(sql, kScopeHousehold);
      params->push_back(Param(p.cooperative_id));
      params->push_back(Param(p.household_id));
      return true;
    case Role::kPartner:
      absl::StrAppend(sql, kScopePartner);
      params->push_back(Param(static_cast<int>(v1::PRODUCT_STATE_ACTIVE)));
      params->push_back(Param(p.partner_id));
      return true;
    case Role::kUnspecified:
      break;
  }
  return false;
}

bool ListProductsQuery(const Scope& scope, const ProductListFilter& f, SqlQuery* query) {
  query->sql = absl::StrCat("SELECT ", kProductColumns, kListProductsHead);
  query->params.clear();
  auto& params = query->params;
  if (!AppendProductScope(scope, &query->sql, &params)) return false;
  if (!f.cooperative_id.empty()) {
    absl::StrAppend(&query->sql, kListProductsCooperative);
    params.push_back(Param(f.cooperative_id));
  }
  absl::StrAppend(&query->sql, kListProductsTail);
  const int category = static_cast<int>(f.category);
  const int state = static_cast<int>(f.state);
  for (SqlParam value :
       {Param(category), Param(category), Param(f.region_prefix), Param(state), Param(state),
        Param(f.updated_since_us), Param(f.after_time_us), Param(f.after_time_us),
        Param(f.after_id), Param(static_cast<int64_t>(f.limit))}) {
    params.push_back(std::move(value));
  }
  return true;
}

}  // namespace cooplink::catalog
