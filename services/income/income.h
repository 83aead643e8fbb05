// The income domain: each household's income ledger (append-only, corrections are reversing
// entries), the support sources entries name, marketplace settlements imported exactly once from
// orders' event stream, household summaries against monitoring lines and baselines, early-warning
// alerts for social workers, reports with CSV, and cooperatives' surplus distributions (Art. 44)
// with their members' accounts (Art. 43).
//
// Income is a plain class built from values (database, household directory, clock, settings) so
// tests construct it directly. Every method validates its request (INVALID_ARGUMENT with field
// violations, nothing written), resolves the caller's scope (income_access.h; outside it reads as
// NOT_FOUND), asks membership what it needs *before* opening a transaction, and runs mutations
// through RunIdempotent().
#ifndef COOPLINK_SERVICES_INCOME_INCOME_H_
#define COOPLINK_SERVICES_INCOME_INCOME_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "cooplink/income/v1/income.pb.h"
#include "cooplink/orders/v1/orders.pb.h"
#include "services/common/call_context.h"
#include "services/common/clock.h"
#include "services/common/db.h"
#include "services/income/household_directory.h"

namespace cooplink::income {

namespace v1 = ::cooplink::income::v1;

struct IncomeSettings {
  // AlertSettings (the proto's defaults): NEAR_THRESHOLD margin and INCOME_DROP share, in bps.
  int32_t near_margin_bps = 1000;
  int32_t drop_share_bps = 2000;
  // Households the alert review job re-evaluates per round.
  int review_batch = 200;
  // Largest report (the proto's 20000 rows).
  int max_report_rows = 20000;
};

// The consumer name of the settlement importer's cursor (stream_cursors).
inline constexpr char kSettlementImporter[] = "income.settlements";

class Income {
 public:
  Income(Database* db, HouseholdDirectory* directory, const Clock* clock,
         IncomeSettings settings = {})
      : db_(db), directory_(directory), clock_(clock), settings_(settings) {}

  // The ledger (ledger.cc).
  absl::Status RecordIncomeEntry(const CallContext& call, const v1::RecordIncomeEntryRequest& req,
                                 v1::IncomeEntry* out);
  absl::Status ReverseIncomeEntry(const CallContext& call, const v1::ReverseIncomeEntryRequest& req,
                                  v1::IncomeEntry* out);
  absl::Status ListIncomeEntries(const CallContext& call, const v1::ListIncomeEntriesRequest& req,
                                 v1::ListIncomeEntriesResponse* out);

  // Support sources (support_sources.cc).
  absl::Status CreateSupportSource(const CallContext& call,
                                   const v1::CreateSupportSourceRequest& req,
                                   v1::SupportSource* out);
  absl::Status ListSupportSources(const CallContext& call, const v1::ListSupportSourcesRequest& req,
                                  v1::ListSupportSourcesResponse* out);

  // Summaries and baselines (summaries.cc).
  absl::Status GetHouseholdIncomeSummary(const CallContext& call,
                                         const v1::GetHouseholdIncomeSummaryRequest& req,
                                         v1::HouseholdIncomeSummary* out);
  absl::Status SetHouseholdBaseline(const CallContext& call,
                                    const v1::SetHouseholdBaselineRequest& req,
                                    v1::HouseholdBaseline* out);

  // Monitoring lines (thresholds.cc).
  absl::Status CreateMonitoringThreshold(const CallContext& call,
                                         const v1::CreateMonitoringThresholdRequest& req,
                                         v1::MonitoringThreshold* out);
  absl::Status ListMonitoringThresholds(const CallContext& call,
                                        const v1::ListMonitoringThresholdsRequest& req,
                                        v1::ListMonitoringThresholdsResponse* out);

  // Alerts (alerts.cc).
  absl::Status ListAlerts(const CallContext& call, const v1::ListAlertsRequest& req,
                          v1::ListAlertsResponse* out);
  absl::Status AcknowledgeAlert(const CallContext& call, const v1::AcknowledgeAlertRequest& req,
                                v1::Alert* out);
  absl::Status ResolveAlert(const CallContext& call, const v1::ResolveAlertRequest& req,
                            v1::Alert* out);
  absl::Status GetAlertSettings(const CallContext& call, const v1::GetAlertSettingsRequest& req,
                                v1::AlertSettings* out);
  // Re-evaluates one household's alerts as of `today` inside the caller's transaction (which has
  // just changed its ledger, or a review job's): raises, marks recovered or clears recovered, one
  // non-RESOLVED alert per (household, kind) at most.
  absl::Status EvaluateAlerts(Tx& tx, const HouseholdFacts& household, absl::CivilDay today);
  // The alert review job: works through queued reviews (a threshold was created, the daily
  // check), up to settings.review_batch households per call; returns how many it evaluated.
  absl::StatusOr<int> RunAlertReviews();
  // Queues the daily check of every household with entries (the year's turn is seen by it).
  absl::Status QueueDailyReview();

  // Reports (reports.cc).
  absl::Status GenerateReport(const CallContext& call, const v1::GenerateReportRequest& req,
                              v1::GenerateReportResponse* out);

  // Surplus distributions and member accounts (surplus.cc, member_accounts.cc).
  absl::Status CreateSurplusDistribution(const CallContext& call,
                                         const v1::CreateSurplusDistributionRequest& req,
                                         v1::SurplusDistribution* out);
  absl::Status GetSurplusDistribution(const CallContext& call,
                                      const v1::GetSurplusDistributionRequest& req,
                                      v1::SurplusDistribution* out);
  absl::Status ListSurplusDistributions(const CallContext& call,
                                        const v1::ListSurplusDistributionsRequest& req,
                                        v1::ListSurplusDistributionsResponse* out);
  absl::Status PublishSurplusDistribution(const CallContext& call,
                                          const v1::PublishSurplusDistributionRequest& req,
                                          v1::SurplusDistribution* out);
  absl::Status ApproveSurplusDistribution(const CallContext& call,
                                          const v1::ApproveSurplusDistributionRequest& req,
                                          v1::SurplusDistribution* out);
  absl::Status GetMemberAccount(const CallContext& call, const v1::GetMemberAccountRequest& req,
                                v1::MemberAccount* out);

  // The settlement importer (settlement_import.cc). Applies one order event inside the
  // consumer's transaction (stream_consumer.h stores the cursor in the same one): a
  // SETTLEMENT_CREATED event's payouts become entries exactly once; other kinds do nothing.
  absl::Status ApplyOrderEvent(Tx& tx, const orders::v1::OrderEvent& event);
  absl::Status GetSettlementImportStatus(const CallContext& call,
                                         const v1::GetSettlementImportStatusRequest& req,
                                         v1::SettlementImportStatus* out);

  const Clock& clock() const { return *clock_; }
  const IncomeSettings& settings() const { return settings_; }
  HouseholdDirectory& directory() { return *directory_; }

 private:
  Database* db_;
  HouseholdDirectory* directory_;
  const Clock* clock_;
  IncomeSettings settings_;
};

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_INCOME_H_
