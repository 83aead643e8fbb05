// The one check that a service's CHECK-constraint rules (its check_constraints.cc) cover exactly
// the named constraints its migrations declare, each with one meaning: an input rule (a field)
// or a state rule (a reason), and a description. Shared by the services' unit tests.
#ifndef COOPLINK_TESTS_SUPPORT_CHECK_CONSTRAINT_RULES_H_
#define COOPLINK_TESTS_SUPPORT_CHECK_CONSTRAINT_RULES_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "services/common/db_errors.h"
#include "services/common/migrations.h"
#include "services/common/server_checks.h"

namespace cooplink::testing {

inline void ExpectRulesCoverDeclaredConstraints(const std::vector<Migration>& migrations,
                                                const std::vector<CheckConstraintRule>& rules) {
  std::vector<std::string> declared = DeclaredCheckConstraints(migrations);
  std::vector<std::string> ruled;
  for (const CheckConstraintRule& rule : rules) {
    ruled.push_back(rule.constraint);
    EXPECT_NE(rule.field.empty(), rule.reason.empty()) << rule.constraint;
    EXPECT_FALSE(rule.description.empty()) << rule.constraint;
  }
  std::sort(declared.begin(), declared.end());
  std::sort(ruled.begin(), ruled.end());
  EXPECT_FALSE(declared.empty());
  EXPECT_EQ(ruled, declared);
}

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_CHECK_CONSTRAINT_RULES_H_
