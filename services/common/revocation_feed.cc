#include "services/common/revocation_feed.h"

#include <utility>
#include <vector>

#include "services/common/call_context.h"

namespace cooplink {
namespace {

namespace mv1 = ::cooplink::membership::v1;

// Bounds one refresh (pages of membership's default size) should the feed never run dry.
constexpr int kMaxPages = 1000;

}  // namespace

RevocationList::Source MembershipRevocationFeed(
    ServiceClient<mv1::MembershipService::StubInterface> client) {
  return [client = std::move(client)](
             int64_t after) -> absl::StatusOr<std::vector<RevocationList::Entry>> {
    const CallContext call = CallContext::Internal(Principal{});
    std::vector<RevocationList::Entry> entries;
    mv1::ListTokenRevocationsRequest req;
    req.set_after_sequence(after);
    for (int page = 0; page < kMaxPages; ++page) {
      auto resp =
          client.Read(call, &mv1::MembershipService::StubInterface::ListTokenRevocations, req);
      if (!resp.ok()) return resp.status();
      for (const auto& r : resp->revocations()) {
        entries.push_back(
            {r.token_id(), absl::FromUnixSeconds(r.expire_time().seconds()), r.sequence()});
      }
      if (resp->revocations().empty()) break;
      req.set_after_sequence(resp->last_sequence());
    }
    return entries;
  };
}

}  // namespace cooplink
