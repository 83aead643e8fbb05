// Helpers shared by the membership domain files: field checks, time and date conversion, etags,
// update masks and the scope rules (who may see which cooperative, village or household).
#ifndef COOPLINK_SERVICES_MEMBERSHIP_INTERNAL_H_
#define COOPLINK_SERVICES_MEMBERSHIP_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cooplink/common/v1/common.pb.h"
#include "services/common/auth.h"
#include "services/common/db.h"
#include "services/common/status.h"

namespace cooplink::membership {

// Trims ASCII whitespace.
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
int64_t ToMicros(absl::Time t);
absl::CivilDay Today(absl::Time now);  // in China Standard Time, the programme's calendar

// Date <-> SQL "YYYY-MM-DD".
std::string DateToSql(const common::v1::Date& d);
std::string CivilToSql(absl::CivilDay d);
common::v1::Date DateFromSql(const std::string& s);
absl::CivilDay CivilFromSql(const std::string& s);
common::v1::Date ToDate(absl::CivilDay d);
// Adds a violation unless `d` is a real calendar date between 1900-01-01 and 2200-12-31.
std::optional<absl::CivilDay> CheckDate(FieldViolations& v, const std::string& field,
                                        const common::v1::Date& d);

std::string Etag(int64_t version);
// ABORTED (ETAG_MISMATCH) when `given` is set and differs from `current`.
absl::Status CheckEtag(const std::string& given, const std::string& current);

// INVALID_ARGUMENT unless the mask is non-empty and every path is in `allowed`.
absl::Status CheckUpdateMask(const google::protobuf::FieldMask& mask,
                             std::initializer_list<const char*> allowed);
bool MaskHas(const google::protobuf::FieldMask& mask, const char* path);

// --- Scope rules -----------------------------------------------------------------------------
bool WorkerHasCooperative(Tx& tx, const std::string& worker_id, const std::string& cooperative_id);
bool WorkerHasVillage(Tx& tx, const std::string& worker_id, const std::string& village_code);

enum class Access { kRead, kWrite };
// May `p` read/write cooperative `cooperative_id`? Platform admin always; social worker when
// assigned; cooperative admin of it; member of it (read only). Outside the scope → NOT_FOUND.
absl::Status CheckCooperativeAccess(Tx& tx, const Principal& p, const std::string& cooperative_id,
                                    Access access);

struct HouseholdScope {
  std::string id;
  std::string village_code;
  std::optional<std::string> created_by_cooperative_id;
};
// May `p` read/write the household? Platform admin; social worker assigned to its village;
// cooperative admin when one of its members belongs to the admin's cooperative, or when it has no
// member and was created by that cooperative; a member of the household (read only).
absl::Status CheckHouseholdAccess(Tx& tx, const Principal& p, const HouseholdScope& household,
                                  Access access);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_INTERNAL_H_
