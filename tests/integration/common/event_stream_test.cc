// The shared event stream (RpcRunner::Stream) and its client (StreamConsumer) through real gRPC:
// a stand-in OrdersService serves WatchOrderEvents from an in-memory EventSource on port 0.
// Resume by cursor without gap or duplicate, expired and malformed cursors, heartbeats that carry
// the last examined position, shutdown with UNAVAILABLE, authentication and overload like unary
// calls, a consumer that resumes from its stored cursor (the consumer's real MariaDB), and two
// replicas of one consumer that apply each event once.
#include "services/common/event_stream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "cooplink/orders/v1/orders.grpc.pb.h"
#include "services/common/migrations.h"
#include "services/common/stream_consumer.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

namespace ov1 = ::cooplink::orders::v1;

constexpr char kService[] = "cooplink.orders.v1.OrdersService";
constexpr char kPartner[] = "01PARTNERAAAAAAAAAAAAAAAAA";

// Events 1..n in memory; event i belongs to partner kPartner when i is odd. Positions below
// `oldest` were "purged".
class FakeOrderEvents final : public EventSource<ov1::OrderEvent> {
 public:
  void Add(int n) {
    absl::MutexLock lock(&mu_);
    head_ += n;
  }
  void Purge(int64_t oldest) {
    absl::MutexLock lock(&mu_);
    oldest_ = oldest;
  }
  // The next Read after position `after` fails (once).
  void FailReadAfter(int64_t after) {
    absl::MutexLock lock(&mu_);
    fail_after_ = after;
  }
  std::vector<std::string> started_with() {
    absl::MutexLock lock(&mu_);
    return started_with_;
  }
  static std::string Cursor(int64_t position) { return Codec().Encode(position); }
  static int64_t Position(const std::string& cursor) { return *Codec().Decode(cursor); }

  absl::StatusOr<int64_t> Start(const CallContext& call, const StreamStart& start) override {
    const std::string& cursor = start.cursor;
    if (auto s = RequireRole(call.principal(), {Role::kPlatformAdmin, Role::kPartner}); !s.ok()) {
      return s;
    }
    absl::MutexLock lock(&mu_);
    started_with_.push_back(cursor);
    if (cursor.empty()) return oldest_ - 1;
    absl::StatusOr<int64_t> after = Codec().Decode(cursor);
    if (!after.ok()) return after.status();
    if (*after + 1 < oldest_ || *after > head_) {
      return CursorExpired("the cursor is older than the retention; resync and start afresh");
    }
    return *after;
  }
  absl::StatusOr<int64_t> Read(const CallContext& call, int64_t after, int limit,
                               std::vector<ov1::OrderEvent>* out) override {
    absl::MutexLock lock(&mu_);
    if (fail_after_ == after) {
      fail_after_ = -1;
      return absl::UnavailableError("orders database restarting");
    }
    int64_t last = after;
    for (int64_t p = after + 1; p <= head_ && p <= after + limit; ++p) {
      last = p;
      const bool mine = p % 2 == 1;
      if (call.principal().is(Role::kPartner) && !mine) continue;
      ov1::OrderEvent event;
      event.set_cursor(Cursor(p));
      event.set_kind(ov1::ORDER_EVENT_KIND_ORDER_UPDATED);
      event.mutable_order()->set_id(absl::StrCat("order-", p));
      out->push_back(std::move(event));
    }
    return last;
  }
  ov1::OrderEvent Heartbeat(int64_t position) override {
    ov1::OrderEvent event;
    event.set_cursor(Cursor(position));
    event.set_kind(ov1::ORDER_EVENT_KIND_HEARTBEAT);
    return event;
  }

 private:
  static const CursorCodec& Codec() {
    static const auto* const kCodec = new CursorCodec("o1");
    return *kCodec;
  }
  absl::Mutex mu_;
  int64_t head_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t oldest_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t fail_after_ ABSL_GUARDED_BY(mu_) = -1;
  std::vector<std::string> started_with_ ABSL_GUARDED_BY(mu_);
};

