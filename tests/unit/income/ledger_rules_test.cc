// The ledger's pure rules: entry validation (every field, each bound), who writes which source,
// when an entry may be reversed and what the reversal holds, and the entries of settlements and
// refund reversal settlements.
#include "services/income/ledger_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "services/common/fields.h"
#include "services/common/status.h"

namespace cooplink::income {
namespace {

namespace ov1 = ::cooplink::orders::v1;

constexpr char kHousehold[] = "01HZZZZZZZZZZZZZZZZZZZZZZ1";
constexpr char kCoop[] = "01HZZZZZZZZZZZZZZZZZZZZZZ2";
constexpr char kSource[] = "01HZZZZZZZZZZZZZZZZZZZZZZ3";
const absl::CivilDay kToday(2026, 12, 3);

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  google::rpc::BadRequest bad;
  auto payload = s.GetPayload("type.googleapis.com/google.rpc.BadRequest");
  if (payload) bad.ParseFromString(std::string(*payload));
  for (const auto& f : bad.field_violations()) out.push_back(f.field());
  return out;
}

v1::IncomeEntry Manual() {
  v1::IncomeEntry e;
  e.set_household_id(kHousehold);
  e.set_kind(v1::INCOME_KIND_WAGE);
  e.mutable_amount()->set_fen(150000);
  *e.mutable_occurred_date() = ToDate(absl::CivilDay(2026, 11, 30));
  e.set_source(v1::INCOME_SOURCE_MANUAL);
  e.set_source_ref("  入户表 17  ");
  e.set_note("外出务工");
  return e;
}

// The one violated field of `e`, or "" when it is valid.
std::string Violation(const v1::IncomeEntry& e) {
  absl::StatusOr<EntryInput> in = ValidateEntry(e, kToday);
  if (in.ok()) return "";
  EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<std::string> fields = Fields(in.status());
  EXPECT_EQ(fields.size(), 1u) << in.status();
  return fields.empty() ? "?" : fields[0];
}

TEST(ValidateEntry, AcceptsAManualEntryAndTrims) {
  absl::StatusOr<EntryInput> in = ValidateEntry(Manual(), kToday);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->source_ref, "入户表 17");
  EXPECT_EQ(in->occurred, absl::CivilDay(2026, 11, 30));
  EXPECT_EQ(in->amount_fen, 150000);
}

TEST(ValidateEntry, NamesEachBadField) {
  v1::IncomeEntry e = Manual();
  e.set_household_id("nope");
  EXPECT_EQ(Violation(e), "entry.household_id");
  e = Manual();
  e.set_kind(v1::INCOME_KIND_UNSPECIFIED);
  EXPECT_EQ(Violation(e), "entry.kind");
  e = Manual();
  e.set_kind(static_cast<v1::IncomeKind>(42));
  EXPECT_EQ(Violation(e), "entry.kind");
  e = Manual();
  e.clear_amount();
  EXPECT_EQ(Violation(e), "entry.amount.fen");
  e = Manual();
  e.clear_occurred_date();
  EXPECT_EQ(Violation(e), "entry.occurred_date");
  e = Manual();
  *e.mutable_occurred_date() = ToDate(absl::CivilDay(2026, 2, 1));
  e.mutable_occurred_date()->set_day(30);  // 2026-02-30
  EXPECT_EQ(Violation(e), "entry.occurred_date");
  e = Manual();
  e.set_source(v1::INCOME_SOURCE_UNSPECIFIED);
  EXPECT_EQ(Violation(e), "entry.source");
  e = Manual();
  e.set_source(v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT);
  EXPECT_EQ(Violation(e), "entry.source");
  e = Manual();
  e.set_cooperative_id(kCoop);
  EXPECT_EQ(Violation(e), "entry.cooperative_id");
  e = Manual();
  e.set_support_source_id(kSource);  // a WAGE entry
  EXPECT_EQ(Violation(e), "entry.support_source_id");
  e = Manual();
  e.set_kind(v1::INCOME_KIND_TRANSFER);
  e.set_support_source_id("bad");
  EXPECT_EQ(Violation(e), "entry.support_source_id");
}

