// Reports (GenerateReport): the households of a cooperative, a county, a village or a social
// worker's caseload from membership (before any database read), then the ledger's sums over the
// period in three grouped statements per chunk of households (report_store.h), and the rows,
// summary and CSV from the pure rules (report_rules.h).
//
// Who: HOUSEHOLD_INCOME — platform admin; social worker (rows limited to its villages; a
// caseload report only for itself: another worker's id is NOT_FOUND, like any resource outside
// its scope). PRODUCER_SALES (cooperative scope only) — also an assigned worker and the
// cooperative's admin for its own cooperative (another cooperative: NOT_FOUND).
#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/status.h"
#include "services/income/income.h"
#include "services/income/income_access.h"
#include "services/income/income_limits.h"
#include "services/income/report_rules.h"
#include "services/income/report_store.h"

namespace cooplink::income {
namespace {

void CheckDigits(FieldViolations& v, const std::string& field, const std::string& value,
                 const FieldLimit& limit) {
  const bool digits =
      std::all_of(value.begin(), value.end(), [](char c) { return absl::ascii_isdigit(c); });
  const int64_t n = static_cast<int64_t>(value.size());
  if (!digits || n < limit.min || n > limit.max) {
    v.Add(field, absl::StrCat("must be ", DescribeLimit(limit)));
  }
}

bool InVillages(const std::vector<std::string>& sorted_villages, const std::string& village) {
  return std::binary_search(sorted_villages.begin(), sorted_villages.end(), village);
}

}  // namespace

absl::Status Income::GenerateReport(const CallContext& call, const v1::GenerateReportRequest& req,
                                    v1::GenerateReportResponse* out) {
  auto scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  const Principal& p = *scope->principal;

  // Validation.
  FieldViolations v;
  if (req.kind() != v1::REPORT_KIND_HOUSEHOLD_INCOME &&
      req.kind() != v1::REPORT_KIND_PRODUCER_SALES) {
    v.Add("kind", "is required (HOUSEHOLD_INCOME or PRODUCER_SALES)");
  }
  switch (req.scope_case()) {
    case v1::GenerateReportRequest::kCooperativeId:
      CheckId(v, "cooperative_id", req.cooperative_id());
      break;
    case v1::GenerateReportRequest::kCountyCode:
      CheckDigits(v, "county_code", req.county_code(), kReportCounty);
      break;
    case v1::GenerateReportRequest::kVillageCode:
      CheckDigits(v, "village_code", req.village_code(), kReportVillage);
      break;
    case v1::GenerateReportRequest::kSocialWorkerId:
      CheckId(v, "social_worker_id", req.social_worker_id());
      break;
    default:
      v.Add("scope",
            "exactly one of cooperative_id, county_code, village_code, social_worker_id is "
            "required");
  }
  if (req.kind() == v1::REPORT_KIND_PRODUCER_SALES &&
      req.scope_case() != v1::GenerateReportRequest::kCooperativeId) {
    v.Add("kind", "PRODUCER_SALES is a cooperative report: name cooperative_id");
  }
  std::optional<absl::CivilDay> start, end;
  if (!req.has_start_date()) {
    v.Add("start_date", "is required");
  } else {
    start = CheckDate(v, "start_date", req.start_date());
  }
  if (!req.has_end_date()) {
    v.Add("end_date", "is required");
  } else {
    end = CheckDate(v, "end_date", req.end_date());
  }
  if (start && end) {
    if (*end < *start) {
      v.Add("end_date", "must be on or after start_date");
    } else if (*end - *start + 1 > kMaxReportDays) {
      v.Add("end_date", absl::StrCat("the period is ", kMaxReportDays, " days long or shorter"));
    }
  }
  if (auto s = v.ToStatus(); !s.ok()) return s;

  // Who may ask for what.
  const bool producer_sales = req.kind() == v1::REPORT_KIND_PRODUCER_SALES;
  const bool worker = p.is(Role::kSocialWorker);
  if (producer_sales) {
    if (auto s =
            RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
        !s.ok()) {
      return s;
    }
    if (RelationToCooperative(*scope, req.cooperative_id()) == IncomeRelation::kNone) {
      return NotFoundFor("cooperative", req.cooperative_id());
    }
  } else {
    if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
    if (worker && req.scope_case() == v1::GenerateReportRequest::kSocialWorkerId &&
        req.social_worker_id() != p.social_worker_id) {
      return NotFoundFor("social worker", req.social_worker_id());
    }
  }

  // The households, from membership, before any database read. A worker's HOUSEHOLD_INCOME rows
  // are limited to its villages: it lists only those (within the scope's prefix).
  const int max_rows = settings_.max_report_rows;
  std::vector<HouseholdFacts> households;
  auto add_listed = [&](const std::string& prefix, const std::string& cooperative_id) {
    const int room = max_rows - static_cast<int>(households.size());
    auto listed = directory_->ListHouseholds(call, prefix, cooperative_id, std::max(room, 0));
    if (!listed.ok()) return listed.status();
    for (HouseholdFacts& h : *listed) households.push_back(std::move(h));
    return absl::OkStatus();
  };
  const bool limit_to_caseload = worker && !producer_sales;
  const std::vector<std::string>& own_villages = scope->caseload.village_codes;  // sorted
  absl::Status listed = absl::OkStatus();
  switch (req.scope_case()) {
    case v1::GenerateReportRequest::kCooperativeId:
      listed = add_listed("", req.cooperative_id());
      break;
    case v1::GenerateReportRequest::kCountyCode:
    case v1::GenerateReportRequest::kVillageCode: {
      const std::string prefix = req.scope_case() == v1::GenerateReportRequest::kCountyCode
                                     ? req.county_code()
                                     : req.village_code();
      if (!limit_to_caseload) {
        listed = add_listed(prefix, "");
        break;
      }
      for (const std::string& village : own_villages) {
        if (!absl::StartsWith(village, prefix)) continue;
        listed = add_listed(village, "");
        if (!listed.ok() || static_cast<int>(households.size()) > max_rows) break;
      }
      break;
    }
    case v1::GenerateReportRequest::kSocialWorkerId: {
      std::vector<std::string> villages = own_villages;
      if (!worker) {
        auto caseload = directory_->WorkerCaseload(call, req.social_worker_id());
        if (!caseload.ok()) return caseload.status();
        villages = caseload->village_codes;
      }
      std::sort(villages.begin(), villages.end());
      villages.erase(std::unique(villages.begin(), villages.end()), villages.end());
      for (const std::string& village : villages) {
        listed = add_listed(village, "");
        if (!listed.ok() || static_cast<int>(households.size()) > max_rows) break;
      }
      break;
    }
    default:
      break;
  }
  if (!listed.ok()) return listed;
  if (limit_to_caseload) {
    households.erase(std::remove_if(households.begin(), households.end(),
                                    [&](const HouseholdFacts& h) {
                                      return !InVillages(own_villages, h.village_code);
                                    }),
                     households.end());
  }
  if (static_cast<int>(households.size()) > max_rows) {
    return FailedPrecondition(
        "REPORT_TOO_LARGE",
        absl::StrCat("the report would have more than ", max_rows, " rows; narrow the scope"),
        {{"max_rows", absl::StrCat(max_rows)}});
  }
  std::sort(households.begin(), households.end(),
            [](const HouseholdFacts& a, const HouseholdFacts& b) {
              return std::tie(a.village_code, a.id) < std::tie(b.village_code, b.id);
            });
  std::vector<std::string> ids;
  ids.reserve(households.size());
  for (const HouseholdFacts& h : households) ids.push_back(h.id);

  ReportParams params;
  params.kind = req.kind();
  params.start = *start;
  params.end = *end;
  params.near_margin_bps = settings_.near_margin_bps;
  LedgerFilter filter{*start, *end, producer_sales ? req.cooperative_id() : ""};
  std::map<std::string, HouseholdSums> sums;
  std::map<std::string, MonthSums> monthly;
  std::vector<SourceSum> sources;
  std::map<std::string, std::string> names;
  if (auto s = db_->Read([&](Tx& tx) -> absl::Status {
        if (!ids.empty()) {
          sums = LoadHouseholdSums(tx, ids, filter);
          monthly = LoadMonthlySums(tx, ids, filter);
          if (!producer_sales) sources = LoadSourceSums(tx, ids, filter);
        }
        if (!producer_sales) params.lines = LoadLines(tx, static_cast<int>(end->year()));
        std::set<std::string> source_ids;
        for (const SourceSum& x : sources) source_ids.insert(x.support_source_id);
        names = LoadSourceNames(tx, {source_ids.begin(), source_ids.end()});
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }

  std::vector<v1::ReportRow> rows;
  rows.reserve(households.size());
  static const HouseholdSums kNone;
  for (const HouseholdFacts& h : households) {
    auto it = sums.find(h.id);
    rows.push_back(MakeRow(h, it == sums.end() ? kNone : it->second, params));
  }
  *out->mutable_summary() = Summarize(rows, params, sources, names, monthly);
  out->set_csv(ReportCsv(req.kind(), rows));
  *out->mutable_generate_time() = ToTimestamp(ToMicros(clock_->Now()));
  for (v1::ReportRow& r : rows) *out->add_rows() = std::move(r);
  return absl::OkStatus();
}

}  // namespace cooplink::income
