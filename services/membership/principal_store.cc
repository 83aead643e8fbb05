#include "services/membership/principal_store.h"

#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/membership/store_rows.h"

namespace cooplink::membership {
namespace {

constexpr const char* kInsertPrincipal =
    "INSERT INTO principals (id, display_name, role, cooperative_id, household_id, member_id, "
    "social_worker_id, partner_id, disabled, create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kPrincipalColumns =
    "SELECT id, display_name, role, cooperative_id, household_id, member_id, social_worker_id, "
    "partner_id, disabled, create_time_us FROM principals ";
const std::string kSelectPrincipal = absl::StrCat(kPrincipalColumns, "WHERE id = ?");
// The list: keyset cursor, then the optional role filter, then the order and limit.
const std::string kListPrincipals = absl::StrCat(kPrincipalColumns, "WHERE id > ?");
constexpr const char* kRoleFilter = " AND role = ?";
constexpr const char* kListOrder = " ORDER BY id LIMIT ?";

constexpr const char* kInsertToken =
    "INSERT INTO tokens (id, principal_id, expire_time_us, revoke_time_us, create_time_us) "
    "VALUES (?, ?, ?, NULL, ?)";
constexpr const char* kTokenColumns =
    "SELECT id, principal_id, expire_time_us, revoke_time_us, create_time_us FROM tokens ";
const std::string kSelectToken = absl::StrCat(kTokenColumns, "WHERE id = ?");
const std::string kSelectTokenForUpdate = absl::StrCat(kTokenColumns, "WHERE id = ? FOR UPDATE");
const std::string kListTokens = absl::StrCat(
    kTokenColumns, "WHERE principal_id = ? AND (? = '' OR id < ?) ORDER BY id DESC LIMIT ?");
constexpr const char* kRevokeToken =
    "UPDATE tokens SET revoke_time_us = ? WHERE id = ? AND revoke_time_us IS NULL";

void PrincipalFromRow(sql::ResultSet& rs, v1::Principal* p) {
  p->set_id(rs.getString("id"));
  p->set_display_name(rs.getString("display_name"));
  p->set_role(static_cast<common::v1::Role>(rs.getInt("role")));
  p->set_cooperative_id(StringOrEmpty(rs, "cooperative_id"));
  p->set_household_id(StringOrEmpty(rs, "household_id"));
  p->set_member_id(StringOrEmpty(rs, "member_id"));
  p->set_social_worker_id(StringOrEmpty(rs, "social_worker_id"));
  p->set_partner_id(StringOrEmpty(rs, "partner_id"));
  p->set_disabled(rs.getBoolean("disabled"));
  *p->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
}

void TokenFromRow(sql::ResultSet& rs, v1::Token* t) {
  t->set_id(rs.getString("id"));
  t->set_principal_id(rs.getString("principal_id"));
  *t->mutable_expire_time() = ToTimestamp(rs.getInt64("expire_time_us"));
  if (!rs.isNull("revoke_time_us")) {
    *t->mutable_revoke_time() = ToTimestamp(rs.getInt64("revoke_time_us"));
  }
  *t->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
}

}  // namespace

void InsertPrincipal(Tx& tx, const std::string& id, const v1::Principal& p, int64_t now_us) {
  tx.ExecuteParams(kInsertPrincipal,
                   {Param(id), Param(p.display_name()), Param(static_cast<int>(p.role())),
                    NullIfEmpty(p.cooperative_id()), NullIfEmpty(p.household_id()),
                    NullIfEmpty(p.member_id()), NullIfEmpty(p.social_worker_id()),
                    NullIfEmpty(p.partner_id()), Param(p.disabled()), Param(now_us)});
}

absl::Status LoadPrincipal(Tx& tx, const std::string& id, v1::Principal* out) {
  auto rs = tx.Query(kSelectPrincipal, id);
  if (!rs->next()) return NotFound("principal", id);
  PrincipalFromRow(*rs, out);
  return absl::OkStatus();
}

void LoadPrincipalPage(Tx& tx, common::v1::Role role, const PageRequest& page,
                       const std::string& filters, v1::ListPrincipalsResponse* out) {
  std::string sql = kListPrincipals;
  std::vector<SqlParam> params = {Param(page.after)};
  if (role != common::v1::ROLE_UNSPECIFIED) {
    absl::StrAppend(&sql, kRoleFilter);
    params.push_back(Param(static_cast<int>(role)));
  }
  absl::StrAppend(&sql, kListOrder);
  params.push_back(Param(static_cast<int64_t>(page.size) + 1));
  auto rs = tx.QueryParams(sql, params);
  FillPage(*rs, page, filters, out->mutable_principals(), out->mutable_next_page_token(),
           PrincipalFromRow);
}

void InsertToken(Tx& tx, const std::string& id, const std::string& principal_id,
                 int64_t expire_time_us, int64_t now_us) {
  tx.Execute(kInsertToken, id, principal_id, expire_time_us, now_us);
}

absl::Status LoadToken(Tx& tx, const std::string& id, bool for_update, v1::Token* out) {
  auto rs = tx.Query(for_update ? kSelectTokenForUpdate : kSelectToken, id);
  if (!rs->next()) return NotFound("token", id);
  TokenFromRow(*rs, out);
  return absl::OkStatus();
}

void LoadTokenPage(Tx& tx, const std::string& principal_id, const PageRequest& page,
                   v1::ListTokensResponse* out) {
  // Newest first: the keyset cursor runs downwards, "" meaning from the newest.
  auto rs = tx.Query(kListTokens, principal_id, page.after, page.after,
                     static_cast<int64_t>(page.size) + 1);
  FillPage(*rs, page, principal_id, out->mutable_tokens(), out->mutable_next_page_token(),
           TokenFromRow);
}

absl::Status MarkTokenRevoked(Tx& tx, const std::string& token_id, int64_t now_us) {
  if (tx.Execute(kRevokeToken, now_us, token_id) != 1) {
    return absl::AbortedError("the token was revoked under its row lock");
  }
  return absl::OkStatus();
}

}  // namespace cooplink::membership
