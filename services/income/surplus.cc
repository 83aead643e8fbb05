// Surplus distributions (农民专业合作社法 Art. 44): CreateSurplusDistribution derives every member
// of the fiscal year from membership (members, join and exit dates, capital contributions) before
// its transaction, reads the members' transaction amounts from the ledger inside it, and stores an
// immutable DRAFT; Publish puts it on display for 15 days, Approve records the assembly.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/common/status.h"
#include "services/income/income.h"
#include "services/income/income_access.h"
#include "services/income/income_limits.h"
#include "services/income/surplus_rules.h"
#include "services/income/surplus_store.h"

namespace cooplink::income {
namespace {

namespace sl = surplus_limits;

constexpr char kWhat[] = "surplus distribution";

absl::Status RequireManager(const Principal& p) {
  return RequireRole(p, {Role::kPlatformAdmin, Role::kCooperativeAdmin});
}

// Platform admin or the cooperative's own admin.
bool Manages(const Principal& p, const std::string& cooperative_id) {
  return p.is(Role::kPlatformAdmin) ||
         (p.is(Role::kCooperativeAdmin) && p.cooperative_id == cooperative_id);
}

bool Shown(v1::SurplusDistributionState s) {
  return s == v1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED ||
         s == v1::SURPLUS_DISTRIBUTION_STATE_APPROVED;
}

// The members who belonged in the fiscal year, ordered by member_id, with their days.
struct FiscalMember {
  MemberFacts facts;
  int days = 0;
  int64_t capital_fen = 0;
  int64_t reserve_fen = 0;
};

absl::Status ValidateCreate(const v1::SurplusDistribution& d, FieldViolations& v,
                            std::map<std::string, int64_t>* named) {
  CheckId(v, "distribution.cooperative_id", d.cooperative_id());
  if (d.fiscal_year() < sl::kFirstFiscalYear) {
    v.Add("distribution.fiscal_year", absl::StrCat("must be ", sl::kFirstFiscalYear,
                                                   " or later and not after the last ended "
                                                   "fiscal year"));
  }
  CheckFen(v, "distribution.surplus.fen", d.has_surplus(), d.surplus(), kSurplus);
  CheckInteger(v, "distribution.reserve_fund_bps", d.reserve_fund_bps(), kReserveFundBps);
  CheckInteger(v, "distribution.patronage_share_bps", d.patronage_share_bps(), kPatronageShareBps);
  if (CheckCount(v, "distribution.allocations", d.allocations_size(), kAllocations)) {
    for (int i = 0; i < d.allocations_size(); ++i) {
      const v1::MemberAllocation& a = d.allocations(i);
      const std::string field = absl::StrCat("distribution.allocations[", i, "]");
      CheckId(v, field + ".member_id", a.member_id());
      CheckFen(v, field + ".reserve_and_subsidy_share.fen", a.has_reserve_and_subsidy_share(),
               a.reserve_and_subsidy_share(), kReserveShare);
      if (!named->emplace(a.member_id(), a.reserve_and_subsidy_share().fen()).second) {
        v.Add(field + ".member_id", "names a member already named (at most once per request)");
      }
    }
  }
  CheckText(v, "distribution.note", d.note(), kDistributionNote);
  return v.ToStatus();
}

}  // namespace

absl::Status Income::CreateSurplusDistribution(const CallContext& call,
                                               const v1::CreateSurplusDistributionRequest& req,
                                               v1::SurplusDistribution* out) {
  const Principal& p = call.principal();
  if (auto s = RequireManager(p); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateSurplusDistribution", req);
  if (!key.ok()) return key.status();
  const v1::SurplusDistribution& in = req.distribution();
  FieldViolations v;
  std::map<std::string, int64_t> named;  // member_id → reserve_and_subsidy_share
  if (auto s = ValidateCreate(in, v, &named); !s.ok()) return s;
  const std::string note = Trimmed(in.note());
  if (!Manages(p, in.cooperative_id())) return NotFoundFor("cooperative", in.cooperative_id());

  // Everything from membership, before the transaction.
  auto coop = directory_->GetCooperative(call, in.cooperative_id());
  if (!coop.ok()) return coop.status();
  const absl::Time now = clock_->Now();
  const int last_ended = LastEndedFiscalYear(Today(now), coop->fiscal_year_end_month);
  if (in.fiscal_year() > last_ended) {
    return InvalidField(
        "distribution.fiscal_year",
        absl::StrCat("must not be after the last ended fiscal year (", last_ended, ")"));
  }
  const FiscalYear fy = FiscalYearOf(in.fiscal_year(), coop->fiscal_year_end_month);
  auto members = directory_->ListMembers(call, in.cooperative_id());
  if (!members.ok()) return members.status();
  std::vector<FiscalMember> fiscal;
  for (const MemberFacts& m : *members) {
    const int days = MemberDays(fy, m.join_date, m.exit_effective_date);
    if (days > 0) fiscal.push_back({m, days});
  }
  std::sort(fiscal.begin(), fiscal.end(),
            [](const FiscalMember& a, const FiscalMember& b) { return a.facts.id < b.facts.id; });
  for (const auto& [member_id, fen] : named) {
    auto it = std::lower_bound(
        fiscal.begin(), fiscal.end(), member_id,
        [](const FiscalMember& m, const std::string& id) { return m.facts.id < id; });
    if (it == fiscal.end() || it->facts.id != member_id) {
      return FailedPrecondition(
          "REFERENCED_RESOURCE_NOT_FOUND",
          absl::StrCat("member ", member_id, " did not belong to the cooperative in fiscal year ",
                       fy.year));
    }
    it->reserve_fen = fen;
  }
  if (absl::Status s = CheckFiscalMemberCount(static_cast<int64_t>(fiscal.size()), fy.year);
      !s.ok()) {
    return s;
  }
  for (FiscalMember& m : fiscal) {
    if (m.facts.capital_contribution_total_fen == 0) continue;  // never contributed
    auto contributions = directory_->ListContributions(call, m.facts.id);
    if (!contributions.ok()) return contributions.status();
    for (const Contribution& c : *contributions) {
      if (c.date <= fy.last) m.capital_fen += c.amount_fen;
    }
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    std::vector<MemberSpan> spans;
    for (const FiscalMember& m : fiscal) {
      spans.push_back(
          {m.facts.id, m.facts.household_id, m.facts.join_date, m.facts.exit_effective_date});
    }
    const std::map<std::string, int64_t> amounts = TransactionAmounts(
        spans, LoadCooperativeDaySums(tx, in.cooperative_id(), fy.first, fy.last));
    std::vector<SurplusWeights> weights;
    for (const FiscalMember& m : fiscal) {
      weights.push_back(
          {amounts.at(m.facts.id), Prorate(m.capital_fen + m.reserve_fen, m.days, fy.days())});
    }
    auto split =
        SplitSurplus(in.surplus().fen(), in.reserve_fund_bps(), in.patronage_share_bps(), weights);
    if (!split.ok()) return split.status();
    v1::SurplusDistribution d;
    d.set_id(NewId(now));
    d.set_cooperative_id(in.cooperative_id());
    d.set_fiscal_year(fy.year);
    d.mutable_surplus()->set_fen(in.surplus().fen());
    d.set_reserve_fund_bps(in.reserve_fund_bps());
    d.mutable_reserve_fund()->set_fen(split->reserve_fund);
    d.mutable_distributable()->set_fen(split->distributable);
    d.set_patronage_share_bps(in.patronage_share_bps());
    d.mutable_patronage_pool()->set_fen(split->patronage_pool);
    d.mutable_capital_pool()->set_fen(split->capital_pool);
    d.set_note(note);
    d.set_state(v1::SURPLUS_DISTRIBUTION_STATE_DRAFT);
    *d.mutable_create_time() = ToTimestamp(ToMicros(now));
    *d.mutable_update_time() = d.create_time();
    for (size_t i = 0; i < fiscal.size(); ++i) {
      const FiscalMember& m = fiscal[i];
      v1::MemberAllocation* a = d.add_allocations();
      a->set_member_id(m.facts.id);
      a->set_household_id(m.facts.household_id);
      a->mutable_transaction_amount()->set_fen(weights[i].transaction_fen);
      a->mutable_capital_and_reserve_share()->set_fen(weights[i].capital_and_reserve_fen);
      a->mutable_patronage_allocation()->set_fen(split->patronage[i]);
      a->mutable_capital_allocation()->set_fen(split->capital[i]);
      a->mutable_total_allocation()->set_fen(split->patronage[i] + split->capital[i]);
      a->mutable_capital_contribution()->set_fen(m.capital_fen);
      a->mutable_reserve_and_subsidy_share()->set_fen(m.reserve_fen);
      a->set_member_days(m.days);
    }
    InsertDistribution(tx, d, p.id);
    *out = std::move(d);
    return absl::OkStatus();
  });
}

absl::Status Income::GetSurplusDistribution(const CallContext& call,
                                            const v1::GetSurplusDistributionRequest& req,
                                            v1::SurplusDistribution* out) {
  auto scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (auto s = v.ToStatus(); !s.ok()) return s;
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto d = LoadDistribution(tx, req.id(), false);
    if (!d) return NotFoundFor(kWhat, req.id());
    const IncomeRelation r = RelationToCooperative(*scope, d->cooperative_id());
    if (r == IncomeRelation::kNone || (r == IncomeRelation::kOwnMember && !Shown(d->state()))) {
      return NotFoundFor(kWhat, req.id());
    }
    *out = *std::move(d);
    return absl::OkStatus();
  });
}

