#include "tests/support/catalog_fixture.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cooplink::testing {

FakeClock* CatalogFixture::clock_ = nullptr;
std::unique_ptr<membership::MembershipServer>* CatalogFixture::membership_ = nullptr;
std::unique_ptr<catalog::CatalogServer>* CatalogFixture::catalog_server_ = nullptr;
std::unique_ptr<mv1::MembershipService::Stub>* CatalogFixture::membership_stub_ = nullptr;
std::unique_ptr<cv1::CatalogService::Stub>* CatalogFixture::catalog_stub_ = nullptr;
std::string* CatalogFixture::admin_token_ = nullptr;
std::string* CatalogFixture::token_key_ = nullptr;

namespace {

template <typename Req, typename Resp, typename Stub, typename Method>
Resp Call(Stub& stub, Method method, const std::string& token, const Req& req) {
  Resp resp;
  grpc::Status s = (stub.*method)(Ctx(token).get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return resp;
}

std::string Token(mv1::MembershipService::Stub& stub, const std::string& admin,
                  mv1::Principal principal) {
  mv1::CreatePrincipalRequest create;
  create.set_request_id(NewRequestId());
  principal.set_display_name("目录测试用户");
  *create.mutable_principal() = principal;
  auto created = Call<mv1::CreatePrincipalRequest, mv1::Principal>(
      stub, &mv1::MembershipService::Stub::CreatePrincipal, admin, create);
  mv1::IssueTokenRequest issue;
  issue.set_request_id(NewRequestId());
  issue.set_principal_id(created.id());
  issue.mutable_ttl()->set_seconds(30 * 24 * 3600);  // survives clock jumps in TTL tests
  return Call<mv1::IssueTokenRequest, mv1::IssueTokenResponse>(
             stub, &mv1::MembershipService::Stub::IssueToken, admin, issue)
      .token();
}

}  // namespace

void CatalogFixture::SetUpTestSuite() {
  const std::string suite =
      absl::AsciiStrToLower(::testing::UnitTest::GetInstance()->current_test_suite()->name());
  clock_ = new FakeClock(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), absl::FixedTimeZone(8 * 3600)));
  membership::MembershipConfig mc;
  mc.db = TestDbConfig(absl::StrCat("test_catmem_", suite));
  mc.server.listen = "127.0.0.1:0";
  mc.token_key = RandomKeyBase64();
  token_key_ = new std::string(mc.token_key);
  mc.pii_key = RandomKeyBase64();
  mc.access_log = false;
  mc.revocation_refresh = absl::Milliseconds(200);
  mc.workers = 8;
  auto ms = membership::MembershipServer::Start(mc, clock_);
  ASSERT_TRUE(ms.ok()) << ms.status();
  membership_ = new std::unique_ptr<membership::MembershipServer>(*std::move(ms));

  mv1::Principal admin;
  mv1::IssueTokenResponse token;
  ASSERT_TRUE((*membership_)
                  ->membership()
                  .BootstrapPlatformAdmin("目录服务账号", absl::Hours(24 * 30), &admin, &token)
                  .ok());
  admin_token_ = new std::string(token.token());

  catalog::CatalogConfig cc;
  cc.db = TestDbConfig(absl::StrCat("test_catalog_", suite));
  cc.server.listen = "127.0.0.1:0";
  cc.token_key = mc.token_key;
  cc.membership_target = absl::StrCat("127.0.0.1:", (*membership_)->port());
  cc.membership_token = *admin_token_;
  cc.access_log = false;
  cc.revocation_refresh = absl::Milliseconds(200);
  cc.sweep_interval = absl::Hours(1);  // tests expire reservations explicitly
  cc.watch.poll_interval = absl::Milliseconds(20);
  cc.feed_interval = absl::Milliseconds(10);
  cc.watch.heartbeat_interval = absl::Milliseconds(500);
  cc.workers = 16;
  auto cs = catalog::CatalogServer::Start(cc, clock_);
  ASSERT_TRUE(cs.ok()) << cs.status();
  catalog_server_ = new std::unique_ptr<catalog::CatalogServer>(*std::move(cs));

  membership_stub_ =
      new std::unique_ptr<mv1::MembershipService::Stub>(mv1::MembershipService::NewStub(
          grpc::CreateChannel(cc.membership_target, grpc::InsecureChannelCredentials())));
  catalog_stub_ = new std::unique_ptr<cv1::CatalogService::Stub>(cv1::CatalogService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*catalog_server_)->port()),
                          grpc::InsecureChannelCredentials())));
}

void CatalogFixture::TearDownTestSuite() {
  delete catalog_stub_;
  delete membership_stub_;
  if (catalog_server_ != nullptr) (*catalog_server_)->Shutdown();
  delete catalog_server_;
  if (membership_ != nullptr) (*membership_)->Shutdown();
  delete membership_;
  delete admin_token_;
  delete token_key_;
  token_key_ = nullptr;
  delete clock_;
  catalog_stub_ = nullptr;
  membership_stub_ = nullptr;
  catalog_server_ = nullptr;
  membership_ = nullptr;
}

