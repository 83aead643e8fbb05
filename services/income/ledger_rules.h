// Pure rules of the ledger: entry validation, reversals. (Scaffold: being built for issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_LEDGER_RULES_H_
#define COOPLINK_SERVICES_INCOME_LEDGER_RULES_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_LEDGER_RULES_H_
