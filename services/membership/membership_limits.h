// Every limit membership.proto states for a request field, written once (see
// services/common/limits.h for what an entry means and the two tests that keep it equal to the
// proto comment and to what the server does). The validators in *_rules.cc check fields against
// these entries; a limit changes here and in the proto comment, nowhere else. The lengths of kCode
// entries (USCC, resident ID, mobile number) are fixed by their standards; identity.h checks the
// formats.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_LIMITS_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_LIMITS_H_

#include "services/common/limits.h"

namespace cooplink::membership {

namespace limits {
inline constexpr char kCooperative[] = "cooplink.membership.v1.Cooperative";
inline constexpr char kHousehold[] = "cooplink.membership.v1.Household";
inline constexpr char kMember[] = "cooplink.membership.v1.Member";
inline constexpr char kSocialWorker[] = "cooplink.membership.v1.SocialWorker";
inline constexpr char kPartner[] = "cooplink.membership.v1.Partner";
inline constexpr char kCategoryChange[] = "cooplink.membership.v1.ChangeMonitoringCategoryRequest";
inline constexpr char kContribution[] = "cooplink.membership.v1.RecordCapitalContributionRequest";
// Upper bound of one capital contribution or exit refund: 10^12 fen = 10 billion yuan. Far above
// any real amount, it rejects typing errors and keeps sums far from int64 overflow.
inline constexpr int64_t kMaxAmountFen = 1'000'000'000'000;
}  // namespace limits

// Cooperatives.
inline constexpr FieldLimit kCooperativeName =
    Limit(limits::kCooperative, "name", LimitKind::kText, 1, 100);
inline constexpr FieldLimit kCooperativeUscc =
    Limit(limits::kCooperative, "uscc", LimitKind::kCode, 18, 18);
inline constexpr FieldLimit kCooperativeRegionCode =
    Limit(limits::kCooperative, "region_code", LimitKind::kDigits, 6, 6);
inline constexpr FieldLimit kFiscalYearEndMonth =
    Limit(limits::kCooperative, "fiscal_year_end_month", LimitKind::kInteger, 1, 12)
        .ZeroMeansOnCreate(12);
inline constexpr FieldLimit kServiceFeeBps =
    Limit(limits::kCooperative, "service_fee_bps", LimitKind::kInteger, 0, 3000);
inline constexpr FieldLimit kRegionCodePrefix =
    Limit("cooplink.membership.v1.ListCooperativesRequest", "region_code_prefix",
          LimitKind::kDigits, 0, 6);

// Households.
inline constexpr FieldLimit kVillageCode =
    Limit(limits::kHousehold, "village_code", LimitKind::kDigits, 12, 12);
inline constexpr FieldLimit kHeadName =
    Limit(limits::kHousehold, "head_name", LimitKind::kText, 1, 50);
inline constexpr FieldLimit kResidentSize =
    Limit(limits::kHousehold, "resident_size", LimitKind::kInteger, 1, 50);
inline constexpr FieldLimit kEthnicity =
    Limit(limits::kHousehold, "ethnicity", LimitKind::kText, 0, 20);
// Checked by household_rules.h ValidateSizeEffectiveDate.
inline constexpr FieldLimit kSizeEffectiveDate =
    Limit("cooplink.membership.v1.UpdateHouseholdRequest", "resident_size_effective_date",
          LimitKind::kPastDate, 0, 0)
        .Optional();
inline constexpr FieldLimit kVillageCodePrefix =
    Limit("cooplink.membership.v1.ListHouseholdsRequest", "village_code_prefix", LimitKind::kDigits,
          0, 12);
inline constexpr FieldLimit kCategoryReason =
    Limit(limits::kCategoryChange, "reason", LimitKind::kText, 1, 500);
inline constexpr FieldLimit kCategoryEffectiveDate =
    Limit(limits::kCategoryChange, "effective_date", LimitKind::kPastDate, 0, 0);

// Members.
inline constexpr FieldLimit kMemberName = Limit(limits::kMember, "name", LimitKind::kText, 1, 50);
inline constexpr FieldLimit kMemberResidentId =
    Limit(limits::kMember, "resident_id", LimitKind::kCode, 18, 18);
inline constexpr FieldLimit kMemberPhone = Limit(limits::kMember, "phone", LimitKind::kCode, 0, 11);
inline constexpr FieldLimit kJoinDate =
    Limit(limits::kMember, "join_date", LimitKind::kPastDate, 0, 0).Optional();
inline constexpr FieldLimit kContributionAmount =
    Limit(limits::kContribution, "amount", LimitKind::kFen, 1, limits::kMaxAmountFen);
inline constexpr FieldLimit kContributionDate =
    Limit(limits::kContribution, "contribution_date", LimitKind::kPastDate, 0, 0);
inline constexpr FieldLimit kContributionNote =
    Limit(limits::kContribution, "note", LimitKind::kText, 0, 200);
inline constexpr FieldLimit kExitReason =
    Limit("cooplink.membership.v1.RequestMemberExitRequest", "reason", LimitKind::kText, 0, 500);
inline constexpr FieldLimit kExitRefund =
    Limit("cooplink.membership.v1.CompleteMemberExitRequest", "refund", LimitKind::kFen, 0,
          limits::kMaxAmountFen);

// Social workers.
inline constexpr FieldLimit kSocialWorkerName =
    Limit(limits::kSocialWorker, "name", LimitKind::kText, 1, 50);
inline constexpr FieldLimit kSocialWorkerOrganization =
    Limit(limits::kSocialWorker, "organization", LimitKind::kText, 0, 100);
inline constexpr FieldLimit kSocialWorkerPhone =
    Limit(limits::kSocialWorker, "phone", LimitKind::kCode, 0, 11);
inline constexpr FieldLimit kSocialWorkerCountyCode =
    Limit(limits::kSocialWorker, "county_code", LimitKind::kDigits, 6, 6);
inline constexpr FieldLimit kCountyCodePrefix =
    Limit("cooplink.membership.v1.ListSocialWorkersRequest", "county_code_prefix",
          LimitKind::kDigits, 0, 6);
inline constexpr FieldLimit kAssignedVillageCode = Limit(
    "cooplink.membership.v1.AssignSocialWorkerRequest", "village_code", LimitKind::kDigits, 12, 12);

// Partners.
inline constexpr FieldLimit kPartnerName =
    Limit(limits::kPartner, "name", LimitKind::kText, 1, 100);
inline constexpr FieldLimit kCommissionRateBps =
    Limit(limits::kPartner, "commission_rate_bps", LimitKind::kInteger, 0, 5000);
inline constexpr FieldLimit kPartnerContact =
    Limit(limits::kPartner, "contact", LimitKind::kText, 0, 100);

// Principals and tokens.
inline constexpr FieldLimit kDisplayName =
    Limit("cooplink.membership.v1.Principal", "display_name", LimitKind::kText, 1, 100);
inline constexpr FieldLimit kTokenTtl =
    Limit("cooplink.membership.v1.IssueTokenRequest", "ttl", LimitKind::kSeconds, 1, 30 * 24 * 3600)
        .ZeroMeans(24 * 3600);
inline constexpr FieldLimit kRevocationPageSize =
    Limit("cooplink.membership.v1.ListTokenRevocationsRequest", "page_size", LimitKind::kPageSize,
          0, 1000)
        .ZeroMeans(500);
inline constexpr FieldLimit kAfterSequence =
    Limit("cooplink.membership.v1.ListTokenRevocationsRequest", "after_sequence",
          LimitKind::kInteger, 0, kUnbounded);

// The table: every entry above, for the tests that tie it to the proto and walk it through gRPC.
inline constexpr FieldLimit kMembershipLimits[] = {
    kCooperativeName,
    kCooperativeUscc,
    kCooperativeRegionCode,
    kFiscalYearEndMonth,
    kServiceFeeBps,
    kRegionCodePrefix,
    kVillageCode,
    kHeadName,
    kResidentSize,
    kEthnicity,
    kSizeEffectiveDate,
    kVillageCodePrefix,
    kCategoryReason,
    kCategoryEffectiveDate,
    kMemberName,
    kMemberResidentId,
    kMemberPhone,
    kJoinDate,
    kContributionAmount,
    kContributionDate,
    kContributionNote,
    kExitReason,
    kExitRefund,
    kSocialWorkerName,
    kSocialWorkerOrganization,
    kSocialWorkerPhone,
    kSocialWorkerCountyCode,
    kCountyCodePrefix,
    kAssignedVillageCode,
    kPartnerName,
    kCommissionRateBps,
    kPartnerContact,
    kDisplayName,
    kTokenTtl,
    kRevocationPageSize,
    kAfterSequence,
};

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_LIMITS_H_
