// Products: creation, reads, scoped listing, masked updates and the price history. The review
// lifecycle is in product_lifecycle.cc; the rules in product_rules.h; the SQL in products_store.h.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/product_rules.h"
#include "services/catalog/products_store.h"
#include "services/catalog/search_store.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink::catalog {

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
  auto member =
      directory_->HouseholdIsActiveMember(call, product.cooperative_id(), product.household_id());
  if (!member.ok()) return member.status();
  if (!*member) {
    return FailedPrecondition("PRODUCER_NOT_MEMBER",
                              "the producer household has no active member in the cooperative");
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    const std::string id = NewId(now_time);
    InsertProduct(tx, id, product, now);
    RecordTransition(tx, NewId(now_time), id, v1::PRODUCT_STATE_UNSPECIFIED,
                     v1::PRODUCT_STATE_DRAFT, "", p.id, now);
    RecordPriceChange(tx, NewId(now_time), id, 0, product.price().fen(), p.id, now);
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
    if (auto s = CheckProductRead(tx, *scope, product); !s.ok()) return s;
    *out = std::move(product);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListProducts(const CallContext& call, const v1::ListProductsRequest& req,
                                   v1::ListProductsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember, Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  ValidateListFilters(v, req);
  if (!v.empty()) return v.ToStatus();
  ProductListFilter filter;
  filter.cooperative_id = req.cooperative_id();
  filter.category = req.category();
  filter.region_prefix = req.region_code();
  filter.state = req.state();
  filter.updated_since_us = req.has_updated_since() ? TimestampMicros(req.updated_since()) : 0;
  const std::string filters = absl::StrCat(
      req.cooperative_id(), "|", static_cast<int>(req.category()), "|", filter.region_prefix, "|",
      static_cast<int>(req.state()), "|", filter.updated_since_us);
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  if (!page->after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(page->after, absl::MaxSplits(':', 1));
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &filter.after_time_us) ||
        !LooksLikeId(parts[1])) {
      return InvalidField("page_token", "is not a page token issued by this service");
    }
    filter.after_id = parts[1];
  }
  filter.limit = page->size + 1;
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  SqlQuery query;
  if (!ListProductsQuery(*scope, filter, &query)) return absl::OkStatus();

  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.QueryParams(query.sql, query.params);
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
  if (auto s = CheckProductUpdateMask(req.update_mask()); !s.ok()) return s;
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
    if (auto s = RequireRelation(r, kStaffRelations, id); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    if (auto s = CheckUpdatable(current); !s.ok()) return s;
    const v1::Product next = ApplyPatch(current, patch, mask);
    const ProductDiff diff = Diff(current, next);
    if (!diff.any()) {
      *out = std::move(current);  // nothing to change
      return absl::OkStatus();
    }
    if (diff.unit && UnitLocked(tx, id)) {
      return FailedPrecondition("UNIT_LOCKED",
                                "the unit cannot change once the product has lots or stock");
    }
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    UpdateProductFields(tx, next, now);
    if (diff.price) {
      RecordPriceChange(tx, NewId(now_time), id, current.price().fen(), next.price().fen(), p.id,
                        now);
    }
    if (auto s = LoadProduct(tx, id, false, out); !s.ok()) return s;
    if (diff.text) IndexProduct(tx, *out);
    std::vector<ChangeRow> changes;
    if (diff.fields)
      changes.push_back(ProductChange(v1::CATALOG_CHANGE_KIND_PRODUCT_UPSERTED, *out));
    if (diff.price) {
      changes.push_back(ProductChange(v1::CATALOG_CHANGE_KIND_PRICE_CHANGED, *out));
      changes.back().previous_price_fen = current.price().fen();
    }
    AppendChanges(tx, changes, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListPriceChanges(const CallContext& call,
                                       const v1::ListPriceChangesRequest& req,
                                       v1::ListPriceChangesResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember, Role::kPartner});
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
    if (auto s = CheckProductReadable(tx, *scope, req.product_id()); !s.ok()) return s;
    auto rs = SelectPriceChanges(tx, req.product_id(), *page);
    FillPage(*rs, *page, req.product_id(), out->mutable_price_changes(),
             out->mutable_next_page_token(), PriceChangeFromRow);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog
