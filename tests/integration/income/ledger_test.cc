// The ledger through gRPC against MariaDB: RecordIncomeEntry (each bad field, each role and
// source, scope, support sources, replays), ReverseIncomeEntry (each reason, the reversing entry,
// replays), ListIncomeEntries (order, paging, filters, scope) and the support sources' RPCs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/common/fields.h"
#include "tests/support/income_fixture.h"

namespace cooplink::testing {
namespace {

using iv1::INCOME_KIND_PRODUCTION_BUSINESS;
using iv1::INCOME_KIND_TRANSFER;
using iv1::INCOME_KIND_WAGE;

constexpr char kMissingId[] = "01HZZZZZZZZZZZZZZZZZZZZZZ9";

class LedgerTest : public IncomeFixture {
 protected:
  absl::CivilDay Today() { return cooplink::Today(clock_->Now()); }

  iv1::RecordIncomeEntryRequest ManualRequest(const std::string& household_id, int64_t fen = 5000,
                                              iv1::IncomeKind kind = INCOME_KIND_WAGE) {
    iv1::RecordIncomeEntryRequest req;
    req.set_request_id(NewRequestId());
    iv1::IncomeEntry* e = req.mutable_entry();
    e->set_household_id(household_id);
    e->set_kind(kind);
    e->mutable_amount()->set_fen(fen);
    *e->mutable_occurred_date() = ToDate(Today() - 3);
    e->set_source(iv1::INCOME_SOURCE_MANUAL);
    return req;
  }
  iv1::RecordIncomeEntryRequest CoopRequest(const std::string& household_id,
                                            const std::string& cooperative_id) {
    iv1::RecordIncomeEntryRequest req =
        ManualRequest(household_id, 7000, INCOME_KIND_PRODUCTION_BUSINESS);
    req.mutable_entry()->set_source(iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION);
    req.mutable_entry()->set_cooperative_id(cooperative_id);
    return req;
  }
  grpc::Status Record(const std::string& token, const iv1::RecordIncomeEntryRequest& req,
                      iv1::IncomeEntry* out = nullptr) {
    iv1::IncomeEntry ignored;
    return income().RecordIncomeEntry(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status Reverse(const std::string& token, const std::string& entry_id,
                       const std::string& reason, iv1::IncomeEntry* out = nullptr,
                       const std::string& request_id = "") {
    iv1::ReverseIncomeEntryRequest req;
    req.set_request_id(request_id.empty() ? NewRequestId() : request_id);
    req.set_entry_id(entry_id);
    req.set_reason(reason);
    iv1::IncomeEntry ignored;
    return income().ReverseIncomeEntry(Ctx(token).get(), req, out ? out : &ignored);
  }
  grpc::Status List(const std::string& token, const iv1::ListIncomeEntriesRequest& req,
                    iv1::ListIncomeEntriesResponse* out) {
    return income().ListIncomeEntries(Ctx(token).get(), req, out);
  }
  std::vector<iv1::IncomeEntry> AllEntries(const std::string& household_id) {
    iv1::ListIncomeEntriesRequest req;
    req.set_household_id(household_id);
    req.set_page_size(500);
    iv1::ListIncomeEntriesResponse page;
    grpc::Status s = List(admin(), req, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {page.entries().begin(), page.entries().end()};
  }
  iv1::SupportSource NewSource(const std::string& name, iv1::SupportSourceKind kind) {
    iv1::CreateSupportSourceRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_source()->set_name(name);
    req.mutable_source()->set_kind(kind);
    req.mutable_source()->set_organization("民政局");
    iv1::SupportSource out;
    grpc::Status s = income().CreateSupportSource(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
    return out;
  }
  static void ExpectCode(const grpc::Status& s, grpc::StatusCode code, const std::string& reason) {
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_EQ(ErrorReason(s), reason) << s.error_message();
  }
};

TEST_F(LedgerTest, AWorkerRecordsAManualEntryOfItsVillage) {
  const std::string village = NewVillage();
  const mv1::Household h = NewHousehold(village);
  const WorkerWorld w = NewWorker(village);
  iv1::RecordIncomeEntryRequest req = ManualRequest(h.id(), 123456);
  req.mutable_entry()->set_source_ref("  入户表-7 ");
  req.mutable_entry()->set_note("外出务工工资");
  iv1::IncomeEntry e;
  ASSERT_TRUE(Record(w.token, req, &e).ok());
  EXPECT_EQ(e.id().size(), 26u);
  EXPECT_EQ(e.household_id(), h.id());
  EXPECT_EQ(e.amount().fen(), 123456);
  EXPECT_EQ(e.source_ref(), "入户表-7");
  EXPECT_EQ(DateToSql(e.occurred_date()), CivilToSql(Today() - 3));
  EXPECT_FALSE(e.recorded_by().empty());
  EXPECT_TRUE(e.has_create_time());
  const auto listed = AllEntries(h.id());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].SerializeAsString(), e.SerializeAsString());
}

TEST_F(LedgerTest, NamesEachBadFieldAndWritesNothing) {
  const mv1::Household h = NewHousehold(NewVillage());
  const int64_t before = CountRows(income_db(), "income_entries");
  struct Case {
    std::function<void(iv1::RecordIncomeEntryRequest&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_request_id(); }, "request_id"},
      {[](auto& r) { r.mutable_entry()->set_household_id("x"); }, "entry.household_id"},
      {[](auto& r) { r.mutable_entry()->set_kind(iv1::INCOME_KIND_UNSPECIFIED); }, "entry.kind"},
      {[](auto& r) { r.mutable_entry()->mutable_amount()->set_fen(0); }, "entry.amount.fen"},
      {[](auto& r) { r.mutable_entry()->mutable_amount()->set_fen(100'000'001); },
       "entry.amount.fen"},
      {[&](auto& r) { *r.mutable_entry()->mutable_occurred_date() = ToDate(Today() + 1); },
       "entry.occurred_date"},
      {[](auto& r) {
         *r.mutable_entry()->mutable_occurred_date() = ToDate(absl::CivilDay(1999, 12, 31));
       },
       "entry.occurred_date"},
      {[](auto& r) { r.mutable_entry()->set_source(iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT); },
       "entry.source"},
      {[](auto& r) { r.mutable_entry()->set_source(iv1::INCOME_SOURCE_UNSPECIFIED); },
       "entry.source"},
      {[](auto& r) { r.mutable_entry()->set_source_ref(std::string(129, 'a')); },
       "entry.source_ref"},
      {[](auto& r) { r.mutable_entry()->set_note(std::string(201, 'n')); }, "entry.note"},
      {[](auto& r) { r.mutable_entry()->set_cooperative_id(kMissingId); }, "entry.cooperative_id"},
      {[](auto& r) { r.mutable_entry()->set_support_source_id(kMissingId); },
       "entry.support_source_id"},
  };
  for (const Case& c : cases) {
    iv1::RecordIncomeEntryRequest req = ManualRequest(h.id());
    c.edit(req);
    grpc::Status s = Record(admin(), req);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{c.field}) << s.error_message();
  }
  // The bounds themselves are accepted.
  iv1::RecordIncomeEntryRequest edge = ManualRequest(h.id(), 100'000'000);
  *edge.mutable_entry()->mutable_occurred_date() = ToDate(Today());
  edge.mutable_entry()->set_source_ref(std::string(128, 'a'));
  edge.mutable_entry()->set_note(std::string(200, 'n'));
  ASSERT_TRUE(Record(admin(), edge).ok());
  edge = ManualRequest(h.id(), 1);
  *edge.mutable_entry()->mutable_occurred_date() = ToDate(absl::CivilDay(2000, 1, 1));
  ASSERT_TRUE(Record(admin(), edge).ok());
  EXPECT_EQ(CountRows(income_db(), "income_entries"), before + 2);
}

TEST_F(LedgerTest, EachRoleGetsWhatTheContractSays) {
  const std::string village = NewVillage();
  const mv1::Household h = NewHousehold(village);
  const WorkerWorld other = NewWorker(NewVillage());
  const CoopWorld coop = NewCoop();
  const PartnerWorld partner = NewPartner();
  // Partner and member: never.
  ExpectCode(Record(partner.token, ManualRequest(h.id())), grpc::StatusCode::PERMISSION_DENIED,
             "ROLE_NOT_ALLOWED");
  ExpectCode(Record(coop.member_token, ManualRequest(coop.household.id())),
             grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED");
  // A worker of another village: the household reads as missing.
  grpc::Status s = Record(other.token, ManualRequest(h.id()));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // A household that does not exist.
  EXPECT_EQ(Record(admin(), ManualRequest(kMissingId)).error_code(), grpc::StatusCode::NOT_FOUND);
  // Sources not the role's.
  ExpectCode(Record(coop.admin_token, ManualRequest(coop.household.id())),
             grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED");
  const WorkerWorld mine = NewWorker(village);
  ExpectCode(Record(mine.token, CoopRequest(h.id(), coop.cooperative.id())),
             grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED");
  // The platform admin: any household.
  EXPECT_TRUE(Record(admin(), ManualRequest(h.id())).ok());
}

TEST_F(LedgerTest, CooperativeTransactionsForHouseholdsWithAMemberInTheCooperative) {
  const CoopWorld coop = NewCoop();
  const CoopWorld other = NewCoop();
  const mv1::Household outsider = NewHousehold(NewVillage());
  iv1::IncomeEntry e;
  ASSERT_TRUE(
      Record(coop.admin_token, CoopRequest(coop.household.id(), coop.cooperative.id()), &e).ok());
  EXPECT_EQ(e.cooperative_id(), coop.cooperative.id());
  EXPECT_EQ(e.source(), iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION);
  // A household without a member in the cooperative: NOT_FOUND.
  EXPECT_EQ(
      Record(coop.admin_token, CoopRequest(outsider.id(), coop.cooperative.id())).error_code(),
      grpc::StatusCode::NOT_FOUND);
  // Another cooperative named: NOT_FOUND.
  EXPECT_EQ(Record(coop.admin_token, CoopRequest(coop.household.id(), other.cooperative.id()))
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The platform admin naming a cooperative that does not exist.
  ExpectCode(Record(admin(), CoopRequest(coop.household.id(), kMissingId)),
             grpc::StatusCode::FAILED_PRECONDITION, "REFERENCED_RESOURCE_NOT_FOUND");
  // A wrong kind is a field violation.
  iv1::RecordIncomeEntryRequest wage = CoopRequest(coop.household.id(), coop.cooperative.id());
  wage.mutable_entry()->set_kind(INCOME_KIND_WAGE);
  EXPECT_EQ(ViolatedFields(Record(coop.admin_token, wage)), std::vector<std::string>{"entry.kind"});
}

TEST_F(LedgerTest, AReplayReturnsTheSameEntryAndADifferentRequestIsRefused) {
  const mv1::Household h = NewHousehold(NewVillage());
  const iv1::RecordIncomeEntryRequest req = ManualRequest(h.id(), 4321);
  iv1::IncomeEntry first, again;
  ASSERT_TRUE(Record(admin(), req, &first).ok());
  clock_->Advance(absl::Seconds(5));
  ASSERT_TRUE(Record(admin(), req, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(AllEntries(h.id()).size(), 1u);
  iv1::RecordIncomeEntryRequest changed = req;
  changed.mutable_entry()->mutable_amount()->set_fen(4322);
  ExpectCode(Record(admin(), changed), grpc::StatusCode::FAILED_PRECONDITION, "REQUEST_ID_REUSED");
  EXPECT_EQ(AllEntries(h.id()).size(), 1u);
}

TEST_F(LedgerTest, SupportSourcesAreNamedOnceAndReferencedByEntries) {
  const std::string name = "壹基金-" + NewRequestId();
  const iv1::SupportSource src = NewSource(name, iv1::SUPPORT_SOURCE_KIND_CHARITY_FOUNDATION);
  EXPECT_EQ(src.name(), name);
  EXPECT_FALSE(src.created_by().empty());
  // The same name again.
  iv1::CreateSupportSourceRequest dup;
  dup.set_request_id(NewRequestId());
  dup.mutable_source()->set_name(name);
  dup.mutable_source()->set_kind(iv1::SUPPORT_SOURCE_KIND_OTHER);
  iv1::SupportSource out;
  ExpectCode(income().CreateSupportSource(Ctx(admin()).get(), dup, &out),
             grpc::StatusCode::ALREADY_EXISTS, "ALREADY_EXISTS");
  // Bad fields; a worker may not create.
  iv1::CreateSupportSourceRequest bad;
  bad.set_request_id(NewRequestId());
  bad.mutable_source()->set_name(std::string(101, 'x'));
  bad.mutable_source()->set_organization(std::string(201, 'o'));
  EXPECT_EQ(ViolatedFields(income().CreateSupportSource(Ctx(admin()).get(), bad, &out)),
            (std::vector<std::string>{"source.name", "source.kind", "source.organization"}));
  const WorkerWorld w = NewWorker(NewVillage());
  ExpectCode(income().CreateSupportSource(Ctx(w.token).get(), dup, &out),
             grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED");
  // Replay.
  iv1::CreateSupportSourceRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_source()->set_name("福彩公益金-" + NewRequestId());
  create.mutable_source()->set_kind(iv1::SUPPORT_SOURCE_KIND_WELFARE_LOTTERY);
  iv1::SupportSource a, b;
  ASSERT_TRUE(income().CreateSupportSource(Ctx(admin()).get(), create, &a).ok());
  ASSERT_TRUE(income().CreateSupportSource(Ctx(admin()).get(), create, &b).ok());
  EXPECT_EQ(a.id(), b.id());

  // Entries name a source: TRANSFER ok, an unknown one FAILED_PRECONDITION.
  const mv1::Household h = NewHousehold(w.village_code);
  iv1::RecordIncomeEntryRequest req = ManualRequest(h.id(), 30000, INCOME_KIND_TRANSFER);
  req.mutable_entry()->set_support_source_id(src.id());
  iv1::IncomeEntry e;
  ASSERT_TRUE(Record(w.token, req, &e).ok());
  EXPECT_EQ(e.support_source_id(), src.id());
  req.set_request_id(NewRequestId());
  req.mutable_entry()->set_support_source_id(kMissingId);
  ExpectCode(Record(w.token, req), grpc::StatusCode::FAILED_PRECONDITION,
             "REFERENCED_RESOURCE_NOT_FOUND");

  // Lists: by kind, paged by id; every role but partner.
  iv1::ListSupportSourcesRequest list;
  list.set_kind(iv1::SUPPORT_SOURCE_KIND_CHARITY_FOUNDATION);
  iv1::ListSupportSourcesResponse page;
  ASSERT_TRUE(income().ListSupportSources(Ctx(w.token).get(), list, &page).ok());
  ASSERT_GE(page.sources_size(), 1);
  for (const auto& s : page.sources()) {
    EXPECT_EQ(s.kind(), iv1::SUPPORT_SOURCE_KIND_CHARITY_FOUNDATION);
  }
  list.set_kind(iv1::SUPPORT_SOURCE_KIND_UNSPECIFIED);
  list.set_page_size(1);
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(income().ListSupportSources(Ctx(admin()).get(), list, &page).ok());
    for (const auto& s : page.sources()) ids.push_back(s.id());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_GE(ids.size(), 2u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  const PartnerWorld partner = NewPartner();
  ExpectCode(income().ListSupportSources(Ctx(partner.token).get(), {}, &page),
             grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED");
}

TEST_F(LedgerTest, AReversalNegatesTheEntryOnceAndCannotBeReversed) {
  const std::string village = NewVillage();
  const mv1::Household h = NewHousehold(village);
  const WorkerWorld w = NewWorker(village);
  const iv1::IncomeEntry original =
      RecordManual(w.token, h.id(), INCOME_KIND_WAGE, 88800, Today() - 40);
  std::string reason;
  for (int i = 0; i < 300; ++i) reason += "录";
  iv1::IncomeEntry r;
  const std::string request_id = NewRequestId();
  clock_->Advance(absl::Seconds(3));
  ASSERT_TRUE(Reverse(w.token, original.id(), reason, &r, request_id).ok());
  EXPECT_EQ(r.amount().fen(), -88800);
  EXPECT_EQ(r.reversal_of(), original.id());
  EXPECT_EQ(r.kind(), original.kind());
  EXPECT_EQ(DateToSql(r.occurred_date()), DateToSql(original.occurred_date()));
  EXPECT_EQ(CharCount(r.note()), 200u);
  EXPECT_NE(r.id(), original.id());
  // A replay: the same reply, no second reversal.
  iv1::IncomeEntry again;
  ASSERT_TRUE(Reverse(w.token, original.id(), reason, &again, request_id).ok());
  EXPECT_EQ(again.SerializeAsString(), r.SerializeAsString());
  ExpectCode(Reverse(w.token, original.id(), "另一个理由", nullptr, request_id),
             grpc::StatusCode::FAILED_PRECONDITION, "REQUEST_ID_REUSED");
  auto entries = AllEntries(h.id());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].id() == original.id() ? entries[0].reversed_by() : entries[1].reversed_by(),
            r.id());
  // Reasons.
  ExpectCode(Reverse(w.token, original.id(), "再次"), grpc::StatusCode::FAILED_PRECONDITION,
             "ALREADY_REVERSED");
  ExpectCode(Reverse(w.token, r.id(), "冲回"), grpc::StatusCode::FAILED_PRECONDITION,
             "IS_REVERSAL");
  EXPECT_EQ(AllEntries(h.id()).size(), 2u);
  // Fields; scope; missing entry.
  EXPECT_EQ(ViolatedFields(Reverse(w.token, original.id(), "  ")),
            std::vector<std::string>{"reason"});
  EXPECT_EQ(ViolatedFields(Reverse(w.token, "bad", "x")), std::vector<std::string>{"entry_id"});
  const WorkerWorld other = NewWorker(NewVillage());
  const iv1::IncomeEntry second = RecordManual(w.token, h.id(), INCOME_KIND_WAGE, 100, Today());
  EXPECT_EQ(Reverse(other.token, second.id(), "x").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reverse(admin(), kMissingId, "x").error_code(), grpc::StatusCode::NOT_FOUND);
  const PartnerWorld partner = NewPartner();
  ExpectCode(Reverse(partner.token, second.id(), "x"), grpc::StatusCode::PERMISSION_DENIED,
             "ROLE_NOT_ALLOWED");
}

TEST_F(LedgerTest, ACooperativeAdminReversesOnlyItsCooperativeTransactions) {
  const CoopWorld coop = NewCoop();
  iv1::IncomeEntry tx, manual;
  ASSERT_TRUE(
      Record(coop.admin_token, CoopRequest(coop.household.id(), coop.cooperative.id()), &tx).ok());
  ASSERT_TRUE(Record(admin(), ManualRequest(coop.household.id()), &manual).ok());
  ExpectCode(Reverse(coop.admin_token, manual.id(), "不是合作社录入"),
             grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED");
  iv1::IncomeEntry r;
  ASSERT_TRUE(Reverse(coop.admin_token, tx.id(), "重复录入", &r).ok());
  EXPECT_EQ(r.amount().fen(), -tx.amount().fen());
  EXPECT_EQ(r.cooperative_id(), coop.cooperative.id());
  EXPECT_EQ(r.source(), iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION);
  // Another cooperative's admin: the household is not in its scope.
  const CoopWorld other = NewCoop();
  EXPECT_EQ(Reverse(other.admin_token, manual.id(), "x").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(LedgerTest, ListsByDateThenIdWithPagesAndFilters) {
  const CoopWorld coop = NewCoop();
  const std::string h = coop.household.id();
  const absl::CivilDay t = Today();
  const absl::CivilDay last_year(t.year() - 1, 6, 15);
  RecordManual(admin(), h, INCOME_KIND_WAGE, 1, t - 1);
  RecordManual(admin(), h, INCOME_KIND_TRANSFER, 2, last_year);
  RecordManual(admin(), h, INCOME_KIND_WAGE, 3, t - 1);
  RecordManual(admin(), h, INCOME_KIND_WAGE, 4, last_year - 10);
  RecordManual(admin(), h, INCOME_KIND_TRANSFER, 5, t);
  const auto all = AllEntries(h);
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 1; i < all.size(); ++i) {
    const std::string a = DateToSql(all[i - 1].occurred_date()) + all[i - 1].id();
    const std::string b = DateToSql(all[i].occurred_date()) + all[i].id();
    EXPECT_LT(a, b);
  }
  EXPECT_EQ(all[0].amount().fen(), 4);
  EXPECT_EQ(all[4].amount().fen(), 5);
  // Pages of 2 give the same sequence.
  iv1::ListIncomeEntriesRequest req;
  req.set_household_id(h);
  req.set_page_size(2);
  std::vector<std::string> paged;
  iv1::ListIncomeEntriesResponse page;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(List(coop.member_token, req, &page).ok());
    EXPECT_LE(page.entries_size(), 2);
    for (const auto& e : page.entries()) paged.push_back(e.id());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(paged.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(paged[i], all[i].id());
  // A token with other filters; a negative page size.
  req.set_kind(INCOME_KIND_WAGE);
  EXPECT_EQ(List(admin(), req, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.clear_page_token();
  req.set_page_size(-1);
  EXPECT_EQ(ViolatedFields(List(admin(), req, &page)), std::vector<std::string>{"page_size"});
  // Filters.
  req.set_page_size(0);
  ASSERT_TRUE(List(admin(), req, &page).ok());
  EXPECT_EQ(page.entries_size(), 3);
  req.set_year(t.year() - 1);
  ASSERT_TRUE(List(admin(), req, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).amount().fen(), 4);
  req.set_kind(iv1::INCOME_KIND_UNSPECIFIED);
  ASSERT_TRUE(List(admin(), req, &page).ok());
  EXPECT_EQ(page.entries_size(), 2);
  req.set_year(1999);
  ASSERT_TRUE(List(admin(), req, &page).ok());
  EXPECT_EQ(page.entries_size(), 0);
  req.set_year(-1);
  EXPECT_EQ(ViolatedFields(List(admin(), req, &page)), std::vector<std::string>{"year"});
}

TEST_F(LedgerTest, AMemberReadsOnlyItsOwnHouseholdAndACooperativeAdminNone) {
  const CoopWorld coop = NewCoop();
  const std::string village = NewVillage();
  const mv1::Household other = NewHousehold(village);
  RecordManual(admin(), other.id(), INCOME_KIND_WAGE, 10, Today());
  iv1::ListIncomeEntriesRequest req;
  req.set_household_id(other.id());
  iv1::ListIncomeEntriesResponse page;
  EXPECT_EQ(List(coop.member_token, req, &page).error_code(), grpc::StatusCode::NOT_FOUND);
  ExpectCode(List(coop.admin_token, req, &page), grpc::StatusCode::PERMISSION_DENIED,
             "ROLE_NOT_ALLOWED");
  const PartnerWorld partner = NewPartner();
  ExpectCode(List(partner.token, req, &page), grpc::StatusCode::PERMISSION_DENIED,
             "ROLE_NOT_ALLOWED");
  const WorkerWorld stranger = NewWorker(NewVillage());
  EXPECT_EQ(List(stranger.token, req, &page).error_code(), grpc::StatusCode::NOT_FOUND);
  const WorkerWorld mine = NewWorker(village);
  ASSERT_TRUE(List(mine.token, req, &page).ok());
  EXPECT_EQ(page.entries_size(), 1);
  req.set_household_id(kMissingId);
  EXPECT_EQ(List(admin(), req, &page).error_code(), grpc::StatusCode::NOT_FOUND);
  req.set_household_id(coop.household.id());
  ASSERT_TRUE(List(coop.member_token, req, &page).ok());
  EXPECT_EQ(page.entries_size(), 0);
}

}  // namespace
}  // namespace cooplink::testing
