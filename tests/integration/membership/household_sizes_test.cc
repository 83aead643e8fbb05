// A household's resident-size history (Household.resident_size_history, issue 10) through real
// gRPC against the real MariaDB: recorded at registration and on each size change from its
// effective date (default today, China Standard Time), refused in the future or before the last
// recorded date with nothing written, nothing recorded for an unchanged size, the later change of
// one date holding, and returned by every RPC that returns a household, lists included.
//
// The suite moves its fake clock forward a few days at a time (tokens are made after each move).
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/fields.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

using ::grpc::StatusCode;

class HouseholdSizesTest : public MembershipFixture {
 protected:
  static std::string NewVillage() { return absl::StrFormat("530828%06d", NextSequence()); }
  static absl::CivilDay TodayCst() { return Today(clock_->Now()); }
  static void AdvanceDays(int days) { clock_->Advance(absl::Hours(24 * days)); }

  mv1::Household NewHousehold(int size, const std::string& village = "530828100201") {
    mv1::CreateHouseholdRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_household()->set_village_code(village);
    req.mutable_household()->set_head_name("扎妥");
    req.mutable_household()->set_resident_size(size);
    req.mutable_household()->set_ethnicity("拉祜族");
    mv1::Household out;
    grpc::Status s = stub().CreateHousehold(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // UpdateHousehold of resident_size (in the mask), with an effective date when given.
  grpc::Status SetSize(const std::string& id, int size, std::optional<absl::CivilDay> effective,
                       mv1::Household* out) {
    mv1::UpdateHouseholdRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_household()->set_id(id);
    req.mutable_household()->set_resident_size(size);
    req.mutable_update_mask()->add_paths("resident_size");
    if (effective) *req.mutable_resident_size_effective_date() = ToDate(*effective);
    return stub().UpdateHousehold(Ctx(admin()).get(), req, out);
  }

  mv1::Household Get(const std::string& id) {
    mv1::GetHouseholdRequest req;
    req.set_id(id);
    mv1::Household out;
    EXPECT_TRUE(stub().GetHousehold(Ctx(admin()).get(), req, &out).ok());
    return out;
  }

  int64_t StoredChanges(const std::string& household_id) {
    int64_t n = -1;
    EXPECT_TRUE(db().Read([&](Tx& tx) {
                      auto rs = tx.Query(
                          "SELECT COUNT(*) AS n FROM household_size_changes WHERE household_id = ?",
                          household_id);
                      if (rs->next()) n = rs->getInt64("n");
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  // The history as "YYYY-MM-DD=size" strings, oldest first.
  static std::vector<std::string> History(const mv1::Household& h) {
    std::vector<std::string> out;
    for (const auto& p : h.resident_size_history()) {
      out.push_back(absl::StrCat(DateToSql(p.effective_date()), "=", p.resident_size()));
    }
    return out;
  }
  static std::string Period(absl::CivilDay day, int size) {
    return absl::StrCat(CivilToSql(day), "=", size);
  }
};

TEST_F(HouseholdSizesTest, RegistrationRecordsTheInitialSizeFromTheRegistrationDate) {
  const mv1::Household h = NewHousehold(5);
  EXPECT_EQ(History(h), std::vector<std::string>{Period(TodayCst(), 5)});
  EXPECT_EQ(History(Get(h.id())), History(h));
  EXPECT_EQ(StoredChanges(h.id()), 1);
}

TEST_F(HouseholdSizesTest, AChangedSizeIsRecordedFromTodayByDefaultOrFromTheGivenDate) {
  const absl::CivilDay registered = TodayCst();
  const mv1::Household h = NewHousehold(5);
  AdvanceDays(3);
  mv1::Household out;
  ASSERT_TRUE(SetSize(h.id(), 6, registered + 1, &out).ok());  // explicit, in the past
  EXPECT_EQ(out.resident_size(), 6);
  EXPECT_EQ(History(out),
            (std::vector<std::string>{Period(registered, 5), Period(registered + 1, 6)}));
  ASSERT_TRUE(SetSize(h.id(), 4, std::nullopt, &out).ok());  // default: today
  EXPECT_EQ(out.resident_size(), 4);
  EXPECT_EQ(History(out),
            (std::vector<std::string>{Period(registered, 5), Period(registered + 1, 6),
                                      Period(TodayCst(), 4)}));
  EXPECT_EQ(History(Get(h.id())), History(out));
  EXPECT_EQ(StoredChanges(h.id()), 3);
}

TEST_F(HouseholdSizesTest, FutureAndBackdatedDatesAreRefusedAndWriteNothing) {
  const absl::CivilDay registered = TodayCst();
  const mv1::Household h = NewHousehold(5);
  AdvanceDays(2);
  mv1::Household out;
  ASSERT_TRUE(SetSize(h.id(), 6, registered + 2, &out).ok());

  grpc::Status s = SetSize(h.id(), 7, TodayCst() + 1, &out);  // tomorrow
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"resident_size_effective_date"});
  s = SetSize(h.id(), 7, registered + 1, &out);  // before the last recorded date
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"resident_size_effective_date"});
  EXPECT_NE(s.error_message().find(CivilToSql(registered + 2)), std::string::npos)
      << s.error_message();

  const mv1::Household now = Get(h.id());
  EXPECT_EQ(now.resident_size(), 6);
  EXPECT_EQ(History(now),
            (std::vector<std::string>{Period(registered, 5), Period(registered + 2, 6)}));
  EXPECT_EQ(StoredChanges(h.id()), 2);
}

TEST_F(HouseholdSizesTest, ADateBeforeRegistrationIsRefused) {
  const mv1::Household h = NewHousehold(3);
  mv1::Household out;
  grpc::Status s = SetSize(h.id(), 4, TodayCst() - 1, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"resident_size_effective_date"});
  EXPECT_EQ(Get(h.id()).etag(), h.etag());
  EXPECT_EQ(StoredChanges(h.id()), 1);
}

TEST_F(HouseholdSizesTest, AnEffectiveDateNeedsResidentSizeInTheMask) {
  const mv1::Household h = NewHousehold(3);
  mv1::UpdateHouseholdRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_household()->set_id(h.id());
  req.mutable_household()->set_head_name("扎娜");
  req.mutable_update_mask()->add_paths("head_name");
  *req.mutable_resident_size_effective_date() = ToDate(TodayCst());
  mv1::Household out;
  grpc::Status s = stub().UpdateHousehold(Ctx(admin()).get(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"resident_size_effective_date"});
  EXPECT_EQ(Get(h.id()).head_name(), "扎妥");
}

TEST_F(HouseholdSizesTest, AnUnchangedSizeRecordsNothing) {
  const mv1::Household h = NewHousehold(5);
  AdvanceDays(1);
  mv1::Household out;
  ASSERT_TRUE(SetSize(h.id(), 5, TodayCst(), &out).ok());
  EXPECT_EQ(History(out), History(h));
  EXPECT_EQ(StoredChanges(h.id()), 1);
}

TEST_F(HouseholdSizesTest, OfTwoChangesOnOneDateTheLaterHolds) {
  const absl::CivilDay registered = TodayCst();
  const mv1::Household h = NewHousehold(5);
  mv1::Household out;
  ASSERT_TRUE(SetSize(h.id(), 6, std::nullopt, &out).ok());  // same day as registration
  EXPECT_EQ(History(out), std::vector<std::string>{Period(registered, 6)});
  AdvanceDays(1);
  ASSERT_TRUE(SetSize(h.id(), 7, TodayCst(), &out).ok());
  ASSERT_TRUE(SetSize(h.id(), 8, TodayCst(), &out).ok());
  EXPECT_EQ(out.resident_size(), 8);
  EXPECT_EQ(History(out), (std::vector<std::string>{Period(registered, 6), Period(TodayCst(), 8)}));
  EXPECT_EQ(StoredChanges(h.id()), 4);
}

TEST_F(HouseholdSizesTest, ListsAndCategoryChangesReturnEachHouseholdsHistory) {
  const std::string village = NewVillage();
  const absl::CivilDay registered = TodayCst();
  const mv1::Household a = NewHousehold(2, village);
  const mv1::Household b = NewHousehold(9, village);
  const mv1::Household c = NewHousehold(4, village);
  AdvanceDays(1);
  mv1::Household out;
  ASSERT_TRUE(SetSize(b.id(), 10, std::nullopt, &out).ok());

  mv1::ListHouseholdsRequest req;
  req.set_village_code_prefix(village);
  req.set_page_size(2);
  std::map<std::string, std::vector<std::string>> seen;
  for (int page = 0; page < 3; ++page) {
    mv1::ListHouseholdsResponse resp;
    ASSERT_TRUE(stub().ListHouseholds(Ctx(admin()).get(), req, &resp).ok());
    for (const auto& h : resp.households()) seen[h.id()] = History(h);
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[a.id()], std::vector<std::string>{Period(registered, 2)});
  EXPECT_EQ(seen[b.id()],
            (std::vector<std::string>{Period(registered, 9), Period(TodayCst(), 10)}));
  EXPECT_EQ(seen[c.id()], std::vector<std::string>{Period(registered, 4)});

  mv1::ChangeMonitoringCategoryRequest change;
  change.set_request_id(NewRequestId());
  change.set_household_id(b.id());
  change.set_category(mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK);
  change.set_reason("入户核实：家庭成员突发重病");
  *change.mutable_effective_date() = ToDate(TodayCst());
  ASSERT_TRUE(stub().ChangeMonitoringCategory(Ctx(admin()).get(), change, &out).ok());
  EXPECT_EQ(History(out), seen[b.id()]);
}

}  // namespace
}  // namespace cooplink::testing
