#include "services/membership/internal.h"

#include <cppconn/resultset.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/common/ids.h"

namespace cooplink::membership {
namespace {

constexpr const char* kWorkerHasCooperative =
    "SELECT 1 FROM assignments WHERE social_worker_id = ? AND cooperative_id = ? AND state = 1 "
    "LIMIT 1";
constexpr const char* kWorkerHasVillage =
    "SELECT 1 FROM assignments WHERE social_worker_id = ? AND village_code = ? AND state = 1 "
    "LIMIT 1";
constexpr const char* kCooperativeExists = "SELECT 1 FROM cooperatives WHERE id = ?";
constexpr const char* kHouseholdHasMemberOf =
    "SELECT 1 FROM members WHERE household_id = ? AND cooperative_id = ? LIMIT 1";
constexpr const char* kHouseholdHasAnyMember =
    "SELECT 1 FROM members WHERE household_id = ? LIMIT 1";

bool Exists(std::unique_ptr<sql::ResultSet> rs) { return rs->next(); }

absl::Status OutOfScope(const std::string& what, const std::string& id) {
  // Reported like a missing resource so that scoped callers cannot probe for existence.
  return NotFound(what, id);
}

}  // namespace

std::string Trimmed(const std::string& s) {
  return std::string(absl::StripAsciiWhitespace(s));
}

size_t CharCount(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string CheckText(FieldViolations& v, const std::string& field, const std::string& value,
                      size_t max_chars, bool required) {
  std::string t = Trimmed(value);
  if (required && t.empty()) {
    v.Add(field, "is required");
  } else if (CharCount(t) > max_chars) {
    v.Add(field, absl::StrCat("must be at most ", max_chars, " characters"));
  }
  return t;
}

void CheckId(FieldViolations& v, const std::string& field, const std::string& id) {
  if (id.empty()) {
    v.Add(field, "is required");
  } else if (!LooksLikeId(id)) {
    v.Add(field, "is not a valid id");
  }
}

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return ts;
}

int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }

absl::CivilDay Today(absl::Time now) {
  return absl::ToCivilDay(now, absl::FixedTimeZone(8 * 3600));
}

std::string DateToSql(const common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string CivilToSql(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

absl::CivilDay CivilFromSql(const std::string& s) {
  absl::CivilDay d;
  absl::ParseCivilTime(s, &d);
  return d;
}

common::v1::Date ToDate(absl::CivilDay d) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

common::v1::Date DateFromSql(const std::string& s) { return ToDate(CivilFromSql(s)); }

std::optional<absl::CivilDay> CheckDate(FieldViolations& v, const std::string& field,
                                        const common::v1::Date& d) {
  const absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.year() < 1900 || d.year() > 2200 || day.year() != d.year() || day.month() != d.month() ||
      day.day() != d.day()) {
    v.Add(field, "must be a real calendar date between 1900 and 2200");
    return std::nullopt;
  }
  return day;
}

std::string Etag(int64_t version) { return absl::StrCat("v", version); }

absl::Status CheckEtag(const std::string& given, const std::string& current) {
  if (given.empty() || given == current) return absl::OkStatus();
  return WithReason(absl::AbortedError("the resource was changed since it was read (etag)"),
                    "ETAG_MISMATCH");
}

absl::Status CheckUpdateMask(const google::protobuf::FieldMask& mask,
                             std::initializer_list<const char*> allowed) {
  if (mask.paths().empty()) {
    return InvalidField("update_mask", "must name at least one field");
  }
  for (const auto& path : mask.paths()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || path == a;
    if (!ok) {
      return InvalidField("update_mask", absl::StrCat("'", path, "' cannot be updated; updatable: ",
                                                      absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

bool MaskHas(const google::protobuf::FieldMask& mask, const char* path) {
  for (const auto& p : mask.paths()) {
    if (p == path) return true;
  }
  return false;
}

bool WorkerHasCooperative(Tx& tx, const std::string& worker_id, const std::string& cooperative_id) {
  return Exists(tx.Query(kWorkerHasCooperative, worker_id, cooperative_id));
}

bool WorkerHasVillage(Tx& tx, const std::string& worker_id, const std::string& village_code) {
  return Exists(tx.Query(kWorkerHasVillage, worker_id, village_code));
}

absl::Status CheckCooperativeAccess(Tx& tx, const Principal& p, const std::string& cooperative_id,
                                    Access access) {
  bool allowed = false;
  switch (p.role) {
    case Role::kPlatformAdmin:
      allowed = true;
      break;
    case Role::kSocialWorker:
      allowed = WorkerHasCooperative(tx, p.social_worker_id, cooperative_id);
      break;
    case Role::kCooperativeAdmin:
      allowed = p.cooperative_id == cooperative_id;
      break;
    case Role::kMember:
      if (access == Access::kWrite) {
        return PermissionDenied("ROLE_NOT_ALLOWED", "members may not change a cooperative");
      }
      allowed = p.cooperative_id == cooperative_id;
      break;
    default:
      return PermissionDenied("ROLE_NOT_ALLOWED", "this role has no access to cooperatives");
  }
  if (!allowed || !Exists(tx.Query(kCooperativeExists, cooperative_id))) {
    return OutOfScope("cooperative", cooperative_id);
  }
  return absl::OkStatus();
}

absl::Status CheckHouseholdAccess(Tx& tx, const Principal& p, const HouseholdScope& h,
                                  Access access) {
  bool allowed = false;
  switch (p.role) {
    case Role::kPlatformAdmin:
      allowed = true;
      break;
    case Role::kSocialWorker:
      allowed = WorkerHasVillage(tx, p.social_worker_id, h.village_code);
      break;
    case Role::kCooperativeAdmin:
      allowed = Exists(tx.Query(kHouseholdHasMemberOf, h.id, p.cooperative_id)) ||
                (h.created_by_cooperative_id == p.cooperative_id &&
                 !Exists(tx.Query(kHouseholdHasAnyMember, h.id)));
      break;
    case Role::kMember:
      if (access == Access::kWrite) {
        return PermissionDenied("ROLE_NOT_ALLOWED", "members may not change a household");
      }
      allowed = p.household_id == h.id;
      break;
    default:
      return PermissionDenied("ROLE_NOT_ALLOWED", "this role has no access to households");
  }
  return allowed ? absl::OkStatus() : OutOfScope("household", h.id);
}

}  // namespace cooplink::membership
