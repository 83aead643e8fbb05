// Measures income's reads at the scale: 100,000 households in membership (5 counties of
// 20,000, 50 villages each) and 5,000,000 ledger entries (50 per household over two years), then
// times over real gRPC to in-process membership and income servers on the MariaDB of tools/db.sh:
//   - GenerateReport HOUSEHOLD_INCOME for one county (20,000 rows: the proto's cap) for a calendar
//     year, and for one village;
//   - GetHouseholdIncomeSummary of random households, for a calendar year and for the trailing 12
//     months.
// A benchmark, not a test: run it by hand on an idle machine. Seeding writes the rows with SQL
// (multi-row INSERTs) into fresh databases (bench_income_*) at every run and reports its time.
//
//   eval "$(tools/db.sh env)"; build/tools/income_bench [households=100000]
//   [entries_per_household=50] [summaries=200] [reports=5]
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cooplink/income/v1/income.grpc.pb.h"
#include "services/common/fields.h"
#include "services/common/ids.h"
#include "services/income/income_server.h"
#include "tests/support/test_env.h"
#include "tools/bench/bench_servers.h"

namespace {

namespace iv1 = ::cooplink::income::v1;
using cooplink::bench::Check;
using cooplink::bench::Percentile;

constexpr int kCounties = 5;
constexpr int kVillagesPerCounty = 50;
const char* const kCounties6[kCounties] = {"530821", "530822", "530823", "530824", "530828"};

std::string HouseholdId(int i) { return absl::StrFormat("01BENCHHH%017d", i); }
std::string VillageOf(int i, int households) {
  const int per_county = households / kCounties;
  const int county = std::min(kCounties - 1, i / per_county);
  const int village = (i % per_county) % kVillagesPerCounty;
  return absl::StrCat(kCounties6[county], absl::StrFormat("%06d", 100201 + village));
}

int64_t CountRows(cooplink::Database& db, const char* table) {
  int64_t n = 0;
  (void)db.Read([&](cooplink::Tx& tx) {
    auto rs = tx.Query(absl::StrCat("SELECT COUNT(*) AS n FROM ", table));
    if (rs->next()) n = rs->getInt64("n");
    return absl::OkStatus();
  });
  return n;
}

// Households straight into membership's table, in chunks of 1000 rows.
bool SeedHouseholds(cooplink::Database& db, int households) {
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  for (int start = 0; start < households; start += 1000) {
    std::string sql =
        "INSERT INTO households (id, village_code, head_name, resident_size, ethnicity, "
        "monitoring_category, created_by_cooperative_id, version, create_time_us, "
        "update_time_us) VALUES ";
    for (int i = start; i < std::min(households, start + 1000); ++i) {
      absl::StrAppend(&sql, i == start ? "" : ",", "('", HouseholdId(i), "','",
                      VillageOf(i, households), "','户主", i, "',", 1 + i % 6, ",'拉祜族',",
                      1 + i % 5, ",NULL,1,", now_us, ",", now_us, ")");
    }
    if (!Check(db.ExecuteScript(sql + ";"), "seeding households")) return false;
  }
  return true;
}

// Entries straight into income's ledger: `per` per household over the last two calendar years,
// every kind (costs smaller), a tenth of them marketplace settlements.
bool SeedEntries(cooplink::Database& db, int households, int per, absl::CivilDay today) {
  std::mt19937_64 rng(42);
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  std::string sql;
  int rows = 0;
  int64_t n = 0;
  auto flush = [&]() {
    if (rows == 0) return true;
    bool ok = Check(db.ExecuteScript(sql + ";"), "seeding entries");
    sql.clear();
    rows = 0;
    return ok;
  };
  for (int h = 0; h < households; ++h) {
    for (int k = 0; k < per; ++k) {
      const int kind = 1 + static_cast<int>(rng() % 5);
      const int64_t fen = kind == 5 ? 1000 + static_cast<int64_t>(rng() % 50000)
                                    : 5000 + static_cast<int64_t>(rng() % 400000);
      const absl::CivilDay day = today - static_cast<int>(rng() % 700);
      const bool market = kind == 2 && rng() % 2 == 0;
      if (rows == 0) {
        sql =
            "INSERT INTO income_entries (id, household_id, kind, amount_fen, occurred_date, "
            "source, source_ref, import_key, note, recorded_by, reversal_of, reversed_by, "
            "cooperative_id, support_source_id, create_time_us) VALUES ";
      }
      const std::string id = absl::StrFormat("01BENCHEN%017d", n++);
      absl::StrAppend(&sql, rows == 0 ? "" : ",", "('", id, "','", HouseholdId(h), "',", kind, ",",
                      fen, ",'", cooplink::CivilToSql(day), "',", market ? 2 : 1, ",'",
                      market ? absl::StrCat("S", id, "/", HouseholdId(h)) : "", "',",
                      market ? absl::StrCat("'S", id, "/", HouseholdId(h), "'") : "NULL",
                      ",'','bench',NULL,NULL,", market ? "'01BENCHCOOP00000000000000'" : "NULL",
                      ",NULL,", now_us, ")");
      if (++rows == 2000 && !flush()) return false;
    }
    if (h % 10000 == 9999) std::fprintf(stderr, "  %d households' entries written\n", h + 1);
  }
  return flush();
}

template <typename Req, typename Resp, typename Method>
double TimeCall(iv1::IncomeService::Stub& stub, Method method, const std::string& token,
                const Req& req, Resp* resp, grpc::Status* status) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
  const absl::Time t0 = absl::Now();
  *status = (stub.*method)(&ctx, req, resp);
  return absl::ToDoubleMilliseconds(absl::Now() - t0);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cooplink;
  int households = 100000, per = 50, summaries = 200, reports = 5;
  int* positional[] = {&households, &per, &summaries, &reports};
  for (int i = 1; i < argc && i <= 4; ++i) (void)absl::SimpleAtoi(argv[i], positional[i - 1]);
  SystemClock clock;
  auto servers = bench::StartBenchServers("income", &clock);
  if (!servers.ok()) return Check(servers.status(), "starting servers") ? 0 : 1;
  income::IncomeConfig ic;
  ic.db = testing::TestDbConfig("bench_income");
  ic.server.listen = "127.0.0.1:0";
  ic.token_key = servers->token_key;
  ic.membership_target = absl::StrCat("127.0.0.1:", servers->membership->port());
  ic.orders_target = "127.0.0.1:1";  // unused: the importer is off
  ic.import_settlements = false;
  ic.service_token = servers->admin_token;
  ic.access_log = false;
  ic.review_interval = absl::Hours(1);
  auto income_server = income::IncomeServer::Start(ic, &clock);
  if (!income_server.ok()) return Check(income_server.status(), "starting income") ? 0 : 1;
  Database& mdb = servers->membership->database();
  Database& idb = (*income_server)->database();
  const absl::CivilDay today = Today(absl::Now());

