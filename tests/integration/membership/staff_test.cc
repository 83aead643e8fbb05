// Social workers, their assignments and partners through real gRPC against the real MariaDB.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

constexpr auto kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
constexpr auto kNotFound = grpc::StatusCode::NOT_FOUND;
constexpr auto kDenied = grpc::StatusCode::PERMISSION_DENIED;
constexpr auto kUnauthenticated = grpc::StatusCode::UNAUTHENTICATED;
constexpr auto kPrecondition = grpc::StatusCode::FAILED_PRECONDITION;
constexpr auto kAlreadyExists = grpc::StatusCode::ALREADY_EXISTS;

// A syntactically valid id that names nothing.
constexpr const char* kMissingId = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

std::string UniquePhoneTail() { return absl::StrFormat("%04d", NextSequence() % 10000); }

class SocialWorkersTest : public MembershipFixture {
 protected:
  // The fake clock stands still and ids are ordered only across milliseconds (48-bit time, then
  // random bits), so tests expecting creation order step the clock between creations.
  void StepClock() { clock_->Advance(absl::Milliseconds(1)); }

  mv1::CreateSocialWorkerRequest ValidCreate(const std::string& phone = "") {
    mv1::CreateSocialWorkerRequest req;
    req.set_request_id(NewRequestId());
    auto* w = req.mutable_social_worker();
    w->set_name("王社工");
    w->set_organization("勐海县社会工作服务站");
    w->set_phone(phone.empty() ? absl::StrCat("1390000", UniquePhoneTail()) : phone);
    w->set_county_code("530822");
    return req;
  }

  grpc::Status Assign(const std::string& token, const std::string& worker_id,
                      const std::string& village_code, const std::string& cooperative_id,
                      mv1::Assignment* out, const std::string& request_id = NewRequestId()) {
    mv1::AssignSocialWorkerRequest req;
    req.set_request_id(request_id);
    req.set_social_worker_id(worker_id);
    if (!village_code.empty()) req.set_village_code(village_code);
    if (!cooperative_id.empty()) req.set_cooperative_id(cooperative_id);
    return stub().AssignSocialWorker(Ctx(token).get(), req, out);
  }

  grpc::Status Unassign(const std::string& token, const std::string& assignment_id,
                        mv1::Assignment* out, const std::string& request_id = NewRequestId()) {
    mv1::UnassignSocialWorkerRequest req;
    req.set_request_id(request_id);
    req.set_assignment_id(assignment_id);
    return stub().UnassignSocialWorker(Ctx(token).get(), req, out);
  }

  grpc::Status GetWorker(const std::string& token, const std::string& id, mv1::SocialWorker* out) {
    mv1::GetSocialWorkerRequest req;
    req.set_id(id);
    return stub().GetSocialWorker(Ctx(token).get(), req, out);
  }

  grpc::Status ListAssignmentsOf(const std::string& token, const std::string& worker_id,
                                 mv1::ListAssignmentsResponse* out) {
    mv1::ListAssignmentsRequest req;
    req.set_social_worker_id(worker_id);
    return stub().ListAssignments(Ctx(token).get(), req, out);
  }