// A source built for one call (as a real one holding the request's filters is) and handed to the
// stream, which owns it: it reads the shared events and counts how many such sources exist.
class PerCallOrderEvents final : public EventSource<ov1::OrderEvent> {
 public:
  PerCallOrderEvents(FakeOrderEvents* events, std::atomic<int>* created, std::atomic<int>* live)
      : events_(events), live_(live) {
    created->fetch_add(1);
    live_->fetch_add(1);
  }
  ~PerCallOrderEvents() override { live_->fetch_sub(1); }
  absl::StatusOr<int64_t> Start(const CallContext& call, const StreamStart& start) override {
    return events_->Start(call, start);
  }
  absl::StatusOr<int64_t> Read(const CallContext& call, int64_t after, int limit,
                               std::vector<ov1::OrderEvent>* out) override {
    return events_->Read(call, after, limit, out);
  }
  ov1::OrderEvent Heartbeat(int64_t position) override { return events_->Heartbeat(position); }

 private:
  FakeOrderEvents* const events_;
  std::atomic<int>* const live_;
};

class FakeOrders final : public ov1::OrdersService::CallbackService {
 public:
  // With `created` and `live` set, each call gets its own PerCallOrderEvents (the overload of
  // RpcRunner::Stream taking ownership); otherwise every call shares `events`.
  FakeOrders(RpcRunner* runner, FakeOrderEvents* events, StreamOptions options,
             std::atomic<int>* created = nullptr, std::atomic<int>* live = nullptr)
      : runner_(runner), events_(events), options_(options), created_(created), live_(live) {}
  grpc::ServerWriteReactor<ov1::OrderEvent>* WatchOrderEvents(
      grpc::CallbackServerContext* ctx, const ov1::WatchOrderEventsRequest* req) override {
    if (live_ != nullptr) {
      return runner_->Stream<ov1::OrderEvent>(
          ctx, "WatchOrderEvents", std::make_unique<PerCallOrderEvents>(events_, created_, live_),
          {req->cursor()}, options_);
    }
    return runner_->Stream<ov1::OrderEvent>(ctx, "WatchOrderEvents", events_, {req->cursor()},
                                            options_);
  }

 private:
  RpcRunner* runner_;
  FakeOrderEvents* events_;
  StreamOptions options_;
  std::atomic<int>* created_;
  std::atomic<int>* live_;
};

// One client stream with its own context.
class Watch {
 public:
  Watch(ov1::OrdersService::Stub& stub, const std::string& token, const std::string& cursor) {
    if (!token.empty()) ctx_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ov1::WatchOrderEventsRequest req;
    req.set_cursor(cursor);
    reader_ = stub.WatchOrderEvents(&ctx_, req);
  }
  ~Watch() {
    ctx_.TryCancel();
    Finish();
  }
  std::optional<ov1::OrderEvent> Next() {
    ov1::OrderEvent event;
    if (!reader_->Read(&event)) return std::nullopt;
    return event;
  }
  // Events until the first heartbeat (the backlog; heartbeats come only when a poll is empty).
  std::vector<int64_t> UntilHeartbeat() {
    std::vector<int64_t> positions;
    while (auto e = Next()) {
      if (e->kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT) return positions;
      positions.push_back(FakeOrderEvents::Position(e->cursor()));
    }
    ADD_FAILURE() << "stream ended: " << Finish().error_message();
    return positions;
  }
  grpc::Status Finish() {
    if (!finished_) {
      ov1::OrderEvent ignored;
      while (reader_->Read(&ignored)) {
      }
      status_ = reader_->Finish();
      finished_ = true;
    }
    return status_;
  }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<ov1::OrderEvent>> reader_;
  bool finished_ = false;
  grpc::Status status_;
};

class EventStreamTest : public ::testing::Test {
 protected:
  void StartServer(size_t max_queue = 64, int batch_size = 200, bool per_call_sources = false) {
    auto codec = TokenCodec::Create(std::string(32, 'k'));
    ASSERT_TRUE(codec.ok());
    codec_ = std::make_unique<TokenCodec>(*std::move(codec));
    revocations_ = std::make_unique<RevocationList>(
        [](int64_t) { return std::vector<RevocationList::Entry>{}; }, &clock_);
    auth_ = std::make_unique<Authenticator>(codec_.get(), revocations_.get(), &clock_);
    pool_ = std::make_unique<WorkerPool>(2, max_queue);
    runner_ = std::make_unique<RpcRunner>(kService, pool_.get(), auth_.get(), &log_);
    StreamOptions options;
    options.poll_interval = absl::Milliseconds(10);
    options.heartbeat_interval = absl::Milliseconds(100);
    options.batch_size = batch_size;
    service_ = per_call_sources ? std::make_unique<FakeOrders>(runner_.get(), &events_, options,
                                                               &sources_created_, &sources_live_)
                                : std::make_unique<FakeOrders>(runner_.get(), &events_, options);
    ServerOptions server;
    server.drain_timeout = absl::Seconds(5);
    auto host = ServiceHost::Start(server, {service_.get()}, {kService});
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
    stub_ = ov1::OrdersService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", host_->port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (runner_) runner_->StopStreams();
    if (host_) host_->Shutdown();
    if (pool_) pool_->Stop();
  }
  std::string Token(Role role) {
    Principal p;
    p.id = absl::StrCat("principal-", static_cast<int>(role));
    p.role = role;
    p.token_id = absl::StrCat("token-", NextSequence());
    if (role == Role::kPartner) p.partner_id = kPartner;
    p.expire_time = clock_.Now() + absl::Hours(1);
    return codec_->Sign(p);
  }