  {
    std::fprintf(stderr, "seeding %d households...\n", households);
    const absl::Time t0 = absl::Now();
    if (!SeedHouseholds(mdb, households)) return 1;
    std::fprintf(stderr, "  %.1f s\n", absl::ToDoubleSeconds(absl::Now() - t0));
  }
  {
    std::fprintf(stderr, "seeding %d entries...\n", households * per);
    const absl::Time t0 = absl::Now();
    if (!SeedEntries(idb, households, per, today)) return 1;
    std::fprintf(stderr, "  %.1f s\n", absl::ToDoubleSeconds(absl::Now() - t0));
  }
  {
    iv1::CreateMonitoringThresholdRequest line;
    line.set_request_id("bench-line");
    line.mutable_threshold()->set_region_code("000000");
    line.mutable_threshold()->set_year(static_cast<int>(today.year()));
    line.mutable_threshold()->mutable_amount_per_capita()->set_fen(600000);
    line.mutable_threshold()->set_source_document("bench");
    iv1::MonitoringThreshold t;
    grpc::Status s;
    auto stub = iv1::IncomeService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", (*income_server)->port()), grpc::InsecureChannelCredentials()));
    TimeCall(*stub, &iv1::IncomeService::Stub::CreateMonitoringThreshold, servers->admin_token,
             line, &t, &s);
  }
  std::printf("households %lld, entries %lld\n",
              static_cast<long long>(CountRows(mdb, "households")),
              static_cast<long long>(CountRows(idb, "income_entries")));

  // A full-size report with its CSV is larger than gRPC's default 4 MB (see GenerateReport).
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  auto stub = iv1::IncomeService::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", (*income_server)->port()),
                                grpc::InsecureChannelCredentials(), args));
  const std::string& token = servers->admin_token;
  auto report = [&](const char* what, iv1::GenerateReportRequest req) {
    req.set_kind(iv1::REPORT_KIND_HOUSEHOLD_INCOME);
    *req.mutable_start_date() = ToDate(absl::CivilDay(today.year(), 1, 1));
    *req.mutable_end_date() = ToDate(absl::CivilDay(today.year(), 12, 31));
    std::vector<double> ms;
    int rows = 0;
    for (int i = 0; i < reports; ++i) {
      iv1::GenerateReportResponse resp;
      grpc::Status s;
      ms.push_back(
          TimeCall(*stub, &iv1::IncomeService::Stub::GenerateReport, token, req, &resp, &s));
      if (!s.ok()) {
        std::printf("%s: %s\n", what, s.error_message().c_str());
        return;
      }
      rows = resp.rows_size();
    }
    std::printf("%-34s rows %6d  p50 %8.1f ms  max %8.1f ms  (%d runs)\n", what, rows,
                Percentile(ms, 0.5), Percentile(ms, 1.0), reports);
  };
  iv1::GenerateReportRequest county;
  county.set_county_code(kCounties6[0]);
  report("county report (calendar year)", county);
  iv1::GenerateReportRequest village;
  village.set_village_code(VillageOf(0, households));
  report("village report (calendar year)", village);

  auto summary = [&](const char* what, bool trailing) {
    std::mt19937 rng(7);
    std::vector<double> ms;
    int failures = 0;
    for (int i = 0; i < summaries; ++i) {
      iv1::GetHouseholdIncomeSummaryRequest req;
      req.set_household_id(HouseholdId(static_cast<int>(rng() % households)));
      if (trailing) {
        req.set_trailing_12_months(true);
      } else {
        req.set_year(static_cast<int>(today.year()));
      }
      iv1::HouseholdIncomeSummary resp;
      grpc::Status s;
      ms.push_back(TimeCall(*stub, &iv1::IncomeService::Stub::GetHouseholdIncomeSummary, token, req,
                            &resp, &s));
      if (!s.ok()) ++failures;
    }
    std::printf("%-34s p50 %6.2f ms  p99 %6.2f ms  (%d calls, %d failed)\n", what,
                Percentile(ms, 0.5), Percentile(ms, 0.99), summaries, failures);
  };
  summary("household summary (calendar year)", false);
  summary("household summary (trailing 12 m)", true);
  (*income_server)->Shutdown();
  return 0;
}
