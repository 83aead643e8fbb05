// Every limit income.proto states for a request field (services/income/income_limits.h, tied to the
// proto comments by tests/unit/common/limits_contract_test.cc) and the common ones (request_id,
// page_size, Date), walked through real gRPC just below, at and just above each bound
// (tests/support/limit_walker.h), except one entry the walker cannot take: IncomeEntry
// .occurred_date starts at 2000-01-01 (kFirstEntryYear), where a kPastDate starts at 1900-01-01:
// it is left out of the walk and its bounds are probed by hand below.
//
// The baselines use real resources, so a value that passes validation meets the RPC's own rules:
// the reason walk on ReverseIncomeEntry reverses the entry once and then meets ALREADY_REVERSED;
// the request_id walk on PublishSurplusDistribution publishes the draft once, and
// ApproveSurplusDistribution is walked on it while it is on display, so a valid assembly_date meets
// DISPLAY_PERIOD_NOT_OVER after validation (an assembly_date before the display end date is
// INVALID_ARGUMENT, which the walker cannot tell from a bound: checked by hand after the walk).
#include <gtest/gtest.h>

#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/income/income_limits.h"
#include "tests/support/income_fixture.h"
#include "tests/support/limit_walker.h"

namespace cooplink::testing {
namespace {

using Stub = iv1::IncomeService::Stub;
using absl::CivilDay;
using grpc::StatusCode;

// kIncomeLimits as the walker takes it: without kEntryDate (see the file comment).
std::vector<FieldLimit> WalkedLimits() {
  std::vector<FieldLimit> out;
  for (const FieldLimit& l : income::kIncomeLimits) {
    const std::string message = l.message, field = l.field;
    if (message == income::kEntryDate.message && field == income::kEntryDate.field) continue;
    out.push_back(l);
  }
  return out;
}

class IncomeLimitsTest : public IncomeFixture {
 protected:
  // The monitoring line of `region` for `year`, by the platform admin.
  void Line(const std::string& region, int year, int64_t fen) { CreateLine(region, year, fen); }

  std::vector<iv1::Alert> AlertsOf(const std::string& household_id) {
    iv1::ListAlertsRequest req;
    req.set_household_id(household_id);
    iv1::ListAlertsResponse out;
    grpc::Status s = income().ListAlerts(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.alerts().begin(), out.alerts().end()};
  }

