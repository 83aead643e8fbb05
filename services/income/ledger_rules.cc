#include "services/income/ledger_rules.h"

namespace cooplink::income {}  // namespace cooplink::income
