// Principals (users and service accounts) and their bearer tokens.
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/internal.h"
#include "services/membership/membership.h"

namespace cooplink::membership {
namespace {

constexpr absl::Duration kDefaultTokenTtl = absl::Hours(24);
constexpr absl::Duration kMaxTokenTtl = absl::Hours(24 * 30);
constexpr int kDefaultRevocationPage = 500;
constexpr int kMaxRevocationPage = 1000;

constexpr const char* kInsertPrincipal =
    "INSERT INTO principals (id, display_name, role, cooperative_id, household_id, member_id, "
    "social_worker_id, partner_id, disabled, create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kSelectPrincipal =
    "SELECT id, display_name, role, cooperative_id, household_id, member_id, social_worker_id, "
    "partner_id, disabled, create_time_us FROM principals WHERE id = ?";
constexpr const char* kListPrincipals =
    "SELECT id, display_name, role, cooperative_id, household_id, member_id, social_worker_id, "
    "partner_id, disabled, create_time_us FROM principals "
    "WHERE (? = 0 OR role = ?) AND id > ? ORDER BY id LIMIT ?";
constexpr const char* kCooperativeExists = "SELECT 1 FROM cooperatives WHERE id = ?";
constexpr const char* kMemberScope = "SELECT cooperative_id, household_id FROM members WHERE id = ?";
constexpr const char* kSocialWorkerExists = "SELECT 1 FROM social_workers WHERE id = ?";
constexpr const char* kPartnerExists = "SELECT 1 FROM partners WHERE id = ?";
constexpr const char* kInsertToken =
    "INSERT INTO tokens (id, principal_id, expire_time_us, revoke_time_us, create_time_us) "
    "VALUES (?, ?, ?, NULL, ?)";
constexpr const char* kSelectToken =
    "SELECT id, principal_id, expire_time_us, revoke_time_us, create_time_us FROM tokens "
    "WHERE id = ?";
constexpr const char* kSelectTokenForUpdate =
    "SELECT id, principal_id, expire_time_us, revoke_time_us, create_time_us FROM tokens "
    "WHERE id = ? FOR UPDATE";
constexpr const char* kListTokens =
    "SELECT id, principal_id, expire_time_us, revoke_time_us, create_time_us FROM tokens "
    "WHERE principal_id = ? AND (? = '' OR id < ?) ORDER BY id DESC LIMIT ?";
constexpr const char* kRevokeToken = "UPDATE tokens SET revoke_time_us = ? WHERE id = ?";
constexpr const char* kInsertRevocation =
    "INSERT INTO token_revocations (token_id, expire_time_us) VALUES (?, ?)";
constexpr const char* kListRevocations =
    "SELECT sequence, token_id, expire_time_us FROM token_revocations "
    "WHERE sequence > ? AND expire_time_us > ? ORDER BY sequence LIMIT ?";

std::string Col(sql::ResultSet& rs, const char* column) {
  return GetOptionalString(rs, column).value_or("");
}

void PrincipalFromRow(sql::ResultSet& rs, v1::Principal* p) {
  p->set_id(rs.getString("id"));
  p->set_display_name(rs.getString("display_name"));
  p->set_role(static_cast<common::v1::Role>(rs.getInt("role")));
  p->set_cooperative_id(Col(rs, "cooperative_id"));
  p->set_household_id(Col(rs, "household_id"));
  p->set_member_id(Col(rs, "member_id"));
  p->set_social_worker_id(Col(rs, "social_worker_id"));
  p->set_partner_id(Col(rs, "partner_id"));
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

absl::Status LoadPrincipal(Tx& tx, const std::string& id, v1::Principal* out) {
  auto rs = tx.Query(kSelectPrincipal, id);
  if (!rs->next()) return NotFound("principal", id);
  PrincipalFromRow(*rs, out);
  return absl::OkStatus();
}

Principal ToAuthPrincipal(const v1::Principal& p, const std::string& token_id,
                          absl::Time expire_time) {
  Principal out;
  out.id = p.id();
  out.role = static_cast<Role>(p.role());
  out.token_id = token_id;
  out.cooperative_id = p.cooperative_id();
  out.household_id = p.household_id();
  out.member_id = p.member_id();
  out.social_worker_id = p.social_worker_id();
  out.partner_id = p.partner_id();
  out.expire_time = expire_time;
  return out;
}

// Exactly the scope fields the role needs must be set.
void ValidatePrincipal(FieldViolations& v, v1::Principal& p) {
  p.set_display_name(CheckText(v, "principal.display_name", p.display_name(), 100));
  const Role role = static_cast<Role>(p.role());
  if (p.role() < 1 || p.role() > 5) {
    v.Add("principal.role", "must be one of the defined roles");
    return;
  }
  auto scope = [&](const char* field, const std::string& value, bool needed) {
    if (needed) {
      CheckId(v, absl::StrCat("principal.", field), value);
    } else if (!value.empty()) {
      v.Add(absl::StrCat("principal.", field), "must be empty for this role");
    }
  };
  scope("cooperative_id", p.cooperative_id(),
        role == Role::kCooperativeAdmin || role == Role::kMember);
  scope("household_id", p.household_id(), role == Role::kMember);
  scope("member_id", p.member_id(), role == Role::kMember);
  scope("social_worker_id", p.social_worker_id(), role == Role::kSocialWorker);
  scope("partner_id", p.partner_id(), role == Role::kPartner);
}

absl::Status ReferencedMissing(const std::string& field) {
  return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                            absl::StrCat(field, " names no existing resource"));
}

absl::Status CheckScopeReferences(Tx& tx, const v1::Principal& p) {
  if (!p.cooperative_id().empty() && !tx.Query(kCooperativeExists, p.cooperative_id())->next()) {
    return ReferencedMissing("principal.cooperative_id");
  }
  if (!p.member_id().empty()) {
    auto rs = tx.Query(kMemberScope, p.member_id());
    if (!rs->next()) return ReferencedMissing("principal.member_id");
    if (rs->getString("cooperative_id") != p.cooperative_id() ||
        rs->getString("household_id") != p.household_id()) {
      return InvalidField("principal.member_id",
                          "the member must belong to cooperative_id and household_id");
    }
  }
  if (!p.social_worker_id().empty() &&
      !tx.Query(kSocialWorkerExists, p.social_worker_id())->next()) {
    return ReferencedMissing("principal.social_worker_id");
  }
  if (!p.partner_id().empty() && !tx.Query(kPartnerExists, p.partner_id())->next()) {
    return ReferencedMissing("principal.partner_id");
  }
  return absl::OkStatus();
}

// Ids of tokens and principals are only visible to their owner and platform admins.
bool OwnsOrAdmin(const Principal& caller, const std::string& principal_id) {
  return caller.is(Role::kPlatformAdmin) || caller.id == principal_id;
}

}  // namespace

absl::Status Membership::CreatePrincipal(const CallContext& call, const v1::CreatePrincipalRequest& req,
                                         v1::Principal* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreatePrincipal", req);
  if (!key.ok()) return key.status();
  v1::Principal principal = req.principal();
  FieldViolations v;
  ValidatePrincipal(v, principal);
  if (!v.empty()) return v.ToStatus();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (auto s = CheckScopeReferences(tx, principal); !s.ok()) return s;
    const std::string id = NewId(clock_->Now());
    auto nullable = [](const std::string& s) { return s.empty() ? SqlParam(nullptr) : Param(s); };
    tx.ExecuteParams(kInsertPrincipal,
                     {Param(id), Param(principal.display_name()),
                      Param(static_cast<int>(principal.role())),
                      nullable(principal.cooperative_id()), nullable(principal.household_id()),
                      nullable(principal.member_id()), nullable(principal.social_worker_id()),
                      nullable(principal.partner_id()), Param(principal.disabled()),
                      Param(ToMicros(clock_->Now()))});
    return LoadPrincipal(tx, id, out);
  });
}

