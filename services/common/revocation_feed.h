// Revoked tokens from membership's ListTokenRevocations, as a RevocationList::Source for every
// service other than membership (which reads its own database). The feed is sequenced at commit
// (services/membership/revocation_log.h), so resuming after the last sequence seen misses nothing.
// Each refresh pages through the feed
// from the last sequence it has until a page comes back empty (at most kMaxPages pages), each page
// one call through the ServiceClient: the client's deadline cap per page, retried on UNAVAILABLE
// (a read), membership's status returned as is. The source is called by the refresher thread of
// RevocationList only; it shares the client's stub, and the client is safe to share.
#ifndef COOPLINK_SERVICES_COMMON_REVOCATION_FEED_H_
#define COOPLINK_SERVICES_COMMON_REVOCATION_FEED_H_

#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/service_client.h"

namespace cooplink {

RevocationList::Source MembershipRevocationFeed(
    ServiceClient<membership::v1::MembershipService::StubInterface> client);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_REVOCATION_FEED_H_
