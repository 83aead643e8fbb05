// The revocation feed at the database level (revocation_log.h), against the real MariaDB: two
// revocations committed in the inverted order of their INSERTs are both in the feed after the
// poller's cursor; two relays (two Database objects, as two replicas) sequencing while writers
// revoke give every revocation exactly one sequence, 1..N without a gap; the rows of the old
// AUTO_INCREMENT table keep their sequences through migration 2; revocations of expired tokens
// are purged while the numbering goes on after them.
#include "services/membership/revocation_log.h"

#include <gtest/gtest.h>

#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "services/common/crypto.h"
#include "services/common/ids.h"
#include "services/common/migrations.h"
#include "services/common/outbox_relay.h"
#include "services/membership/membership.h"
#include "tests/support/test_env.h"

namespace cooplink::membership {
const std::vector<Migration>& Migrations();  // generated from migrations/*.sql
}  // namespace cooplink::membership

namespace cooplink::testing {
namespace {

using membership::AppendRevocation;
using membership::kRevocationTopic;
using membership::LoadRevocationFeed;
using membership::RevocationSequencer;

// Every row of the feed, in sequence order.
std::vector<RevocationList::Entry> Feed(Database& db) {
  std::vector<RevocationList::Entry> feed;
  EXPECT_TRUE(db.Read([&](Tx& tx) {
                  feed = LoadRevocationFeed(tx, 0, absl::FromUnixSeconds(0), 1'000'000);
                  return absl::OkStatus();
                }).ok());
  return feed;
}

int64_t FeedHead(Database& db) {
  int64_t head = -1;
  EXPECT_TRUE(db.Read([&](Tx& tx) {
                  auto rs = tx.Query("SELECT last_sequence FROM revocation_feed_head WHERE id = 1");
                  if (rs->next()) head = rs->getInt64("last_sequence");
                  return absl::OkStatus();
                }).ok());
  return head;
}

class RevocationFeedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const DbConfig config = TestDbConfig("test_membership_revocation_feed");
    auto a = Database::Open(config);
    ASSERT_TRUE(a.ok()) << a.status();
    db_a_ = a->release();
    ASSERT_TRUE(ApplyMigrations(*db_a_, "membership", membership::Migrations()).ok());
    auto b = Database::Open(config);  // a second replica's pool
    ASSERT_TRUE(b.ok()) << b.status();
    db_b_ = b->release();
  }
  static void TearDownTestSuite() {
    delete db_a_;
    delete db_b_;
  }
  void SetUp() override {
    // Each test starts from an empty feed (the head back at 0) and an empty outbox.
    ASSERT_TRUE(db_a_
                    ->ExecuteScript("DELETE FROM revocation_feed;\n"
                                    "UPDATE revocation_feed_head SET last_sequence = 0;\n"
                                    "DELETE FROM outbox;\nDELETE FROM outbox_leases;\n")
                    .ok());
  }

  absl::Time expiry() const { return clock_.Now() + absl::Hours(1); }
  // Appends one revocation and commits; returns its outbox id.
  int64_t Revoke(Database& db, const std::string& token_id) {
    int64_t id = 0;
    EXPECT_TRUE(db.Transact([&](Tx& tx) {
                    AppendRevocation(tx, token_id, expiry(), clock_.Now());
                    id = LastInsertId(tx);
                    return absl::OkStatus();
                  }).ok());
    return id;
  }
  static int64_t LastInsertId(Tx& tx) {
    auto rs = tx.Query("SELECT LAST_INSERT_ID() AS id");
    rs->next();
    return rs->getInt64("id");
  }
  std::unique_ptr<OutboxRelay> Relay(Database* db, RelayOptions options = {}) {
    return std::make_unique<OutboxRelay>(db, &clock_, kRevocationTopic,
                                         std::make_unique<RevocationSequencer>(), options);
  }

