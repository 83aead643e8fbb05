#include "services/common/limits.h"

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink {

std::string DescribeLimit(const FieldLimit& l) {
  switch (l.kind) {
    case LimitKind::kText:
    case LimitKind::kToken:
    case LimitKind::kUrl:
      if (l.min == 0) return absl::StrCat("at most ", l.max, " characters");
      return absl::StrCat(l.min, " to ", l.max, " characters");
    case LimitKind::kDigits:
      if (l.min == l.max) return absl::StrCat(l.max, " digits");
      return absl::StrCat(l.min, " to ", l.max, " digits");
    case LimitKind::kCode:
      return absl::StrCat(l.max, " characters");
    case LimitKind::kInteger:
    case LimitKind::kFen:
      if (l.max == kUnbounded) return absl::StrCat(l.min, " or more");
      return absl::StrCat(l.min, " to ", l.max);
    case LimitKind::kCount:
      if (l.min == 0) return absl::StrCat("at most ", l.max);
      return absl::StrCat(l.min, " to ", l.max);
    case LimitKind::kSeconds:
      return absl::StrCat(l.min, " to ", l.max, " seconds");
    case LimitKind::kPageSize:
      return absl::StrCat("0 or more (0 means ", l.zero_means, ", above ", l.max, " is clamped)");
    case LimitKind::kPastDate:
      return absl::StrCat("a date from ", kDateYear.min, "-01-01 to today");
  }
  return "";
}

std::string CheckText(FieldViolations& v, const std::string& field, const std::string& value,
                      const FieldLimit& limit) {
  return CheckText(v, field, value, static_cast<size_t>(limit.max), /*required=*/limit.min > 0);
}

bool CheckInteger(FieldViolations& v, const std::string& field, int64_t value,
                  const FieldLimit& limit) {
  if (value < limit.min || value > limit.max || (limit.nonzero && value == 0)) {
    v.Add(field, absl::StrCat("must be ", limit.nonzero ? "non-zero, " : "", DescribeLimit(limit)));
    return false;
  }
  return true;
}

int64_t EffectiveValue(int64_t value, const FieldLimit& limit, bool creating) {
  if (value != 0 || limit.zero_means == 0) return value;
  if (limit.zero_means_on_create_only && !creating) return value;
  return limit.zero_means;
}

bool CheckCount(FieldViolations& v, const std::string& field, int count, const FieldLimit& limit) {
  if (count < limit.min || count > limit.max) {
    v.Add(field, absl::StrCat("must hold ", DescribeLimit(limit), " entries"));
    return false;
  }
  return true;
}

bool CheckFen(FieldViolations& v, const std::string& field, bool has,
              const common::v1::Money& money, const FieldLimit& limit) {
  if (!has) {
    if (limit.optional) return true;
    v.Add(field, "is required");
    return false;
  }
  if (money.fen() < limit.min || money.fen() > limit.max) {
    v.Add(field, absl::StrCat("must be ", DescribeLimit(limit), " fen"));
    return false;
  }
  return true;
}

}  // namespace cooplink
