#include "services/catalog/change_log.h"

#include <google/protobuf/util/json_util.h>

#include "services/catalog/catalog.h"
#include "services/common/outbox.h"

namespace cooplink::catalog {

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
