// The rules that rest on locking reads (issue 7 item 3: `FOR UPDATE`, not `LOCK IN SHARE MODE`),
// under many concurrent clients over real gRPC against the real database: admissions, exits and
// farmer changes of one cooperative keep the composition rule; assignments of one worker to one
// village or cooperative never make a duplicate. Every call must end OK or with the one precise
// status the contract names for losing the race; a conflict the retries could not absorb (ABORTED
// TRANSACTION_CONFLICT) fails the test.
//
// Each client has its own channel (its own HTTP/2 connection), so the calls really arrive
// together; the server's 8 workers and 16 database connections then run them concurrently.
// The server runs with no deadlock retries (max_retries = 0): the lock order itself must be free
// of deadlocks (member_store.h, social_worker_store.h), not merely rescued by Database's retries.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "services/membership/member_rules.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

using ::grpc::StatusCode;

constexpr int kClients = 12;

class ConcurrencyTest : public MembershipFixture {
 protected:
  static void SetUpTestSuite() {
    SetUpTestSuiteWith([](membership::MembershipConfig& config) { config.db.max_retries = 0; });
  }

  void SetUp() override {
    for (int i = 0; i < kClients; ++i) {
      grpc::ChannelArguments args;
      args.SetInt("cooplink.test.client", i);  // a distinct argument: a channel of its own
      clients_.push_back(mv1::MembershipService::NewStub(
          grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", (*server_)->port()),
                                    grpc::InsecureChannelCredentials(), args)));
    }
  }

  mv1::MembershipService::Stub& client(int i) { return *clients_[i % kClients]; }

  mv1::CreateMemberRequest Admission(const std::string& coop, const std::string& household,
                                     bool is_farmer) {
    mv1::CreateMemberRequest req;
    req.set_request_id(NewRequestId());
    auto* m = req.mutable_member();
    m->set_cooperative_id(coop);
    m->set_household_id(household);
    m->set_name("岩温");
    m->set_resident_id(ResidentId(NextSequence(), "19750505"));
    m->set_is_farmer(is_farmer);
    return req;
  }

  mv1::CreateMemberRequest OrganizationAdmission(const std::string& coop) {
    mv1::CreateMemberRequest req;
    req.set_request_id(NewRequestId());
    auto* m = req.mutable_member();
    m->set_cooperative_id(coop);
    m->set_name(absl::StrCat("澜沧县茶叶加工有限公司", NextSequence()));
    m->set_member_kind(mv1::MEMBER_KIND_ORGANIZATION);
    return req;
  }

  // The cooperative's ACTIVE members, counted by SQL (independently of the service's query).
  membership::Composition ActiveComposition(const std::string& coop) {
    membership::Composition c;
    EXPECT_TRUE(db().Read([&](Tx& tx) {
                      auto rs = tx.Query(
                          "SELECT COUNT(*) AS total, "
                          "CAST(COALESCE(SUM(is_farmer), 0) AS SIGNED) AS farmers, "
                          "CAST(COALESCE(SUM(member_kind = ?), 0) AS SIGNED) AS orgs "
                          "FROM members WHERE cooperative_id = ? AND state = ?",
                          static_cast<int>(mv1::MEMBER_KIND_ORGANIZATION), coop,
                          static_cast<int>(mv1::MEMBER_STATE_ACTIVE));
                      if (rs->next()) {
                        c.total = rs->getInt64("total");
                        c.farmers = rs->getInt64("farmers");
                        c.organizations = rs->getInt64("orgs");
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return c;
  }

  int64_t Count(const std::string& sql_where) {
    int64_t n = -1;
    EXPECT_TRUE(db().Read([&](Tx& tx) {
                      auto rs = tx.Query(absl::StrCat("SELECT COUNT(*) AS n FROM ", sql_where));
                      if (rs->next()) n = rs->getInt64("n");
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  // "OK", or "<CODE> <REASON>": what the tests compare against the expected outcomes.
  static std::string Outcome(const grpc::Status& s) {
    if (s.ok()) return "OK";
    return absl::StrCat(s.error_code(), " ", ErrorReason(s));
  }
  static std::string Expected(StatusCode code, const std::string& reason) {
    return absl::StrCat(code, " ", reason);
  }

  std::vector<std::unique_ptr<mv1::MembershipService::Stub>> clients_;
};

const std::string kCompositionViolated =
    absl::StrCat(StatusCode::FAILED_PRECONDITION, " COMPOSITION_RULE_VIOLATED");
const std::string kAlreadyExists = absl::StrCat(StatusCode::ALREADY_EXISTS, " ALREADY_EXISTS");

// Tallies outcomes from many threads.
class Tally {
 public:
  void Add(const std::string& outcome) {
    absl::MutexLock lock(&mu_);
    ++counts_[outcome];
  }
  int Of(const std::string& outcome) {
    absl::MutexLock lock(&mu_);
    return counts_[outcome];
  }
  // Every outcome not in `allowed`, with its count ("" when none).
  std::string Unexpected(const std::vector<std::string>& allowed) {
    absl::MutexLock lock(&mu_);
    std::string out;
    for (const auto& [outcome, n] : counts_) {
      if (std::find(allowed.begin(), allowed.end(), outcome) == allowed.end()) {
        absl::StrAppend(&out, outcome, " x", n, "; ");
      }
    }
    return out;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------------------------
// Composition
// ---------------------------------------------------------------------------------------------

TEST_F(ConcurrencyTest, RacingNonFarmersAdmitExactlyTheOneThatFits) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  for (int i = 0; i < 8; ++i) CreateMember(coop.id(), household.id());
  CreateMember(coop.id(), household.id(), /*is_farmer=*/false);
  // 8 farmers of 9: one more non-farmer makes 8 of 10 = 80 %, a second would make 8 of 11.
  constexpr int kCalls = 36;
  std::vector<mv1::CreateMemberRequest> requests;
  for (int i = 0; i < kCalls; ++i) requests.push_back(Admission(coop.id(), household.id(), false));
  Tally tally;
  RunConcurrently(kCalls, [&](int i) {
    mv1::Member out;
    tally.Add(Outcome(client(i).CreateMember(Ctx(admin()).get(), requests[i], &out)));
  });
  EXPECT_EQ(tally.Unexpected({"OK", kCompositionViolated}), "");
  EXPECT_EQ(tally.Of("OK"), 1);
  EXPECT_EQ(tally.Of(kCompositionViolated), kCalls - 1);
  const membership::Composition c = ActiveComposition(coop.id());
  EXPECT_EQ(c.total, 10);
  EXPECT_EQ(c.farmers, 8);
  EXPECT_TRUE(membership::CheckComposition(c).ok());
}

TEST_F(ConcurrencyTest, RacingOrganizationsAdmitOneInASmallCooperative) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  for (int i = 0; i < 10; ++i) CreateMember(coop.id(), household.id());
  constexpr int kCalls = 24;
  std::vector<mv1::CreateMemberRequest> requests;
  for (int i = 0; i < kCalls; ++i) requests.push_back(OrganizationAdmission(coop.id()));
  Tally tally;
  RunConcurrently(kCalls, [&](int i) {
    mv1::Member out;
    tally.Add(Outcome(client(i).CreateMember(Ctx(admin()).get(), requests[i], &out)));
  });
  EXPECT_EQ(tally.Unexpected({"OK", kCompositionViolated}), "");
  EXPECT_EQ(tally.Of("OK"), 1);
  const membership::Composition c = ActiveComposition(coop.id());
  EXPECT_EQ(c.organizations, 1);
  EXPECT_EQ(c.total, 11);
  EXPECT_TRUE(membership::CheckComposition(c).ok());
}

// Admissions of farmers and non-farmers, exits and farmer-flag changes, over four cooperatives
// at once (so the locking reads of neighbouring cooperatives meet in the index): whatever the
// interleaving, each cooperative ends within the rule and the admissions that answered OK are
// exactly the rows written.
TEST_F(ConcurrencyTest, MixedChangesOverSeveralCooperativesKeepEveryCooperativeWithinTheRule) {
  constexpr int kCoops = 4;
  const auto household = CreateHousehold();
  std::vector<mv1::Cooperative> coops;
  std::vector<std::vector<mv1::Member>> farmers(kCoops);
  for (int k = 0; k < kCoops; ++k) {
    coops.push_back(CreateCooperative());
    for (int i = 0; i < 8; ++i) farmers[k].push_back(CreateMember(coops[k].id(), household.id()));
    CreateMember(coops[k].id(), household.id(), /*is_farmer=*/false);
  }
  std::vector<int64_t> rows_before(kCoops);
  for (int k = 0; k < kCoops; ++k) {
    rows_before[k] = Count(absl::StrCat("members WHERE cooperative_id = '", coops[k].id(), "'"));
  }

  // Per cooperative: 6 non-farmer and 3 farmer admissions, 2 farmers stop farming, 2 farmers
  // give notice of exit. 13 calls x 4 cooperatives, all released together.
  enum class Kind { kAdmitNonFarmer, kAdmitFarmer, kStopFarming, kRequestExit };
  struct Call {
    int coop;
    Kind kind;
    mv1::CreateMemberRequest admission;
    std::string member_id;
  };
  std::vector<Call> calls;
  for (int k = 0; k < kCoops; ++k) {
    for (int i = 0; i < 6; ++i) {
      calls.push_back({k, Kind::kAdmitNonFarmer, Admission(coops[k].id(), household.id(), false)});
    }
    for (int i = 0; i < 3; ++i) {
      calls.push_back({k, Kind::kAdmitFarmer, Admission(coops[k].id(), household.id(), true)});
    }
    for (int i = 0; i < 2; ++i) calls.push_back({k, Kind::kStopFarming, {}, farmers[k][i].id()});
    for (int i = 2; i < 4; ++i) calls.push_back({k, Kind::kRequestExit, {}, farmers[k][i].id()});
  }
  std::vector<std::string> outcomes(calls.size());
  Tally tally;
  RunConcurrently(static_cast<int>(calls.size()), [&](int i) {
    const Call& call = calls[i];
    auto ctx = Ctx(admin());
    grpc::Status s;
    mv1::Member out;
    switch (call.kind) {
      case Kind::kAdmitNonFarmer:
      case Kind::kAdmitFarmer:
        s = client(i).CreateMember(ctx.get(), call.admission, &out);
        break;
      case Kind::kStopFarming: {
        mv1::UpdateMemberRequest req;
        req.set_request_id(NewRequestId());
        req.mutable_member()->set_id(call.member_id);
        req.mutable_member()->set_is_farmer(false);
        req.mutable_update_mask()->add_paths("is_farmer");
        s = client(i).UpdateMember(ctx.get(), req, &out);
        break;
      }
      case Kind::kRequestExit: {
        mv1::RequestMemberExitRequest req;
        req.set_request_id(NewRequestId());
        req.set_member_id(call.member_id);
        req.set_reason("外出务工");
        s = client(i).RequestMemberExit(ctx.get(), req, &out);
        break;
      }
    }
    outcomes[i] = Outcome(s);
    tally.Add(outcomes[i]);
  });
  EXPECT_EQ(tally.Unexpected({"OK", kCompositionViolated}), "");
  for (int k = 0; k < kCoops; ++k) {
    int admitted = 0;
    for (size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].coop == k && outcomes[i] == "OK" &&
          (calls[i].kind == Kind::kAdmitFarmer || calls[i].kind == Kind::kAdmitNonFarmer)) {
        ++admitted;
      }
    }
    EXPECT_EQ(Count(absl::StrCat("members WHERE cooperative_id = '", coops[k].id(), "'")),
              rows_before[k] + admitted)
        << "cooperative " << k;
    const membership::Composition c = ActiveComposition(coops[k].id());
    EXPECT_TRUE(membership::CheckComposition(c).ok())
        << "cooperative " << k << ": " << c.farmers << " farmers of " << c.total;
  }
  // The rule did bind: at least one change per cooperative was refused.
  EXPECT_GE(tally.Of(kCompositionViolated), kCoops);
}

// ---------------------------------------------------------------------------------------------
// Assignments
// ---------------------------------------------------------------------------------------------

mv1::AssignSocialWorkerRequest VillageAssignment(const std::string& worker,
                                                 const std::string& village) {
  mv1::AssignSocialWorkerRequest req;
  req.set_request_id(NewRequestId());
  req.set_social_worker_id(worker);
  req.set_village_code(village);
  return req;
}

mv1::AssignSocialWorkerRequest CooperativeAssignment(const std::string& worker,
                                                     const std::string& coop) {
  mv1::AssignSocialWorkerRequest req;
  req.set_request_id(NewRequestId());
  req.set_social_worker_id(worker);
  req.set_cooperative_id(coop);
  return req;
}

TEST_F(ConcurrencyTest, RacingAssignmentsOfOneWorkerToOneScopeMakeOneAssignmentEach) {
  const auto worker = CreateSocialWorker();
  const auto coop = CreateCooperative();
  const std::string village = "530828100301";
  constexpr int kCalls = 40;  // half for the village, half for the cooperative
  std::vector<mv1::AssignSocialWorkerRequest> requests;
  for (int i = 0; i < kCalls; ++i) {
    requests.push_back(i % 2 == 0 ? VillageAssignment(worker.id(), village)
                                  : CooperativeAssignment(worker.id(), coop.id()));
  }
  Tally tally;
  RunConcurrently(kCalls, [&](int i) {
    mv1::Assignment out;
    tally.Add(Outcome(client(i).AssignSocialWorker(Ctx(admin()).get(), requests[i], &out)));
  });
  EXPECT_EQ(tally.Unexpected({"OK", kAlreadyExists}), "");
  EXPECT_EQ(tally.Of("OK"), 2);
  EXPECT_EQ(tally.Of(kAlreadyExists), kCalls - 2);
  EXPECT_EQ(Count(absl::StrCat("assignments WHERE social_worker_id = '", worker.id(),
                               "' AND village_code = '", village, "' AND state = 1")),
            1);
  EXPECT_EQ(Count(absl::StrCat("assignments WHERE social_worker_id = '", worker.id(),
                               "' AND cooperative_id = '", coop.id(), "' AND state = 1")),
            1);
}

// Many workers at once, each racing with itself for one village and one cooperative that all of
// them share: the workers' locking reads probe neighbouring (often empty) ranges of the same
// indexes, the case where InnoDB's gap locks can deadlock inserts. Each worker ends with exactly
// one assignment of each scope, and no call fails otherwise.
TEST_F(ConcurrencyTest, ManyWorkersAssignedToOneVillageAndCooperativeAtOnceMakeNoDuplicate) {
  constexpr int kWorkers = 12;
  constexpr int kCallsPerScope = 3;
  const auto coop = CreateCooperative();
  const std::string village = "530828100302";
  std::vector<mv1::SocialWorker> workers;
  for (int w = 0; w < kWorkers; ++w) workers.push_back(CreateSocialWorker());
  std::vector<mv1::AssignSocialWorkerRequest> requests;
  for (int w = 0; w < kWorkers; ++w) {
    for (int i = 0; i < kCallsPerScope; ++i) {
      requests.push_back(VillageAssignment(workers[w].id(), village));
      requests.push_back(CooperativeAssignment(workers[w].id(), coop.id()));
    }
  }
  Tally tally;
  RunConcurrently(static_cast<int>(requests.size()), [&](int i) {
    mv1::Assignment out;
    tally.Add(Outcome(client(i).AssignSocialWorker(Ctx(admin()).get(), requests[i], &out)));
  });
  EXPECT_EQ(tally.Unexpected({"OK", kAlreadyExists}), "");
  EXPECT_EQ(tally.Of("OK"), 2 * kWorkers);
  for (const auto& w : workers) {
    EXPECT_EQ(Count(absl::StrCat("assignments WHERE social_worker_id = '", w.id(),
                                 "' AND village_code = '", village, "' AND state = 1")),
              1);
    EXPECT_EQ(Count(absl::StrCat("assignments WHERE social_worker_id = '", w.id(),
                                 "' AND cooperative_id = '", coop.id(), "' AND state = 1")),
              1);
  }
}

// Ending an assignment while new ones of the same scope race in: at most one ACTIVE assignment
// per (worker, scope) at the end, and the unassignment itself always succeeds.
TEST_F(ConcurrencyTest, UnassignRacingNewAssignmentsLeavesAtMostOneActive) {
  const auto worker = CreateSocialWorker();
  const std::string village = "530828100303";
  const auto first = AssignVillage(worker.id(), village);
  constexpr int kAssigns = 20;
  std::vector<mv1::AssignSocialWorkerRequest> requests;
  for (int i = 0; i < kAssigns; ++i) requests.push_back(VillageAssignment(worker.id(), village));
  Tally assigns;
  grpc::Status unassigned;
  RunConcurrently(kAssigns + 1, [&](int i) {
    if (i == kAssigns) {
      mv1::UnassignSocialWorkerRequest req;
      req.set_request_id(NewRequestId());
      req.set_assignment_id(first.id());
      mv1::Assignment out;
      unassigned = client(i).UnassignSocialWorker(Ctx(admin()).get(), req, &out);
      return;
    }
    mv1::Assignment out;
    assigns.Add(Outcome(client(i).AssignSocialWorker(Ctx(admin()).get(), requests[i], &out)));
  });
  EXPECT_TRUE(unassigned.ok()) << unassigned.error_message();
  EXPECT_EQ(assigns.Unexpected({"OK", kAlreadyExists}), "");
  EXPECT_LE(assigns.Of("OK"), 1);
  EXPECT_EQ(Count(absl::StrCat("assignments WHERE social_worker_id = '", worker.id(),
                               "' AND village_code = '", village, "' AND state = 1")),
            assigns.Of("OK"));
}

}  // namespace
}  // namespace cooplink::testing
