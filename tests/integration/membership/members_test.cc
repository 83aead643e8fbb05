// Members, capital contributions and exits through real gRPC against the real MariaDB.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/crypto.h"
#include "services/membership/identity.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

using ::grpc::StatusCode;

absl::Time ChinaTime(int y, int m, int d, int hh = 9, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::FixedTimeZone(8 * 3600));
}

// The fixture's starting time (2026-03-01 09:00 CST).
const absl::Time kStart = ChinaTime(2026, 3, 1);

std::string Phone(int n) { return absl::StrCat("139", absl::StrFormat("%08d", n)); }

class MembersTest : public MembershipFixture {
 protected:
  void TearDown() override { clock_->Set(kStart); }

  // A valid natural-person member of `coop` in `household`.
  mv1::CreateMemberRequest ValidCreate(const std::string& coop, const std::string& household,
                                       bool is_farmer = true) {
    mv1::CreateMemberRequest req;
    req.set_request_id(NewRequestId());
    auto* m = req.mutable_member();
    m->set_cooperative_id(coop);
    m->set_household_id(household);
    m->set_name("岩温");
    m->set_resident_id(ResidentId(NextSequence()));
    m->set_phone(Phone(NextSequence()));
    m->set_is_farmer(is_farmer);
    return req;
  }

  mv1::CreateMemberRequest ValidOrganization(const std::string& coop) {
    mv1::CreateMemberRequest req;
    req.set_request_id(NewRequestId());
    auto* m = req.mutable_member();
    m->set_cooperative_id(coop);
    m->set_name("澜沧县茶叶加工有限公司");
    m->set_member_kind(mv1::MEMBER_KIND_ORGANIZATION);
    return req;
  }

