// Members: admission (with the composition rule), reads in the masked and sensitive views,
// updates, capital contributions (出资) and the two-step exit (notice, then completion). The rules
// of the cooperative law are in member_rules.h, the SQL in member_store.h, who may see what in
// access_rules.h.
//
// Personal data: a member's resident ID and phone are stored only sealed (pii_columns.h). Replies
// carry the masked form unless the caller asks for, and may see, MEMBER_VIEW_SENSITIVE; mutation
// replies (which are also stored for idempotent replays) are always masked. Neither value ever
// appears in a status message or a log line, and the idempotency fingerprint is taken over keyed
// hashes of them, not the values.
//
// Locking: every transaction that can change the set of ACTIVE members, or whether one is a
// farmer, first locks the cooperative row and only then the member row, writes, and counts the
// composition last (member_store.h LoadComposition, a locking read), so concurrent admissions,
// exits and farmer changes of one cooperative are serialised and the composition they check is
// exact, and changes of different cooperatives do not deadlock.
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/log.h"
#include "services/common/money.h"
#include "services/common/paging.h"
#include "services/membership/access_store.h"
#include "services/membership/cooperative_store.h"
#include "services/membership/household_store.h"
#include "services/membership/member_rules.h"
#include "services/membership/member_store.h"
#include "services/membership/membership.h"

namespace cooplink::membership {
namespace {

Subject SubjectOf(const v1::Member& m) { return MemberSubject(m.id(), m.cooperative_id()); }

// Loads a member for a change: checks access on a plain read, then locks the cooperative row
// (serialising changes that can alter its composition) and re-reads the member FOR UPDATE.
absl::Status LoadForChange(Tx& tx, const Scope& scope, const std::string& id, v1::Member* out,
                           int* fiscal_year_end_month) {
  v1::Member probe;
  if (auto s = LoadMember(tx, id, /*for_update=*/false, &probe); !s.ok()) return s;
  if (auto s = RequireAccess(scope, SubjectOf(probe), Access::kWrite); !s.ok()) return s;
  const std::optional<LockedCooperative> cooperative = LockCooperative(tx, probe.cooperative_id());
  if (!cooperative.has_value()) return NotFound("member", id);
  if (fiscal_year_end_month != nullptr) {
    *fiscal_year_end_month = cooperative->fiscal_year_end_month;
  }
  return LoadMember(tx, id, /*for_update=*/true, out);
}

// One audit line per sensitive read: who, which member, when. Never the data itself.
void AuditSensitiveRead(const Principal& p, const std::string& member_id, absl::Time now) {
  LogInfo("audit", {{"event", "member.sensitive_read"},
                    {"principal_id", p.id},
                    {"member_id", member_id},
                    {"time", absl::FormatTime(absl::RFC3339_full, now, absl::UTCTimeZone())}});
}

// Replaces the masked resident ID and phone of `m` by the decrypted values.
absl::Status Unseal(const PiiCipher& cipher, const SealedMemberPii& sealed, v1::Member* m) {
  if (!sealed.resident_id_enc.empty()) {
    auto rid = cipher.Decrypt(sealed.resident_id_enc, kMemberResidentIdContext);
    if (!rid.ok()) return absl::InternalError("stored personal data cannot be decrypted");
    m->set_resident_id(*rid);
  }
  if (sealed.phone_enc) {
    auto phone = cipher.Decrypt(*sealed.phone_enc, kMemberPhoneContext);
    if (!phone.ok()) return absl::InternalError("stored personal data cannot be decrypted");
    m->set_phone(*phone);
  }
  return absl::OkStatus();
}

// `req` with its personal data replaced by keyed hashes, for the idempotency fingerprint.
template <typename Request>
Request WithoutPii(const PiiCipher& cipher, const Request& req) {
  Request fingerprint = req;
  fingerprint.mutable_member()->set_resident_id(
      KeyedForFingerprint(cipher, req.member().resident_id()));
  fingerprint.mutable_member()->set_phone(KeyedForFingerprint(cipher, req.member().phone()));
  return fingerprint;
}

}  // namespace

absl::Status Membership::CreateMember(const CallContext& call, const v1::CreateMemberRequest& req,
                                      v1::Member* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateMember", WithoutPii(cipher_, req));
  if (!key.ok()) return key.status();
  const v1::Member& m = req.member();
  FieldViolations v;
  const NewMember admitted = ValidateNewMember(v, m, Today(clock_->Now()));
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (auto s = RequireAccess(*scope, CooperativeSubject(m.cooperative_id()), Access::kWrite);
        !s.ok()) {
      return s;
    }
    const std::optional<LockedCooperative> cooperative = LockCooperative(tx, m.cooperative_id());
    if (!cooperative) return NotFound("cooperative", m.cooperative_id());
    if (!admitted.organization) {
      // Only from a household in the cooperative's region or already in the caller's scope
      // (RequireAdmissionFrom); any other names nothing, exactly like a missing one.
      const std::optional<Subject> household = LoadHouseholdSubject(tx, m.household_id());
      if (!household) return AdmissionRefusal();
      if (auto s = RequireAdmissionFrom(*scope, *household, cooperative->region_code); !s.ok()) {
        return s;
      }
    }
    const absl::Time now = clock_->Now();
    NewMemberRow row;
    row.id = NewId(now);
    row.cooperative_id = m.cooperative_id();
    row.household_id = admitted.organization ? "" : m.household_id();
    row.name = admitted.name;
    if (admitted.resident) {
      const ResidentId& rid = *admitted.resident;
      row.resident_id = SealResidentId(cipher_, rid.normalized);
      row.birth_date = CivilToSql(absl::CivilDay(rid.year, rid.month, rid.day));
    } else {
      row.resident_id = OrganizationResidentId(cipher_, row.id);
    }
    row.phone = SealPhone(cipher_, kMemberPhoneContext, admitted.phone);
    row.is_farmer = m.is_farmer();
    row.kind =
        admitted.organization ? v1::MEMBER_KIND_ORGANIZATION : v1::MEMBER_KIND_NATURAL_PERSON;
    row.join_date = CivilToSql(admitted.join_date);
    InsertMember(tx, row, ToMicros(now));
    if (auto s = CheckComposition(LoadComposition(tx, m.cooperative_id())); !s.ok()) return s;
    return LoadMember(tx, row.id, /*for_update=*/false, out);
  });
}

