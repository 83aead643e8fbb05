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
