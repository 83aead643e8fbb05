// Storage of the settlement importer: applied settlements and waiting reversals. (Scaffold: being
// built for issue 10.)
#ifndef COOPLINK_SERVICES_INCOME_IMPORT_STORE_H_
#define COOPLINK_SERVICES_INCOME_IMPORT_STORE_H_

namespace cooplink::income {}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_IMPORT_STORE_H_
