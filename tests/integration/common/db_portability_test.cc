// The database runtime's portability parts against the real server (issue 7 items 4 and 5):
// transactions opened with `BEGIN /*T! PESSIMISTIC */` are real transactions here; a CHECK
// violation gets the service's precise code and reason and no value; a 60-character database name
// migrates (hashed GET_LOCK name); the start-up checks pass on this server and refuse a database
// whose CHECK constraint was dropped, naming it.
#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "services/common/db.h"
#include "services/common/migrations.h"
#include "services/common/server_checks.h"
#include "services/common/status.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

const std::vector<CheckConstraintRule>& Rules() {
  static const auto* const kRules = new std::vector<CheckConstraintRule>{
      InputRule("chk_parcels_weight", "parcel.weight_grams", "must be greater than 0"),
      StateRule("chk_parcels_paid", "OVERPAID", "a parcel cannot be paid more than it costs"),
  };
  return *kRules;
}

// chk_parcels_note is deliberately left out of Rules(): an undeclared constraint.
const std::vector<Migration>& ParcelMigrations() {
  static const auto* const kMigrations = new std::vector<Migration>{
      {1, "0001_parcels", R"sql(
-- A CONSTRAINT in a comment names nothing: CONSTRAINT chk_in_comment CHECK (1)
CREATE TABLE parcels (
  id INT NOT NULL PRIMARY KEY,
  weight_grams BIGINT NOT NULL,
  price_fen BIGINT NOT NULL,
  paid_fen BIGINT NOT NULL,
  note VARCHAR(20) NOT NULL,
  CONSTRAINT chk_parcels_weight CHECK (weight_grams > 0),
  CONSTRAINT chk_parcels_paid CHECK (paid_fen <= price_fen),
  CONSTRAINT `chk_parcels_note` CHECK (note <> 'forbidden')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
)sql"},
  };
  return *kMigrations;
}

class DbPortabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = TestDbConfig("test_common_portability");
    auto db = Database::Open(config_, Rules());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(ApplyMigrations(*db_, "test", ParcelMigrations()).ok());
  }

  absl::Status Insert(int id, int64_t weight, int64_t price, int64_t paid, const char* note) {
    return db_->Transact([&](Tx& tx) {
      tx.Execute(
          "INSERT INTO parcels (id, weight_grams, price_fen, paid_fen, note) "
          "VALUES (?, ?, ?, ?, ?)",
          id, weight, price, paid, note);
      return absl::OkStatus();
    });
  }

  DbConfig config_;
  std::unique_ptr<Database> db_;
};

