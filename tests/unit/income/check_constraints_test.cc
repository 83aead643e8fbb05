// Income's CHECK-constraint rules (check_constraints.cc) cover exactly the constraints its
// migrations declare, each with one meaning.
#include <gtest/gtest.h>

#include "services/income/income_server.h"
#include "tests/support/check_constraint_rules.h"

namespace cooplink::income {
namespace {

TEST(IncomeCheckConstraintsTest, EveryDeclaredConstraintHasExactlyOneRule) {
  testing::ExpectRulesCoverDeclaredConstraints(Migrations(), CheckConstraintRules());
}

}  // namespace
}  // namespace cooplink::income
