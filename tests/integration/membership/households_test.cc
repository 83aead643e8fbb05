// Households and monitoring categories through real gRPC against the real MariaDB.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/ids.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

using ::grpc::StatusCode;

class HouseholdsTest : public MembershipFixture {
 protected:
  // A village code no other test uses ("530828" + 6 digits), so lists can be filtered by it.
  static std::string NewVillage() { return absl::StrFormat("530828%06d", NextSequence()); }

  static common::v1::Date MakeDate(int y, int m, int d) {
    common::v1::Date date;
    date.set_year(y);
    date.set_month(m);
    date.set_day(d);
    return date;
  }

  // Today in China Standard Time according to the fake clock.
  static common::v1::Date TodayCst() {
    const absl::CivilDay day = absl::ToCivilDay(clock_->Now(), absl::FixedTimeZone(8 * 3600));
    return MakeDate(static_cast<int>(day.year()), day.month(), day.day());
  }

  static int64_t NowMicros() { return absl::ToUnixMicros(clock_->Now()); }
  static int64_t Micros(const google::protobuf::Timestamp& t) {
    return t.seconds() * 1000000 + t.nanos() / 1000;
  }

  mv1::CreateHouseholdRequest ValidCreate(const std::string& village) {
    mv1::CreateHouseholdRequest req;
    req.set_request_id(NewRequestId());
    auto* h = req.mutable_household();
    h->set_village_code(village);
    h->set_head_name("扎克");
    h->set_resident_size(5);
    h->set_ethnicity("哈尼族");
    return req;
  }