  // The stored phone columns of a worker.
  struct PhoneColumns {
    std::string enc, hash, masked;
    bool enc_null = true;
  };
  PhoneColumns RawPhone(const std::string& worker_id) {
    PhoneColumns cols;
    EXPECT_TRUE(db().Read([&](Tx& tx) {
                      auto rs = tx.Query(
                          "SELECT phone_enc, phone_hash, phone_masked FROM "
                          "social_workers WHERE id = ?",
                          worker_id);
                      if (rs->next()) {
                        cols.enc_null = rs->isNull("phone_enc");
                        cols.enc = cols.enc_null ? "" : std::string(rs->getString("phone_enc"));
                        cols.hash = rs->isNull("phone_hash")
                                        ? ""
                                        : std::string(rs->getString("phone_hash"));
                        cols.masked = rs->isNull("phone_masked")
                                          ? ""
                                          : std::string(rs->getString("phone_masked"));
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return cols;
  }
};

TEST_F(SocialWorkersTest, CreateThenGetReturnsTheWorkerWithAMaskedPhone) {
  const std::string tail = UniquePhoneTail();
  auto req = ValidCreate(absl::StrCat("+86 139-0000-", tail));
  mv1::SocialWorker created;
  grpc::Status s = stub().CreateSocialWorker(Ctx(admin()).get(), req, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.id().size(), 26u);
  EXPECT_EQ(created.name(), "王社工");
  EXPECT_EQ(created.organization(), "勐海县社会工作服务站");
  EXPECT_EQ(created.phone(), absl::StrCat("139****", tail));
  EXPECT_EQ(created.county_code(), "530822");
  EXPECT_FALSE(created.etag().empty());
  EXPECT_GT(created.create_time().seconds(), 0);

  mv1::SocialWorker fetched;
  ASSERT_TRUE(GetWorker(admin(), created.id(), &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());

  // The phone is stored only encrypted, hashed and masked.
  const std::string plain = absl::StrCat("1390000", tail);
  const PhoneColumns cols = RawPhone(created.id());
  EXPECT_FALSE(cols.enc_null);
  EXPECT_EQ(cols.enc.find(plain), std::string::npos);
  EXPECT_EQ(cols.enc.find(tail), std::string::npos);
  EXPECT_EQ(cols.enc.rfind("v1:", 0), 0u);
  EXPECT_EQ(cols.hash.size(), 64u);
  EXPECT_EQ(cols.hash.find(plain), std::string::npos);
  EXPECT_EQ(cols.masked, absl::StrCat("139****", tail));

  // Phone and organization are optional.
  auto bare = ValidCreate();
  bare.mutable_social_worker()->clear_phone();
  bare.mutable_social_worker()->clear_organization();
  mv1::SocialWorker no_phone;
  ASSERT_TRUE(stub().CreateSocialWorker(Ctx(admin()).get(), bare, &no_phone).ok());
  EXPECT_EQ(no_phone.phone(), "");
  EXPECT_EQ(no_phone.organization(), "");
  EXPECT_TRUE(RawPhone(no_phone.id()).enc_null);
}

TEST_F(SocialWorkersTest, BadInputIsRefusedWithFieldViolationsAndWritesNothing) {
  const int64_t before = CountRows(db(), "social_workers");
  auto req = ValidCreate("12345678901");  // 11 digits, but not a mobile number
  req.mutable_social_worker()->set_name("   ");
  req.mutable_social_worker()->set_organization(std::string(101, 'x'));
  req.mutable_social_worker()->set_county_code("99");
  mv1::SocialWorker out;
  grpc::Status s = stub().CreateSocialWorker(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), kInvalid);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"social_worker.name", "social_worker.organization",
                                      "social_worker.phone", "social_worker.county_code"}));
  // The bad phone is never echoed.
  EXPECT_EQ(s.error_message().find("12345678901"), std::string::npos);
  EXPECT_EQ(s.error_details().find("12345678901"), std::string::npos);

  req = ValidCreate();
  req.mutable_social_worker()->set_name(std::string(51, 'a'));
  EXPECT_EQ(ViolatedFields(stub().CreateSocialWorker(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"social_worker.name"});

  req = ValidCreate();
  req.set_request_id("");
  EXPECT_EQ(ViolatedFields(stub().CreateSocialWorker(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"request_id"});
  EXPECT_EQ(CountRows(db(), "social_workers"), before);

  // Reads and lists check their arguments too.
  EXPECT_EQ(ViolatedFields(GetWorker(admin(), "not-an-id", &out)), std::vector<std::string>{"id"});
  mv1::ListSocialWorkersRequest list;
  list.set_county_code_prefix("53a");
  mv1::ListSocialWorkersResponse listed;
  EXPECT_EQ(ViolatedFields(stub().ListSocialWorkers(Ctx(admin()).get(), list, &listed)),
            std::vector<std::string>{"county_code_prefix"});
  mv1::ListAssignmentsResponse assignments;
  EXPECT_EQ(ViolatedFields(ListAssignmentsOf(admin(), "", &assignments)),
            std::vector<std::string>{"social_worker_id"});
  EXPECT_EQ(ListAssignmentsOf(admin(), kMissingId, &assignments).error_code(), kNotFound);
  EXPECT_EQ(GetWorker(admin(), kMissingId, &out).error_code(), kNotFound);
}

TEST_F(SocialWorkersTest, CallsWithoutAValidTokenAreUnauthenticated) {
  const auto worker = CreateSocialWorker();
  const int64_t before = CountRows(db(), "assignments");
  for (const std::string& token : {std::string(), std::string("cl1.forged.token")}) {
    mv1::SocialWorker w;
    EXPECT_EQ(stub().CreateSocialWorker(Ctx(token).get(), ValidCreate(), &w).error_code(),
              kUnauthenticated);
    EXPECT_EQ(GetWorker(token, worker.id(), &w).error_code(), kUnauthenticated);
    mv1::ListSocialWorkersResponse workers;
    EXPECT_EQ(stub()
                  .ListSocialWorkers(Ctx(token).get(), mv1::ListSocialWorkersRequest(), &workers)
                  .error_code(),
              kUnauthenticated);
    mv1::Assignment a;
    EXPECT_EQ(Assign(token, worker.id(), "530822100201", "", &a).error_code(), kUnauthenticated);
    EXPECT_EQ(Unassign(token, kMissingId, &a).error_code(), kUnauthenticated);
    mv1::ListAssignmentsResponse assignments;
    EXPECT_EQ(ListAssignmentsOf(token, worker.id(), &assignments).error_code(), kUnauthenticated);
  }
  EXPECT_EQ(CountRows(db(), "assignments"), before);
}

TEST_F(SocialWorkersTest, AWorkerReadsOnlyItselfAndItsOwnAssignments) {
  const auto me = CreateSocialWorker();
  const auto other = CreateSocialWorker();
  AssignVillage(me.id(), "530822100202");
  AssignVillage(other.id(), "530822100203");
  const std::string token = WorkerToken(me.id());

  mv1::SocialWorker w;
  ASSERT_TRUE(GetWorker(token, me.id(), &w).ok());
  EXPECT_EQ(w.id(), me.id());
  EXPECT_EQ(w.phone(), me.phone());  // masked for the worker as well
  grpc::Status s = GetWorker(token, other.id(), &w);
  EXPECT_EQ(s.error_code(), kNotFound);

  mv1::ListAssignmentsResponse mine;
  ASSERT_TRUE(ListAssignmentsOf(token, me.id(), &mine).ok());
  ASSERT_EQ(mine.assignments_size(), 1);
  EXPECT_EQ(mine.assignments(0).village_code(), "530822100202");
  mv1::ListAssignmentsResponse theirs;
  EXPECT_EQ(ListAssignmentsOf(token, other.id(), &theirs).error_code(), kNotFound);
  EXPECT_EQ(theirs.assignments_size(), 0);

  // A worker may not list workers nor manage caseloads.
  mv1::ListSocialWorkersResponse workers;
  EXPECT_EQ(stub()
                .ListSocialWorkers(Ctx(token).get(), mv1::ListSocialWorkersRequest(), &workers)
                .error_code(),
            kDenied);
  mv1::Assignment a;
  EXPECT_EQ(Assign(token, me.id(), "530822100209", "", &a).error_code(), kDenied);
  EXPECT_EQ(Unassign(token, mine.assignments(0).id(), &a).error_code(), kDenied);
  EXPECT_EQ(stub().CreateSocialWorker(Ctx(token).get(), ValidCreate(), &w).error_code(), kDenied);
}

TEST_F(SocialWorkersTest, OtherRolesMayNotTouchSocialWorkers) {
  const auto worker = CreateSocialWorker();
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  const auto member = CreateMember(coop.id(), household.id());
  const std::vector<std::string> tokens = {CoopAdminToken(coop.id()), MemberToken(member),
                                           PartnerToken(CreatePartner().id())};
  const int64_t workers_before = CountRows(db(), "social_workers");
  const int64_t assignments_before = CountRows(db(), "assignments");
  for (const std::string& token : tokens) {
    mv1::SocialWorker w;
    grpc::Status s = stub().CreateSocialWorker(Ctx(token).get(), ValidCreate(), &w);
    EXPECT_EQ(s.error_code(), kDenied);
    EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
    EXPECT_EQ(GetWorker(token, worker.id(), &w).error_code(), kDenied);
    mv1::ListSocialWorkersResponse workers;
    EXPECT_EQ(stub()
                  .ListSocialWorkers(Ctx(token).get(), mv1::ListSocialWorkersRequest(), &workers)
                  .error_code(),
              kDenied);
    mv1::Assignment a;
    EXPECT_EQ(Assign(token, worker.id(), "", coop.id(), &a).error_code(), kDenied);
    EXPECT_EQ(Unassign(token, kMissingId, &a).error_code(), kDenied);
    mv1::ListAssignmentsResponse assignments;
    EXPECT_EQ(ListAssignmentsOf(token, worker.id(), &assignments).error_code(), kDenied);
  }
  EXPECT_EQ(CountRows(db(), "social_workers"), workers_before);
  EXPECT_EQ(CountRows(db(), "assignments"), assignments_before);
}

TEST_F(SocialWorkersTest, SameRequestIdReplaysTheFirstReplyAndCreatesOnce) {
  auto req = ValidCreate();
  const int64_t before = CountRows(db(), "social_workers");
  mv1::SocialWorker first, second;
  ASSERT_TRUE(stub().CreateSocialWorker(Ctx(admin()).get(), req, &first).ok());
  ASSERT_TRUE(stub().CreateSocialWorker(Ctx(admin()).get(), req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows(db(), "social_workers"), before + 1);

  req.mutable_social_worker()->set_name("另一位社工");
  mv1::SocialWorker third;
  grpc::Status s = stub().CreateSocialWorker(Ctx(admin()).get(), req, &third);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "social_workers"), before + 1);
}

TEST_F(SocialWorkersTest, ConcurrentRetriesWithOneRequestIdHaveOneEffect) {
  auto req = ValidCreate();
  const int64_t before = CountRows(db(), "social_workers");
  constexpr int kCallers = 8;
  std::vector<mv1::SocialWorker> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().CreateSocialWorker(Ctx(admin()).get(), req, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows(db(), "social_workers"), before + 1);
}

TEST_F(SocialWorkersTest, ListPagesByIdAndFiltersByCountyPrefix) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto req = ValidCreate();
    req.mutable_social_worker()->set_county_code("150102");  // only these three in 15xxxx
    mv1::SocialWorker w;
    ASSERT_TRUE(stub().CreateSocialWorker(Ctx(admin()).get(), req, &w).ok());
    ids.push_back(w.id());
    StepClock();
  }
  mv1::ListSocialWorkersRequest list;
  list.set_county_code_prefix("15");
  list.set_page_size(1);
  std::vector<std::string> seen;
  int pages = 0;
  for (; pages < 10; ++pages) {
    mv1::ListSocialWorkersResponse page;
    ASSERT_TRUE(stub().ListSocialWorkers(Ctx(admin()).get(), list, &page).ok());
    ASSERT_LE(page.social_workers_size(), 1);
    for (const auto& w : page.social_workers()) {
      seen.push_back(w.id());
      EXPECT_EQ(w.phone().substr(3, 4), "****");
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, ids);
  EXPECT_LE(pages, 3);

  // A token is bound to its filters; a negative page size is refused.
  mv1::ListSocialWorkersRequest first;
  first.set_county_code_prefix("15");
  first.set_page_size(1);
  mv1::ListSocialWorkersResponse out;
  ASSERT_TRUE(stub().ListSocialWorkers(Ctx(admin()).get(), first, &out).ok());
  first.set_page_token(out.next_page_token());
  first.set_county_code_prefix("53");
  EXPECT_EQ(ViolatedFields(stub().ListSocialWorkers(Ctx(admin()).get(), first, &out)),
            std::vector<std::string>{"page_token"});
  mv1::ListSocialWorkersRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(ViolatedFields(stub().ListSocialWorkers(Ctx(admin()).get(), negative, &out)),
            std::vector<std::string>{"page_size"});
}

TEST_F(SocialWorkersTest, AssignAVillageOrACooperative) {
  const auto worker = CreateSocialWorker();
  const auto coop = CreateCooperative();
  mv1::Assignment village, cooperative;
  ASSERT_TRUE(Assign(admin(), worker.id(), "530822100210", "", &village).ok());
  StepClock();
  EXPECT_EQ(village.id().size(), 26u);
  EXPECT_EQ(village.social_worker_id(), worker.id());
  EXPECT_EQ(village.scope_case(), mv1::Assignment::kVillageCode);
  EXPECT_EQ(village.village_code(), "530822100210");
  EXPECT_EQ(village.state(), mv1::ASSIGNMENT_STATE_ACTIVE);
  EXPECT_GT(village.create_time().seconds(), 0);
  EXPECT_FALSE(village.has_end_time());

  ASSERT_TRUE(Assign(admin(), worker.id(), "", coop.id(), &cooperative).ok());
  EXPECT_EQ(cooperative.scope_case(), mv1::Assignment::kCooperativeId);
  EXPECT_EQ(cooperative.cooperative_id(), coop.id());

  // The scope widens at once.
  const std::string token = WorkerToken(worker.id());
  mv1::GetCooperativeRequest get;
  get.set_id(coop.id());
  mv1::Cooperative c;
  EXPECT_TRUE(stub().GetCooperative(Ctx(token).get(), get, &c).ok());

  mv1::ListAssignmentsResponse listed;
  ASSERT_TRUE(ListAssignmentsOf(admin(), worker.id(), &listed).ok());
  ASSERT_EQ(listed.assignments_size(), 2);
  EXPECT_EQ(listed.assignments(0).SerializeAsString(), village.SerializeAsString());
  EXPECT_EQ(listed.assignments(1).SerializeAsString(), cooperative.SerializeAsString());
}

TEST_F(SocialWorkersTest, AssignRefusesBadInputAndMissingReferences) {
  const auto worker = CreateSocialWorker();
  const auto coop = CreateCooperative();
  const int64_t before = CountRows(db(), "assignments");
  mv1::Assignment a;
  EXPECT_EQ(ViolatedFields(Assign(admin(), worker.id(), "", "", &a)),
            std::vector<std::string>{"scope"});
  EXPECT_EQ(ViolatedFields(Assign(admin(), worker.id(), "5308221002", "", &a)),
            std::vector<std::string>{"village_code"});
  EXPECT_EQ(ViolatedFields(Assign(admin(), worker.id(), "990822100201", "", &a)),
            std::vector<std::string>{"village_code"});
  EXPECT_EQ(ViolatedFields(Assign(admin(), worker.id(), "", "bad id", &a)),
            std::vector<std::string>{"cooperative_id"});
  EXPECT_EQ(ViolatedFields(Assign(admin(), "", "530822100201", "", &a)),
            std::vector<std::string>{"social_worker_id"});
  EXPECT_EQ(ViolatedFields(Assign(admin(), worker.id(), "530822100201", "", &a, "")),
            std::vector<std::string>{"request_id"});

  grpc::Status s = Assign(admin(), kMissingId, "530822100201", "", &a);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  s = Assign(admin(), worker.id(), "", kMissingId, &a);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  EXPECT_EQ(CountRows(db(), "assignments"), before);

  // A failed call is not remembered: the same request_id works once the worker exists.
  const std::string rid = NewRequestId();
  EXPECT_EQ(Assign(admin(), worker.id(), "", kMissingId, &a, rid).error_code(), kPrecondition);
  EXPECT_TRUE(Assign(admin(), worker.id(), "", coop.id(), &a, rid).ok());
  EXPECT_EQ(CountRows(db(), "assignments"), before + 1);
}

TEST_F(SocialWorkersTest, ADuplicateActiveAssignmentIsAlreadyExists) {
  const auto worker = CreateSocialWorker();
  const auto other = CreateSocialWorker();
  const auto coop = CreateCooperative();
  const auto first_village = AssignVillage(worker.id(), "530822100220");
  AssignCooperative(worker.id(), coop.id());
  const int64_t before = CountRows(db(), "assignments");
  mv1::Assignment a;
  grpc::Status s = Assign(admin(), worker.id(), "530822100220", "", &a);
  EXPECT_EQ(s.error_code(), kAlreadyExists);
  EXPECT_EQ(ErrorReason(s), "ALREADY_EXISTS");
  s = Assign(admin(), worker.id(), "", coop.id(), &a);
  EXPECT_EQ(s.error_code(), kAlreadyExists);
  EXPECT_EQ(CountRows(db(), "assignments"), before);

  // Another worker may have the same village; once ended, the worker may be assigned again.
  EXPECT_TRUE(Assign(admin(), other.id(), "530822100220", "", &a).ok());
  ASSERT_TRUE(Unassign(admin(), first_village.id(), &a).ok());
  EXPECT_TRUE(Assign(admin(), worker.id(), "530822100220", "", &a).ok());
  EXPECT_EQ(CountRows(db(), "assignments"), before + 2);
}

TEST_F(SocialWorkersTest, ConcurrentAssignmentsOfOneScopeCreateOneActiveAssignment) {
  const auto worker = CreateSocialWorker();
  const int64_t before = CountRows(db(), "assignments");
  constexpr int kCallers = 8;

  // Eight retries of one request: one effect, one reply.
  const std::string rid = NewRequestId();
  std::vector<mv1::Assignment> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = Assign(admin(), worker.id(), "530822100230", "", &replies[i], rid);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows(db(), "assignments"), before + 1);

