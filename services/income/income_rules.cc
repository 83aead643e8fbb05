#include "services/income/income_rules.h"

namespace cooplink::income {}  // namespace cooplink::income
