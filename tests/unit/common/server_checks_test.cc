// The start-up checks' decisions (server_checks.h) over fake settings: no TiDB runs in the tests.
#include "services/common/server_checks.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace cooplink {
namespace {

ServerSettings GoodTidb() {
  ServerSettings s;
  s.version = "8.0.11-TiDB-v8.5.0";
  s.tidb_enable_check_constraint = "ON";
  s.tidb_new_collation_enabled = true;
  s.tidb_txn_mode = "pessimistic";
  s.tidb_enable_noop_functions = "OFF";
  return s;
}

// The problems joined, for matching.
std::string Problems(const ServerSettings& s) {
  return absl::StrJoin(ServerSettingProblems(s), "|");
}

TEST(ServerSettingsTest, MariaDbAndMysqlNeedNoSetting) {
  for (const char* version : {"10.11.19-MariaDB-0+deb12u1", "8.0.39", "8.4.2"}) {
    ServerSettings s;  // the TiDB fields are not read there
    s.version = version;
    EXPECT_TRUE(ServerSettingProblems(s).empty()) << version;
  }
  EXPECT_FALSE(IsTidb("10.11.19-MariaDB"));
  EXPECT_TRUE(IsTidb("8.0.11-TiDB-v7.5.1"));
}

TEST(ServerSettingsTest, AWellConfiguredTidbPasses) {
  EXPECT_TRUE(ServerSettingProblems(GoodTidb()).empty());
  ServerSettings s = GoodTidb();
  s.tidb_enable_check_constraint = "1";
  s.tidb_txn_mode = "PESSIMISTIC";
  s.tidb_enable_noop_functions = "0";
  EXPECT_TRUE(ServerSettingProblems(s).empty());
}

TEST(ServerSettingsTest, EachOffendingSettingIsNamedWithItsFix) {
  ServerSettings s = GoodTidb();
  s.tidb_enable_check_constraint = "OFF";
  ASSERT_EQ(ServerSettingProblems(s).size(), 1u);
  EXPECT_TRUE(absl::StrContains(Problems(s), "SET GLOBAL tidb_enable_check_constraint = ON"));

  s = GoodTidb();
  s.tidb_new_collation_enabled = false;
  ASSERT_EQ(ServerSettingProblems(s).size(), 1u);
  EXPECT_TRUE(absl::StrContains(Problems(s), "new_collation_enabled"));

  s = GoodTidb();
  s.tidb_txn_mode = "optimistic";
  ASSERT_EQ(ServerSettingProblems(s).size(), 1u);
  EXPECT_TRUE(absl::StrContains(Problems(s), "tidb_txn_mode is 'optimistic'"));

  s = GoodTidb();
  s.tidb_enable_noop_functions = "WARN";
  ASSERT_EQ(ServerSettingProblems(s).size(), 1u);
  EXPECT_TRUE(absl::StrContains(Problems(s), "SET GLOBAL tidb_enable_noop_functions = OFF"));
}

TEST(ServerSettingsTest, UnknownSettingsAreProblemsToo) {
  ServerSettings s;
  s.version = "5.7.25-TiDB-v6.5.0";  // before tidb_enable_check_constraint existed
  const std::vector<std::string> problems = ServerSettingProblems(s);
  ASSERT_EQ(problems.size(), 4u) << Problems(s);
  EXPECT_TRUE(absl::StrContains(problems[0], "TiDB before v7.2"));
  EXPECT_TRUE(absl::StrContains(problems[1], "could not be read"));
  EXPECT_TRUE(absl::StrContains(problems[2], "tidb_txn_mode"));
  EXPECT_TRUE(absl::StrContains(problems[3], "tidb_enable_noop_functions"));
}

TEST(DeclaredCheckConstraintsTest, NamedConstraintsInOrderWithoutCommentsAndDropped) {
  const std::vector<Migration> migrations = {
      {1, "a", R"sql(
-- CONSTRAINT chk_commented CHECK (1)
/* CONSTRAINT chk_block_commented CHECK (1) */
CREATE TABLE t (
  a INT NOT NULL, b INT NOT NULL, note VARCHAR(20) NOT NULL DEFAULT 'CONSTRAINT chk_quoted CHECK',
  UNIQUE KEY uk_t (a),
  CONSTRAINT chk_t_a CHECK (a > 0),
  constraint `chk_t_b` check (b >= a),
  CONSTRAINT fk_t FOREIGN KEY (a) REFERENCES u (id)
);
)sql"},
      {2, "b", "ALTER TABLE t ADD CONSTRAINT chk_t_c CHECK (b < 100), DROP CONSTRAINT chk_t_a;\n"},
      {3, "c",
       "ALTER TABLE t DROP CHECK IF EXISTS chk_t_c;\n"
       "ALTER TABLE t ADD CONSTRAINT chk_t_d CHECK (b <> 7) NOT ENFORCED;\n"},
  };
  EXPECT_EQ(DeclaredCheckConstraints(migrations), (std::vector<std::string>{"chk_t_b", "chk_t_d"}));
  EXPECT_TRUE(DeclaredCheckConstraints({}).empty());
}

TEST(CheckConstraintProblemsTest, MissingAndUnenforcedAreNamed) {
  const std::vector<std::string> expected = {"chk_a", "chk_b", "chk_c"};
  EXPECT_TRUE(CheckConstraintProblems(expected, {"CHK_A", "chk_b", "chk_c", "chk_x"}, {}).empty());
  const std::vector<std::string> problems =
      CheckConstraintProblems(expected, {"chk_a", "chk_c"}, {"chk_c"});
  EXPECT_EQ(problems, (std::vector<std::string>{"CHECK constraint chk_b is missing.",
                                                "CHECK constraint chk_c is NOT ENFORCED."}));
}

}  // namespace
}  // namespace cooplink