  // Eight different requests for one scope: exactly one wins, the rest are ALREADY_EXISTS.
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = Assign(admin(), worker.id(), "530822100231", "", &replies[i]);
  });
  int ok = 0;
  for (const auto& s : statuses) {
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.error_code(), kAlreadyExists) << s.error_message();
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(CountRows(db(), "assignments"), before + 2);
}

TEST_F(SocialWorkersTest, UnassignEndsTheAssignmentAndShrinksTheScopeAtOnce) {
  const auto worker = CreateSocialWorker();
  const auto coop = CreateCooperative();
  const auto assignment = AssignCooperative(worker.id(), coop.id());
  const std::string token = WorkerToken(worker.id());
  mv1::GetCooperativeRequest get;
  get.set_id(coop.id());
  mv1::Cooperative c;
  ASSERT_TRUE(stub().GetCooperative(Ctx(token).get(), get, &c).ok());

  const std::string rid = NewRequestId();
  mv1::Assignment ended, replayed;
  ASSERT_TRUE(Unassign(admin(), assignment.id(), &ended, rid).ok());
  EXPECT_EQ(ended.id(), assignment.id());
  EXPECT_EQ(ended.state(), mv1::ASSIGNMENT_STATE_ENDED);
  EXPECT_EQ(ended.cooperative_id(), coop.id());
  ASSERT_TRUE(ended.has_end_time());
  EXPECT_EQ(ended.create_time().SerializeAsString(), assignment.create_time().SerializeAsString());

  // A retry of the same request replays; a new request on an ended assignment is refused.
  ASSERT_TRUE(Unassign(admin(), assignment.id(), &replayed, rid).ok());
  EXPECT_EQ(replayed.SerializeAsString(), ended.SerializeAsString());
  mv1::Assignment again;
  grpc::Status s = Unassign(admin(), assignment.id(), &again);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "ASSIGNMENT_ENDED");

  // The worker has lost the cooperative.
  EXPECT_EQ(stub().GetCooperative(Ctx(token).get(), get, &c).error_code(), kNotFound);
  mv1::ListCooperativesResponse listed;
  ASSERT_TRUE(
      stub().ListCooperatives(Ctx(token).get(), mv1::ListCooperativesRequest(), &listed).ok());
  EXPECT_EQ(listed.cooperatives_size(), 0);

  // The worker still sees the ended assignment in its history.
  mv1::ListAssignmentsResponse history;
  ASSERT_TRUE(ListAssignmentsOf(token, worker.id(), &history).ok());
  ASSERT_EQ(history.assignments_size(), 1);
  EXPECT_EQ(history.assignments(0).SerializeAsString(), ended.SerializeAsString());
}

