// How membership stores personal data (PIPL sensitive information: resident IDs and phones).
//
// A value is kept in three columns and never in clear: the ciphertext (PiiCipher, bound to the
// column's context so a value cannot be moved to another column), a keyed look-up hash (equality
// searches and uniqueness without decrypting) and a masked form for replies and logs.
#ifndef COOPLINK_SERVICES_MEMBERSHIP_PII_COLUMNS_H_
#define COOPLINK_SERVICES_MEMBERSHIP_PII_COLUMNS_H_

#include <optional>
#include <string>

#include "services/common/crypto.h"

namespace cooplink::membership {

// PiiCipher contexts, one per column; bound as AAD to the ciphertext and mixed into the hash.
inline constexpr const char* kMemberResidentIdContext = "member.resident_id";
inline constexpr const char* kMemberPhoneContext = "member.phone";
inline constexpr const char* kSocialWorkerPhoneContext = "social_worker.phone";
// Context of the keyed hashes that replace personal data in idempotency fingerprints.
inline constexpr const char* kMemberFingerprintContext = "idempotency.member";

// A phone as stored; all three absent (SQL NULL) when there is no phone.
struct SealedPhone {
  std::optional<std::string> enc, hash, masked;
};
SealedPhone SealPhone(const PiiCipher& cipher, const char* context, const std::string& normalized);

// A resident ID as stored. Organizations have none: their hash is unique to the member, so the
// NOT NULL hash columns stay meaningful without two organizations colliding as one person.
struct SealedResidentId {
  std::string enc, hash, masked;  // enc and masked empty for an organization
};
SealedResidentId SealResidentId(const PiiCipher& cipher, const std::string& normalized);
SealedResidentId OrganizationResidentId(const PiiCipher& cipher, const std::string& member_id);

// The idempotency fingerprint must not be an unkeyed hash of personal data (a resident ID has
// little entropy): such fields are replaced by this keyed hash ("" stays "") before it is taken.
std::string KeyedForFingerprint(const PiiCipher& cipher, const std::string& value);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_PII_COLUMNS_H_
