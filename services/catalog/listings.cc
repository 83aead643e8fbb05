// Partner listings: what a partner may sell, read from partner_listings (maintained by the change
// sequencer, change_sequencer.cc). A listing page or batch is complete to its watermark, the feed
// head read before the rows: every change up to it is committed and reflected (rows may also show
// later ones, with their later versions).
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_limits.h"
#include "services/catalog/change_log.h"
#include "services/catalog/listings_store.h"
#include "services/catalog/products_store.h"
#include "services/common/fields.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

// The partner a listing call is about: a partner's own (partner_id empty or its own), or the one a
// platform admin names.
absl::StatusOr<std::string> ListingPartner(const Principal& p, const std::string& partner_id) {
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) return s;
  FieldViolations v;
  if (p.is(Role::kPlatformAdmin)) {
    if (partner_id.empty()) {
      v.Add("partner_id", "required for a platform admin");
    } else {
      CheckId(v, "partner_id", partner_id);
    }
    if (!v.empty()) return v.ToStatus();
    return partner_id;
  }
  if (!partner_id.empty() && partner_id != p.partner_id) {
    return PermissionDenied("ROLE_NOT_ALLOWED", "a partner reads only its own listings");
  }
  return p.partner_id;
}

// Page keys: "<watermark>|<last product id>" or "<watermark>|<last version>".
struct ListingPageKey {
  int64_t watermark = -1;  // -1: first page
  std::string after;
};

absl::StatusOr<ListingPageKey> ParseListingKey(const std::string& key) {
  ListingPageKey parsed;
  if (key.empty()) return parsed;
  std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('|', 1));
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &parsed.watermark)) {
    return InvalidField("page_token", "not a token of this list");
  }
  parsed.after = parts[1];
  return parsed;
}

}  // namespace

absl::Status Catalog::ListPartnerListings(const CallContext& call,
                                          const v1::ListPartnerListingsRequest& req,
                                          v1::ListPartnerListingsResponse* out) {
  auto partner = ListingPartner(call.principal(), req.partner_id());
  if (!partner.ok()) return partner.status();
  std::optional<int64_t> since;
  if (!req.changed_since().empty()) {
    auto decoded = DecodeCursor(req.changed_since());
    if (!decoded.ok()) return InvalidField("changed_since", "not a watermark or change cursor");
    since = *decoded;
  }
  const std::string filters = absl::StrCat("listings|", *partner, "|", req.changed_since());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  auto key = ParseListingKey(page->after);
  if (!key.ok()) return key.status();
  int64_t after_version = since.value_or(0);
  if (since && !key->after.empty() && !absl::SimpleAtoi(key->after, &after_version)) {
    return InvalidField("page_token", "not a token of this list");
  }

  const int64_t fetch = page->size + 1;
  int64_t watermark = key->watermark;
  std::vector<v1::PartnerListing> rows;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    if (watermark < 0) watermark = ReadFeedHead(tx);  // before the rows (file comment)
    rows = since ? ListChangedListings(tx, *partner, after_version, fetch)
                 : ListCurrentListings(tx, *partner, key->after, fetch);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  out->set_watermark(EncodeCursor(watermark));
  if (static_cast<int64_t>(rows.size()) == fetch) {
    rows.pop_back();
    const v1::PartnerListing& last = rows.back();
    const std::string last_key = since ? absl::StrCat(last.version()) : last.product_id();
    *out->mutable_next_page_token() =
        MakePageToken(absl::StrCat(watermark, "|", last_key), filters);
  }
  for (v1::PartnerListing& row : rows) *out->add_listings() = std::move(row);
  return absl::OkStatus();
}

absl::Status Catalog::BatchGetPartnerListings(const CallContext& call,
                                              const v1::BatchGetPartnerListingsRequest& req,
                                              v1::BatchGetPartnerListingsResponse* out) {
  auto partner = ListingPartner(call.principal(), req.partner_id());
  if (!partner.ok()) return partner.status();
  FieldViolations v;
  if (CheckCount(v, "product_ids", req.product_ids_size(), kBatchListingProducts)) {
    for (int i = 0; i < req.product_ids_size(); ++i) {
      CheckId(v, absl::StrCat("product_ids[", i, "]"), req.product_ids(i));
    }
  }
  if (!v.empty()) return v.ToStatus();

  int64_t watermark = 0;
  std::vector<v1::PartnerListing> listings;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    listings.clear();
    watermark = ReadFeedHead(tx);
    const absl::flat_hash_map<std::string, v1::PartnerListing> found =
        GetListings(tx, *partner, {req.product_ids().begin(), req.product_ids().end()});
    for (const std::string& product_id : req.product_ids()) {
      auto it = found.find(product_id);
      if (it != found.end()) {
        listings.push_back(it->second);
        continue;
      }
      v1::PartnerListing& none = listings.emplace_back();
      none.set_product_id(product_id);
      none.set_partner_id(*partner);
      none.set_removed(true);
      none.set_removal_reason(v1::LISTING_REMOVAL_REASON_NOT_OFFERED);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  out->set_watermark(EncodeCursor(watermark));
  for (v1::PartnerListing& row : listings) *out->add_listings() = std::move(row);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Catalog::AnnounceUnlistedOffers() {
  constexpr int64_t kBatch = 500;
  int64_t announced = 0;
  std::string after;
  while (true) {
    std::vector<std::pair<std::string, std::string>> offers;
    if (auto s = db_->Read([&](Tx& tx) {
          offers = UnlistedOffers(tx, after, kBatch);
          return absl::OkStatus();
        });
        !s.ok()) {
      return s;
    }
    for (const auto& [offer_id, product_id] : offers) {
      // Under the product's row lock, as the offer writers take it.
      absl::Status s = db_->Transact([&](Tx& tx) -> absl::Status {
        v1::Product product;
        if (auto st = LoadProduct(tx, product_id, /*for_update=*/true, &product); !st.ok()) {
          return st;
        }
        AppendChanges(tx, {OfferChange(product, offer_id)}, ToMicros(clock_->Now()));
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
      ++announced;
    }
    if (static_cast<int64_t>(offers.size()) < kBatch) return announced;
    after = offers.back().first;
  }
}

}  // namespace cooplink::catalog
