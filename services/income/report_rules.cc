#include "services/income/report_rules.h"

namespace cooplink::income {}  // namespace cooplink::income
