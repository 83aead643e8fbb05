// Offers: permission for one partner to sell one ACTIVE product, optionally at a channel price.
#include <cppconn/resultset.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/catalog/catalog.h"
#include "services/catalog/internal.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

constexpr int64_t kMaxChannelPriceFen = 100'000'000;

constexpr const char* kOfferColumns =
    "o.id, o.product_id, o.partner_id, o.cooperative_id, o.channel_price_fen, o.state, "
    "o.create_time_us, o.withdraw_time_us";
constexpr const char* kInsertOffer =
    "INSERT INTO offers (id, product_id, partner_id, cooperative_id, channel_price_fen, state, "
    "active_product_id, create_time_us, withdraw_time_us) VALUES (?, ?, ?, ?, ?, 1, ?, ?, NULL)";
constexpr const char* kActiveOfferExists =
    "SELECT 1 FROM offers WHERE partner_id = ? AND active_product_id = ? FOR UPDATE";
constexpr const char* kWithdrawOffer =
    "UPDATE offers SET state = 2, active_product_id = NULL, withdraw_time_us = ? WHERE id = ?";
constexpr const char* kEligibleCounty =
    "SELECT 1 FROM eligible_832_counties WHERE region_code = ?";

void OfferFromRow(sql::ResultSet& rs, v1::Offer* o) {
  o->set_id(rs.getString("id"));
  o->set_product_id(rs.getString("product_id"));
  o->set_partner_id(rs.getString("partner_id"));
  o->set_cooperative_id(rs.getString("cooperative_id"));
  if (!rs.isNull("channel_price_fen")) {
    o->mutable_channel_price()->set_fen(rs.getInt64("channel_price_fen"));
  }
  o->set_state(static_cast<v1::OfferState>(rs.getInt("state")));
  *o->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  if (!rs.isNull("withdraw_time_us")) {
    *o->mutable_withdraw_time() = ToTimestamp(rs.getInt64("withdraw_time_us"));
  }
}

absl::Status LoadOffer(Tx& tx, const std::string& id, bool for_update, v1::Offer* out) {
  auto rs = tx.Query(absl::StrCat("SELECT ", kOfferColumns, " FROM offers o WHERE o.id = ?",
                                  for_update ? " FOR UPDATE" : ""),
                     id);
  if (!rs->next()) return NotFound("offer", id);
  OfferFromRow(*rs, out);
  return absl::OkStatus();
}

// Platform admin, or the admin of the product's cooperative; anyone else in scope is denied.
absl::Status RequireOfferManager(const Principal& p, const std::string& cooperative_id,
                                 const std::string& resource, const std::string& id) {
  if (p.is(Role::kPlatformAdmin)) return absl::OkStatus();
  if (p.is(Role::kCooperativeAdmin) && p.cooperative_id == cooperative_id) {
    return absl::OkStatus();
  }
  return NotFound(resource, id);
}

bool Eligible832(Tx& tx, const std::string& region_code) {
  return tx.Query(kEligibleCounty, region_code)->next();
}

}  // namespace

absl::Status Catalog::CreateOffer(const CallContext& call, const v1::CreateOfferRequest& req,
                                  v1::Offer* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateOffer", req);
  if (!key.ok()) return key.status();
  const v1::Offer& offer = req.offer();
  FieldViolations v;
  CheckId(v, "offer.product_id", offer.product_id());
  CheckId(v, "offer.partner_id", offer.partner_id());
  if (offer.has_channel_price() &&
      (offer.channel_price().fen() < 1 || offer.channel_price().fen() > kMaxChannelPriceFen)) {
    v.Add("offer.channel_price.fen", "must be 1 to 100000000 fen when set");
  }
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
  const bool is_832 = partner->channel_kind == common::v1::CHANNEL_KIND_PLATFORM_832;
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
    if (product.state() != v1::PRODUCT_STATE_ACTIVE) {
      return FailedPrecondition(
          "PRODUCT_NOT_ACTIVE",
          absl::StrCat("only ACTIVE products can be offered; the product is ",
                       v1::ProductState_Name(product.state())));
    }
    if (is_832 && !(Eligible832(tx, product.origin_region_code()) &&
                    Eligible832(tx, cooperative_region))) {
      return FailedPrecondition("NOT_ELIGIBLE_FOR_832",
                                "both the product's origin and the cooperative's region must be "
                                "832 counties");
    }
    if (tx.Query(kActiveOfferExists, offer.partner_id(), product.id())->next()) {
      return WithReason(absl::AlreadyExistsError(
                            "an ACTIVE offer of this product to this partner already exists"),
                        "ALREADY_EXISTS");
    }
    const int64_t now = ToMicros(clock_->Now());
    const std::string id = NewId(clock_->Now());
    tx.ExecuteParams(kInsertOffer,
                     {Param(id), Param(product.id()), Param(offer.partner_id()),
                      Param(product.cooperative_id()),
                      offer.has_channel_price() ? Param(offer.channel_price().fen())
                                                : SqlParam(nullptr),
                      Param(product.id()), Param(now)});
    if (auto s = LoadOffer(tx, id, false, out); !s.ok()) return s;
    AppendChanges(tx,
                  {{v1::CATALOG_CHANGE_KIND_OFFER_CHANGED, product.id(), product.cooperative_id(),
                    product.household_id(), id, offer.partner_id()}},
                  now);
    return absl::OkStatus();
  });
}