  mv1::Household Create(const std::string& token, const mv1::CreateHouseholdRequest& req) {
    mv1::Household out;
    grpc::Status s = stub().CreateHousehold(Ctx(token).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Caller Admin() {
    mv1::Principal p;
    p.set_role(common::v1::ROLE_PLATFORM_ADMIN);
    return CallerFor(p);
  }
  Caller Worker(const std::string& social_worker_id) {
    mv1::Principal p;
    p.set_role(common::v1::ROLE_SOCIAL_WORKER);
    p.set_social_worker_id(social_worker_id);
    return CallerFor(p);
  }

  mv1::ChangeMonitoringCategoryRequest ChangeRequest(
      const std::string& household_id, mv1::MonitoringCategory category,
      const std::string& reason = "入户核实：因病支出骤增") {
    mv1::ChangeMonitoringCategoryRequest req;
    req.set_request_id(NewRequestId());
    req.set_household_id(household_id);
    req.set_category(category);
    req.set_reason(reason);
    *req.mutable_effective_date() = MakeDate(2026, 2, 20);
    return req;
  }

  grpc::Status Get(const std::string& token, const std::string& id, mv1::Household* out) {
    mv1::GetHouseholdRequest req;
    req.set_id(id);
    return stub().GetHousehold(Ctx(token).get(), req, out);
  }

  // Ids of every household `token` may list under `prefix` (all pages, page size 2).
  std::vector<std::string> ListIds(
      const std::string& token, const std::string& prefix,
      mv1::MonitoringCategory category = mv1::MONITORING_CATEGORY_UNSPECIFIED) {
    mv1::ListHouseholdsRequest req;
    req.set_village_code_prefix(prefix);
    req.set_monitoring_category(category);
    req.set_page_size(2);
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100; ++pages) {
      mv1::ListHouseholdsResponse page;
      grpc::Status s = stub().ListHouseholds(Ctx(token).get(), req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.households_size(), 2);
      for (const auto& h : page.households()) ids.push_back(h.id());
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
    return ids;
  }

  std::vector<mv1::CategoryChange> AllChanges(const std::string& token,
                                              const std::string& household_id, int page_size = 0) {
    mv1::ListCategoryChangesRequest req;
    req.set_household_id(household_id);
    req.set_page_size(page_size);
    std::vector<mv1::CategoryChange> out;
    for (int pages = 0; pages < 100; ++pages) {
      mv1::ListCategoryChangesResponse page;
      grpc::Status s = stub().ListCategoryChanges(Ctx(token).get(), req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (page_size > 0) {
        EXPECT_LE(page.changes_size(), page_size);
      }
      for (const auto& c : page.changes()) out.push_back(c);
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
    return out;
  }

  std::string AddPartner() { return CreatePartner().id(); }

  mv1::Member AddMember(const std::string& cooperative_id, const std::string& household_id) {
    return CreateMember(cooperative_id, household_id);
  }
};

// --- Create / Get -------------------------------------------------------------------------------

TEST_F(HouseholdsTest, CreateThenGetReturnsTheHouseholdAsOrdinary) {
  const Caller admin2 = Admin();
  auto req = ValidCreate(NewVillage());
  req.mutable_household()->set_head_name("  扎克  ");  // trimmed
  const mv1::Household created = Create(admin2.token, req);
  EXPECT_EQ(created.id().size(), 26u);
  EXPECT_EQ(created.village_code(), req.household().village_code());
  EXPECT_EQ(created.head_name(), "扎克");
  EXPECT_EQ(created.resident_size(), 5);
  EXPECT_EQ(created.ethnicity(), "哈尼族");
  EXPECT_EQ(created.monitoring_category(), mv1::MONITORING_CATEGORY_ORDINARY);  // defaulted
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(Micros(created.create_time()), NowMicros());
  EXPECT_EQ(Micros(created.update_time()), NowMicros());

  mv1::Household fetched;
  ASSERT_TRUE(Get(admin(), created.id(), &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());

  // The initial category is the first change, from UNSPECIFIED.
  const auto changes = AllChanges(admin(), created.id());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].household_id(), created.id());
  EXPECT_EQ(changes[0].from_category(), mv1::MONITORING_CATEGORY_UNSPECIFIED);
  EXPECT_EQ(changes[0].to_category(), mv1::MONITORING_CATEGORY_ORDINARY);
  EXPECT_EQ(changes[0].changed_by(), admin2.id);
  EXPECT_EQ(Micros(changes[0].change_time()), NowMicros());
  EXPECT_EQ(changes[0].effective_date().SerializeAsString(), TodayCst().SerializeAsString());
  EXPECT_FALSE(changes[0].reason().empty());

  // Ethnicity is optional.
  auto no_ethnicity = ValidCreate(NewVillage());
  no_ethnicity.mutable_household()->clear_ethnicity();
  EXPECT_EQ(Create(admin(), no_ethnicity).ethnicity(), "");

  // Unknown ids read as NOT_FOUND.
  EXPECT_EQ(Get(admin(), NewId(absl::Now()), &fetched).error_code(), StatusCode::NOT_FOUND);
}

TEST_F(HouseholdsTest, AnInitialCategoryIsRecordedAsTheFirstChange) {
  const Caller admin2 = Admin();
  auto req = ValidCreate(NewVillage());
  req.mutable_household()->set_monitoring_category(mv1::MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE);
  const mv1::Household created = Create(admin2.token, req);
  EXPECT_EQ(created.monitoring_category(), mv1::MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE);
  const auto changes = AllChanges(admin(), created.id());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from_category(), mv1::MONITORING_CATEGORY_UNSPECIFIED);
  EXPECT_EQ(changes[0].to_category(), mv1::MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE);
  EXPECT_EQ(changes[0].changed_by(), admin2.id);

  // A social worker may register a monitored household in its own village.
  const auto worker = CreateSocialWorker();
  const std::string village = NewVillage();
  AssignVillage(worker.id(), village);
  const Caller w = Worker(worker.id());
  auto by_worker = ValidCreate(village);
  by_worker.mutable_household()->set_monitoring_category(mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP);
  const mv1::Household h = Create(w.token, by_worker);
  EXPECT_EQ(h.monitoring_category(), mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP);
  const auto worker_changes = AllChanges(w.token, h.id());
  ASSERT_EQ(worker_changes.size(), 1u);
  EXPECT_EQ(worker_changes[0].changed_by(), w.id);
}

TEST_F(HouseholdsTest, BadCreateInputIsRefusedWithFieldViolationsAndWritesNothing) {
  const int64_t households = CountRows(db(), "households");
  const int64_t changes = CountRows(db(), "category_changes");
  mv1::Household out;

  auto req = ValidCreate("990000000000");  // 99 is no province
  req.mutable_household()->set_head_name("   ");
  req.mutable_household()->set_resident_size(0);
  req.mutable_household()->set_ethnicity(std::string(21, 'a'));
  req.mutable_household()->set_monitoring_category(static_cast<mv1::MonitoringCategory>(42));
  grpc::Status s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"household.village_code", "household.head_name",
                                      "household.resident_size", "household.ethnicity",
                                      "household.monitoring_category"}));

  std::string long_name;
  for (int i = 0; i < 51; ++i) long_name += "扎";
  req = ValidCreate("53082810020");  // 11 digits
  req.mutable_household()->set_head_name(long_name);
  req.mutable_household()->set_resident_size(51);
  s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"household.village_code", "household.head_name",
                                      "household.resident_size"}));

  req = ValidCreate("53082810020X");
  s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"household.village_code"});

  req = ValidCreate(NewVillage());
  req.mutable_household()->set_resident_size(-3);
  s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"household.resident_size"});

  req = ValidCreate(NewVillage());
  req.set_request_id("");
  s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"request_id"});
  req.set_request_id("has space");
  s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"request_id"});

  // Exactly 50 characters of name and 20 of ethnicity are fine (code points, not bytes).
  long_name.resize(long_name.size() - std::string("扎").size());
  req = ValidCreate(NewVillage());
  req.mutable_household()->set_head_name(long_name);
  std::string ethnicity;
  for (int i = 0; i < 20; ++i) ethnicity += "族";
  req.mutable_household()->set_ethnicity(ethnicity);
  req.mutable_household()->set_resident_size(50);
  EXPECT_TRUE(stub().CreateHousehold(Ctx(admin()).get(), req, &out).ok());

  EXPECT_EQ(CountRows(db(), "households"), households + 1);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes + 1);

  // Get with a malformed id.
  mv1::GetHouseholdRequest get;
  get.set_id("not-an-id");
  EXPECT_EQ(ViolatedFields(stub().GetHousehold(Ctx(admin()).get(), get, &out)),
            std::vector<std::string>{"id"});
  get.clear_id();
  EXPECT_EQ(ViolatedFields(stub().GetHousehold(Ctx(admin()).get(), get, &out)),
            std::vector<std::string>{"id"});
}

