// Catalog's client of membership (GrpcMembershipDirectory) against a real membership server:
// answers, preserved status codes, the caseload cache and an unreachable membership.
#include "services/catalog/membership_directory.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

class MembershipDirectoryTest : public CatalogFixture {
 protected:
  std::unique_ptr<catalog::GrpcMembershipDirectory> Directory(absl::Duration ttl) {
    return std::make_unique<catalog::GrpcMembershipDirectory>(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*membership_)->port()),
                            grpc::InsecureChannelCredentials()),
        admin(), clock_, ttl, absl::Seconds(2));
  }
  mv1::SocialWorker NewWorker() {
    mv1::CreateSocialWorkerRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_social_worker()->set_name("缓存测试社工");
    req.mutable_social_worker()->set_county_code("530828");
    mv1::SocialWorker out;
    EXPECT_TRUE(members().CreateSocialWorker(Ctx(admin()).get(), req, &out).ok());
    return out;
  }
};

CallContext Background() { return CallContext::Internal(Principal{}); }

TEST_F(MembershipDirectoryTest, AnswersComeFromMembership) {
  const CoopWorld world = NewCoop();
  const PartnerWorld partner = NewPartner(common::v1::CHANNEL_KIND_PLATFORM_832);
  auto directory = Directory(absl::ZeroDuration());

  auto coop = directory->GetCooperative(Background(), world.cooperative.id());
  ASSERT_TRUE(coop.ok()) << coop.status();
  EXPECT_EQ(coop->region_code, "530828");
  auto p = directory->GetPartner(Background(), partner.partner.id());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->channel_kind, common::v1::CHANNEL_KIND_PLATFORM_832);
  EXPECT_TRUE(*directory->HouseholdIsActiveMember(Background(), world.cooperative.id(), world.household.id()));
  const CoopWorld other = NewCoop();
  EXPECT_FALSE(*directory->HouseholdIsActiveMember(Background(), other.cooperative.id(), world.household.id()));
  // Membership's NOT_FOUND stays NOT_FOUND (not flattened to INTERNAL/UNKNOWN).
  EXPECT_EQ(directory->GetCooperative(Background(), "01ARZ3NDEKTSV4RRFFQ69G5FAV").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(MembershipDirectoryTest, CaseloadsAreCachedForTheirTtl) {
  const CoopWorld world = NewCoop();
  const mv1::SocialWorker worker = NewWorker();
  auto directory = Directory(absl::Seconds(5));
  EXPECT_TRUE(directory->WorkerCooperatives(Background(), worker.id())->empty());

  mv1::AssignSocialWorkerRequest assign;
  assign.set_request_id(NewRequestId());
  assign.set_social_worker_id(worker.id());
  assign.set_cooperative_id(world.cooperative.id());
  mv1::Assignment assignment;
  ASSERT_TRUE(members().AssignSocialWorker(Ctx(admin()).get(), assign, &assignment).ok());

  EXPECT_TRUE(directory->WorkerCooperatives(Background(), worker.id())->empty());  // still cached
  const absl::Time start = clock_->Now();
  clock_->Advance(absl::Seconds(6));
  EXPECT_EQ(*directory->WorkerCooperatives(Background(), worker.id()),
            std::vector<std::string>{world.cooperative.id()});
  clock_->Set(start);
}

TEST_F(MembershipDirectoryTest, UnreachableMembershipIsUnavailable) {
  catalog::GrpcMembershipDirectory directory(
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()), admin(), clock_,
      absl::ZeroDuration(), absl::Milliseconds(500));
  EXPECT_EQ(directory.GetPartner(Background(), "01ARZ3NDEKTSV4RRFFQ69G5FAV").status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cooplink::testing