TEST_F(DbPortabilityTest, TransactionsBegunWithTheTidbCommentCommitAndRollBack) {
  absl::Status s = db_->Transact([](Tx& tx) {
    tx.Execute("INSERT INTO parcels VALUES (1, 10, 100, 0, 'a')");
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(CountRows(*db_, "parcels"), 0);
  ASSERT_TRUE(Insert(1, 10, 100, 0, "a").ok());
  EXPECT_EQ(CountRows(*db_, "parcels"), 1);

  // The transaction holds its row lock until it ends: another one's NOWAIT-like short wait fails.
  absl::Notification locked, release;
  std::thread holder([&] {
    (void)db_->Transact([&](Tx& tx) {
      tx.Query("SELECT id FROM parcels WHERE id = 1 FOR UPDATE");
      locked.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    });
  });
  locked.WaitForNotification();
  DbConfig once = config_;
  once.max_retries = 0;
  auto other = Database::Open(once);
  ASSERT_TRUE(other.ok());
  absl::Status blocked = (*other)->Transact([](Tx& tx) {
    tx.Execute("SET SESSION innodb_lock_wait_timeout = 1");
    tx.Execute("UPDATE parcels SET note = 'b' WHERE id = 1");
    return absl::OkStatus();
  });
  release.Notify();
  holder.join();
  EXPECT_EQ(blocked.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReasonOf(blocked), "TRANSACTION_CONFLICT");
}

TEST_F(DbPortabilityTest, ACheckViolationOfAnInputRuleIsInvalidArgumentOnItsField) {
  absl::Status s = Insert(2, -7345, 100, 0, "a");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(ReasonOf(s), "INVALID_ARGUMENT");
  EXPECT_TRUE(absl::StrContains(s.message(), "parcel.weight_grams")) << s;
  EXPECT_FALSE(absl::StrContains(s.message(), "7345")) << s;
  EXPECT_EQ(CountRows(*db_, "parcels"), 0);
}

TEST_F(DbPortabilityTest, ACheckViolationOfAStateRuleIsFailedPreconditionWithItsReason) {
  ASSERT_TRUE(Insert(3, 10, 100, 0, "a").ok());
  absl::Status s = db_->Transact([](Tx& tx) {
    tx.Execute("UPDATE parcels SET paid_fen = paid_fen + 9451 WHERE id = 3");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(ReasonOf(s), "OVERPAID");
  EXPECT_FALSE(absl::StrContains(s.message(), "9451")) << s;
}

TEST_F(DbPortabilityTest, AnUndeclaredCheckConstraintIsFailedPreconditionNamingIt) {
  absl::Status s = Insert(4, 10, 100, 0, "forbidden");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(ReasonOf(s), "CHECK_CONSTRAINT_VIOLATED");
  EXPECT_TRUE(absl::StrContains(s.message(), "chk_parcels_note")) << s;
  EXPECT_FALSE(absl::StrContains(s.message(), "forbidden")) << s;
}

TEST_F(DbPortabilityTest, StartUpChecksPassOnThisServer) {
  auto settings = ReadServerSettings(*db_);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_FALSE(settings->version.empty());
  EXPECT_TRUE(ServerSettingProblems(*settings).empty());
  EXPECT_TRUE(VerifyCheckConstraints(*db_, DeclaredCheckConstraints(ParcelMigrations())).ok());
}

TEST_F(DbPortabilityTest, ADroppedCheckConstraintStopsStartUpNamingIt) {
  ASSERT_TRUE(db_->ExecuteScript("ALTER TABLE parcels DROP CONSTRAINT chk_parcels_paid;").ok());
  absl::Status s = ApplyMigrations(*db_, "test", ParcelMigrations());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(ReasonOf(s), "DATABASE_SERVER_UNSUITABLE");
  EXPECT_TRUE(absl::StrContains(s.message(), "chk_parcels_paid is missing")) << s;
  EXPECT_FALSE(absl::StrContains(s.message(), "chk_parcels_weight")) << s;
  EXPECT_FALSE(absl::StrContains(s.message(), "chk_parcels_note")) << s;
}

TEST(MigrationLockTest, ASixtyCharacterDatabaseNameMigratesWithRacingReplicas) {
  const std::string name = "test_common_a_database_name_of_sixty_characters_for_get_lock";
  ASSERT_EQ(name.size(), 60u);
  ASSERT_GT(absl::StrCat("cooplink_migrate_", name).size(), 64u);  // the old name was too long
  EXPECT_LE(MigrationLockName(name).size(), 64u);
  const DbConfig config = TestDbConfig(name);
  constexpr int kReplicas = 4;
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&, i] {
      auto db = Database::Open(config);
      results[i] = db.ok() ? ApplyMigrations(**db, "test", ParcelMigrations()) : db.status();
    });
  }
  for (auto& t : replicas) t.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r;
  auto db = Database::Open(config);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(CountRows(**db, "parcels"), 0);
  int64_t applied = -1;
  ASSERT_TRUE((*db)
                  ->Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT COUNT(*) AS n FROM schema_migrations WHERE component = ?", "test");
                    if (rs->next()) applied = rs->getInt64("n");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(applied, 1);
}

}  // namespace
}  // namespace cooplink::testing