TEST_F(SocialWorkersTest, UnassignRefusesBadInputMissingAssignmentsAndReusedRequestIds) {
  const auto worker = CreateSocialWorker();
  const auto a1 = AssignVillage(worker.id(), "530822100240");
  const auto a2 = AssignVillage(worker.id(), "530822100241");
  mv1::Assignment out;
  EXPECT_EQ(ViolatedFields(Unassign(admin(), "", &out)), std::vector<std::string>{"assignment_id"});
  EXPECT_EQ(ViolatedFields(Unassign(admin(), a1.id(), &out, "bad request id!")),
            std::vector<std::string>{"request_id"});
  EXPECT_EQ(Unassign(admin(), kMissingId, &out).error_code(), kNotFound);

  const std::string rid = NewRequestId();
  ASSERT_TRUE(Unassign(admin(), a1.id(), &out, rid).ok());
  grpc::Status s = Unassign(admin(), a2.id(), &out, rid);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  mv1::ListAssignmentsResponse listed;
  ASSERT_TRUE(ListAssignmentsOf(admin(), worker.id(), &listed).ok());
  ASSERT_EQ(listed.assignments_size(), 2);
  EXPECT_EQ(listed.assignments(1).id(), a2.id());
  EXPECT_EQ(listed.assignments(1).state(), mv1::ASSIGNMENT_STATE_ACTIVE);
  EXPECT_FALSE(listed.assignments(1).has_end_time());

  // Same request_id for Assign with a different body.
  const std::string assign_rid = NewRequestId();
  const int64_t before = CountRows(db(), "assignments");
  ASSERT_TRUE(Assign(admin(), worker.id(), "530822100242", "", &out, assign_rid).ok());
  s = Assign(admin(), worker.id(), "530822100243", "", &out, assign_rid);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "assignments"), before + 1);
}

