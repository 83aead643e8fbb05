#include "tools/demo/income_seed.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cooplink/income/v1/income.grpc.pb.h"
#include "services/common/fields.h"

namespace cooplink::demo {
namespace {

namespace iv1 = ::cooplink::income::v1;
using Stub = iv1::IncomeService::Stub;

int calls = 0;

template <typename Resp, typename Req, typename Method>
Resp Call(Stub& stub, Method method, const std::string& token, Req req, const char* what) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if constexpr (requires { req.set_request_id(""); }) {
    req.set_request_id(absl::StrCat("demo-income-", ++calls));
  }
  Resp resp;
  grpc::Status s = (stub.*method)(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "demo seed: %s failed: %s\n", what, s.error_message().c_str());
    std::exit(1);
  }
  return resp;
}

void Print(const char* name, const std::string& value) {
  std::printf("%s=%s\n", name, value.c_str());
}

}  // namespace

void SeedIncome(const IncomeDemo& demo) {
  auto stub = iv1::IncomeService::NewStub(
      grpc::CreateChannel(demo.target, grpc::InsecureChannelCredentials()));
  const absl::CivilDay today = Today(absl::Now());
  const int year = static_cast<int>(today.year());

  // Monitoring lines: data, never constants in code.
  auto line = [&](int y, const char* document) {
    iv1::CreateMonitoringThresholdRequest req;
    iv1::MonitoringThreshold* t = req.mutable_threshold();
    t->set_region_code("000000");
    t->set_year(y);
    t->mutable_amount_per_capita()->set_fen(600000);
    t->set_source_document(document);
    Call<iv1::MonitoringThreshold>(*stub, &Stub::CreateMonitoringThreshold, demo.admin_token, req,
                                   "CreateMonitoringThreshold");
  };
  line(2021,
       "derived, not an official figure: 2021 national reference ≈ 6,000 yuan = 1.5 × the ≈4,000 "
       "yuan 2020 poverty line (DOMAIN.md)");
  if (year != 2021) {
    line(year, absl::StrCat("演示数据 (demo data): the 2021 derived reference carried into ", year,
                            "; each province sets its own line — replace with the official figure")
                   .c_str());
  }

  // Where support comes from (五社联动).
  auto source = [&](const char* name, iv1::SupportSourceKind kind, const char* organization) {
    iv1::CreateSupportSourceRequest req;
    req.mutable_source()->set_name(name);
    req.mutable_source()->set_kind(kind);
    req.mutable_source()->set_organization(organization);
    return Call<iv1::SupportSource>(*stub, &Stub::CreateSupportSource, demo.admin_token, req,
                                    "CreateSupportSource");
  };
  const iv1::SupportSource fiscal =
      source("中央财政衔接推进乡村振兴补助资金（生态护林员）",
             iv1::SUPPORT_SOURCE_KIND_GOVERNMENT_FUND, "澜沧县乡村振兴局");
  const iv1::SupportSource foundation =
      source("中国乡村发展基金会 助学项目", iv1::SUPPORT_SOURCE_KIND_CHARITY_FOUNDATION,
             "中国乡村发展基金会");
  source("福彩公益金 困难家庭帮扶", iv1::SUPPORT_SOURCE_KIND_WELFARE_LOTTERY, "云南省民政厅");
  source("爱心商户消费帮扶", iv1::SUPPORT_SOURCE_KIND_CONSUMPTION_ASSISTANCE, "昆明市爱心商户联盟");

  // The producer household: a baseline from the year before it joined, and this year's income.
  iv1::SetHouseholdBaselineRequest baseline;
  baseline.mutable_baseline()->set_household_id(demo.producer_household_id);
  baseline.mutable_baseline()->set_year(year - 1);
  baseline.mutable_baseline()->mutable_per_capita_net_income()->set_fen(480000);
  baseline.mutable_baseline()->set_source_note("入户调查（演示数据）");
  Call<iv1::HouseholdBaseline>(*stub, &Stub::SetHouseholdBaseline, demo.worker_token, baseline,
                               "SetHouseholdBaseline");
  auto entry = [&](const std::string& household, iv1::IncomeKind kind, int64_t fen, int days_ago,
                   const char* note, const std::string& support_source_id = "") {
    iv1::RecordIncomeEntryRequest req;
    iv1::IncomeEntry* e = req.mutable_entry();
    e->set_household_id(household);
    e->set_kind(kind);
    e->mutable_amount()->set_fen(fen);
    *e->mutable_occurred_date() = ToDate(today - days_ago);
    e->set_source(iv1::INCOME_SOURCE_MANUAL);
    e->set_note(note);
    e->set_support_source_id(support_source_id);
    Call<iv1::IncomeEntry>(*stub, &Stub::RecordIncomeEntry, demo.worker_token, req,
                           "RecordIncomeEntry");
  };
  const std::string& producer = demo.producer_household_id;
  entry(producer, iv1::INCOME_KIND_WAGE, 3000000, 200, "外出务工（昆明）");
  entry(producer, iv1::INCOME_KIND_PRODUCTION_BUSINESS, 800000, 150, "春茶鲜叶交售");
  entry(producer, iv1::INCOME_KIND_TRANSFER, 240000, 120, "生态护林员补助", fiscal.id());
  entry(producer, iv1::INCOME_KIND_PRODUCTION_COST, 150000, 140, "肥料与采茶工具");
  // A household that has fallen below the line: its entries raise an alert for the worker.
  entry(demo.at_risk_household_id, iv1::INCOME_KIND_WAGE, 900000, 100, "零工");
  entry(demo.at_risk_household_id, iv1::INCOME_KIND_TRANSFER, 120000, 60, "助学金",
        foundation.id());

  if (demo.expect_settlement) {
    // The settlement of the demo order reaches income through the importer.
    iv1::ListIncomeEntriesRequest list;
    list.set_household_id(producer);
    list.set_page_size(500);
    bool imported = false;
    for (int i = 0; i < 300 && !imported; ++i) {
      auto entries = Call<iv1::ListIncomeEntriesResponse>(
          *stub, &Stub::ListIncomeEntries, demo.worker_token, list, "ListIncomeEntries");
      for (const iv1::IncomeEntry& e : entries.entries()) {
        if (e.source() == iv1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT) imported = true;
      }
      if (!imported) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!imported) {
      std::fprintf(stderr, "demo seed: the demo settlement never reached income\n");
      std::exit(1);
    }
  }
  iv1::ListAlertsRequest alerts;
  alerts.set_household_id(demo.at_risk_household_id);
  alerts.set_state(iv1::ALERT_STATE_OPEN);
  auto open = Call<iv1::ListAlertsResponse>(*stub, &Stub::ListAlerts, demo.worker_token, alerts,
                                            "ListAlerts");
  if (open.alerts_size() == 0) {
    std::fprintf(stderr, "demo seed: the household below the line raised no alert\n");
    std::exit(1);
  }
  Print("DEMO_PRODUCER_HOUSEHOLD_ID", producer);
  Print("DEMO_AT_RISK_HOUSEHOLD_ID", demo.at_risk_household_id);
  Print("DEMO_ALERT_ID", open.alerts(0).id());
}

}  // namespace cooplink::demo
