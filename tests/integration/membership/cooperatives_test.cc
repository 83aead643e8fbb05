// Cooperatives through real gRPC against the real MariaDB.
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

class CooperativesTest : public MembershipFixture {
 protected:
  mv1::CreateCooperativeRequest ValidCreate() {
    mv1::CreateCooperativeRequest req;
    req.set_request_id(NewRequestId());
    auto* c = req.mutable_cooperative();
    c->set_name("澜沧县古茶专业合作社");
    c->set_uscc(CooperativeUscc(900000 + NextSequence()));
    c->set_region_code("530828");
    c->set_service_fee_bps(250);
    return req;
  }
};

TEST_F(CooperativesTest, CreateThenGetReturnsTheCooperative) {
  auto req = ValidCreate();
  mv1::Cooperative created;
  ASSERT_TRUE(stub().CreateCooperative(Ctx(admin()).get(), req, &created).ok());
  EXPECT_EQ(created.id().size(), 26u);
  EXPECT_EQ(created.name(), "澜沧县古茶专业合作社");
  EXPECT_EQ(created.fiscal_year_end_month(), 12);  // defaulted
  EXPECT_EQ(created.service_fee_bps(), 250);
  EXPECT_EQ(created.member_count(), 0);
  EXPECT_FALSE(created.etag().empty());

  mv1::GetCooperativeRequest get;
  get.set_id(created.id());
  mv1::Cooperative fetched;
  ASSERT_TRUE(stub().GetCooperative(Ctx(admin()).get(), get, &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
}

TEST_F(CooperativesTest, BadInputIsRefusedWithFieldViolationsAndWritesNothing) {
  const int64_t before = CountRows(db(), "cooperatives");
  auto req = ValidCreate();
  req.mutable_cooperative()->set_uscc("91350100M000100Y43");  // valid, but an enterprise
  req.mutable_cooperative()->set_region_code("99");
  req.mutable_cooperative()->set_service_fee_bps(-1);
  req.mutable_cooperative()->set_name("");
  mv1::Cooperative out;
  grpc::Status s = stub().CreateCooperative(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"cooperative.name", "cooperative.uscc",
                                      "cooperative.region_code", "cooperative.service_fee_bps"}));
  EXPECT_EQ(CountRows(db(), "cooperatives"), before);

  req = ValidCreate();
  req.mutable_cooperative()->set_uscc("93530828000000001Z");  // bad check character
  s = stub().CreateCooperative(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"cooperative.uscc"});

  req = ValidCreate();
  req.set_request_id("");
  s = stub().CreateCooperative(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"request_id"});
  EXPECT_EQ(CountRows(db(), "cooperatives"), before);
}

