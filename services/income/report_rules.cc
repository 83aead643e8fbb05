#include "services/income/report_rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace cooplink::income {
namespace {

__extension__ typedef __int128 Int128;

int64_t Clamp(Int128 v) {
  if (v > static_cast<Int128>(INT64_MAX)) return INT64_MAX;
  if (v < static_cast<Int128>(INT64_MIN)) return INT64_MIN;
  return static_cast<int64_t>(v);
}

// Floor division of a by b > 0.
Int128 FloorDiv(Int128 a, Int128 b) {
  Int128 q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

void SetFen(common::v1::Money* m, int64_t fen) { m->set_fen(fen); }

const char* YesNo(bool b) { return b ? "是" : "否"; }

}  // namespace

void HouseholdSums::Add(v1::IncomeKind kind, v1::IncomeSource source, bool has_support_source,
                        int64_t fen) {
  switch (kind) {
    case v1::INCOME_KIND_WAGE:
      wage += fen;
      break;
    case v1::INCOME_KIND_PRODUCTION_BUSINESS:
      production_business += fen;
      break;
    case v1::INCOME_KIND_PROPERTY:
      property += fen;
      break;
    case v1::INCOME_KIND_TRANSFER:
      transfer += fen;
      break;
    case v1::INCOME_KIND_PRODUCTION_COST:
      production_cost += fen;
      break;
    default:
      return;
  }
  if (source == v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT) marketplace += fen;
  if (has_support_source) supported += fen;
}

v1::ReportRow MakeRow(const HouseholdFacts& h, const HouseholdSums& sums, const ReportParams& p) {
  v1::ReportRow row;
  row.set_household_id(h.id);
  row.set_village_code(h.village_code);
  row.set_head_name(h.head_name);
  SetFen(row.mutable_marketplace_income(), sums.marketplace);
  if (p.kind == v1::REPORT_KIND_PRODUCER_SALES) return row;
  row.set_monitoring_category(membership::v1::MonitoringCategory_Name(h.category));
  const Period period{p.start, p.end};
  const int64_t person_months = ResidentPersonMonths(h.sizes, period);
  row.set_resident_size(SizeInLastMonth(h.sizes, period));
  row.set_resident_person_months(static_cast<int32_t>(person_months));
  SetFen(row.mutable_wage_income(), sums.wage);
  SetFen(row.mutable_production_business_income(), sums.production_business);
  SetFen(row.mutable_property_income(), sums.property);
  SetFen(row.mutable_transfer_income(), sums.transfer);
  SetFen(row.mutable_production_cost(), sums.production_cost);
  SetFen(row.mutable_net_income(), sums.Net());
  SetFen(row.mutable_per_capita_net_income(), PerCapita(sums.Net(), person_months));
  SetFen(row.mutable_supported_income(), sums.supported);
  for (const std::string& region : RegionChain(h.village_code)) {
    auto it = p.lines.find(region);
    if (it == p.lines.end()) continue;
    SetFen(row.mutable_threshold_per_capita(), it->second);
    row.set_below_threshold(Below(sums.Net(), person_months, it->second));
    row.set_near_threshold(Near(sums.Net(), person_months, it->second, p.near_margin_bps));
    break;
  }
  return row;
}

int64_t Median(std::vector<int64_t> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n % 2 == 1) return values[n / 2];
  return Clamp(FloorDiv(static_cast<Int128>(values[n / 2 - 1]) + values[n / 2], 2));
}

int64_t Mean(const std::vector<int64_t> values) {
  if (values.empty()) return 0;
  Int128 sum = 0;
  for (int64_t v : values) sum += v;
  return Clamp(FloorDiv(sum, static_cast<Int128>(values.size())));
}

