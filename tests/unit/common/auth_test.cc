// Token signing, expiry, forgery and revocation.
#include "services/common/auth.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1790000000);

Principal CoopAdmin() {
  Principal p;
  p.id = "01PRINCIPAL000000000000000";
  p.role = Role::kCooperativeAdmin;
  p.token_id = "01TOKEN0000000000000000000";
  p.cooperative_id = "01COOP00000000000000000000";
  p.expire_time = kNow + absl::Hours(1);
  return p;
}

TEST(TokenCodecTest, RejectsShortKeys) {
  EXPECT_FALSE(TokenCodec::Create(std::string(31, 'k')).ok());
  EXPECT_TRUE(TokenCodec::Create(std::string(32, 'k')).ok());
}

TEST(TokenCodecTest, SignedTokenVerifiesWithAllClaims) {
  auto codec = TokenCodec::Create(RandomBytes(32));
  ASSERT_TRUE(codec.ok());
  auto verified = codec->Verify(codec->Sign(CoopAdmin()), kNow);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->id, CoopAdmin().id);
  EXPECT_EQ(verified->role, Role::kCooperativeAdmin);
  EXPECT_EQ(verified->token_id, CoopAdmin().token_id);
  EXPECT_EQ(verified->cooperative_id, CoopAdmin().cooperative_id);
  EXPECT_EQ(verified->expire_time, CoopAdmin().expire_time);
}

TEST(TokenCodecTest, ExpiredTokenIsUnauthenticated) {
  auto codec = TokenCodec::Create(RandomBytes(32));
  const std::string token = codec->Sign(CoopAdmin());
  EXPECT_TRUE(codec->Verify(token, kNow + absl::Minutes(59)).ok());
  auto late = codec->Verify(token, kNow + absl::Hours(1));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(late.status()), kTokenExpired);
  // The client learns when it expired (kNow is 2026-09-21T14:13:20Z; the token lasted 1 h).
  EXPECT_EQ(ReasonMetadataOf(late.status()),
            (std::map<std::string, std::string>{{"expire_time", "2026-09-21T15:13:20Z"}}));
}

TEST(TokenCodecTest, ForgedOrTamperedTokensAreRejected) {
  auto codec = TokenCodec::Create(RandomBytes(32));
  auto other = TokenCodec::Create(RandomBytes(32));
  const std::string token = codec->Sign(CoopAdmin());
  // Signed with another key: well-formed, but not ours.
  auto foreign = codec->Verify(other->Sign(CoopAdmin()), kNow);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(foreign.status()), kTokenSignatureInvalid);
  // Claims changed (role escalated to platform admin) with the old signature kept.
  Principal escalated = CoopAdmin();
  escalated.role = Role::kPlatformAdmin;
  const std::string forged_claims = other->Sign(escalated);
  const std::string spliced = absl::StrCat(forged_claims.substr(0, forged_claims.rfind('.')),
                                           token.substr(token.rfind('.')));
  EXPECT_EQ(ReasonOf(codec->Verify(spliced, kNow).status()), kTokenSignatureInvalid);
  // Every single-character change of the token is caught: as a bad signature, or as malformed
  // when the change breaks the token's shape (prefix, canonical base64).
  for (size_t i = 0; i < token.size(); ++i) {
    std::string mutated = token;
    mutated[i] = mutated[i] == 'A' ? 'B' : 'A';
    auto verified = codec->Verify(mutated, kNow);
    ASSERT_FALSE(verified.ok()) << "position " << i;
    const std::string reason = ReasonOf(verified.status());
    EXPECT_TRUE(reason == kTokenSignatureInvalid || reason == kTokenMalformed)
        << "position " << i << ": " << reason;
  }
  for (const char* junk : {"", "cl1.", "cl1..", "Bearer", "cl1.abc.def", "cl2.x.y",
                           "cl1.forged.token", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}) {
    auto verified = codec->Verify(junk, kNow);
    EXPECT_EQ(verified.status().code(), absl::StatusCode::kUnauthenticated) << junk;
    EXPECT_EQ(ReasonOf(verified.status()), kTokenMalformed) << junk;
  }
  // A signature that is not 32 bytes is not a cooplink token at all.
  const std::string truncated_signature =
      absl::StrCat(token.substr(0, token.rfind('.') + 1), Base64UrlEncode(std::string(31, 'x')));
  EXPECT_EQ(ReasonOf(codec->Verify(truncated_signature, kNow).status()), kTokenMalformed);
}

TEST(AuthenticatorTest, RequiresBearerSchemeAndHonoursRevocation) {
  auto codec = TokenCodec::Create(RandomBytes(32));
  FakeClock clock(kNow);
  std::vector<RevocationList::Entry> feed;
  RevocationList revocations(
      [&](int64_t after) -> absl::StatusOr<std::vector<RevocationList::Entry>> {
        std::vector<RevocationList::Entry> out;
        for (const auto& e : feed) {
          if (e.sequence > after) out.push_back(e);
        }
        return out;
      },
      &clock);
  Authenticator auth(&*codec, &revocations, &clock);
  const std::string token = codec->Sign(CoopAdmin());

  EXPECT_EQ(auth.Authenticate("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(auth.Authenticate("").status()), kTokenMissing);
  EXPECT_EQ(ReasonOf(auth.Authenticate("Bearer ").status()), kTokenMissing);
  EXPECT_EQ(ReasonOf(auth.Authenticate("Bearer   ").status()), kTokenMissing);
  EXPECT_EQ(auth.Authenticate(token).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(auth.Authenticate(token).status()), kTokenMalformed);  // no scheme
  EXPECT_EQ(ReasonOf(auth.Authenticate(absl::StrCat("Basic ", token)).status()), kTokenMalformed);
  EXPECT_TRUE(auth.Authenticate(absl::StrCat("Bearer ", token)).ok());
  EXPECT_TRUE(auth.Authenticate(absl::StrCat("bearer ", token)).ok());

  feed.push_back({CoopAdmin().token_id, CoopAdmin().expire_time, 1});
  EXPECT_TRUE(auth.Authenticate(absl::StrCat("Bearer ", token)).ok());  // not refreshed yet
  ASSERT_TRUE(revocations.Refresh().ok());
  EXPECT_TRUE(revocations.IsRevoked(CoopAdmin().token_id));
  EXPECT_EQ(auth.Authenticate(absl::StrCat("Bearer ", token)).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(auth.Authenticate(absl::StrCat("Bearer ", token)).status()), kTokenRevoked);
  // Expiry is checked before revocation: an expired, revoked token reads as expired.
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(ReasonOf(auth.Authenticate(absl::StrCat("Bearer ", token)).status()), kTokenExpired);

  // Entries are dropped once the token would have expired anyway.
  clock.Advance(absl::Hours(1));
  ASSERT_TRUE(revocations.Refresh().ok());
  EXPECT_FALSE(revocations.IsRevoked(CoopAdmin().token_id));
}

TEST(RequireRoleTest, PermissionDeniedForOtherRoles) {
  Principal p = CoopAdmin();
  EXPECT_TRUE(RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin}).ok());
  EXPECT_EQ(RequireRole(p, {Role::kPlatformAdmin}).code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace cooplink
