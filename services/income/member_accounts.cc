// Member accounts (Art. 43). (Scaffold: being built for issue 10.)
#include "services/income/income.h"

namespace cooplink::income {

absl::Status Income::GetMemberAccount(const CallContext&, const v1::GetMemberAccountRequest&,
                                      v1::MemberAccount*) {
  return absl::UnimplementedError("GetMemberAccount is not built yet");
}

}  // namespace cooplink::income
