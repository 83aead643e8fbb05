// Members: admission (with the composition rule), reads in the masked and sensitive views,
// updates, capital contributions (出资) and the two-step exit (notice, then completion).
//
// Personal data: a member's resident ID and phone are stored only encrypted (PiiCipher, bound to
// the column's context), as a keyed look-up hash and in masked form. Replies carry the masked form
// unless the caller asks for, and may see, MEMBER_VIEW_SENSITIVE; mutation replies (which are also
// stored for idempotent replays) are always masked. Neither value ever appears in a status message
// or a log line, and the idempotency fingerprint is taken over keyed hashes of them, not the values.
//
// Locking: every transaction that can change the set of ACTIVE members, or whether one is a
// farmer, first locks the cooperative row (SELECT ... FOR UPDATE) and only then the member row, so
// concurrent admissions, exits and farmer changes of one cooperative are serialised and the
// composition count they check (a locking read: the latest committed rows, not the snapshot) is
// exact.
#include <cppconn/resultset.h>

#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/money.h"
#include "services/common/paging.h"
#include "services/membership/identity.h"
#include "services/membership/internal.h"
#include "services/membership/membership.h"

namespace cooplink::membership {
namespace {

// PiiCipher contexts: bound as AAD to the ciphertext and mixed into the look-up hash.
constexpr const char* kResidentIdContext = "member.resident_id";
constexpr const char* kPhoneContext = "member.phone";
// Context of the keyed hashes that replace personal data in idempotency fingerprints.
constexpr const char* kIdempotencyContext = "idempotency.member";

constexpr size_t kMaxNameChars = 50;
constexpr size_t kMaxNoteChars = 200;
constexpr size_t kMaxExitReasonChars = 500;
// Upper bound of one capital contribution or exit refund: 10^12 fen = 10 billion yuan. Far above
// any real amount, it rejects typing errors and keeps sums far from int64 overflow.
constexpr int64_t kMaxAmountFen = 1'000'000'000'000;
// Exit notice: months before the fiscal year end (natural person, organization).
constexpr int kNoticeMonthsPerson = 3;
constexpr int kNoticeMonthsOrganization = 6;

constexpr int kStateActive = v1::MEMBER_STATE_ACTIVE;
constexpr int kStateExitRequested = v1::MEMBER_STATE_EXIT_REQUESTED;
constexpr int kStateExited = v1::MEMBER_STATE_EXITED;

constexpr const char* kMemberColumns =
    "SELECT id, cooperative_id, household_id, name, resident_id_enc, resident_id_masked, "
    "phone_enc, phone_masked, is_farmer, member_kind, state, birth_date, join_date, "
    "contribution_total_fen, exit_notice_time_us, exit_effective_date, exit_reason, "
    "exit_refund_fen, version, create_time_us, update_time_us FROM members ";
const std::string kSelectMember = absl::StrCat(kMemberColumns, "WHERE id = ?");
const std::string kSelectMemberForUpdate = absl::StrCat(kMemberColumns, "WHERE id = ? FOR UPDATE");
const std::string kListMembers = absl::StrCat(
    kMemberColumns,
    "WHERE cooperative_id = ? AND (? = '' OR household_id = ?) AND (? = 0 OR state = ?) "
    "AND id > ? ORDER BY id LIMIT ?");
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
    "UPDATE members SET state = 2, exit_notice_time_us = ?, exit_effective_date = ?, "
    "exit_reason = ?, version = version + 1, update_time_us = ? WHERE id = ?";
constexpr const char* kCompleteExit =
    "UPDATE members SET state = 3, exit_refund_fen = ?, active_person_hash = NULL, "
    "version = version + 1, update_time_us = ? WHERE id = ?";

constexpr const char* kLockCooperative =
    "SELECT fiscal_year_end_month FROM cooperatives WHERE id = ? FOR UPDATE";
constexpr const char* kSelectHousehold =
    "SELECT id, village_code, created_by_cooperative_id FROM households WHERE id = ?";
// A locking read, so it sees the latest committed members and not the transaction's snapshot.
constexpr const char* kComposition =
    "SELECT COUNT(*) AS total, CAST(COALESCE(SUM(is_farmer), 0) AS SIGNED) AS farmers, "
    "CAST(COALESCE(SUM(member_kind = 2), 0) AS SIGNED) AS organizations FROM members "
    "WHERE cooperative_id = ? AND state = 1 LOCK IN SHARE MODE";

constexpr const char* kInsertContribution =
    "INSERT INTO capital_contributions (id, member_id, cooperative_id, amount_fen, "
    "contribution_date, note, recorded_by, create_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kSelectContribution =
    "SELECT id, member_id, cooperative_id, amount_fen, contribution_date, note, recorded_by, "
    "create_time_us FROM capital_contributions WHERE id = ?";
constexpr const char* kListContributions =
    "SELECT id, member_id, cooperative_id, amount_fen, contribution_date, note, recorded_by, "
    "create_time_us FROM capital_contributions WHERE member_id = ? AND id > ? ORDER BY id LIMIT ?";

// The encrypted columns of a member row, kept aside for the sensitive view.
struct Sealed {
  std::string resident_id_enc;
  std::optional<std::string> phone_enc;
};

std::string Col(sql::ResultSet& rs, const char* column) {
  return GetOptionalString(rs, column).value_or("");
}

// Fills the masked view of a member.
void MemberFromRow(sql::ResultSet& rs, v1::Member* m, Sealed* sealed) {
  m->set_id(rs.getString("id"));
  m->set_cooperative_id(rs.getString("cooperative_id"));
  m->set_household_id(rs.getString("household_id"));
  m->set_name(rs.getString("name"));
  m->set_resident_id(rs.getString("resident_id_masked"));
  m->set_phone(Col(rs, "phone_masked"));
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
  m->set_exit_reason(Col(rs, "exit_reason"));
  if (!rs.isNull("exit_refund_fen")) {
    m->mutable_exit_refund()->set_fen(rs.getInt64("exit_refund_fen"));
  }
  m->set_etag(Etag(rs.getInt64("version")));
  *m->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *m->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
  if (sealed != nullptr) {
    sealed->resident_id_enc = rs.getString("resident_id_enc");
    sealed->phone_enc = GetOptionalString(rs, "phone_enc");
  }
}

absl::Status LoadMember(Tx& tx, const std::string& sql, const std::string& id, v1::Member* out,
                        Sealed* sealed = nullptr) {
  auto rs = tx.Query(sql, id);
  if (!rs->next()) return NotFound("member", id);
  MemberFromRow(*rs, out, sealed);
  return absl::OkStatus();
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

// May `p` see/act on member `m`? The role must already have been checked for the RPC. Platform
// admin always; a social worker assigned to the member's cooperative; an admin of that
// cooperative; the member itself. Anything else reads as NOT_FOUND.
absl::Status CheckMemberAccess(Tx& tx, const Principal& p, const v1::Member& m) {
  bool allowed = false;
  switch (p.role) {
    case Role::kPlatformAdmin:
      allowed = true;
      break;
    case Role::kSocialWorker:
      allowed = WorkerHasCooperative(tx, p.social_worker_id, m.cooperative_id());
      break;
    case Role::kCooperativeAdmin:
      allowed = p.cooperative_id == m.cooperative_id();
      break;
    case Role::kMember:
      allowed = p.member_id == m.id();
      break;
    default:
      return PermissionDenied("ROLE_NOT_ALLOWED", "this role has no access to members");
  }
  return allowed ? absl::OkStatus() : NotFound("member", m.id());
}

// Loads the member for a mutation: checks scope on a plain read, then locks the cooperative row
// (serialising composition-relevant changes) and re-reads the member row FOR UPDATE.
absl::Status LoadForChange(Tx& tx, const Principal& p, const std::string& id, v1::Member* out,
                           int* fiscal_year_end_month) {
  v1::Member probe;
  if (auto s = LoadMember(tx, kSelectMember, id, &probe); !s.ok()) return s;
  if (auto s = CheckMemberAccess(tx, p, probe); !s.ok()) return s;
  auto coop = tx.Query(kLockCooperative, probe.cooperative_id());
  if (!coop->next()) return NotFound("member", id);
  if (fiscal_year_end_month != nullptr) *fiscal_year_end_month = coop->getInt("fiscal_year_end_month");
  return LoadMember(tx, kSelectMemberForUpdate, id, out);
}

// The composition rule over the cooperative's ACTIVE members as they are now (after the change
// made in this transaction). Integer arithmetic only.
absl::Status CheckComposition(Tx& tx, const std::string& cooperative_id) {
  auto rs = tx.Query(kComposition, cooperative_id);
  rs->next();
  const int64_t total = rs->getInt64("total");
  const int64_t farmers = rs->getInt64("farmers");
  const int64_t organizations = rs->getInt64("organizations");
  if (total >= 5 && farmers * 5 < total * 4) {
    return FailedPrecondition("COMPOSITION_RULE_VIOLATED",
                              "farmers must be at least 80 % of the cooperative's active members");
  }
  if (total <= 20 ? organizations > 1 : organizations * 20 > total) {
    return FailedPrecondition("COMPOSITION_RULE_VIOLATED",
                              "too many organization members: at most one with up to 20 active "
                              "members, at most 5 % above");
  }
  return absl::OkStatus();
}

// Last day of the cooperative's fiscal year containing `today`.
absl::CivilDay FiscalYearEnd(absl::CivilDay today, int end_month) {
  const absl::civil_year_t year = today.month() <= end_month ? today.year() : today.year() + 1;
  return absl::CivilDay(absl::CivilMonth(year, end_month) + 1) - 1;
}

// Last day of the month `months` calendar months before the month of `fiscal_year_end`.
absl::CivilDay NoticeDeadline(absl::CivilDay fiscal_year_end, int months) {
  const absl::CivilMonth month = absl::CivilMonth(fiscal_year_end) - months;
  return absl::CivilDay(month + 1) - 1;
}

// Adds a violation unless `money` is set with 0 < fen <= kMaxAmountFen (or 0 <= fen when
// `allow_zero`).
void CheckAmount(FieldViolations& v, const std::string& field, bool has,
                 const common::v1::Money& money, bool allow_zero) {
  if (!has) {
    v.Add(field, "is required");
  } else if (allow_zero ? money.fen() < 0 : money.fen() <= 0) {
    v.Add(field, allow_zero ? "must be 0 or more fen" : "must be greater than 0 fen");
  } else if (money.fen() > kMaxAmountFen) {
    v.Add(field, absl::StrCat("must be at most ", kMaxAmountFen, " fen"));
  }
}

// Phone as it is stored: ciphertext, keyed hash and masked form, or all NULL when there is none.
struct StoredPhone {
  std::optional<std::string> enc, hash, masked;
};
StoredPhone SealPhone(const PiiCipher& cipher, const std::string& normalized) {
  if (normalized.empty()) return {};
  return {cipher.Encrypt(normalized, kPhoneContext), cipher.LookupHash(normalized, kPhoneContext),
          MaskPhone(normalized)};
}

// Validates a phone field: "" stays "", anything else must be a mainland mobile number.
std::string CheckPhone(FieldViolations& v, const std::string& field, const std::string& raw) {
  if (Trimmed(raw).empty()) return "";
  auto phone = NormalizeMobilePhone(raw);
  if (!phone.ok()) {
    v.Add(field, std::string(phone.status().message()));
    return "";
  }
  return *phone;
}

// The idempotency fingerprint must not be an unkeyed hash of personal data (a resident ID has
// little entropy), so those fields are replaced by keyed hashes before it is taken.
std::string KeyedForFingerprint(const PiiCipher& cipher, const std::string& value) {
  return value.empty() ? "" : cipher.LookupHash(value, kIdempotencyContext);
}

// One audit line per sensitive read: who, which member, when. Never the data itself.
void AuditSensitiveRead(const Principal& p, const std::string& member_id, absl::Time now) {
  const std::string line = absl::StrFormat(
      "{\"level\":\"info\",\"msg\":\"audit\",\"event\":\"member.sensitive_read\","
      "\"principal_id\":\"%s\",\"member_id\":\"%s\",\"time\":\"%s\"}\n",
      p.id, member_id, absl::FormatTime(absl::RFC3339_full, now, absl::UTCTimeZone()));
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace

absl::Status Membership::CreateMember(const CallContext& call, const v1::CreateMemberRequest& req,
                                      v1::Member* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  v1::CreateMemberRequest fingerprint = req;
  fingerprint.mutable_member()->set_resident_id(
      KeyedForFingerprint(cipher_, req.member().resident_id()));
  fingerprint.mutable_member()->set_phone(KeyedForFingerprint(cipher_, req.member().phone()));
  auto key = MakeIdempotencyKey(p, "CreateMember", fingerprint);
  if (!key.ok()) return key.status();

  const v1::Member& m = req.member();
  const absl::CivilDay today = Today(clock_->Now());
  FieldViolations v;
  const bool kind_valid = m.member_kind() >= v1::MEMBER_KIND_UNSPECIFIED &&
                          m.member_kind() <= v1::MEMBER_KIND_ORGANIZATION;
  const bool organization = m.member_kind() == v1::MEMBER_KIND_ORGANIZATION;
  CheckId(v, "member.cooperative_id", m.cooperative_id());
  if (organization) {
    if (!m.household_id().empty()) {
      v.Add("member.household_id", "must be empty for an organization");
    }
  } else {
    CheckId(v, "member.household_id", m.household_id());
  }
  const std::string name = CheckText(v, "member.name", m.name(), kMaxNameChars);
  std::optional<ResidentId> resident;
  if (organization) {
    if (!m.resident_id().empty()) {
      v.Add("member.resident_id", "must be empty for an organization");
    }
  } else if (Trimmed(m.resident_id()).empty()) {
    v.Add("member.resident_id", "is required for a natural person");
  } else {
    auto parsed = ParseResidentId(m.resident_id(), today);
    if (parsed.ok()) {
      resident = *std::move(parsed);
    } else {
      v.Add("member.resident_id", std::string(parsed.status().message()));
    }
  }
  const std::string phone = CheckPhone(v, "member.phone", m.phone());
  if (organization && m.is_farmer()) {
    v.Add("member.is_farmer", "an organization is never a farmer");
  }
  if (!kind_valid) v.Add("member.member_kind", "must be NATURAL_PERSON or ORGANIZATION");
  absl::CivilDay join_date = today;
  if (m.has_join_date()) {
    if (auto d = CheckDate(v, "member.join_date", m.join_date())) {
      if (*d > today) {
        v.Add("member.join_date", "must not be in the future");
      } else {
        join_date = *d;
      }
    }
  }
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (auto s = CheckCooperativeAccess(tx, p, m.cooperative_id(), Access::kWrite); !s.ok()) {
      return s;
    }
    if (!tx.Query(kLockCooperative, m.cooperative_id())->next()) {
      return NotFound("cooperative", m.cooperative_id());
    }
    if (!organization) {
      // A household the caller may not see names nothing, exactly like a missing one; otherwise
      // admitting a member would be a way into any household's data.
      auto rs = tx.Query(kSelectHousehold, m.household_id());
      bool visible = rs->next();
      if (visible) {
        HouseholdScope scope{rs->getString("id"), rs->getString("village_code"),
                             GetOptionalString(*rs, "created_by_cooperative_id")};
        visible = CheckHouseholdAccess(tx, p, scope, Access::kWrite).ok();
      }
      if (!visible) {
        return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                                  "member.household_id names no household");
      }
    }
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    const std::string id = NewId(now_time);
    std::string resident_enc, resident_hash, resident_masked;
    std::optional<std::string> birth_date;
    if (resident) {
      resident_enc = cipher_.Encrypt(resident->normalized, kResidentIdContext);
      resident_hash = cipher_.LookupHash(resident->normalized, kResidentIdContext);
      resident_masked = MaskResidentId(resident->normalized);
      birth_date = CivilToSql(absl::CivilDay(resident->year, resident->month, resident->day));
    } else {
      // An organization has no resident ID: a hash unique to this member keeps the NOT NULL
      // columns meaningful without making two organizations collide as "the same person".
      resident_hash = cipher_.LookupHash(absl::StrCat("organization:", id), kResidentIdContext);
    }
    const StoredPhone stored_phone = SealPhone(cipher_, phone);
    tx.Execute(kInsertMember, id, m.cooperative_id(), organization ? "" : m.household_id(), name,
               resident_enc, resident_hash, resident_masked, resident_hash, stored_phone.enc,
               stored_phone.hash, stored_phone.masked, m.is_farmer(),
               organization ? static_cast<int>(v1::MEMBER_KIND_ORGANIZATION)
                            : static_cast<int>(v1::MEMBER_KIND_NATURAL_PERSON),
               kStateActive, birth_date, CivilToSql(join_date), now, now);
    if (auto s = CheckComposition(tx, m.cooperative_id()); !s.ok()) return s;
    return LoadMember(tx, kSelectMember, id, out);
  });
}

absl::Status Membership::GetMember(const CallContext& call, const v1::GetMemberRequest& req,
                                   v1::Member* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (req.view() < v1::MEMBER_VIEW_UNSPECIFIED || req.view() > v1::MEMBER_VIEW_SENSITIVE) {
    v.Add("view", "must be MEMBER_VIEW_MASKED or MEMBER_VIEW_SENSITIVE");
  }
  if (!v.empty()) return v.ToStatus();
  const bool sensitive = req.view() == v1::MEMBER_VIEW_SENSITIVE;
  if (sensitive && !p.is(Role::kPlatformAdmin) && !p.is(Role::kCooperativeAdmin)) {
    return PermissionDenied("SENSITIVE_VIEW_NOT_ALLOWED",
                            "only platform and cooperative admins may see the sensitive view");
  }
  Sealed sealed;
  absl::Status status = db_->Read([&](Tx& tx) -> absl::Status {
    if (auto s = LoadMember(tx, kSelectMember, req.id(), out, &sealed); !s.ok()) return s;
    return CheckMemberAccess(tx, p, *out);
  });
  if (!status.ok()) {
    out->Clear();
    return status;
  }
  if (sensitive) {
    if (!sealed.resident_id_enc.empty()) {
      auto rid = cipher_.Decrypt(sealed.resident_id_enc, kResidentIdContext);
      if (!rid.ok()) {
        out->Clear();
        return absl::InternalError("stored personal data cannot be decrypted");
      }
      out->set_resident_id(*rid);
    }
    if (sealed.phone_enc) {
      auto phone = cipher_.Decrypt(*sealed.phone_enc, kPhoneContext);
      if (!phone.ok()) {
        out->Clear();
        return absl::InternalError("stored personal data cannot be decrypted");
      }
      out->set_phone(*phone);
    }
    AuditSensitiveRead(p, out->id(), clock_->Now());
  }
  return absl::OkStatus();
}

absl::Status Membership::ListMembers(const CallContext& call, const v1::ListMembersRequest& req,
                                     v1::ListMembersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "cooperative_id", req.cooperative_id());
  if (!req.household_id().empty()) CheckId(v, "household_id", req.household_id());
  if (req.state() < v1::MEMBER_STATE_UNSPECIFIED || req.state() > v1::MEMBER_STATE_EXITED) {
    v.Add("state", "must be a defined member state");
  }
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat(req.cooperative_id(), "|", req.household_id(), "|", req.state());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (auto s = CheckCooperativeAccess(tx, p, req.cooperative_id(), Access::kRead); !s.ok()) {
      return s;
    }
    const int state = req.state();
    auto rs = tx.Query(kListMembers, req.cooperative_id(), req.household_id(), req.household_id(),
                       state, state, page->after, static_cast<int64_t>(page->size) + 1);
    FillPage(*rs, *page, filters, out->mutable_members(), out->mutable_next_page_token(),
             [](sql::ResultSet& row, v1::Member* m) { MemberFromRow(row, m, nullptr); });
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
  v1::UpdateMemberRequest fingerprint = req;
  fingerprint.mutable_member()->set_resident_id(
      KeyedForFingerprint(cipher_, req.member().resident_id()));
  fingerprint.mutable_member()->set_phone(KeyedForFingerprint(cipher_, req.member().phone()));
  auto key = MakeIdempotencyKey(p, "UpdateMember", fingerprint);
  if (!key.ok()) return key.status();
  const v1::Member& patch = req.member();
  FieldViolations v;
  CheckId(v, "member.id", patch.id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckUpdateMask(req.update_mask(), {"name", "phone", "is_farmer"}); !s.ok()) {
    return s;
  }
  const auto& mask = req.update_mask();
  std::string name, phone;
  if (MaskHas(mask, "name")) name = CheckText(v, "member.name", patch.name(), kMaxNameChars);
  if (MaskHas(mask, "phone")) phone = CheckPhone(v, "member.phone", patch.phone());
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member current;
    if (auto s = LoadForChange(tx, p, patch.id(), &current, nullptr); !s.ok()) return s;
    if (auto s = CheckEtag(patch.etag(), current.etag()); !s.ok()) return s;
    if (current.state() == kStateExited) {
      return FailedPrecondition("MEMBER_EXITED", "an exited member cannot be changed");
    }
    const bool organization = current.member_kind() == v1::MEMBER_KIND_ORGANIZATION;
    const std::string next_name = MaskHas(mask, "name") ? name : current.name();
    const bool next_farmer = MaskHas(mask, "is_farmer") ? patch.is_farmer() : current.is_farmer();
    if (organization && next_farmer) {
      return InvalidField("member.is_farmer", "an organization is never a farmer");
    }
    if (MaskHas(mask, "phone")) {
      const StoredPhone stored = SealPhone(cipher_, phone);
      tx.Execute(kUpdatePhone, stored.enc, stored.hash, stored.masked, patch.id());
    }
    tx.Execute(kUpdateMember, next_name, next_farmer, ToMicros(clock_->Now()), patch.id());
    if (current.state() == kStateActive && current.is_farmer() && !next_farmer) {
      if (auto s = CheckComposition(tx, current.cooperative_id()); !s.ok()) return s;
    }
    return LoadMember(tx, kSelectMember, patch.id(), out);
  });
}

