#include "tests/support/income_fixture.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/fields.h"
#include "services/common/ids.h"

namespace cooplink::testing {

std::unique_ptr<income::IncomeServer>* IncomeFixture::income_server_ = nullptr;
std::unique_ptr<iv1::IncomeService::Stub>* IncomeFixture::income_stub_ = nullptr;

void IncomeFixture::SetUpIncomeSuiteWith(const std::function<void(income::IncomeConfig&)>& adjust) {
  OrdersFixture::SetUpTestSuite();
  const std::string suite =
      absl::AsciiStrToLower(::testing::UnitTest::GetInstance()->current_test_suite()->name());
  income::IncomeConfig ic;
  ic.db = TestDbConfig(absl::StrCat("test_income_", suite));
  ic.server.listen = "127.0.0.1:0";
  ic.token_key = *token_key_;
  ic.membership_target = absl::StrCat("127.0.0.1:", (*membership_)->port());
  ic.orders_target = absl::StrCat("127.0.0.1:", (*orders_server_)->port());
  ic.service_token = *admin_token_;
  ic.access_log = false;
  ic.revocation_refresh = absl::Milliseconds(200);
  ic.review_interval = absl::Hours(1);  // tests run the review job explicitly
  ic.daily_check_interval = absl::Hours(24);
  ic.workers = 16;
  adjust(ic);
  auto is = income::IncomeServer::Start(ic, clock_);
  ASSERT_TRUE(is.ok()) << is.status();
  income_server_ = new std::unique_ptr<income::IncomeServer>(*std::move(is));
  income_stub_ = new std::unique_ptr<iv1::IncomeService::Stub>(iv1::IncomeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*income_server_)->port()),
                          grpc::InsecureChannelCredentials())));
}

void IncomeFixture::TearDownTestSuite() {
  delete income_stub_;
  income_stub_ = nullptr;
  if (income_server_ != nullptr) (*income_server_)->Shutdown();
  delete income_server_;
  income_server_ = nullptr;
  OrdersFixture::TearDownTestSuite();
}

std::string IncomeFixture::NewVillage(const std::string& county) {
  return absl::StrCat(county, absl::StrFormat("%06d", 100000 + NextSequence() % 900000));
}

