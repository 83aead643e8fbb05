#include "services/income/threshold_store.h"

namespace cooplink::income {}  // namespace cooplink::income