absl::Status Income::ListSurplusDistributions(const CallContext& call,
                                              const v1::ListSurplusDistributionsRequest& req,
                                              v1::ListSurplusDistributionsResponse* out) {
  auto scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  FieldViolations v;
  if (!req.cooperative_id().empty()) CheckId(v, "cooperative_id", req.cooperative_id());
  if (req.fiscal_year() < 0) v.Add("fiscal_year", "must be 0 (all) or a year");
  if (!v1::SurplusDistributionState_IsValid(req.state())) v.Add("state", "unknown state");
  if (auto s = v.ToStatus(); !s.ok()) return s;
  const std::string filters =
      absl::StrCat(req.cooperative_id(), "|", req.fiscal_year(), "|", req.state());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();

  SqlQuery q = DistributionListQuery();
  const Principal& p = *scope->principal;
  switch (p.role) {
    case Role::kPlatformAdmin:
      break;
    case Role::kSocialWorker:
      if (scope->caseload.cooperative_ids.empty()) return absl::OkStatus();
      q.sql += " AND d.cooperative_id IN ";
      AppendInList(scope->caseload.cooperative_ids, &q.sql, &q.params);
      break;
    case Role::kCooperativeAdmin:
      q.Add(" AND d.cooperative_id = ?", Param(p.cooperative_id));
      break;
    case Role::kMember:
      q.Add(" AND d.cooperative_id = ?", Param(p.cooperative_id));
      q.Add(" AND d.state IN (?", Param(int{v1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED}));
      q.Add(", ?)", Param(int{v1::SURPLUS_DISTRIBUTION_STATE_APPROVED}));
      break;
    default:
      return absl::OkStatus();
  }
  if (!req.cooperative_id().empty())
    q.Add(" AND d.cooperative_id = ?", Param(req.cooperative_id()));
  if (req.fiscal_year() != 0) q.Add(" AND d.fiscal_year = ?", Param(req.fiscal_year()));
  if (req.state() != v1::SURPLUS_DISTRIBUTION_STATE_UNSPECIFIED) {
    q.Add(" AND d.state = ?", Param(static_cast<int>(req.state())));
  }
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::SurplusDistribution> rows =
        ListDistributions(tx, q, page->after, page->size + 1);
    out->set_next_page_token(
        TrimToPage(rows, *page, filters, [](const v1::SurplusDistribution& d) { return d.id(); }));
    for (auto& d : rows) *out->add_distributions() = std::move(d);
    return absl::OkStatus();
  });
}