absl::Status Membership::GetMember(const CallContext& call, const v1::GetMemberRequest& req,
                                   v1::Member* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(
          p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "id", req.id());
  ValidateMemberView(v, req.view());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckSensitiveViewAllowed(p, req.view()); !s.ok()) return s;
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  SealedMemberPii sealed;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    if (auto s = LoadMember(tx, req.id(), /*for_update=*/false, out, &sealed); !s.ok()) return s;
    return RequireAccess(*scope, SubjectOf(*out), Access::kRead);
  });
  if (status.ok() && req.view() == v1::MEMBER_VIEW_SENSITIVE) {
    status = Unseal(cipher_, sealed, out);
    if (status.ok()) AuditSensitiveRead(p, out->id(), clock_->Now());
  }
  if (!status.ok()) out->Clear();
  return status;
}

absl::Status Membership::ListMembers(const CallContext& call, const v1::ListMembersRequest& req,
                                     v1::ListMembersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  ValidateMemberFilters(v, req);
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat(req.cooperative_id(), "|", req.household_id(), "|", req.state());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  if (auto s = RequireAccess(*scope, CooperativeSubject(req.cooperative_id()), Access::kRead);
      !s.ok()) {
    return s;
  }
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (!CooperativeExists(tx, req.cooperative_id())) {
      return NotFound("cooperative", req.cooperative_id());
    }
    LoadMemberPage(tx, req, *page, filters, out);
    return absl::OkStatus();
  });
}

absl::Status Membership::UpdateMember(const CallContext& call, const v1::UpdateMemberRequest& req,
                                      v1::Member* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "UpdateMember", WithoutPii(cipher_, req));
  if (!key.ok()) return key.status();
  const v1::Member& patch = req.member();
  FieldViolations v;
  CheckId(v, "member.id", patch.id());
  if (!v.empty()) return v.ToStatus();
  const auto& mask = req.update_mask();
  if (auto s = CheckUpdateMask(mask, kMemberUpdatePaths); !s.ok()) return s;
  std::string name, phone;
  if (MaskHas(mask, "name")) name = CheckText(v, "member.name", patch.name(), kMemberName);
  if (MaskHas(mask, "phone")) phone = CheckPhone(v, "member.phone", patch.phone());
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member current;
    if (auto s = LoadForChange(tx, *scope, patch.id(), &current, nullptr); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    if (auto s = CheckMemberAction(current.state(), MemberAction::kUpdate); !s.ok()) return s;
    const std::string next_name = MaskHas(mask, "name") ? name : current.name();
    const bool next_farmer = MaskHas(mask, "is_farmer") ? patch.is_farmer() : current.is_farmer();
    if (auto s = CheckFarmerFlag(current.member_kind(), next_farmer); !s.ok()) return s;
    if (MaskHas(mask, "phone")) {
      UpdateMemberPhone(tx, patch.id(), SealPhone(cipher_, kMemberPhoneContext, phone));
    }
    UpdateMemberFields(tx, patch.id(), next_name, next_farmer, ToMicros(clock_->Now()));
    if (FarmerChangeNeedsCompositionCheck(current, next_farmer)) {
      if (auto s = CheckComposition(LoadComposition(tx, current.cooperative_id())); !s.ok()) {
        return s;
      }
    }
    return LoadMember(tx, patch.id(), /*for_update=*/false, out);
  });
}