absl::Status Membership::GetPrincipal(const CallContext& call, const v1::GetPrincipalRequest& req,
                                      v1::Principal* out) {
  const Principal& p = call.principal();
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  if (!OwnsOrAdmin(p, req.id())) return NotFound("principal", req.id());
  return db_->Read([&](Tx& tx) { return LoadPrincipal(tx, req.id(), out); });
}

absl::Status Membership::ListPrincipals(const CallContext& call, const v1::ListPrincipalsRequest& req,
                                        v1::ListPrincipalsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  if (!common::v1::Role_IsValid(req.role())) return InvalidField("role", "unknown role");
  const std::string filters = absl::StrCat(static_cast<int>(req.role()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    const int role = static_cast<int>(req.role());
    auto rs = tx.Query(kListPrincipals, role, role, page->after, page->size + 1);
    FillPage(*rs, *page, filters, out->mutable_principals(), out->mutable_next_page_token(),
             PrincipalFromRow);
    return absl::OkStatus();
  });
}

absl::Status Membership::IssueToken(const CallContext& call, const v1::IssueTokenRequest& req,
                                    v1::IssueTokenResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "IssueToken", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "principal_id", req.principal_id());
  absl::Duration ttl = absl::Seconds(req.ttl().seconds()) + absl::Nanoseconds(req.ttl().nanos());
  if (ttl == absl::ZeroDuration()) ttl = kDefaultTokenTtl;
  if (ttl < absl::ZeroDuration() || ttl > kMaxTokenTtl) {
    v.Add("ttl", "must be positive and at most 30 days");
  }
  if (!v.empty()) return v.ToStatus();

  v1::Principal principal;
  // The reply stored for replays holds only the token's metadata; the token string is re-derived
  // below (signing is deterministic), so no bearer token is ever written to the database.
  absl::Status status = RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (auto s = LoadPrincipal(tx, req.principal_id(), &principal); !s.ok()) {
      return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND", "principal_id names no principal");
    }
    if (principal.disabled()) {
      return FailedPrecondition("PRINCIPAL_DISABLED", "the principal is disabled");
    }
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    const int64_t expire_us = ToMicros(now + ttl) / 1000000 * 1000000;  // whole seconds
    tx.Execute(kInsertToken, id, principal.id(), expire_us, ToMicros(now));
    auto rs = tx.Query(kSelectToken, id);
    rs->next();
    TokenFromRow(*rs, out->mutable_token_info());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (principal.id().empty()) {
    status = db_->Read([&](Tx& tx) { return LoadPrincipal(tx, req.principal_id(), &principal); });
    if (!status.ok()) return status;
  }
  const auto& info = out->token_info();
  out->set_token(tokens_->Sign(
      ToAuthPrincipal(principal, info.id(), absl::FromUnixSeconds(info.expire_time().seconds()))));
  return absl::OkStatus();
}