  FakeClock clock_{absl::FromUnixSeconds(1'780'000'000)};
  FakeOrderEvents events_;
  std::atomic<int> sources_created_{0};
  std::atomic<int> sources_live_{0};
  AccessLog log_{false};
  std::unique_ptr<TokenCodec> codec_;
  std::unique_ptr<RevocationList> revocations_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<RpcRunner> runner_;
  std::unique_ptr<FakeOrders> service_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<ov1::OrdersService::Stub> stub_;
};

std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  for (int64_t p = first; p <= last; ++p) out.push_back(p);
  return out;
}

TEST_F(EventStreamTest, ResumesFromACursorWithoutGapOrDuplicate) {
  StartServer(/*max_queue=*/64, /*batch_size=*/3);
  events_.Add(10);
  const std::string admin = Token(Role::kPlatformAdmin);
  std::vector<int64_t> seen;
  std::string cursor;
  {
    Watch watch(*stub_, admin, "");
    for (int i = 0; i < 4; ++i) {
      auto e = watch.Next();
      ASSERT_TRUE(e.has_value());
      seen.push_back(FakeOrderEvents::Position(e->cursor()));
      cursor = e->cursor();
    }
  }  // cut mid-backlog
  events_.Add(5);
  Watch resumed(*stub_, admin, cursor);
  for (int64_t p : resumed.UntilHeartbeat()) seen.push_back(p);
  EXPECT_EQ(seen, Range(1, 15));
  // Live events follow.
  events_.Add(1);
  auto live = resumed.Next();
  while (live && live->kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT) live = resumed.Next();
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(FakeOrderEvents::Position(live->cursor()), 16);
}

TEST_F(EventStreamTest, ExpiredCursorIsFailedPreconditionAndMalformedIsInvalidArgument) {
  StartServer();
  events_.Add(10);
  events_.Purge(/*oldest=*/6);
  const std::string admin = Token(Role::kPlatformAdmin);
  {
    Watch watch(*stub_, admin, FakeOrderEvents::Cursor(3));
    EXPECT_FALSE(watch.Next().has_value());
    grpc::Status s = watch.Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ErrorReason(s), "CURSOR_EXPIRED");
  }
  {
    Watch watch(*stub_, admin, "not-a-cursor");
    EXPECT_FALSE(watch.Next().has_value());
    grpc::Status s = watch.Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"cursor"});
  }
  Watch fresh(*stub_, admin, FakeOrderEvents::Cursor(5));  // just before the oldest: fine
  EXPECT_EQ(fresh.UntilHeartbeat(), Range(6, 10));
}

TEST_F(EventStreamTest, HeartbeatWhenIdleCarriesTheLastExaminedPosition) {
  StartServer();
  events_.Add(4);  // the partner may see 1 and 3 only
  Watch watch(*stub_, Token(Role::kPartner), "");
  EXPECT_EQ(watch.UntilHeartbeat(), (std::vector<int64_t>{1, 3}));
  events_.Add(1);  // 5 is the partner's
  auto e = watch.Next();
  while (e && e->kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT) {
    e = watch.Next();
  }
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(FakeOrderEvents::Position(e->cursor()), 5);
  events_.Add(1);  // 6 is not: the next heartbeat moves past it
  // (A heartbeat sent before the poll saw 6 still says 5.)
  auto heartbeat = watch.Next();
  while (heartbeat && FakeOrderEvents::Position(heartbeat->cursor()) == 5) {
    EXPECT_EQ(heartbeat->kind(), ov1::ORDER_EVENT_KIND_HEARTBEAT);
    heartbeat = watch.Next();
  }
  ASSERT_TRUE(heartbeat.has_value());
  EXPECT_EQ(heartbeat->kind(), ov1::ORDER_EVENT_KIND_HEARTBEAT);
  EXPECT_EQ(FakeOrderEvents::Position(heartbeat->cursor()), 6);
}

