// Pure income arithmetic: periods, resident person-months, per-capita net income, the most specific
// monitoring line, baselines. (Scaffold: being built for issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_INCOME_RULES_H_
#define COOPLINK_SERVICES_INCOME_INCOME_RULES_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_INCOME_RULES_H_