absl::Status Income::PublishSurplusDistribution(const CallContext& call,
                                                const v1::PublishSurplusDistributionRequest& req,
                                                v1::SurplusDistribution* out) {
  const Principal& p = call.principal();
  if (auto s = RequireManager(p); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "PublishSurplusDistribution", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "distribution_id", req.distribution_id());
  if (auto s = v.ToStatus(); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  absl::Status s = RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    auto d = LoadDistribution(tx, req.distribution_id(), true);
    if (!d || !Manages(p, d->cooperative_id())) return NotFoundFor(kWhat, req.distribution_id());
    if (d->state() != v1::SURPLUS_DISTRIBUTION_STATE_DRAFT) {
      return FailedPrecondition("INVALID_STATE_TRANSITION",
                                "only a DRAFT distribution can be published");
    }
    const std::string published_key = PublishedKey(d->cooperative_id(), d->fiscal_year());
    if (auto other = FindPublished(tx, published_key)) {
      return FailedPrecondition(
          "ALREADY_PUBLISHED", absl::StrCat("distribution ", *other, " of fiscal year ",
                                            d->fiscal_year(), " is already published or approved"));
    }
    const int64_t publish_us = ToMicros(now);
    const int64_t end_us = ToMicros(now + absl::Hours(24 * sl::kDisplayDays));
    if (!MarkPublished(tx, d->id(), published_key, publish_us, end_us)) {
      return absl::AbortedError("the distribution changed while it was published");
    }
    d->set_state(v1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED);
    *d->mutable_publish_time() = ToTimestamp(publish_us);
    *d->mutable_display_end_time() = ToTimestamp(end_us);
    *d->mutable_update_time() = ToTimestamp(publish_us);
    *out = *std::move(d);
    return absl::OkStatus();
  });
  // Another distribution of the year published concurrently: the unique key decided.
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return FailedPrecondition("ALREADY_PUBLISHED",
                              "another distribution of the fiscal year is already published");
  }
  return s;
}

