// Cryptographic primitives over OpenSSL: AES-256-GCM for personal data at rest, HMAC-SHA256 for
// keyed look-up hashes and token signatures, secure random bytes, base64url.
#ifndef COOPLINK_SERVICES_COMMON_CRYPTO_H_
#define COOPLINK_SERVICES_COMMON_CRYPTO_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace cooplink {

std::string RandomBytes(size_t n);
std::string HmacSha256(absl::string_view key, absl::string_view data);
std::string Sha256Hex(absl::string_view data);
std::string HexEncode(absl::string_view bytes);
std::string Base64UrlEncode(absl::string_view bytes);  // no padding
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);
absl::StatusOr<std::string> Base64Decode(absl::string_view text);  // standard alphabet, padded
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Protects personal data (resident ID, phone) at rest. Derives two independent sub-keys from one
// 32-byte master key: one encrypts (AES-256-GCM, random 96-bit nonce), one computes the keyed hash
// used for uniqueness look-ups, so the stored hash reveals nothing without the key.
class PiiCipher {
 public:
  // `master_key` must be exactly 32 bytes.
  static absl::StatusOr<PiiCipher> Create(absl::string_view master_key);

  // Returns "v1:" + base64url(nonce | ciphertext | tag). `context` (e.g. "member.resident_id") is
  // bound as additional authenticated data, so a value cannot be moved to another column.
  std::string Encrypt(absl::string_view plaintext, absl::string_view context) const;
  absl::StatusOr<std::string> Decrypt(absl::string_view sealed, absl::string_view context) const;

  // Hex HMAC-SHA256 of context and value, for equality look-ups.
  std::string LookupHash(absl::string_view value, absl::string_view context) const;

 private:
  PiiCipher(std::string enc_key, std::string hash_key)
      : enc_key_(std::move(enc_key)), hash_key_(std::move(hash_key)) {}
  std::string enc_key_;
  std::string hash_key_;
};

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_CRYPTO_H_
