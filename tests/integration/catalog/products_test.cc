// Products (lifecycle, review rules, price history, listing) and offers through real gRPC against
// the real MariaDB.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/catalog_fixture.h"

namespace cooplink::testing {
namespace {

using Stub = cv1::CatalogService::Stub;
using grpc::StatusCode;

// The principal id inside a "cl1.<claims>.<mac>" token (claims: token_id|principal_id|...).
std::string PrincipalIdOf(const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string claims;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &claims)) return "";
  std::vector<std::string> fields = absl::StrSplit(claims, '|');
  return fields.size() > 1 ? fields[1] : "";
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

class ProductsBase : public CatalogFixture {
 protected:
  grpc::Status Create(const std::string& token, const cv1::Product& body, cv1::Product* out,
                      const std::string& request_id = NewRequestId()) {
    cv1::CreateProductRequest req;
    req.set_request_id(request_id);
    *req.mutable_product() = body;
    return catalog().CreateProduct(Ctx(token).get(), req, out);
  }
  cv1::Product MustCreate(const std::string& token, const cv1::Product& body) {
    cv1::Product out;
    grpc::Status s = Create(token, body, &out);
    EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    return out;
  }
  grpc::Status Get(const std::string& token, const std::string& id, cv1::Product* out = nullptr) {
    cv1::GetProductRequest req;
    req.set_id(id);
    cv1::Product ignored;
    return catalog().GetProduct(Ctx(token).get(), req, out != nullptr ? out : &ignored);
  }
  template <typename Req>
  grpc::Status Lifecycle(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&,
                                                      cv1::Product*),
                         const std::string& token, const std::string& product_id,
                         cv1::Product* out = nullptr, const std::string& reason = "") {
    Req req;
    req.set_request_id(NewRequestId());
    req.set_product_id(product_id);
    if constexpr (requires(Req r) { r.set_reason(""); }) req.set_reason(reason);
    cv1::Product ignored;
    return (catalog().*method)(Ctx(token).get(), req, out != nullptr ? out : &ignored);
  }
  grpc::Status Submit(const std::string& t, const std::string& id, cv1::Product* o = nullptr) {
    return Lifecycle(&Stub::SubmitProduct, t, id, o);
  }
  grpc::Status Approve(const std::string& t, const std::string& id, cv1::Product* o = nullptr) {
    return Lifecycle(&Stub::ApproveProduct, t, id, o);
  }
  grpc::Status Reject(const std::string& t, const std::string& id, const std::string& reason,
                      cv1::Product* o = nullptr) {
    return Lifecycle(&Stub::RejectProduct, t, id, o, reason);
  }
  grpc::Status Pause(const std::string& t, const std::string& id, cv1::Product* o = nullptr) {
    return Lifecycle(&Stub::PauseProduct, t, id, o, "out of season");
  }
  grpc::Status Resume(const std::string& t, const std::string& id, cv1::Product* o = nullptr) {
    return Lifecycle(&Stub::ResumeProduct, t, id, o);
  }
  grpc::Status Archive(const std::string& t, const std::string& id, cv1::Product* o = nullptr) {
    return Lifecycle(&Stub::ArchiveProduct, t, id, o, "discontinued");
  }
  grpc::Status Update(const std::string& token, const cv1::Product& patch,
                      const std::vector<std::string>& paths, cv1::Product* out = nullptr,
                      const std::string& request_id = NewRequestId()) {
    cv1::UpdateProductRequest req;
    req.set_request_id(request_id);
    *req.mutable_product() = patch;
    for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
    cv1::Product ignored;
    return catalog().UpdateProduct(Ctx(token).get(), req, out != nullptr ? out : &ignored);
  }
  std::vector<std::string> ListIds(const std::string& token, cv1::ListProductsRequest req,
                                   grpc::Status* status = nullptr) {
    std::vector<std::string> ids;
    for (int page = 0; page < 100; ++page) {
      cv1::ListProductsResponse resp;
      grpc::Status s = catalog().ListProducts(Ctx(token).get(), req, &resp);
      if (status != nullptr) *status = s;
      if (!s.ok()) break;
      for (const auto& p : resp.products()) ids.push_back(p.id());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return ids;
  }
  std::vector<std::string> ListIds(const std::string& token) {
    return ListIds(token, cv1::ListProductsRequest());
  }
  static bool Contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }
  grpc::Status CreateOffer(const std::string& token, const std::string& product_id,
                           const std::string& partner_id, cv1::Offer* out = nullptr,
                           int64_t channel_price = 0) {
    cv1::CreateOfferRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_offer()->set_product_id(product_id);
    req.mutable_offer()->set_partner_id(partner_id);
    if (channel_price != 0) req.mutable_offer()->mutable_channel_price()->set_fen(channel_price);
    cv1::Offer ignored;
    return catalog().CreateOffer(Ctx(token).get(), req, out != nullptr ? out : &ignored);
  }
  grpc::Status Withdraw(const std::string& token, const std::string& offer_id,
                        cv1::Offer* out = nullptr) {
    cv1::WithdrawOfferRequest req;
    req.set_request_id(NewRequestId());
    req.set_offer_id(offer_id);
    cv1::Offer ignored;
    return catalog().WithdrawOffer(Ctx(token).get(), req, out != nullptr ? out : &ignored);
  }
  // Restores the suite's clock when a test moved it.
  struct ClockGuard {
    FakeClock* clock;
    absl::Time saved;
    explicit ClockGuard(FakeClock* c) : clock(c), saved(c->Now()) {}
    ~ClockGuard() { clock->Set(saved); }
  };
};

class ProductsTest : public ProductsBase {};
class OffersTest : public ProductsBase {};

// --- Products ----------------------------------------------------------------------------------

