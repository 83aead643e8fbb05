// Monitoring lines, households' baselines and the alert review queue: SQL and row mapping. Every
// function runs inside the caller's transaction (or db.Read).
#ifndef COOPLINK_SERVICES_INCOME_THRESHOLD_STORE_H_
#define COOPLINK_SERVICES_INCOME_THRESHOLD_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/income/v1/income.pb.h"
#include "services/common/db.h"
#include "services/income/income_rules.h"

namespace cooplink::income {

// Thresholds.
// The threshold of (region, year), locked (FOR UPDATE: also the gap, so two creations serialise).
std::optional<v1::MonitoringThreshold> LockThreshold(Tx& tx, const std::string& region_code,
                                                     int32_t year);
void InsertThreshold(Tx& tx, const v1::MonitoringThreshold& t);
// The lines of `year` for any of `regions`.
std::vector<ThresholdCandidate> LoadThresholdCandidates(Tx& tx,
                                                        const std::vector<std::string>& regions,
                                                        int32_t year);
// Thresholds ordered by (region_code, year) after (after_region, after_year) ("" / 0: from the
// start), with region_code starting with `prefix` and, when year != 0, of that year.
std::vector<v1::MonitoringThreshold> ListThresholds(Tx& tx, const std::string& prefix, int32_t year,
                                                    const std::string& after_region,
                                                    int32_t after_year, int limit);

// Baselines.
std::optional<v1::HouseholdBaseline> LoadBaseline(Tx& tx, const std::string& household_id);
// Inserts or replaces the household's baseline.
void UpsertBaseline(Tx& tx, const v1::HouseholdBaseline& b);

// The alert review queue (alert_reviews).
struct AlertReview {
  std::string id;
  std::string region_code;
  std::string reason;
  std::string after_household_id;
};
void InsertReview(Tx& tx, const AlertReview& review, int64_t now_us);
// Whether a review of (region, reason) is queued, locking the queue's rows of that region.
bool ReviewQueued(Tx& tx, const std::string& region_code, const std::string& reason);
// The oldest queued review.
std::optional<AlertReview> FirstReview(Tx& tx);
// The review locked, or nullopt when another runner finished it.
std::optional<AlertReview> LockReview(Tx& tx, const std::string& id);
void AdvanceReview(Tx& tx, const std::string& id, const std::string& after_household_id);
void DeleteReview(Tx& tx, const std::string& id);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_THRESHOLD_STORE_H_
