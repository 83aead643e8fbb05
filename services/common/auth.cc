#include "services/common/auth.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "services/common/crypto.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

constexpr absl::string_view kTokenPrefix = "cl1.";
constexpr int kClaimCount = 9;
constexpr size_t kSignatureBytes = 32;  // HMAC-SHA256

absl::Status Unauthenticated(absl::string_view reason, absl::string_view message,
                             const std::map<std::string, std::string>& metadata = {}) {
  return WithReason(absl::UnauthenticatedError(message), reason, metadata);
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPlatformAdmin:
      return "platform_admin";
    case Role::kSocialWorker:
      return "social_worker";
    case Role::kCooperativeAdmin:
      return "cooperative_admin";
    case Role::kMember:
      return "member";
    case Role::kPartner:
      return "partner";
    case Role::kUnspecified:
      break;
  }
  return "unspecified";
}

absl::StatusOr<TokenCodec> TokenCodec::Create(std::string key) {
  if (key.size() < 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("token signing key must be at least 32 bytes, got ", key.size()));
  }
  return TokenCodec(std::move(key));
}

std::string TokenCodec::Sign(const Principal& p) const {
  const std::string claims =
      absl::StrJoin({p.token_id, p.id, absl::StrCat(static_cast<int>(p.role)), p.cooperative_id,
                     p.household_id, p.member_id, p.social_worker_id, p.partner_id,
                     absl::StrCat(absl::ToUnixSeconds(p.expire_time))},
                    "|");
  const std::string signed_part = absl::StrCat(kTokenPrefix, Base64UrlEncode(claims));
  return absl::StrCat(signed_part, ".", Base64UrlEncode(HmacSha256(key_, signed_part)));
}

absl::StatusOr<Principal> TokenCodec::Verify(absl::string_view token, absl::Time now) const {
  const size_t dot = token.rfind('.');
  if (!absl::StartsWith(token, kTokenPrefix) || dot == absl::string_view::npos ||
      dot < kTokenPrefix.size()) {
    return Unauthenticated(kTokenMalformed, "malformed token");
  }
  const absl::string_view signed_part = token.substr(0, dot);
  const absl::string_view encoded_signature = token.substr(dot + 1);
  auto signature = Base64UrlDecode(encoded_signature);
  auto claims = Base64UrlDecode(signed_part.substr(kTokenPrefix.size()));
  // Only the canonical encoding is accepted: base64 leaves spare bits in the last character, and
  // a token must have exactly one spelling.
  if (!signature.ok() || signature->size() != kSignatureBytes ||
      Base64UrlEncode(*signature) != encoded_signature || !claims.ok()) {
    return Unauthenticated(kTokenMalformed, "malformed token");
  }
  if (!ConstantTimeEquals(*signature, HmacSha256(key_, signed_part))) {
    return Unauthenticated(kTokenSignatureInvalid,
                           "token signature is invalid (not issued by this deployment)");
  }
  std::vector<std::string> f = absl::StrSplit(*claims, '|');
  int role = 0;
  int64_t expiry = 0;
  if (f.size() != kClaimCount || !absl::SimpleAtoi(f[2], &role) ||
      !absl::SimpleAtoi(f[8], &expiry) || role < 1 || role > 5) {
    return Unauthenticated(kTokenMalformed, "malformed token claims");
  }
  Principal p;
  p.token_id = f[0];
  p.id = f[1];
  p.role = static_cast<Role>(role);
  p.cooperative_id = f[3];
  p.household_id = f[4];
  p.member_id = f[5];
  p.social_worker_id = f[6];
  p.partner_id = f[7];
  p.expire_time = absl::FromUnixSeconds(expiry);
  if (now >= p.expire_time) {
    return Unauthenticated(kTokenExpired, "token has expired",
                           {{"expire_time", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", p.expire_time,
                                                             absl::UTCTimeZone())}});
  }
  return p;
}

absl::Status RevocationList::Refresh() {
  absl::MutexLock refresh_lock(&refresh_mu_);
  int64_t after;
  {
    absl::MutexLock lock(&mu_);
    after = last_sequence_;
  }
  auto entries = source_(after);
  if (!entries.ok()) return entries.status();
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  for (auto& e : *entries) {
    if (e.expire_time > now) revoked_[e.token_id] = e.expire_time;
    last_sequence_ = std::max(last_sequence_, e.sequence);
  }
  absl::erase_if(revoked_, [&](const auto& kv) { return kv.second <= now; });
  return absl::OkStatus();
}

bool RevocationList::IsRevoked(absl::string_view token_id) const {
  absl::MutexLock lock(&mu_);
  return revoked_.contains(token_id);
}

void RevocationList::StartRefreshing(absl::Duration interval) {
  refresher_ = std::thread([this, interval] {
    while (!stop_.WaitForNotificationWithTimeout(interval)) {
      // A failed refresh keeps the last known list; the next tick tries again.
      (void)Refresh();
    }
  });
}

void RevocationList::StopRefreshing() {
  if (!refresher_.joinable()) return;
  if (!stop_.HasBeenNotified()) stop_.Notify();
  refresher_.join();
}

absl::StatusOr<Principal> Authenticator::Authenticate(absl::string_view header) const {
  if (header.empty()) {
    return Unauthenticated(kTokenMissing, "missing 'authorization: Bearer <token>' metadata");
  }
  if (!absl::ConsumePrefix(&header, "Bearer ") && !absl::ConsumePrefix(&header, "bearer ")) {
    return Unauthenticated(kTokenMalformed, "authorization must be 'Bearer <token>'");
  }
  header = absl::StripAsciiWhitespace(header);
  if (header.empty()) return Unauthenticated(kTokenMissing, "the bearer token is empty");
  auto principal = codec_->Verify(header, clock_->Now());
  if (!principal.ok()) return principal.status();
  if (revocations_ != nullptr && revocations_->IsRevoked(principal->token_id)) {
    return Unauthenticated(kTokenRevoked, "token has been revoked");
  }
  return principal;
}

absl::Status RequireRole(const Principal& p, std::initializer_list<Role> roles) {
  for (Role r : roles) {
    if (p.role == r) return absl::OkStatus();
  }
  return PermissionDenied("ROLE_NOT_ALLOWED",
                          absl::StrCat("role ", RoleName(p.role), " may not call this method"));
}

}  // namespace cooplink
