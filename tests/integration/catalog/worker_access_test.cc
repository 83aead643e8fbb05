// A social worker's access in catalog follows membership at once (issue 8, item 8), through real
// gRPC against a real membership server and the real MariaDB: an assignment works on the very next
// catalog call, an UnassignSocialWorker refuses the very next call (reads and writes: NOT_FOUND,
// the scope convention), a new assignment restores it on the next call, and an open
// WatchCatalogChanges stream follows the caseload from its next batch. No test sleeps: every
// call is made right after membership acknowledged the change, and each starts by reading as the
// worker, so a cache in catalog would still hold the old caseload and fail the test.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

using Stub = cv1::CatalogService::Stub;
using MStub = mv1::MembershipService::Stub;
using grpc::StatusCode;

// One WatchCatalogChanges stream with its own context.
class Watch {
 public:
  Watch(Stub& stub, const std::string& token) {
    ctx_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    reader_ = stub.WatchCatalogChanges(&ctx_, cv1::WatchCatalogChangesRequest());
  }
  ~Watch() {
    ctx_.TryCancel();
    cv1::CatalogChange ignored;
    while (reader_->Read(&ignored)) {
    }
    (void)reader_->Finish();
  }
  // The id of the product of the next change that is not a heartbeat; nullopt if the stream ended.
  std::optional<std::string> NextProductId() {
    cv1::CatalogChange change;
    while (reader_->Read(&change)) {
      if (change.kind() != cv1::CATALOG_CHANGE_KIND_HEARTBEAT) return change.product().id();
    }
    return std::nullopt;
  }
  // The product id of the next change of a product not in `skip` (a write may record more than
  // one change of its product); nullopt if the stream ended.
  std::optional<std::string> NextProductIdBut(const std::set<std::string>& skip) {
    while (auto id = NextProductId()) {
      if (skip.count(*id) == 0) return id;
    }
    return std::nullopt;
  }
  // Reads changes until one of `product_id`; false if the stream ended first.
  bool ReadUntil(const std::string& product_id) {
    while (auto id = NextProductId()) {
      if (*id == product_id) return true;
    }
    return false;
  }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<cv1::CatalogChange>> reader_;
};

class WorkerAccessTest : public CatalogFixture {
 protected:
  struct Worker {
    std::string id;     // social_worker_id
    std::string token;  // its principal's bearer token
  };