TEST_F(SocialWorkersTest, ListAssignmentsPagesAcrossActiveAndEnded) {
  const auto worker = CreateSocialWorker();
  const auto other = CreateSocialWorker();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(AssignVillage(worker.id(), absl::StrCat("53082210025", i)).id());
    StepClock();
  }
  AssignVillage(other.id(), "530822100250");
  mv1::Assignment out;
  ASSERT_TRUE(Unassign(admin(), ids[1], &out).ok());

  const std::string token = WorkerToken(worker.id());
  mv1::ListAssignmentsRequest list;
  list.set_social_worker_id(worker.id());
  list.set_page_size(1);
  std::vector<std::string> seen;
  std::vector<mv1::AssignmentState> states;
  int pages = 0;
  for (; pages < 10; ++pages) {
    mv1::ListAssignmentsResponse page;
    ASSERT_TRUE(stub().ListAssignments(Ctx(token).get(), list, &page).ok());
    ASSERT_LE(page.assignments_size(), 1);
    for (const auto& a : page.assignments()) {
      seen.push_back(a.id());
      states.push_back(a.state());
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, ids);
  EXPECT_EQ(states, (std::vector<mv1::AssignmentState>{mv1::ASSIGNMENT_STATE_ACTIVE,
                                                       mv1::ASSIGNMENT_STATE_ENDED,
                                                       mv1::ASSIGNMENT_STATE_ACTIVE}));

  // A token of one worker's list is not valid for another's.
  mv1::ListAssignmentsRequest first;
  first.set_social_worker_id(worker.id());
  first.set_page_size(1);
  mv1::ListAssignmentsResponse page;
  ASSERT_TRUE(stub().ListAssignments(Ctx(admin()).get(), first, &page).ok());
  first.set_social_worker_id(other.id());
  first.set_page_token(page.next_page_token());
  EXPECT_EQ(ViolatedFields(stub().ListAssignments(Ctx(admin()).get(), first, &page)),
            std::vector<std::string>{"page_token"});
}

// ---------------------------------------------------------------------------------------------

class PartnersTest : public MembershipFixture {
 protected:
  void StepClock() { clock_->Advance(absl::Milliseconds(1)); }  // see SocialWorkersTest

  mv1::CreatePartnerRequest ValidCreate(
      common::v1::ChannelKind kind = common::v1::CHANNEL_KIND_ECOMMERCE) {
    mv1::CreatePartnerRequest req;
    req.set_request_id(NewRequestId());
    auto* p = req.mutable_partner();
    p->set_name(absl::StrCat("  云品汇旗舰店-", NextSequence(), " "));
    p->set_channel_kind(kind);
    p->set_commission_rate_bps(800);
    p->set_contact("张经理 0871-12345678");
    return req;
  }

  grpc::Status Get(const std::string& token, const std::string& id, mv1::Partner* out) {
    mv1::GetPartnerRequest req;
    req.set_id(id);
    return stub().GetPartner(Ctx(token).get(), req, out);
  }

  mv1::UpdatePartnerRequest UpdateName(const mv1::Partner& partner, const std::string& name) {
    mv1::UpdatePartnerRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_partner()->set_id(partner.id());
    req.mutable_partner()->set_name(name);
    req.mutable_update_mask()->add_paths("name");
    return req;
  }
};