absl::Status Income::ApproveSurplusDistribution(const CallContext& call,
                                                const v1::ApproveSurplusDistributionRequest& req,
                                                v1::SurplusDistribution* out) {
  const Principal& p = call.principal();
  if (auto s = RequireManager(p); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "ApproveSurplusDistribution", req);
  if (!key.ok()) return key.status();
  const absl::Time now = clock_->Now();
  const absl::CivilDay today = Today(now);
  FieldViolations v;
  CheckId(v, "distribution_id", req.distribution_id());
  std::optional<absl::CivilDay> assembly;
  if (!req.has_assembly_date()) {
    v.Add("assembly_date", "is required");
  } else {
    assembly = CheckDate(v, "assembly_date", req.assembly_date());
    if (assembly && *assembly > today) v.Add("assembly_date", "must not be in the future");
  }
  if (auto s = v.ToStatus(); !s.ok()) return s;
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    auto d = LoadDistribution(tx, req.distribution_id(), true);
    if (!d || !Manages(p, d->cooperative_id())) return NotFoundFor(kWhat, req.distribution_id());
    if (d->state() != v1::SURPLUS_DISTRIBUTION_STATE_PUBLISHED) {
      return FailedPrecondition("INVALID_STATE_TRANSITION",
                                "only a PUBLISHED distribution can be approved");
    }
    const int64_t end_us = TimestampMicros(d->display_end_time());
    if (ToMicros(now) < end_us) {
      return FailedPrecondition(
          "DISPLAY_PERIOD_NOT_OVER", "the plan is on display until display_end_time",
          {{"display_end_time", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(end_us),
                                                 absl::UTCTimeZone())}});
    }
    const absl::CivilDay end_day = Today(absl::FromUnixMicros(end_us));
    if (*assembly < end_day) {
      return InvalidField("assembly_date", absl::StrCat("must be on or after the display end date ",
                                                        CivilToSql(end_day)));
    }
    const int64_t approve_us = ToMicros(now);
    if (!MarkApproved(tx, d->id(), *assembly, p.id, approve_us)) {
      return absl::AbortedError("the distribution changed while it was approved");
    }
    d->set_state(v1::SURPLUS_DISTRIBUTION_STATE_APPROVED);
    *d->mutable_assembly_date() = ToDate(*assembly);
    d->set_approved_by(p.id);
    *d->mutable_approve_time() = ToTimestamp(approve_us);
    *d->mutable_update_time() = ToTimestamp(approve_us);
    *out = *std::move(d);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
