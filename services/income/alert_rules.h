// Pure alert rules: which alerts a household's figures raise or recover. (Scaffold: being built for
// issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_ALERT_RULES_H_
#define COOPLINK_SERVICES_INCOME_ALERT_RULES_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_ALERT_RULES_H_
