#include "services/income/ledger_store.h"

namespace cooplink::income {}  // namespace cooplink::income
