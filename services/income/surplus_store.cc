#include "services/income/surplus_store.h"

namespace cooplink::income {}  // namespace cooplink::income
