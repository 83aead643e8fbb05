// The prepared-statement cache is bounded: thousands of distinct statements through one pooled
// connection leave at most DbConfig::statement_cache statements on that connection and on the
// server (evicted statements are closed there), and a transaction's own statements are never
// closed under it.
#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/db.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

constexpr int kBound = 16;
constexpr int kDistinctStatements = 2000;

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DbConfig config = TestDbConfig("test_common_statement_cache");
    config.pool_size = 1;  // every Read below borrows the same connection
    config.statement_cache = kBound;
    auto db = Database::Open(config);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  // The server's Prepared_stmt_count (all sessions).
  int64_t GlobalPreparedStatements(Tx& tx) {
    auto rs = tx.Query("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'");
    return rs->next() ? rs->getInt64("Value") : -1;
  }
  // Statements this session (connection) has open on the server: prepared minus closed, read in
  // one statement so that preparing it cannot skew the difference.
  int64_t SessionOpenStatements(Tx& tx) {
    auto rs = tx.Query(
        "SHOW SESSION STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_close')");
    int64_t open = 0;
    while (rs->next()) {
      const int64_t value = rs->getInt64("Value");
      open += std::string(rs->getString("Variable_name")) == "Com_stmt_prepare" ? value : -value;
    }
    return open;
  }

  std::unique_ptr<Database> db_;
};

TEST_F(StatementCacheTest, ThousandsOfDistinctStatementsStayUnderTheBound) {
  int64_t global_before = 0;
  ASSERT_TRUE(db_->Read([&](Tx& tx) {
                   global_before = GlobalPreparedStatements(tx);
                   return absl::OkStatus();
                 })
                  .ok());

  size_t most_held = 0;
  for (int i = 0; i < kDistinctStatements; ++i) {
    ASSERT_TRUE(db_->Read([&](Tx& tx) {
                     auto rs = tx.Query(absl::StrCat("SELECT ? + ", i, " AS n"), 1);
                     EXPECT_TRUE(rs->next());
                     EXPECT_EQ(rs->getInt64("n"), 1 + i);
                     most_held = std::max(most_held, tx.cached_statements());
                     return absl::OkStatus();
                   })
                    .ok());
  }
  EXPECT_LE(most_held, static_cast<size_t>(kBound));

  ASSERT_TRUE(db_->Read([&](Tx& tx) {
                   // Exactly this connection's statements still open on the server.
                   const int64_t open = SessionOpenStatements(tx);
                   EXPECT_LE(open, kBound);
                   EXPECT_EQ(open, static_cast<int64_t>(tx.cached_statements()));
                   // The server-wide count is shared with the test binaries running beside this
                   // one (each bounded as well), so only a leak of our thousands would show here.
                   const int64_t global_after = GlobalPreparedStatements(tx);
                   EXPECT_LT(global_after - global_before, kDistinctStatements / 2);
                   return absl::OkStatus();
                 })
                  .ok());
}

TEST_F(StatementCacheTest, ATransactionKeepsItsOwnStatementsBeyondTheBound) {
  // One transaction reading many distinct statements while the first result set is still open:
  // nothing it uses is closed under it; afterwards the cache shrinks back to the bound.
  ASSERT_TRUE(db_->Read([&](Tx& tx) {
                   auto first = tx.Query("SELECT 41 + ? AS n", 1);
                   for (int i = 0; i < 2 * kBound; ++i) {
                     auto rs = tx.Query(absl::StrCat("SELECT ? * ", i + 2, " AS n"), 1);
                     EXPECT_TRUE(rs->next());
                   }
                   EXPECT_GT(tx.cached_statements(), static_cast<size_t>(kBound));
                   EXPECT_TRUE(first->next());
                   EXPECT_EQ(first->getInt64("n"), 42);
                   return absl::OkStatus();
                 })
                  .ok());
  ASSERT_TRUE(db_->Read([&](Tx& tx) {
                   EXPECT_LE(tx.cached_statements(), static_cast<size_t>(kBound));
                   return absl::OkStatus();
                 })
                  .ok());
}

}  // namespace
}  // namespace cooplink::testing