mv1::Household IncomeFixture::NewHousehold(const std::string& village_code, int resident_size) {
  mv1::CreateHouseholdRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_household()->set_village_code(village_code);
  req.mutable_household()->set_head_name("扎娜");
  req.mutable_household()->set_resident_size(resident_size);
  req.mutable_household()->set_ethnicity("哈尼族");
  mv1::Household out;
  grpc::Status s = members().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

WorkerWorld IncomeFixture::NewWorker(const std::string& village_code) {
  WorkerWorld w;
  w.village_code = village_code;
  mv1::CreateSocialWorkerRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_social_worker()->set_name("李社工");
  create.mutable_social_worker()->set_county_code(village_code.substr(0, 6));
  grpc::Status s = members().CreateSocialWorker(Ctx(admin()).get(), create, &w.worker);
  EXPECT_TRUE(s.ok()) << s.error_message();
  mv1::AssignSocialWorkerRequest assign;
  assign.set_request_id(NewRequestId());
  assign.set_social_worker_id(w.worker.id());
  assign.set_village_code(village_code);
  mv1::Assignment assignment;
  s = members().AssignSocialWorker(Ctx(admin()).get(), assign, &assignment);
  EXPECT_TRUE(s.ok()) << s.error_message();
  mv1::Principal p;
  p.set_role(common::v1::ROLE_SOCIAL_WORKER);
  p.set_social_worker_id(w.worker.id());
  w.token = TokenForPrincipal(p);
  return w;
}

iv1::IncomeEntry IncomeFixture::RecordManual(const std::string& token,
                                             const std::string& household_id, iv1::IncomeKind kind,
                                             int64_t fen, absl::CivilDay day) {
  iv1::RecordIncomeEntryRequest req;
  req.set_request_id(NewRequestId());
  iv1::IncomeEntry* e = req.mutable_entry();
  e->set_household_id(household_id);
  e->set_kind(kind);
  e->mutable_amount()->set_fen(fen);
  *e->mutable_occurred_date() = ToDate(day);
  e->set_source(iv1::INCOME_SOURCE_MANUAL);
  iv1::IncomeEntry out;
  grpc::Status s = income().RecordIncomeEntry(Ctx(token).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return out;
}

// --- Surplus distributions and reports (helper SURPLUS) ---

iv1::MonitoringThreshold IncomeFixture::CreateLine(const std::string& region, int year,
                                                   int64_t fen) {
  iv1::CreateMonitoringThresholdRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_threshold()->set_region_code(region);
  req.mutable_threshold()->set_year(year);
  req.mutable_threshold()->mutable_amount_per_capita()->set_fen(fen);
  req.mutable_threshold()->set_source_document("测试文件");
  iv1::MonitoringThreshold out;
  grpc::Status s = income().CreateMonitoringThreshold(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  return out;
}

std::string IncomeFixture::InsertEntryRow(const std::string& household_id, iv1::IncomeKind kind,
                                          iv1::IncomeSource source, int64_t fen, absl::CivilDay day,
                                          const std::string& cooperative_id,
                                          const std::string& support_source_id) {
  const std::string id = NewId(clock_->Now());
  const bool imported = source == iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT;
  absl::Status s = income_db().Transact([&](Tx& tx) -> absl::Status {
    tx.Execute(
        "INSERT INTO income_entries (id, household_id, kind, amount_fen, occurred_date, source, "
        "source_ref, import_key, note, recorded_by, reversal_of, reversed_by, cooperative_id, "
        "support_source_id, create_time_us) "
        "VALUES (?, ?, ?, ?, ?, ?, '', ?, '', 'test', NULL, NULL, ?, ?, ?)",
        id, household_id, static_cast<int>(kind), fen, CivilToSql(day), static_cast<int>(source),
        imported ? std::optional<std::string>(id) : std::nullopt,
        cooperative_id.empty() ? std::nullopt : std::optional<std::string>(cooperative_id),
        support_source_id.empty() ? std::nullopt : std::optional<std::string>(support_source_id),
        ToMicros(clock_->Now()));
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return id;
}

std::pair<mv1::Member, std::string> IncomeFixture::NewMemberJoined(
    const std::string& cooperative_id, const std::string& village_code, absl::CivilDay join,
    const std::string& household_id) {
  std::string household = household_id;
  if (household.empty()) household = NewHousehold(village_code, 3).id();
  mv1::CreateMemberRequest req;
  req.set_request_id(NewRequestId());
  mv1::Member* m = req.mutable_member();
  m->set_cooperative_id(cooperative_id);
  m->set_household_id(household);
  m->set_name("岩香");
  m->set_resident_id(ResidentId(NextSequence()));
  m->set_is_farmer(true);
  m->set_member_kind(mv1::MEMBER_KIND_NATURAL_PERSON);
  *m->mutable_join_date() = ToDate(join);
  mv1::Member out;
  grpc::Status s = members().CreateMember(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  mv1::Principal p;
  p.set_role(common::v1::ROLE_MEMBER);
  p.set_cooperative_id(cooperative_id);
  p.set_household_id(household);
  p.set_member_id(out.id());
  return {out, TokenForPrincipal(p)};
}

void IncomeFixture::RecordContribution(const std::string& member_id, int64_t fen,
                                       absl::CivilDay day) {
  mv1::RecordCapitalContributionRequest req;
  req.set_request_id(NewRequestId());
  req.set_member_id(member_id);
  req.mutable_amount()->set_fen(fen);
  *req.mutable_contribution_date() = ToDate(day);
  mv1::CapitalContribution out;
  grpc::Status s = members().RecordCapitalContribution(Ctx(admin()).get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
}

}  // namespace cooplink::testing