TEST_F(ProductsTest, CreateThenGetReturnsADraftToEveryoneInScope) {
  const CoopWorld w = NewCoop();
  const cv1::Product created = MustCreate(w.admin_token, ProductBody(w));
  EXPECT_EQ(created.id().size(), 26u);
  EXPECT_EQ(created.state(), cv1::PRODUCT_STATE_DRAFT);
  EXPECT_EQ(created.title(), "景迈山古树普洱茶饼");
  EXPECT_EQ(created.price().fen(), 28800);
  EXPECT_EQ(created.labels_size(), 1);
  EXPECT_EQ(created.labels(0).language_code(), "en");
  EXPECT_EQ(created.image_urls_size(), 1);
  EXPECT_EQ(created.certifications_size(), 1);
  EXPECT_EQ(created.unit().kind(), cv1::UNIT_KIND_CAKE);
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(absl::FromUnixSeconds(created.create_time().seconds()), clock_->Now());

  const std::string worker = AssignedWorkerToken(w.cooperative.id());
  for (const std::string& token : {admin(), w.admin_token, w.member_token, worker}) {
    cv1::Product fetched;
    ASSERT_TRUE(Get(token, created.id(), &fetched).ok());
    EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
  }
  // Out of scope reads as NOT_FOUND.
  const CoopWorld other = NewCoop();
  const auto second_member = AddMember(w);
  const PartnerWorld partner = NewPartner();
  for (const std::string& token : {other.admin_token, other.member_token, second_member.second,
                                   UnassignedWorkerToken(), partner.token}) {
    EXPECT_EQ(Get(token, created.id()).error_code(), StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Get(admin(), "01ARZ3NDEKTSV4RRFFQ69G5FAV").error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(admin(), "junk").error_code(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProductsTest, EveryEditorRoleMayCreateButPartnersAndStrangersMayNot) {
  const CoopWorld w = NewCoop();
  const std::string worker = AssignedWorkerToken(w.cooperative.id());
  for (const std::string& token : {admin(), w.admin_token, w.member_token, worker}) {
    cv1::Product out;
    grpc::Status s = Create(token, ProductBody(w), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  const int64_t before = CountRows(db(), "products");
  cv1::Product out;
  EXPECT_EQ(Create(NewPartner().token, ProductBody(w), &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(UnassignedWorkerToken(), ProductBody(w), &out).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_EQ(Create(NewCoop().admin_token, ProductBody(w), &out).error_code(),
            StatusCode::NOT_FOUND);
  // A member only for its own household.
  const auto second = AddMember(w);
  grpc::Status s = Create(second.second, ProductBody(w), &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CountRows(db(), "products"), before);
}

TEST_F(ProductsTest, ProducerHouseholdMustHaveAnActiveMemberInTheCooperative) {
  const CoopWorld w = NewCoop();
  const CoopWorld other = NewCoop();
  cv1::Product body = ProductBody(w);
  body.set_household_id(other.household.id());  // a member of another cooperative
  const int64_t before = CountRows(db(), "products");
  cv1::Product out;
  grpc::Status s = Create(admin(), body, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "PRODUCER_NOT_MEMBER");
  EXPECT_EQ(CountRows(db(), "products"), before);
}

TEST_F(ProductsTest, CallsWithoutATokenAreUnauthenticated) {
  const CoopWorld w = NewCoop();
  const cv1::Product p = MustCreate(w.admin_token, ProductBody(w));
  cv1::Product out;
  EXPECT_EQ(Create("", ProductBody(w), &out).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("", p.id()).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Submit("", p.id()).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Approve("cl1.forged.token", p.id()).error_code(), StatusCode::UNAUTHENTICATED);
  cv1::ListProductsResponse listed;
  EXPECT_EQ(catalog().ListProducts(Ctx("").get(), cv1::ListProductsRequest(), &listed).error_code(),
            StatusCode::UNAUTHENTICATED);
  cv1::Offer offer;
  EXPECT_EQ(CreateOffer("", p.id(), p.id(), &offer).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(ProductsTest, BadInputIsRefusedNamingTheFieldAndWritesNothing) {
  const CoopWorld w = NewCoop();
  struct Case {
    const char* name;
    std::function<void(cv1::Product&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"zero price", [](cv1::Product& p) { p.mutable_price()->set_fen(0); }, "product.price.fen"},
      {"negative price", [](cv1::Product& p) { p.mutable_price()->set_fen(-100); },
       "product.price.fen"},
      {"absurd price", [](cv1::Product& p) { p.mutable_price()->set_fen(100'000'001); },
       "product.price.fen"},
      {"negative min order", [](cv1::Product& p) { p.set_min_order_quantity(-1); },
       "product.min_order_quantity"},
      {"min order 10001", [](cv1::Product& p) { p.set_min_order_quantity(10'001); },
       "product.min_order_quantity"},
      {"title 61 chars", [](cv1::Product& p) { p.set_title(std::string(61, 'a')); },
       "product.title"},
      {"title 61 CJK chars",
       [](cv1::Product& p) {
         std::string t;
         for (int i = 0; i < 61; ++i) t += "茶";
         p.set_title(t);
       },
       "product.title"},
      {"empty title", [](cv1::Product& p) { p.set_title("   "); }, "product.title"},
      {"long description", [](cv1::Product& p) { p.set_description(std::string(2001, 'd')); },
       "product.description"},
      {"unknown category",
       [](cv1::Product& p) { p.set_category(static_cast<cv1::ProductCategory>(999)); },
       "product.category"},
      {"no category", [](cv1::Product& p) { p.set_category(cv1::PRODUCT_CATEGORY_UNSPECIFIED); },
       "product.category"},
      {"unknown unit kind",
       [](cv1::Product& p) { p.mutable_unit()->set_kind(static_cast<cv1::UnitKind>(999)); },
       "product.unit.kind"},
      {"sold by weight without weight",
       [](cv1::Product& p) { p.mutable_unit()->set_sold_by_weight(true); },
       "product.unit.unit_weight_grams"},
      {"unit weight 100001 g",
       [](cv1::Product& p) {
         p.mutable_unit()->set_sold_by_weight(true);
         p.mutable_unit()->set_unit_weight_grams(100'001);
       },
       "product.unit.unit_weight_grams"},
      {"region code letters", [](cv1::Product& p) { p.set_origin_region_code("53082X"); },
       "product.origin_region_code"},
      {"region code short", [](cv1::Product& p) { p.set_origin_region_code("5308"); },
       "product.origin_region_code"},
      {"http image", [](cv1::Product& p) { p.add_image_urls("http://img.example/a.jpg"); },
       "product.image_urls[1]"},
      {"ten images",
       [](cv1::Product& p) {
         for (int i = 0; i < 9; ++i) p.add_image_urls("https://img.example/x.jpg");
       },
       "product.image_urls"},
      {"duplicate certification",
       [](cv1::Product& p) { p.add_certifications(cv1::CERTIFICATION_GEOGRAPHICAL_INDICATION); },
       "product.certifications"},
      {"unknown certification",
       [](cv1::Product& p) { p.add_certifications(static_cast<cv1::Certification>(77)); },
       "product.certifications"},
      {"long certificate number",
       [](cv1::Product& p) { p.set_compliance_certificate_number(std::string(65, '1')); },
       "product.compliance_certificate_number"},
      {"bad label language", [](cv1::Product& p) { p.mutable_labels(0)->set_language_code("e"); },
       "product.labels[0].language_code"},
      {"long label title",
       [](cv1::Product& p) { p.mutable_labels(0)->set_title(std::string(101, 't')); },
       "product.labels[0].title"},
      {"too many labels",
       [](cv1::Product& p) {
         for (int i = 0; i < 10; ++i) {
           auto* l = p.add_labels();
           l->set_language_code(std::string("x-") + static_cast<char>('a' + i));
           l->set_title("t");
         }
       },
       "product.labels"},
      {"missing cooperative", [](cv1::Product& p) { p.clear_cooperative_id(); },
       "product.cooperative_id"},
  };
  const int64_t before = CountRows(db(), "products");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    cv1::Product body = ProductBody(w);
    c.mutate(body);
    cv1::Product out;
    grpc::Status s = Create(admin(), body, &out);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{c.field});
  }
  cv1::Product out;
  grpc::Status s = Create(admin(), ProductBody(w), &out, "");
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"request_id"});
  EXPECT_EQ(CountRows(db(), "products"), before);

  // Page sizes: above the maximum is clamped, negative refused.
  for (int i = 0; i < 3; ++i) MustCreate(admin(), ProductBody(w));
  cv1::ListProductsRequest list;
  list.set_page_size(100000);
  cv1::ListProductsResponse resp;
  s = catalog().ListProducts(Ctx(admin()).get(), list, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_LE(resp.products_size(), 500);
  EXPECT_GE(resp.products_size(), 3);
  list.set_page_size(-1);
  s = catalog().ListProducts(Ctx(admin()).get(), list, &resp);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"page_size"});
  list.set_page_size(0);
  list.set_category(static_cast<cv1::ProductCategory>(999));
  EXPECT_EQ(ViolatedFields(catalog().ListProducts(Ctx(admin()).get(), list, &resp)),
            std::vector<std::string>{"category"});
  list.set_category(cv1::PRODUCT_CATEGORY_UNSPECIFIED);
  list.set_page_token("garbage");
  EXPECT_EQ(ViolatedFields(catalog().ListProducts(Ctx(admin()).get(), list, &resp)),
            std::vector<std::string>{"page_token"});
}

TEST_F(ProductsTest, LifecycleRecordsEveryTransitionWithWhoWhenAndWhy) {
  const CoopWorld w = NewCoop();
  const std::string worker = AssignedWorkerToken(w.cooperative.id());
  cv1::Product p = MustCreate(w.admin_token, ProductBody(w));
  cv1::Product out;
  ASSERT_TRUE(Submit(w.member_token, p.id(), &out).ok());
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_SUBMITTED);
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(Reject(admin(), p.id(), "图片不清晰，请补充包装照片", &out).ok());
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_REJECTED);
  EXPECT_EQ(out.rejection_reason(), "图片不清晰，请补充包装照片");
  ASSERT_TRUE(Submit(w.member_token, p.id(), &out).ok());
  EXPECT_EQ(out.rejection_reason(), "");
  ASSERT_TRUE(Approve(worker, p.id(), &out).ok());
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_ACTIVE);
  ASSERT_TRUE(Pause(w.admin_token, p.id(), &out).ok());
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_PAUSED);
  ASSERT_TRUE(Resume(w.admin_token, p.id(), &out).ok());
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_ACTIVE);
  ASSERT_TRUE(Archive(w.admin_token, p.id(), &out).ok());
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_ARCHIVED);

  cv1::ListProductTransitionsRequest req;
  req.set_product_id(p.id());
  cv1::ListProductTransitionsResponse resp;
  ASSERT_TRUE(catalog().ListProductTransitions(Ctx(w.member_token).get(), req, &resp).ok());
  using S = cv1::ProductState;
  const std::vector<std::pair<S, S>> expected = {
      {cv1::PRODUCT_STATE_UNSPECIFIED, cv1::PRODUCT_STATE_DRAFT},
      {cv1::PRODUCT_STATE_DRAFT, cv1::PRODUCT_STATE_SUBMITTED},
      {cv1::PRODUCT_STATE_SUBMITTED, cv1::PRODUCT_STATE_REJECTED},
      {cv1::PRODUCT_STATE_REJECTED, cv1::PRODUCT_STATE_SUBMITTED},
      {cv1::PRODUCT_STATE_SUBMITTED, cv1::PRODUCT_STATE_ACTIVE},
      {cv1::PRODUCT_STATE_ACTIVE, cv1::PRODUCT_STATE_PAUSED},
      {cv1::PRODUCT_STATE_PAUSED, cv1::PRODUCT_STATE_ACTIVE},
      {cv1::PRODUCT_STATE_ACTIVE, cv1::PRODUCT_STATE_ARCHIVED}};
  ASSERT_EQ(resp.transitions_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(resp.transitions(i).from_state(), expected[i].first) << i;
    EXPECT_EQ(resp.transitions(i).to_state(), expected[i].second) << i;
    EXPECT_EQ(resp.transitions(i).product_id(), p.id());
  }
  EXPECT_EQ(resp.transitions(0).actor(), PrincipalIdOf(w.admin_token));
  EXPECT_EQ(resp.transitions(1).actor(), PrincipalIdOf(w.member_token));
  EXPECT_EQ(resp.transitions(2).actor(), PrincipalIdOf(admin()));
  EXPECT_EQ(resp.transitions(2).reason(), "图片不清晰，请补充包装照片");
  EXPECT_EQ(resp.transitions(4).actor(), PrincipalIdOf(worker));
  EXPECT_EQ(resp.transitions(5).reason(), "out of season");
  EXPECT_EQ(resp.transitions(7).reason(), "discontinued");
  EXPECT_EQ(Micros(resp.transitions(1).transition_time()) + 5 * 60 * 1000000,
            Micros(resp.transitions(2).transition_time()));
  // Paging through transitions.
  req.set_page_size(3);
  std::vector<std::string> paged;
  for (int i = 0; i < 10; ++i) {
    cv1::ListProductTransitionsResponse page;
    ASSERT_TRUE(catalog().ListProductTransitions(Ctx(admin()).get(), req, &page).ok());
    for (const auto& t : page.transitions()) paged.push_back(t.id());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(paged.size(), expected.size());
  // Partners never list transitions.
  req.clear_page_token();
  EXPECT_EQ(
      catalog().ListProductTransitions(Ctx(NewPartner().token).get(), req, &resp).error_code(),
      StatusCode::PERMISSION_DENIED);
}

TEST_F(ProductsTest, InvalidTransitionsAreFailedPrecondition) {
  const CoopWorld w = NewCoop();
  const cv1::Product draft = MustCreate(w.admin_token, ProductBody(w));
  auto expect_invalid = [](const grpc::Status& s) {
    EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  };
  expect_invalid(Approve(admin(), draft.id()));
  expect_invalid(Reject(admin(), draft.id(), "no"));
  expect_invalid(Pause(admin(), draft.id()));
  expect_invalid(Resume(admin(), draft.id()));

  ASSERT_TRUE(Submit(w.member_token, draft.id()).ok());
  expect_invalid(Submit(w.member_token, draft.id()));
  cv1::Product patch;
  patch.set_id(draft.id());
  patch.set_title("新标题");
  expect_invalid(Update(w.admin_token, patch, {"title"}));  // SUBMITTED cannot be edited

  const cv1::Product active = ActiveProduct(w);
  expect_invalid(Submit(w.admin_token, active.id()));
  expect_invalid(Resume(w.admin_token, active.id()));
  ASSERT_TRUE(Archive(w.admin_token, active.id()).ok());
  expect_invalid(Archive(w.admin_token, active.id()));
  expect_invalid(Resume(w.admin_token, active.id()));
  patch.set_id(active.id());
  expect_invalid(Update(w.admin_token, patch, {"title"}));
  // Reject needs a reason.
  grpc::Status s = Reject(admin(), draft.id(), "");
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"reason"});
}