v1::ReportSummary Summarize(const std::vector<v1::ReportRow>& rows, const ReportParams& p,
                            const std::vector<SourceSum>& sources,
                            const std::map<std::string, std::string>& names,
                            const std::map<std::string, MonthSums>& monthly) {
  v1::ReportSummary s;
  s.set_household_count(static_cast<int32_t>(rows.size()));
  std::vector<int64_t> per_capita;
  int64_t marketplace = 0, net = 0;
  int32_t below = 0, near = 0;
  for (const v1::ReportRow& r : rows) {
    marketplace += r.marketplace_income().fen();
    if (p.kind == v1::REPORT_KIND_PRODUCER_SALES) continue;
    per_capita.push_back(r.per_capita_net_income().fen());
    net += r.net_income().fen();
    below += r.below_threshold() ? 1 : 0;
    near += r.near_threshold() ? 1 : 0;
  }
  SetFen(s.mutable_mean_per_capita_net_income(), Mean(per_capita));
  SetFen(s.mutable_median_per_capita_net_income(), Median(per_capita));
  s.set_below_threshold_count(below);
  s.set_near_threshold_count(near);
  SetFen(s.mutable_marketplace_income(), marketplace);
  SetFen(s.mutable_net_income(), net);
  // Sources: ordered by id, households with a non-zero sum.
  std::map<std::string, std::pair<int64_t, int32_t>> by_source;
  for (const SourceSum& x : sources) {
    auto& [amount, households] = by_source[x.support_source_id];
    amount += x.fen;
    if (x.fen != 0) ++households;
  }
  for (const auto& [id, agg] : by_source) {
    v1::SourceContribution* c = s.add_sources();
    c->set_support_source_id(id);
    auto name = names.find(id);
    c->set_name(name == names.end() ? "" : name->second);
    SetFen(c->mutable_amount(), agg.first);
    c->set_household_count(agg.second);
  }
  for (absl::CivilMonth m : (Period{p.start, p.end}.Months())) {
    const std::string key = absl::FormatCivilTime(m);
    v1::MonthlyTotal* t = s.add_monthly();
    t->set_month(key);
    auto it = monthly.find(key);
    SetFen(t->mutable_net_income(), it == monthly.end() ? 0 : it->second.net);
    SetFen(t->mutable_marketplace_income(), it == monthly.end() ? 0 : it->second.marketplace);
  }
  return s;
}

std::string YuanText(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  return absl::StrFormat("%s%d.%02d", negative ? "-" : "", magnitude / 100, magnitude % 100);
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CategoryName(const std::string& enum_name) {
  static const std::map<std::string, std::string> kNames = {
      {"MONITORING_CATEGORY_ORDINARY", "一般户"},
      {"MONITORING_CATEGORY_LIFTED_OUT", "脱贫户"},
      {"MONITORING_CATEGORY_LIFTED_OUT_UNSTABLE", "脱贫不稳定户"},
      {"MONITORING_CATEGORY_MARGINAL_AT_RISK", "边缘易致贫户"},
      {"MONITORING_CATEGORY_SUDDEN_HARDSHIP", "突发严重困难户"},
  };
  auto it = kNames.find(enum_name);
  return it == kNames.end() ? "" : it->second;
}

std::string ReportCsv(v1::ReportKind kind, const std::vector<v1::ReportRow>& rows) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte-order mark
  auto line = [&out](const std::vector<std::string>& fields) {
    std::vector<std::string> quoted;
    for (const std::string& f : fields) quoted.push_back(CsvField(f));
    absl::StrAppend(&out, absl::StrJoin(quoted, ","), "\r\n");
  };
  if (kind == v1::REPORT_KIND_PRODUCER_SALES) {
    line({"户编号", "村代码", "户主姓名", "电商销售收入(元)"});
    for (const v1::ReportRow& r : rows) {
      line({r.household_id(), r.village_code(), r.head_name(),
            YuanText(r.marketplace_income().fen())});
    }
    return out;
  }
  line({"户编号", "村代码", "户主姓名", "监测类别", "常住人口", "工资性收入(元)",
        "生产经营性收入(元)", "财产性收入(元)", "转移性收入(元)", "生产经营费用(元)", "纯收入(元)",
        "人均纯收入(元)", "监测线(元/人)", "低于监测线", "接近监测线", "电商销售收入(元)",
        "帮扶收入(元)"});
  for (const v1::ReportRow& r : rows) {
    line({r.household_id(), r.village_code(), r.head_name(), CategoryName(r.monitoring_category()),
          absl::StrCat(r.resident_size()), YuanText(r.wage_income().fen()),
          YuanText(r.production_business_income().fen()), YuanText(r.property_income().fen()),
          YuanText(r.transfer_income().fen()), YuanText(r.production_cost().fen()),
          YuanText(r.net_income().fen()), YuanText(r.per_capita_net_income().fen()),
          r.has_threshold_per_capita() ? YuanText(r.threshold_per_capita().fen()) : "",
          YesNo(r.below_threshold()), YesNo(r.near_threshold()),
          YuanText(r.marketplace_income().fen()), YuanText(r.supported_income().fen())});
  }
  return out;
}

}  // namespace cooplink::income
