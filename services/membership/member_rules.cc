#include "services/membership/member_rules.h"

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"

namespace cooplink::membership {

absl::Status CheckComposition(const Composition& c) {
  if (c.total >= kFarmerShareFromMembers && c.farmers * 100 < c.total * kMinFarmerPercent) {
    return FailedPrecondition("COMPOSITION_RULE_VIOLATED",
                              "farmers must be at least 80 % of the cooperative's active members");
  }
  const bool too_many_organizations =
      c.total <= kSmallCooperativeMembers
          ? c.organizations > kMaxOrganizationsInSmallCooperative
          : c.organizations * 100 > c.total * kMaxOrganizationPercent;
  if (too_many_organizations) {
    return FailedPrecondition("COMPOSITION_RULE_VIOLATED",
                              "too many organization members: at most one with up to 20 active "
                              "members, at most 5 % above");
  }
  return absl::OkStatus();
}

absl::Status CheckMemberAction(v1::MemberState state, MemberAction action) {
  if (state == v1::MEMBER_STATE_EXITED) {
    switch (action) {
      case MemberAction::kUpdate:
        return FailedPrecondition("MEMBER_EXITED", "an exited member cannot be changed");
      case MemberAction::kContribute:
        return FailedPrecondition("MEMBER_EXITED", "an exited member cannot contribute capital");
      case MemberAction::kRequestExit:
      case MemberAction::kCompleteExit:
        return FailedPrecondition("MEMBER_EXITED", "the member has already exited");
    }
  }
  if (action == MemberAction::kRequestExit && state == v1::MEMBER_STATE_EXIT_REQUESTED) {
    return FailedPrecondition("EXIT_ALREADY_REQUESTED", "the member has already given notice");
  }
  if (action == MemberAction::kCompleteExit && state != v1::MEMBER_STATE_EXIT_REQUESTED) {
    return FailedPrecondition("EXIT_NOT_REQUESTED", "the member has not given notice of exit");
  }
  return absl::OkStatus();
}

absl::CivilDay FiscalYearEnd(absl::CivilDay today, int end_month) {
  const absl::civil_year_t year = today.month() <= end_month ? today.year() : today.year() + 1;
  return absl::CivilDay(absl::CivilMonth(year, end_month) + 1) - 1;
}

absl::CivilDay NoticeDeadline(absl::CivilDay fiscal_year_end, int months) {
  const absl::CivilMonth month = absl::CivilMonth(fiscal_year_end) - months;
  return absl::CivilDay(month + 1) - 1;
}

absl::StatusOr<absl::CivilDay> ExitEffectiveDate(absl::CivilDay today, int fiscal_year_end_month,
                                                 v1::MemberKind kind) {
  const absl::CivilDay year_end = FiscalYearEnd(today, fiscal_year_end_month);
  const absl::CivilDay deadline =
      NoticeDeadline(year_end, kind == v1::MEMBER_KIND_ORGANIZATION ? kNoticeMonthsOrganization
                                                                    : kNoticeMonthsPerson);
  if (today > deadline) {
    return FailedPrecondition(
        "EXIT_NOTICE_TOO_LATE",
        absl::StrCat("notice for the fiscal year ending ", CivilToSql(year_end),
                     " had to be given by ", CivilToSql(deadline)));
  }
  return year_end;
}

absl::Status CheckExitEffective(absl::CivilDay effective, absl::CivilDay today) {
  if (today <= effective) {
    return FailedPrecondition(
        "EXIT_NOT_YET_EFFECTIVE",
        absl::StrCat("the exit can be completed from the day after ", CivilToSql(effective)));
  }
  return absl::OkStatus();
}

bool FarmerChangeNeedsCompositionCheck(const v1::Member& current, bool next_is_farmer) {
  return current.state() == v1::MEMBER_STATE_ACTIVE && current.is_farmer() && !next_is_farmer;
}

NewMember ValidateNewMember(FieldViolations& v, const v1::Member& m, absl::CivilDay today) {
  NewMember out;
  const bool kind_valid = m.member_kind() >= v1::MEMBER_KIND_UNSPECIFIED &&
                          m.member_kind() <= v1::MEMBER_KIND_ORGANIZATION;
  out.organization = m.member_kind() == v1::MEMBER_KIND_ORGANIZATION;
  CheckId(v, "member.cooperative_id", m.cooperative_id());
  if (out.organization) {
    if (!m.household_id().empty()) {
      v.Add("member.household_id", "must be empty for an organization");
    }
  } else {
    CheckId(v, "member.household_id", m.household_id());
  }
  out.name = CheckText(v, "member.name", m.name(), kMemberName);
  if (out.organization) {
    if (!m.resident_id().empty()) {
      v.Add("member.resident_id", "must be empty for an organization");
    }
  } else if (Trimmed(m.resident_id()).empty()) {
    v.Add("member.resident_id", "is required for a natural person");
  } else {
    auto parsed = ParseResidentId(m.resident_id(), today);
    if (parsed.ok()) {
      out.resident = *std::move(parsed);
    } else {
      v.Add("member.resident_id", std::string(parsed.status().message()));
    }
  }
  out.phone = CheckPhone(v, "member.phone", m.phone());
  if (out.organization && m.is_farmer()) {
    v.Add("member.is_farmer", "an organization is never a farmer");
  }
  if (!kind_valid) v.Add("member.member_kind", "must be NATURAL_PERSON or ORGANIZATION");
  out.join_date = today;
  if (m.has_join_date()) {
    if (auto d = CheckDate(v, "member.join_date", m.join_date())) {
      if (*d > today) {
        v.Add("member.join_date", "must not be in the future");
      } else {
        out.join_date = *d;
      }
    }
  }
  return out;
}

std::string CheckPhone(FieldViolations& v, const std::string& field, const std::string& raw) {
  if (Trimmed(raw).empty()) return "";
  auto phone = NormalizeMobilePhone(raw);
  if (!phone.ok()) {
    v.Add(field, std::string(phone.status().message()));
    return "";
  }
  return *phone;
}

absl::Status CheckFarmerFlag(v1::MemberKind kind, bool is_farmer) {
  if (kind == v1::MEMBER_KIND_ORGANIZATION && is_farmer) {
    return InvalidField("member.is_farmer", "an organization is never a farmer");
  }
  return absl::OkStatus();
}

std::optional<absl::CivilDay> ValidateContribution(FieldViolations& v,
                                                   const v1::RecordCapitalContributionRequest& req,
                                                   absl::CivilDay today, std::string* note) {
  CheckId(v, "member_id", req.member_id());
  CheckFen(v, "amount", req.has_amount(), req.amount(), kContributionAmount);
  std::optional<absl::CivilDay> date;
  if (!req.has_contribution_date()) {
    v.Add("contribution_date", "is required");
  } else if ((date = CheckDate(v, "contribution_date", req.contribution_date())) && *date > today) {
    v.Add("contribution_date", "must not be in the future");
  }
  *note = CheckText(v, "note", req.note(), kContributionNote);
  return date;
}

void ValidateMemberFilters(FieldViolations& v, const v1::ListMembersRequest& req) {
  CheckId(v, "cooperative_id", req.cooperative_id());
  if (!req.household_id().empty()) CheckId(v, "household_id", req.household_id());
  if (req.state() < v1::MEMBER_STATE_UNSPECIFIED || req.state() > v1::MEMBER_STATE_EXITED) {
    v.Add("state", "must be a defined member state");
  }
}

void ValidateMemberView(FieldViolations& v, v1::MemberView view) {
  if (view < v1::MEMBER_VIEW_UNSPECIFIED || view > v1::MEMBER_VIEW_SENSITIVE) {
    v.Add("view", "must be MEMBER_VIEW_MASKED or MEMBER_VIEW_SENSITIVE");
  }
}

absl::Status CheckSensitiveViewAllowed(const Principal& p, v1::MemberView view) {
  if (view == v1::MEMBER_VIEW_SENSITIVE && !p.is(Role::kPlatformAdmin) &&
      !p.is(Role::kCooperativeAdmin)) {
    return PermissionDenied("SENSITIVE_VIEW_NOT_ALLOWED",
                            "only platform and cooperative admins may see the sensitive view");
  }
  return absl::OkStatus();
}

}  // namespace cooplink::membership
