// Config parsing, paging tokens, ids and the PII cipher.
#include <gtest/gtest.h>

#include <map>

#include "services/common/config.h"
#include "services/common/crypto.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink {
namespace {

Flags::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name, std::string* value) {
    auto it = vars.find(name);
    if (it == vars.end()) return false;
    *value = it->second;
    return true;
  };
}

TEST(FlagsTest, FlagsOverrideEnvironmentOverrideDefaults) {
  DbConfig db;
  Flags flags("test", FakeEnv({{"COOPLINK_DB_PORT", "3307"}, {"COOPLINK_DB_USER", "env-user"}}));
  AddDbFlags(flags, &db);
  const char* argv[] = {"prog", "--db_user=flag-user", "--db_pool_size", "8", "migrate"};
  ASSERT_TRUE(flags.Parse(5, argv).ok());
  EXPECT_EQ(db.port, 3307);
  EXPECT_EQ(db.user, "flag-user");
  EXPECT_EQ(db.pool_size, 8);
  EXPECT_EQ(db.host, "127.0.0.1");
  EXPECT_EQ(flags.positional(), std::vector<std::string>{"migrate"});
}

TEST(FlagsTest, BadValuesStopWithAMessageNamingTheFlag) {
  DbConfig db;
  ServerOptions server;
  Flags flags("test", FakeEnv({{"COOPLINK_DB_PORT", "not-a-port"}}));
  AddDbFlags(flags, &db);
  AddServerFlags(flags, &server);
  const char* argv[] = {"prog"};
  absl::Status s = flags.Parse(1, argv);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--db_port (COOPLINK_DB_PORT)"), absl::string_view::npos);

  Flags flags2("test", FakeEnv({}));
  AddServerFlags(flags2, &server);
  const char* bad_duration[] = {"prog", "--drain_timeout=forever"};
  EXPECT_FALSE(flags2.Parse(2, bad_duration).ok());
  const char* unknown[] = {"prog", "--no_such_flag=1"};
  EXPECT_FALSE(flags2.Parse(2, unknown).ok());
}

TEST(FlagsTest, HelpListsEveryOption) {
  DbConfig db;
  Flags flags("usage line", FakeEnv({}));
  AddDbFlags(flags, &db);
  const char* argv[] = {"prog", "--help"};
  ASSERT_TRUE(flags.Parse(2, argv).ok());
  EXPECT_TRUE(flags.help_requested());
  const std::string usage = flags.Usage();
  for (const char* name : {"--db_host", "COOPLINK_DB_SOCKET", "--db_pool_size"}) {
    EXPECT_NE(usage.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(usage.find("cooplink-dev"), std::string::npos);  // secrets are never echoed
}

TEST(DecodeKeyTest, ChecksLength) {
  EXPECT_TRUE(DecodeKey("k", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", 32, 32).ok());
  EXPECT_FALSE(DecodeKey("k", "c2hvcnQ=", 32, 32).ok());
  EXPECT_FALSE(DecodeKey("k", "", 32, 32).ok());
  EXPECT_FALSE(DecodeKey("k", "***", 32, 32).ok());
}

TEST(PagingTest, DefaultsClampsAndRefusesNegative) {
  EXPECT_EQ(ParsePage(0, "", "f")->size, kDefaultPageSize);
  EXPECT_EQ(ParsePage(100000, "", "f")->size, kMaxPageSize);
  EXPECT_EQ(ParsePage(-1, "", "f").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PagingTest, TokensRoundTripAndAreBoundToFilters) {
  const std::string token = MakePageToken("01LASTKEY", "region=53");
  auto page = ParsePage(10, token, "region=53");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->after, "01LASTKEY");
  EXPECT_FALSE(ParsePage(10, token, "region=54").ok());
  EXPECT_FALSE(ParsePage(10, "garbage", "region=53").ok());
}

TEST(IdsTest, IdsAreWellFormedUniqueAndTimeOrdered) {
  const absl::Time t = absl::FromUnixSeconds(1790000000);
  std::string previous = NewId(t - absl::Milliseconds(1));
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewId(t + absl::Milliseconds(i));
    EXPECT_TRUE(LooksLikeId(id)) << id;
    EXPECT_LT(previous, id);
    previous = id;
  }
  EXPECT_NE(NewId(t), NewId(t));
  EXPECT_FALSE(LooksLikeId("not-an-id"));
}

TEST(PiiCipherTest, EncryptsWithContextAndHashesDeterministically) {
  auto cipher = PiiCipher::Create(RandomBytes(32));
  ASSERT_TRUE(cipher.ok());
  const std::string id = "34052419800101001X";
  const std::string sealed = cipher->Encrypt(id, "member.resident_id");
  EXPECT_EQ(sealed.find(id), std::string::npos);
  EXPECT_NE(sealed, cipher->Encrypt(id, "member.resident_id"));  // random nonce
  EXPECT_EQ(*cipher->Decrypt(sealed, "member.resident_id"), id);
  EXPECT_FALSE(cipher->Decrypt(sealed, "member.phone").ok());  // bound to its column
  std::string tampered = sealed;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(cipher->Decrypt(tampered, "member.resident_id").ok());
  EXPECT_EQ(cipher->LookupHash(id, "c"), cipher->LookupHash(id, "c"));
  EXPECT_NE(cipher->LookupHash(id, "c"), PiiCipher::Create(RandomBytes(32))->LookupHash(id, "c"));
  EXPECT_FALSE(PiiCipher::Create("short").ok());
}

}  // namespace
}  // namespace cooplink