TEST_F(CooperativesTest, CallsWithoutAValidTokenAreUnauthenticated) {
  auto req = ValidCreate();
  mv1::Cooperative out;
  EXPECT_EQ(stub().CreateCooperative(Ctx("").get(), req, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stub().CreateCooperative(Ctx("cl1.forged.token").get(), req, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  std::string tampered = admin();
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(stub().CreateCooperative(Ctx(tampered).get(), req, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(CooperativesTest, ScopedCallersSeeOnlyTheirCooperatives) {
  const auto mine = CreateCooperative("我的合作社");
  const auto other = CreateCooperative("别人的合作社");
  const std::string coop_admin = CoopAdminToken(mine.id());
  const auto worker = CreateSocialWorker();
  AssignCooperative(worker.id(), mine.id());
  const std::string worker_token = WorkerToken(worker.id());

  for (const std::string& token : {coop_admin, worker_token}) {
    mv1::GetCooperativeRequest get;
    get.set_id(other.id());
    mv1::Cooperative out;
    EXPECT_EQ(stub().GetCooperative(Ctx(token).get(), get, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
    get.set_id(mine.id());
    EXPECT_TRUE(stub().GetCooperative(Ctx(token).get(), get, &out).ok());

    mv1::ListCooperativesRequest list;
    mv1::ListCooperativesResponse listed;
    ASSERT_TRUE(stub().ListCooperatives(Ctx(token).get(), list, &listed).ok());
    ASSERT_EQ(listed.cooperatives_size(), 1);
    EXPECT_EQ(listed.cooperatives(0).id(), mine.id());

    mv1::UpdateCooperativeRequest update;
    update.set_request_id(NewRequestId());
    update.mutable_cooperative()->set_id(other.id());
    update.mutable_cooperative()->set_name("改名");
    update.mutable_update_mask()->add_paths("name");
    EXPECT_EQ(stub().UpdateCooperative(Ctx(token).get(), update, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  // Only platform admins register cooperatives.
  auto req = ValidCreate();
  mv1::Cooperative out;
  EXPECT_EQ(stub().CreateCooperative(Ctx(coop_admin).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A partner has no access to cooperatives at all.
  const std::string partner = PartnerToken(CreatePartner().id());
  mv1::GetCooperativeRequest get;
  get.set_id(mine.id());
  EXPECT_EQ(stub().GetCooperative(Ctx(partner).get(), get, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CooperativesTest, SameRequestIdReplaysTheFirstReplyAndCreatesOnce) {
  auto req = ValidCreate();
  const int64_t before = CountRows(db(), "cooperatives");
  mv1::Cooperative first, second;
  ASSERT_TRUE(stub().CreateCooperative(Ctx(admin()).get(), req, &first).ok());
  ASSERT_TRUE(stub().CreateCooperative(Ctx(admin()).get(), req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows(db(), "cooperatives"), before + 1);

  // Same request_id, different body: refused, nothing written.
  req.mutable_cooperative()->set_name("另一个名字");
  mv1::Cooperative third;
  grpc::Status s = stub().CreateCooperative(Ctx(admin()).get(), req, &third);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "cooperatives"), before + 1);
}

TEST_F(CooperativesTest, ConcurrentRetriesWithOneRequestIdHaveOneEffect) {
  auto req = ValidCreate();
  const int64_t before = CountRows(db(), "cooperatives");
  constexpr int kCallers = 8;
  std::vector<mv1::Cooperative> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().CreateCooperative(Ctx(admin()).get(), req, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].id(), replies[0].id());
  }
  EXPECT_EQ(CountRows(db(), "cooperatives"), before + 1);
}

TEST_F(CooperativesTest, DuplicateUsccIsAlreadyExists) {
  auto req = ValidCreate();
  mv1::Cooperative out;
  ASSERT_TRUE(stub().CreateCooperative(Ctx(admin()).get(), req, &out).ok());
  req.set_request_id(NewRequestId());
  EXPECT_EQ(stub().CreateCooperative(Ctx(admin()).get(), req, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(CooperativesTest, UpdateAppliesTheMaskAndChecksTheEtag) {
  const auto coop = CreateCooperative();
  mv1::UpdateCooperativeRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_cooperative()->set_id(coop.id());
  update.mutable_cooperative()->set_name("新名字合作社");
  update.mutable_cooperative()->set_service_fee_bps(999);  // not in the mask: ignored
  update.mutable_cooperative()->set_etag(coop.etag());
  update.mutable_update_mask()->add_paths("name");
  mv1::Cooperative updated;
  ASSERT_TRUE(stub().UpdateCooperative(Ctx(admin()).get(), update, &updated).ok());
  EXPECT_EQ(updated.name(), "新名字合作社");
  EXPECT_EQ(updated.service_fee_bps(), coop.service_fee_bps());
  EXPECT_NE(updated.etag(), coop.etag());

  // The old etag is stale now.
  update.set_request_id(NewRequestId());
  update.mutable_cooperative()->set_name("第三个名字");
  grpc::Status s = stub().UpdateCooperative(Ctx(admin()).get(), update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ErrorReason(s), "ETAG_MISMATCH");

  // Paths that are not updatable, and bad values, are INVALID_ARGUMENT.
  update.set_request_id(NewRequestId());
  update.mutable_cooperative()->clear_etag();
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("uscc");
  EXPECT_EQ(ViolatedFields(stub().UpdateCooperative(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"update_mask"});
  update.set_request_id(NewRequestId());
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("fiscal_year_end_month");
  update.mutable_cooperative()->set_fiscal_year_end_month(13);
  EXPECT_EQ(ViolatedFields(stub().UpdateCooperative(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"cooperative.fiscal_year_end_month"});
}

TEST_F(CooperativesTest, ListPagesWithKeysetTokensAndClampsPageSize) {
  for (int i = 0; i < 5; ++i) CreateCooperative(absl::StrCat("分页合作社", i));
  mv1::ListCooperativesRequest list;
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (int pages = 0; pages < 100; ++pages) {
    mv1::ListCooperativesResponse page;
    ASSERT_TRUE(stub().ListCooperatives(Ctx(admin()).get(), list, &page).ok());
    EXPECT_LE(page.cooperatives_size(), 2);
    for (const auto& c : page.cooperatives()) seen.push_back(c.id());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_GE(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());

  // A token is bound to its filters; a negative page size is refused; a huge one is clamped.
  mv1::ListCooperativesResponse out;
  list.set_region_code_prefix("53");
  EXPECT_EQ(ViolatedFields(stub().ListCooperatives(Ctx(admin()).get(), list, &out)),
            std::vector<std::string>{"page_token"});
  mv1::ListCooperativesRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(ViolatedFields(stub().ListCooperatives(Ctx(admin()).get(), negative, &out)),
            std::vector<std::string>{"page_size"});
  mv1::ListCooperativesRequest huge;
  huge.set_page_size(100000);
  EXPECT_TRUE(stub().ListCooperatives(Ctx(admin()).get(), huge, &out).ok());
}

}  // namespace
}  // namespace cooplink::testing