TEST_F(PartnersTest, CreateThenGetReturnsThePartner) {
  auto req = ValidCreate();
  mv1::Partner created;
  grpc::Status s = stub().CreatePartner(Ctx(admin()).get(), req, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.id().size(), 26u);
  EXPECT_EQ(created.name(), std::string(absl::StripAsciiWhitespace(req.partner().name())));
  EXPECT_EQ(created.channel_kind(), common::v1::CHANNEL_KIND_ECOMMERCE);
  EXPECT_EQ(created.commission_rate_bps(), 800);
  EXPECT_EQ(created.contact(), "张经理 0871-12345678");
  EXPECT_FALSE(created.etag().empty());
  EXPECT_GT(created.create_time().seconds(), 0);
  EXPECT_EQ(created.update_time().SerializeAsString(), created.create_time().SerializeAsString());

  mv1::Partner fetched;
  ASSERT_TRUE(Get(admin(), created.id(), &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(Get(admin(), kMissingId, &fetched).error_code(), kNotFound);

  // Boundaries: 0 and 5000 bps, an empty contact.
  for (int bps : {0, 5000}) {
    auto edge = ValidCreate(common::v1::CHANNEL_KIND_OTHER);
    edge.mutable_partner()->set_commission_rate_bps(bps);
    edge.mutable_partner()->clear_contact();
    mv1::Partner p;
    ASSERT_TRUE(stub().CreatePartner(Ctx(admin()).get(), edge, &p).ok());
    EXPECT_EQ(p.commission_rate_bps(), bps);
  }
}

TEST_F(PartnersTest, PlatformAndRefundDeciderDefaultAndUpdate) {
  // No platform: the cooperative decides refunds; a platform: the platform does.
  mv1::Partner own;
  ASSERT_TRUE(stub().CreatePartner(Ctx(admin()).get(), ValidCreate(), &own).ok());
  EXPECT_EQ(own.platform(), common::v1::PLATFORM_UNSPECIFIED);
  EXPECT_EQ(own.refund_decider(), common::v1::REFUND_DECIDER_COOPERATIVE);
  auto taobao = ValidCreate();
  taobao.mutable_partner()->set_platform(common::v1::PLATFORM_TAOBAO);
  mv1::Partner shop;
  ASSERT_TRUE(stub().CreatePartner(Ctx(admin()).get(), taobao, &shop).ok());
  EXPECT_EQ(shop.platform(), common::v1::PLATFORM_TAOBAO);
  EXPECT_EQ(shop.refund_decider(), common::v1::REFUND_DECIDER_PLATFORM);
  // An explicit decider wins over the default.
  auto kuaishou = ValidCreate();
  kuaishou.mutable_partner()->set_platform(common::v1::PLATFORM_KUAISHOU);
  kuaishou.mutable_partner()->set_refund_decider(common::v1::REFUND_DECIDER_COOPERATIVE);
  mv1::Partner live;
  ASSERT_TRUE(stub().CreatePartner(Ctx(admin()).get(), kuaishou, &live).ok());
  EXPECT_EQ(live.refund_decider(), common::v1::REFUND_DECIDER_COOPERATIVE);
  mv1::Partner fetched;
  ASSERT_TRUE(Get(admin(), shop.id(), &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), shop.SerializeAsString());

  // Undefined values are refused, nothing written.
  const int64_t before = CountRows(db(), "partners");
  auto bad = ValidCreate();
  bad.mutable_partner()->set_platform(static_cast<common::v1::Platform>(99));
  bad.mutable_partner()->set_refund_decider(static_cast<common::v1::RefundDecider>(7));
  mv1::Partner ignored;
  grpc::Status s = stub().CreatePartner(Ctx(admin()).get(), bad, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"partner.platform", "partner.refund_decider"}));
  EXPECT_EQ(CountRows(db(), "partners"), before);

  // Update: both by mask; an update must name a decider.
  mv1::UpdatePartnerRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_partner()->set_id(own.id());
  update.mutable_partner()->set_platform(common::v1::PLATFORM_WECHAT_SHOP);
  update.mutable_update_mask()->add_paths("platform");
  update.mutable_update_mask()->add_paths("refund_decider");
  s = stub().UpdatePartner(Ctx(admin()).get(), update, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"partner.refund_decider"});
  update.set_request_id(NewRequestId());
  update.mutable_partner()->set_refund_decider(common::v1::REFUND_DECIDER_PLATFORM);
  mv1::Partner updated;
  s = stub().UpdatePartner(Ctx(admin()).get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.platform(), common::v1::PLATFORM_WECHAT_SHOP);
  EXPECT_EQ(updated.refund_decider(), common::v1::REFUND_DECIDER_PLATFORM);
}

TEST_F(PartnersTest, BadInputIsRefusedWithFieldViolationsAndWritesNothing) {
  const int64_t before = CountRows(db(), "partners");
  auto req = ValidCreate(common::v1::CHANNEL_KIND_UNSPECIFIED);
  req.mutable_partner()->set_name("");
  req.mutable_partner()->set_commission_rate_bps(5001);
  req.mutable_partner()->set_contact(std::string(101, 'c'));
  mv1::Partner out;
  grpc::Status s = stub().CreatePartner(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), kInvalid);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"partner.name", "partner.channel_kind",
                                      "partner.commission_rate_bps", "partner.contact"}));

  req = ValidCreate();
  req.mutable_partner()->set_channel_kind(static_cast<common::v1::ChannelKind>(99));
  req.mutable_partner()->set_commission_rate_bps(-1);
  EXPECT_EQ(ViolatedFields(stub().CreatePartner(Ctx(admin()).get(), req, &out)),
            (std::vector<std::string>{"partner.channel_kind", "partner.commission_rate_bps"}));

  req = ValidCreate();
  req.mutable_partner()->set_name(std::string(101, 'n'));
  EXPECT_EQ(ViolatedFields(stub().CreatePartner(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"partner.name"});

  req = ValidCreate();
  req.clear_request_id();
  EXPECT_EQ(ViolatedFields(stub().CreatePartner(Ctx(admin()).get(), req, &out)),
            std::vector<std::string>{"request_id"});
  EXPECT_EQ(CountRows(db(), "partners"), before);

  EXPECT_EQ(ViolatedFields(Get(admin(), "", &out)), std::vector<std::string>{"id"});
  mv1::ListPartnersRequest list;
  list.set_channel_kind(static_cast<common::v1::ChannelKind>(42));
  mv1::ListPartnersResponse listed;
  EXPECT_EQ(ViolatedFields(stub().ListPartners(Ctx(admin()).get(), list, &listed)),
            std::vector<std::string>{"channel_kind"});
}

