#include "services/common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/log.h"

namespace cooplink {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr absl::string_view kSealedPrefix = "v1:";

[[noreturn]] void CryptoFailure(const char* what) {
  // OpenSSL failing on in-memory operations means the process is broken: crash loudly.
  LogError("fatal: OpenSSL failed", {{"operation", what}});
  std::abort();
}

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

const unsigned char* U(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(U(out), static_cast<int>(n)) != 1) CryptoFailure("RAND_bytes");
  return out;
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), U(data), data.size(), U(out),
           &len) == nullptr) {
    CryptoFailure("HMAC");
  }
  out.resize(len);
  return out;
}

std::string Sha256Hex(absl::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(U(data), data.size(), U(digest));
  return HexEncode(digest);
}

std::string HexEncode(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

std::string Base64UrlEncode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  std::string out;
  if (!absl::WebSafeBase64Unescape(text, &out)) return absl::InvalidArgumentError("bad base64url");
  return out;
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  std::string out;
  if (!absl::Base64Unescape(text, &out)) return absl::InvalidArgumentError("bad base64");
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::StatusOr<PiiCipher> PiiCipher::Create(absl::string_view master_key) {
  if (master_key.size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("PII key must be 32 bytes, got ", master_key.size()));
  }
  return PiiCipher(HmacSha256(master_key, "cooplink pii encryption v1"),
                   HmacSha256(master_key, "cooplink pii lookup v1"));
}

std::string PiiCipher::Encrypt(absl::string_view plaintext, absl::string_view context) const {
  std::string nonce = RandomBytes(kNonceBytes);
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(enc_key_), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), U(out) + kNonceBytes, &len, U(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), U(out) + kNonceBytes + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          U(out) + kNonceBytes + plaintext.size()) != 1) {
    CryptoFailure("AES-GCM encrypt");
  }
  return absl::StrCat(kSealedPrefix, Base64UrlEncode(out));
}

absl::StatusOr<std::string> PiiCipher::Decrypt(absl::string_view sealed,
                                               absl::string_view context) const {
  if (!absl::ConsumePrefix(&sealed, kSealedPrefix)) {
    return absl::DataLossError("sealed value has an unknown version");
  }
  auto raw = Base64UrlDecode(sealed);
  if (!raw.ok() || raw->size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError("sealed value is malformed");
  }
  const size_t text_len = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(text_len, '\0');
  std::string tag = raw->substr(kNonceBytes + text_len);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(enc_key_), U(*raw)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), U(plain), &len, U(*raw) + kNonceBytes,
                        static_cast<int>(text_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, U(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), U(plain) + len, &len) != 1) {
    return absl::DataLossError("sealed value failed authentication");
  }
  return plain;
}

std::string PiiCipher::LookupHash(absl::string_view value, absl::string_view context) const {
  return HexEncode(HmacSha256(hash_key_, absl::StrCat(context, ":", value)));
}

}  // namespace cooplink
