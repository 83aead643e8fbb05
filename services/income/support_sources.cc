// Support sources (五社联动). (Scaffold: being built for issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::CreateSupportSource(const CallContext&, const v1::CreateSupportSourceRequest&,
                                         v1::SupportSource*) {
  return absl::UnimplementedError("CreateSupportSource is not built yet");
}

absl::Status Income::ListSupportSources(const CallContext&, const v1::ListSupportSourcesRequest&,
                                        v1::ListSupportSourcesResponse*) {
  return absl::UnimplementedError("ListSupportSources is not built yet");
}

}  // namespace cooplink::income
