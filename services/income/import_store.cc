#include "services/income/import_store.h"

namespace cooplink::income {}  // namespace cooplink::income
