#include "services/membership/pii_columns.h"

#include "absl/strings/str_cat.h"
#include "services/membership/identity.h"

namespace cooplink::membership {

SealedPhone SealPhone(const PiiCipher& cipher, const char* context, const std::string& normalized) {
  if (normalized.empty()) return {};
  return {cipher.Encrypt(normalized, context), cipher.LookupHash(normalized, context),
          MaskPhone(normalized)};
}

SealedResidentId SealResidentId(const PiiCipher& cipher, const std::string& normalized) {
  return {cipher.Encrypt(normalized, kMemberResidentIdContext),
          cipher.LookupHash(normalized, kMemberResidentIdContext), MaskResidentId(normalized)};
}

SealedResidentId OrganizationResidentId(const PiiCipher& cipher, const std::string& member_id) {
  return {"", cipher.LookupHash(absl::StrCat("organization:", member_id), kMemberResidentIdContext),
          ""};
}

std::string KeyedForFingerprint(const PiiCipher& cipher, const std::string& value) {
  return value.empty() ? "" : cipher.LookupHash(value, kMemberFingerprintContext);
}

}  // namespace cooplink::membership