TEST_F(ProductsTest, ReviewIsNeverBySubmitterAndOnlyByReviewersInScope) {
  const CoopWorld w = NewCoop();
  // The cooperative admin submits its own product and may not approve or reject it.
  const cv1::Product p = MustCreate(w.admin_token, ProductBody(w));
  ASSERT_TRUE(Submit(w.admin_token, p.id()).ok());
  grpc::Status s = Approve(w.admin_token, p.id());
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "SELF_APPROVAL_NOT_ALLOWED");
  s = Reject(w.admin_token, p.id(), "我自己拒绝");
  EXPECT_EQ(ErrorReason(s), "SELF_APPROVAL_NOT_ALLOWED");
  // A worker not assigned to the cooperative does not see it; a member may never review.
  EXPECT_EQ(Approve(UnassignedWorkerToken(), p.id()).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Approve(w.member_token, p.id()).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Approve(NewPartner().token, p.id()).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Approve(NewCoop().admin_token, p.id()).error_code(), StatusCode::NOT_FOUND);
  cv1::Product out;
  ASSERT_TRUE(Get(admin(), p.id(), &out).ok());
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_SUBMITTED);
  // An assigned worker approves.
  const std::string worker = AssignedWorkerToken(w.cooperative.id());
  s = Approve(worker, p.id(), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), cv1::PRODUCT_STATE_ACTIVE);
  // Workers and members do not pause, resume or archive.
  EXPECT_EQ(Pause(worker, p.id()).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Pause(w.member_token, p.id()).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Archive(worker, p.id()).error_code(), StatusCode::PERMISSION_DENIED);

  // A worker who submitted may not approve either; the cooperative admin may.
  const cv1::Product q = MustCreate(worker, ProductBody(w));
  ASSERT_TRUE(Submit(worker, q.id()).ok());
  EXPECT_EQ(ErrorReason(Approve(worker, q.id())), "SELF_APPROVAL_NOT_ALLOWED");
  EXPECT_TRUE(Reject(w.admin_token, q.id(), "价格偏高").ok());
}

