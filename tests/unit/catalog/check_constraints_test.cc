// Catalog's CHECK-constraint rules (check_constraints.cc) cover exactly the constraints its
// migrations declare, each with one meaning.
#include <gtest/gtest.h>

#include <algorithm>

#include "services/catalog/catalog_server.h"
#include "services/common/server_checks.h"

namespace cooplink::catalog {
namespace {

TEST(CatalogCheckConstraintsTest, EveryDeclaredConstraintHasExactlyOneRule) {
  std::vector<std::string> declared = DeclaredCheckConstraints(Migrations());
  std::vector<std::string> ruled;
  for (const CheckConstraintRule& rule : CheckConstraintRules()) {
    ruled.push_back(rule.constraint);
    EXPECT_NE(rule.field.empty(), rule.reason.empty()) << rule.constraint;
    EXPECT_FALSE(rule.description.empty()) << rule.constraint;
  }
  std::sort(declared.begin(), declared.end());
  std::sort(ruled.begin(), ruled.end());
  EXPECT_FALSE(declared.empty());
  EXPECT_EQ(ruled, declared);
}

}  // namespace
}  // namespace cooplink::catalog
