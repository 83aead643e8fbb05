// Every limit income.proto states for a request field, written once (see services/common/limits.h
// for what an entry means). The validators in *_rules.cc check fields against these entries; a
// limit changes here and in the proto comment, nowhere else.
#ifndef COOPLINK_SERVICES_INCOME_INCOME_LIMITS_H_
#define COOPLINK_SERVICES_INCOME_INCOME_LIMITS_H_

#include "services/common/limits.h"

namespace cooplink::income {

namespace limits {
inline constexpr char kEntry[] = "cooplink.income.v1.IncomeEntry";
inline constexpr char kBaseline[] = "cooplink.income.v1.HouseholdBaseline";
inline constexpr char kSource[] = "cooplink.income.v1.SupportSource";
inline constexpr char kThreshold[] = "cooplink.income.v1.MonitoringThreshold";
inline constexpr char kDistribution[] = "cooplink.income.v1.SurplusDistribution";
inline constexpr char kAllocation[] = "cooplink.income.v1.MemberAllocation";
inline constexpr char kReport[] = "cooplink.income.v1.GenerateReportRequest";
}  // namespace limits

// The ledger.
inline constexpr FieldLimit kEntryAmount =
    Limit(limits::kEntry, "amount", LimitKind::kFen, 1, 100'000'000);
inline constexpr FieldLimit kEntryDate =
    Limit(limits::kEntry, "occurred_date", LimitKind::kPastDate, 0, 0);
inline constexpr FieldLimit kEntrySourceRef =
    Limit(limits::kEntry, "source_ref", LimitKind::kText, 0, 128);
inline constexpr FieldLimit kEntryNote = Limit(limits::kEntry, "note", LimitKind::kText, 0, 200);
inline constexpr FieldLimit kReverseReason =
    Limit("cooplink.income.v1.ReverseIncomeEntryRequest", "reason", LimitKind::kText, 1, 500);
// The first day an entry may name (the proto's "from 2000-01-01").
inline constexpr int kFirstEntryYear = 2000;

// Baselines.
inline constexpr FieldLimit kBaselinePerCapita =
    Limit(limits::kBaseline, "per_capita_net_income", LimitKind::kFen, -100'000'000, 100'000'000);
inline constexpr FieldLimit kBaselineNote =
    Limit(limits::kBaseline, "source_note", LimitKind::kText, 1, 200);

// Support sources.
inline constexpr FieldLimit kSourceName = Limit(limits::kSource, "name", LimitKind::kText, 1, 100);
inline constexpr FieldLimit kSourceOrganization =
    Limit(limits::kSource, "organization", LimitKind::kText, 0, 200);

// Monitoring lines.
inline constexpr FieldLimit kThresholdRegion =
    Limit(limits::kThreshold, "region_code", LimitKind::kDigits, 6, 6);
inline constexpr FieldLimit kThresholdYear =
    Limit(limits::kThreshold, "year", LimitKind::kInteger, 2020, 2100);
inline constexpr FieldLimit kThresholdAmount =
    Limit(limits::kThreshold, "amount_per_capita", LimitKind::kFen, 1, kUnbounded);
inline constexpr FieldLimit kThresholdDocument =
    Limit(limits::kThreshold, "source_document", LimitKind::kText, 1, 500);
inline constexpr FieldLimit kThresholdPrefix =
    Limit("cooplink.income.v1.ListMonitoringThresholdsRequest", "region_code_prefix",
          LimitKind::kDigits, 0, 6);

// Alerts.
inline constexpr FieldLimit kAlertVillagePrefix =
    Limit("cooplink.income.v1.ListAlertsRequest", "village_code_prefix", LimitKind::kDigits, 0, 12);
inline constexpr FieldLimit kResolutionNote =
    Limit("cooplink.income.v1.ResolveAlertRequest", "resolution_note", LimitKind::kText, 1, 500);

// Reports.
inline constexpr FieldLimit kReportCounty =
    Limit(limits::kReport, "county_code", LimitKind::kDigits, 6, 6);
inline constexpr FieldLimit kReportVillage =
    Limit(limits::kReport, "village_code", LimitKind::kDigits, 12, 12);
// The longest report period in days (the proto's "366 days long or shorter").
inline constexpr int kMaxReportDays = 366;

// Surplus distributions.
inline constexpr FieldLimit kSurplus =
    Limit(limits::kDistribution, "surplus", LimitKind::kFen, 0, kUnbounded);
inline constexpr FieldLimit kReserveFundBps =
    Limit(limits::kDistribution, "reserve_fund_bps", LimitKind::kInteger, 0, 10000);
inline constexpr FieldLimit kPatronageShareBps =
    Limit(limits::kDistribution, "patronage_share_bps", LimitKind::kInteger, 6000, 10000);
inline constexpr FieldLimit kAllocations =
    Limit(limits::kDistribution, "allocations", LimitKind::kCount, 0, 5000);
inline constexpr FieldLimit kDistributionNote =
    Limit(limits::kDistribution, "note", LimitKind::kText, 0, 500);
inline constexpr FieldLimit kReserveShare =
    Limit(limits::kAllocation, "reserve_and_subsidy_share", LimitKind::kFen, 0, 100'000'000'000)
        .Optional();
inline constexpr FieldLimit kAssemblyDate =
    Limit("cooplink.income.v1.ApproveSurplusDistributionRequest", "assembly_date",
          LimitKind::kPastDate, 0, 0);

inline constexpr FieldLimit kIncomeLimits[] = {
    kEntryAmount,       kEntryDate,        kEntrySourceRef,
    kEntryNote,         kReverseReason,    kBaselinePerCapita,
    kBaselineNote,      kSourceName,       kSourceOrganization,
    kThresholdRegion,   kThresholdYear,    kThresholdAmount,
    kThresholdDocument, kThresholdPrefix,  kAlertVillagePrefix,
    kResolutionNote,    kReportCounty,     kReportVillage,
    kSurplus,           kReserveFundBps,   kPatronageShareBps,
    kAllocations,       kDistributionNote, kReserveShare,
    kAssemblyDate,
};

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_INCOME_LIMITS_H_
