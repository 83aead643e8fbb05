#include "services/catalog/change_log.h"

#include <google/protobuf/util/json_util.h>

#include "absl/container/flat_hash_map.h"
#include "services/catalog/catalog.h"
#include "services/catalog/offers_store.h"
#include "services/catalog/products_store.h"
#include "services/catalog/stock_store.h"
#include "services/common/outbox.h"

namespace cooplink::catalog {
namespace {

constexpr const char* kFeedHead = "SELECT last_sequence FROM feed_head WHERE id = 1";

}  // namespace

int64_t ReadFeedHead(Tx& tx) {
  auto rs = tx.Query(kFeedHead);
  return rs->next() ? rs->getInt64("last_sequence") : 0;
}

absl::Status LoadCurrentChange(Tx& tx, const std::string& product_id, const std::string& offer_id,
                               v1::CatalogChange* change) {
  if (auto s = LoadProduct(tx, product_id, /*for_update=*/false, change->mutable_product());
      !s.ok()) {
    return s;
  }
  LoadStock(tx, change->product(), change->mutable_stock());
  change->clear_offer();
  if (!offer_id.empty()) (void)LoadOffer(tx, offer_id, false, change->mutable_offer());
  return absl::OkStatus();
}

void AppendChanges(Tx& tx, const std::vector<ChangeRow>& changes, int64_t now_us) {
  absl::flat_hash_map<std::string, v1::Stock> stocks;  // one read per product
  for (const ChangeRow& c : changes) {
    v1::CatalogChange snapshot;
    snapshot.set_kind(c.kind);
    *snapshot.mutable_product() = c.product;
    auto it = stocks.find(c.product.id());
    if (it == stocks.end()) {
      it = stocks.emplace(c.product.id(), v1::Stock()).first;
      LoadStock(tx, c.product, &it->second);
    }
    *snapshot.mutable_stock() = it->second;
    if (!c.offer_id.empty()) (void)LoadOffer(tx, c.offer_id, false, snapshot.mutable_offer());
    if (c.previous_price_fen) snapshot.mutable_previous_price()->set_fen(*c.previous_price_fen);
    Outbox::Append(tx, kChangeTopic, c.product.id(), EncodeChange(snapshot),
                   absl::FromUnixMicros(now_us));
  }
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_enums_as_ints = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);  // cannot fail
  return json;
}

bool FromJson(absl::string_view json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // rows written by a newer release stay readable
  return google::protobuf::util::JsonStringToMessage(std::string(json), message, options).ok();
}

std::string EncodeChange(const v1::CatalogChange& change) { return ToJson(change); }

absl::StatusOr<v1::CatalogChange> DecodeChange(absl::string_view payload) {
  v1::CatalogChange message;
  if (!FromJson(payload, &message)) {
    return absl::DataLossError("unreadable catalog change in the outbox");
  }
  return message;
}

}  // namespace cooplink::catalog