TEST_F(HouseholdsTest, CallsWithoutAValidTokenAreUnauthenticated) {
  const auto h = CreateHousehold(NewVillage());
  const int64_t households = CountRows(db(), "households");
  const int64_t changes = CountRows(db(), "category_changes");
  for (const std::string& token : {std::string(), std::string("cl1.forged.token")}) {
    mv1::Household out;
    EXPECT_EQ(
        stub().CreateHousehold(Ctx(token).get(), ValidCreate(NewVillage()), &out).error_code(),
        StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Get(token, h.id(), &out).error_code(), StatusCode::UNAUTHENTICATED);
    mv1::ListHouseholdsResponse listed;
    EXPECT_EQ(stub().ListHouseholds(Ctx(token).get(), {}, &listed).error_code(),
              StatusCode::UNAUTHENTICATED);
    mv1::UpdateHouseholdRequest update;
    update.set_request_id(NewRequestId());
    update.mutable_household()->set_id(h.id());
    update.mutable_household()->set_head_name("改名");
    update.mutable_update_mask()->add_paths("head_name");
    EXPECT_EQ(stub().UpdateHousehold(Ctx(token).get(), update, &out).error_code(),
              StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(stub()
                  .ChangeMonitoringCategory(
                      Ctx(token).get(),
                      ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK), &out)
                  .error_code(),
              StatusCode::UNAUTHENTICATED);
    mv1::ListCategoryChangesRequest list_changes;
    list_changes.set_household_id(h.id());
    mv1::ListCategoryChangesResponse changed;
    EXPECT_EQ(stub().ListCategoryChanges(Ctx(token).get(), list_changes, &changed).error_code(),
              StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(CountRows(db(), "households"), households);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes);
}

TEST_F(HouseholdsTest, RolesThatMayNeverCallArePermissionDenied) {
  const auto coop = CreateCooperative("权限测试合作社");
  const std::string coop_admin = CoopAdminToken(coop.id());
  const std::string partner = PartnerToken(AddPartner());
  const auto h = CreateHousehold(NewVillage());
  const int64_t households = CountRows(db(), "households");
  const int64_t changes = CountRows(db(), "category_changes");
  mv1::Household out;

  // Partners have no access to households at all.
  EXPECT_EQ(
      stub().CreateHousehold(Ctx(partner).get(), ValidCreate(NewVillage()), &out).error_code(),
      StatusCode::PERMISSION_DENIED);
  grpc::Status s = Get(partner, h.id(), &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  mv1::ListHouseholdsResponse listed;
  EXPECT_EQ(stub().ListHouseholds(Ctx(partner).get(), {}, &listed).error_code(),
            StatusCode::PERMISSION_DENIED);
  mv1::ListCategoryChangesRequest list_changes;
  list_changes.set_household_id(h.id());
  mv1::ListCategoryChangesResponse changed;
  EXPECT_EQ(stub().ListCategoryChanges(Ctx(partner).get(), list_changes, &changed).error_code(),
            StatusCode::PERMISSION_DENIED);

  // Cooperative admins do not change categories, nor register monitored households.
  s = stub().ChangeMonitoringCategory(
      Ctx(coop_admin).get(), ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK),
      &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  auto monitored = ValidCreate(NewVillage());
  monitored.mutable_household()->set_monitoring_category(mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK);
  s = stub().CreateHousehold(Ctx(coop_admin).get(), monitored, &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CountRows(db(), "households"), households);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes);
  // ... but ORDINARY, explicitly or by default, is fine.
  monitored.set_request_id(NewRequestId());
  monitored.mutable_household()->set_monitoring_category(mv1::MONITORING_CATEGORY_ORDINARY);
  EXPECT_TRUE(stub().CreateHousehold(Ctx(coop_admin).get(), monitored, &out).ok());
  EXPECT_EQ(out.monitoring_category(), mv1::MONITORING_CATEGORY_ORDINARY);
}

// --- Scope
// ----------------------------------------------------------------------------------------

TEST_F(HouseholdsTest, SocialWorkerSeesOnlyHouseholdsInItsActiveVillages) {
  const std::string mine = NewVillage();
  const std::string other = NewVillage();
  const auto worker = CreateSocialWorker();
  const auto assignment = AssignVillage(worker.id(), mine);
  const std::string w = WorkerToken(worker.id());
  const auto in_mine = CreateHousehold(mine);
  const auto in_other = CreateHousehold(other);
  mv1::Household out;

  EXPECT_TRUE(Get(w, in_mine.id(), &out).ok());
  grpc::Status s = Get(w, in_other.id(), &out);
  EXPECT_EQ(s.error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(ErrorReason(s), "NOT_FOUND");

  // Listing everything the worker may see, within this test's two villages.
  std::vector<std::string> seen = ListIds(w, mine);
  EXPECT_EQ(seen, std::vector<std::string>{in_mine.id()});
  EXPECT_TRUE(ListIds(w, other).empty());

  mv1::UpdateHouseholdRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_id(in_other.id());
  update.mutable_household()->set_resident_size(3);
  update.mutable_update_mask()->add_paths("resident_size");
  EXPECT_EQ(stub().UpdateHousehold(Ctx(w).get(), update, &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(
      stub()
          .ChangeMonitoringCategory(
              Ctx(w).get(), ChangeRequest(in_other.id(), mv1::MONITORING_CATEGORY_LIFTED_OUT), &out)
          .error_code(),
      StatusCode::NOT_FOUND);
  mv1::ListCategoryChangesRequest list_changes;
  list_changes.set_household_id(in_other.id());
  mv1::ListCategoryChangesResponse changed;
  EXPECT_EQ(stub().ListCategoryChanges(Ctx(w).get(), list_changes, &changed).error_code(),
            StatusCode::NOT_FOUND);

  // Registering in, or moving a household into, an unassigned village is refused.
  const int64_t households = CountRows(db(), "households");
  s = stub().CreateHousehold(Ctx(w).get(), ValidCreate(other), &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "VILLAGE_NOT_ASSIGNED");
  EXPECT_EQ(CountRows(db(), "households"), households);
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_id(in_mine.id());
  update.mutable_household()->set_village_code(other);
  update.mutable_update_mask()->add_paths("village_code");
  s = stub().UpdateHousehold(Ctx(w).get(), update, &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "VILLAGE_NOT_ASSIGNED");
  ASSERT_TRUE(Get(admin(), in_mine.id(), &out).ok());
  EXPECT_EQ(out.village_code(), mine);
  EXPECT_EQ(out.etag(), in_mine.etag());

  // Within its own villages the worker may do all of it.
  const std::string second = NewVillage();
  AssignVillage(worker.id(), second);
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_village_code(second);
  ASSERT_TRUE(stub().UpdateHousehold(Ctx(w).get(), update, &out).ok());
  EXPECT_EQ(out.village_code(), second);
  EXPECT_EQ(out.resident_size(), 3);
  ASSERT_TRUE(stub()
                  .ChangeMonitoringCategory(
                      Ctx(w).get(),
                      ChangeRequest(in_mine.id(), mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK), &out)
                  .ok());
  const mv1::Household own = Create(w, ValidCreate(mine));
  EXPECT_EQ(ListIds(w, mine), std::vector<std::string>{own.id()});
  EXPECT_EQ(ListIds(w, second), std::vector<std::string>{in_mine.id()});

  // Once the assignment ends the village is out of scope.
  mv1::UnassignSocialWorkerRequest unassign;
  unassign.set_request_id(NewRequestId());
  unassign.set_assignment_id(assignment.id());
  mv1::Assignment ended;
  ASSERT_TRUE(stub().UnassignSocialWorker(Ctx(admin()).get(), unassign, &ended).ok());
  EXPECT_EQ(Get(w, own.id(), &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(ListIds(w, mine).empty());
  EXPECT_EQ(ListIds(w, second), std::vector<std::string>{in_mine.id()});
}

TEST_F(HouseholdsTest, AWorkerReachesHouseholdsThroughVillagesNotThroughCooperatives) {
  const std::string village = NewVillage();
  const auto coop = CreateCooperative("丙合作社");
  const auto worker = CreateSocialWorker();
  AssignCooperative(worker.id(), coop.id());
  const std::string w = WorkerToken(worker.id());
  const mv1::Household household = CreateHousehold(village);
  AddMember(coop.id(), household.id());
  mv1::Household out;

  // Assigned to the member's cooperative only: the household is outside the worker's scope.
  EXPECT_EQ(Get(w, household.id(), &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(ListIds(w, village).empty());
  mv1::ListCategoryChangesRequest changes;
  changes.set_household_id(household.id());
  mv1::ListCategoryChangesResponse listed;
  EXPECT_EQ(stub().ListCategoryChanges(Ctx(w).get(), changes, &listed).error_code(),
            StatusCode::NOT_FOUND);
  // Its village assigned too, the same household is in scope for reads and lists.
  AssignVillage(worker.id(), village);
  EXPECT_TRUE(Get(w, household.id(), &out).ok());
  EXPECT_EQ(ListIds(w, village), std::vector<std::string>{household.id()});
}

TEST_F(HouseholdsTest, CooperativeAdminSeesHouseholdsOfItsMembersOrCreatedByItWhileMemberless) {
  const std::string village = NewVillage();
  const auto coop_x = CreateCooperative("甲合作社");
  const auto coop_y = CreateCooperative("乙合作社");
  const std::string x = CoopAdminToken(coop_x.id());
  const std::string y = CoopAdminToken(coop_y.id());
  mv1::Household out;

  // Created by X, no member yet: X may read and update it, Y may not.
  const mv1::Household by_x = Create(x, ValidCreate(village));
  EXPECT_TRUE(Get(x, by_x.id(), &out).ok());
  EXPECT_EQ(Get(y, by_x.id(), &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(AllChanges(x, by_x.id()).size(), 1u);
  mv1::UpdateHouseholdRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_id(by_x.id());
  update.mutable_household()->set_head_name("岩甩");
  update.mutable_update_mask()->add_paths("head_name");
  ASSERT_TRUE(stub().UpdateHousehold(Ctx(x).get(), update, &out).ok());
  EXPECT_EQ(out.head_name(), "岩甩");
  update.set_request_id(NewRequestId());
  EXPECT_EQ(stub().UpdateHousehold(Ctx(y).get(), update, &out).error_code(), StatusCode::NOT_FOUND);
  mv1::ListCategoryChangesRequest list_changes;
  list_changes.set_household_id(by_x.id());
  mv1::ListCategoryChangesResponse changed;
  EXPECT_EQ(stub().ListCategoryChanges(Ctx(y).get(), list_changes, &changed).error_code(),
            StatusCode::NOT_FOUND);

  // Created by the platform admin, with a member of X: X sees it, Y does not.
  const mv1::Household with_x_member = CreateHousehold(village);
  EXPECT_EQ(Get(x, with_x_member.id(), &out).error_code(), StatusCode::NOT_FOUND);
  AddMember(coop_x.id(), with_x_member.id());
  EXPECT_TRUE(Get(x, with_x_member.id(), &out).ok());
  EXPECT_EQ(Get(y, with_x_member.id(), &out).error_code(), StatusCode::NOT_FOUND);

  std::vector<std::string> expected = {by_x.id(), with_x_member.id()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ListIds(x, village), expected);
  EXPECT_TRUE(ListIds(y, village).empty());

  // Once the household X created has a member of Y only, it belongs to Y's scope, not X's.
  AddMember(coop_y.id(), by_x.id());
  EXPECT_EQ(Get(x, by_x.id(), &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get(y, by_x.id(), &out).ok());
  EXPECT_EQ(ListIds(x, village), std::vector<std::string>{with_x_member.id()});
  EXPECT_EQ(ListIds(y, village), std::vector<std::string>{by_x.id()});
  update.set_request_id(NewRequestId());
  EXPECT_EQ(stub().UpdateHousehold(Ctx(x).get(), update, &out).error_code(), StatusCode::NOT_FOUND);
  // A member of X joining too brings it back into X's scope.
  AddMember(coop_x.id(), by_x.id());
  EXPECT_TRUE(Get(x, by_x.id(), &out).ok());
  EXPECT_EQ(ListIds(x, village), expected);

  // A cooperative admin's scope does not depend on villages: it may move the household.
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_village_code(NewVillage());
  update.mutable_update_mask()->add_paths("village_code");
  EXPECT_TRUE(stub().UpdateHousehold(Ctx(x).get(), update, &out).ok());
}

TEST_F(HouseholdsTest, MemberReadsOnlyItsOwnHouseholdAndCannotList) {
  const std::string village = NewVillage();
  const auto coop = CreateCooperative("成员测试合作社");
  const auto own = CreateHousehold(village);
  const auto other = CreateHousehold(village);
  const mv1::Member member = AddMember(coop.id(), own.id());
  AddMember(coop.id(), other.id());
  const std::string m = MemberToken(member);
  mv1::Household out;

  ASSERT_TRUE(Get(m, own.id(), &out).ok());
  EXPECT_EQ(out.id(), own.id());
  EXPECT_EQ(Get(m, other.id(), &out).error_code(), StatusCode::NOT_FOUND);

  mv1::ListHouseholdsRequest list;
  mv1::ListHouseholdsResponse listed;
  grpc::Status s = stub().ListHouseholds(Ctx(m).get(), list, &listed);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  mv1::ListCategoryChangesRequest list_changes;
  list_changes.set_household_id(own.id());
  mv1::ListCategoryChangesResponse changed;
  EXPECT_EQ(stub().ListCategoryChanges(Ctx(m).get(), list_changes, &changed).error_code(),
            StatusCode::PERMISSION_DENIED);

  const int64_t households = CountRows(db(), "households");
  const int64_t changes = CountRows(db(), "category_changes");
  mv1::UpdateHouseholdRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_id(own.id());
  update.mutable_household()->set_head_name("改名");
  update.mutable_update_mask()->add_paths("head_name");
  EXPECT_EQ(stub().UpdateHousehold(Ctx(m).get(), update, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub()
          .ChangeMonitoringCategory(
              Ctx(m).get(), ChangeRequest(own.id(), mv1::MONITORING_CATEGORY_LIFTED_OUT), &out)
          .error_code(),
      StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub().CreateHousehold(Ctx(m).get(), ValidCreate(village), &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CountRows(db(), "households"), households);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes);
  ASSERT_TRUE(Get(admin(), own.id(), &out).ok());
  EXPECT_EQ(out.head_name(), own.head_name());
}

// --- Idempotency
// ----------------------------------------------------------------------------------

TEST_F(HouseholdsTest, SameRequestIdReplaysTheFirstCreateAndCreatesOnce) {
  auto req = ValidCreate(NewVillage());
  const int64_t households = CountRows(db(), "households");
  const int64_t changes = CountRows(db(), "category_changes");
  mv1::Household first, second;
  ASSERT_TRUE(stub().CreateHousehold(Ctx(admin()).get(), req, &first).ok());
  clock_->Advance(absl::Seconds(1));
  ASSERT_TRUE(stub().CreateHousehold(Ctx(admin()).get(), req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows(db(), "households"), households + 1);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes + 1);

  req.mutable_household()->set_head_name("另一个户主");
  mv1::Household third;
  grpc::Status s = stub().CreateHousehold(Ctx(admin()).get(), req, &third);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "households"), households + 1);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes + 1);
}

TEST_F(HouseholdsTest, ConcurrentCreatesWithOneRequestIdHaveOneEffect) {
  auto req = ValidCreate(NewVillage());
  const int64_t households = CountRows(db(), "households");
  const int64_t changes = CountRows(db(), "category_changes");
  constexpr int kCallers = 8;
  std::vector<mv1::Household> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().CreateHousehold(Ctx(admin()).get(), req, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows(db(), "households"), households + 1);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes + 1);
}

TEST_F(HouseholdsTest, SameRequestIdReplaysACategoryChangeAndChangesOnce) {
  const auto h = CreateHousehold(NewVillage());
  const int64_t changes = CountRows(db(), "category_changes");
  auto req = ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK);
  mv1::Household first, second;
  ASSERT_TRUE(stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &first).ok());
  ASSERT_TRUE(stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows(db(), "category_changes"), changes + 1);

  req.set_reason("另一个理由");
  mv1::Household third;
  grpc::Status s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &third);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "category_changes"), changes + 1);

  // Eight concurrent callers with one request_id: one change.
  auto concurrent = ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP);
  constexpr int kCallers = 8;
  std::vector<mv1::Household> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().ChangeMonitoringCategory(Ctx(admin()).get(), concurrent, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(replies[0].monitoring_category(), mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP);
  EXPECT_EQ(CountRows(db(), "category_changes"), changes + 2);
  EXPECT_EQ(AllChanges(admin(), h.id()).size(), 3u);
}

TEST_F(HouseholdsTest, SameRequestIdReplaysAnUpdate) {
  const auto h = CreateHousehold(NewVillage());
  mv1::UpdateHouseholdRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_household()->set_id(h.id());
  update.mutable_household()->set_resident_size(6);
  update.mutable_update_mask()->add_paths("resident_size");
  mv1::Household first, second;
  ASSERT_TRUE(stub().UpdateHousehold(Ctx(admin()).get(), update, &first).ok());
  ASSERT_TRUE(stub().UpdateHousehold(Ctx(admin()).get(), update, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  mv1::Household current;
  ASSERT_TRUE(Get(admin(), h.id(), &current).ok());
  EXPECT_EQ(current.etag(), first.etag());  // applied once: one version bump

  update.mutable_household()->set_resident_size(7);
  grpc::Status s = stub().UpdateHousehold(Ctx(admin()).get(), update, &second);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  ASSERT_TRUE(Get(admin(), h.id(), &current).ok());
  EXPECT_EQ(current.resident_size(), 6);
}

// --- Update
// ---------------------------------------------------------------------------------------

TEST_F(HouseholdsTest, UpdateAppliesTheMaskAndChecksTheEtag) {
  const auto h = CreateHousehold(NewVillage());
  clock_->Advance(absl::Minutes(1));
  mv1::UpdateHouseholdRequest update;
  update.set_request_id(NewRequestId());
  auto* patch = update.mutable_household();
  patch->set_id(h.id());
  patch->set_head_name("  娜波 ");
  patch->set_ethnicity("");
  patch->set_resident_size(49);  // not in the mask: ignored
  patch->set_monitoring_category(mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP);  // output only here
  patch->set_etag(h.etag());
  update.mutable_update_mask()->add_paths("head_name");
  update.mutable_update_mask()->add_paths("ethnicity");
  mv1::Household updated;
  ASSERT_TRUE(stub().UpdateHousehold(Ctx(admin()).get(), update, &updated).ok());
  EXPECT_EQ(updated.head_name(), "娜波");
  EXPECT_EQ(updated.ethnicity(), "");
  EXPECT_EQ(updated.resident_size(), h.resident_size());
  EXPECT_EQ(updated.village_code(), h.village_code());
  EXPECT_EQ(updated.monitoring_category(), mv1::MONITORING_CATEGORY_ORDINARY);
  EXPECT_NE(updated.etag(), h.etag());
  EXPECT_EQ(Micros(updated.create_time()), Micros(h.create_time()));
  EXPECT_EQ(Micros(updated.update_time()), NowMicros());

  // The old etag is stale now: ABORTED and nothing changes.
  update.set_request_id(NewRequestId());
  patch->set_head_name("第三个名字");
  grpc::Status s = stub().UpdateHousehold(Ctx(admin()).get(), update, &updated);
  EXPECT_EQ(s.error_code(), StatusCode::ABORTED);
  EXPECT_EQ(ErrorReason(s), "ETAG_MISMATCH");
  mv1::Household current;
  ASSERT_TRUE(Get(admin(), h.id(), &current).ok());
  EXPECT_EQ(current.head_name(), "娜波");

  // The current etag works; an empty etag skips the check.
  update.set_request_id(NewRequestId());
  patch->set_etag(current.etag());
  ASSERT_TRUE(stub().UpdateHousehold(Ctx(admin()).get(), update, &updated).ok());
  EXPECT_EQ(updated.head_name(), "第三个名字");
  update.set_request_id(NewRequestId());
  patch->clear_etag();
  patch->set_head_name("第四个名字");
  ASSERT_TRUE(stub().UpdateHousehold(Ctx(admin()).get(), update, &updated).ok());
  EXPECT_EQ(updated.head_name(), "第四个名字");

  // Unknown household.
  update.set_request_id(NewRequestId());
  patch->set_id(NewId(absl::Now()));
  EXPECT_EQ(stub().UpdateHousehold(Ctx(admin()).get(), update, &updated).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(HouseholdsTest, BadUpdatesAreInvalidArgumentAndChangeNothing) {
  const auto h = CreateHousehold(NewVillage());
  mv1::Household updated;
  auto attempt = [&](const std::vector<std::string>& paths, auto&& set) {
    mv1::UpdateHouseholdRequest update;
    update.set_request_id(NewRequestId());
    update.mutable_household()->set_id(h.id());
    for (const auto& p : paths) update.mutable_update_mask()->add_paths(p);
    set(*update.mutable_household());
    return stub().UpdateHousehold(Ctx(admin()).get(), update, &updated);
  };
  auto nothing = [](mv1::Household&) {};
  EXPECT_EQ(ViolatedFields(attempt({}, nothing)), std::vector<std::string>{"update_mask"});
  EXPECT_EQ(ViolatedFields(attempt({"monitoring_category"}, nothing)),
            std::vector<std::string>{"update_mask"});
  EXPECT_EQ(ViolatedFields(attempt({"id"}, nothing)), std::vector<std::string>{"update_mask"});
  EXPECT_EQ(ViolatedFields(attempt({"head_name", "village_code", "resident_size", "ethnicity"},
                                   [](mv1::Household& p) {
                                     p.set_head_name("");
                                     p.set_village_code("12345");
                                     p.set_resident_size(0);
                                     p.set_ethnicity(std::string(21, 'x'));
                                   })),
            (std::vector<std::string>{"household.village_code", "household.head_name",
                                      "household.resident_size", "household.ethnicity"}));
  EXPECT_EQ(ViolatedFields(
                attempt({"resident_size"}, [](mv1::Household& p) { p.set_resident_size(51); })),
            std::vector<std::string>{"household.resident_size"});
  {
    mv1::UpdateHouseholdRequest update;
    update.set_request_id(NewRequestId());
    update.mutable_update_mask()->add_paths("head_name");
    update.mutable_household()->set_head_name("x");
    EXPECT_EQ(ViolatedFields(stub().UpdateHousehold(Ctx(admin()).get(), update, &updated)),
              std::vector<std::string>{"household.id"});
    update.set_request_id("");
    update.mutable_household()->set_id(h.id());
    EXPECT_EQ(ViolatedFields(stub().UpdateHousehold(Ctx(admin()).get(), update, &updated)),
              std::vector<std::string>{"request_id"});
  }
  mv1::Household current;
  ASSERT_TRUE(Get(admin(), h.id(), &current).ok());
  EXPECT_EQ(current.SerializeAsString(), h.SerializeAsString());
}

// --- Monitoring categories
// ------------------------------------------------------------------------

TEST_F(HouseholdsTest, CategoryChangesRecordWhoWhenWhyOldestFirstAndPage) {
  const std::string village = NewVillage();
  const auto worker = CreateSocialWorker();
  AssignVillage(worker.id(), village);
  const Caller w = Worker(worker.id());
  const Caller admin2 = Admin();
  const auto h = CreateHousehold(village);

  struct Step {
    const Caller* who;
    mv1::MonitoringCategory to;
    std::string reason;
    common::v1::Date effective;
    absl::Duration advance;
  };
  const std::vector<Step> steps = {
      {&w, mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK, "入户核实：收入接近监测线",
       MakeDate(2026, 1, 15), absl::Minutes(10)},
      {&admin2, mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP, "户主突发重病", MakeDate(2026, 2, 1),
       absl::Hours(1)},
      // Two changes within one clock tick still list in the order they were made.
      {&w, mv1::MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE, "县级确认", MakeDate(2026, 2, 2),
       absl::ZeroDuration()},
      {&w, mv1::MONITORING_CATEGORY_LIFTED_OUT, "收入连续六个月稳定在监测线以上", TodayCst(),
       absl::ZeroDuration()},
  };
  std::vector<int64_t> times;
  mv1::Household last = h;
  for (const Step& step : steps) {
    clock_->Advance(step.advance);
    times.push_back(NowMicros());
    auto req = ChangeRequest(h.id(), step.to, step.reason);
    *req.mutable_effective_date() = step.effective;
    mv1::Household out;
    grpc::Status s = stub().ChangeMonitoringCategory(Ctx(step.who->token).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.monitoring_category(), step.to);
    EXPECT_NE(out.etag(), last.etag());
    EXPECT_EQ(Micros(out.update_time()), NowMicros());
    EXPECT_EQ(out.head_name(), h.head_name());
    last = out;
  }
  mv1::Household fetched;
  ASSERT_TRUE(Get(admin(), h.id(), &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), last.SerializeAsString());

  for (const std::string& token : {admin(), w.token}) {
    for (int page_size : {0, 1, 2, 3}) {
      const auto changes = AllChanges(token, h.id(), page_size);
      ASSERT_EQ(changes.size(), steps.size() + 1) << "page_size " << page_size;
      EXPECT_EQ(changes[0].from_category(), mv1::MONITORING_CATEGORY_UNSPECIFIED);
      EXPECT_EQ(changes[0].to_category(), mv1::MONITORING_CATEGORY_ORDINARY);
      for (size_t i = 0; i < steps.size(); ++i) {
        const auto& c = changes[i + 1];
        EXPECT_EQ(c.household_id(), h.id());
        EXPECT_EQ(c.from_category(), changes[i].to_category());
        EXPECT_EQ(c.to_category(), steps[i].to);
        EXPECT_EQ(c.reason(), steps[i].reason);
        EXPECT_EQ(c.effective_date().SerializeAsString(), steps[i].effective.SerializeAsString());
        EXPECT_EQ(c.changed_by(), steps[i].who->id);
        EXPECT_EQ(Micros(c.change_time()), times[i]);
        EXPECT_GT(c.id(), changes[i].id());
      }
    }
  }

  // Changing to the current category is refused and records nothing.
  const int64_t rows = CountRows(db(), "category_changes");
  grpc::Status s = stub().ChangeMonitoringCategory(
      Ctx(w.token).get(), ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_LIFTED_OUT), &fetched);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "CATEGORY_UNCHANGED");
  EXPECT_EQ(CountRows(db(), "category_changes"), rows);
  ASSERT_TRUE(Get(admin(), h.id(), &fetched).ok());
  EXPECT_EQ(fetched.etag(), last.etag());

  // Unknown household.
  s = stub().ChangeMonitoringCategory(
      Ctx(admin()).get(), ChangeRequest(NewId(absl::Now()), mv1::MONITORING_CATEGORY_LIFTED_OUT),
      &fetched);
  EXPECT_EQ(s.error_code(), StatusCode::NOT_FOUND);
  mv1::ListCategoryChangesRequest list;
  list.set_household_id(NewId(absl::Now()));
  mv1::ListCategoryChangesResponse listed;
  EXPECT_EQ(stub().ListCategoryChanges(Ctx(admin()).get(), list, &listed).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(HouseholdsTest, BadCategoryChangesAreInvalidArgumentAndWriteNothing) {
  const auto h = CreateHousehold(NewVillage());
  const int64_t rows = CountRows(db(), "category_changes");
  mv1::Household out;

  mv1::ChangeMonitoringCategoryRequest req;
  req.set_request_id(NewRequestId());
  grpc::Status s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"household_id", "category", "reason", "effective_date"}));

  req = ChangeRequest(h.id(), static_cast<mv1::MonitoringCategory>(9), std::string(501, 'r'));
  *req.mutable_effective_date() = MakeDate(2026, 2, 30);
  s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), (std::vector<std::string>{"category", "reason", "effective_date"}));

  // Not after today (China Standard Time).
  req = ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_LIFTED_OUT);
  const absl::CivilDay tomorrow =
      absl::ToCivilDay(clock_->Now(), absl::FixedTimeZone(8 * 3600)) + 1;
  *req.mutable_effective_date() =
      MakeDate(static_cast<int>(tomorrow.year()), tomorrow.month(), tomorrow.day());
  s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"effective_date"});
  *req.mutable_effective_date() = MakeDate(1899, 12, 31);
  s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"effective_date"});

  req = ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_UNSPECIFIED, "   ");
  s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), (std::vector<std::string>{"category", "reason"}));

  req = ChangeRequest("bogus", mv1::MONITORING_CATEGORY_LIFTED_OUT);
  s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"household_id"});

  req = ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_LIFTED_OUT);
  req.set_request_id("");
  s = stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"request_id"});

  EXPECT_EQ(CountRows(db(), "category_changes"), rows);
  mv1::Household current;
  ASSERT_TRUE(Get(admin(), h.id(), &current).ok());
  EXPECT_EQ(current.SerializeAsString(), h.SerializeAsString());

  // Today itself and 500 characters of reason are fine.
  req = ChangeRequest(h.id(), mv1::MONITORING_CATEGORY_LIFTED_OUT, std::string(500, 'r'));
  *req.mutable_effective_date() = TodayCst();
  EXPECT_TRUE(stub().ChangeMonitoringCategory(Ctx(admin()).get(), req, &out).ok());

  // ListCategoryChanges input.
  mv1::ListCategoryChangesRequest list;
  mv1::ListCategoryChangesResponse listed;
  EXPECT_EQ(ViolatedFields(stub().ListCategoryChanges(Ctx(admin()).get(), list, &listed)),
            std::vector<std::string>{"household_id"});
  list.set_household_id(h.id());
  list.set_page_size(-1);
  EXPECT_EQ(ViolatedFields(stub().ListCategoryChanges(Ctx(admin()).get(), list, &listed)),
            std::vector<std::string>{"page_size"});
  list.set_page_size(1);
  ASSERT_TRUE(stub().ListCategoryChanges(Ctx(admin()).get(), list, &listed).ok());
  ASSERT_FALSE(listed.next_page_token().empty());
  const auto other = CreateHousehold(NewVillage());
  list.set_household_id(other.id());
  list.set_page_token(listed.next_page_token());
  EXPECT_EQ(ViolatedFields(stub().ListCategoryChanges(Ctx(admin()).get(), list, &listed)),
            std::vector<std::string>{"page_token"});
}