TEST(ValidateEntry, HoldsEachBound) {
  v1::IncomeEntry e = Manual();
  for (int64_t fen : {int64_t{1}, int64_t{100'000'000}}) {
    e.mutable_amount()->set_fen(fen);
    EXPECT_EQ(Violation(e), "") << fen;
  }
  for (int64_t fen : {int64_t{0}, int64_t{-1}, int64_t{100'000'001}}) {
    e.mutable_amount()->set_fen(fen);
    EXPECT_EQ(Violation(e), "entry.amount.fen") << fen;
  }
  e = Manual();
  for (absl::CivilDay ok : {absl::CivilDay(2000, 1, 1), kToday}) {
    *e.mutable_occurred_date() = ToDate(ok);
    EXPECT_EQ(Violation(e), "") << ok;
  }
  for (absl::CivilDay bad : {absl::CivilDay(1999, 12, 31), kToday + 1}) {
    *e.mutable_occurred_date() = ToDate(bad);
    EXPECT_EQ(Violation(e), "entry.occurred_date") << bad;
  }
  e = Manual();
  e.set_source_ref(std::string(128, 'r'));
  EXPECT_EQ(Violation(e), "");
  e.set_source_ref(std::string(129, 'r'));
  EXPECT_EQ(Violation(e), "entry.source_ref");
  e = Manual();
  std::string note;
  for (int i = 0; i < 200; ++i) note += "收";
  e.set_note(note);
  EXPECT_EQ(Violation(e), "");
  e.set_note(note + "入");
  EXPECT_EQ(Violation(e), "entry.note");
  e.set_note("");
  e.set_source_ref("");
  EXPECT_EQ(Violation(e), "");
}

TEST(ValidateEntry, CooperativeTransactionsNeedACooperativeAndProductionBusiness) {
  v1::IncomeEntry e = Manual();
  e.set_source(v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION);
  e.set_kind(v1::INCOME_KIND_PRODUCTION_BUSINESS);
  EXPECT_EQ(Violation(e), "entry.cooperative_id");
  e.set_cooperative_id(kCoop);
  EXPECT_EQ(Violation(e), "");
  e.set_support_source_id(kSource);
  EXPECT_EQ(Violation(e), "");
  e.set_support_source_id("");
  e.set_kind(v1::INCOME_KIND_WAGE);
  EXPECT_EQ(Violation(e), "entry.kind");
}

TEST(RequireSourceRole, WalksEveryRoleAndSource) {
  struct Case {
    Role role;
    v1::IncomeSource source;
    bool allowed;
  };
  const Case cases[] = {
      {Role::kPlatformAdmin, v1::INCOME_SOURCE_MANUAL, true},
      {Role::kPlatformAdmin, v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, true},
      {Role::kPlatformAdmin, v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT, false},
      {Role::kSocialWorker, v1::INCOME_SOURCE_MANUAL, true},
      {Role::kSocialWorker, v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, false},
      {Role::kCooperativeAdmin, v1::INCOME_SOURCE_MANUAL, false},
      {Role::kCooperativeAdmin, v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, true},
      {Role::kMember, v1::INCOME_SOURCE_MANUAL, false},
      {Role::kPartner, v1::INCOME_SOURCE_MANUAL, false},
  };
  for (const Case& c : cases) {
    absl::Status s = RequireSourceRole(c.role, c.source);
    EXPECT_EQ(s.ok(), c.allowed) << RoleName(c.role) << " " << c.source;
    if (!c.allowed) {
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(ReasonOf(s), "ROLE_NOT_ALLOWED");
    }
  }
}

v1::IncomeEntry Recorded() {
  v1::IncomeEntry e = Manual();
  e.set_id("01HAAAAAAAAAAAAAAAAAAAAAA1");
  e.set_kind(v1::INCOME_KIND_TRANSFER);
  e.set_support_source_id(kSource);
  e.set_recorded_by("worker-1");
  return e;
}

TEST(CheckReversible, NamesEachReasonInOrder) {
  v1::IncomeEntry e = Recorded();
  EXPECT_TRUE(CheckReversible(e).ok());
  e.set_reversed_by("01HAAAAAAAAAAAAAAAAAAAAAA2");
  EXPECT_EQ(ReasonOf(CheckReversible(e)), "ALREADY_REVERSED");
  EXPECT_EQ(CheckReversible(e).code(), absl::StatusCode::kFailedPrecondition);
  e = Recorded();
  e.set_reversal_of("01HAAAAAAAAAAAAAAAAAAAAAA0");
  EXPECT_EQ(ReasonOf(CheckReversible(e)), "IS_REVERSAL");
  e = Recorded();
  e.set_source(v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT);
  EXPECT_EQ(ReasonOf(CheckReversible(e)), "IMPORTED_ENTRY");
  e.set_reversed_by("01HAAAAAAAAAAAAAAAAAAAAAA2");
  EXPECT_EQ(ReasonOf(CheckReversible(e)), "ALREADY_REVERSED");
}