std::unique_ptr<cv1::CatalogService::Stub> CatalogFixture::NewCatalogStub() {
  grpc::ChannelArguments args;
  args.SetInt("cooplink.test.unique", NextSequence());  // a channel of its own
  return cv1::CatalogService::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", (*catalog_server_)->port()),
                                grpc::InsecureChannelCredentials(), args));
}

CoopWorld CatalogFixture::NewCoop(const std::string& region_code) {
  using Stub = mv1::MembershipService::Stub;
  CoopWorld w;
  mv1::CreateCooperativeRequest coop;
  coop.set_request_id(NewRequestId());
  coop.mutable_cooperative()->set_name(absl::StrCat("普洱茶农专业合作社", NextSequence()));
  coop.mutable_cooperative()->set_uscc(membership::CompleteUscc(
      absl::StrCat("93", region_code, absl::StrFormat("%09d", NextSequence()))));
  coop.mutable_cooperative()->set_region_code(region_code);
  coop.mutable_cooperative()->set_service_fee_bps(300);
  w.cooperative = Call<mv1::CreateCooperativeRequest, mv1::Cooperative>(
      members(), &Stub::CreateCooperative, admin(), coop);
  mv1::CreateHouseholdRequest household;
  household.set_request_id(NewRequestId());
  household.mutable_household()->set_village_code(absl::StrCat(region_code, "100201"));
  household.mutable_household()->set_head_name("扎约");
  household.mutable_household()->set_resident_size(4);
  household.mutable_household()->set_ethnicity("拉祜族");
  w.household = Call<mv1::CreateHouseholdRequest, mv1::Household>(members(), &Stub::CreateHousehold,
                                                                  admin(), household);
  mv1::CreateMemberRequest member;
  member.set_request_id(NewRequestId());
  auto* m = member.mutable_member();
  m->set_cooperative_id(w.cooperative.id());
  m->set_household_id(w.household.id());
  m->set_name("扎约");
  m->set_resident_id(ResidentId(NextSequence()));
  m->set_phone(absl::StrCat("136", absl::StrFormat("%08d", NextSequence())));
  m->set_is_farmer(true);
  m->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
  w.member =
      Call<mv1::CreateMemberRequest, mv1::Member>(members(), &Stub::CreateMember, admin(), member);
  mv1::Principal coop_admin;
  coop_admin.set_role(common::v1::ROLE_COOPERATIVE_ADMIN);
  coop_admin.set_cooperative_id(w.cooperative.id());
  w.admin_token = Token(members(), admin(), coop_admin);
  mv1::Principal producer;
  producer.set_role(common::v1::ROLE_MEMBER);
  producer.set_cooperative_id(w.cooperative.id());
  producer.set_household_id(w.household.id());
  producer.set_member_id(w.member.id());
  w.member_token = Token(members(), admin(), producer);
  return w;
}

std::pair<mv1::Member, std::string> CatalogFixture::AddMember(const CoopWorld& world) {
  using Stub = mv1::MembershipService::Stub;
  mv1::CreateHouseholdRequest household;
  household.set_request_id(NewRequestId());
  household.mutable_household()->set_village_code(world.household.village_code());
  household.mutable_household()->set_head_name("岩温");
  household.mutable_household()->set_resident_size(3);
  household.mutable_household()->set_ethnicity("傣族");
  auto h = Call<mv1::CreateHouseholdRequest, mv1::Household>(members(), &Stub::CreateHousehold,
                                                             admin(), household);
  mv1::CreateMemberRequest member;
  member.set_request_id(NewRequestId());
  auto* m = member.mutable_member();
  m->set_cooperative_id(world.cooperative.id());
  m->set_household_id(h.id());
  m->set_name("岩温");
  m->set_resident_id(ResidentId(NextSequence()));
  m->set_is_farmer(true);
  m->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
  auto created =
      Call<mv1::CreateMemberRequest, mv1::Member>(members(), &Stub::CreateMember, admin(), member);
  mv1::Principal producer;
  producer.set_role(common::v1::ROLE_MEMBER);
  producer.set_cooperative_id(world.cooperative.id());
  producer.set_household_id(h.id());
  producer.set_member_id(created.id());
  return {created, Token(members(), admin(), producer)};
}

PartnerWorld CatalogFixture::NewPartner(common::v1::ChannelKind kind,
                                        common::v1::Platform platform) {
  mv1::CreatePartnerRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_partner()->set_name(absl::StrCat("合作平台", NextSequence()));
  req.mutable_partner()->set_channel_kind(kind);
  req.mutable_partner()->set_commission_rate_bps(500);
  req.mutable_partner()->set_platform(platform);
  PartnerWorld w;
  w.partner = Call<mv1::CreatePartnerRequest, mv1::Partner>(
      members(), &mv1::MembershipService::Stub::CreatePartner, admin(), req);
  mv1::Principal p;
  p.set_role(common::v1::ROLE_PARTNER);
  p.set_partner_id(w.partner.id());
  w.token = Token(members(), admin(), p);
  return w;
}