absl::Status Membership::RecordCapitalContribution(const CallContext& call,
                                                   const v1::RecordCapitalContributionRequest& req,
                                                   v1::CapitalContribution* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "RecordCapitalContribution", req);
  if (!key.ok()) return key.status();
  const absl::CivilDay today = Today(clock_->Now());
  FieldViolations v;
  CheckId(v, "member_id", req.member_id());
  CheckAmount(v, "amount", req.has_amount(), req.amount(), /*allow_zero=*/false);
  std::optional<absl::CivilDay> date;
  if (!req.has_contribution_date()) {
    v.Add("contribution_date", "is required");
  } else if ((date = CheckDate(v, "contribution_date", req.contribution_date())) &&
             *date > today) {
    v.Add("contribution_date", "must not be in the future");
  }
  const std::string note = CheckText(v, "note", req.note(), kMaxNoteChars, /*required=*/false);
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member member;
    if (auto s = LoadMember(tx, kSelectMember, req.member_id(), &member); !s.ok()) return s;
    if (auto s = CheckMemberAccess(tx, p, member); !s.ok()) return s;
    if (auto s = LoadMember(tx, kSelectMemberForUpdate, req.member_id(), &member); !s.ok()) {
      return s;
    }
    if (member.state() == kStateExited) {
      return FailedPrecondition("MEMBER_EXITED", "an exited member cannot contribute capital");
    }
    auto total = CheckedAdd(member.capital_contribution_total().fen(), req.amount().fen());
    if (!total.ok()) return total.status();
    const absl::Time now_time = clock_->Now();
    const int64_t now = ToMicros(now_time);
    const std::string id = NewId(now_time);
    tx.Execute(kInsertContribution, id, member.id(), member.cooperative_id(), req.amount().fen(),
               CivilToSql(*date), note, p.id, now);
    tx.Execute(kUpdateContributionTotal, *total, now, member.id());
    auto rs = tx.Query(kSelectContribution, id);
    if (!rs->next()) return absl::InternalError("contribution vanished");
    ContributionFromRow(*rs, out);
    return absl::OkStatus();
  });
}