absl::Status Catalog::ListOffers(const CallContext& call, const v1::ListOffersRequest& req,
                                 v1::ListOffersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker,
                               Role::kCooperativeAdmin, Role::kPartner});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  if (!req.product_id().empty()) CheckId(v, "product_id", req.product_id());
  if (!req.partner_id().empty()) CheckId(v, "partner_id", req.partner_id());
  if (!v1::OfferState_IsValid(req.state())) v.Add("state", "must be one of the defined states");
  if (!v.empty()) return v.ToStatus();
  const std::string filters = absl::StrCat(req.product_id(), "|", req.partner_id(), "|",
                                           static_cast<int>(req.state()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();

  std::string sql = absl::StrCat("SELECT ", kOfferColumns, " FROM offers o WHERE o.id > ?");
  std::vector<SqlParam> params = {Param(page->after)};
  if (p.is(Role::kSocialWorker)) {
    auto cooperatives = directory_->WorkerCooperatives(call, p.social_worker_id);
    if (!cooperatives.ok()) return cooperatives.status();
    if (cooperatives->empty()) return absl::OkStatus();
    std::vector<std::string> marks(cooperatives->size(), "?");
    absl::StrAppend(&sql, " AND o.cooperative_id IN (", absl::StrJoin(marks, ", "), ")");
    for (const auto& c : *cooperatives) params.push_back(Param(c));
  } else if (p.is(Role::kCooperativeAdmin)) {
    absl::StrAppend(&sql, " AND o.cooperative_id = ?");
    params.push_back(Param(p.cooperative_id));
  } else if (p.is(Role::kPartner)) {
    absl::StrAppend(&sql, " AND o.partner_id = ?");
    params.push_back(Param(p.partner_id));
  }
  if (!req.product_id().empty()) {
    absl::StrAppend(&sql, " AND o.product_id = ?");
    params.push_back(Param(req.product_id()));
  }
  if (!req.partner_id().empty()) {
    absl::StrAppend(&sql, " AND o.partner_id = ?");
    params.push_back(Param(req.partner_id()));
  }
  if (req.state() != v1::OFFER_STATE_UNSPECIFIED) {
    absl::StrAppend(&sql, " AND o.state = ?");
    params.push_back(Param(static_cast<int>(req.state())));
  }
  absl::StrAppend(&sql, " ORDER BY o.id LIMIT ?");
  params.push_back(Param(static_cast<int64_t>(page->size + 1)));

  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.QueryParams(sql, params);
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
    if (offer.state() != v1::OFFER_STATE_ACTIVE) {
      return FailedPrecondition("INVALID_STATE_TRANSITION", "the offer is already withdrawn");
    }
    v1::Product product;
    if (auto s = LoadProduct(tx, offer.product_id(), false, &product); !s.ok()) return s;
    const int64_t now = ToMicros(clock_->Now());
    tx.Execute(kWithdrawOffer, now, offer.id());
    if (auto s = LoadOffer(tx, offer.id(), false, out); !s.ok()) return s;
    AppendChanges(tx,
                  {{v1::CATALOG_CHANGE_KIND_OFFER_CHANGED, product.id(), product.cooperative_id(),
                    product.household_id(), offer.id(), offer.partner_id()}},
                  now);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog
