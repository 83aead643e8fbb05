// The report's aggregate queries over the ledger. (Scaffold: being built for issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_REPORT_STORE_H_
#define COOPLINK_SERVICES_INCOME_REPORT_STORE_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_REPORT_STORE_H_
