// Pure surplus distribution rules (Art. 44): the split, member days, transaction shares. (Scaffold:
// being built for issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_SURPLUS_RULES_H_
#define COOPLINK_SERVICES_INCOME_SURPLUS_RULES_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_SURPLUS_RULES_H_
