// Catalog's change feed with several replicas, at the database level against the real MariaDB:
// two outbox relays (two Database objects, as two replicas) run ChangeSequencer on the
// catalog.changes topic at once while writers append changes; catalog_changes then holds every
// outbox message exactly once with sequences 1..N, each product's changes in commit order, and the
// partner listings projected from them end at each product's last change.
// The relays' lease expires at once (they keep taking it over) and each round's snapshot is taken
// before its lease lock, as on TiDB, so the test exercises what the locking reads guard against.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/common/ids.h"
#include "services/common/migrations.h"
#include "services/common/outbox.h"
#include "services/common/outbox_relay.h"
#include "tests/support/test_env.h"

namespace cooplink::catalog {
const std::vector<Migration>& Migrations();  // generated from migrations/*.sql
}  // namespace cooplink::catalog

namespace cooplink::testing {
namespace {

namespace cv1 = ::cooplink::catalog::v1;

constexpr int kProducts = 6;
constexpr int kWriters = 8;
constexpr int kTransactionsPerWriter = 40;
constexpr int kChangesPerTransaction = 2;
constexpr int kTotal = kWriters * kTransactionsPerWriter * kChangesPerTransaction;

// A change's place in its product's history: the product row's version after the writing
// transaction, and the change's index within that transaction. Carried in offer_id (CHAR(26)).
std::string Place(int64_t version, int index) {
  return absl::StrFormat("v%08d-%d", version, index);
}

class ChangeSequencerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const DbConfig config = TestDbConfig("test_catalog_change_sequencer");
    auto a = Database::Open(config);
    ASSERT_TRUE(a.ok()) << a.status();
    db_a_ = a->release();
    ASSERT_TRUE(ApplyMigrations(*db_a_, "catalog", catalog::Migrations()).ok());
    // Writers of a product serialise on its row, as catalog's writers do on the products row.
    ASSERT_TRUE(db_a_
                    ->ExecuteScript("CREATE TABLE test_product_versions (id CHAR(26) NOT NULL "
                                    "PRIMARY KEY, version BIGINT NOT NULL) ENGINE=InnoDB;")
                    .ok());
    auto b = Database::Open(config);
    ASSERT_TRUE(b.ok()) << b.status();
    db_b_ = b->release();
  }
  static void TearDownTestSuite() {
    delete db_a_;
    delete db_b_;
  }

  static Database* db_a_;
  static Database* db_b_;
};

Database* ChangeSequencerTest::db_a_ = nullptr;
Database* ChangeSequencerTest::db_b_ = nullptr;

