#include "tests/support/membership_fixture.h"

#include <atomic>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cooplink::testing {

membership::MembershipConfig* MembershipFixture::config_ = nullptr;
FakeClock* MembershipFixture::clock_ = nullptr;
std::unique_ptr<membership::MembershipServer>* MembershipFixture::server_ = nullptr;
std::unique_ptr<mv1::MembershipService::Stub>* MembershipFixture::stub_ = nullptr;
std::string* MembershipFixture::admin_token_ = nullptr;
std::unique_ptr<Database>* MembershipFixture::db_ = nullptr;

namespace {
int Next() { return NextSequence(); }
}  // namespace

void MembershipFixture::SetUpTestSuiteWith(
    const std::function<void(membership::MembershipConfig&)>& adjust) {
  const std::string suite = ::testing::UnitTest::GetInstance()->current_test_suite()->name();
  config_ = new membership::MembershipConfig();
  config_->db = TestDbConfig(absl::StrCat("test_membership_", absl::AsciiStrToLower(suite)));
  config_->server.listen = "127.0.0.1:0";
  config_->token_key = RandomKeyBase64();
  config_->pii_key = RandomKeyBase64();
  config_->access_log = false;
  config_->revocation_refresh = absl::Milliseconds(200);
  config_->workers = 8;
  adjust(*config_);
  // 2026-03-01 09:00 China Standard Time.
  clock_ = new FakeClock(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), absl::FixedTimeZone(8 * 3600)));
  auto server = membership::MembershipServer::Start(*config_, clock_);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = new std::unique_ptr<membership::MembershipServer>(*std::move(server));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server_)->port()),
                                     grpc::InsecureChannelCredentials());
  stub_ =
      new std::unique_ptr<mv1::MembershipService::Stub>(mv1::MembershipService::NewStub(channel));
  mv1::Principal admin;
  mv1::IssueTokenResponse token;
  ASSERT_TRUE((*server_)
                  ->membership()
                  .BootstrapPlatformAdmin("测试平台管理员", absl::Hours(24 * 30), &admin, &token)
                  .ok());
  admin_token_ = new std::string(token.token());
  auto db = Database::Open(config_->db);
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = new std::unique_ptr<Database>(*std::move(db));
}

void MembershipFixture::TearDownTestSuite() {
  delete stub_;
  if (server_ != nullptr) (*server_)->Shutdown();
  delete server_;
  delete db_;
  delete admin_token_;
  delete clock_;
  delete config_;
  stub_ = nullptr;
  server_ = nullptr;
  db_ = nullptr;
}

