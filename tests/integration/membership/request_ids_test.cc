// request_id is scoped to the calling principal AND the RPC (protos: "scoped to the calling
// principal and the RPC"): a client that numbers its requests per RPC must not lose writes, and
// the same id on the same RPC with another body is still REQUEST_ID_REUSED.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

class RequestIdsTest : public MembershipFixture {
 protected:
  mv1::CreateHouseholdRequest Household(const std::string& request_id, const std::string& head) {
    mv1::CreateHouseholdRequest req;
    req.set_request_id(request_id);
    auto* h = req.mutable_household();
    h->set_village_code("530828100201");
    h->set_head_name(head);
    h->set_resident_size(3);
    h->set_ethnicity("拉祜族");
    return req;
  }
  mv1::CreateSocialWorkerRequest Worker(const std::string& request_id) {
    mv1::CreateSocialWorkerRequest req;
    req.set_request_id(request_id);
    auto* w = req.mutable_social_worker();
    w->set_name("李社工");
    w->set_organization("澜沧县社会工作服务中心");
    w->set_phone(absl::StrCat("137", absl::StrFormat("%08d", NextSequence())));
    w->set_county_code("530828");
    return req;
  }
};

TEST_F(RequestIdsTest, TheSameRequestIdOnAnotherRpcIsAnotherRequest) {
  const std::string key = NewRequestId();
  const int64_t households = CountRows(db(), "households");
  const int64_t workers = CountRows(db(), "social_workers");

  mv1::Household household;
  grpc::Status s = stub().CreateHousehold(Ctx(admin()).get(), Household(key, "扎约"), &household);
  ASSERT_TRUE(s.ok()) << s.error_message();
  mv1::SocialWorker worker;
  s = stub().CreateSocialWorker(Ctx(admin()).get(), Worker(key), &worker);
  ASSERT_TRUE(s.ok()) << s.error_message();

  EXPECT_FALSE(household.id().empty());
  EXPECT_FALSE(worker.id().empty());
  EXPECT_EQ(CountRows(db(), "households"), households + 1);
  EXPECT_EQ(CountRows(db(), "social_workers"), workers + 1);
}

TEST_F(RequestIdsTest, TheSameRequestIdOnTheSameRpcWithAnotherBodyIsReused) {
  const std::string key = NewRequestId();
  mv1::Household first;
  grpc::Status s = stub().CreateHousehold(Ctx(admin()).get(), Household(key, "扎约"), &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const int64_t households = CountRows(db(), "households");

  mv1::Household second;
  s = stub().CreateHousehold(Ctx(admin()).get(), Household(key, "娜倮"), &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "households"), households);

  // The identical request still replays the first reply.
  mv1::Household replay;
  s = stub().CreateHousehold(Ctx(admin()).get(), Household(key, "扎约"), &replay);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(replay.id(), first.id());
  EXPECT_EQ(CountRows(db(), "households"), households);
}

}  // namespace
}  // namespace cooplink::testing
