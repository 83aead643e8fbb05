#include "services/membership/access_store.h"

#include <cppconn/resultset.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cooplink/membership/v1/membership.pb.h"

namespace cooplink::membership {
namespace {

namespace v1 = ::cooplink::membership::v1;

// A worker's ACTIVE assignments: each row names either a village or a cooperative.
constexpr int kAssignmentActive = v1::ASSIGNMENT_STATE_ACTIVE;

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
    auto rs =
        tx.Query(kActiveAssignmentsOfWorker, scope.principal.social_worker_id, kAssignmentActive);
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

bool AppendScopeFilter(const Scope& scope, const ScopeFilter& filter, std::string* sql,
                       std::vector<SqlParam>* params) {
  const Principal& p = scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return true;
    case Role::kSocialWorker: {
      const bool none = filter.kind == ResourceKind::kHousehold ? scope.villages.empty()
                                                                : scope.cooperatives.empty();
      if (none) return false;
      absl::StrAppend(sql, filter.assigned_worker);
      params->push_back(Param(p.social_worker_id));
      params->push_back(Param(kAssignmentActive));
      return true;
    }
    case Role::kCooperativeAdmin: {
      absl::StrAppend(sql, filter.cooperative_admin);
      const std::string_view condition = filter.cooperative_admin;
      for (auto n = std::count(condition.begin(), condition.end(), '?'); n > 0; --n) {
        params->push_back(Param(p.cooperative_id));
      }
      return true;
    }
    case Role::kMember:
      absl::StrAppend(sql, filter.self);
      params->push_back(Param(OwnIdOf(p, filter.kind)));
      return true;
    case Role::kPartner:
    case Role::kUnspecified:
      break;
  }
  return false;
}

}  // namespace cooplink::membership