// --- List
// -----------------------------------------------------------------------------------------

TEST_F(HouseholdsTest, ListFiltersByVillagePrefixAndCategoryAndPages) {
  const std::string village_a = NewVillage();
  const std::string village_b = NewVillage();
  std::vector<std::string> in_a, monitored;
  for (int i = 0; i < 5; ++i) in_a.push_back(CreateHousehold(village_a).id());
  const std::string in_b = CreateHousehold(village_b).id();
  for (int i : {1, 3}) {
    mv1::Household out;
    ASSERT_TRUE(stub()
                    .ChangeMonitoringCategory(
                        Ctx(admin()).get(),
                        ChangeRequest(in_a[i], mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK), &out)
                    .ok());
    monitored.push_back(in_a[i]);
  }
  std::sort(in_a.begin(), in_a.end());
  std::sort(monitored.begin(), monitored.end());

  EXPECT_EQ(ListIds(admin(), village_a), in_a);
  EXPECT_EQ(ListIds(admin(), village_b), std::vector<std::string>{in_b});
  EXPECT_EQ(ListIds(admin(), village_a, mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK), monitored);
  EXPECT_TRUE(ListIds(admin(), village_a, mv1::MONITORING_CATEGORY_SUDDEN_HARDSHIP).empty());
  // A shorter prefix (the county) includes both villages.
  const std::vector<std::string> county = ListIds(admin(), "530828");
  EXPECT_TRUE(std::is_sorted(county.begin(), county.end()));
  EXPECT_EQ(std::adjacent_find(county.begin(), county.end()), county.end());
  for (const auto& id : in_a) EXPECT_NE(std::find(county.begin(), county.end(), id), county.end());
  EXPECT_NE(std::find(county.begin(), county.end(), in_b), county.end());

  // Bad filters, a token reused with other filters, negative and huge page sizes.
  mv1::ListHouseholdsRequest list;
  mv1::ListHouseholdsResponse out;
  list.set_village_code_prefix("53a");
  list.set_monitoring_category(static_cast<mv1::MonitoringCategory>(77));
  grpc::Status s = stub().ListHouseholds(Ctx(admin()).get(), list, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"village_code_prefix", "monitoring_category"}));
  list.set_village_code_prefix("5308281002011");  // 13 digits
  list.clear_monitoring_category();
  EXPECT_EQ(ViolatedFields(stub().ListHouseholds(Ctx(admin()).get(), list, &out)),
            std::vector<std::string>{"village_code_prefix"});

  list.set_village_code_prefix(village_a);
  list.set_page_size(2);
  ASSERT_TRUE(stub().ListHouseholds(Ctx(admin()).get(), list, &out).ok());
  ASSERT_FALSE(out.next_page_token().empty());
  list.set_page_token(out.next_page_token());
  list.set_monitoring_category(mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK);
  EXPECT_EQ(ViolatedFields(stub().ListHouseholds(Ctx(admin()).get(), list, &out)),
            std::vector<std::string>{"page_token"});
  list.set_monitoring_category(mv1::MONITORING_CATEGORY_UNSPECIFIED);
  list.set_village_code_prefix(village_b);
  EXPECT_EQ(ViolatedFields(stub().ListHouseholds(Ctx(admin()).get(), list, &out)),
            std::vector<std::string>{"page_token"});

  mv1::ListHouseholdsRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(ViolatedFields(stub().ListHouseholds(Ctx(admin()).get(), negative, &out)),
            std::vector<std::string>{"page_size"});
  mv1::ListHouseholdsRequest huge;
  huge.set_village_code_prefix(village_a);
  huge.set_page_size(100000);
  mv1::ListHouseholdsResponse all;
  ASSERT_TRUE(stub().ListHouseholds(Ctx(admin()).get(), huge, &all).ok());
  EXPECT_EQ(all.households_size(), 5);
  EXPECT_TRUE(all.next_page_token().empty());
}

}  // namespace
}  // namespace cooplink::testing