  grpc::Status Create(const std::string& token, const mv1::CreateMemberRequest& req,
                      mv1::Member* out) {
    return stub().CreateMember(Ctx(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, mv1::Member* out,
                   mv1::MemberView view = mv1::MEMBER_VIEW_MASKED) {
    mv1::GetMemberRequest req;
    req.set_id(id);
    req.set_view(view);
    return stub().GetMember(Ctx(token).get(), req, out);
  }

  grpc::Status RequestExit(const std::string& token, const std::string& member_id, mv1::Member* out,
                           const std::string& request_id = NewRequestId()) {
    mv1::RequestMemberExitRequest req;
    req.set_request_id(request_id);
    req.set_member_id(member_id);
    req.set_reason("外出务工");
    return stub().RequestMemberExit(Ctx(token).get(), req, out);
  }

  grpc::Status CompleteExit(const std::string& token, const std::string& member_id,
                            int64_t refund_fen, mv1::Member* out) {
    mv1::CompleteMemberExitRequest req;
    req.set_request_id(NewRequestId());
    req.set_member_id(member_id);
    req.mutable_refund()->set_fen(refund_fen);
    return stub().CompleteMemberExit(Ctx(token).get(), req, out);
  }

  grpc::Status Contribute(const std::string& token, const std::string& member_id, int64_t fen,
                          mv1::CapitalContribution* out, int y = 2026, int m = 2, int d = 15) {
    mv1::RecordCapitalContributionRequest req;
    req.set_request_id(NewRequestId());
    req.set_member_id(member_id);
    req.mutable_amount()->set_fen(fen);
    req.mutable_contribution_date()->set_year(y);
    req.mutable_contribution_date()->set_month(m);
    req.mutable_contribution_date()->set_day(d);
    req.set_note("现金");
    return stub().RecordCapitalContribution(Ctx(token).get(), req, out);
  }

  grpc::Status SetFarmer(const std::string& token, const std::string& member_id, bool farmer,
                         mv1::Member* out) {
    mv1::UpdateMemberRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_member()->set_id(member_id);
    req.mutable_member()->set_is_farmer(farmer);
    req.mutable_update_mask()->add_paths("is_farmer");
    return stub().UpdateMember(Ctx(token).get(), req, out);
  }

  // Tokens expire on the fake clock too: after moving it, callers need tokens issued "now".
  std::string AdminNow() {
    mv1::Principal principal;
    mv1::IssueTokenResponse token;
    EXPECT_TRUE((*server_)
                    ->membership()
                    .BootstrapPlatformAdmin("测试管理员", absl::Hours(24), &principal, &token)
                    .ok());
    return token.token();
  }
  std::string CoopAdminNow(const std::string& cooperative_id) {
    const std::string admin_now = AdminNow();
    mv1::CreatePrincipalRequest create;
    create.set_request_id(NewRequestId());
    create.mutable_principal()->set_display_name("合作社管理员");
    create.mutable_principal()->set_role(common::v1::ROLE_COOPERATIVE_ADMIN);
    create.mutable_principal()->set_cooperative_id(cooperative_id);
    mv1::Principal created;
    EXPECT_TRUE(stub().CreatePrincipal(Ctx(admin_now).get(), create, &created).ok());
    mv1::IssueTokenRequest issue;
    issue.set_request_id(NewRequestId());
    issue.set_principal_id(created.id());
    mv1::IssueTokenResponse token;
    EXPECT_TRUE(stub().IssueToken(Ctx(admin_now).get(), issue, &token).ok());
    return token.token();
  }

  int64_t CountWhere(const std::string& table, const std::string& where) {
    int64_t n = -1;
    (void)db().Read([&](Tx& tx) {
      auto rs = tx.Query(absl::StrCat("SELECT COUNT(*) AS n FROM ", table, " WHERE ", where));
      if (rs->next()) n = rs->getInt64("n");
      return absl::OkStatus();
    });
    return n;
  }
};

// Exits depend on the date: a suite of its own (and its own database).
class MemberExitTest : public MembersTest {};

// ---------------------------------------------------------------------------------------------
// Create and read
// ---------------------------------------------------------------------------------------------

TEST_F(MembersTest, CreateReturnsTheMaskedMemberAndGetMatches) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  auto req = ValidCreate(coop.id(), household.id());
  const std::string real_rid = ResidentId(NextSequence(), "19880229");  // leap year: valid
  ASSERT_FALSE(real_rid.empty());
  std::string lower = real_rid;
  if (lower.back() == 'X') lower.back() = 'x';
  req.mutable_member()->set_resident_id(lower);
  req.mutable_member()->set_phone("+86 138-0013-8000");
  mv1::Member created;
  grpc::Status s = Create(admin(), req, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.id().size(), 26u);
  EXPECT_EQ(created.cooperative_id(), coop.id());
  EXPECT_EQ(created.household_id(), household.id());
  EXPECT_EQ(created.name(), "岩温");
  EXPECT_EQ(created.resident_id(),
            absl::StrCat(real_rid.substr(0, 4), "**********", real_rid.substr(14)));
  EXPECT_EQ(created.resident_id(), membership::MaskResidentId(real_rid));
  EXPECT_EQ(created.phone(), "138****8000");
  EXPECT_TRUE(created.is_farmer());
  EXPECT_EQ(created.member_kind(), mv1::MEMBER_KIND_NATURAL_PERSON);
  EXPECT_EQ(created.state(), mv1::MEMBER_STATE_ACTIVE);
  EXPECT_EQ(created.birth_date().year(), 1988);
  EXPECT_EQ(created.birth_date().month(), 2);
  EXPECT_EQ(created.birth_date().day(), 29);
  EXPECT_EQ(created.join_date().year(), 2026);  // defaulted to today
  EXPECT_EQ(created.join_date().month(), 3);
  EXPECT_EQ(created.join_date().day(), 1);
  EXPECT_EQ(created.capital_contribution_total().fen(), 0);
  EXPECT_FALSE(created.has_exit_notice_time());
  EXPECT_FALSE(created.has_exit_effective_date());
  EXPECT_FALSE(created.has_exit_refund());
  EXPECT_FALSE(created.etag().empty());

  mv1::Member fetched;
  ASSERT_TRUE(Get(admin(), created.id(), &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
  ASSERT_TRUE(Get(admin(), created.id(), &fetched, mv1::MEMBER_VIEW_UNSPECIFIED).ok());
  EXPECT_EQ(fetched.resident_id(), created.resident_id());

  // The sensitive view returns the normalised originals (upper-case X, 11-digit phone).
  ASSERT_TRUE(Get(admin(), created.id(), &fetched, mv1::MEMBER_VIEW_SENSITIVE).ok());
  EXPECT_EQ(fetched.resident_id(), real_rid);
  EXPECT_EQ(fetched.phone(), "13800138000");
  const std::string coop_admin = CoopAdminToken(coop.id());
  ASSERT_TRUE(Get(coop_admin, created.id(), &fetched, mv1::MEMBER_VIEW_SENSITIVE).ok());
  EXPECT_EQ(fetched.resident_id(), real_rid);
  EXPECT_EQ(fetched.phone(), "13800138000");
}

TEST_F(MembersTest, OrganizationsHaveNoHouseholdResidentIdOrBirthDate) {
  const auto coop = CreateCooperative();
  auto req = ValidOrganization(coop.id());
  mv1::Member org;
  ASSERT_TRUE(Create(admin(), req, &org).ok());
  EXPECT_EQ(org.member_kind(), mv1::MEMBER_KIND_ORGANIZATION);
  EXPECT_EQ(org.household_id(), "");
  EXPECT_EQ(org.resident_id(), "");
  EXPECT_EQ(org.phone(), "");
  EXPECT_FALSE(org.is_farmer());
  EXPECT_FALSE(org.has_birth_date());
  mv1::Member fetched;
  ASSERT_TRUE(Get(admin(), org.id(), &fetched, mv1::MEMBER_VIEW_SENSITIVE).ok());
  EXPECT_EQ(fetched.resident_id(), "");

  // An organization with a household, a resident ID or as a farmer is refused.
  auto bad = ValidOrganization(coop.id());
  bad.mutable_member()->set_household_id(CreateHousehold().id());
  bad.mutable_member()->set_resident_id(ResidentId(NextSequence()));
  bad.mutable_member()->set_is_farmer(true);
  grpc::Status s = Create(admin(), bad, &fetched);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      ViolatedFields(s),
      (std::vector<std::string>{"member.household_id", "member.resident_id", "member.is_farmer"}));
}

TEST_F(MembersTest, BadInputIsRefusedWithFieldViolationsAndWritesNothing) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  const int64_t before = CountRows(db(), "members");
  mv1::Member out;

  // Wrong check character.
  auto req = ValidCreate(coop.id(), household.id());
  std::string rid = ResidentId(NextSequence());
  rid.back() = rid.back() == '0' ? '1' : '0';
  req.mutable_member()->set_resident_id(rid);
  grpc::Status s = Create(admin(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"member.resident_id"});
  // The message never echoes the resident ID.
  EXPECT_EQ(s.error_message().find(rid.substr(0, 17)), std::string::npos);

  // Impossible birth date (30 February), with a computed-correct check character.
  req = ValidCreate(coop.id(), household.id());
  const std::string base = "53082819800230001";
  const int weights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (base[i] - '0') * weights[i];
  req.mutable_member()->set_resident_id(base + "10X98765432"[sum % 11]);
  s = Create(admin(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"member.resident_id"});

  // Birth date in the future.
  req = ValidCreate(coop.id(), household.id());
  req.mutable_member()->set_resident_id("");
  for (char c : std::string("0123456789X")) {
    std::string id = absl::StrCat("53082820300101001", std::string(1, c));
    if (membership::ParseResidentId(id, absl::CivilDay(2100, 1, 1)).ok()) {
      req.mutable_member()->set_resident_id(id);
    }
  }
  s = Create(admin(), req, &out);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"member.resident_id"});

  // Everything wrong at once, in field order.
  req = ValidCreate(coop.id(), household.id());
  req.mutable_member()->set_household_id("");
  req.mutable_member()->set_name("   ");
  req.mutable_member()->set_resident_id("");
  req.mutable_member()->set_phone("12345");
  req.mutable_member()->set_member_kind(static_cast<mv1::MemberKind>(7));
  req.mutable_member()->mutable_join_date()->set_year(2026);
  req.mutable_member()->mutable_join_date()->set_month(2);
  req.mutable_member()->mutable_join_date()->set_day(30);
  s = Create(admin(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"member.household_id", "member.name", "member.resident_id",
                                      "member.phone", "member.member_kind", "member.join_date"}));

  // Name too long; join date in the future; bad cooperative id.
  req = ValidCreate("not-an-id", household.id());
  req.mutable_member()->set_name(std::string(51, 'a'));
  req.mutable_member()->mutable_join_date()->set_year(2026);
  req.mutable_member()->mutable_join_date()->set_month(3);
  req.mutable_member()->mutable_join_date()->set_day(2);
  s = Create(admin(), req, &out);
  EXPECT_EQ(ViolatedFields(s),
            (std::vector<std::string>{"member.cooperative_id", "member.name", "member.join_date"}));

  // Missing request_id.
  req = ValidCreate(coop.id(), household.id());
  req.set_request_id("");
  EXPECT_EQ(ViolatedFields(Create(admin(), req, &out)), std::vector<std::string>{"request_id"});

  // A household that does not exist (an id of another resource).
  req = ValidCreate(coop.id(), coop.id());
  s = Create(admin(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");

  // An unknown cooperative is NOT_FOUND.
  req = ValidCreate(household.id(), household.id());
  EXPECT_EQ(Create(admin(), req, &out).error_code(), StatusCode::NOT_FOUND);

  EXPECT_EQ(CountRows(db(), "members"), before);
}

TEST_F(MembersTest, CallsWithoutATokenAreUnauthenticated) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  mv1::Member out;
  EXPECT_EQ(Create("", ValidCreate(coop.id(), member.household_id()), &out).error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("", member.id(), &out).error_code(), StatusCode::UNAUTHENTICATED);
  mv1::ListMembersRequest list;
  list.set_cooperative_id(coop.id());
  mv1::ListMembersResponse listed;
  EXPECT_EQ(stub().ListMembers(Ctx("").get(), list, &listed).error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(SetFarmer("", member.id(), false, &out).error_code(), StatusCode::UNAUTHENTICATED);
  mv1::CapitalContribution contribution;
  EXPECT_EQ(Contribute("", member.id(), 100, &contribution).error_code(),
            StatusCode::UNAUTHENTICATED);
  mv1::ListCapitalContributionsRequest contributions;
  contributions.set_member_id(member.id());
  mv1::ListCapitalContributionsResponse contributions_out;
  EXPECT_EQ(stub()
                .ListCapitalContributions(Ctx("").get(), contributions, &contributions_out)
                .error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(RequestExit("", member.id(), &out).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CompleteExit("", member.id(), 0, &out).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("cl1.forged.token", member.id(), &out).error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(MembersTest, ScopedCallersSeeOnlyTheirMembers) {
  const auto mine = CreateCooperative("我的合作社");
  const auto other = CreateCooperative("别人的合作社");
  const auto member = CreateMember(mine.id(), CreateHousehold().id());
  const auto stranger = CreateMember(other.id(), CreateHousehold().id());
  const std::string other_admin = CoopAdminToken(other.id());
  const auto unassigned = CreateSocialWorker();
  const std::string unassigned_token = WorkerToken(unassigned.id());
  const auto assigned = CreateSocialWorker();
  AssignCooperative(assigned.id(), mine.id());
  const std::string worker = WorkerToken(assigned.id());
  const std::string member_token = MemberToken(member);
  const std::string partner = PartnerToken(CreatePartner().id());
  mv1::Member out;
  mv1::CapitalContribution contribution;

  // Another cooperative's admin and an unassigned worker: NOT_FOUND everywhere.
  for (const std::string& token : {other_admin, unassigned_token}) {
    EXPECT_EQ(Get(token, member.id(), &out).error_code(), StatusCode::NOT_FOUND);
    EXPECT_EQ(SetFarmer(token, member.id(), true, &out).error_code(), StatusCode::NOT_FOUND);
    mv1::ListMembersRequest list;
    list.set_cooperative_id(mine.id());
    mv1::ListMembersResponse listed;
    EXPECT_EQ(stub().ListMembers(Ctx(token).get(), list, &listed).error_code(),
              StatusCode::NOT_FOUND);
    mv1::ListCapitalContributionsRequest contributions;
    contributions.set_member_id(member.id());
    mv1::ListCapitalContributionsResponse contributions_out;
    EXPECT_EQ(stub()
                  .ListCapitalContributions(Ctx(token).get(), contributions, &contributions_out)
                  .error_code(),
              StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Contribute(other_admin, member.id(), 100, &contribution).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_EQ(RequestExit(other_admin, member.id(), &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(CompleteExit(other_admin, member.id(), 0, &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(Create(other_admin, ValidCreate(mine.id(), member.household_id()), &out).error_code(),
            StatusCode::NOT_FOUND);

  // The assigned worker reads (masked only) and may update, but not admit, contribute or exit.
  ASSERT_TRUE(Get(worker, member.id(), &out).ok());
  EXPECT_EQ(out.resident_id(), member.resident_id());
  grpc::Status s = Get(worker, member.id(), &out, mv1::MEMBER_VIEW_SENSITIVE);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "SENSITIVE_VIEW_NOT_ALLOWED");
  EXPECT_EQ(Get(worker, stranger.id(), &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_TRUE(SetFarmer(worker, member.id(), true, &out).ok());
  s = Create(worker, ValidCreate(mine.id(), member.household_id()), &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(Contribute(worker, member.id(), 100, &contribution).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(RequestExit(worker, member.id(), &out).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CompleteExit(worker, member.id(), 0, &out).error_code(), StatusCode::PERMISSION_DENIED);

  // A member reads itself (masked) and nobody else; it cannot list members or change anything.
  ASSERT_TRUE(Get(member_token, member.id(), &out).ok());
  EXPECT_EQ(out.phone(), member.phone());
  s = Get(member_token, member.id(), &out, mv1::MEMBER_VIEW_SENSITIVE);
  EXPECT_EQ(ErrorReason(s), "SENSITIVE_VIEW_NOT_ALLOWED");
  EXPECT_EQ(Get(member_token, stranger.id(), &out).error_code(), StatusCode::NOT_FOUND);
  mv1::ListMembersRequest list;
  list.set_cooperative_id(mine.id());
  mv1::ListMembersResponse listed;
  EXPECT_EQ(stub().ListMembers(Ctx(member_token).get(), list, &listed).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(SetFarmer(member_token, member.id(), true, &out).error_code(),
            StatusCode::PERMISSION_DENIED);

  // A partner has no access to members.
  s = Get(partner, member.id(), &out);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(s), "ROLE_NOT_ALLOWED");

  // A missing member is NOT_FOUND for the platform admin too.
  EXPECT_EQ(Get(admin(), mine.id(), &out).error_code(), StatusCode::NOT_FOUND);
  // Bad ids and views are INVALID_ARGUMENT.
  EXPECT_EQ(ViolatedFields(Get(admin(), "junk", &out)), std::vector<std::string>{"id"});
  EXPECT_EQ(ViolatedFields(Get(admin(), member.id(), &out, static_cast<mv1::MemberView>(9))),
            std::vector<std::string>{"view"});
}

TEST_F(MembersTest, CooperativeAdminAdmitsOutsideItsRegionOnlyFromHouseholdsItMaySee) {
  const auto coop = CreateCooperative();  // in Lancang, 530828
  const std::string coop_admin = CoopAdminToken(coop.id());
  // A household registered by someone else in another county (Mojiang), with no member yet.
  const auto foreign = CreateHousehold("530822100201");
  const int64_t before = CountRows(db(), "members");
  mv1::Member out;
  grpc::Status s = Create(coop_admin, ValidCreate(coop.id(), foreign.id()), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  EXPECT_EQ(CountRows(db(), "members"), before);

  // A household the admin registered itself is fine, and so is one where its members live.
  mv1::CreateHouseholdRequest hreq;
  hreq.set_request_id(NewRequestId());
  hreq.mutable_household()->set_village_code("530828100201");
  hreq.mutable_household()->set_head_name("娜海");
  hreq.mutable_household()->set_resident_size(3);
  hreq.mutable_household()->set_ethnicity("傣族");
  mv1::Household own;
  s = stub().CreateHousehold(Ctx(coop_admin).get(), hreq, &own);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(Create(coop_admin, ValidCreate(coop.id(), own.id()), &out).ok());
  CreateMember(coop.id(), foreign.id());  // by the platform admin
  s = Create(coop_admin, ValidCreate(coop.id(), foreign.id()), &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// Issue 8, item 10: a social worker registers a household in a village of its caseload; the admin
// of a cooperative of that county admits a member from it (it could not see the household before)
// and then sees both; an admin of a cooperative in another county still finds no such household.
TEST_F(MembersTest, ACooperativeAdmitsFromAHouseholdAWorkerRegisteredInItsCounty) {
  const auto coop = CreateCooperative("澜沧县茶农专业合作社");  // region 530828 (Lancang)
  const std::string coop_admin = CoopAdminToken(coop.id());
  const auto worker = CreateSocialWorker();
  AssignVillage(worker.id(), "530828100305");
  const std::string worker_token = WorkerToken(worker.id());

  mv1::CreateHouseholdRequest hreq;
  hreq.set_request_id(NewRequestId());
  hreq.mutable_household()->set_village_code("530828100305");
  hreq.mutable_household()->set_head_name("扎拉");
  hreq.mutable_household()->set_resident_size(5);
  hreq.mutable_household()->set_ethnicity("拉祜族");
  mv1::Household household;
  grpc::Status s = stub().CreateHousehold(Ctx(worker_token).get(), hreq, &household);
  ASSERT_TRUE(s.ok()) << s.error_message();

  mv1::GetHouseholdRequest get_household;
  get_household.set_id(household.id());
  mv1::Household seen;
  EXPECT_EQ(stub().GetHousehold(Ctx(coop_admin).get(), get_household, &seen).error_code(),
            StatusCode::NOT_FOUND);  // not visible before anyone of it joins

  mv1::Member admitted;
  s = Create(coop_admin, ValidCreate(coop.id(), household.id()), &admitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(admitted.household_id(), household.id());
  EXPECT_EQ(admitted.state(), mv1::MEMBER_STATE_ACTIVE);

  mv1::Member read;
  ASSERT_TRUE(Get(coop_admin, admitted.id(), &read).ok());
  EXPECT_EQ(read.cooperative_id(), coop.id());
  mv1::ListMembersRequest list;
  list.set_cooperative_id(coop.id());
  list.set_household_id(household.id());
  mv1::ListMembersResponse listed;
  ASSERT_TRUE(stub().ListMembers(Ctx(coop_admin).get(), list, &listed).ok());
  ASSERT_EQ(listed.members_size(), 1);
  EXPECT_EQ(listed.members(0).id(), admitted.id());
  ASSERT_TRUE(stub().GetHousehold(Ctx(coop_admin).get(), get_household, &seen).ok());
  EXPECT_EQ(seen.head_name(), "扎拉");

  // A cooperative of Mojiang county (530822) cannot admit from it, nor see it.
  mv1::CreateCooperativeRequest other_req;
  other_req.set_request_id(NewRequestId());
  other_req.mutable_cooperative()->set_name("墨江县紫米专业合作社");
  other_req.mutable_cooperative()->set_uscc(CooperativeUscc(NextSequence()));
  other_req.mutable_cooperative()->set_region_code("530822");
  mv1::Cooperative other;
  ASSERT_TRUE(stub().CreateCooperative(Ctx(admin()).get(), other_req, &other).ok());
  const std::string other_admin = CoopAdminToken(other.id());
  const int64_t before = CountRows(db(), "members");
  mv1::Member refused;
  s = Create(other_admin, ValidCreate(other.id(), household.id()), &refused);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REFERENCED_RESOURCE_NOT_FOUND");
  EXPECT_EQ(s.error_message(), "member.household_id names no household");  // like a missing one
  EXPECT_EQ(CountRows(db(), "members"), before);
  EXPECT_EQ(stub().GetHousehold(Ctx(other_admin).get(), get_household, &seen).error_code(),
            StatusCode::NOT_FOUND);

  // A cooperative registered at the prefecture (Pu'er, 530800) covers every county of it.
  other_req.set_request_id(NewRequestId());
  other_req.mutable_cooperative()->set_name("普洱市茶叶专业合作社联合社");
  other_req.mutable_cooperative()->set_uscc(CooperativeUscc(NextSequence()));
  other_req.mutable_cooperative()->set_region_code("530800");
  mv1::Cooperative prefecture;
  ASSERT_TRUE(stub().CreateCooperative(Ctx(admin()).get(), other_req, &prefecture).ok());
  s = Create(CoopAdminToken(prefecture.id()), ValidCreate(prefecture.id(), household.id()),
             &admitted);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(MembersTest, SameRequestIdReplaysTheFirstReplyAndCreatesOnce) {
  const auto coop = CreateCooperative();
  auto req = ValidCreate(coop.id(), CreateHousehold().id());
  const int64_t before = CountRows(db(), "members");
  mv1::Member first, second;
  ASSERT_TRUE(Create(admin(), req, &first).ok());
  ASSERT_TRUE(Create(admin(), req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountRows(db(), "members"), before + 1);

  // Same request_id, different body (another person): refused, nothing written.
  req.mutable_member()->set_resident_id(ResidentId(NextSequence()));
  mv1::Member third;
  grpc::Status s = Create(admin(), req, &third);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(CountRows(db(), "members"), before + 1);
}

TEST_F(MembersTest, ConcurrentRetriesWithOneRequestIdHaveOneEffect) {
  const auto coop = CreateCooperative();
  auto req = ValidCreate(coop.id(), CreateHousehold().id());
  const int64_t before = CountRows(db(), "members");
  constexpr int kCallers = 8;
  std::vector<mv1::Member> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) { statuses[i] = Create(admin(), req, &replies[i]); });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(CountRows(db(), "members"), before + 1);
}

TEST_F(MembersTest, ConcurrentContributionsWithOneRequestIdAddOnce) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  mv1::RecordCapitalContributionRequest req;
  req.set_request_id(NewRequestId());
  req.set_member_id(member.id());
  req.mutable_amount()->set_fen(50000);
  req.mutable_contribution_date()->set_year(2026);
  req.mutable_contribution_date()->set_month(3);
  req.mutable_contribution_date()->set_day(1);
  constexpr int kCallers = 8;
  std::vector<mv1::CapitalContribution> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().RecordCapitalContribution(Ctx(admin()).get(), req, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  mv1::Member out;
  ASSERT_TRUE(Get(admin(), member.id(), &out).ok());
  EXPECT_EQ(out.capital_contribution_total().fen(), 50000);
  EXPECT_EQ(CountWhere("capital_contributions", absl::StrCat("member_id = '", member.id(), "'")),
            1);
}

TEST_F(MembersTest, DuplicateActivePersonIsAlreadyExistsButAnotherCooperativeMayAdmit) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  auto req = ValidCreate(coop.id(), household.id());
  mv1::Member out;
  ASSERT_TRUE(Create(admin(), req, &out).ok());
  const int64_t before = CountRows(db(), "members");
  req.set_request_id(NewRequestId());
  req.mutable_member()->set_name("另一个名字");
  grpc::Status s = Create(admin(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(CountRows(db(), "members"), before);
  // Another cooperative may admit the same person.
  const auto other = CreateCooperative();
  req.set_request_id(NewRequestId());
  req.mutable_member()->set_cooperative_id(other.id());
  EXPECT_TRUE(Create(admin(), req, &out).ok());
}

// ---------------------------------------------------------------------------------------------
// Composition rule
// ---------------------------------------------------------------------------------------------

TEST_F(MembersTest, CompositionRuleKeepsFarmersAtEightyPercent) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  std::vector<mv1::Member> farmers;
  for (int i = 0; i < 5; ++i) farmers.push_back(CreateMember(coop.id(), household.id()));
  mv1::Member non_farmer;
  ASSERT_TRUE(Create(admin(), ValidCreate(coop.id(), household.id(), false), &non_farmer).ok());
  // 5 of 6 = 83 %: fine.
  mv1::GetCooperativeRequest get;
  get.set_id(coop.id());
  mv1::Cooperative c;
  ASSERT_TRUE(stub().GetCooperative(Ctx(admin()).get(), get, &c).ok());
  EXPECT_EQ(c.member_count(), 6);
  EXPECT_EQ(c.farmer_member_count(), 5);

  // A second non-farmer: 5 of 7 = 71 %: refused, nothing written.
  const int64_t before = CountRows(db(), "members");
  mv1::Member out;
  grpc::Status s = Create(admin(), ValidCreate(coop.id(), household.id(), false), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "COMPOSITION_RULE_VIOLATED");
  EXPECT_EQ(CountRows(db(), "members"), before);

  // A farmer ceasing to farm: 4 of 6 = 67 %: refused, unchanged.
  s = SetFarmer(admin(), farmers[0].id(), false, &out);
  EXPECT_EQ(ErrorReason(s), "COMPOSITION_RULE_VIOLATED");
  ASSERT_TRUE(Get(admin(), farmers[0].id(), &out).ok());
  EXPECT_TRUE(out.is_farmer());
  EXPECT_EQ(out.etag(), farmers[0].etag());

  // The non-farmer becoming a farmer is always fine; then one farmer may stop farming.
  ASSERT_TRUE(SetFarmer(admin(), non_farmer.id(), true, &out).ok());
  EXPECT_TRUE(SetFarmer(admin(), farmers[0].id(), false, &out).ok());
}

TEST_F(MembersTest, CompositionRuleAllowsOneOrganizationUpToTwentyMembers) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  for (int i = 0; i < 4; ++i) CreateMember(coop.id(), household.id());
  mv1::Member org;
  ASSERT_TRUE(Create(admin(), ValidOrganization(coop.id()), &org).ok());  // 4 of 5 farmers
  for (int i = 0; i < 4; ++i) CreateMember(coop.id(), household.id());
  mv1::Member out;
  auto second = ValidOrganization(coop.id());
  second.mutable_member()->set_name("第二家公司");
  grpc::Status s = Create(admin(), second, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "COMPOSITION_RULE_VIOLATED");
}

TEST_F(MembersTest, ConcurrentAdmissionsCannotTogetherBreakTheRule) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  for (int i = 0; i < 8; ++i) CreateMember(coop.id(), household.id());
  mv1::Member out;
  ASSERT_TRUE(Create(admin(), ValidCreate(coop.id(), household.id(), false), &out).ok());
  // 8 of 9 farmers: exactly one more non-farmer fits (8 of 10 = 80 %), a second would not.
  constexpr int kCallers = 6;
  std::vector<grpc::Status> statuses(kCallers);
  std::vector<mv1::CreateMemberRequest> requests;
  for (int i = 0; i < kCallers; ++i)
    requests.push_back(ValidCreate(coop.id(), household.id(), false));
  RunConcurrently(kCallers, [&](int i) {
    mv1::Member reply;
    statuses[i] = Create(admin(), requests[i], &reply);
  });
  int ok = 0;
  for (const auto& s : statuses) {
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(ErrorReason(s), "COMPOSITION_RULE_VIOLATED") << s.error_message();
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(CountWhere("members", absl::StrCat("cooperative_id = '", coop.id(),
                                               "' AND state = 1 AND NOT is_farmer")),
            2);
}

// ---------------------------------------------------------------------------------------------
// Update and list
// ---------------------------------------------------------------------------------------------

TEST_F(MembersTest, UpdateAppliesTheMaskAndChecksTheEtag) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  mv1::UpdateMemberRequest update;
  update.set_request_id(NewRequestId());
  update.mutable_member()->set_id(member.id());
  update.mutable_member()->set_name("新名字");
  update.mutable_member()->set_phone("13912345678");
  update.mutable_member()->set_is_farmer(false);  // not in the mask: ignored
  update.mutable_member()->set_etag(member.etag());
  update.mutable_update_mask()->add_paths("name");
  update.mutable_update_mask()->add_paths("phone");
  mv1::Member updated;
  ASSERT_TRUE(stub().UpdateMember(Ctx(admin()).get(), update, &updated).ok());
  EXPECT_EQ(updated.name(), "新名字");
  EXPECT_EQ(updated.phone(), "139****5678");  // replies are masked
  EXPECT_TRUE(updated.is_farmer());
  EXPECT_EQ(updated.resident_id(), member.resident_id());
  EXPECT_NE(updated.etag(), member.etag());
  mv1::Member sensitive;
  ASSERT_TRUE(Get(admin(), member.id(), &sensitive, mv1::MEMBER_VIEW_SENSITIVE).ok());
  EXPECT_EQ(sensitive.phone(), "13912345678");

  // Replaying the same request returns the first (masked) reply.
  mv1::Member replay;
  ASSERT_TRUE(stub().UpdateMember(Ctx(admin()).get(), update, &replay).ok());
  EXPECT_EQ(replay.SerializeAsString(), updated.SerializeAsString());

  // The old etag is stale now.
  update.set_request_id(NewRequestId());
  grpc::Status s = stub().UpdateMember(Ctx(admin()).get(), update, &updated);
  EXPECT_EQ(s.error_code(), StatusCode::ABORTED);
  EXPECT_EQ(ErrorReason(s), "ETAG_MISMATCH");

  // Clearing the phone.
  update.set_request_id(NewRequestId());
  update.mutable_member()->clear_etag();
  update.mutable_member()->set_phone("");
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("phone");
  ASSERT_TRUE(stub().UpdateMember(Ctx(admin()).get(), update, &updated).ok());
  EXPECT_EQ(updated.phone(), "");
  ASSERT_TRUE(Get(admin(), member.id(), &sensitive, mv1::MEMBER_VIEW_SENSITIVE).ok());
  EXPECT_EQ(sensitive.phone(), "");

  // Immutable paths, empty masks and bad values are INVALID_ARGUMENT.
  update.set_request_id(NewRequestId());
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("resident_id");
  EXPECT_EQ(ViolatedFields(stub().UpdateMember(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"update_mask"});
  update.mutable_update_mask()->clear_paths();
  EXPECT_EQ(ViolatedFields(stub().UpdateMember(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"update_mask"});
  update.mutable_update_mask()->add_paths("name");
  update.mutable_update_mask()->add_paths("phone");
  update.mutable_member()->set_name("");
  update.mutable_member()->set_phone("2345");
  EXPECT_EQ(ViolatedFields(stub().UpdateMember(Ctx(admin()).get(), update, &updated)),
            (std::vector<std::string>{"member.name", "member.phone"}));
  update.mutable_member()->set_id("");
  EXPECT_EQ(ViolatedFields(stub().UpdateMember(Ctx(admin()).get(), update, &updated)),
            std::vector<std::string>{"member.id"});
}

TEST_F(MembersTest, ListPagesFiltersAndIsAlwaysMasked) {
  const auto coop = CreateCooperative();
  const auto h1 = CreateHousehold();
  const auto h2 = CreateHousehold();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(CreateMember(coop.id(), h1.id()).id());
  ids.push_back(CreateMember(coop.id(), h2.id()).id());
  CreateMember(CreateCooperative().id(), h1.id());  // another cooperative: never listed

  mv1::ListMembersRequest list;
  list.set_cooperative_id(coop.id());
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    mv1::ListMembersResponse page;
    ASSERT_TRUE(stub().ListMembers(Ctx(admin()).get(), list, &page).ok());
    EXPECT_LE(page.members_size(), 2);
    for (const auto& m : page.members()) {
      seen.push_back(m.id());
      EXPECT_NE(m.resident_id().find("**********"), std::string::npos);
      EXPECT_NE(m.phone().find("****"), std::string::npos);
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(seen, ids);

  // A token is bound to its filters.
  mv1::ListMembersResponse out;
  list.set_household_id(h2.id());
  EXPECT_EQ(ViolatedFields(stub().ListMembers(Ctx(admin()).get(), list, &out)),
            std::vector<std::string>{"page_token"});
  list.clear_page_token();
  list.set_page_size(0);
  ASSERT_TRUE(stub().ListMembers(Ctx(admin()).get(), list, &out).ok());
  ASSERT_EQ(out.members_size(), 1);
  EXPECT_EQ(out.members(0).household_id(), h2.id());

  list.clear_household_id();
  list.set_state(mv1::MEMBER_STATE_EXITED);
  ASSERT_TRUE(stub().ListMembers(Ctx(admin()).get(), list, &out).ok());
  EXPECT_EQ(out.members_size(), 0);
  list.set_state(mv1::MEMBER_STATE_ACTIVE);
  ASSERT_TRUE(stub().ListMembers(Ctx(CoopAdminToken(coop.id())).get(), list, &out).ok());
  EXPECT_EQ(out.members_size(), 5);

  list.set_state(static_cast<mv1::MemberState>(8));
  list.set_page_size(-1);
  list.set_cooperative_id("");
  EXPECT_EQ(ViolatedFields(stub().ListMembers(Ctx(admin()).get(), list, &out)),
            (std::vector<std::string>{"cooperative_id", "state"}));
  list.set_state(mv1::MEMBER_STATE_UNSPECIFIED);
  list.set_cooperative_id(coop.id());
  EXPECT_EQ(ViolatedFields(stub().ListMembers(Ctx(admin()).get(), list, &out)),
            std::vector<std::string>{"page_size"});
}

// ---------------------------------------------------------------------------------------------
// Capital contributions
// ---------------------------------------------------------------------------------------------

TEST_F(MembersTest, ContributionsAddUpAndAreListedInOrder) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  const std::string coop_admin = CoopAdminToken(coop.id());
  mv1::CapitalContribution first, second;
  ASSERT_TRUE(Contribute(coop_admin, member.id(), 100000, &first).ok());
  ASSERT_TRUE(Contribute(admin(), member.id(), 2550, &second, 2026, 3, 1).ok());  // today is fine
  EXPECT_EQ(first.id().size(), 26u);
  EXPECT_EQ(first.member_id(), member.id());
  EXPECT_EQ(first.cooperative_id(), coop.id());
  EXPECT_EQ(first.amount().fen(), 100000);
  EXPECT_EQ(first.contribution_date().day(), 15);
  EXPECT_EQ(first.note(), "现金");
  EXPECT_FALSE(first.recorded_by().empty());
  EXPECT_NE(first.recorded_by(), second.recorded_by());  // coop admin vs platform admin

  mv1::Member out;
  ASSERT_TRUE(Get(admin(), member.id(), &out).ok());
  EXPECT_EQ(out.capital_contribution_total().fen(), 102550);
  EXPECT_NE(out.etag(), member.etag());

  // The member itself and the assigned worker list them; paging works.
  const auto worker = CreateSocialWorker();
  AssignCooperative(worker.id(), coop.id());
  for (const std::string& token : {MemberToken(member), WorkerToken(worker.id()), coop_admin}) {
    mv1::ListCapitalContributionsRequest list;
    list.set_member_id(member.id());
    list.set_page_size(1);
    std::vector<std::string> seen;
    for (int pages = 0; pages < 5; ++pages) {
      mv1::ListCapitalContributionsResponse page;
      ASSERT_TRUE(stub().ListCapitalContributions(Ctx(token).get(), list, &page).ok());
      for (const auto& c : page.contributions()) seen.push_back(c.id());
      if (page.next_page_token().empty()) break;
      list.set_page_token(page.next_page_token());
    }
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    std::sort(seen.begin(), seen.end());
    std::vector<std::string> want{first.id(), second.id()};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(seen, want);
  }
  // But a member cannot record one.
  mv1::CapitalContribution c;
  grpc::Status s = Contribute(MemberToken(member), member.id(), 100, &c);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  // And another member cannot list them.
  const auto neighbour = CreateMember(coop.id(), member.household_id());
  mv1::ListCapitalContributionsRequest list;
  list.set_member_id(member.id());
  mv1::ListCapitalContributionsResponse listed;
  EXPECT_EQ(stub()
                .ListCapitalContributions(Ctx(MemberToken(neighbour)).get(), list, &listed)
                .error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(MembersTest, BadContributionsAreRefusedAndWriteNothing) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  const int64_t before = CountRows(db(), "capital_contributions");
  mv1::CapitalContribution out;
  EXPECT_EQ(ViolatedFields(Contribute(admin(), member.id(), 0, &out)),
            std::vector<std::string>{"amount"});
  EXPECT_EQ(ViolatedFields(Contribute(admin(), member.id(), -500, &out)),
            std::vector<std::string>{"amount"});
  EXPECT_EQ(ViolatedFields(Contribute(admin(), member.id(), 1'000'000'000'001, &out)),
            std::vector<std::string>{"amount"});
  EXPECT_EQ(ViolatedFields(Contribute(admin(), member.id(), 100, &out, 2026, 3, 2)),
            std::vector<std::string>{"contribution_date"});  // tomorrow
  EXPECT_EQ(ViolatedFields(Contribute(admin(), member.id(), 100, &out, 2025, 2, 29)),
            std::vector<std::string>{"contribution_date"});
  mv1::RecordCapitalContributionRequest req;
  req.set_request_id(NewRequestId());
  req.set_note(std::string(201, 'n'));
  EXPECT_EQ(ViolatedFields(stub().RecordCapitalContribution(Ctx(admin()).get(), req, &out)),
            (std::vector<std::string>{"member_id", "amount", "contribution_date", "note"}));
  // An unknown member.
  EXPECT_EQ(Contribute(admin(), coop.id(), 100, &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(CountRows(db(), "capital_contributions"), before);
  mv1::Member m;
  ASSERT_TRUE(Get(admin(), member.id(), &m).ok());
  EXPECT_EQ(m.capital_contribution_total().fen(), 0);
}

// ---------------------------------------------------------------------------------------------
// Personal data at rest
// ---------------------------------------------------------------------------------------------

TEST_F(MembersTest, PersonalDataIsNeverStoredInTheClear) {
  const auto coop = CreateCooperative();
  auto req = ValidCreate(coop.id(), CreateHousehold().id());
  const std::string rid = req.member().resident_id();
  const std::string phone = req.member().phone();
  mv1::Member member;
  ASSERT_TRUE(Create(admin(), req, &member).ok());

  bool found = false;
  ASSERT_TRUE(db().Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT resident_id_enc, resident_id_hash, resident_id_masked, "
                        "active_person_hash, phone_enc, phone_hash, phone_masked, name "
                        "FROM members WHERE id = ?",
                        member.id());
                    found = rs->next();
                    if (!found) return absl::OkStatus();
                    for (int col = 1; col <= 8; ++col) {
                      const std::string value = rs->getString(col);
                      EXPECT_EQ(value.find(rid), std::string::npos) << "column " << col;
                      EXPECT_EQ(value.find(rid.substr(4, 10)), std::string::npos) << col;
                      EXPECT_EQ(value.find(phone), std::string::npos) << "column " << col;
                    }
                    EXPECT_EQ(std::string(rs->getString("resident_id_masked")),
                              membership::MaskResidentId(rid));
                    EXPECT_EQ(std::string(rs->getString("resident_id_enc")).rfind("v1:", 0), 0u);
                    EXPECT_EQ(std::string(rs->getString("phone_enc")).rfind("v1:", 0), 0u);
                    EXPECT_EQ(std::string(rs->getString("resident_id_hash")),
                              std::string(rs->getString("active_person_hash")));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_TRUE(found);

  // The stored idempotent reply is the masked one.
  ASSERT_TRUE(db().Read([&](Tx& tx) {
                    auto rs = tx.Query(
                        "SELECT request_hash, reply FROM idempotency_keys WHERE request_id = ?",
                        req.request_id());
                    EXPECT_TRUE(rs->next());
                    auto decoded = Base64UrlDecode(std::string(rs->getString("reply")));
                    EXPECT_TRUE(decoded.ok());
                    const std::string reply = decoded.value_or("");
                    mv1::Member stored;
                    EXPECT_TRUE(stored.ParseFromString(reply));
                    EXPECT_EQ(stored.resident_id(), membership::MaskResidentId(rid));
                    EXPECT_EQ(reply.find(rid), std::string::npos);
                    EXPECT_EQ(reply.find(phone), std::string::npos);
                    return absl::OkStatus();
                  })
                  .ok());
}

// ---------------------------------------------------------------------------------------------
// Exits
// ---------------------------------------------------------------------------------------------

TEST_F(MemberExitTest, NoticeUntilThirtiethSeptemberForAPerson) {
  const auto coop = CreateCooperative();  // fiscal year = calendar year
  const auto household = CreateHousehold();
  const auto on_time = CreateMember(coop.id(), household.id());
  const auto late = CreateMember(coop.id(), household.id());

  clock_->Set(ChinaTime(2026, 9, 30, 23, 59));
  std::string admin_now = AdminNow();
  mv1::Member out;
  grpc::Status s = RequestExit(admin_now, on_time.id(), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), mv1::MEMBER_STATE_EXIT_REQUESTED);
  EXPECT_EQ(out.exit_effective_date().year(), 2026);
  EXPECT_EQ(out.exit_effective_date().month(), 12);
  EXPECT_EQ(out.exit_effective_date().day(), 31);
  EXPECT_EQ(out.exit_notice_time().seconds(), absl::ToUnixSeconds(clock_->Now()));
  EXPECT_EQ(out.exit_reason(), "外出务工");
  EXPECT_FALSE(out.has_exit_refund());

  // Giving notice twice is refused.
  s = RequestExit(admin_now, on_time.id(), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "EXIT_ALREADY_REQUESTED");

  // 1 October (China time; still 30 September in UTC) is too late.
  clock_->Set(ChinaTime(2026, 10, 1, 0, 30));
  admin_now = AdminNow();
  s = RequestExit(admin_now, late.id(), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "EXIT_NOTICE_TOO_LATE");
  ASSERT_TRUE(Get(admin_now, late.id(), &out).ok());
  EXPECT_EQ(out.state(), mv1::MEMBER_STATE_ACTIVE);

  // The next fiscal year starts on 1 January: notice is possible again.
  clock_->Set(ChinaTime(2027, 1, 1, 8, 0));
  admin_now = AdminNow();
  s = RequestExit(admin_now, late.id(), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.exit_effective_date().year(), 2027);
  clock_->Set(kStart);
}

TEST_F(MemberExitTest, NoticeUntilThirtiethJuneForAnOrganization) {
  const auto household = CreateHousehold();
  const auto coop1 = CreateCooperative();
  const auto coop2 = CreateCooperative();
  mv1::Member org1, org2, out;
  ASSERT_TRUE(Create(admin(), ValidOrganization(coop1.id()), &org1).ok());
  ASSERT_TRUE(Create(admin(), ValidOrganization(coop2.id()), &org2).ok());
  const auto person = CreateMember(coop2.id(), household.id());

  clock_->Set(ChinaTime(2026, 6, 30, 20, 0));
  std::string admin_now = AdminNow();
  ASSERT_TRUE(RequestExit(admin_now, org1.id(), &out).ok());
  EXPECT_EQ(out.exit_effective_date().month(), 12);
  clock_->Set(ChinaTime(2026, 7, 1, 9, 0));
  admin_now = AdminNow();
  grpc::Status s = RequestExit(admin_now, org2.id(), &out);
  EXPECT_EQ(ErrorReason(s), "EXIT_NOTICE_TOO_LATE");
  // A natural person still may.
  EXPECT_TRUE(RequestExit(admin_now, person.id(), &out).ok());
  clock_->Set(kStart);
}

TEST_F(MemberExitTest, FiscalYearEndingInJuneMovesTheDates) {
  mv1::CreateCooperativeRequest creq;
  creq.set_request_id(NewRequestId());
  creq.mutable_cooperative()->set_name("六月年度合作社");
  creq.mutable_cooperative()->set_uscc(CooperativeUscc(800000 + NextSequence()));
  creq.mutable_cooperative()->set_region_code("530828");
  creq.mutable_cooperative()->set_fiscal_year_end_month(6);
  mv1::Cooperative coop;
  ASSERT_TRUE(stub().CreateCooperative(Ctx(admin()).get(), creq, &coop).ok());
  const auto household = CreateHousehold();
  const auto early = CreateMember(coop.id(), household.id());
  const auto late = CreateMember(coop.id(), household.id());
  mv1::Member out;
  // Today (1 March 2026) is before the deadline of 31 March for the year ending 30 June 2026.
  ASSERT_TRUE(RequestExit(admin(), early.id(), &out).ok());
  EXPECT_EQ(out.exit_effective_date().year(), 2026);
  EXPECT_EQ(out.exit_effective_date().month(), 6);
  EXPECT_EQ(out.exit_effective_date().day(), 30);
  clock_->Set(ChinaTime(2026, 4, 1));
  std::string admin_now = AdminNow();
  EXPECT_EQ(ErrorReason(RequestExit(admin_now, late.id(), &out)), "EXIT_NOTICE_TOO_LATE");
  // In July the year ending 30 June 2027 has begun.
  clock_->Set(ChinaTime(2026, 7, 1));
  admin_now = AdminNow();
  ASSERT_TRUE(RequestExit(admin_now, late.id(), &out).ok());
  EXPECT_EQ(out.exit_effective_date().year(), 2027);
  EXPECT_EQ(out.exit_effective_date().month(), 6);
  clock_->Set(kStart);
}

TEST_F(MemberExitTest, CompleteOnlyAfterTheEffectiveDateAndOnlyOnce) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  const auto member = CreateMember(coop.id(), household.id());
  const auto active = CreateMember(coop.id(), household.id());
  // Tokens expire on the fake clock: a fresh one is issued after each move.
  std::string coop_admin = CoopAdminToken(coop.id());
  mv1::CapitalContribution c;
  ASSERT_TRUE(Contribute(coop_admin, member.id(), 30000, &c).ok());
  mv1::Member out;

  // Not requested yet.
  grpc::Status s = CompleteExit(coop_admin, active.id(), 0, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "EXIT_NOT_REQUESTED");

  ASSERT_TRUE(RequestExit(coop_admin, member.id(), &out).ok());
  // Still a member on the effective date itself.
  clock_->Set(ChinaTime(2026, 12, 31, 23, 59));
  coop_admin = CoopAdminNow(coop.id());
  s = CompleteExit(coop_admin, member.id(), 30000, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "EXIT_NOT_YET_EFFECTIVE");
  // Contributions are still possible while the notice runs.
  ASSERT_TRUE(Contribute(coop_admin, member.id(), 100, &c).ok());

  // Bad refunds.
  EXPECT_EQ(ViolatedFields(CompleteExit(coop_admin, member.id(), -1, &out)),
            std::vector<std::string>{"refund"});
  mv1::CompleteMemberExitRequest no_refund;
  no_refund.set_request_id(NewRequestId());
  no_refund.set_member_id(member.id());
  EXPECT_EQ(ViolatedFields(stub().CompleteMemberExit(Ctx(coop_admin).get(), no_refund, &out)),
            std::vector<std::string>{"refund"});

  clock_->Set(ChinaTime(2027, 1, 1, 0, 5));
  coop_admin = CoopAdminNow(coop.id());
  s = CompleteExit(coop_admin, member.id(), 30100, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), mv1::MEMBER_STATE_EXITED);
  EXPECT_EQ(out.exit_refund().fen(), 30100);
  EXPECT_EQ(out.capital_contribution_total().fen(), 30100);
  EXPECT_EQ(CountWhere("members",
                       absl::StrCat("id = '", member.id(), "' AND active_person_hash IS NULL")),
            1);

  // Everything after that is refused.
  s = CompleteExit(coop_admin, member.id(), 30100, &out);
  EXPECT_EQ(ErrorReason(s), "MEMBER_EXITED");
  s = RequestExit(coop_admin, member.id(), &out);
  EXPECT_EQ(ErrorReason(s), "MEMBER_EXITED");
  s = Contribute(coop_admin, member.id(), 100, &c);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "MEMBER_EXITED");
  s = SetFarmer(coop_admin, member.id(), false, &out);
  EXPECT_EQ(ErrorReason(s), "MEMBER_EXITED");

  // The exited member is listed as EXITED and readable.
  mv1::ListMembersRequest list;
  list.set_cooperative_id(coop.id());
  list.set_state(mv1::MEMBER_STATE_EXITED);
  mv1::ListMembersResponse listed;
  ASSERT_TRUE(stub().ListMembers(Ctx(coop_admin).get(), list, &listed).ok());
  ASSERT_EQ(listed.members_size(), 1);
  EXPECT_EQ(listed.members(0).id(), member.id());
  clock_->Set(kStart);
}

TEST_F(MemberExitTest, APersonMayRejoinAfterExitingButNotWhileExiting) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  auto req = ValidCreate(coop.id(), household.id());
  mv1::Member first, out;
  ASSERT_TRUE(Create(admin(), req, &first).ok());
  ASSERT_TRUE(RequestExit(admin(), first.id(), &out).ok());

  // While EXIT_REQUESTED the person is still a member.
  auto again = req;
  again.set_request_id(NewRequestId());
  EXPECT_EQ(Create(admin(), again, &out).error_code(), StatusCode::ALREADY_EXISTS);

  clock_->Set(ChinaTime(2027, 1, 2));
  std::string admin_now = AdminNow();
  ASSERT_TRUE(CompleteExit(admin_now, first.id(), 0, &out).ok());
  again.set_request_id(NewRequestId());
  mv1::Member second;
  grpc::Status s = Create(admin_now, again, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(second.id(), first.id());
  EXPECT_EQ(second.state(), mv1::MEMBER_STATE_ACTIVE);
  EXPECT_EQ(second.resident_id(), first.resident_id());
  EXPECT_EQ(second.join_date().year(), 2027);
  clock_->Set(kStart);
}

TEST_F(MemberExitTest, ExitIsSubjectToTheCompositionRule) {
  const auto coop = CreateCooperative();
  const auto household = CreateHousehold();
  std::vector<mv1::Member> farmers;
  for (int i = 0; i < 8; ++i) farmers.push_back(CreateMember(coop.id(), household.id()));
  mv1::Member out;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(Create(admin(), ValidCreate(coop.id(), household.id(), false), &out).ok());
  }
  // 8 of 10 farmers; a farmer leaving would leave 7 of 9 = 78 %.
  grpc::Status s = RequestExit(admin(), farmers[0].id(), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ErrorReason(s), "COMPOSITION_RULE_VIOLATED");
  ASSERT_TRUE(Get(admin(), farmers[0].id(), &out).ok());
  EXPECT_EQ(out.state(), mv1::MEMBER_STATE_ACTIVE);
  // A non-farmer leaving is fine (8 of 9), and then a farmer may leave too (7 of 8 = 87.5 %).
  mv1::ListMembersRequest list;
  list.set_cooperative_id(coop.id());
  mv1::ListMembersResponse listed;
  ASSERT_TRUE(stub().ListMembers(Ctx(admin()).get(), list, &listed).ok());
  std::string non_farmer;
  for (const auto& m : listed.members()) {
    if (!m.is_farmer()) non_farmer = m.id();
  }
  ASSERT_TRUE(RequestExit(admin(), non_farmer, &out).ok());
  EXPECT_TRUE(RequestExit(admin(), farmers[0].id(), &out).ok());
  // EXIT_REQUESTED members no longer count.
  mv1::GetCooperativeRequest get;
  get.set_id(coop.id());
  mv1::Cooperative c;
  ASSERT_TRUE(stub().GetCooperative(Ctx(admin()).get(), get, &c).ok());
  EXPECT_EQ(c.member_count(), 8);
  EXPECT_EQ(c.farmer_member_count(), 7);
}

TEST_F(MemberExitTest, ExitInputIsValidated) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  mv1::RequestMemberExitRequest req;
  req.set_request_id(NewRequestId());
  req.set_reason(std::string(501, 'r'));
  mv1::Member out;
  EXPECT_EQ(ViolatedFields(stub().RequestMemberExit(Ctx(admin()).get(), req, &out)),
            (std::vector<std::string>{"member_id", "reason"}));
  mv1::CompleteMemberExitRequest complete;
  complete.set_request_id(NewRequestId());
  EXPECT_EQ(ViolatedFields(stub().CompleteMemberExit(Ctx(admin()).get(), complete, &out)),
            (std::vector<std::string>{"member_id", "refund"}));
  EXPECT_EQ(RequestExit(admin(), coop.id(), &out).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(RequestExit(MemberToken(member), member.id(), &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  // The reason is optional.
  req.set_member_id(member.id());
  req.set_reason("");
  ASSERT_TRUE(stub().RequestMemberExit(Ctx(admin()).get(), req, &out).ok());
  EXPECT_EQ(out.exit_reason(), "");
  EXPECT_EQ(out.state(), mv1::MEMBER_STATE_EXIT_REQUESTED);
}

TEST_F(MemberExitTest, ExitRequestsAreIdempotent) {
  const auto coop = CreateCooperative();
  const auto member = CreateMember(coop.id(), CreateHousehold().id());
  const std::string request_id = NewRequestId();
  mv1::Member first, second, out;
  ASSERT_TRUE(RequestExit(admin(), member.id(), &first, request_id).ok());
  // The same request again replays the reply instead of reporting EXIT_ALREADY_REQUESTED.
  ASSERT_TRUE(RequestExit(admin(), member.id(), &second, request_id).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  // The same request_id for another member is refused and changes nothing.
  const auto other = CreateMember(coop.id(), member.household_id());
  grpc::Status s = RequestExit(admin(), other.id(), &out, request_id);
  EXPECT_EQ(ErrorReason(s), "REQUEST_ID_REUSED");
  ASSERT_TRUE(Get(admin(), other.id(), &out).ok());
  EXPECT_EQ(out.state(), mv1::MEMBER_STATE_ACTIVE);

  // Eight concurrent completions with one request_id: one effect, one reply.
  clock_->Set(ChinaTime(2027, 1, 1));
  std::string admin_now = AdminNow();
  mv1::CompleteMemberExitRequest complete;
  complete.set_request_id(NewRequestId());
  complete.set_member_id(member.id());
  complete.mutable_refund()->set_fen(1234);
  constexpr int kCallers = 8;
  std::vector<mv1::Member> replies(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  RunConcurrently(kCallers, [&](int i) {
    statuses[i] = stub().CompleteMemberExit(Ctx(admin_now).get(), complete, &replies[i]);
  });
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_EQ(replies[0].state(), mv1::MEMBER_STATE_EXITED);
  clock_->Set(kStart);
}

}  // namespace
}  // namespace cooplink::testing