absl::Status Membership::ListTokens(const CallContext& call, const v1::ListTokensRequest& req,
                                    v1::ListTokensResponse* out) {
  const Principal& p = call.principal();
  FieldViolations v;
  CheckId(v, "principal_id", req.principal_id());
  if (!v.empty()) return v.ToStatus();
  if (!OwnsOrAdmin(p, req.principal_id())) return NotFound("principal", req.principal_id());
  auto page = ParsePage(req.page_size(), req.page_token(), req.principal_id());
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.Query(kListTokens, req.principal_id(), page->after, page->after, page->size + 1);
    FillPage(*rs, *page, req.principal_id(), out->mutable_tokens(), out->mutable_next_page_token(),
             TokenFromRow);
    return absl::OkStatus();
  });
}

absl::Status Membership::RevokeToken(const CallContext& call, const v1::RevokeTokenRequest& req,
                                     v1::Token* out) {
  const Principal& p = call.principal();
  auto key = MakeIdempotencyKey(p, "RevokeToken", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "token_id", req.token_id());
  if (!v.empty()) return v.ToStatus();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    auto rs = tx.Query(kSelectTokenForUpdate, req.token_id());
    if (!rs->next()) return NotFound("token", req.token_id());
    TokenFromRow(*rs, out);
    if (!OwnsOrAdmin(p, out->principal_id())) return NotFound("token", req.token_id());
    if (out->has_revoke_time()) return absl::OkStatus();  // already revoked: unchanged
    const int64_t now = ToMicros(clock_->Now());
    tx.Execute(kRevokeToken, now, req.token_id());
    tx.Execute(kInsertRevocation, req.token_id(), rs->getInt64("expire_time_us"));
    *out->mutable_revoke_time() = ToTimestamp(now);
    return absl::OkStatus();
  });
}

absl::Status Membership::ListTokenRevocations(const CallContext& call,
                                              const v1::ListTokenRevocationsRequest& req,
                                              v1::ListTokenRevocationsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  if (req.page_size() < 0) return InvalidField("page_size", "must not be negative");
  if (req.after_sequence() < 0) return InvalidField("after_sequence", "must not be negative");
  const int size = req.page_size() == 0 ? kDefaultRevocationPage
                                        : std::min(req.page_size(), kMaxRevocationPage);
  out->set_last_sequence(req.after_sequence());
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.Query(kListRevocations, req.after_sequence(), ToMicros(clock_->Now()), size);
    while (rs->next()) {
      auto* r = out->add_revocations();
      r->set_token_id(rs->getString("token_id"));
      *r->mutable_expire_time() = ToTimestamp(rs->getInt64("expire_time_us"));
      r->set_sequence(rs->getInt64("sequence"));
      out->set_last_sequence(r->sequence());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<RevocationList::Entry>> Membership::RevocationsAfter(
    int64_t after_sequence) {
  std::vector<RevocationList::Entry> entries;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    entries.clear();
    auto rs = tx.Query(kListRevocations, after_sequence, ToMicros(clock_->Now()),
                       kMaxRevocationPage * 100);
    while (rs->next()) {
      entries.push_back({rs->getString("token_id"),
                         absl::FromUnixMicros(rs->getInt64("expire_time_us")),
                         rs->getInt64("sequence")});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return entries;
}

absl::Status Membership::BootstrapPlatformAdmin(const std::string& display_name,
                                                absl::Duration ttl, v1::Principal* principal,
                                                v1::IssueTokenResponse* token) {
  // The host operator acts as a one-off platform admin: both steps are ordinary, audited RPC logic.
  Principal host;
  host.id = "host-bootstrap";
  host.role = Role::kPlatformAdmin;
  const CallContext call = CallContext::Internal(host);
  const std::string nonce = NewId(clock_->Now());
  v1::CreatePrincipalRequest create;
  create.set_request_id(absl::StrCat("bootstrap-", nonce));
  create.mutable_principal()->set_display_name(display_name);
  create.mutable_principal()->set_role(common::v1::ROLE_PLATFORM_ADMIN);
  if (auto s = CreatePrincipal(call, create, principal); !s.ok()) return s;
  v1::IssueTokenRequest issue;
  issue.set_request_id(absl::StrCat("bootstrap-token-", nonce));
  issue.set_principal_id(principal->id());
  issue.mutable_ttl()->set_seconds(absl::ToInt64Seconds(ttl));
  return IssueToken(call, issue, token);
}

}  // namespace cooplink::membership
