// Pure report rules: summary statistics (median, mean) and the CSV. (Scaffold: being built for
// issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_REPORT_RULES_H_
#define COOPLINK_SERVICES_INCOME_REPORT_RULES_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_REPORT_RULES_H_
