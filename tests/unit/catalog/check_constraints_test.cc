// Catalog's CHECK-constraint rules (check_constraints.cc) cover exactly the constraints its
// migrations declare, each with one meaning.
#include <gtest/gtest.h>

#include "services/catalog/catalog_server.h"
#include "tests/support/check_constraint_rules.h"

namespace cooplink::catalog {
namespace {

TEST(CatalogCheckConstraintsTest, EveryDeclaredConstraintHasExactlyOneRule) {
  testing::ExpectRulesCoverDeclaredConstraints(Migrations(), CheckConstraintRules());
}

}  // namespace
}  // namespace cooplink::catalog
