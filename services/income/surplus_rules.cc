#include "services/income/surplus_rules.h"

namespace cooplink::income {}  // namespace cooplink::income
