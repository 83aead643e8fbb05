#include "services/membership/access_store.h"

#include <cppconn/resultset.h>

#include "cooplink/membership/v1/membership.pb.h"

namespace cooplink::membership {
namespace {

namespace v1 = ::cooplink::membership::v1;

// A worker's ACTIVE assignments: each row names either a village or a cooperative.
constexpr const char* kActiveAssignmentsOfWorker =
    "SELECT village_code, cooperative_id FROM assignments WHERE social_worker_id = ? "
    "AND state = ?";

}  // namespace

absl::StatusOr<Scope> ResolveScope(Database& db, const CallContext& call) {
  Scope scope{call.principal(), {}, {}};
  if (!scope.principal.is(Role::kSocialWorker)) return scope;
  absl::Status status = db.Read([&](Tx& tx) -> absl::Status {
    scope.cooperatives.clear();
    scope.villages.clear();
    auto rs = tx.Query(kActiveAssignmentsOfWorker, scope.principal.social_worker_id,
                       static_cast<int>(v1::ASSIGNMENT_STATE_ACTIVE));
    while (rs->next()) {
      if (auto village = GetOptionalString(*rs, "village_code")) {
        scope.villages.push_back(*std::move(village));
      }
      if (auto cooperative = GetOptionalString(*rs, "cooperative_id")) {
        scope.cooperatives.push_back(*std::move(cooperative));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return scope;
}

}  // namespace cooplink::membership