  static Database* db_a_;
  static Database* db_b_;
  FakeClock clock_{absl::FromUnixSeconds(1'780'000'000)};
};

Database* RevocationFeedTest::db_a_ = nullptr;
Database* RevocationFeedTest::db_b_ = nullptr;

TEST_F(RevocationFeedTest, RevocationsCommittedInInvertedOrderAreBothAfterThePollersCursor) {
  const std::string first = NewId(absl::Now());   // inserted first, committed last
  const std::string second = NewId(absl::Now());  // inserted second, committed first
  absl::Notification first_appended, commit_first;
  int64_t first_id = 0;
  std::thread tx1([&] {
    EXPECT_TRUE(db_a_
                    ->Transact([&](Tx& tx) {
                      AppendRevocation(tx, first, expiry(), clock_.Now());
                      first_id = LastInsertId(tx);
                      first_appended.Notify();
                      commit_first.WaitForNotification();
                      return absl::OkStatus();
                    })
                    .ok());
  });
  first_appended.WaitForNotification();
  const int64_t second_id = Revoke(*db_b_, second);  // another connection, commits at once
  EXPECT_LT(first_id, second_id);                    // the insert order is the inverse

  // Membership's own list has the committed revocation at once, before any relay ran.
  auto cipher = PiiCipher::Create(std::string(32, 'p'));
  auto codec = TokenCodec::Create(std::string(32, 'k'));
  ASSERT_TRUE(cipher.ok() && codec.ok());
  membership::Membership domain(db_b_, *std::move(cipher), &*codec, &clock_);
  auto own = domain.RevocationsAfter(0);
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ(own->front().token_id, second);
  EXPECT_EQ(own->front().sequence, 0);  // not sequenced yet: does not move the list's cursor

  // A relay round runs while the first transaction is open (it may wait for that transaction's
  // row: a locking read), and the poller reads the feed meanwhile.
  auto relay = Relay(db_a_);
  std::thread round([&] { EXPECT_TRUE(relay->RunOnce().ok()); });
  std::vector<RevocationList::Entry> seen = Feed(*db_b_);
  const int64_t cursor = seen.empty() ? 0 : seen.back().sequence;

  commit_first.Notify();
  tx1.join();
  round.join();
  for (absl::StatusOr<int> n = relay->RunOnce(); n.ok() && *n > 0; n = relay->RunOnce()) {
  }
  std::vector<RevocationList::Entry> next;
  ASSERT_TRUE(db_b_
                  ->Read([&](Tx& tx) {
                    next = LoadRevocationFeed(tx, cursor, clock_.Now(), 100);
                    return absl::OkStatus();
                  })
                  .ok());
  seen.insert(seen.end(), next.begin(), next.end());
  std::set<std::string> tokens;
  std::vector<int64_t> sequences;
  for (const auto& e : seen) {
    tokens.insert(e.token_id);
    sequences.push_back(e.sequence);
  }
  EXPECT_EQ(tokens, (std::set<std::string>{first, second}));
  EXPECT_EQ(sequences, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(FeedHead(*db_b_), 2);
  EXPECT_EQ(domain.RevocationsAfter(2)->size(), 0u);  // both sequenced: nothing pending
}

TEST_F(RevocationFeedTest, TwoRelaysSequenceEveryRevocationOnceWithoutAGap) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 25;
  constexpr int kTotal = kWriters * kPerWriter;
  const SystemClock system_clock;
  RelayOptions options;
  options.batch_size = 7;  // many rounds
  options.poll_interval = absl::Milliseconds(1);
  options.initial_backoff = absl::Milliseconds(1);
  options.lease = absl::Microseconds(1);      // expires at once: the relays keep taking it over
  options.snapshot_at_begin_for_test = true;  // TiDB: each round's snapshot predates its lock
  OutboxRelay a(db_a_, &system_clock, kRevocationTopic, std::make_unique<RevocationSequencer>(),
                options);
  OutboxRelay b(db_b_, &system_clock, kRevocationTopic, std::make_unique<RevocationSequencer>(),
                options);
  a.Start();
  b.Start();
  std::vector<std::vector<std::string>> revoked(kWriters);
  RunConcurrently(kWriters, [&](int w) {
    for (int i = 0; i < kPerWriter; ++i) {
      revoked[w].push_back(NewId(absl::Now()));
      Revoke(w % 2 == 0 ? *db_a_ : *db_b_, revoked[w].back());
    }
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (CountRows(*db_a_, "revocation_feed") < kTotal && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  a.Stop();
  b.Stop();

  std::set<std::string> expected;
  for (const auto& tokens : revoked) expected.insert(tokens.begin(), tokens.end());
  ASSERT_EQ(expected.size(), static_cast<size_t>(kTotal));
  std::set<std::string> tokens;
  std::vector<int64_t> sequences;
  for (const auto& e : Feed(*db_a_)) {
    EXPECT_TRUE(tokens.insert(e.token_id).second) << "sequenced twice: " << e.token_id;
    sequences.push_back(e.sequence);
  }
  EXPECT_EQ(tokens, expected);
  std::vector<int64_t> one_to_n;
  for (int64_t s = 1; s <= kTotal; ++s) one_to_n.push_back(s);
  EXPECT_EQ(sequences, one_to_n);
  EXPECT_EQ(FeedHead(*db_a_), kTotal);
  EXPECT_EQ(CountRows(*db_a_, "outbox WHERE delivered_time_us IS NULL"), 0);
  EXPECT_EQ(a.Lag()->delivered + b.Lag()->delivered, kTotal);  // each message recorded once
  std::cout << "relay a delivered " << a.Lag()->delivered << ", relay b " << b.Lag()->delivered
            << "; failed rounds " << a.Lag()->failed + b.Lag()->failed << "\n";
}

TEST(RevocationFeedMigrationTest, RowsOfTheOldTableKeepTheirSequences) {
  auto db = Database::Open(TestDbConfig("test_membership_revocation_migration"));
  ASSERT_TRUE(db.ok()) << db.status();
  const std::vector<Migration>& all = membership::Migrations();
  ASSERT_GE(all.size(), 2u);
  ASSERT_TRUE(ApplyMigrations(**db, "membership", {all[0]}).ok());
  const std::string kept = NewId(absl::Now());
  const std::string later = NewId(absl::Now());
  ASSERT_TRUE((*db)
                  ->Transact([&](Tx& tx) {
                    const char* insert =
                        "INSERT INTO token_revocations (sequence, token_id, expire_time_us) "
                        "VALUES (?, ?, ?)";
                    tx.Execute(insert, int64_t{3}, kept, int64_t{4'000'000'000'000'000});
                    tx.Execute(insert, int64_t{7}, later, int64_t{4'000'000'000'000'000});
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(ApplyMigrations(**db, "membership", all).ok());

  std::vector<RevocationList::Entry> feed = Feed(**db);
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(feed[0].token_id, kept);
  EXPECT_EQ(feed[0].sequence, 3);
  EXPECT_EQ(feed[1].token_id, later);
  EXPECT_EQ(feed[1].sequence, 7);
  EXPECT_EQ(FeedHead(**db), 7);

  // The next revocation continues after the largest.
  FakeClock clock(absl::FromUnixSeconds(1'780'000'000));
  const std::string next = NewId(absl::Now());
  ASSERT_TRUE((*db)
                  ->Transact([&](Tx& tx) {
                    AppendRevocation(tx, next, clock.Now() + absl::Hours(1), clock.Now());
                    return absl::OkStatus();
                  })
                  .ok());
  OutboxRelay relay(db->get(), &clock, kRevocationTopic, std::make_unique<RevocationSequencer>());
  ASSERT_EQ(*relay.RunOnce(), 1);
  feed = Feed(**db);
  ASSERT_EQ(feed.size(), 3u);
  EXPECT_EQ(feed[2].token_id, next);
  EXPECT_EQ(feed[2].sequence, 8);
  EXPECT_EQ(CountRows(**db,
                      "information_schema.tables WHERE table_schema = DATABASE() AND "
                      "table_name = 'token_revocations'"),
            0);
}

TEST_F(RevocationFeedTest, ExpiredRevocationsArePurgedAndTheNumberingGoesOn) {
  // Two tokens expiring in an hour, one in three hours.
  const std::string soon_a = NewId(clock_.Now());
  const std::string soon_b = NewId(clock_.Now());
  const std::string later = NewId(clock_.Now());
  ASSERT_TRUE(db_a_
                  ->Transact([&](Tx& tx) {
                    AppendRevocation(tx, soon_a, clock_.Now() + absl::Hours(1), clock_.Now());
                    AppendRevocation(tx, later, clock_.Now() + absl::Hours(3), clock_.Now());
                    AppendRevocation(tx, soon_b, clock_.Now() + absl::Hours(1), clock_.Now());
                    return absl::OkStatus();
                  })
                  .ok());
  auto relay = Relay(db_a_);
  ASSERT_TRUE(relay->RunOnce().ok());
  ASSERT_EQ(Feed(*db_a_).size(), 3u);

  auto purge = [&](absl::Time cutoff, int limit) {
    int64_t deleted = -1;
    EXPECT_TRUE(db_a_
                    ->Transact([&](Tx& tx) {
                      deleted = membership::PurgeExpiredRevocations(tx, cutoff, limit);
                      return absl::OkStatus();
                    })
                    .ok());
    return deleted;
  };
  // Nothing has expired yet; at the expiry itself the entry stays (expired means before cutoff).
  EXPECT_EQ(purge(clock_.Now(), 10), 0);
  EXPECT_EQ(purge(clock_.Now() + absl::Hours(1), 10), 0);
  // Past the first two expiries: in batches of one, exactly those two go.
  const absl::Time after_soon = clock_.Now() + absl::Hours(2);
  EXPECT_EQ(purge(after_soon, 1), 1);
  EXPECT_EQ(purge(after_soon, 1), 1);
  EXPECT_EQ(purge(after_soon, 1), 0);
  std::vector<RevocationList::Entry> feed = Feed(*db_a_);
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(feed[0].token_id, later);
  EXPECT_EQ(feed[0].sequence, 2);
  // A later revocation is numbered after every sequence ever given.
  Revoke(*db_a_, NewId(clock_.Now()));
  ASSERT_TRUE(relay->RunOnce().ok());
  feed = Feed(*db_a_);
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(feed[1].sequence, 4);
  EXPECT_EQ(FeedHead(*db_a_), 4);
}

}  // namespace
}  // namespace cooplink::testing
