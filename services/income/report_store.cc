#include "services/income/report_store.h"

namespace cooplink::income {}  // namespace cooplink::income