  Worker NewWorker() {
    mv1::CreateSocialWorkerRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_social_worker()->set_name("赵社工");
    req.mutable_social_worker()->set_organization("澜沧县社会工作服务中心");
    req.mutable_social_worker()->set_county_code("530828");
    mv1::SocialWorker worker;
    grpc::Status s = members().CreateSocialWorker(Ctx(admin()).get(), req, &worker);
    EXPECT_TRUE(s.ok()) << s.error_message();
    mv1::CreatePrincipalRequest create;
    create.set_request_id(NewRequestId());
    create.mutable_principal()->set_display_name("赵社工");
    create.mutable_principal()->set_role(common::v1::ROLE_SOCIAL_WORKER);
    create.mutable_principal()->set_social_worker_id(worker.id());
    mv1::Principal principal;
    s = members().CreatePrincipal(Ctx(admin()).get(), create, &principal);
    EXPECT_TRUE(s.ok()) << s.error_message();
    mv1::IssueTokenRequest issue;
    issue.set_request_id(NewRequestId());
    issue.set_principal_id(principal.id());
    mv1::IssueTokenResponse issued;
    s = members().IssueToken(Ctx(admin()).get(), issue, &issued);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {worker.id(), issued.token()};
  }
  // Returns the assignment id.
  std::string Assign(const Worker& worker, const std::string& cooperative_id) {
    mv1::AssignSocialWorkerRequest req;
    req.set_request_id(NewRequestId());
    req.set_social_worker_id(worker.id);
    req.set_cooperative_id(cooperative_id);
    mv1::Assignment out;
    grpc::Status s = members().AssignSocialWorker(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.state(), mv1::ASSIGNMENT_STATE_ACTIVE);
    return out.id();
  }
  void Unassign(const std::string& assignment_id) {
    mv1::UnassignSocialWorkerRequest req;
    req.set_request_id(NewRequestId());
    req.set_assignment_id(assignment_id);
    mv1::Assignment out;
    grpc::Status s = members().UnassignSocialWorker(Ctx(admin()).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(out.state(), mv1::ASSIGNMENT_STATE_ENDED);
  }

  // A DRAFT product of the world (created by its admin), submitted by its member for review.
  cv1::Product SubmittedProduct(const CoopWorld& world) {
    cv1::Product product = CreatedProduct(world);
    cv1::SubmitProductRequest submit;
    submit.set_request_id(NewRequestId());
    submit.set_product_id(product.id());
    grpc::Status s = catalog().SubmitProduct(Ctx(world.member_token).get(), submit, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return product;
  }
  cv1::Product CreatedProduct(const CoopWorld& world) {
    cv1::CreateProductRequest create;
    create.set_request_id(NewRequestId());
    *create.mutable_product() = ProductBody(world);
    cv1::Product product;
    grpc::Status s = catalog().CreateProduct(Ctx(world.admin_token).get(), create, &product);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return product;
  }

  grpc::Status Get(const std::string& token, const std::string& id) {
    cv1::GetProductRequest req;
    req.set_id(id);
    cv1::Product out;
    return catalog().GetProduct(Ctx(token).get(), req, &out);
  }
  grpc::Status Approve(const std::string& token, const std::string& id,
                       const std::string& request_id, cv1::Product* out) {
    cv1::ApproveProductRequest req;
    req.set_request_id(request_id);
    req.set_product_id(id);
    return catalog().ApproveProduct(Ctx(token).get(), req, out);
  }
  grpc::Status Retitle(const std::string& token, const std::string& id, const std::string& title) {
    cv1::UpdateProductRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_product()->set_id(id);
    req.mutable_product()->set_title(title);
    req.mutable_update_mask()->add_paths("title");
    cv1::Product out;
    return catalog().UpdateProduct(Ctx(token).get(), req, &out);
  }
  grpc::Status Stock(const std::string& token, const std::string& id) {
    cv1::GetStockRequest req;
    req.set_product_id(id);
    cv1::Stock out;
    return catalog().GetStock(Ctx(token).get(), req, &out);
  }
  std::vector<std::string> ListedIds(const std::string& token) {
    cv1::ListProductsRequest req;
    req.set_page_size(500);
    cv1::ListProductsResponse out;
    grpc::Status s = catalog().ListProducts(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& p : out.products()) ids.push_back(p.id());
    return ids;
  }
  cv1::Product AsAdmin(const std::string& id) {
    cv1::GetProductRequest req;
    req.set_id(id);
    cv1::Product out;
    grpc::Status s = catalog().GetProduct(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

void ExpectNotFound(const grpc::Status& s, const char* what) {
  EXPECT_EQ(s.error_code(), StatusCode::NOT_FOUND) << what << ": " << s.error_message();
  EXPECT_EQ(ErrorReason(s), "NOT_FOUND") << what;
}

TEST_F(WorkerAccessTest, AnAssignmentWorksOnTheVeryNextCall) {
  const CoopWorld world = NewCoop();
  const cv1::Product product = SubmittedProduct(world);
  const Worker worker = NewWorker();
  // Not assigned yet: the product does not exist for the worker, and it cannot approve it.
  ExpectNotFound(Get(worker.token, product.id()), "GetProduct before the assignment");
  cv1::Product out;
  ExpectNotFound(Approve(worker.token, product.id(), NewRequestId(), &out),
                 "ApproveProduct before the assignment");

  Assign(worker, world.cooperative.id());
  grpc::Status approved = Approve(worker.token, product.id(), NewRequestId(), &out);
  ASSERT_TRUE(approved.ok()) << approved.error_message() << " [" << ErrorReason(approved) << "]";
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_ACTIVE);
  EXPECT_TRUE(Get(worker.token, product.id()).ok());
}

TEST_F(WorkerAccessTest, AnUnassignedWorkerIsRefusedOnTheVeryNextCall) {
  const CoopWorld world = NewCoop();
  const cv1::Product draft = CreatedProduct(world);        // the worker helps edit it
  const cv1::Product submitted = SubmittedProduct(world);  // the worker may review it
  const Worker worker = NewWorker();
  const std::string assignment = Assign(worker, world.cooperative.id());
  // The worker reads and edits (any cache would now hold this caseload).
  ASSERT_TRUE(Get(worker.token, submitted.id()).ok());
  grpc::Status edited = Retitle(worker.token, draft.id(), "景迈山古树普洱茶饼（社工整理）");
  ASSERT_TRUE(edited.ok()) << edited.error_message() << " [" << ErrorReason(edited) << "]";
  ASSERT_TRUE(Stock(worker.token, submitted.id()).ok());
  EXPECT_EQ(ListedIds(worker.token), (std::vector<std::string>{draft.id(), submitted.id()}));

  Unassign(assignment);
  // Each of these is the first catalog call of its kind after membership acknowledged the
  // unassignment.
  ExpectNotFound(Get(worker.token, submitted.id()), "GetProduct");
  ExpectNotFound(Retitle(worker.token, draft.id(), "被移除的社工改的标题"), "UpdateProduct");
  const std::string approve_id = NewRequestId();
  cv1::Product out;
  ExpectNotFound(Approve(worker.token, submitted.id(), approve_id, &out), "ApproveProduct");
  ExpectNotFound(Stock(worker.token, submitted.id()), "GetStock");
  EXPECT_TRUE(ListedIds(worker.token).empty());
  // The refused calls wrote nothing.
  EXPECT_EQ(AsAdmin(submitted.id()).state(), cv1::PRODUCT_STATE_SUBMITTED);
  EXPECT_EQ(AsAdmin(draft.id()).title(), "景迈山古树普洱茶饼（社工整理）");

  // Assigned again: the next call works, and the refused request_id was not remembered.
  Assign(worker, world.cooperative.id());
  grpc::Status approved = Approve(worker.token, submitted.id(), approve_id, &out);
  ASSERT_TRUE(approved.ok()) << approved.error_message() << " [" << ErrorReason(approved) << "]";
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_ACTIVE);
}

// Only the unassigned cooperative goes: the worker's other assignment keeps working.
TEST_F(WorkerAccessTest, UnassigningOneCooperativeKeepsTheOthers) {
  const CoopWorld kept = NewCoop();
  const CoopWorld lost = NewCoop();
  const cv1::Product kept_product = SubmittedProduct(kept);
  const cv1::Product lost_product = SubmittedProduct(lost);
  const Worker worker = NewWorker();
  Assign(worker, kept.cooperative.id());
  const std::string assignment = Assign(worker, lost.cooperative.id());
  ASSERT_TRUE(Get(worker.token, lost_product.id()).ok());

  Unassign(assignment);
  ExpectNotFound(Get(worker.token, lost_product.id()), "GetProduct of the unassigned cooperative");
  cv1::Product out;
  EXPECT_TRUE(Approve(worker.token, kept_product.id(), NewRequestId(), &out).ok());
  EXPECT_EQ(ListedIds(worker.token), std::vector<std::string>{kept_product.id()});
}

// An open stream reads the caseload again before each batch. A change of the still-assigned
// cooperative, made after the unassignment and received, marks a batch boundary: every change
// made after that is examined by a later batch, which must leave the unassigned cooperative out.
TEST_F(WorkerAccessTest, AnOpenWatchStreamFollowsTheCaseloadFromItsNextBatch) {
  const CoopWorld kept = NewCoop();
  const CoopWorld moving = NewCoop();
  const Worker worker = NewWorker();
  Assign(worker, kept.cooperative.id());
  const std::string assignment = Assign(worker, moving.cooperative.id());
  auto stub = NewCatalogStub();
  Watch watch(*stub, worker.token);
  const cv1::Product before = CreatedProduct(moving);
  ASSERT_TRUE(watch.ReadUntil(before.id())) << "the assigned cooperative's change is delivered";

  Unassign(assignment);
  const cv1::Product barrier = CreatedProduct(kept);
  ASSERT_TRUE(watch.ReadUntil(barrier.id()));
  const cv1::Product hidden = CreatedProduct(moving);
  const cv1::Product visible = CreatedProduct(kept);
  EXPECT_EQ(watch.NextProductIdBut({barrier.id()}), visible.id()) << "not " << hidden.id();

  Assign(worker, moving.cooperative.id());
  const cv1::Product barrier2 = CreatedProduct(kept);
  ASSERT_TRUE(watch.ReadUntil(barrier2.id()));
  const cv1::Product back = CreatedProduct(moving);
  EXPECT_EQ(watch.NextProductIdBut({barrier2.id()}), back.id());
}

}  // namespace
}  // namespace cooplink::testing
