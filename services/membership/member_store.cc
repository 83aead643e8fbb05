#include "services/membership/member_store.h"

#include <cppconn/resultset.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/membership/store_rows.h"

namespace cooplink::membership {
namespace {

constexpr int kStateActive = v1::MEMBER_STATE_ACTIVE;
constexpr int kStateExitRequested = v1::MEMBER_STATE_EXIT_REQUESTED;
constexpr int kStateExited = v1::MEMBER_STATE_EXITED;
constexpr int kKindOrganization = v1::MEMBER_KIND_ORGANIZATION;

constexpr const char* kMemberColumns =
    "SELECT id, cooperative_id, household_id, name, resident_id_enc, resident_id_masked, "
    "phone_enc, phone_masked, is_farmer, member_kind, state, birth_date, join_date, "
    "contribution_total_fen, exit_notice_time_us, exit_effective_date, exit_reason, "
    "exit_refund_fen, version, create_time_us, update_time_us FROM members ";
const std::string kSelectMember = absl::StrCat(kMemberColumns, "WHERE id = ?");
const std::string kSelectMemberForUpdate = absl::StrCat(kMemberColumns, "WHERE id = ? FOR UPDATE");
constexpr const char* kSelectMemberPlacement =
    "SELECT cooperative_id, household_id FROM members WHERE id = ?";
// The list: cooperative and keyset cursor, then the optional filters, then the order and limit.
const std::string kListMembers =
    absl::StrCat(kMemberColumns, "WHERE cooperative_id = ? AND id > ?");
constexpr const char* kHouseholdFilter = " AND household_id = ?";
constexpr const char* kStateFilter = " AND state = ?";
constexpr const char* kListOrder = " ORDER BY id LIMIT ?";
constexpr const char* kInsertMember =
    "INSERT INTO members (id, cooperative_id, household_id, name, resident_id_enc, "
    "resident_id_hash, resident_id_masked, active_person_hash, phone_enc, phone_hash, "
    "phone_masked, is_farmer, member_kind, state, birth_date, join_date, contribution_total_fen, "
    "version, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?)";
constexpr const char* kUpdateMember =
    "UPDATE members SET name = ?, is_farmer = ?, version = version + 1, update_time_us = ? "
    "WHERE id = ?";
constexpr const char* kUpdatePhone =
    "UPDATE members SET phone_enc = ?, phone_hash = ?, phone_masked = ? WHERE id = ?";
constexpr const char* kUpdateContributionTotal =
    "UPDATE members SET contribution_total_fen = ?, version = version + 1, update_time_us = ? "
    "WHERE id = ?";
constexpr const char* kRequestExit =
    "UPDATE members SET state = ?, exit_notice_time_us = ?, exit_effective_date = ?, "
    "exit_reason = ?, version = version + 1, update_time_us = ? WHERE id = ?";
// active_person_hash is unique per cooperative: clearing it lets the person join again.
constexpr const char* kCompleteExit =
    "UPDATE members SET state = ?, exit_refund_fen = ?, active_person_hash = NULL, "
    "version = version + 1, update_time_us = ? WHERE id = ?";
// A locking read on the cooperative's range of idx_members_cooperative only (member_store.h).
constexpr const char* kComposition =
    "SELECT COUNT(*) AS total, CAST(COALESCE(SUM(is_farmer), 0) AS SIGNED) AS farmers, "
    "CAST(COALESCE(SUM(member_kind = ?), 0) AS SIGNED) AS organizations "
    "FROM members FORCE INDEX (idx_members_cooperative) "
    "WHERE cooperative_id = ? AND state = ? FOR UPDATE";

constexpr const char* kContributionColumns =
    "SELECT id, member_id, cooperative_id, amount_fen, contribution_date, note, recorded_by, "
    "create_time_us FROM capital_contributions ";
constexpr const char* kInsertContribution =
    "INSERT INTO capital_contributions (id, member_id, cooperative_id, amount_fen, "
    "contribution_date, note, recorded_by, create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const std::string kSelectContribution = absl::StrCat(kContributionColumns, "WHERE id = ?");
const std::string kListContributions =
    absl::StrCat(kContributionColumns, "WHERE member_id = ? AND id > ? ORDER BY id LIMIT ?");

// The masked view of a member.
void MemberFromRow(sql::ResultSet& rs, v1::Member* m) {
  m->set_id(rs.getString("id"));
  m->set_cooperative_id(rs.getString("cooperative_id"));
  m->set_household_id(rs.getString("household_id"));
  m->set_name(rs.getString("name"));
  m->set_resident_id(rs.getString("resident_id_masked"));
  m->set_phone(StringOrEmpty(rs, "phone_masked"));
  m->set_is_farmer(rs.getBoolean("is_farmer"));
  m->set_member_kind(static_cast<v1::MemberKind>(rs.getInt("member_kind")));
  m->set_state(static_cast<v1::MemberState>(rs.getInt("state")));
  if (auto d = GetOptionalString(rs, "birth_date")) *m->mutable_birth_date() = DateFromSql(*d);
  *m->mutable_join_date() = DateFromSql(rs.getString("join_date"));
  m->mutable_capital_contribution_total()->set_fen(rs.getInt64("contribution_total_fen"));
  if (!rs.isNull("exit_notice_time_us")) {
    *m->mutable_exit_notice_time() = ToTimestamp(rs.getInt64("exit_notice_time_us"));
  }
  if (auto d = GetOptionalString(rs, "exit_effective_date")) {
    *m->mutable_exit_effective_date() = DateFromSql(*d);
  }
  m->set_exit_reason(StringOrEmpty(rs, "exit_reason"));
  if (!rs.isNull("exit_refund_fen")) {
    m->mutable_exit_refund()->set_fen(rs.getInt64("exit_refund_fen"));
  }
  m->set_etag(Etag(rs.getInt64("version")));
  *m->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *m->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
}

void ContributionFromRow(sql::ResultSet& rs, v1::CapitalContribution* c) {
  c->set_id(rs.getString("id"));
  c->set_member_id(rs.getString("member_id"));
  c->set_cooperative_id(rs.getString("cooperative_id"));
  c->mutable_amount()->set_fen(rs.getInt64("amount_fen"));
  *c->mutable_contribution_date() = DateFromSql(rs.getString("contribution_date"));
  c->set_note(rs.getString("note"));
  c->set_recorded_by(rs.getString("recorded_by"));
  *c->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
}

}  // namespace

void InsertMember(Tx& tx, const NewMemberRow& row, int64_t now_us) {
  tx.Execute(kInsertMember, row.id, row.cooperative_id, row.household_id, row.name,
             row.resident_id.enc, row.resident_id.hash, row.resident_id.masked,
             row.resident_id.hash, row.phone.enc, row.phone.hash, row.phone.masked, row.is_farmer,
             static_cast<int>(row.kind), kStateActive, row.birth_date, row.join_date, now_us,
             now_us);
}

absl::Status LoadMember(Tx& tx, const std::string& id, bool for_update, v1::Member* out,
                        SealedMemberPii* sealed) {
  auto rs = tx.Query(for_update ? kSelectMemberForUpdate : kSelectMember, id);
  if (!rs->next()) return NotFound("member", id);
  MemberFromRow(*rs, out);
  if (sealed != nullptr) {
    sealed->resident_id_enc = rs->getString("resident_id_enc");
    sealed->phone_enc = GetOptionalString(*rs, "phone_enc");
  }
  return absl::OkStatus();
}

bool LoadMemberPlacement(Tx& tx, const std::string& id, std::string* cooperative_id,
                         std::string* household_id) {
  auto rs = tx.Query(kSelectMemberPlacement, id);
  if (!rs->next()) return false;
  *cooperative_id = rs->getString("cooperative_id");
  *household_id = rs->getString("household_id");
  return true;
}

void LoadMemberPage(Tx& tx, const v1::ListMembersRequest& req, const PageRequest& page,
                    const std::string& filters, v1::ListMembersResponse* out) {
  std::string sql = kListMembers;
  std::vector<SqlParam> params = {Param(req.cooperative_id()), Param(page.after)};
  if (!req.household_id().empty()) {
    absl::StrAppend(&sql, kHouseholdFilter);
    params.push_back(Param(req.household_id()));
  }
  if (req.state() != v1::MEMBER_STATE_UNSPECIFIED) {
    absl::StrAppend(&sql, kStateFilter);
    params.push_back(Param(static_cast<int>(req.state())));
  }
  absl::StrAppend(&sql, kListOrder);
  params.push_back(Param(static_cast<int64_t>(page.size) + 1));
  auto rs = tx.QueryParams(sql, params);
  FillPage(*rs, page, filters, out->mutable_members(), out->mutable_next_page_token(),
           MemberFromRow);
}

void UpdateMemberFields(Tx& tx, const std::string& id, const std::string& name, bool is_farmer,
                        int64_t now_us) {
  tx.Execute(kUpdateMember, name, is_farmer, now_us, id);
}

void UpdateMemberPhone(Tx& tx, const std::string& id, const SealedPhone& phone) {
  tx.Execute(kUpdatePhone, phone.enc, phone.hash, phone.masked, id);
}

void UpdateContributionTotal(Tx& tx, const std::string& id, int64_t total_fen, int64_t now_us) {
  tx.Execute(kUpdateContributionTotal, total_fen, now_us, id);
}

void MarkExitRequested(Tx& tx, const std::string& id, int64_t notice_time_us,
                       const std::string& effective_date_sql, const std::string& reason) {
  tx.Execute(kRequestExit, kStateExitRequested, notice_time_us, effective_date_sql, reason,
             notice_time_us, id);
}

void MarkExited(Tx& tx, const std::string& id, int64_t refund_fen, int64_t now_us) {
  tx.Execute(kCompleteExit, kStateExited, refund_fen, now_us, id);
}

Composition LoadComposition(Tx& tx, const std::string& cooperative_id) {
  auto rs = tx.Query(kComposition, kKindOrganization, cooperative_id, kStateActive);
  Composition c;
  if (rs->next()) {
    c.total = rs->getInt64("total");
    c.farmers = rs->getInt64("farmers");
    c.organizations = rs->getInt64("organizations");
  }
  return c;
}

void InsertContribution(Tx& tx, const std::string& id, const v1::Member& member, int64_t amount_fen,
                        const std::string& date_sql, const std::string& note,
                        const std::string& recorded_by, int64_t now_us) {
  tx.Execute(kInsertContribution, id, member.id(), member.cooperative_id(), amount_fen, date_sql,
             note, recorded_by, now_us);
}

absl::Status LoadContribution(Tx& tx, const std::string& id, v1::CapitalContribution* out) {
  auto rs = tx.Query(kSelectContribution, id);
  if (!rs->next()) return absl::InternalError("contribution vanished");
  ContributionFromRow(*rs, out);
  return absl::OkStatus();
}

void LoadContributionPage(Tx& tx, const std::string& member_id, const PageRequest& page,
                          v1::ListCapitalContributionsResponse* out) {
  auto rs =
      tx.Query(kListContributions, member_id, page.after, static_cast<int64_t>(page.size) + 1);
  FillPage(*rs, page, member_id, out->mutable_contributions(), out->mutable_next_page_token(),
           ContributionFromRow);
}

}  // namespace cooplink::membership