TEST_F(ProductsTest, CertificateCategoriesNeedACertificateFromFebruary2026) {
  ClockGuard guard(clock_);
  const CoopWorld w = NewCoop();
  cv1::Product body = ProductBody(w);
  body.set_title("有机白菜");
  body.set_category(cv1::PRODUCT_CATEGORY_VEGETABLE);
  body.mutable_unit()->set_kind(cv1::UNIT_KIND_KG);
  body.mutable_unit()->set_sold_by_weight(true);
  body.mutable_unit()->set_unit_weight_grams(1000);
  body.clear_certifications();

  // From 2026-02-01 submitting without a certificate is refused.
  const cv1::Product p = MustCreate(w.admin_token, body);
  grpc::Status s = Submit(w.member_token, p.id());
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "COMPLIANCE_CERTIFICATE_REQUIRED");
  cv1::Product patch;
  patch.set_id(p.id());
  patch.set_compliance_certificate_number("HG-530828-2026-0001");
  ASSERT_TRUE(Update(w.member_token, patch, {"compliance_certificate_number"}).ok());
  EXPECT_TRUE(Submit(w.member_token, p.id()).ok());
  EXPECT_TRUE(Approve(admin(), p.id()).ok());

  // Before the rule: submitted (and even approved) without one...
  clock_->Set(
      absl::FromCivil(absl::CivilSecond(2026, 1, 31, 23, 0, 0), absl::FixedTimeZone(8 * 3600)));
  const cv1::Product early = MustCreate(w.admin_token, body);
  ASSERT_TRUE(Submit(w.member_token, early.id()).ok());
  const cv1::Product paused = MustCreate(w.admin_token, body);
  ASSERT_TRUE(Submit(w.member_token, paused.id()).ok());
  ASSERT_TRUE(Approve(admin(), paused.id()).ok());
  ASSERT_TRUE(Pause(w.admin_token, paused.id()).ok());
  // ...but from 2026-02-01 00:00 China time not approved or resumed.
  clock_->Set(
      absl::FromCivil(absl::CivilSecond(2026, 2, 1, 0, 0, 0), absl::FixedTimeZone(8 * 3600)));
  s = Approve(admin(), early.id());
  EXPECT_EQ(ErrorReason(s), "COMPLIANCE_CERTIFICATE_REQUIRED");
  s = Resume(w.admin_token, paused.id());
  EXPECT_EQ(ErrorReason(s), "COMPLIANCE_CERTIFICATE_REQUIRED");
  // Processed tea needs none.
  const cv1::Product tea = MustCreate(w.admin_token, ProductBody(w));
  EXPECT_TRUE(Submit(w.member_token, tea.id()).ok());
}

