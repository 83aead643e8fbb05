// The shared database runtime against the real MariaDB: the pool's bounded wait, retries of lock
// conflicts ending in ABORTED, rollback on error, and migrations applied once by racing replicas.
#include "services/common/db.h"

#include <cppconn/resultset.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/idempotency.h"
#include "services/common/migrations.h"
#include "services/common/status.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = TestDbConfig("test_common_database");
    auto db = Database::Open(config_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->ExecuteScript("CREATE TABLE IF NOT EXISTS counters (id INT PRIMARY KEY, "
                                   "n BIGINT NOT NULL) ENGINE=InnoDB;\n"
                                   "INSERT IGNORE INTO counters VALUES (1, 0);")
                    .ok());
  }
  int64_t Counter() {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](Tx& tx) {
                     auto rs = tx.Query("SELECT n FROM counters WHERE id = 1");
                     if (rs->next()) n = rs->getInt64("n");
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }
  DbConfig config_;
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, AnErrorFromTheBodyRollsBackEverything) {
  const int64_t before = Counter();
  absl::Status s = db_->Transact([](Tx& tx) {
    tx.Execute("UPDATE counters SET n = n + 1 WHERE id = 1");
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Counter(), before);
}

TEST_F(DatabaseTest, SqlErrorsBecomeStatusesNotExceptions) {
  absl::Status s = db_->Transact([](Tx& tx) {
    tx.Execute("INSERT INTO counters VALUES (1, 0)");  // duplicate key
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  s = db_->Read([](Tx& tx) {
    tx.Query("SELECT no_such_column FROM counters");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
}

TEST_F(DatabaseTest, PoolWaitIsBoundedAndEndsUnavailable) {
  DbConfig small = config_;
  small.pool_size = 1;
  small.acquire_timeout = absl::Milliseconds(300);
  auto db = Database::Open(small);
  ASSERT_TRUE(db.ok());
  absl::Notification holding, release;
  std::thread holder([&] {
    (void)(*db)->Read([&](Tx&) {
      holding.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    });
  });
  holding.WaitForNotification();
  absl::Status s = (*db)->Read([](Tx&) { return absl::OkStatus(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(s), "DATABASE_POOL_EXHAUSTED");
  release.Notify();
  holder.join();
  EXPECT_TRUE((*db)->Read([](Tx&) { return absl::OkStatus(); }).ok());  // the connection is back
}

TEST_F(DatabaseTest, LockWaitTimeoutsAreRetriedThenAborted) {
  absl::Notification locked, done;
  std::thread holder([&] {
    (void)db_->Transact([&](Tx& tx) {
      tx.Execute("UPDATE counters SET n = n + 1 WHERE id = 1");
      locked.Notify();
      done.WaitForNotification();  // keeps the row lock
      return absl::OkStatus();
    });
  });
  locked.WaitForNotification();
  int attempts = 0;
  absl::Status s = db_->Transact([&](Tx& tx) {
    ++attempts;
    tx.Execute("SET SESSION innodb_lock_wait_timeout = 1");
    tx.Execute("UPDATE counters SET n = n + 100 WHERE id = 1");
    return absl::OkStatus();
  });
  done.Notify();
  holder.join();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(attempts, config_.max_retries + 1);
  // Only the holder's +1 landed; none of the aborted attempts' +100.
  EXPECT_LT(Counter(), 100);
}

TEST_F(DatabaseTest, RacingReplicasApplyEachMigrationOnce) {
  DbConfig fresh = TestDbConfig("test_common_migrations");
  static const std::vector<Migration> kMigrations = {
      {1, "0001_things", "CREATE TABLE things (id INT PRIMARY KEY);\n"},
      {2, "0002_more",
       "ALTER TABLE things ADD COLUMN name VARCHAR(10) NULL;\n"
       "INSERT INTO things (id, name) VALUES (1, 'one');\n"},
  };
  constexpr int kReplicas = 4;
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&, i] {
      auto db = Database::Open(fresh);
      results[i] = db.ok() ? ApplyMigrations(**db, "test", kMigrations) : db.status();
    });
  }
  for (auto& t : replicas) t.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r;
  auto db = Database::Open(fresh);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(CountRows(**db, "things"), 1);
  int64_t applied = -1;  // the runtime's own migrations are counted apart: they grow
  ASSERT_TRUE((*db)
                  ->Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT COUNT(*) AS n FROM schema_migrations WHERE component = ?", "test");
                    if (rs->next()) applied = rs->getInt64("n");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(applied, 2);  // test/1 + test/2, each once

  // A failing migration reports its error and leaves the lock free for the next attempt.
  std::vector<Migration> broken = kMigrations;
  broken.push_back({3, "0003_broken", "ALTER TABLE no_such_table ADD COLUMN x INT;\n"});
  EXPECT_EQ(ApplyMigrations(**db, "test", broken).code(), absl::StatusCode::kInternal);
  auto other_replica = Database::Open(fresh);  // another session: would wait on a leaked lock
  ASSERT_TRUE(other_replica.ok());
  EXPECT_TRUE(ApplyMigrations(**other_replica, "test", kMigrations).ok());

  // An applied migration whose text changed stops start-up.
  std::vector<Migration> edited = kMigrations;
  edited[0].sql = "CREATE TABLE things (id BIGINT PRIMARY KEY);\n";
  EXPECT_EQ(ApplyMigrations(**db, "test", edited).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(DatabaseTest, RememberedRequestIdsReplayUntilPurged) {
  ASSERT_TRUE(ApplyMigrations(*db_, "test_idempotency", {}).ok());
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  Principal caller;
  caller.id = "01PRINCIPAL000000000000000";
  membership::v1::CreatePartnerRequest request;
  request.set_request_id("purge-test");
  request.mutable_partner()->set_name("x");
  auto key = MakeIdempotencyKey(caller, "CreatePartner", request);
  ASSERT_TRUE(key.ok());
  int effects = 0;
  auto run = [&] {
    membership::v1::Partner reply;
    return RunIdempotent(*db_, clock, *key, &reply, [&](Tx& tx) {
      ++effects;
      tx.Execute("UPDATE counters SET n = n + 1 WHERE id = 1");
      reply.set_name("done");
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(run().ok());
  ASSERT_TRUE(run().ok());
  EXPECT_EQ(effects, 1);
  // Younger than the cutoff: kept. Older: forgotten, so the same request_id runs again.
  EXPECT_EQ(*PurgeIdempotencyKeys(*db_, clock.Now() - absl::Hours(1), 100), 0);
  EXPECT_GE(*PurgeIdempotencyKeys(*db_, clock.Now() + absl::Hours(1), 100), 1);
  ASSERT_TRUE(run().ok());
  EXPECT_EQ(effects, 2);
}

}  // namespace
}  // namespace cooplink::testing
