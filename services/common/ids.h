// Resource ids: 26-character, creation-ordered (48-bit millisecond time + 80 random bits, Crockford
// base32, like ULID). Keyset pagination by id therefore lists resources in creation order.
#ifndef COOPLINK_SERVICES_COMMON_IDS_H_
#define COOPLINK_SERVICES_COMMON_IDS_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/time/time.h"

namespace cooplink {

std::string NewId(absl::Time now);
// True for strings NewId could have produced (used to reject junk ids early).
bool LooksLikeId(absl::string_view id);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_IDS_H_
