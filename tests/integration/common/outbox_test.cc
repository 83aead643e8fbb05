// The outbox and its relay against the real MariaDB: at-least-once delivery in order per key with
// retries, a relay that dies between delivery and its record delivers again, a new relay loses
// nothing, lag, purge after the retention, one relay per topic, the transactional sink, a round
// whose mark finds its message already recorded fails, and two transactional relays (two pools, a
// lease that expires at once, snapshots taken before the lease lock as on TiDB) record each message
// once, in order per key. Each test uses a topic of its own; rounds are run directly (RunOnce)
// with a fake clock, except where two relays run on their threads.
#include "services/common/outbox.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "services/common/migrations.h"
#include "services/common/outbox_relay.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

struct Received {
  std::string relay;
  int64_t id;
  std::string key;
  std::string payload;
};

// What the receiving side saw, shared by the sinks of several relays.
class Receiver {
 public:
  void Add(Received r) {
    absl::MutexLock lock(&mu_);
    got_.push_back(std::move(r));
  }
  std::vector<Received> got() {
    absl::MutexLock lock(&mu_);
    return got_;
  }
  std::vector<std::string> payloads() {
    std::vector<std::string> out;
    for (const Received& r : got()) out.push_back(r.payload);
    return out;
  }
  // Waits (up to 10 s) for `n` deliveries.
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return got_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
  }

 private:
  absl::Mutex mu_;
  std::vector<Received> got_ ABSL_GUARDED_BY(mu_);
};

class RecordingSink final : public RemoteSink {
 public:
  // `fail(message)` true: the delivery fails (nothing received).
  RecordingSink(Receiver* receiver, std::string relay,
                std::function<bool(const OutboxMessage&)> fail = nullptr)
      : receiver_(receiver), relay_(std::move(relay)), fail_(std::move(fail)) {}
  absl::Status Deliver(const OutboxMessage& m) override {
    if (fail_ && fail_(m)) return absl::UnavailableError("receiver down");
    receiver_->Add({relay_, m.id, m.key, m.payload});
    return absl::OkStatus();
  }

 private:
  Receiver* receiver_;
  std::string relay_;
  std::function<bool(const OutboxMessage&)> fail_;
};

class OutboxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto db = Database::Open(TestDbConfig("test_common_outbox"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = db->release();
    ASSERT_TRUE(ApplyMigrations(*db_, "outbox_test", {}).ok());
    ASSERT_TRUE(db_->ExecuteScript("CREATE TABLE feed (position BIGINT NOT NULL PRIMARY KEY, "
                                   "message_id BIGINT NOT NULL) ENGINE=InnoDB;")
                    .ok());
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  // Appends (key, payload) pairs in one transaction; returns their ids in order.
  std::vector<int64_t> Append(const std::string& topic,
                              const std::vector<std::pair<std::string, std::string>>& messages) {
    EXPECT_TRUE(db_->Transact([&](Tx& tx) {
                     for (const auto& [key, payload] : messages) {
                       Outbox::Append(tx, topic, key, payload, clock_.Now());
                     }
                     return absl::OkStatus();
                   })
                    .ok());
    std::vector<int64_t> ids;
    EXPECT_TRUE(db_->Read([&](Tx& tx) {
                     auto rs = tx.Query("SELECT id FROM outbox WHERE topic = ? ORDER BY id", topic);
                     while (rs->next()) ids.push_back(rs->getInt64("id"));
                     return absl::OkStatus();
                   })
                    .ok());
    return ids;
  }
  std::unique_ptr<OutboxRelay> Relay(const std::string& topic, std::unique_ptr<RemoteSink> sink,
                                     RelayOptions options = {}) {
    return std::make_unique<OutboxRelay>(db_, &clock_, topic, std::move(sink), std::move(options));
  }

  static Database* db_;
  FakeClock clock_{absl::FromUnixSeconds(1'780'000'000)};
};

Database* OutboxTest::db_ = nullptr;

TEST_F(OutboxTest, DeliversAtLeastOnceInOrderPerKeyAndRetriesFailuresWithBackoff) {
  const std::string topic = "t.order";
  const std::string binary(
      "b\0\xff"
      "1",
      4);  // payloads are bytes
  auto ids = Append(topic, {{"A", "a1"}, {"B", binary}, {"A", "a2"}, {"B", "b2"}, {"A", "a3"}});
  Receiver receiver;
  int a2_failures = 0;
  RelayOptions options;
  options.initial_backoff = absl::Seconds(1);
  auto relay = Relay(
      topic,
      std::make_unique<RecordingSink>(
          &receiver, "r", [&](const auto& m) { return m.payload == "a2" && a2_failures++ == 0; }),
      options);

  // a2 fails once: a3 (same key) waits for it, key B goes on.
  ASSERT_EQ(*relay->RunOnce(), 3);
  EXPECT_EQ(receiver.payloads(), (std::vector<std::string>{"a1", binary, "b2"}));
  auto lag = relay->Lag();
  ASSERT_TRUE(lag.ok());
  EXPECT_EQ(lag->pending, 2);
  EXPECT_EQ(lag->delivered, 3);
  EXPECT_EQ(lag->failed, 1);
  // Within the backoff nothing is retried.
  EXPECT_EQ(*relay->RunOnce(), 0);
  clock_.Advance(absl::Seconds(1));
  ASSERT_EQ(*relay->RunOnce(), 2);
  EXPECT_EQ(receiver.payloads(), (std::vector<std::string>{"a1", binary, "b2", "a2", "a3"}));
  EXPECT_EQ(relay->Lag()->pending, 0);
  // Each message carries its id and key.
  std::map<std::string, int64_t> id_of;
  for (const Received& r : receiver.got()) id_of[r.payload] = r.id;
  EXPECT_EQ(id_of["a1"], ids[0]);
  EXPECT_EQ(id_of["a3"], ids[4]);
  EXPECT_EQ(receiver.got()[1].key, "B");
}

TEST_F(OutboxTest, ARelayKilledBetweenDeliveryAndRecordDeliversAgainAfterItsLeaseExpires) {
  const std::string topic = "t.crash";
  auto ids = Append(topic, {{"K", "first"}, {"K", "second"}});
  Receiver receiver;
  RelayOptions dying;
  dying.crash_after_deliver_for_test = [](const OutboxMessage&) { return true; };
  auto killed = Relay(topic, std::make_unique<RecordingSink>(&receiver, "killed"), dying);
  EXPECT_FALSE(killed->RunOnce().ok());
  ASSERT_EQ(receiver.got().size(), 1u);

  // The restarted relay waits for the dead one's lease, then delivers the first message again.
  auto restarted = Relay(topic, std::make_unique<RecordingSink>(&receiver, "restarted"));
  EXPECT_EQ(*restarted->RunOnce(), 0);
  clock_.Advance(RelayOptions().lease + absl::Seconds(1));
  EXPECT_EQ(*restarted->RunOnce(), 2);
  auto got = receiver.got();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].relay, "restarted");
  EXPECT_EQ(got[1].id, got[0].id);  // the same message: the receiver dedupes by id and key
  EXPECT_EQ(got[1].key, got[0].key);
  EXPECT_EQ(got[1].payload, "first");
  EXPECT_EQ(got[2].id, ids[1]);
}

TEST_F(OutboxTest, ANewRelayOnTheSameDatabaseLosesNothing) {
  const std::string topic = "t.restart";
  Append(topic, {{"1", "m1"}, {"2", "m2"}, {"3", "m3"}, {"1", "m4"}, {"2", "m5"}});
  Receiver receiver;
  RelayOptions small;
  small.batch_size = 2;
  {
    auto first = Relay(topic, std::make_unique<RecordingSink>(&receiver, "first"), small);
    EXPECT_EQ(*first->RunOnce(), 2);
  }  // stopped: the lease is given up
  auto second = Relay(topic, std::make_unique<RecordingSink>(&receiver, "second"));
  EXPECT_EQ(*second->RunOnce(), 3);
  EXPECT_EQ(receiver.payloads(), (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"}));
}

TEST_F(OutboxTest, ReportsLagAndPurgesDeliveredRowsAfterTheRetention) {
  const std::string topic = "t.lag";
  Append(topic, {{"k", "x"}, {"k", "y"}, {"j", "z"}});
  clock_.Advance(absl::Minutes(3));
  Receiver receiver;
  RelayOptions options;
  options.retention = absl::Hours(1);
  auto relay = Relay(topic, std::make_unique<RecordingSink>(&receiver, "r"), options);
  auto lag = relay->Lag();
  ASSERT_TRUE(lag.ok());
  EXPECT_EQ(lag->pending, 3);
  EXPECT_EQ(lag->oldest_pending_age, absl::Minutes(3));
  EXPECT_EQ(*relay->RunOnce(), 3);
  lag = relay->Lag();
  EXPECT_EQ(lag->pending, 0);
  EXPECT_EQ(lag->oldest_pending_age, absl::ZeroDuration());
  EXPECT_EQ(lag->delivered, 3);

  auto rows = [&] { return CountRows(*db_, "outbox WHERE topic = 't.lag'"); };
  EXPECT_EQ(*relay->Purge(), 0);  // delivered just now: kept
  EXPECT_EQ(rows(), 3);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(*relay->Purge(), 3);
  EXPECT_EQ(rows(), 0);
}

TEST_F(OutboxTest, TwoRelaysOnOneTopicDoNotBothDeliver) {
  const std::string topic = "t.pair";
  Receiver receiver;
  RelayOptions fast;
  fast.poll_interval = absl::Milliseconds(2);
  auto a = Relay(topic, std::make_unique<RecordingSink>(&receiver, "a"), fast);
  auto b = Relay(topic, std::make_unique<RecordingSink>(&receiver, "b"), fast);
  a->Start();
  b->Start();
  std::vector<std::pair<std::string, std::string>> messages;
  for (int i = 0; i < 30; ++i) messages.push_back({std::to_string(i % 4), std::to_string(i)});
  for (size_t i = 0; i < messages.size(); i += 3) {
    Append(topic, {messages[i], messages[i + 1], messages[i + 2]});
  }
  ASSERT_TRUE(receiver.WaitFor(messages.size()));
  a->Stop();
  b->Stop();
  std::set<int64_t> ids;
  std::set<std::string> relays;
  for (const Received& r : receiver.got()) {
    EXPECT_TRUE(ids.insert(r.id).second) << "delivered twice: " << r.payload;
    relays.insert(r.relay);
  }
  EXPECT_EQ(ids.size(), messages.size());
  EXPECT_EQ(relays.size(), 1u);  // the lease holder did all the work
}

// Appends each batch to `feed` with consecutive positions; fails while `failing` is set.
class FeedSink final : public TransactionalSink {
 public:
  explicit FeedSink(bool* failing) : failing_(failing) {}
  absl::Status Deliver(Tx& tx, const std::vector<OutboxMessage>& batch) override {
    auto rs = tx.Query("SELECT COALESCE(MAX(position), 0) AS head FROM feed FOR UPDATE");
    rs->next();
    int64_t position = rs->getInt64("head");
    for (const OutboxMessage& m : batch) {
      tx.Execute("INSERT INTO feed (position, message_id) VALUES (?, ?)", ++position, m.id);
    }
    if (*failing_) return absl::InternalError("feed full");  // rolls the inserts back too
    return absl::OkStatus();
  }

 private:
  bool* failing_;
};

TEST_F(OutboxTest, TransactionalSinkRecordsDeliveryInTheSameTransactionExactlyOnce) {
  const std::string topic = "t.feed";
  auto ids = Append(topic, {{"p", "1"}, {"q", "2"}, {"p", "3"}});
  bool failing = true;
  auto relay =
      std::make_unique<OutboxRelay>(db_, &clock_, topic, std::make_unique<FeedSink>(&failing));
  EXPECT_FALSE(relay->RunOnce().ok());
  EXPECT_EQ(CountRows(*db_, "feed"), 0);
  EXPECT_EQ(relay->Lag()->pending, 3);
  EXPECT_EQ(relay->Lag()->failed, 1);
  failing = false;
  EXPECT_EQ(*relay->RunOnce(), 3);
  EXPECT_EQ(*relay->RunOnce(), 0);  // recorded with the feed rows: nothing twice
  std::vector<int64_t> fed;
  ASSERT_TRUE(db_->Read([&](Tx& tx) {
                   auto rs = tx.Query("SELECT message_id FROM feed ORDER BY position");
                   while (rs->next()) fed.push_back(rs->getInt64("message_id"));
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(fed, ids);
}

// Delivers, then records the message as delivered on a connection of its own before the relay does:
// what a second relay would do after taking over an expired lease mid-delivery.
class RecordedElsewhereSink final : public RemoteSink {
 public:
  explicit RecordedElsewhereSink(Database* db) : db_(db) {}
  absl::Status Deliver(const OutboxMessage& m) override {
    return db_->Read([&](Tx& tx) {
      tx.Execute("UPDATE outbox SET delivered_time_us = 1 WHERE id = ?", m.id);
      return absl::OkStatus();
    });
  }

 private:
  Database* db_;
};

TEST_F(OutboxTest, ARoundFailsWhenItsMarkFindsTheMessageAlreadyRecorded) {
  const std::string topic = "t.recorded";
  auto ids = Append(topic, {{"k", "only"}});
  auto relay = Relay(topic, std::make_unique<RecordedElsewhereSink>(db_));
  absl::StatusOr<int> round = relay->RunOnce();
  EXPECT_EQ(round.status().code(), absl::StatusCode::kAborted);
  auto lag = relay->Lag();
  ASSERT_TRUE(lag.ok());
  EXPECT_EQ(lag->delivered, 0);  // not counted (nor recorded) a second time
  EXPECT_EQ(lag->failed, 1);
  EXPECT_EQ(CountRows(*db_, "outbox WHERE id = " + std::to_string(ids[0]) +
                                " AND delivered_time_us = 1 AND attempts = 0"),
            1);  // the other relay's record stands
}

TEST_F(OutboxTest, TwoTransactionalRelaysWithSnapshotsOlderThanTheirLockRecordEachMessageOnce) {
  const std::string topic = "t.replicas";
  const DbConfig config = db_->config();
  auto other = Database::Open(config);  // a second replica's pool
  ASSERT_TRUE(other.ok()) << other.status();
  bool failing = false;
  const SystemClock clock;
  RelayOptions options;
  options.batch_size = 5;
  options.poll_interval = absl::Milliseconds(1);
  options.initial_backoff = absl::Milliseconds(1);
  options.lease = absl::Microseconds(1);      // expires at once: the relays keep taking it over
  options.snapshot_at_begin_for_test = true;  // TiDB: each round's snapshot predates its lock
  OutboxRelay a(db_, &clock, topic, std::make_unique<FeedSink>(&failing), options);
  OutboxRelay b(other->get(), &clock, topic, std::make_unique<FeedSink>(&failing), options);
  ASSERT_TRUE(db_->ExecuteScript("DELETE FROM feed;").ok());
  a.Start();
  b.Start();
  constexpr int kWriters = 6;
  constexpr int kPerWriter = 20;
  RunConcurrently(kWriters, [&](int w) {
    for (int i = 0; i < kPerWriter; ++i) {
      EXPECT_TRUE(db_->Transact([&](Tx& tx) {
                       Outbox::Append(tx, topic, std::to_string(w), std::to_string(i),
                                      clock_.Now());
                       return absl::OkStatus();
                     })
                      .ok());
    }
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (CountRows(*db_, "feed") < kWriters * kPerWriter && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  a.Stop();
  b.Stop();
  EXPECT_EQ(CountRows(*db_, "feed"), kWriters * kPerWriter);
  EXPECT_EQ(CountRows(*db_, "(SELECT DISTINCT message_id FROM feed) AS m"), kWriters * kPerWriter);
  EXPECT_EQ(
      CountRows(*db_, "feed WHERE position BETWEEN 1 AND " + std::to_string(kWriters * kPerWriter)),
      kWriters * kPerWriter);
  EXPECT_EQ(CountRows(*db_, "outbox WHERE topic = 't.replicas' AND delivered_time_us IS NULL"), 0);
  // Each key's messages in the order they were appended (one writer per key).
  ASSERT_TRUE(db_->Read([&](Tx& tx) {
                   auto rs = tx.Query(
                       "SELECT f.position, o.msg_key, o.payload FROM feed f "
                       "JOIN outbox o ON o.id = f.message_id ORDER BY f.position");
                   std::map<std::string, int> next;
                   while (rs->next()) {
                     const std::string key = rs->getString("msg_key");
                     EXPECT_EQ(rs->getString("payload"), std::to_string(next[key]++))
                         << "key " << key;
                   }
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(a.Lag()->delivered + b.Lag()->delivered, kWriters * kPerWriter);
}

}  // namespace
}  // namespace cooplink::testing
