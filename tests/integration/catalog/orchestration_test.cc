// Catalog's domain class against the real MariaDB with membership replaced by a gMock: what
// catalog does with each membership answer, including membership being unreachable. (The
// integration suites run the real membership server; this one pins down the orchestration.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/catalog/catalog.h"
#include "services/catalog/catalog_server.h"
#include "services/common/ids.h"
#include "services/common/status.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {
namespace {

namespace cv1 = ::cooplink::catalog::v1;
using ::testing::_;
using ::testing::Return;

class MockDirectory : public MembershipDirectory {
 public:
  MOCK_METHOD(absl::StatusOr<std::vector<std::string>>, WorkerCooperatives,
              (const CallContext&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<bool>, HouseholdIsActiveMember,
              (const CallContext&, const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<CooperativeInfo>, GetCooperative,
              (const CallContext&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<PartnerInfo>, GetPartner, (const CallContext&, const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<WorkerCaseloadInfo>, WorkerCaseload,
              (const CallContext&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<HouseholdInfo>, GetHousehold, (const CallContext&, const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<HouseholdPage>, ListHouseholds,
              (const CallContext&, const std::string&, const std::string&, const std::string&,
               int32_t),
              (override));
  MOCK_METHOD(absl::StatusOr<std::vector<MemberInfo>>, ListMembers,
              (const CallContext&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<CapitalContributionInfo>>, ListCapitalContributions,
              (const CallContext&, const std::string&), (override));
};

class CatalogOrchestrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new DbConfig(TestDbConfig("test_catalog_orchestration"));
    ASSERT_TRUE(catalog::MigrateCatalog(*config_).ok());
  }
  static void TearDownTestSuite() { delete config_; }

  void SetUp() override {
    auto db = Database::Open(*config_);
    ASSERT_TRUE(db.ok());
    db_ = *std::move(db);
    catalog_ = std::make_unique<catalog::Catalog>(db_.get(), &directory_, &clock_);
    coop_ = NewId(clock_.Now());
    household_ = NewId(clock_.Now());
    admin_.id = NewId(clock_.Now());
    admin_.role = Role::kCooperativeAdmin;
    admin_.cooperative_id = coop_;
  }

  cv1::CreateProductRequest Create() {
    cv1::CreateProductRequest req;
    req.set_request_id(NewRequestId());
    auto* p = req.mutable_product();
    p->set_cooperative_id(coop_);
    p->set_household_id(household_);
    p->set_title("勐海熟普洱");
    p->set_category(cv1::PRODUCT_CATEGORY_PROCESSED_TEA);
    p->mutable_unit()->set_kind(cv1::UNIT_KIND_CAKE);
    p->mutable_price()->set_fen(19800);
    p->set_min_order_quantity(1);
    p->set_origin_region_code("532822");
    return req;
  }

  static DbConfig* config_;
  std::unique_ptr<Database> db_;
  MockDirectory directory_;
  FakeClock clock_{
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), absl::FixedTimeZone(8 * 3600))};
  std::unique_ptr<catalog::Catalog> catalog_;
  std::string coop_, household_;
  Principal admin_;
};
DbConfig* CatalogOrchestrationTest::config_ = nullptr;

TEST_F(CatalogOrchestrationTest, UnreachableMembershipIsUnavailableAndWritesNothing) {
  EXPECT_CALL(directory_, HouseholdIsActiveMember(_, coop_, household_))
      .WillOnce(Return(absl::UnavailableError("membership is down")));
  const int64_t products = CountRows(*db_, "products");
  const int64_t keys = CountRows(*db_, "idempotency_keys");
  cv1::Product out;
  absl::Status s = catalog_->CreateProduct(CallContext::Internal(admin_), Create(), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CountRows(*db_, "products"), products);
  EXPECT_EQ(CountRows(*db_, "idempotency_keys"), keys);  // a retry will run afresh
}

TEST_F(CatalogOrchestrationTest, ProducerMustBeAnActiveMemberHousehold) {
  EXPECT_CALL(directory_, HouseholdIsActiveMember(_, coop_, household_)).WillOnce(Return(false));
  const int64_t before = CountRows(*db_, "products");
  cv1::Product out;
  absl::Status s = catalog_->CreateProduct(CallContext::Internal(admin_), Create(), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "PRODUCER_NOT_MEMBER");
  EXPECT_EQ(CountRows(*db_, "products"), before);
}

TEST_F(CatalogOrchestrationTest, SocialWorkerScopeComesFromItsCaseload) {
  EXPECT_CALL(directory_, HouseholdIsActiveMember(_, coop_, household_)).WillOnce(Return(true));
  cv1::Product product;
  ASSERT_TRUE(catalog_->CreateProduct(CallContext::Internal(admin_), Create(), &product).ok());
  cv1::SubmitProductRequest submit;
  submit.set_request_id(NewRequestId());
  submit.set_product_id(product.id());
  ASSERT_TRUE(catalog_->SubmitProduct(CallContext::Internal(admin_), submit, &product).ok());

  Principal worker;
  worker.id = NewId(clock_.Now());
  worker.role = Role::kSocialWorker;
  worker.social_worker_id = NewId(clock_.Now());
  EXPECT_CALL(directory_, WorkerCooperatives(_, worker.social_worker_id))
      .WillOnce(Return(std::vector<std::string>{"01OTHERCOOP000000000000000"}))
      .WillOnce(Return(std::vector<std::string>{coop_}));
  cv1::ApproveProductRequest approve;
  approve.set_request_id(NewRequestId());
  approve.set_product_id(product.id());
  // Not in the caseload: the product does not exist for this worker.
  EXPECT_EQ(catalog_->ApproveProduct(CallContext::Internal(worker), approve, &product).code(),
            absl::StatusCode::kNotFound);
  // Assigned now: the worker reviews it (it did not submit it).
  approve.set_request_id(NewRequestId());
  absl::Status s = catalog_->ApproveProduct(CallContext::Internal(worker), approve, &product);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(product.state(), cv1::PRODUCT_STATE_ACTIVE);
}

TEST_F(CatalogOrchestrationTest, OfferToAnUnknownPartnerIsARefusedReference) {
  EXPECT_CALL(directory_, HouseholdIsActiveMember(_, _, _)).WillOnce(Return(true));
  cv1::Product product;
  ASSERT_TRUE(catalog_->CreateProduct(CallContext::Internal(admin_), Create(), &product).ok());
  EXPECT_CALL(directory_, GetPartner(_, _)).WillOnce(Return(NotFound("partner", "x")));
  cv1::CreateOfferRequest offer;
  offer.set_request_id(NewRequestId());
  offer.mutable_offer()->set_product_id(product.id());
  offer.mutable_offer()->set_partner_id(NewId(clock_.Now()));
  cv1::Offer out;
  absl::Status s = catalog_->CreateOffer(CallContext::Internal(admin_), offer, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(s), "REFERENCED_RESOURCE_NOT_FOUND");
}

}  // namespace
}  // namespace cooplink::testing
