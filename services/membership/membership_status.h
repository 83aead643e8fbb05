// Statuses that several membership domain files answer with.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_STATUS_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::membership {

// FAILED_PRECONDITION (REFERENCED_RESOURCE_NOT_FOUND): request field `field` names a resource
// that does not exist.
inline absl::Status ReferencedMissing(const std::string& field) {
  return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                            absl::StrCat(field, " names no existing resource"));
}

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBERSHIP_STATUS_H_
