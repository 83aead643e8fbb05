// What income's CHECK constraints (migrations/*.sql) mean to a caller when a write breaks one
// (db_errors.h). The validators answer first; these are the last line of defence.
// tests/unit/income/check_constraints_test.cc keeps this list equal to the constraints the
// migrations declare.
#include "services/income/income_server.h"

namespace cooplink::income {

std::vector<CheckConstraintRule> CheckConstraintRules() {
  return {
      InputRule("chk_income_entries_amount", "entry.amount.fen", "must not be 0"),
      InputRule("chk_monitoring_thresholds_amount", "threshold.amount_per_capita.fen",
                "must be greater than 0"),
      InputRule("chk_surplus_distributions_patronage", "distribution.patronage_share_bps",
                "must be 6000 to 10000"),
      StateRule("chk_surplus_distributions_parts", "DISTRIBUTION_INCONSISTENT",
                "a distribution's parts must sum to its surplus"),
  };
}

}  // namespace cooplink::income