TEST_F(ChangeSequencerTest, TwoRelaysGiveEveryChangeOneSequenceInCommitOrderPerProduct) {
  std::vector<std::string> products;
  for (int p = 0; p < kProducts; ++p) products.push_back(NewId(absl::Now()));
  ASSERT_TRUE(db_a_
                  ->Transact([&](Tx& tx) {
                    for (const std::string& id : products) {
                      tx.Execute("INSERT INTO test_product_versions (id, version) VALUES (?, 0)",
                                 id);
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  const std::string cooperative = NewId(absl::Now());
  const std::string household = NewId(absl::Now());
  const std::string partner = NewId(absl::Now());

  const SystemClock clock;
  RelayOptions options;
  options.batch_size = 7;  // many rounds
  options.poll_interval = absl::Milliseconds(1);
  options.initial_backoff = absl::Milliseconds(1);
  options.lease = absl::Microseconds(1);      // expires at once: the relays keep taking it over
  options.snapshot_at_begin_for_test = true;  // TiDB: each round's snapshot predates its lock
  OutboxRelay a(db_a_, &clock, catalog::kChangeTopic, std::make_unique<catalog::ChangeSequencer>(),
                options);
  OutboxRelay b(db_b_, &clock, catalog::kChangeTopic, std::make_unique<catalog::ChangeSequencer>(),
                options);
  a.Start();
  b.Start();
  RunConcurrently(kWriters, [&](int w) {
    Database& db = w % 2 == 0 ? *db_a_ : *db_b_;
    for (int i = 0; i < kTransactionsPerWriter; ++i) {
      const std::string& product = products[(w + i) % kProducts];
      EXPECT_TRUE(db.Transact([&](Tx& tx) {
                      tx.Execute(
                          "UPDATE test_product_versions SET version = version + 1 "
                          "WHERE id = ?",
                          product);
                      auto rs = tx.Query("SELECT version FROM test_product_versions WHERE id = ?",
                                         product);
                      rs->next();
                      const int64_t version = rs->getInt64("version");
                      for (int c = 0; c < kChangesPerTransaction; ++c) {
                        // A snapshot as AppendChanges writes it: an offer to `partner`.
                        cv1::CatalogChange change;
                        change.set_kind(cv1::CATALOG_CHANGE_KIND_OFFER_CHANGED);
                        cv1::Product* p = change.mutable_product();
                        p->set_id(product);
                        p->set_cooperative_id(cooperative);
                        p->set_household_id(household);
                        p->set_state(cv1::PRODUCT_STATE_ACTIVE);
                        p->mutable_price()->set_fen(100);
                        change.mutable_offer()->set_id(Place(version, c));
                        change.mutable_offer()->set_partner_id(partner);
                        change.mutable_offer()->set_state(cv1::OFFER_STATE_ACTIVE);
                        Outbox::Append(tx, catalog::kChangeTopic, product,
                                       catalog::EncodeChange(change), absl::Now());
                      }
                      return absl::OkStatus();
                    }).ok());
    }
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (CountRows(*db_a_, "catalog_changes") < kTotal && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  a.Stop();
  b.Stop();

  std::vector<int64_t> sequences;
  std::map<std::string, std::vector<std::string>> history;  // product -> places, by sequence
  std::set<std::pair<std::string, std::string>> seen;
  ASSERT_TRUE(db_a_
                  ->Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT sequence, product_id, offer_id FROM catalog_changes "
                        "ORDER BY sequence");
                    while (rs->next()) {
                      sequences.push_back(rs->getInt64("sequence"));
                      const std::string product = rs->getString("product_id");
                      const std::string place = rs->getString("offer_id");
                      EXPECT_TRUE(seen.insert({product, place}).second)
                          << "sequenced twice: " << product << " " << place;
                      history[product].push_back(place);
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  std::vector<int64_t> one_to_n;
  for (int64_t s = 1; s <= kTotal; ++s) one_to_n.push_back(s);
  EXPECT_EQ(sequences, one_to_n);  // no duplicate, no gap
  // Each product's history is complete and in commit order: versions 1, 2, ... and within a
  // transaction its changes in append order.
  int64_t transactions = 0;
  for (const std::string& product : products) {
    const std::vector<std::string>& places = history[product];
    std::vector<std::string> expected;
    for (int64_t v = 1; v <= static_cast<int64_t>(places.size()) / kChangesPerTransaction; ++v) {
      for (int c = 0; c < kChangesPerTransaction; ++c) expected.push_back(Place(v, c));
    }
    EXPECT_EQ(places, expected) << "product " << product;
    transactions += static_cast<int64_t>(places.size()) / kChangesPerTransaction;
  }
  EXPECT_EQ(transactions, kWriters * kTransactionsPerWriter);
  // The projection kept up: the partner's listing of each product is its last offer, at the
  // sequence of that product's last change.
  for (const std::string& product : products) {
    ASSERT_TRUE(db_a_
                    ->Read([&](Tx& tx) {
                      auto rs = tx.Query(
                          "SELECT l.offer_id, l.version, "
                          "(SELECT MAX(sequence) FROM catalog_changes c WHERE c.product_id = "
                          "l.product_id) AS last FROM partner_listings l "
                          "WHERE l.partner_id = ? AND l.product_id = ?",
                          partner, product);
                      EXPECT_TRUE(rs->next()) << "no listing for " << product;
                      if (rs->getRow() == 0) return absl::OkStatus();
                      EXPECT_EQ(rs->getString("offer_id"), history[product].back());
                      EXPECT_EQ(rs->getInt64("version"), rs->getInt64("last"));
                      return absl::OkStatus();
                    })
                    .ok());
  }
  EXPECT_EQ(CountRows(*db_a_, "partner_listing_changes"), kTotal);  // each change moved one
  EXPECT_EQ(CountRows(*db_a_, "feed_head WHERE last_sequence = " + std::to_string(kTotal)), 1);
  EXPECT_EQ(CountRows(*db_a_, "outbox WHERE delivered_time_us IS NULL"), 0);
  EXPECT_EQ(a.Lag()->delivered + b.Lag()->delivered, kTotal);  // each message recorded once
  std::cout << "relay a delivered " << a.Lag()->delivered << ", relay b " << b.Lag()->delivered
            << "; failed rounds " << a.Lag()->failed + b.Lag()->failed << "\n";
}

}  // namespace
}  // namespace cooplink::testing
