// Request-field helpers shared by every service: text limits, ids, dates (China Standard Time is
// the programme's calendar), timestamps, etags and update masks.
#ifndef COOPLINK_SERVICES_COMMON_FIELDS_H_
#define COOPLINK_SERVICES_COMMON_FIELDS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cooplink/common/v1/common.pb.h"
#include "services/common/status.h"

namespace cooplink {

// Trims surrounding whitespace: ASCII, the ideographic space U+3000 and the no-break space U+00A0.
std::string Trimmed(const std::string& s);
// Number of Unicode code points in UTF-8 text.
size_t CharCount(const std::string& s);
// Adds a violation unless trimmed `value` has 1..max_chars code points (0..max_chars if optional).
// Returns the trimmed value.
std::string CheckText(FieldViolations& v, const std::string& field, const std::string& value,
                      size_t max_chars, bool required = true);
// Adds a violation unless `id` looks like a server-assigned id.
void CheckId(FieldViolations& v, const std::string& field, const std::string& id);

google::protobuf::Timestamp ToTimestamp(int64_t micros);
// The inverse of ToTimestamp: UTC microseconds of a Timestamp (sub-microsecond nanos dropped).
int64_t TimestampMicros(const google::protobuf::Timestamp& t);
int64_t ToMicros(absl::Time t);
absl::CivilDay Today(absl::Time now);  // in China Standard Time, the programme's calendar

// Date <-> SQL "YYYY-MM-DD".
std::string DateToSql(const common::v1::Date& d);
std::string CivilToSql(absl::CivilDay d);
common::v1::Date DateFromSql(const std::string& s);
absl::CivilDay CivilFromSql(const std::string& s);
common::v1::Date ToDate(absl::CivilDay d);
// Adds a violation unless `d` is a real calendar date of the years common.proto allows
// (limits.h kDateYear: 1900 to 9999).
std::optional<absl::CivilDay> CheckDate(FieldViolations& v, const std::string& field,
                                        const common::v1::Date& d);

std::string Etag(int64_t version);
// ABORTED (ETAG_MISMATCH) when `given` is set and differs from `current`.
absl::Status CheckEtag(const std::string& given, const std::string& current);

// INVALID_ARGUMENT unless the mask is non-empty and every path is in `allowed`.
absl::Status CheckUpdateMask(const google::protobuf::FieldMask& mask,
                             std::initializer_list<const char*> allowed);
bool MaskHas(const google::protobuf::FieldMask& mask, const char* path);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_FIELDS_H_