TEST_F(EventStreamTest, ShutdownEndsTheStreamWithUnavailableAndAResumeHint) {
  StartServer();
  Watch watch(*stub_, Token(Role::kPlatformAdmin), "");
  EXPECT_TRUE(watch.UntilHeartbeat().empty());  // open and idle
  runner_->StopStreams();
  grpc::Status s = watch.Finish();  // well before the client's 10 s deadline
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ErrorReason(s), "SERVER_SHUTTING_DOWN");
  EXPECT_NE(s.error_message().find("resume with the last cursor"), std::string::npos);
}

TEST_F(EventStreamTest, UnauthenticatedAndRefusedRolesAreAnsweredLikeUnaryCalls) {
  StartServer();
  for (const std::string& token : {std::string(), std::string("cl1.forged.token")}) {
    Watch watch(*stub_, token, "");
    EXPECT_FALSE(watch.Next().has_value());
    EXPECT_EQ(watch.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  Watch member(*stub_, Token(Role::kMember), "");
  EXPECT_FALSE(member.Next().has_value());
  EXPECT_EQ(member.Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(EventStreamTest, AFullWorkerPoolAnswersServerOverloaded) {
  StartServer(/*max_queue=*/0);  // every hand-off refused
  Watch watch(*stub_, Token(Role::kPlatformAdmin), "");
  EXPECT_FALSE(watch.Next().has_value());
  grpc::Status s = watch.Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ErrorReason(s), "SERVER_OVERLOADED");
}

TEST_F(EventStreamTest, APerCallSourceIsOwnedByItsStreamAndDeletedWhenTheStreamEnds) {
  StartServer(/*max_queue=*/64, /*batch_size=*/2, /*per_call_sources=*/true);
  events_.Add(5);
  const std::string admin = Token(Role::kPlatformAdmin);
  {
    Watch a(*stub_, admin, "");
    Watch b(*stub_, admin, FakeOrderEvents::Cursor(2));
    EXPECT_EQ(a.UntilHeartbeat(), Range(1, 5));
    EXPECT_EQ(b.UntilHeartbeat(), Range(3, 5));
    EXPECT_EQ(sources_live_.load(), 2);  // one per open stream, alive while it runs
  }                                      // both cancelled by their clients
  {
    Watch refused(*stub_, Token(Role::kMember), "");  // ends in Start()
    EXPECT_FALSE(refused.Next().has_value());
    EXPECT_EQ(refused.Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    Watch unauthenticated(*stub_, "", "");  // ends before the source is ever called
    EXPECT_EQ(unauthenticated.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  // gRPC calls OnDone() after the client saw the end: wait for it rather than for a time.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (sources_live_.load() != 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(sources_created_.load(), 4);
  EXPECT_EQ(sources_live_.load(), 0);  // every stream deleted its own source
}

// The consumer's side, with its cursor in a real database.
class StreamConsumerTest : public EventStreamTest {
 protected:
  static void SetUpTestSuite() {
    auto db = Database::Open(TestDbConfig("test_common_stream_consumer"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = db->release();
    ASSERT_TRUE(ApplyMigrations(*db_, "stream_consumer_test", {}).ok());
    ASSERT_TRUE(db_->ExecuteScript("CREATE TABLE applied (position BIGINT NOT NULL PRIMARY KEY) "
                                   "ENGINE=InnoDB;")
                    .ok());
    // No unique key: a second application of an event shows as a second row.
    ASSERT_TRUE(db_->ExecuteScript("CREATE TABLE applied_log (id BIGINT NOT NULL AUTO_INCREMENT "
                                   "PRIMARY KEY, consumer INT NOT NULL, position BIGINT NOT NULL) "
                                   "ENGINE=InnoDB;")
                    .ok());
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  static Database* db_;
};

Database* StreamConsumerTest::db_ = nullptr;

TEST_F(StreamConsumerTest, ResumesFromItsStoredCursorAfterTheStreamFailsWithoutGapOrDuplicate) {
  StartServer(/*max_queue=*/64, /*batch_size=*/2);
  events_.Add(10);
  events_.FailReadAfter(4);  // the first stream ends with UNAVAILABLE after events 1..4
  const std::string token = Token(Role::kPlatformAdmin);
  absl::Mutex mu;
  std::vector<int64_t> handled;  // what committed, in order
  ConsumerOptions options;
  options.initial_backoff = absl::Milliseconds(10);
  StreamConsumer<ov1::OrderEvent> consumer(
      db_, &clock_, "orders-importer",
      [&](grpc::ClientContext* ctx, const std::string& cursor) {
        ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
        ov1::WatchOrderEventsRequest req;
        req.set_cursor(cursor);
        return stub_->WatchOrderEvents(ctx, req);
      },
      [&](Tx& tx, const ov1::OrderEvent& event) {
        const int64_t p = FakeOrderEvents::Position(event.cursor());
        tx.Execute("INSERT INTO applied (position) VALUES (?)", p);  // a duplicate would fail
        absl::MutexLock lock(&mu);
        handled.push_back(p);
        return absl::OkStatus();
      },
      [](const ov1::OrderEvent& e) { return e.kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT; },
      options);
  consumer.Start();
  events_.Add(5);
  {
    absl::MutexLock lock(&mu);
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return handled.size() >= 15; };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(10)));
  }
  consumer.Stop();  // prompt: cancels the open stream
  EXPECT_EQ(handled, Range(1, 15));
  EXPECT_EQ(CountRows(*db_, "applied"), 15);
  // It reconnected with the cursor of the last event it had stored.
  const std::vector<std::string> starts = events_.started_with();
  ASSERT_GE(starts.size(), 2u);
  EXPECT_EQ(starts[0], "");
  EXPECT_EQ(starts[1], FakeOrderEvents::Cursor(4));
  EXPECT_GE(consumer.connections(), 2);
  auto stored = LoadStreamCursor(*db_, "orders-importer");
  ASSERT_TRUE(stored.ok());
  EXPECT_GE(FakeOrderEvents::Position(*stored), 15);
}

TEST_F(StreamConsumerTest, TwoReplicasOfOneConsumerApplyEachEventOnce) {
  StartServer(/*max_queue=*/64, /*batch_size=*/3);
  constexpr int kEvents = 60;
  events_.Add(kEvents / 2);
  const std::string token = Token(Role::kPlatformAdmin);
  ConsumerOptions options;
  options.initial_backoff = absl::Milliseconds(5);
  options.max_backoff = absl::Milliseconds(50);
  auto consumer = [&](int replica) {
    return std::make_unique<StreamConsumer<ov1::OrderEvent>>(
        db_, &clock_, "orders-replicated",
        [&](grpc::ClientContext* ctx, const std::string& cursor) {
          ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
          ov1::WatchOrderEventsRequest req;
          req.set_cursor(cursor);
          return stub_->WatchOrderEvents(ctx, req);
        },
        [replica](Tx& tx, const ov1::OrderEvent& event) {
          tx.Execute("INSERT INTO applied_log (consumer, position) VALUES (?, ?)", replica,
                     FakeOrderEvents::Position(event.cursor()));
          return absl::OkStatus();
        },
        [](const ov1::OrderEvent& e) { return e.kind() == ov1::ORDER_EVENT_KIND_HEARTBEAT; },
        options);
  };
  auto a = consumer(1);
  auto b = consumer(2);
  a->Start();
  b->Start();
  events_.Add(kEvents / 2);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (CountRows(*db_, "(SELECT DISTINCT position FROM applied_log) AS p") < kEvents &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  a->Stop();
  b->Stop();
  EXPECT_EQ(CountRows(*db_, "(SELECT DISTINCT position FROM applied_log) AS p"), kEvents);
  EXPECT_EQ(CountRows(*db_, "applied_log"), kEvents);  // none applied twice
  auto stored = LoadStreamCursor(*db_, "orders-replicated");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(FakeOrderEvents::Position(*stored), kEvents);
  std::cout << "replica 1 applied " << CountRows(*db_, "applied_log WHERE consumer = 1")
            << ", replica 2 " << CountRows(*db_, "applied_log WHERE consumer = 2") << "; streams "
            << a->connections() + b->connections() << "\n";
}

}  // namespace
}  // namespace cooplink::testing