TEST(ReversalOf, CopiesTheOriginalNegatedWithTheReasonCut) {
  const v1::IncomeEntry original = Recorded();
  std::string reason;
  for (int i = 0; i < 250; ++i) reason += "错";
  const v1::IncomeEntry r = ReversalOf(original, reason);
  EXPECT_EQ(r.household_id(), original.household_id());
  EXPECT_EQ(r.kind(), original.kind());
  EXPECT_EQ(r.amount().fen(), -150000);
  EXPECT_EQ(DateToSql(r.occurred_date()), "2026-11-30");
  EXPECT_EQ(r.source(), original.source());
  EXPECT_EQ(r.source_ref(), original.source_ref());
  EXPECT_EQ(r.support_source_id(), kSource);
  EXPECT_EQ(r.reversal_of(), original.id());
  EXPECT_TRUE(r.reversed_by().empty());
  EXPECT_TRUE(r.id().empty());
  EXPECT_EQ(CharCount(r.note()), 200u);
  EXPECT_EQ(r.note(), TruncateChars(reason, 200));
}

TEST(TruncateChars, CutsAtCharacterBoundaries) {
  EXPECT_EQ(TruncateChars("abc", 5), "abc");
  EXPECT_EQ(TruncateChars("abc", 2), "ab");
  EXPECT_EQ(TruncateChars("收入abc", 2), "收入");
  EXPECT_EQ(TruncateChars("收入", 0), "");
  EXPECT_EQ(TruncateChars("", 3), "");
}

ov1::Settlement Settlement() {
  ov1::Settlement s;
  s.set_id("01HSSSSSSSSSSSSSSSSSSSSSS1");
  s.set_order_id("01HOOOOOOOOOOOOOOOOOOOOOO1");
  s.set_cooperative_id(kCoop);
  // 2026-03-01T17:30:00Z is 2026-03-02 01:30 in Asia/Shanghai.
  *s.mutable_create_time() = ToTimestamp(
      ToMicros(absl::FromCivil(absl::CivilSecond(2026, 3, 1, 17, 30, 0), absl::UTCTimeZone())));
  auto add = [&](const char* household, int64_t fen) {
    ov1::ProducerPayout* p = s.add_payouts();
    p->set_household_id(household);
    p->mutable_amount()->set_fen(fen);
    p->mutable_gross()->set_fen(fen);
  };
  add("01HHHHHHHHHHHHHHHHHHHHHHH1", 8800);
  add("01HHHHHHHHHHHHHHHHHHHHHHH2", 0);
  add("01HHHHHHHHHHHHHHHHHHHHHHH3", 1);
  return s;
}

TEST(SettlementEntries, OnePerNonZeroPayoutOnTheShanghaiCreateDate) {
  const std::vector<v1::IncomeEntry> entries = SettlementEntries(Settlement());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].household_id(), "01HHHHHHHHHHHHHHHHHHHHHHH1");
  EXPECT_EQ(entries[0].amount().fen(), 8800);
  EXPECT_EQ(entries[1].amount().fen(), 1);
  for (const v1::IncomeEntry& e : entries) {
    EXPECT_EQ(e.kind(), v1::INCOME_KIND_PRODUCTION_BUSINESS);
    EXPECT_EQ(e.source(), v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT);
    EXPECT_EQ(e.source_ref(), ImportKey("01HSSSSSSSSSSSSSSSSSSSSSS1", e.household_id()));
    EXPECT_EQ(e.cooperative_id(), kCoop);
    EXPECT_EQ(DateToSql(e.occurred_date()), "2026-03-02");
    EXPECT_EQ(e.recorded_by(), kImporterPrincipal);
    EXPECT_TRUE(e.reversal_of().empty());
  }
}

TEST(RefundEntry, CarriesItsOwnKeyAndTheOriginalDate) {
  ov1::Settlement reversal = Settlement();
  reversal.set_id("01HSSSSSSSSSSSSSSSSSSSSSS9");
  reversal.set_reversed_settlement_id("01HSSSSSSSSSSSSSSSSSSSSSS1");
  reversal.mutable_payouts(0)->mutable_amount()->set_fen(-300);
  const v1::IncomeEntry e = RefundEntry(reversal, reversal.payouts(0), absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(e.amount().fen(), -300);
  EXPECT_EQ(e.source_ref(), "01HSSSSSSSSSSSSSSSSSSSSSS9/01HHHHHHHHHHHHHHHHHHHHHHH1");
  EXPECT_EQ(DateToSql(e.occurred_date()), "2026-03-02");
  EXPECT_TRUE(e.reversal_of().empty());
  EXPECT_NE(e.note().find("01HSSSSSSSSSSSSSSSSSSSSSS1"), std::string::npos);
  EXPECT_LE(CharCount(e.note()), 200u);
  EXPECT_EQ(e.cooperative_id(), kCoop);
}

}  // namespace
}  // namespace cooplink::income
