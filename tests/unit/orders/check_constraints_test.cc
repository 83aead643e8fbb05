// Orders' CHECK-constraint rules (check_constraints.cc) cover exactly the constraints its
// migrations declare, each with one meaning.
#include <gtest/gtest.h>

#include "services/orders/orders_server.h"
#include "tests/support/check_constraint_rules.h"

namespace cooplink::orders {
namespace {

TEST(OrdersCheckConstraintsTest, EveryDeclaredConstraintHasExactlyOneRule) {
  testing::ExpectRulesCoverDeclaredConstraints(Migrations(), CheckConstraintRules());
}

}  // namespace
}  // namespace cooplink::orders
