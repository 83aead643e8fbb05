#include "services/income/income_rules.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cooplink::income {
namespace {

__extension__ typedef __int128 int128;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

int64_t Clamp(int128 v) {
  if (v > kMax) return kMax;
  if (v < kMin) return kMin;
  return static_cast<int64_t>(v);
}

// Floor division for b > 0.
int128 FloorDiv(int128 a, int128 b) {
  int128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::vector<absl::CivilMonth> Period::Months() const {
  std::vector<absl::CivilMonth> out;
  for (absl::CivilMonth m(first); m <= absl::CivilMonth(last); ++m) out.push_back(m);
  return out;
}

int Period::MonthCount() const {
  return static_cast<int>(absl::CivilMonth(last) - absl::CivilMonth(first)) + 1;
}

Period CalendarYear(int year) { return {absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)}; }

Period Trailing12Months(absl::CivilDay today) {
  return {absl::CivilDay(absl::CivilMonth(today) - 11), today};
}

Period Previous12Months(absl::CivilDay today) {
  const absl::CivilMonth start = absl::CivilMonth(today) - 11;
  return {absl::CivilDay(start - 12), absl::CivilDay(start) - 1};
}

int32_t SizeOn(absl::Span<const SizePeriod> sizes, absl::CivilDay day) {
  if (sizes.empty()) return 0;
  int32_t size = sizes.front().size;
  for (const SizePeriod& p : sizes) {
    if (p.from > day) break;
    size = p.size;
  }
  return size;
}

int32_t SizeInMonth(absl::Span<const SizePeriod> sizes, absl::CivilMonth month) {
  return SizeOn(sizes, absl::CivilDay(month));
}

int64_t ResidentPersonMonths(absl::Span<const SizePeriod> sizes, const Period& period) {
  int64_t sum = 0;
  for (absl::CivilMonth m : period.Months()) sum += SizeInMonth(sizes, m);
  return sum;
}

int32_t SizeInLastMonth(absl::Span<const SizePeriod> sizes, const Period& period) {
  return SizeInMonth(sizes, absl::CivilMonth(period.last));
}

IncomeComponents SumComponents(absl::Span<const LedgerAmount> entries, const Period& period) {
  int128 wage = 0, business = 0, property = 0, transfer = 0, cost = 0, market = 0, supported = 0;
  IncomeComponents c;
  for (const LedgerAmount& e : entries) {
    if (!period.Contains(e.occurred)) continue;
    ++c.count;
    switch (e.kind) {
      case v1::INCOME_KIND_WAGE:
        wage += e.amount_fen;
        break;
      case v1::INCOME_KIND_PRODUCTION_BUSINESS:
        business += e.amount_fen;
        break;
      case v1::INCOME_KIND_PROPERTY:
        property += e.amount_fen;
        break;
      case v1::INCOME_KIND_TRANSFER:
        transfer += e.amount_fen;
        break;
      case v1::INCOME_KIND_PRODUCTION_COST:
        cost += e.amount_fen;
        break;
      default:
        break;
    }
    if (e.source == v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT) market += e.amount_fen;
    if (e.has_support_source) supported += e.amount_fen;
  }
  c.wage = Clamp(wage);
  c.production_business = Clamp(business);
  c.property = Clamp(property);
  c.transfer = Clamp(transfer);
  c.production_cost = Clamp(cost);
  c.net = Clamp(wage + business + property + transfer - cost);
  c.marketplace = Clamp(market);
  c.supported = Clamp(supported);
  return c;
}

int64_t PerCapita(int64_t net_fen, int64_t person_months) {
  if (person_months <= 0) return 0;
  return Clamp(FloorDiv(static_cast<int128>(net_fen) * 12, person_months));
}

bool Below(int64_t net_fen, int64_t person_months, int64_t line_fen) {
  return static_cast<int128>(net_fen) * 12 < static_cast<int128>(line_fen) * person_months;
}

bool Near(int64_t net_fen, int64_t person_months, int64_t line_fen, int32_t margin_bps) {
  if (Below(net_fen, person_months, line_fen)) return false;
  // |line| < 2^63, person_months < 2^40 (sizes are int32, periods short), 10000 + margin < 2^15:
  // the product fits in 127 bits.
  return static_cast<int128>(net_fen) * 12 * 10000 <
         static_cast<int128>(line_fen) * person_months * (10000 + static_cast<int128>(margin_bps));
}

bool IsThresholdRegion(const std::string& region_code) {
  if (region_code.size() != 6 || !AllDigits(region_code)) return false;
  if (region_code == "000000") return true;
  const std::string province = region_code.substr(0, 2);
  const std::string prefecture = region_code.substr(2, 2);
  const std::string county = region_code.substr(4, 2);
  if (province == "00") return false;
  return !(prefecture == "00" && county != "00");
}

std::vector<std::string> RegionChain(const std::string& village_code) {
  std::vector<std::string> chain;
  if (village_code.size() < 6) return {"000000"};
  const std::string county = village_code.substr(0, 6);
  for (const std::string& r :
       {county, county.substr(0, 4) + "00", county.substr(0, 2) + "0000", std::string("000000")}) {
    if (std::find(chain.begin(), chain.end(), r) == chain.end()) chain.push_back(r);
  }
  return chain;
}

std::string VillagePrefixOf(const std::string& region_code) {
  if (region_code == "000000") return "";
  if (region_code.size() == 6 && region_code.substr(2) == "0000") return region_code.substr(0, 2);
  if (region_code.size() == 6 && region_code.substr(4) == "00") return region_code.substr(0, 4);
  return region_code;
}

std::optional<ThresholdCandidate> ChooseThreshold(const std::string& village_code, int32_t year,
                                                  absl::Span<const ThresholdCandidate> candidates) {
  for (const std::string& region : RegionChain(village_code)) {
    for (const ThresholdCandidate& c : candidates) {
      if (c.year == year && c.region_code == region) return c;
    }
  }
  return std::nullopt;
}

int64_t GainOverBaseline(int64_t per_capita_fen, int64_t baseline_fen) {
  return Clamp(static_cast<int128>(per_capita_fen) - baseline_fen);
}

int64_t GainBps(int64_t gain_fen, int64_t baseline_fen) {
  if (baseline_fen <= 0) return 0;
  return Clamp(static_cast<int128>(gain_fen) * 10000 / baseline_fen);  // truncates towards 0
}

std::string FormatYuan(int64_t fen) {
  const bool negative = fen < 0;
  // Unsigned magnitude: safe for INT64_MIN.
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string yuan = absl::StrCat(abs / 100);
  std::string grouped;
  for (size_t i = 0; i < yuan.size(); ++i) {
    if (i > 0 && (yuan.size() - i) % 3 == 0) grouped += ',';
    grouped += yuan[i];
  }
  return absl::StrFormat("%s%s.%02d", negative ? "-" : "", grouped, static_cast<int>(abs % 100));
}

}  // namespace cooplink::income