mv1::Cooperative MembershipFixture::CreateCooperative(const std::string& name) {
  mv1::CreateCooperativeRequest req;
  req.set_request_id(NewRequestId());
  auto* c = req.mutable_cooperative();
  c->set_name(name);
  c->set_uscc(CooperativeUscc(Next()));
  c->set_region_code("530828");
  c->set_fiscal_year_end_month(12);
  c->set_service_fee_bps(300);
  mv1::Cooperative out;
  grpc::Status s = stub().CreateCooperative(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

mv1::Household MembershipFixture::CreateHousehold(const std::string& village_code) {
  mv1::CreateHouseholdRequest req;
  req.set_request_id(NewRequestId());
  auto* h = req.mutable_household();
  h->set_village_code(village_code);
  h->set_head_name("扎约");
  h->set_resident_size(4);
  h->set_ethnicity("拉祜族");
  mv1::Household out;
  grpc::Status s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

mv1::Member MembershipFixture::CreateMember(const std::string& cooperative_id,
                                            const std::string& household_id, bool is_farmer) {
  mv1::CreateMemberRequest req;
  req.set_request_id(NewRequestId());
  auto* m = req.mutable_member();
  m->set_cooperative_id(cooperative_id);
  m->set_household_id(household_id);
  m->set_name("娜丽");
  m->set_resident_id(ResidentId(Next()));
  m->set_phone(absl::StrCat("138", absl::StrFormat("%08d", Next())));
  m->set_is_farmer(is_farmer);
  m->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
  mv1::Member out;
  grpc::Status s = stub().CreateMember(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

mv1::SocialWorker MembershipFixture::CreateSocialWorker() {
  mv1::CreateSocialWorkerRequest req;
  req.set_request_id(NewRequestId());
  auto* w = req.mutable_social_worker();
  w->set_name("李社工");
  w->set_organization("澜沧县社会工作服务中心");
  w->set_phone(absl::StrCat("139", absl::StrFormat("%08d", Next())));
  w->set_county_code("530828");
  mv1::SocialWorker out;
  grpc::Status s = stub().CreateSocialWorker(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

mv1::Partner MembershipFixture::CreatePartner() {
  mv1::CreatePartnerRequest req;
  req.set_request_id(NewRequestId());
  auto* p = req.mutable_partner();
  p->set_name(absl::StrCat("832平台-", Next()));
  p->set_channel_kind(common::v1::CHANNEL_KIND_PLATFORM_832);
  p->set_commission_rate_bps(500);
  p->set_contact("ops@example.invalid");
  mv1::Partner out;
  grpc::Status s = stub().CreatePartner(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

mv1::Assignment MembershipFixture::AssignCooperative(const std::string& worker_id,
                                                     const std::string& cooperative_id) {
  mv1::AssignSocialWorkerRequest req;
  req.set_request_id(NewRequestId());
  req.set_social_worker_id(worker_id);
  req.set_cooperative_id(cooperative_id);
  mv1::Assignment out;
  grpc::Status s = stub().AssignSocialWorker(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

mv1::Assignment MembershipFixture::AssignVillage(const std::string& worker_id,
                                                 const std::string& village_code) {
  mv1::AssignSocialWorkerRequest req;
  req.set_request_id(NewRequestId());
  req.set_social_worker_id(worker_id);
  req.set_village_code(village_code);
  mv1::Assignment out;
  grpc::Status s = stub().AssignSocialWorker(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

MembershipFixture::Caller MembershipFixture::CallerFor(const mv1::Principal& principal) {
  mv1::CreatePrincipalRequest create;
  create.set_request_id(NewRequestId());
  *create.mutable_principal() = principal;
  if (create.principal().display_name().empty()) {
    create.mutable_principal()->set_display_name("测试用户");
  }
  mv1::Principal created;
  grpc::Status s = stub().CreatePrincipal(Ctx(admin()).get(), create, &created);
  EXPECT_TRUE(s.ok()) << s.error_message();
  mv1::IssueTokenRequest issue;
  issue.set_request_id(NewRequestId());
  issue.set_principal_id(created.id());
  mv1::IssueTokenResponse token;
  s = stub().IssueToken(Ctx(admin()).get(), issue, &token);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {created.id(), token.token()};
}

std::string MembershipFixture::CoopAdminToken(const std::string& cooperative_id) {
  mv1::Principal p;
  p.set_role(common::v1::ROLE_COOPERATIVE_ADMIN);
  p.set_cooperative_id(cooperative_id);
  return TokenFor(p);
}

std::string MembershipFixture::WorkerToken(const std::string& social_worker_id) {
  mv1::Principal p;
  p.set_role(common::v1::ROLE_SOCIAL_WORKER);
  p.set_social_worker_id(social_worker_id);
  return TokenFor(p);
}

std::string MembershipFixture::MemberToken(const mv1::Member& member) {
  mv1::Principal p;
  p.set_role(common::v1::ROLE_MEMBER);
  p.set_cooperative_id(member.cooperative_id());
  p.set_household_id(member.household_id());
  p.set_member_id(member.id());
  return TokenFor(p);
}

std::string MembershipFixture::PartnerToken(const std::string& partner_id) {
  mv1::Principal p;
  p.set_role(common::v1::ROLE_PARTNER);
  p.set_partner_id(partner_id);
  return TokenFor(p);
}

}  // namespace cooplink::testing
