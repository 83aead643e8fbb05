// Token signing, expiry, forgery and revocation.
#include "services/common/auth.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

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
}

TEST(TokenCodecTest, ForgedOrTamperedTokensAreRejected) {
  auto codec = TokenCodec::Create(RandomBytes(32));
  auto other = TokenCodec::Create(RandomBytes(32));
  const std::string token = codec->Sign(CoopAdmin());
  // Signed with another key.
  EXPECT_EQ(codec->Verify(other->Sign(CoopAdmin()), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Claims changed (role escalated to platform admin) with the old signature kept.
  Principal escalated = CoopAdmin();
  escalated.role = Role::kPlatformAdmin;
  const std::string forged_claims = other->Sign(escalated);
  const std::string spliced = absl::StrCat(forged_claims.substr(0, forged_claims.rfind('.')),
                                           token.substr(token.rfind('.')));
  EXPECT_EQ(codec->Verify(spliced, kNow).status().code(), absl::StatusCode::kUnauthenticated);
  // Every single-character change of the token is caught.
  for (size_t i = 0; i < token.size(); ++i) {
    std::string mutated = token;
    mutated[i] = mutated[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec->Verify(mutated, kNow).ok()) << "position " << i;
  }
  for (const char* junk : {"", "cl1.", "cl1..", "Bearer", "cl1.abc.def", "cl2.x.y"}) {
    EXPECT_FALSE(codec->Verify(junk, kNow).ok()) << junk;
  }
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
  EXPECT_EQ(auth.Authenticate(token).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(auth.Authenticate(absl::StrCat("Bearer ", token)).ok());

  feed.push_back({CoopAdmin().token_id, CoopAdmin().expire_time, 1});
  EXPECT_TRUE(auth.Authenticate(absl::StrCat("Bearer ", token)).ok());  // not refreshed yet
  ASSERT_TRUE(revocations.Refresh().ok());
  EXPECT_TRUE(revocations.IsRevoked(CoopAdmin().token_id));
  EXPECT_EQ(auth.Authenticate(absl::StrCat("Bearer ", token)).status().code(),
            absl::StatusCode::kUnauthenticated);

  // Entries are dropped once the token would have expired anyway.
  clock.Advance(absl::Hours(2));
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