TEST_F(PartnersTest, CallsWithoutAValidTokenAreUnauthenticated) {
  const auto partner = CreatePartner();
  for (const std::string& token : {std::string(), std::string("cl1.forged.token")}) {
    mv1::Partner p;
    EXPECT_EQ(stub().CreatePartner(Ctx(token).get(), ValidCreate(), &p).error_code(),
              kUnauthenticated);
    EXPECT_EQ(Get(token, partner.id(), &p).error_code(), kUnauthenticated);
    mv1::ListPartnersResponse listed;
    EXPECT_EQ(
        stub().ListPartners(Ctx(token).get(), mv1::ListPartnersRequest(), &listed).error_code(),
        kUnauthenticated);
    EXPECT_EQ(stub().UpdatePartner(Ctx(token).get(), UpdateName(partner, "x"), &p).error_code(),
              kUnauthenticated);
  }
}

TEST_F(PartnersTest, ReadersAndManagersByRole) {
  const auto partner = CreatePartner();
  const auto other = CreatePartner();
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  const auto member = CreateMember(coop.id(), household.id());
  const std::string coop_admin = CoopAdminToken(coop.id());
  const std::string worker = WorkerToken(CreateSocialWorker().id());
  const std::string member_token = MemberToken(member);
  const std::string partner_token = PartnerToken(partner.id());
  const int64_t before = CountRows(db(), "partners");

  // Cooperative admins and social workers read any partner and list them.
  for (const std::string& token : {coop_admin, worker}) {
    mv1::Partner p;
    ASSERT_TRUE(Get(token, other.id(), &p).ok());
    EXPECT_EQ(p.SerializeAsString(), other.SerializeAsString());
    mv1::ListPartnersResponse listed;
    ASSERT_TRUE(stub().ListPartners(Ctx(token).get(), mv1::ListPartnersRequest(), &listed).ok());
    EXPECT_GE(listed.partners_size(), 2);
  }

  // A partner reads itself only.
  mv1::Partner p;
  ASSERT_TRUE(Get(partner_token, partner.id(), &p).ok());
  EXPECT_EQ(p.SerializeAsString(), partner.SerializeAsString());
  grpc::Status s = Get(partner_token, other.id(), &p);
  EXPECT_EQ(s.error_code(), kNotFound);
  EXPECT_EQ(Get(partner_token, kMissingId, &p).error_code(), kNotFound);
  mv1::ListPartnersResponse listed;
  EXPECT_EQ(stub()
                .ListPartners(Ctx(partner_token).get(), mv1::ListPartnersRequest(), &listed)
                .error_code(),
            kDenied);

  // Members have no business with partners.
  s = Get(member_token, partner.id(), &p);
  EXPECT_EQ(s.error_code(), kDenied);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(stub()
                .ListPartners(Ctx(member_token).get(), mv1::ListPartnersRequest(), &listed)
                .error_code(),
            kDenied);

  // Only platform admins create and update.
  for (const std::string& token : {coop_admin, worker, member_token, partner_token}) {
    EXPECT_EQ(stub().CreatePartner(Ctx(token).get(), ValidCreate(), &p).error_code(), kDenied);
    EXPECT_EQ(
        stub().UpdatePartner(Ctx(token).get(), UpdateName(partner, "被改名"), &p).error_code(),
        kDenied);
  }
  EXPECT_EQ(CountRows(db(), "partners"), before);
  ASSERT_TRUE(Get(admin(), partner.id(), &p).ok());
  EXPECT_EQ(p.SerializeAsString(), partner.SerializeAsString());
}

TEST_F(PartnersTest, SameRequestIdReplaysTheFirstReplyAndCreatesOnce) {
  auto req = ValidCreate();
  const int64_t before = CountRows(db(), "partners");
  mv1::Partner first, second;
  ASSERT_TRUE(stub().CreatePartner(Ctx(admin()).get(), req, &first).ok());
  ASSERT_TRUE(stub().CreatePartner(Ctx(admin()).get(), req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows(db(), "partners"), before + 1);

  req.mutable_partner()->set_commission_rate_bps(900);
  mv1::Partner third;
  grpc::Status s = stub().CreatePartner(Ctx(admin()).get(), req, &third);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "partners"), before + 1);
}

