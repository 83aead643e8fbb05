#include "services/membership/access_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::membership {
namespace {

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Names used in statuses: the NOT_FOUND resource name and the words of the denials.
struct KindNames {
  const char* resource;  // NotFound(resource, id)
  const char* singular;  // "members may not change a <singular>"
  const char* plural;    // "this role has no access to <plural>"
};
KindNames NamesOf(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kCooperative:
      return {"cooperative", "cooperative", "cooperatives"};
    case ResourceKind::kHousehold:
      return {"household", "household", "households"};
    case ResourceKind::kMember:
      return {"member", "member", "members"};
  }
  return {"resource", "resource", "resources"};
}

}  // namespace

const std::string& OwnIdOf(const Principal& p, ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kCooperative:
      return p.cooperative_id;
    case ResourceKind::kHousehold:
      return p.household_id;
    case ResourceKind::kMember:
      break;
  }
  return p.member_id;
}

bool Scope::HasCooperative(const std::string& cooperative_id) const {
  return Contains(cooperatives, cooperative_id);
}

bool Scope::HasVillage(const std::string& village_code) const {
  return Contains(villages, village_code);
}

Subject CooperativeSubject(const std::string& cooperative_id) {
  return {ResourceKind::kCooperative, cooperative_id, {cooperative_id}, "", std::nullopt};
}

Subject MemberSubject(const std::string& member_id, const std::string& cooperative_id) {
  return {ResourceKind::kMember, member_id, {cooperative_id}, "", std::nullopt};
}

Subject HouseholdSubject(const std::string& household_id, const std::string& village_code,
                         std::optional<std::string> created_by_cooperative_id,
                         std::vector<std::string> member_cooperative_ids) {
  return {ResourceKind::kHousehold, household_id, std::move(member_cooperative_ids), village_code,
          std::move(created_by_cooperative_id)};
}

Relation RelationTo(const Scope& scope, const Subject& s) {
  const Principal& p = scope.principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      return Relation::kPlatformAdmin;
    case Role::kSocialWorker: {
      // A worker reaches households through its villages, everything else through cooperatives.
      const bool assigned =
          s.kind == ResourceKind::kHousehold
              ? scope.HasVillage(s.village_code)
              : std::any_of(s.cooperative_ids.begin(), s.cooperative_ids.end(),
                            [&](const std::string& c) { return scope.HasCooperative(c); });
      return assigned ? Relation::kAssignedWorker : Relation::kNone;
    }
    case Role::kCooperativeAdmin: {
      // A household nobody has joined yet belongs to the cooperative that registered it.
      const bool admin =
          Contains(s.cooperative_ids, p.cooperative_id) ||
          (s.cooperative_ids.empty() && s.created_by_cooperative_id == p.cooperative_id);
      return admin ? Relation::kCooperativeAdmin : Relation::kNone;
    }
    case Role::kMember:
      return OwnIdOf(p, s.kind) == s.id ? Relation::kSelf : Relation::kNone;
    case Role::kPartner:
    case Role::kUnspecified:
      break;
  }
  return Relation::kRoleWithoutAccess;
}

absl::Status RequireAccess(const Scope& scope, const Subject& subject, Access access) {
  const KindNames names = NamesOf(subject.kind);
  const Relation relation = RelationTo(scope, subject);
  if (relation == Relation::kRoleWithoutAccess) {
    return PermissionDenied("ROLE_NOT_ALLOWED",
                            absl::StrCat("this role has no access to ", names.plural));
  }
  // Checked before the scope: a member may change nothing, in its scope or not.
  if (access == Access::kWrite && scope.principal.is(Role::kMember)) {
    return PermissionDenied("ROLE_NOT_ALLOWED",
                            absl::StrCat("members may not change a ", names.singular));
  }
  if (relation == Relation::kNone) return NotFound(names.resource, subject.id);
  return absl::OkStatus();
}

std::string RegionPrefix(const std::string& region_code) {
  if (region_code.size() != 6 ||
      !std::all_of(region_code.begin(), region_code.end(), absl::ascii_isdigit)) {
    return "";
  }
  if (absl::EndsWith(region_code, "0000")) return region_code.substr(0, 2);
  if (absl::EndsWith(region_code, "00")) return region_code.substr(0, 4);
  return region_code;
}

bool VillageInRegion(const std::string& village_code, const std::string& region_code) {
  const std::string prefix = RegionPrefix(region_code);
  return !prefix.empty() && absl::StartsWith(village_code, prefix);
}

absl::Status AdmissionRefusal() {
  return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                            "member.household_id names no household");
}

absl::Status RequireAdmissionFrom(const Scope& scope, const Subject& household,
                                  const std::string& cooperative_region_code) {
  switch (RelationTo(scope, household)) {
    case Relation::kPlatformAdmin:
    case Relation::kCooperativeAdmin:
      return absl::OkStatus();
    case Relation::kNone:
      if (scope.principal.is(Role::kCooperativeAdmin) &&
          VillageInRegion(household.village_code, cooperative_region_code)) {
        return absl::OkStatus();
      }
      break;
    case Relation::kAssignedWorker:
    case Relation::kSelf:
    case Relation::kRoleWithoutAccess:
      break;
  }
  return AdmissionRefusal();
}

}  // namespace cooplink::membership
