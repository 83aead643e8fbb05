// What membership's CHECK constraints (migrations/*.sql) mean to a caller when a write breaks one
// (db_errors.h). The rules validate every request first, so a violation means a rule was missed:
// an input rule answers INVALID_ARGUMENT on the request field the constraint guards, like the
// validator would have. tests/unit/membership/check_constraints_test.cc keeps this list equal to
// the constraints the migrations declare.
#include "services/membership/membership_server.h"

namespace cooplink::membership {

std::vector<CheckConstraintRule> CheckConstraintRules() {
  return {
      InputRule("chk_cooperatives_month", "cooperative.fiscal_year_end_month", "must be 1..12"),
      InputRule("chk_cooperatives_fee", "cooperative.service_fee_bps",
                "must be 0..3000 basis points"),
      InputRule("chk_households_size", "household.resident_size", "must be 1..50"),
      InputRule("chk_household_size_changes_size", "household.resident_size", "must be 1..50"),
      StateRule("chk_members_contribution", "CAPITAL_TOTAL_OUT_OF_RANGE",
                "a member's capital contribution total cannot be negative"),
      InputRule("chk_members_refund", "refund", "must be 0 or more fen"),
      InputRule("chk_contributions_amount", "amount", "must be greater than 0 fen"),
      InputRule("chk_assignments_scope", "scope",
                "exactly one of village_code or cooperative_id is required"),
      InputRule("chk_partners_rate", "partner.commission_rate_bps", "must be 0..5000 basis points"),
  };
}

}  // namespace cooplink::membership
