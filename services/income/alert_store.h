// Storage of alerts and queued alert reviews. (Scaffold: being built for issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_ALERT_STORE_H_
#define COOPLINK_SERVICES_INCOME_ALERT_STORE_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_ALERT_STORE_H_
