#include "services/income/alert_rules.h"

namespace cooplink::income {}  // namespace cooplink::income
