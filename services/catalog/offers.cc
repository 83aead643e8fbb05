// Offers: permission for one partner to sell one ACTIVE product, optionally at a channel price.
// Rules in offer_rules.h, SQL in offers_store.h.
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/offer_rules.h"
#include "services/catalog/offers_store.h"
#include "services/catalog/products_store.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink::catalog {

absl::Status Catalog::CreateOffer(const CallContext& call, const v1::CreateOfferRequest& req,
                                  v1::Offer* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateOffer", req);
  if (!key.ok()) return key.status();
  const v1::Offer& offer = req.offer();
  FieldViolations v;
  ValidateOffer(v, offer);
  if (!v.empty()) return v.ToStatus();

  // Membership answers first, outside any transaction.
  auto partner = directory_->GetPartner(call, offer.partner_id());
  if (!partner.ok()) {
    if (partner.status().code() == absl::StatusCode::kNotFound) {
      return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                                "offer.partner_id names no existing partner");
    }
    return partner.status();
  }
  const bool is_832 = Needs832Eligibility(partner->channel_kind);
  std::string cooperative_region;
  if (is_832) {
    v1::Product product;
    absl::Status read = db_->Read([&](Tx& tx) -> absl::Status {
      if (auto s = LoadProduct(tx, offer.product_id(), false, &product); !s.ok()) return s;
      return RequireOfferManager(p, product.cooperative_id(), "product", product.id());
    });
    if (!read.ok()) return read;
    auto cooperative = directory_->GetCooperative(call, product.cooperative_id());
    if (!cooperative.ok()) return cooperative.status();
    cooperative_region = cooperative->region_code;
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Product product;
    if (auto s = LoadProduct(tx, offer.product_id(), /*for_update=*/true, &product); !s.ok()) {
      return s;
    }
    if (auto s = RequireOfferManager(p, product.cooperative_id(), "product", product.id());
        !s.ok()) {
      return s;
    }
    if (auto s = CheckOfferable(product); !s.ok()) return s;
    if (is_832) {
      const bool origin = Is832County(tx, product.origin_region_code());
      if (auto s = Check832Eligibility(origin, origin && Is832County(tx, cooperative_region));
          !s.ok()) {
        return s;
      }
    }
    if (ActiveOfferExists(tx, offer.partner_id(), product.id())) {
      return WithReason(absl::AlreadyExistsError(
                            "an ACTIVE offer of this product to this partner already exists"),
                        "ALREADY_EXISTS");
    }
    const int64_t now = ToMicros(clock_->Now());
    const std::string id = NewId(clock_->Now());
    InsertOffer(tx, id, product, offer.partner_id(),
                offer.has_channel_price() ? std::optional<int64_t>(offer.channel_price().fen())
                                          : std::nullopt,
                now);
    if (auto s = LoadOffer(tx, id, false, out); !s.ok()) return s;
    AppendChanges(tx, {OfferChange(product, id)}, now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListOffers(const CallContext& call, const v1::ListOffersRequest& req,
                                 v1::ListOffersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(
          p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin, Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  if (!req.product_id().empty()) CheckId(v, "product_id", req.product_id());
  if (!req.partner_id().empty()) CheckId(v, "partner_id", req.partner_id());
  if (!v1::OfferState_IsValid(req.state())) v.Add("state", "must be one of the defined states");
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat(req.product_id(), "|", req.partner_id(), "|", static_cast<int>(req.state()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();

  SqlQuery query;
  if (!ListOffersQuery(
          p, scope->worker_cooperatives,
          {req.product_id(), req.partner_id(), req.state(), page->after, page->size + 1}, &query)) {
    return absl::OkStatus();
  }
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.QueryParams(query.sql, query.params);
    FillPage(*rs, *page, filters, out->mutable_offers(), out->mutable_next_page_token(),
             OfferFromRow);
    return absl::OkStatus();
  });
}

absl::Status Catalog::WithdrawOffer(const CallContext& call, const v1::WithdrawOfferRequest& req,
                                    v1::Offer* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "WithdrawOffer", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "offer_id", req.offer_id());
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Offer offer;
    if (auto s = LoadOffer(tx, req.offer_id(), /*for_update=*/true, &offer); !s.ok()) return s;
    if (auto s = RequireOfferManager(p, offer.cooperative_id(), "offer", offer.id()); !s.ok()) {
      return s;
    }
    if (auto s = CheckWithdrawable(offer); !s.ok()) return s;
    v1::Product product;
    if (auto s = LoadProduct(tx, offer.product_id(), false, &product); !s.ok()) return s;
    const int64_t now = ToMicros(clock_->Now());
    MarkOfferWithdrawn(tx, offer.id(), now);
    if (auto s = LoadOffer(tx, offer.id(), false, out); !s.ok()) return s;
    AppendChanges(tx, {OfferChange(product, offer.id())}, now);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog
