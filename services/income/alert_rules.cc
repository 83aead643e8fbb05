#include "services/income/alert_rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/income/income_rules.h"

namespace cooplink::income {
namespace {

__extension__ typedef __int128 int128;

AlertFinding FindingOf(v1::AlertKind kind) {
  AlertFinding f;
  f.kind = kind;
  return f;
}

}  // namespace

std::string FormatPercent(int64_t bps) {
  const bool negative = bps < 0;
  const int64_t abs = negative ? -bps : bps;
  std::string s = absl::StrCat(abs / 100);
  int64_t frac = abs % 100;
  if (frac != 0) {
    s += frac % 10 == 0 ? absl::StrFormat(".%d", frac / 10) : absl::StrFormat(".%02d", frac);
  }
  return absl::StrCat(negative ? "-" : "", s, "%");
}

std::string OpenKey(const std::string& household_id, v1::AlertKind kind) {
  return absl::StrCat(household_id, "/", static_cast<int>(kind));
}

std::vector<AlertFinding> EvaluateAlertRules(const AlertInputs& in) {
  const int64_t pc = PerCapita(in.net_fen, in.person_months);
  const std::string pc_text = absl::StrCat("近12个月人均纯收入 ", FormatYuan(pc), " 元");
  std::vector<AlertFinding> out;

  AlertFinding below = FindingOf(v1::ALERT_KIND_BELOW_THRESHOLD);
  AlertFinding near = FindingOf(v1::ALERT_KIND_NEAR_THRESHOLD);
  below.per_capita_fen = near.per_capita_fen = pc;
  below.threshold_fen = near.threshold_fen = in.line_fen;
  if (in.line_fen) {
    const int64_t line = *in.line_fen;
    below.holds = Below(in.net_fen, in.person_months, line);
    near.holds = Near(in.net_fen, in.person_months, line, in.near_margin_bps);
    below.recovered = near.recovered = !below.holds && !near.holds;
    below.detail = absl::StrCat(pc_text, "，低于监测线 ", FormatYuan(line), " 元");
    near.detail = absl::StrCat(pc_text, "，高于监测线 ", FormatYuan(line), " 元不足 ",
                               FormatPercent(in.near_margin_bps), "，有返贫风险");
  } else {
    below.recovered = near.recovered = true;
  }
  out.push_back(std::move(below));
  out.push_back(std::move(near));

  AlertFinding drop = FindingOf(v1::ALERT_KIND_INCOME_DROP);
  drop.per_capita_fen = pc;
  const int64_t previous = PerCapita(in.previous_net_fen, in.previous_person_months);
  drop.previous_per_capita_fen = previous;
  if (previous > 0) {
    const int128 lhs = static_cast<int128>(pc) * 10000;
    const int128 rhs = static_cast<int128>(previous) * (10000 - in.drop_share_bps);
    drop.holds = lhs < rhs;
    // The fall in bps, rounded up: a fall just beyond the share never reads as equal to it.
    const int128 fall = (static_cast<int128>(previous) - pc) * 10000;
    const int64_t fall_bps = static_cast<int64_t>((fall + previous - 1) / previous);
    drop.detail =
        absl::StrCat(pc_text, "，比前12个月的 ", FormatYuan(previous), " 元下降 ",
                     FormatPercent(fall_bps), "，超过预警幅度 ", FormatPercent(in.drop_share_bps));
  }
  drop.recovered = !drop.holds;
  out.push_back(std::move(drop));
  return out;
}

}  // namespace cooplink::income
