// Principals (users and service accounts) and their bearer tokens. The rules are in
// principal_rules.h, the SQL in principal_store.h.
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/cooperative_store.h"
#include "services/membership/member_store.h"
#include "services/membership/membership.h"
#include "services/membership/membership_status.h"
#include "services/membership/partner_store.h"
#include "services/membership/principal_rules.h"
#include "services/membership/principal_store.h"
#include "services/membership/revocation_log.h"
#include "services/membership/social_worker_store.h"

namespace cooplink::membership {
namespace {

// The scope ids of a new principal must name existing resources, and a member principal's member
// must belong to its cooperative and household.
absl::Status CheckScopeReferences(Tx& tx, const v1::Principal& p) {
  if (!p.cooperative_id().empty() && !CooperativeExists(tx, p.cooperative_id())) {
    return ReferencedMissing("principal.cooperative_id");
  }
  if (!p.member_id().empty()) {
    std::string cooperative_id, household_id;
    if (!LoadMemberPlacement(tx, p.member_id(), &cooperative_id, &household_id)) {
      return ReferencedMissing("principal.member_id");
    }
    if (auto s = CheckMemberPlacement(p, cooperative_id, household_id); !s.ok()) return s;
  }
  if (!p.social_worker_id().empty() && !SocialWorkerExists(tx, p.social_worker_id())) {
    return ReferencedMissing("principal.social_worker_id");
  }
  if (!p.partner_id().empty() && !PartnerExists(tx, p.partner_id())) {
    return ReferencedMissing("principal.partner_id");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Membership::CreatePrincipal(const CallContext& call,
                                         const v1::CreatePrincipalRequest& req,
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
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    InsertPrincipal(tx, id, principal, ToMicros(now));
    return LoadPrincipal(tx, id, out);
  });
}

absl::Status Membership::GetPrincipal(const CallContext& call, const v1::GetPrincipalRequest& req,
                                      v1::Principal* out) {
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  if (!OwnsOrAdmin(call.principal(), req.id())) return NotFound("principal", req.id());
  return db_->Read([&](Tx& tx) { return LoadPrincipal(tx, req.id(), out); });
}

absl::Status Membership::ListPrincipals(const CallContext& call,
                                        const v1::ListPrincipalsRequest& req,
                                        v1::ListPrincipalsResponse* out) {
  if (auto s = RequireRole(call.principal(), {Role::kPlatformAdmin}); !s.ok()) return s;
  if (!common::v1::Role_IsValid(req.role())) return InvalidField("role", "unknown role");
  const std::string filters = absl::StrCat(static_cast<int>(req.role()));
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    LoadPrincipalPage(tx, req.role(), *page, filters, out);
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
  const absl::Duration ttl = TokenTtl(v, req.ttl());
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
    InsertToken(tx, id, principal.id(), TokenExpiryMicros(now, ttl), ToMicros(now));
    return LoadToken(tx, id, /*for_update=*/false, out->mutable_token_info());
  });
  if (!status.ok()) return status;
  if (principal.id().empty()) {  // a replay: the body did not run
    status = db_->Read([&](Tx& tx) { return LoadPrincipal(tx, req.principal_id(), &principal); });
    if (!status.ok()) return status;
  }
  const auto& info = out->token_info();
  out->set_token(tokens_->Sign(
      TokenClaims(principal, info.id(), absl::FromUnixSeconds(info.expire_time().seconds()))));
  return absl::OkStatus();
}

absl::Status Membership::ListTokens(const CallContext& call, const v1::ListTokensRequest& req,
                                    v1::ListTokensResponse* out) {
  FieldViolations v;
  CheckId(v, "principal_id", req.principal_id());
  if (!v.empty()) return v.ToStatus();
  if (!OwnsOrAdmin(call.principal(), req.principal_id())) {
    return NotFound("principal", req.principal_id());
  }
  auto page = ParsePage(req.page_size(), req.page_token(), req.principal_id());
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    LoadTokenPage(tx, req.principal_id(), *page, out);
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
    if (auto s = LoadToken(tx, req.token_id(), /*for_update=*/true, out); !s.ok()) return s;
    if (!OwnsOrAdmin(p, out->principal_id())) return NotFound("token", req.token_id());
    if (out->has_revoke_time()) return absl::OkStatus();  // already revoked: unchanged
    const absl::Time now = clock_->Now();
    if (auto s = MarkTokenRevoked(tx, out->id(), ToMicros(now)); !s.ok()) return s;
    // Sequenced into the feed once committed (revocation_log.h). Expiries are whole seconds.
    AppendRevocation(tx, out->id(), absl::FromUnixSeconds(out->expire_time().seconds()), now);
    *out->mutable_revoke_time() = ToTimestamp(ToMicros(now));
    return absl::OkStatus();
  });
}

absl::Status Membership::ListTokenRevocations(const CallContext& call,
                                              const v1::ListTokenRevocationsRequest& req,
                                              v1::ListTokenRevocationsResponse* out) {
  if (auto s = RequireRole(call.principal(), {Role::kPlatformAdmin}); !s.ok()) return s;
  auto size = RevocationPageSize(req);
  if (!size.ok()) return size.status();
  out->set_last_sequence(req.after_sequence());
  return db_->Read([&](Tx& tx) -> absl::Status {
    for (const auto& entry : LoadRevocationFeed(tx, req.after_sequence(), clock_->Now(), *size)) {
      auto* r = out->add_revocations();
      r->set_token_id(entry.token_id);
      *r->mutable_expire_time() = ToTimestamp(ToMicros(entry.expire_time));
      r->set_sequence(entry.sequence);
      out->set_last_sequence(entry.sequence);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<RevocationList::Entry>> Membership::RevocationsAfter(
    int64_t after_sequence) {
  std::vector<RevocationList::Entry> entries;
  // One transaction, so one snapshot: a committed revocation is in the feed or still in the
  // outbox (the relay moves it in one transaction), never in neither.
  absl::Status status = db_->Transact([&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    entries = LoadRevocationFeed(tx, after_sequence, now, kMaxRevocationPage * 100);
    absl::StatusOr<std::vector<RevocationList::Entry>> unsequenced =
        UnsequencedRevocations(tx, now, kMaxRevocationPage * 100);
    if (!unsequenced.ok()) return unsequenced.status();
    entries.insert(entries.end(), unsequenced->begin(), unsequenced->end());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return entries;
}

absl::Status Membership::BootstrapPlatformAdmin(const std::string& display_name, absl::Duration ttl,
                                                v1::Principal* principal,
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