std::string CatalogFixture::UnassignedWorkerToken() {
  mv1::CreateSocialWorkerRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_social_worker()->set_name("王社工");
  req.mutable_social_worker()->set_organization("澜沧县社会工作服务中心");
  req.mutable_social_worker()->set_county_code("530828");
  auto worker = Call<mv1::CreateSocialWorkerRequest, mv1::SocialWorker>(
      members(), &mv1::MembershipService::Stub::CreateSocialWorker, admin(), req);
  mv1::Principal p;
  p.set_role(common::v1::ROLE_SOCIAL_WORKER);
  p.set_social_worker_id(worker.id());
  return Token(members(), admin(), p);
}

std::string CatalogFixture::AssignedWorkerToken(const std::string& cooperative_id) {
  mv1::CreateSocialWorkerRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_social_worker()->set_name("李社工");
  req.mutable_social_worker()->set_organization("澜沧县社会工作服务中心");
  req.mutable_social_worker()->set_county_code("530828");
  auto worker = Call<mv1::CreateSocialWorkerRequest, mv1::SocialWorker>(
      members(), &mv1::MembershipService::Stub::CreateSocialWorker, admin(), req);
  mv1::AssignSocialWorkerRequest assign;
  assign.set_request_id(NewRequestId());
  assign.set_social_worker_id(worker.id());
  assign.set_cooperative_id(cooperative_id);
  Call<mv1::AssignSocialWorkerRequest, mv1::Assignment>(
      members(), &mv1::MembershipService::Stub::AssignSocialWorker, admin(), assign);
  mv1::Principal p;
  p.set_role(common::v1::ROLE_SOCIAL_WORKER);
  p.set_social_worker_id(worker.id());
  return Token(members(), admin(), p);
}

std::string CatalogFixture::TokenForPrincipal(const mv1::Principal& principal) {
  return Token(members(), admin(), principal);
}

cv1::Product CatalogFixture::ProductBody(const CoopWorld& world) {
  cv1::Product p;
  p.set_cooperative_id(world.cooperative.id());
  p.set_household_id(world.household.id());
  p.set_title("景迈山古树普洱茶饼");
  p.set_description("澜沧县景迈山古茶园春茶，传统石磨压制，357克/饼。");
  auto* label = p.add_labels();
  label->set_language_code("en");
  label->set_title("Jingmai ancient-tree Pu'er tea cake");
  p.set_category(cv1::PRODUCT_CATEGORY_PROCESSED_TEA);
  p.mutable_unit()->set_kind(cv1::UNIT_KIND_CAKE);
  p.mutable_price()->set_fen(28800);
  p.set_min_order_quantity(1);
  p.set_origin_region_code(world.cooperative.region_code());
  p.add_image_urls("https://img.example/jingmai-cake.jpg");
  p.add_certifications(cv1::CERTIFICATION_GEOGRAPHICAL_INDICATION);
  return p;
}

cv1::Product CatalogFixture::ActiveProduct(const CoopWorld& world, int64_t on_hand) {
  return ActiveProductFrom(world, ProductBody(world), on_hand);
}

cv1::Product CatalogFixture::ActiveProductFrom(const CoopWorld& world, const cv1::Product& body,
                                               int64_t on_hand) {
  using Stub = cv1::CatalogService::Stub;
  cv1::CreateProductRequest create;
  create.set_request_id(NewRequestId());
  *create.mutable_product() = body;
  auto product = Call<cv1::CreateProductRequest, cv1::Product>(catalog(), &Stub::CreateProduct,
                                                               world.admin_token, create);
  cv1::SubmitProductRequest submit;
  submit.set_request_id(NewRequestId());
  submit.set_product_id(product.id());
  Call<cv1::SubmitProductRequest, cv1::Product>(catalog(), &Stub::SubmitProduct, world.member_token,
                                                submit);
  cv1::ApproveProductRequest approve;
  approve.set_request_id(NewRequestId());
  approve.set_product_id(product.id());
  product = Call<cv1::ApproveProductRequest, cv1::Product>(catalog(), &Stub::ApproveProduct,
                                                           admin(), approve);
  if (on_hand > 0) {
    cv1::AdjustStockRequest adjust;
    adjust.set_request_id(NewRequestId());
    adjust.set_product_id(product.id());
    adjust.set_delta(on_hand);
    adjust.set_reason(cv1::STOCK_ADJUSTMENT_REASON_RESTOCK);
    adjust.set_note("春茶入库");
    Call<cv1::AdjustStockRequest, cv1::Stock>(catalog(), &Stub::AdjustStock, world.admin_token,
                                              adjust);
  }
  return product;
}

cv1::Offer CatalogFixture::OfferTo(const cv1::Product& product, const PartnerWorld& partner,
                                   const std::string& token) {
  cv1::CreateOfferRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_offer()->set_product_id(product.id());
  req.mutable_offer()->set_partner_id(partner.partner.id());
  return Call<cv1::CreateOfferRequest, cv1::Offer>(
      catalog(), &cv1::CatalogService::Stub::CreateOffer, token, req);
}

}  // namespace cooplink::testing
