#include "services/income/alert_store.h"

namespace cooplink::income {}  // namespace cooplink::income
