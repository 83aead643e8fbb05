// The scope rules shared by the membership domain files: who may see which cooperative, village
// or household. Field checks, dates, etags and masks are in services/common/fields.h.
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
#include "services/common/fields.h"
#include "services/common/status.h"

namespace cooplink::membership {

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