TEST_F(PartnersTest, ConcurrentRetriesWithOneRequestIdHaveOneEffect) {
  auto req = ValidCreate();
  const int64_t before = CountRows(db(), "partners");
  constexpr int kCallers = 8;
  std::vector<mv1::Partner> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().CreatePartner(Ctx(admin()).get(), req, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows(db(), "partners"), before + 1);

  // Concurrent retries of one update: applied once (the version moves by one).
  const auto partner = replies[0];
  auto update = UpdateName(partner, "并发改名");
  update.mutable_partner()->set_etag(partner.etag());
  std::vector<mv1::Partner> updated(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().UpdatePartner(Ctx(admin()).get(), update, &updated[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(updated[i].SerializeAsString(), updated[0].SerializeAsString());
  }
  mv1::Partner now;
  ASSERT_TRUE(Get(admin(), partner.id(), &now).ok());
  EXPECT_EQ(now.SerializeAsString(), updated[0].SerializeAsString());
}

TEST_F(PartnersTest, UpdateAppliesTheMaskAndChecksTheEtag) {
  const auto partner = CreatePartner();
  clock_->Advance(absl::Minutes(5));
  mv1::UpdatePartnerRequest update;
  update.set_request_id(NewRequestId());
  auto* patch = update.mutable_partner();
  patch->set_id(partner.id());
  patch->set_name(" 新名字 ");
  patch->set_channel_kind(common::v1::CHANNEL_KIND_LIVE_COMMERCE);
  patch->set_commission_rate_bps(1200);
  patch->set_contact("not in the mask");
  patch->set_etag(partner.etag());
  update.mutable_update_mask()->add_paths("name");
  update.mutable_update_mask()->add_paths("channel_kind");
  update.mutable_update_mask()->add_paths("commission_rate_bps");
  mv1::Partner updated;
  grpc::Status s = stub().UpdatePartner(Ctx(admin()).get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.name(), "新名字");
  EXPECT_EQ(updated.channel_kind(), common::v1::CHANNEL_KIND_LIVE_COMMERCE);
  EXPECT_EQ(updated.commission_rate_bps(), 1200);
  EXPECT_EQ(updated.contact(), partner.contact());  // not in the mask: unchanged
  EXPECT_NE(updated.etag(), partner.etag());
  EXPECT_EQ(updated.create_time().SerializeAsString(), partner.create_time().SerializeAsString());
  EXPECT_EQ(updated.update_time().seconds(), partner.update_time().seconds() + 300);

  // The old etag is stale now: ABORTED, nothing changed.
  update.set_request_id(NewRequestId());
  patch->set_name("第三个名字");
  s = stub().UpdatePartner(Ctx(admin()).get(), update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ErrorReason(s), "ETAG_MISMATCH");
  mv1::Partner now;
  ASSERT_TRUE(Get(admin(), partner.id(), &now).ok());
  EXPECT_EQ(now.name(), "新名字");

  // An empty etag skips the check; contact may be cleared.
  update.set_request_id(NewRequestId());
  patch->clear_etag();
  patch->clear_contact();
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("contact");
  ASSERT_TRUE(stub().UpdatePartner(Ctx(admin()).get(), update, &updated).ok());
  EXPECT_EQ(updated.contact(), "");
  EXPECT_EQ(updated.name(), "新名字");

  // Bad masks and values are INVALID_ARGUMENT and change nothing.
  mv1::Partner before_bad;
  ASSERT_TRUE(Get(admin(), partner.id(), &before_bad).ok());
  update.set_request_id(NewRequestId());
  update.mutable_update_mask()->clear_paths();
  EXPECT_EQ(ViolatedFields(stub().UpdatePartner(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"update_mask"});
  update.mutable_update_mask()->add_paths("etag");
  EXPECT_EQ(ViolatedFields(stub().UpdatePartner(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"update_mask"});
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("commission_rate_bps");
  update.mutable_update_mask()->add_paths("channel_kind");
  patch->set_commission_rate_bps(5001);
  patch->set_channel_kind(common::v1::CHANNEL_KIND_UNSPECIFIED);
  EXPECT_EQ(ViolatedFields(stub().UpdatePartner(Ctx(admin()).get(), update, &updated)),
            (std::vector<std::string>{"partner.channel_kind", "partner.commission_rate_bps"}));
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("name");
  patch->set_name("");
  EXPECT_EQ(ViolatedFields(stub().UpdatePartner(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"partner.name"});
  patch->set_id("");
  EXPECT_EQ(ViolatedFields(stub().UpdatePartner(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"partner.id"});
  ASSERT_TRUE(Get(admin(), partner.id(), &now).ok());
  EXPECT_EQ(now.SerializeAsString(), before_bad.SerializeAsString());

  // A missing partner is NOT_FOUND; a reused request_id with another body is refused.
  auto missing = UpdateName(partner, "无");
  missing.mutable_partner()->set_id(kMissingId);
  EXPECT_EQ(stub().UpdatePartner(Ctx(admin()).get(), missing, &updated).error_code(), kNotFound);
  auto first = UpdateName(partner, "甲");
  ASSERT_TRUE(stub().UpdatePartner(Ctx(admin()).get(), first, &updated).ok());
  first.mutable_partner()->set_name("乙");
  s = stub().UpdatePartner(Ctx(admin()).get(), first, &updated);
  EXPECT_EQ(s.error_code(), kPrecondition);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  ASSERT_TRUE(Get(admin(), partner.id(), &now).ok());
  EXPECT_EQ(now.name(), "甲");
}

TEST_F(PartnersTest, ListPagesByIdAndFiltersByChannelKind) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    mv1::Partner p;
    ASSERT_TRUE(stub()
                    .CreatePartner(Ctx(admin()).get(),
                                   ValidCreate(common::v1::CHANNEL_KIND_WECHAT_SHOP), &p)
                    .ok());
    ids.push_back(p.id());
    StepClock();
  }
  CreatePartner();  // a PLATFORM_832 partner, filtered out below

  mv1::ListPartnersRequest list;
  list.set_channel_kind(common::v1::CHANNEL_KIND_WECHAT_SHOP);
  list.set_page_size(1);
  std::vector<std::string> seen;
  int pages = 0;
  for (; pages < 10; ++pages) {
    mv1::ListPartnersResponse page;
    ASSERT_TRUE(stub().ListPartners(Ctx(admin()).get(), list, &page).ok());
    ASSERT_LE(page.partners_size(), 1);
    for (const auto& p : page.partners()) {
      seen.push_back(p.id());
      EXPECT_EQ(p.channel_kind(), common::v1::CHANNEL_KIND_WECHAT_SHOP);
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, ids);
  EXPECT_LE(pages, 3);

  // Unfiltered lists include every kind; a token is bound to its filter.
  mv1::ListPartnersResponse all;
  ASSERT_TRUE(stub().ListPartners(Ctx(admin()).get(), mv1::ListPartnersRequest(), &all).ok());
  EXPECT_GE(all.partners_size(), 4);
  EXPECT_TRUE(std::is_sorted(all.partners().begin(), all.partners().end(),
                             [](const auto& a, const auto& b) { return a.id() < b.id(); }));
  mv1::ListPartnersRequest first;
  first.set_channel_kind(common::v1::CHANNEL_KIND_WECHAT_SHOP);
  first.set_page_size(1);
  mv1::ListPartnersResponse page;
  ASSERT_TRUE(stub().ListPartners(Ctx(admin()).get(), first, &page).ok());
  first.set_page_token(page.next_page_token());
  first.set_channel_kind(common::v1::CHANNEL_KIND_UNSPECIFIED);
  EXPECT_EQ(ViolatedFields(stub().ListPartners(Ctx(admin()).get(), first, &page)),
            std::vector<std::string>{"page_token"});
  mv1::ListPartnersRequest negative;
  negative.set_page_size(-5);
  EXPECT_EQ(ViolatedFields(stub().ListPartners(Ctx(admin()).get(), negative, &page)),
            std::vector<std::string>{"page_size"});
}

}  // namespace
}  // namespace cooplink::testing