absl::Status Membership::ListCapitalContributions(const CallContext& call,
                                                  const v1::ListCapitalContributionsRequest& req,
                                                  v1::ListCapitalContributionsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin,
                               Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "member_id", req.member_id());
  if (!v.empty()) return v.ToStatus();
  auto page = ParsePage(req.page_size(), req.page_token(), req.member_id());
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    v1::Member member;
    if (auto s = LoadMember(tx, kSelectMember, req.member_id(), &member); !s.ok()) return s;
    if (auto s = CheckMemberAccess(tx, p, member); !s.ok()) return s;
    auto rs = tx.Query(kListContributions, req.member_id(), page->after,
                       static_cast<int64_t>(page->size) + 1);
    FillPage(*rs, *page, req.member_id(), out->mutable_contributions(), out->mutable_next_page_token(),
             ContributionFromRow);
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
  const std::string reason =
      CheckText(v, "reason", req.reason(), kMaxExitReasonChars, /*required=*/false);
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member member;
    int end_month = 12;
    if (auto s = LoadForChange(tx, p, req.member_id(), &member, &end_month); !s.ok()) return s;
    if (member.state() == kStateExitRequested) {
      return FailedPrecondition("EXIT_ALREADY_REQUESTED", "the member has already given notice");
    }
    if (member.state() == kStateExited) {
      return FailedPrecondition("MEMBER_EXITED", "the member has already exited");
    }
    const absl::Time now_time = clock_->Now();
    const absl::CivilDay today = Today(now_time);
    const absl::CivilDay year_end = FiscalYearEnd(today, end_month);
    const bool organization = member.member_kind() == v1::MEMBER_KIND_ORGANIZATION;
    const absl::CivilDay deadline = NoticeDeadline(
        year_end, organization ? kNoticeMonthsOrganization : kNoticeMonthsPerson);
    if (today > deadline) {
      return FailedPrecondition(
          "EXIT_NOTICE_TOO_LATE",
          absl::StrCat("notice for the fiscal year ending ", CivilToSql(year_end),
                       " had to be given by ", CivilToSql(deadline)));
    }
    const int64_t now = ToMicros(now_time);
    tx.Execute(kRequestExit, now, CivilToSql(year_end), reason, now, member.id());
    if (auto s = CheckComposition(tx, member.cooperative_id()); !s.ok()) return s;
    return LoadMember(tx, kSelectMember, member.id(), out);
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
  CheckAmount(v, "refund", req.has_refund(), req.refund(), /*allow_zero=*/true);
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Member member;
    if (auto s = LoadForChange(tx, p, req.member_id(), &member, nullptr); !s.ok()) return s;
    if (member.state() == kStateExited) {
      return FailedPrecondition("MEMBER_EXITED", "the member has already exited");
    }
    if (member.state() != kStateExitRequested) {
      return FailedPrecondition("EXIT_NOT_REQUESTED", "the member has not given notice of exit");
    }
    const absl::Time now_time = clock_->Now();
    const common::v1::Date& d = member.exit_effective_date();
    const absl::CivilDay effective(d.year(), d.month(), d.day());
    if (Today(now_time) <= effective) {
      return FailedPrecondition(
          "EXIT_NOT_YET_EFFECTIVE",
          absl::StrCat("the exit can be completed from the day after ", CivilToSql(effective)));
    }
    tx.Execute(kCompleteExit, req.refund().fen(), ToMicros(now_time), member.id());
    return LoadMember(tx, kSelectMember, member.id(), out);
  });
}

}  // namespace cooplink::membership
