#include "services/membership/partner_store.h"

#include <cppconn/resultset.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink::membership {
namespace {

constexpr const char* kInsertPartner =
    "INSERT INTO partners (id, name, channel_kind, commission_rate_bps, contact, platform, "
    "refund_decider, version, create_time_us, update_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, "
    "?)";
constexpr const char* kPartnerColumns =
    "SELECT id, name, channel_kind, commission_rate_bps, contact, platform, refund_decider, "
    "version, create_time_us, update_time_us FROM partners ";
const std::string kSelectPartner = absl::StrCat(kPartnerColumns, "WHERE id = ?");
const std::string kSelectPartnerForUpdate =
    absl::StrCat(kPartnerColumns, "WHERE id = ? FOR UPDATE");
// The list: keyset cursor, then the optional channel filter, then the order and limit.
const std::string kListPartners = absl::StrCat(kPartnerColumns, "WHERE id > ?");
constexpr const char* kChannelFilter = " AND channel_kind = ?";
constexpr const char* kListOrder = " ORDER BY id LIMIT ?";
constexpr const char* kUpdatePartner =
    "UPDATE partners SET name = ?, channel_kind = ?, commission_rate_bps = ?, contact = ?, "
    "platform = ?, refund_decider = ?, version = version + 1, update_time_us = ? WHERE id = ?";
constexpr const char* kPartnerExists = "SELECT 1 FROM partners WHERE id = ?";

void PartnerFromRow(sql::ResultSet& rs, v1::Partner* p) {
  p->set_id(rs.getString("id"));
  p->set_name(rs.getString("name"));
  p->set_channel_kind(static_cast<common::v1::ChannelKind>(rs.getInt("channel_kind")));
  p->set_commission_rate_bps(rs.getInt("commission_rate_bps"));
  p->set_contact(rs.getString("contact"));
  p->set_platform(static_cast<common::v1::Platform>(rs.getInt("platform")));
  p->set_refund_decider(static_cast<common::v1::RefundDecider>(rs.getInt("refund_decider")));
  p->set_etag(Etag(rs.getInt64("version")));
  *p->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *p->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
}

}  // namespace

void InsertPartner(Tx& tx, const std::string& id, const v1::Partner& p, int64_t now_us) {
  tx.Execute(kInsertPartner, id, p.name(), static_cast<int>(p.channel_kind()),
             p.commission_rate_bps(), p.contact(), static_cast<int>(p.platform()),
             static_cast<int>(p.refund_decider()), now_us, now_us);
}

absl::Status LoadPartner(Tx& tx, const std::string& id, bool for_update, v1::Partner* out) {
  auto rs = tx.Query(for_update ? kSelectPartnerForUpdate : kSelectPartner, id);
  if (!rs->next()) return NotFound("partner", id);
  PartnerFromRow(*rs, out);
  return absl::OkStatus();
}

void SavePartner(Tx& tx, const v1::Partner& next, int64_t now_us) {
  tx.Execute(kUpdatePartner, next.name(), static_cast<int>(next.channel_kind()),
             next.commission_rate_bps(), next.contact(), static_cast<int>(next.platform()),
             static_cast<int>(next.refund_decider()), now_us, next.id());
}

void LoadPartnerPage(Tx& tx, common::v1::ChannelKind kind, const PageRequest& page,
                     const std::string& filters, v1::ListPartnersResponse* out) {
  std::string sql = kListPartners;
  std::vector<SqlParam> params = {Param(page.after)};
  if (kind != common::v1::CHANNEL_KIND_UNSPECIFIED) {
    absl::StrAppend(&sql, kChannelFilter);
    params.push_back(Param(static_cast<int>(kind)));
  }
  absl::StrAppend(&sql, kListOrder);
  params.push_back(Param(static_cast<int64_t>(page.size) + 1));
  auto rs = tx.QueryParams(sql, params);
  FillPage(*rs, page, filters, out->mutable_partners(), out->mutable_next_page_token(),
           PartnerFromRow);
}

bool PartnerExists(Tx& tx, const std::string& id) { return tx.Query(kPartnerExists, id)->next(); }

}  // namespace cooplink::membership
