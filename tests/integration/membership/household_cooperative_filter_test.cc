// ListHouseholdsRequest.cooperative_id through real gRPC against the real MariaDB: only households
// with a member (any state) in the cooperative, ANDed with the other filters and with the caller's
// scope, which it never widens.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/str_format.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

using ::grpc::StatusCode;

class HouseholdCooperativeFilterTest : public MembershipFixture {
 protected:
  static std::string NewVillage() { return absl::StrFormat("530828%06d", NextSequence()); }

  // Ids of every household the caller lists with `req` (all pages).
  std::set<std::string> ListAll(const std::string& token, mv1::ListHouseholdsRequest req) {
    std::set<std::string> ids;
    req.set_page_size(1);
    for (int page = 0; page < 20; ++page) {
      mv1::ListHouseholdsResponse resp;
      grpc::Status s = stub().ListHouseholds(Ctx(token).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const auto& h : resp.households()) ids.insert(h.id());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return ids;
  }
  static mv1::ListHouseholdsRequest ByCooperative(const std::string& cooperative_id,
                                                  const std::string& prefix = "530828") {
    mv1::ListHouseholdsRequest req;
    req.set_cooperative_id(cooperative_id);
    req.set_village_code_prefix(prefix);
    return req;
  }
};

TEST_F(HouseholdCooperativeFilterTest, OnlyHouseholdsWithAMemberInTheCooperativeInAnyState) {
  const mv1::Cooperative a = CreateCooperative("勐海县布朗山茶农专业合作社");
  const mv1::Cooperative b = CreateCooperative("勐海县南糯山茶农专业合作社");
  const std::string v1 = NewVillage(), v2 = NewVillage();
  const mv1::Household in_a = CreateHousehold(v1);
  const mv1::Household leaving_a = CreateHousehold(v2);
  const mv1::Household in_b = CreateHousehold(v1);
  const mv1::Household memberless = CreateHousehold(v1);
  CreateMember(a.id(), in_a.id());
  const mv1::Member leaving = CreateMember(a.id(), leaving_a.id());
  CreateMember(a.id(), CreateHousehold(v2).id(), /*is_farmer=*/true);
  CreateMember(b.id(), in_b.id());
  {
    mv1::RequestMemberExitRequest req;
    req.set_request_id(NewRequestId());
    req.set_member_id(leaving.id());
    mv1::Member out;
    ASSERT_TRUE(stub().RequestMemberExit(Ctx(admin()).get(), req, &out).ok());
    ASSERT_EQ(out.state(), mv1::MEMBER_STATE_EXIT_REQUESTED);
  }

  std::set<std::string> listed = ListAll(admin(), ByCooperative(a.id()));
  EXPECT_TRUE(listed.count(in_a.id()));
  EXPECT_TRUE(listed.count(leaving_a.id()));  // EXIT_REQUESTED still counts
  EXPECT_FALSE(listed.count(in_b.id()));
  EXPECT_FALSE(listed.count(memberless.id()));
  EXPECT_EQ(listed.size(), 3u);
  // ANDed with the village prefix.
  EXPECT_EQ(ListAll(admin(), ByCooperative(a.id(), v1)), std::set<std::string>{in_a.id()});
  EXPECT_EQ(ListAll(admin(), ByCooperative(b.id(), v2)), std::set<std::string>{});
  EXPECT_EQ(ListAll(admin(), ByCooperative(b.id())), std::set<std::string>{in_b.id()});
  // ANDed with the category.
  mv1::ListHouseholdsRequest at_risk = ByCooperative(a.id());
  at_risk.set_monitoring_category(mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK);
  EXPECT_TRUE(ListAll(admin(), at_risk).empty());
  // An unknown cooperative lists nothing; a malformed id is refused.
  EXPECT_TRUE(ListAll(admin(), ByCooperative("01ARZ3NDEKTSV4RRFFQ69G5FAV")).empty());
  mv1::ListHouseholdsResponse resp;
  grpc::Status s = stub().ListHouseholds(Ctx(admin()).get(), ByCooperative("not-an-id"), &resp);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"cooperative_id"});
}

TEST_F(HouseholdCooperativeFilterTest, ThePageTokenIsBoundToTheCooperative) {
  const mv1::Cooperative a = CreateCooperative("澜沧县景迈山茶农专业合作社");
  const std::string village = NewVillage();
  CreateMember(a.id(), CreateHousehold(village).id());
  CreateMember(a.id(), CreateHousehold(village).id());
  mv1::ListHouseholdsRequest req = ByCooperative(a.id(), village);
  req.set_page_size(1);
  mv1::ListHouseholdsResponse first;
  ASSERT_TRUE(stub().ListHouseholds(Ctx(admin()).get(), req, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  req.set_page_token(first.next_page_token());
  req.set_cooperative_id("");
  mv1::ListHouseholdsResponse second;
  EXPECT_EQ(stub().ListHouseholds(Ctx(admin()).get(), req, &second).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(HouseholdCooperativeFilterTest, TheFilterNeverWidensTheCallersScope) {
  const mv1::Cooperative a = CreateCooperative("双江县勐库茶农专业合作社");
  const mv1::Cooperative other = CreateCooperative("双江县冰岛茶农专业合作社");
  const std::string assigned = NewVillage(), unassigned = NewVillage();
  const mv1::Household near = CreateHousehold(assigned);
  const mv1::Household far = CreateHousehold(unassigned);
  CreateMember(a.id(), near.id());
  CreateMember(a.id(), far.id());

  // A cooperative admin of another cooperative sees none of them.
  EXPECT_TRUE(ListAll(CoopAdminToken(other.id()), ByCooperative(a.id())).empty());
  // The cooperative's own admin sees both.
  EXPECT_EQ(ListAll(CoopAdminToken(a.id()), ByCooperative(a.id())),
            (std::set<std::string>{near.id(), far.id()}));
  // A social worker assigned to one village sees only that village's household, even when
  // assigned to the cooperative too (households are reached through villages).
  const mv1::SocialWorker worker = CreateSocialWorker();
  AssignVillage(worker.id(), assigned);
  AssignCooperative(worker.id(), a.id());
  EXPECT_EQ(ListAll(WorkerToken(worker.id()), ByCooperative(a.id())),
            std::set<std::string>{near.id()});
  // A worker without assignments sees nothing.
  EXPECT_TRUE(ListAll(WorkerToken(CreateSocialWorker().id()), ByCooperative(a.id())).empty());
}

}  // namespace
}  // namespace cooplink::testing
