// The early-warning rules (pure): given a household's trailing-12-months and previous-12-months
// figures, its monitoring line and the configured margin and drop share, which of the three alert
// kinds hold, which have recovered, and the Chinese explanation a social worker reads.
//
// BELOW_THRESHOLD: trailing net × 12 < line × person_months (exact). NEAR_THRESHOLD: not below and
// net × 12 × 10000 < line × person_months × (10000 + near_margin_bps) (exact). INCOME_DROP: the
// previous 12 months' per-capita income is > 0 and the trailing per-capita × 10000 < previous
// per-capita × (10000 − drop_share_bps) (both per-capita figures rounded down as shown to users,
// then compared exactly). Without a line neither BELOW nor NEAR holds.
//
// Recovery (the Alert message comment): BELOW and NEAR recover only when the household is at or
// above the line plus the margin (or no line applies any more); INCOME_DROP when the fall is
// within the share. So a BELOW alert whose household has risen into the near band is neither
// holding nor recovered: it is left as it is.
#ifndef COOPLINK_SERVICES_INCOME_ALERT_RULES_H_
#define COOPLINK_SERVICES_INCOME_ALERT_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cooplink/income/v1/income.pb.h"

namespace cooplink::income {

namespace v1 = ::cooplink::income::v1;

struct AlertInputs {
  int64_t net_fen = 0;  // trailing 12 months
  int64_t person_months = 0;
  int64_t previous_net_fen = 0;  // the 12 months before
  int64_t previous_person_months = 0;
  std::optional<int64_t> line_fen;  // the household's line for today's year
  int32_t near_margin_bps = 1000;
  int32_t drop_share_bps = 2000;
};

struct AlertFinding {
  v1::AlertKind kind = v1::ALERT_KIND_UNSPECIFIED;
  bool holds = false;      // raise (or keep, clearing recovered)
  bool recovered = false;  // mark an existing alert recovered (never together with holds)
  int64_t per_capita_fen = 0;
  std::optional<int64_t> threshold_fen;            // BELOW, NEAR
  std::optional<int64_t> previous_per_capita_fen;  // INCOME_DROP
  std::string detail;                              // Chinese, at most 500 characters
};

// One finding per kind, in the order BELOW_THRESHOLD, NEAR_THRESHOLD, INCOME_DROP.
std::vector<AlertFinding> EvaluateAlertRules(const AlertInputs& in);

// "10%" / "12.5%" for basis points.
std::string FormatPercent(int64_t bps);

// The alerts' uniqueness key while not RESOLVED: "<household_id>/<kind number>".
std::string OpenKey(const std::string& household_id, v1::AlertKind kind);

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_ALERT_RULES_H_