  iv1::SurplusDistribution GetDistribution(const std::string& id) {
    iv1::GetSurplusDistributionRequest req;
    req.set_id(id);
    iv1::SurplusDistribution out;
    grpc::Status s = income().GetSurplusDistribution(Ctx(admin()).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_F(IncomeLimitsTest, EveryDocumentedLimitIsEnforcedExactly) {
  const std::string token = admin();
  const CivilDay today = Today(clock_->Now());
  const int year = static_cast<int>(today.year());

  // The ledger's household, with an entry to reverse.
  const std::string village = NewVillage("530828");
  const mv1::Household household = NewHousehold(village);
  const iv1::IncomeEntry to_reverse =
      RecordManual(token, household.id(), iv1::INCOME_KIND_WAGE, 100, today);

  // Two alerts (one to acknowledge, one to resolve): a line for the county this year far above a
  // small entry of each household.
  Line("530828", year, 100'000'000);
  std::vector<std::string> alert_ids;
  for (int i = 0; i < 2; ++i) {
    const mv1::Household poor = NewHousehold(village);
    RecordManual(token, poor.id(), iv1::INCOME_KIND_WAGE, 100, today);
    const std::vector<iv1::Alert> alerts = AlertsOf(poor.id());
    ASSERT_FALSE(alerts.empty()) << "no alert for household " << poor.id();
    alert_ids.push_back(alerts.front().id());
  }

  // A cooperative with a member in the last ended fiscal year, and a DRAFT distribution of it
  // (published by the Publish walk, then walked by Approve while on display).
  const CoopWorld coop = NewCoop();
  const int fiscal_year = year - 1;
  const mv1::Member member = NewMemberJoined(coop.cooperative.id(), coop.household.village_code(),
                                             CivilDay(fiscal_year - 1, 1, 1))
                                 .first;
  // A transaction and capital, so that both pools have a basis.
  InsertEntryRow(member.household_id(), iv1::INCOME_KIND_PRODUCTION_BUSINESS,
                 iv1::INCOME_SOURCE_COOPERATIVE_TRANSACTION, 1000, CivilDay(fiscal_year, 5, 5),
                 coop.cooperative.id());
  RecordContribution(member.id(), 5000, CivilDay(fiscal_year - 1, 2, 1));
  auto distribution_request = [&] {
    iv1::CreateSurplusDistributionRequest req;
    req.set_request_id(NewRequestId());
    iv1::SurplusDistribution* d = req.mutable_distribution();
    d->set_cooperative_id(coop.cooperative.id());
    d->set_fiscal_year(fiscal_year);
    d->mutable_surplus()->set_fen(100'000);
    d->set_reserve_fund_bps(1000);
    d->set_patronage_share_bps(6000);
    d->set_note("成员大会决议");
    iv1::MemberAllocation* a = d->add_allocations();
    a->set_member_id(member.id());
    a->mutable_reserve_and_subsidy_share()->set_fen(10);
    return req;
  };
  iv1::SurplusDistribution draft;
  {
    grpc::Status s =
        income().CreateSurplusDistribution(Ctx(token).get(), distribution_request(), &draft);
    ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  }

  const std::vector<FieldLimit> table = WalkedLimits();
  ASSERT_EQ(table.size(), std::size(income::kIncomeLimits) - 1);
  LimitWalker walker(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                         iv1::IncomeService::service_full_name()),
                     table, today);
  // Allocations naming distinct members: the real one first, then ids of no member (the request
  // then meets REFERENCED_RESOURCE_NOT_FOUND after validation).
  walker.Elements(income::limits::kDistribution, "allocations",
                  [&member](google::protobuf::Message* m, int n) {
                    auto* d = static_cast<iv1::SurplusDistribution*>(m);
                    d->clear_allocations();
                    for (int i = 0; i < n; ++i) {
                      iv1::MemberAllocation* a = d->add_allocations();
                      a->set_member_id(i == 0 ? member.id() : NewId(absl::Now()));
                      a->mutable_reserve_and_subsidy_share()->set_fen(1);
                    }
                  });

  walker.Rpc<iv1::RecordIncomeEntryRequest, iv1::IncomeEntry>(
      income(), &Stub::RecordIncomeEntry, token, [&] {
        iv1::RecordIncomeEntryRequest req;
        iv1::IncomeEntry* e = req.mutable_entry();
        e->set_household_id(household.id());
        e->set_kind(iv1::INCOME_KIND_WAGE);
        e->set_source(iv1::INCOME_SOURCE_MANUAL);
        e->mutable_amount()->set_fen(100);
        *e->mutable_occurred_date() = ToDate(today);
        e->set_source_ref("工资单-01");
        e->set_note("务工收入");
        return req;
      });
  walker.Rpc<iv1::ReverseIncomeEntryRequest, iv1::IncomeEntry>(income(), &Stub::ReverseIncomeEntry,
                                                               token, [&] {
                                                                 iv1::ReverseIncomeEntryRequest req;
                                                                 req.set_entry_id(to_reverse.id());
                                                                 req.set_reason("录入错误");
                                                                 return req;
                                                               });
  walker.Rpc<iv1::ListIncomeEntriesRequest, iv1::ListIncomeEntriesResponse>(
      income(), &Stub::ListIncomeEntries, token, [&] {
        iv1::ListIncomeEntriesRequest req;
        req.set_household_id(household.id());
        req.set_year(year);
        return req;
      });
  walker.Rpc<iv1::SetHouseholdBaselineRequest, iv1::HouseholdBaseline>(
      income(), &Stub::SetHouseholdBaseline, token, [&] {
        iv1::SetHouseholdBaselineRequest req;
        iv1::HouseholdBaseline* b = req.mutable_baseline();
        b->set_household_id(household.id());
        b->set_year(year - 2);
        b->mutable_per_capita_net_income()->set_fen(500'000);
        b->set_source_note("入户调查");
        return req;
      });
  int sources = 0;
  walker.Rpc<iv1::CreateSupportSourceRequest, iv1::SupportSource>(
      income(), &Stub::CreateSupportSource, token, [&] {
        iv1::CreateSupportSourceRequest req;
        iv1::SupportSource* s = req.mutable_source();
        s->set_name(absl::StrCat("帮扶资金-", ++sources));  // a new name on every call
        s->set_kind(iv1::SUPPORT_SOURCE_KIND_GOVERNMENT_FUND);
        s->set_organization("县乡村振兴局");
        return req;
      });
  walker.Rpc<iv1::ListSupportSourcesRequest, iv1::ListSupportSourcesResponse>(
      income(), &Stub::ListSupportSources, token, [] { return iv1::ListSupportSourcesRequest(); });
  int regions = 0;
  walker.Rpc<iv1::CreateMonitoringThresholdRequest, iv1::MonitoringThreshold>(
      income(), &Stub::CreateMonitoringThreshold, token, [&] {
        // A new county of province 54 on every call (540101, 540102, ...), so that each
        // (region_code, year) is new; the region walk writes 530828 with the year 2090.
        iv1::CreateMonitoringThresholdRequest req;
        iv1::MonitoringThreshold* t = req.mutable_threshold();
        ++regions;
        t->set_region_code(absl::StrFormat("54%02d%02d", 1 + regions / 99, 1 + regions % 99));
        t->set_year(2090);
        t->mutable_amount_per_capita()->set_fen(700'000);
        t->set_source_document("监测标准通知");
        return req;
      });
  walker.Rpc<iv1::ListMonitoringThresholdsRequest, iv1::ListMonitoringThresholdsResponse>(
      income(), &Stub::ListMonitoringThresholds, token,
      [] { return iv1::ListMonitoringThresholdsRequest(); });
  walker.Rpc<iv1::ListAlertsRequest, iv1::ListAlertsResponse>(
      income(), &Stub::ListAlerts, token, [] { return iv1::ListAlertsRequest(); });
  walker.Rpc<iv1::AcknowledgeAlertRequest, iv1::Alert>(income(), &Stub::AcknowledgeAlert, token,
                                                       [&] {
                                                         iv1::AcknowledgeAlertRequest req;
                                                         req.set_alert_id(alert_ids[0]);
                                                         return req;
                                                       });
  walker.Rpc<iv1::ResolveAlertRequest, iv1::Alert>(income(), &Stub::ResolveAlert, token, [&] {
    iv1::ResolveAlertRequest req;
    req.set_alert_id(alert_ids[1]);
    req.set_resolution_note("已落实公益岗位");
    return req;
  });
  walker.Rpc<iv1::GenerateReportRequest, iv1::GenerateReportResponse>(
      income(), &Stub::GenerateReport, token, [&] {
        iv1::GenerateReportRequest req;
        req.set_kind(iv1::REPORT_KIND_HOUSEHOLD_INCOME);
        req.set_village_code(village);
        *req.mutable_start_date() = ToDate(CivilDay(year, 1, 1));
        *req.mutable_end_date() = ToDate(today);
        return req;
      });
  walker.Rpc<iv1::CreateSurplusDistributionRequest, iv1::SurplusDistribution>(
      income(), &Stub::CreateSurplusDistribution, token, distribution_request);
  walker.Rpc<iv1::ListSurplusDistributionsRequest, iv1::ListSurplusDistributionsResponse>(
      income(), &Stub::ListSurplusDistributions, token, [&] {
        iv1::ListSurplusDistributionsRequest req;
        req.set_cooperative_id(coop.cooperative.id());
        return req;
      });
  walker.Rpc<iv1::PublishSurplusDistributionRequest, iv1::SurplusDistribution>(
      income(), &Stub::PublishSurplusDistribution, token, [&] {
        iv1::PublishSurplusDistributionRequest req;
        req.set_distribution_id(draft.id());
        return req;
      });
  walker.Rpc<iv1::ApproveSurplusDistributionRequest, iv1::SurplusDistribution>(
      income(), &Stub::ApproveSurplusDistribution, token, [&] {
        iv1::ApproveSurplusDistributionRequest req;
        req.set_distribution_id(draft.id());
        *req.mutable_assembly_date() = ToDate(today);
        return req;
      });

  const LimitWalker::Totals totals = walker.Walk();
  std::cout << "income: " << totals.limits << " limits (" << totals.entries
            << " table entries) over " << totals.rpcs << " RPCs, " << totals.probes << " calls, "
            << totals.ok << " succeeded\n";
  RecordProperty("limits", totals.limits);
  RecordProperty("probes", totals.probes);
  EXPECT_EQ(totals.rpcs, 16);

  // The walk reached past validation: the entry was reversed, the alerts acknowledged and
  // resolved, the draft published (and, on display, not approved).
  iv1::ListIncomeEntriesRequest list;
  list.set_household_id(household.id());
  list.set_page_size(500);
  iv1::ListIncomeEntriesResponse entries;
  ASSERT_TRUE(income().ListIncomeEntries(Ctx(token).get(), list, &entries).ok());
  bool reversed = false;
  for (const auto& e : entries.entries()) {
    if (e.id() == to_reverse.id()) reversed = !e.reversed_by().empty();
  }
  EXPECT_TRUE(reversed);
  const iv1::SurplusDistribution published = GetDistribution(draft.id());
  ASSERT_EQ(published.state(), iv1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED);

  // After the display period, an assembly_date before its end date is refused, on it approved.
  clock_->Advance(absl::Hours(24 * 15));
  const CivilDay end_day = Today(absl::FromUnixSeconds(published.display_end_time().seconds()));
  ASSERT_LE(end_day, Today(clock_->Now()));
  iv1::ApproveSurplusDistributionRequest approve;
  approve.set_distribution_id(draft.id());
  iv1::SurplusDistribution approved;
  approve.set_request_id(NewRequestId());
  *approve.mutable_assembly_date() = ToDate(end_day - 1);
  grpc::Status s = income().ApproveSurplusDistribution(Ctx(token).get(), approve, &approved);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"assembly_date"});
  approve.set_request_id(NewRequestId());
  *approve.mutable_assembly_date() = ToDate(end_day);
  s = income().ApproveSurplusDistribution(Ctx(token).get(), approve, &approved);
  ASSERT_TRUE(s.ok()) << s.error_message() << " [" << ErrorReason(s) << "]";
  EXPECT_EQ(approved.state(), iv1::SURPLUS_DISTRIBUTION_STATE_APPROVED);
}

// IncomeEntry.occurred_date: a real calendar date from 2000-01-01 (kFirstEntryYear) to today,
// China Standard Time; required.
TEST_F(IncomeLimitsTest, AnEntryIsDatedFrom2000ToToday) {
  const std::string token = admin();
  const mv1::Household household = NewHousehold(NewVillage("530828"));
  const CivilDay today = Today(clock_->Now());
  const CivilDay first(income::kFirstEntryYear, 1, 1);
  struct Probe {
    std::string label;
    int year, month, day;
    bool valid;
  };
  const std::vector<Probe> probes = {
      {"1999-12-31", 1999, 12, 31, false},
      {"2000-01-01", static_cast<int>(first.year()), first.month(), first.day(), true},
      {"2000-01-02", 2000, 1, 2, true},
      {"yesterday", static_cast<int>((today - 1).year()), (today - 1).month(), (today - 1).day(),
       true},
      {"today", static_cast<int>(today.year()), today.month(), today.day(), true},
      {"tomorrow", static_cast<int>((today + 1).year()), (today + 1).month(), (today + 1).day(),
       false},
      {"month 0", 2020, 0, 1, false},
      {"month 13", 2020, 13, 1, false},
      {"day 0", 2020, 1, 0, false},
      {"day 32", 2020, 1, 32, false},
      {"2025-02-29", 2025, 2, 29, false},
      {"2024-02-29", 2024, 2, 29, true},
      {"year 1899", 1899, 12, 31, false},
      {"year 10000", 10000, 1, 1, false},
  };
  for (const Probe& p : probes) {
    iv1::RecordIncomeEntryRequest req;
    req.set_request_id(NewRequestId());
    iv1::IncomeEntry* e = req.mutable_entry();
    e->set_household_id(household.id());
    e->set_kind(iv1::INCOME_KIND_WAGE);
    e->set_source(iv1::INCOME_SOURCE_MANUAL);
    e->mutable_amount()->set_fen(100);
    e->mutable_occurred_date()->set_year(p.year);
    e->mutable_occurred_date()->set_month(p.month);
    e->mutable_occurred_date()->set_day(p.day);
    iv1::IncomeEntry out;
    grpc::Status s = income().RecordIncomeEntry(Ctx(token).get(), req, &out);
    if (p.valid) {
      EXPECT_TRUE(s.ok()) << p.label << ": " << s.error_message();
    } else {
      EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT) << p.label;
      EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"entry.occurred_date"}) << p.label;
    }
  }
  // Unset.
  iv1::RecordIncomeEntryRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_entry()->set_household_id(household.id());
  req.mutable_entry()->set_kind(iv1::INCOME_KIND_WAGE);
  req.mutable_entry()->set_source(iv1::INCOME_SOURCE_MANUAL);
  req.mutable_entry()->mutable_amount()->set_fen(100);
  iv1::IncomeEntry out;
  grpc::Status s = income().RecordIncomeEntry(Ctx(token).get(), req, &out);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"entry.occurred_date"});
}

}  // namespace
}  // namespace cooplink::testing