TEST_F(ProductsTest, PriceChangesAreKeptAsHistory) {
  const CoopWorld w = NewCoop();
  const cv1::Product p = MustCreate(w.member_token, ProductBody(w));
  clock_->Advance(absl::Hours(1));
  cv1::Product patch;
  patch.set_id(p.id());
  patch.mutable_price()->set_fen(31000);
  cv1::Product updated;
  ASSERT_TRUE(Update(w.admin_token, patch, {"price"}, &updated).ok());
  EXPECT_EQ(updated.price().fen(), 31000);
  // A change of another field adds no price change.
  patch.set_title("景迈山古树普洱茶饼（2026春）");
  ASSERT_TRUE(Update(w.admin_token, patch, {"title"}, &updated).ok());

  cv1::ListPriceChangesRequest req;
  req.set_product_id(p.id());
  cv1::ListPriceChangesResponse resp;
  ASSERT_TRUE(catalog().ListPriceChanges(Ctx(w.member_token).get(), req, &resp).ok());
  ASSERT_EQ(resp.price_changes_size(), 2);
  EXPECT_EQ(resp.price_changes(0).old_price().fen(), 0);
  EXPECT_EQ(resp.price_changes(0).new_price().fen(), 28800);
  EXPECT_EQ(resp.price_changes(0).changed_by(), PrincipalIdOf(w.member_token));
  EXPECT_EQ(resp.price_changes(1).old_price().fen(), 28800);
  EXPECT_EQ(resp.price_changes(1).new_price().fen(), 31000);
  EXPECT_EQ(resp.price_changes(1).changed_by(), PrincipalIdOf(w.admin_token));
  EXPECT_EQ(
      Micros(resp.price_changes(1).change_time()) - Micros(resp.price_changes(0).change_time()),
      3600LL * 1000000);
  // The change feed got a PRICE_CHANGED entry.
  int64_t feed = 0;
  ASSERT_TRUE(db().Read([&](Tx& tx) {
                    auto rs = tx.Query("SELECT COUNT(*) AS n FROM " + std::string(kAllChanges) +
                                           " WHERE product_id = ? AND kind = 3",
                                       p.id());
                    rs->next();
                    feed = rs->getInt64("n");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(feed, 1);
  EXPECT_EQ(catalog().ListPriceChanges(Ctx(NewCoop().admin_token).get(), req, &resp).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(ProductsTest, UpdateChecksMaskEtagAndValues) {
  const CoopWorld w = NewCoop();
  const cv1::Product p = MustCreate(w.admin_token, ProductBody(w));
  cv1::Product patch;
  patch.set_id(p.id());
  patch.set_title("新茶饼");
  patch.set_etag(p.etag());
  cv1::Product updated;
  ASSERT_TRUE(Update(w.admin_token, patch, {"title"}, &updated).ok());
  EXPECT_EQ(updated.title(), "新茶饼");
  EXPECT_NE(updated.etag(), p.etag());
  EXPECT_EQ(updated.description(), p.description());  // untouched
  // A stale etag is ABORTED.
  grpc::Status s = Update(w.admin_token, patch, {"title"});
  EXPECT_EQ(s.error_code(), StatusCode::ABORTED);
  EXPECT_EQ(ErrorReason(s), "ETAG_MISMATCH");
  // Masks.
  patch.clear_etag();
  EXPECT_EQ(ViolatedFields(Update(w.admin_token, patch, {})),
            std::vector<std::string>{"update_mask"});
  EXPECT_EQ(ViolatedFields(Update(w.admin_token, patch, {"state"})),
            std::vector<std::string>{"update_mask"});
  EXPECT_EQ(ViolatedFields(Update(w.admin_token, patch, {"household_id"})),
            std::vector<std::string>{"update_mask"});
  patch.mutable_price()->set_fen(0);
  EXPECT_EQ(ViolatedFields(Update(w.admin_token, patch, {"price"})),
            std::vector<std::string>{"product.price.fen"});
  // Scope.
  EXPECT_EQ(Update(NewCoop().admin_token, patch, {"title"}).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Update(NewPartner().token, patch, {"title"}).error_code(),
            StatusCode::PERMISSION_DENIED);
  // Several fields at once, on an ACTIVE product (the state stays).
  const cv1::Product active = ActiveProduct(w);
  cv1::Product many;
  many.set_id(active.id());
  many.set_min_order_quantity(5);
  many.add_image_urls("https://img.example/new.jpg");
  many.set_origin_region_code("530821");
  ASSERT_TRUE(Update(w.member_token, many,
                     {"min_order_quantity", "image_urls", "origin_region_code"}, &updated)
                  .ok());
  EXPECT_EQ(updated.state(), cv1::PRODUCT_STATE_ACTIVE);
  EXPECT_EQ(updated.min_order_quantity(), 5);
  EXPECT_EQ(updated.origin_region_code(), "530821");
  ASSERT_EQ(updated.image_urls_size(), 1);
  EXPECT_EQ(updated.title(), active.title());
}

TEST_F(ProductsTest, RequestIdsMakeCreateIdempotent) {
  const CoopWorld w = NewCoop();
  const int64_t before = CountRows(db(), "products");
  const std::string rid = NewRequestId();
  cv1::Product first, second;
  ASSERT_TRUE(Create(w.admin_token, ProductBody(w), &first, rid).ok());
  ASSERT_TRUE(Create(w.admin_token, ProductBody(w), &second, rid).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows(db(), "products"), before + 1);
  cv1::Product changed = ProductBody(w);
  changed.set_title("另一个产品");
  grpc::Status s = Create(w.admin_token, changed, &second, rid);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "products"), before + 1);

  // Eight concurrent identical requests have one effect.
  const std::string concurrent = NewRequestId();
  std::vector<cv1::Product> replies(8);
  std::vector<grpc::Status> statuses(8);
  RunConcurrently(8, [&](int i) {
    statuses[i] = Create(w.admin_token, ProductBody(w), &replies[i], concurrent);
  });
  std::set<std::string> ids;
  for (int i = 0; i < 8; ++i) {
    if (statuses[i].ok()) {
      ids.insert(replies[i].id());
    } else {
      EXPECT_EQ(statuses[i].error_code(), StatusCode::ABORTED) << statuses[i].error_message();
    }
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(CountRows(db(), "products"), before + 2);

  // Lifecycle calls too: a retried submit replays instead of failing the transition.
  const cv1::Product p = MustCreate(w.admin_token, ProductBody(w));
  cv1::SubmitProductRequest submit;
  submit.set_request_id(NewRequestId());
  submit.set_product_id(p.id());
  cv1::Product a, b;
  ASSERT_TRUE(catalog().SubmitProduct(Ctx(w.member_token).get(), submit, &a).ok());
  ASSERT_TRUE(catalog().SubmitProduct(Ctx(w.member_token).get(), submit, &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
}

TEST_F(ProductsTest, ListsAreScopedAndFiltered) {
  const CoopWorld w = NewCoop("530828");
  const CoopWorld other = NewCoop("530802");
  const auto second = AddMember(w);
  cv1::Product second_body = ProductBody(w);
  second_body.set_household_id(second.first.household_id());
  const cv1::Product mine = MustCreate(w.admin_token, ProductBody(w));
  const cv1::Product neighbour = MustCreate(w.admin_token, second_body);
  cv1::Product fruit_body = ProductBody(other);
  fruit_body.set_category(cv1::PRODUCT_CATEGORY_FRUIT);
  const cv1::Product theirs = MustCreate(other.admin_token, fruit_body);

  auto all = ListIds(admin());
  EXPECT_TRUE(Contains(all, mine.id()) && Contains(all, neighbour.id()) &&
              Contains(all, theirs.id()));
  auto coop = ListIds(w.admin_token);
  EXPECT_TRUE(Contains(coop, mine.id()) && Contains(coop, neighbour.id()));
  EXPECT_FALSE(Contains(coop, theirs.id()));
  EXPECT_EQ(ListIds(w.member_token), std::vector<std::string>{mine.id()});
  EXPECT_EQ(ListIds(second.second), std::vector<std::string>{neighbour.id()});
  auto worker = ListIds(AssignedWorkerToken(other.cooperative.id()));
  EXPECT_EQ(worker, std::vector<std::string>{theirs.id()});
  EXPECT_TRUE(ListIds(UnassignedWorkerToken()).empty());
  EXPECT_TRUE(ListIds(NewPartner().token).empty());

  cv1::ListProductsRequest req;
  req.set_category(cv1::PRODUCT_CATEGORY_FRUIT);
  auto fruit = ListIds(admin(), req);
  EXPECT_TRUE(Contains(fruit, theirs.id()));
  EXPECT_FALSE(Contains(fruit, mine.id()));
  req.Clear();
  req.set_region_code("530802");
  EXPECT_TRUE(Contains(ListIds(admin(), req), theirs.id()));
  EXPECT_FALSE(Contains(ListIds(admin(), req), mine.id()));
  req.set_region_code("5308");
  EXPECT_TRUE(Contains(ListIds(admin(), req), mine.id()));
  req.Clear();
  req.set_cooperative_id(w.cooperative.id());
  EXPECT_EQ(ListIds(admin(), req).size(), 2u);
  EXPECT_TRUE(ListIds(other.admin_token, req).empty());  // another cooperative's filter
  ASSERT_TRUE(Submit(w.member_token, mine.id()).ok());
  req.set_state(cv1::PRODUCT_STATE_SUBMITTED);
  EXPECT_EQ(ListIds(admin(), req), std::vector<std::string>{mine.id()});
}

TEST_F(ProductsTest, UpdatedSinceAndKeysetPagingNeverSkip) {
  const CoopWorld w = NewCoop();
  std::vector<cv1::Product> created;
  for (int i = 0; i < 7; ++i) {
    if (i % 2 == 0) clock_->Advance(absl::Seconds(1));  // some share an update_time
    created.push_back(MustCreate(w.admin_token, ProductBody(w)));
  }
  cv1::ListProductsRequest req;
  req.set_cooperative_id(w.cooperative.id());
  req.set_page_size(3);
  std::vector<std::string> seen;
  std::set<std::string> unique;
  bool updated_during_paging = false;
  for (int page = 0; page < 20; ++page) {
    cv1::ListProductsResponse resp;
    ASSERT_TRUE(catalog().ListProducts(Ctx(w.admin_token).get(), req, &resp).ok());
    EXPECT_LE(resp.products_size(), 3);
    for (const auto& p : resp.products()) {
      seen.push_back(p.id());
      unique.insert(p.id());
    }
    for (int i = 1; i < resp.products_size(); ++i) {
      const auto& a = resp.products(i - 1);
      const auto& b = resp.products(i);
      EXPECT_TRUE(Micros(a.update_time()) < Micros(b.update_time()) ||
                  (Micros(a.update_time()) == Micros(b.update_time()) && a.id() < b.id()));
    }
    if (!updated_during_paging) {
      // Change a product already listed: it moves to the end and is listed again.
      clock_->Advance(absl::Seconds(1));
      cv1::Product patch;
      patch.set_id(created[0].id());
      patch.set_description("更新后的描述");
      ASSERT_TRUE(Update(w.admin_token, patch, {"description"}).ok());
      updated_during_paging = true;
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  for (const auto& p : created) EXPECT_TRUE(unique.count(p.id())) << p.id();
  EXPECT_EQ(seen.size(), 8u);  // created[0] twice
  EXPECT_EQ(seen.back(), created[0].id());

  // updated_since: only products changed at or after the time.
  cv1::ListProductsRequest since;
  since.set_cooperative_id(w.cooperative.id());
  *since.mutable_updated_since() = created[4].update_time();
  auto ids = ListIds(w.admin_token, since);
  std::set<std::string> got(ids.begin(), ids.end());
  EXPECT_EQ(got, (std::set<std::string>{created[0].id(), created[4].id(), created[5].id(),
                                        created[6].id()}));
  // A token is only valid with the same filters.
  cv1::ListProductsResponse resp;
  req.clear_page_token();
  ASSERT_TRUE(catalog().ListProducts(Ctx(w.admin_token).get(), req, &resp).ok());
  ASSERT_FALSE(resp.next_page_token().empty());
  since.set_page_token(resp.next_page_token());
  EXPECT_EQ(catalog().ListProducts(Ctx(w.admin_token).get(), since, &resp).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

// --- Offers ------------------------------------------------------------------------------------

TEST_F(OffersTest, PartnersSeeOnlyProductsOfferedToThem) {
  const CoopWorld w = NewCoop();
  const PartnerWorld partner = NewPartner();
  const PartnerWorld stranger = NewPartner();
  const cv1::Product p = ActiveProduct(w);
  cv1::ListPriceChangesRequest prices;
  prices.set_product_id(p.id());
  cv1::ListPriceChangesResponse price_resp;

  EXPECT_EQ(Get(partner.token, p.id()).error_code(), StatusCode::NOT_FOUND);
  EXPECT_FALSE(Contains(ListIds(partner.token), p.id()));
  EXPECT_EQ(catalog().ListPriceChanges(Ctx(partner.token).get(), prices, &price_resp).error_code(),
            StatusCode::NOT_FOUND);

  cv1::Offer offer;
  ASSERT_TRUE(CreateOffer(w.admin_token, p.id(), partner.partner.id(), &offer, 26800).ok());
  EXPECT_EQ(offer.state(), cv1::OFFER_STATE_ACTIVE);
  EXPECT_EQ(offer.cooperative_id(), w.cooperative.id());
  EXPECT_EQ(offer.channel_price().fen(), 26800);
  EXPECT_FALSE(offer.has_withdraw_time());
  EXPECT_TRUE(Get(partner.token, p.id()).ok());
  EXPECT_EQ(ListIds(partner.token), std::vector<std::string>{p.id()});
  EXPECT_TRUE(catalog().ListPriceChanges(Ctx(partner.token).get(), prices, &price_resp).ok());
  EXPECT_EQ(Get(stranger.token, p.id()).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(ListIds(stranger.token).empty());

  // Paused: invisible again; resumed: visible.
  ASSERT_TRUE(Pause(w.admin_token, p.id()).ok());
  EXPECT_EQ(Get(partner.token, p.id()).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(ListIds(partner.token).empty());
  ASSERT_TRUE(Resume(w.admin_token, p.id()).ok());
  EXPECT_TRUE(Get(partner.token, p.id()).ok());

  // Withdrawn: invisible.
  cv1::Offer withdrawn;
  ASSERT_TRUE(Withdraw(w.admin_token, offer.id(), &withdrawn).ok());
  EXPECT_EQ(withdrawn.state(), cv1::OFFER_STATE_WITHDRAWN);
  EXPECT_EQ(absl::FromUnixSeconds(withdrawn.withdraw_time().seconds()), clock_->Now());
  EXPECT_EQ(Get(partner.token, p.id()).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(ListIds(partner.token).empty());
  grpc::Status s = Withdraw(w.admin_token, offer.id());
  EXPECT_EQ(ErrorReason(s), "INVALID_STATE_TRANSITION");
  // A new offer after withdrawal is allowed.
  EXPECT_TRUE(CreateOffer(w.admin_token, p.id(), partner.partner.id()).ok());
  EXPECT_TRUE(Get(partner.token, p.id()).ok());
}

TEST_F(OffersTest, CreateOfferRules) {
  const CoopWorld w = NewCoop();
  const PartnerWorld partner = NewPartner();
  const cv1::Product draft = MustCreate(w.admin_token, ProductBody(w));
  const cv1::Product active = ActiveProduct(w);
  const int64_t before = CountRows(db(), "offers");

  grpc::Status s = CreateOffer(w.admin_token, draft.id(), partner.partner.id());
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "PRODUCT_NOT_ACTIVE");
  s = CreateOffer(w.admin_token, active.id(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  s = CreateOffer(w.admin_token, active.id(), partner.partner.id(), nullptr, -5);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"offer.channel_price.fen"});
  s = CreateOffer(w.admin_token, "", partner.partner.id());
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"offer.product_id"});
  EXPECT_EQ(CreateOffer(w.member_token, active.id(), partner.partner.id()).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateOffer(partner.token, active.id(), partner.partner.id()).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreateOffer(NewCoop().admin_token, active.id(), partner.partner.id()).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_EQ(CountRows(db(), "offers"), before);

  cv1::Offer offer;
  ASSERT_TRUE(CreateOffer(admin(), active.id(), partner.partner.id(), &offer).ok());
  EXPECT_FALSE(offer.has_channel_price());
  s = CreateOffer(w.admin_token, active.id(), partner.partner.id());
  EXPECT_EQ(s.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(CountRows(db(), "offers"), before + 1);
  // Withdrawing is for the platform admin and the cooperative's admin only.
  EXPECT_EQ(Withdraw(partner.token, offer.id()).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Withdraw(NewCoop().admin_token, offer.id()).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(OffersTest, Platform832NeedsBothRegionsOnTheCountyList) {
  const CoopWorld w = NewCoop("530828");
  const PartnerWorld p832 = NewPartner(common::v1::CHANNEL_KIND_PLATFORM_832);
  const cv1::Product p = ActiveProduct(w);
  grpc::Status s = CreateOffer(w.admin_token, p.id(), p832.partner.id());
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "NOT_ELIGIBLE_FOR_832");

  ASSERT_TRUE(db().Transact([](Tx& tx) {
                    tx.Execute(
                        "INSERT INTO eligible_832_counties (region_code, source) "
                        "VALUES ('530828', '国务院扶贫办 2019')");
                    return absl::OkStatus();
                  })
                  .ok());
  // The product's origin must be eligible too.
  cv1::Product patch;
  patch.set_id(p.id());
  patch.set_origin_region_code("530102");
  ASSERT_TRUE(Update(w.admin_token, patch, {"origin_region_code"}).ok());
  s = CreateOffer(w.admin_token, p.id(), p832.partner.id());
  EXPECT_EQ(ErrorReason(s), "NOT_ELIGIBLE_FOR_832");
  patch.set_origin_region_code("530828");
  ASSERT_TRUE(Update(w.admin_token, patch, {"origin_region_code"}).ok());
  cv1::Offer offer;
  s = CreateOffer(w.admin_token, p.id(), p832.partner.id(), &offer);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(offer.partner_id(), p832.partner.id());

  // A cooperative outside the list cannot sell there even for an eligible origin.
  const CoopWorld city = NewCoop("530102");
  const cv1::Product cp = ActiveProduct(city);
  patch.set_id(cp.id());
  ASSERT_TRUE(Update(city.admin_token, patch, {"origin_region_code"}).ok());
  EXPECT_EQ(ErrorReason(CreateOffer(city.admin_token, cp.id(), p832.partner.id())),
            "NOT_ELIGIBLE_FOR_832");
}

TEST_F(OffersTest, ListOffersIsScopedAndArchiveWithdrawsOffers) {
  const CoopWorld w = NewCoop();
  const CoopWorld other = NewCoop();
  const PartnerWorld a = NewPartner();
  const PartnerWorld b = NewPartner();
  const cv1::Product p = ActiveProduct(w);
  const cv1::Product q = ActiveProduct(other);
  const cv1::Offer pa = OfferTo(p, a, w.admin_token);
  const cv1::Offer pb = OfferTo(p, b, w.admin_token);
  const cv1::Offer qa = OfferTo(q, a, other.admin_token);

  auto list = [&](const std::string& token, cv1::ListOffersRequest req) {
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
      cv1::ListOffersResponse resp;
      grpc::Status s = catalog().ListOffers(Ctx(token).get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const auto& o : resp.offers()) ids.push_back(o.id());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return ids;
  };
  cv1::ListOffersRequest none;
  EXPECT_EQ(list(w.admin_token, none), (std::vector<std::string>{pa.id(), pb.id()}));
  EXPECT_EQ(list(a.token, none), (std::vector<std::string>{pa.id(), qa.id()}));
  EXPECT_EQ(list(b.token, none), std::vector<std::string>{pb.id()});
  EXPECT_EQ(list(AssignedWorkerToken(other.cooperative.id()), none),
            std::vector<std::string>{qa.id()});
  cv1::ListOffersRequest paged;
  paged.set_page_size(1);
  auto all = list(admin(), paged);
  EXPECT_TRUE(Contains(all, pa.id()) && Contains(all, pb.id()) && Contains(all, qa.id()));
  cv1::ListOffersRequest by_product;
  by_product.set_product_id(p.id());
  by_product.set_partner_id(b.partner.id());
  EXPECT_EQ(list(admin(), by_product), std::vector<std::string>{pb.id()});
  cv1::ListOffersResponse resp;
  EXPECT_EQ(catalog().ListOffers(Ctx(w.member_token).get(), none, &resp).error_code(),
            StatusCode::PERMISSION_DENIED);

  // Archiving the product withdraws its ACTIVE offers in the same transaction.
  ASSERT_TRUE(Archive(w.admin_token, p.id()).ok());
  cv1::ListOffersRequest active;
  active.set_state(cv1::OFFER_STATE_ACTIVE);
  EXPECT_TRUE(list(w.admin_token, active).empty());
  active.set_state(cv1::OFFER_STATE_WITHDRAWN);
  EXPECT_EQ(list(w.admin_token, active), (std::vector<std::string>{pa.id(), pb.id()}));
  EXPECT_EQ(Get(a.token, p.id()).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get(a.token, q.id()).ok());
  // Each offer change is in the change feed with its offer and partner.
  int64_t offer_changes = 0;
  ASSERT_TRUE(db().Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT COUNT(*) AS n FROM " + std::string(kAllChanges) +
                            " WHERE product_id = ? AND kind = 5 AND offer_id IS NOT NULL AND "
                            "partner_id IS NOT NULL",
                        p.id());
                    rs->next();
                    offer_changes = rs->getInt64("n");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(offer_changes, 4);  // two created, two withdrawn by the archive
}

}  // namespace
}  // namespace cooplink::testing