absl::Status Membership::RecordCapitalContribution(const CallContext& call,
                                                   const v1::RecordCapitalContributionRequest& req,
                                                   v1::CapitalContribution* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "RecordCapitalContribution", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  std::string note;
  const std::optional<absl::CivilDay> date =
      ValidateContribution(v, req, Today(clock_->Now()), &note);
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member member;
    if (auto s = LoadMember(tx, req.member_id(), /*for_update=*/false, &member); !s.ok()) return s;
    if (auto s = RequireAccess(*scope, SubjectOf(member), Access::kWrite); !s.ok()) return s;
    if (auto s = LoadMember(tx, req.member_id(), /*for_update=*/true, &member); !s.ok()) return s;
    if (auto s = CheckMemberAction(member.state(), MemberAction::kContribute); !s.ok()) return s;
    auto total = CheckedAdd(member.capital_contribution_total().fen(), req.amount().fen());
    if (!total.ok()) return total.status();
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    InsertContribution(tx, id, member, req.amount().fen(), CivilToSql(*date), note, p.id,
                       ToMicros(now));
    UpdateContributionTotal(tx, member.id(), *total, ToMicros(now));
    return LoadContribution(tx, id, out);
  });
}

absl::Status Membership::ListCapitalContributions(const CallContext& call,
                                                  const v1::ListCapitalContributionsRequest& req,
                                                  v1::ListCapitalContributionsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(
          p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "member_id", req.member_id());
  if (!v.empty()) return v.ToStatus();
  auto page = ParsePage(req.page_size(), req.page_token(), req.member_id());
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    v1::Member member;
    if (auto s = LoadMember(tx, req.member_id(), /*for_update=*/false, &member); !s.ok()) return s;
    if (auto s = RequireAccess(*scope, SubjectOf(member), Access::kRead); !s.ok()) return s;
    LoadContributionPage(tx, req.member_id(), *page, out);
    return absl::OkStatus();
  });
}

absl::Status Membership::RequestMemberExit(const CallContext& call,
                                           const v1::RequestMemberExitRequest& req,
                                           v1::Member* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "RequestMemberExit", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "member_id", req.member_id());
  const std::string reason = CheckText(v, "reason", req.reason(), kExitReason);
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member member;
    int end_month = 0;
    if (auto s = LoadForChange(tx, *scope, req.member_id(), &member, &end_month); !s.ok()) {
      return s;
    }
    if (auto s = CheckMemberAction(member.state(), MemberAction::kRequestExit); !s.ok()) return s;
    const absl::Time now = clock_->Now();
    auto effective = ExitEffectiveDate(Today(now), end_month, member.member_kind());
    if (!effective.ok()) return effective.status();
    MarkExitRequested(tx, member.id(), ToMicros(now), CivilToSql(*effective), reason);
    if (auto s = CheckComposition(LoadComposition(tx, member.cooperative_id())); !s.ok()) return s;
    return LoadMember(tx, member.id(), /*for_update=*/false, out);
  });
}

absl::Status Membership::CompleteMemberExit(const CallContext& call,
                                            const v1::CompleteMemberExitRequest& req,
                                            v1::Member* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CompleteMemberExit", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "member_id", req.member_id());
  CheckFen(v, "refund", req.has_refund(), req.refund(), kExitRefund);
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(*db_, call);
  if (!scope.ok()) return scope.status();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member member;
    if (auto s = LoadForChange(tx, *scope, req.member_id(), &member, nullptr); !s.ok()) return s;
    if (auto s = CheckMemberAction(member.state(), MemberAction::kCompleteExit); !s.ok()) return s;
    const absl::Time now = clock_->Now();
    const common::v1::Date& d = member.exit_effective_date();
    if (auto s = CheckExitEffective(absl::CivilDay(d.year(), d.month(), d.day()), Today(now));
        !s.ok()) {
      return s;
    }
    MarkExited(tx, member.id(), req.refund().fen(), ToMicros(now));
    return LoadMember(tx, member.id(), /*for_update=*/false, out);
  });
}

}  // namespace cooplink::membership
