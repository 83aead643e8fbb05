// The rules of cooperative membership under the Farmers' Professional Cooperatives Law
// (农民专业合作社法, revised 2017): who may be admitted, the composition of the active members,
// the member state machine and the exit notice. Pure: no SQL, no transaction, no gRPC; dates
// are civil days in the programme's calendar (China Standard Time).
//
// Composition (checked over the ACTIVE members after every change that can alter it):
//   - with 5 or more members, farmers are at least 80 %;
//   - organizations (enterprises, institutions): at most one with up to 20 members, at most 5 %
//     of the members above 20.
// Exit: a natural person gives notice at least 3 months, an organization at least 6 months,
// before the end of the cooperative's fiscal year (counted in calendar months: notice is in time
// up to the last day of the month that many months before the fiscal year's last month); the
// membership ends with that fiscal year, and the exit is completed (refund recorded) from the
// next day on.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBER_RULES_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBER_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "cooplink/common/v1/common.pb.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/auth.h"
#include "services/common/status.h"
#include "services/membership/identity.h"
#include "services/membership/membership_limits.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

// Composition limits (see the file comment).
inline constexpr int64_t kFarmerShareFromMembers = 5;
inline constexpr int64_t kMinFarmerPercent = 80;
inline constexpr int64_t kSmallCooperativeMembers = 20;
inline constexpr int64_t kMaxOrganizationsInSmallCooperative = 1;
inline constexpr int64_t kMaxOrganizationPercent = 5;
// Exit notice, in calendar months before the fiscal year's last month.
inline constexpr int kNoticeMonthsPerson = 3;
inline constexpr int kNoticeMonthsOrganization = 6;

// The fields UpdateMember may change.
inline constexpr std::initializer_list<const char*> kMemberUpdatePaths = {"name", "phone",
                                                                          "is_farmer"};

// The cooperative's ACTIVE members, counted.
struct Composition {
  int64_t total = 0;
  int64_t farmers = 0;
  int64_t organizations = 0;
};
// FAILED_PRECONDITION (COMPOSITION_RULE_VIOLATED) when `c` breaks the composition rule. Integer
// arithmetic only.
absl::Status CheckComposition(const Composition& c);

// What may happen to a member in each state:
//   ACTIVE          update, contribute, request exit
//   EXIT_REQUESTED  update, contribute, complete exit (once effective)
//   EXITED          nothing
enum class MemberAction { kUpdate, kContribute, kRequestExit, kCompleteExit };
// OK, or FAILED_PRECONDITION with reason MEMBER_EXITED, EXIT_ALREADY_REQUESTED or
// EXIT_NOT_REQUESTED.
absl::Status CheckMemberAction(v1::MemberState state, MemberAction action);

// Last day of the fiscal year (ending with month `end_month`, 1..12) that contains `today`.
absl::CivilDay FiscalYearEnd(absl::CivilDay today, int end_month);
// Last day of the month `months` calendar months before the month of `fiscal_year_end`.
absl::CivilDay NoticeDeadline(absl::CivilDay fiscal_year_end, int months);
// The day the membership of a member of `kind` giving notice `today` ends: the end of the current
// fiscal year, or FAILED_PRECONDITION (EXIT_NOTICE_TOO_LATE) when the notice deadline has passed.
absl::StatusOr<absl::CivilDay> ExitEffectiveDate(absl::CivilDay today, int fiscal_year_end_month,
                                                 v1::MemberKind kind);
// FAILED_PRECONDITION (EXIT_NOT_YET_EFFECTIVE) until the day after `effective`.
absl::Status CheckExitEffective(absl::CivilDay effective, absl::CivilDay today);

// Does a change of a member's farmer flag need the composition check? Only when an ACTIVE farmer
// stops being one (every other change keeps or raises the farmer share).
bool FarmerChangeNeedsCompositionCheck(const v1::Member& current, bool next_is_farmer);

// A validated member to admit, normalised.
struct NewMember {
  bool organization = false;
  std::string name;                    // trimmed
  std::optional<ResidentId> resident;  // natural persons
  std::string phone;                   // normalised mobile number, "" when none
  absl::CivilDay join_date;
};
// Validates CreateMember's member: a natural person has a household and a valid resident ID; an
// organization has neither and is never a farmer; the join date (default today) is not in the
// future.
NewMember ValidateNewMember(FieldViolations& v, const v1::Member& m, absl::CivilDay today);
// A phone field: "" stays "", anything else must be a mainland mobile number (normalised).
std::string CheckPhone(FieldViolations& v, const std::string& field, const std::string& raw);
// INVALID_ARGUMENT when an organization would be marked a farmer.
absl::Status CheckFarmerFlag(v1::MemberKind kind, bool is_farmer);
// Validates a contribution; returns its date (set when no violation was added) and the trimmed
// note in `note`.
std::optional<absl::CivilDay> ValidateContribution(FieldViolations& v,
                                                   const v1::RecordCapitalContributionRequest& req,
                                                   absl::CivilDay today, std::string* note);
// ListMembers' filters: a cooperative, optionally a household and a defined state.
void ValidateMemberFilters(FieldViolations& v, const v1::ListMembersRequest& req);
// GetMember's view: defined, and SENSITIVE only for platform and cooperative admins
// (PERMISSION_DENIED, SENSITIVE_VIEW_NOT_ALLOWED).
void ValidateMemberView(FieldViolations& v, v1::MemberView view);
absl::Status CheckSensitiveViewAllowed(const Principal& p, v1::MemberView view);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBER_RULES_H_
