// The limits the protos state for request fields, as data. Each documented limit is written once,
// as a FieldLimit: in the table of its service (services/catalog/catalog_limits.h,
// services/membership/membership_limits.h) or, for the conventions every service shares
// (request_id, page_size, Date), below. Validators check fields against these entries with the
// helpers at the end of this file, and two tests keep table, validators and contract together:
//   - tests/unit/common/limits_contract_test.cc parses the protos and compares every entry with
//     the numbers in its field's comment, and fails on a request field whose comment states a limit
//     that no entry holds;
//   - tests/integration/<service>/limits_test.cc walks every entry through real gRPC, just below,
//     at and just above each bound.
// So a limit changes in the proto comment and in its entry, and nowhere else.
#ifndef COOPLINK_SERVICES_COMMON_LIMITS_H_
#define COOPLINK_SERVICES_COMMON_LIMITS_H_

#include <cstdint>
#include <limits>
#include <string>

#include "cooplink/common/v1/common.pb.h"
#include "services/common/status.h"

namespace cooplink {

// What a limit bounds, and how.
enum class LimitKind {
  kText,      // a string: Unicode code points after trimming surrounding whitespace, min..max
              // (min 0: may be empty)
  kToken,     // a string of min..max characters of a restricted ASCII alphabet (request ids, lot
              // codes, language tags; the alphabet is the validator's)
  kDigits,    // a string of min..max ASCII digits (region and village codes and their prefixes)
  kCode,      // a string of exactly `max` characters in a checked format (USCC, resident ID,
              // mobile number); min is 0 when the field may be empty, else max
  kUrl,       // an https:// URL of min..max characters
  kInteger,   // an integer field, min..max
  kFen,       // a cooplink.common.v1.Money field: its fen, min..max
  kCount,     // a repeated field: the number of elements, min..max
  kSeconds,   // a google.protobuf.Duration, min..max seconds
  kPageSize,  // a list's page_size: negative is INVALID_ARGUMENT, 0 means zero_means, above max
              // is clamped to max
  kPastDate,  // a cooplink.common.v1.Date from 1900-01-01 (kDateYear) to today, China Standard Time
};

inline constexpr int64_t kUnbounded = std::numeric_limits<int64_t>::max();

// One documented limit of one field. `message` is the proto message's full name, or "" for a
// field every request message of a service shares by name (request_id, page_size).
struct FieldLimit {
  const char* message;
  const char* field;
  LimitKind kind;
  int64_t min;
  int64_t max;
  // The value 0 (or an unset message field) stands for; 0 when 0 stands for nothing and is
  // checked like any other value.
  int64_t zero_means = 0;
  // zero_means applies on create only (an update must give a value in min..max).
  bool zero_means_on_create_only = false;
  // A message-typed field (kFen, kPastDate) that may be left unset.
  bool optional = false;
  // kInteger: 0 lies inside min..max but is invalid.
  bool nonzero = false;

  constexpr FieldLimit ZeroMeans(int64_t value) const {
    FieldLimit l = *this;
    l.zero_means = value;
    return l;
  }
  constexpr FieldLimit ZeroMeansOnCreate(int64_t value) const {
    FieldLimit l = ZeroMeans(value);
    l.zero_means_on_create_only = true;
    return l;
  }
  constexpr FieldLimit Optional() const {
    FieldLimit l = *this;
    l.optional = true;
    return l;
  }
  constexpr FieldLimit NonZero() const {
    FieldLimit l = *this;
    l.nonzero = true;
    return l;
  }
};

constexpr FieldLimit Limit(const char* message, const char* field, LimitKind kind, int64_t min,
                           int64_t max) {
  return FieldLimit{message, field, kind, min, max};
}

// The conventions of every service (the service comments of the protos; common.proto's Date).
inline constexpr FieldLimit kRequestIdLimit = Limit("", "request_id", LimitKind::kToken, 1, 64);
inline constexpr FieldLimit kPageSizeLimit =
    Limit("", "page_size", LimitKind::kPageSize, 0, 500).ZeroMeans(50);
inline constexpr FieldLimit kDateYear =
    Limit("cooplink.common.v1.Date", "year", LimitKind::kInteger, 1900, 9999);
inline constexpr FieldLimit kDateMonth =
    Limit("cooplink.common.v1.Date", "month", LimitKind::kInteger, 1, 12);
// At most the number of days in the month (a real calendar date).
inline constexpr FieldLimit kDateDay =
    Limit("cooplink.common.v1.Date", "day", LimitKind::kInteger, 1, 31);
inline constexpr FieldLimit kCommonLimits[] = {kRequestIdLimit, kPageSizeLimit, kDateYear,
                                               kDateMonth, kDateDay};

// The limit's bounds in words, as messages and the protos put them: "1 to 60 characters",
// "at most 9", "0 or more".
std::string DescribeLimit(const FieldLimit& limit);

// kText: adds a violation unless the trimmed value has min..max code points; returns it trimmed.
std::string CheckText(FieldViolations& v, const std::string& field, const std::string& value,
                      const FieldLimit& limit);
// kInteger: adds a violation unless `value` is in min..max (and non-zero when `nonzero`). A 0
// that stands for a default must be replaced before the check (EffectiveValue).
bool CheckInteger(FieldViolations& v, const std::string& field, int64_t value,
                  const FieldLimit& limit);
// `value`, or zero_means when it is 0 and the limit gives 0 a meaning (`creating` for
// zero_means_on_create_only).
int64_t EffectiveValue(int64_t value, const FieldLimit& limit, bool creating);
// kCount: adds a violation unless `count` is in min..max.
bool CheckCount(FieldViolations& v, const std::string& field, int count, const FieldLimit& limit);
// kFen: adds a violation on `field` unless the money is set (or the limit is optional) and its fen
// is in min..max.
bool CheckFen(FieldViolations& v, const std::string& field, bool has,
              const common::v1::Money& money, const FieldLimit& limit);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_LIMITS_H_
