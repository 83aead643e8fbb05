#include "services/common/fields.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "services/common/ids.h"
#include "services/common/limits.h"

namespace cooplink {

namespace {
// Surrounding whitespace beyond ASCII that Chinese input methods produce: the ideographic space
// U+3000 and the no-break space U+00A0.
constexpr absl::string_view kWideSpaces[] = {"\xE3\x80\x80", "\xC2\xA0"};
}  // namespace

std::string Trimmed(const std::string& s) {
  absl::string_view t = absl::StripAsciiWhitespace(s);
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (absl::string_view space : kWideSpaces) {
      if (absl::ConsumePrefix(&t, space) || absl::ConsumeSuffix(&t, space)) stripped = true;
    }
    if (stripped) t = absl::StripAsciiWhitespace(t);
  }
  return std::string(t);
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

int64_t TimestampMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
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
  if (d.year() < kDateYear.min || d.year() > kDateYear.max || d.month() < kDateMonth.min ||
      d.month() > kDateMonth.max || d.day() < kDateDay.min || d.day() > kDateDay.max ||
      day.year() != d.year() || day.month() != d.month() || day.day() != d.day()) {
    v.Add(field,
          absl::StrCat("must be a real calendar date from ", kDateYear.min, " to ", kDateYear.max));
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

}  // namespace cooplink
