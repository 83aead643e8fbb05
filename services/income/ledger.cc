// The ledger: RecordIncomeEntry, ReverseIncomeEntry, ListIncomeEntries. Entries are immutable; a
// correction is a reversing entry (ledger_rules.h ReversalOf), and the original's reversed_by is
// set in the same transaction. Every write re-evaluates the household's alerts in its transaction
// (EvaluateAlerts), with the household's facts asked from membership before it opened.
//
// Who sees a household: a platform admin every one; a social worker those of its villages; a
// cooperative admin those with a member in its cooperative (one filtered ListMembers, asked on
// every call); a member its own (reads only). Outside that the household (or entry) is NOT_FOUND,
// worded like a missing one; in scope but the entry's source not the caller's is PERMISSION_DENIED.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/common/status.h"
#include "services/income/income.h"
#include "services/income/income_access.h"
#include "services/income/ledger_rules.h"
#include "services/income/ledger_store.h"

namespace cooplink::income {
namespace {

// The household's facts; a missing household is NOT_FOUND worded as `what` `id`.
absl::StatusOr<HouseholdFacts> HouseholdOrNotFound(const CallContext& call,
                                                   HouseholdDirectory& directory,
                                                   const std::string& household_id,
                                                   const std::string& what, const std::string& id) {
  absl::StatusOr<HouseholdFacts> facts = directory.GetHousehold(call, household_id);
  if (absl::IsNotFound(facts.status())) return NotFoundFor(what, id);
  return facts;
}

// OK when the caller sees the household (see the file comment), else NOT_FOUND as `what` `id`.
absl::Status RequireHouseholdInScope(const CallContext& call, HouseholdDirectory& directory,
                                     const IncomeScope& scope, const HouseholdFacts& household,
                                     const std::string& what, const std::string& id) {
  const Principal& p = call.principal();
  if (p.is(Role::kCooperativeAdmin)) {
    absl::StatusOr<bool> in = directory.HouseholdHasMember(call, p.cooperative_id, household.id);
    if (!in.ok()) return in.status();
    return *in ? absl::OkStatus() : NotFoundFor(what, id);
  }
  return RelationToHousehold(scope, household.id, household.village_code) == IncomeRelation::kNone
             ? NotFoundFor(what, id)
             : absl::OkStatus();
}

std::string EntryKey(const v1::IncomeEntry& e) {
  return absl::StrCat(DateToSql(e.occurred_date()), "/", e.id());
}

}  // namespace

absl::Status Income::RecordIncomeEntry(const CallContext& call,
                                       const v1::RecordIncomeEntryRequest& req,
                                       v1::IncomeEntry* out) {
  const Principal& p = call.principal();
  if (absl::Status s =
          RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "RecordIncomeEntry", req);
  if (!key.ok()) return key.status();
  absl::StatusOr<EntryInput> in = ValidateEntry(req.entry(), Today(clock_->Now()));
  if (!in.ok()) return in.status();
  if (absl::Status s = RequireSourceRole(p.role, in->source); !s.ok()) return s;

  // Membership, before the transaction.
  absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  if (p.is(Role::kCooperativeAdmin) && in->cooperative_id != p.cooperative_id) {
    return NotFoundFor("cooperative", in->cooperative_id);
  }
  absl::StatusOr<HouseholdFacts> household =
      HouseholdOrNotFound(call, *directory_, in->household_id, "household", in->household_id);
  if (!household.ok()) return household.status();
  if (absl::Status s = RequireHouseholdInScope(call, *directory_, *scope, *household, "household",
                                               in->household_id);
      !s.ok()) {
    return s;
  }
  if (p.is(Role::kPlatformAdmin) && in->source == v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION) {
    absl::StatusOr<CooperativeFacts> coop = directory_->GetCooperative(call, in->cooperative_id);
    if (absl::IsNotFound(coop.status())) {
      return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                                absl::StrCat("cooperative ", in->cooperative_id, " does not exist"),
                                {{"cooperative_id", in->cooperative_id}});
    }
    if (!coop.ok()) return coop.status();
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    if (!in->support_source_id.empty() && !SupportSourceExists(tx, in->support_source_id)) {
      return FailedPrecondition(
          "REFERENCED_RESOURCE_NOT_FOUND",
          absl::StrCat("support source ", in->support_source_id, " does not exist"),
          {{"support_source_id", in->support_source_id}});
    }
    v1::IncomeEntry e;
    e.set_id(NewId(now));
    e.set_household_id(in->household_id);
    e.set_kind(in->kind);
    e.mutable_amount()->set_fen(in->amount_fen);
    *e.mutable_occurred_date() = ToDate(in->occurred);
    e.set_source(in->source);
    e.set_source_ref(in->source_ref);
    e.set_note(in->note);
    e.set_recorded_by(p.id);
    e.set_cooperative_id(in->cooperative_id);
    e.set_support_source_id(in->support_source_id);
    *e.mutable_create_time() = ToTimestamp(ToMicros(now));
    InsertEntry(tx, e, std::nullopt);
    if (absl::Status s = EvaluateAlerts(tx, *household, Today(now)); !s.ok()) return s;
    *out = std::move(e);
    return absl::OkStatus();
  });
}

absl::Status Income::ReverseIncomeEntry(const CallContext& call,
                                        const v1::ReverseIncomeEntryRequest& req,
                                        v1::IncomeEntry* out) {
  const Principal& p = call.principal();
  if (absl::Status s =
          RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kCooperativeAdmin});
      !s.ok()) {
    return s;
  }
  auto key = MakeIdempotencyKey(p, "ReverseIncomeEntry", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "entry_id", req.entry_id());
  const std::string reason = CheckText(v, "reason", req.reason(), kReverseReason);
  if (!v.empty()) return v.ToStatus();

  // The entry's household decides the scope: read the entry, then ask membership, then write.
  absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  v1::IncomeEntry seen;
  if (absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
        std::optional<v1::IncomeEntry> e = LoadEntry(tx, req.entry_id(), /*for_update=*/false);
        if (!e) return NotFoundFor("income entry", req.entry_id());
        seen = *std::move(e);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  absl::StatusOr<HouseholdFacts> household =
      HouseholdOrNotFound(call, *directory_, seen.household_id(), "income entry", seen.id());
  if (!household.ok()) return household.status();
  if (absl::Status s =
          RequireHouseholdInScope(call, *directory_, *scope, *household, "income entry", seen.id());
      !s.ok()) {
    return s;
  }
  if (seen.source() != v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT) {
    if (absl::Status s = RequireSourceRole(p.role, seen.source()); !s.ok()) return s;
    if (p.is(Role::kCooperativeAdmin) && seen.cooperative_id() != p.cooperative_id) {
      return PermissionDenied("ROLE_NOT_ALLOWED",
                              "a cooperative admin reverses only its own cooperative's entries");
    }
  }

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    std::optional<v1::IncomeEntry> original = LoadEntry(tx, seen.id(), /*for_update=*/true);
    if (!original) return NotFoundFor("income entry", seen.id());
    if (absl::Status s = CheckReversible(*original); !s.ok()) return s;
    v1::IncomeEntry r = ReversalOf(*original, reason);
    r.set_id(NewId(now));
    r.set_recorded_by(p.id);
    *r.mutable_create_time() = ToTimestamp(ToMicros(now));
    InsertEntry(tx, r, std::nullopt);
    SetReversedBy(tx, original->id(), r.id());
    if (absl::Status s = EvaluateAlerts(tx, *household, Today(now)); !s.ok()) return s;
    *out = std::move(r);
    return absl::OkStatus();
  });
}

absl::Status Income::ListIncomeEntries(const CallContext& call,
                                       const v1::ListIncomeEntriesRequest& req,
                                       v1::ListIncomeEntriesResponse* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker, Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  CheckId(v, "household_id", req.household_id());
  if (req.year() < 0) v.Add("year", "must be 0 (all years) or a year");
  if (!v1::IncomeKind_IsValid(req.kind())) v.Add("kind", "not a known IncomeKind");
  if (!v.empty()) return v.ToStatus();
  const std::string filters =
      absl::StrCat("entries|", req.household_id(), "|", req.year(), "|", req.kind());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  EntryListQuery q;
  q.household_id = req.household_id();
  q.year = req.year();
  q.kind = req.kind();
  q.limit = page->size + 1;
  if (!page->after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(page->after, '/');
    if (parts.size() != 2 || !LooksLikeId(parts[1])) {
      return InvalidField("page_token", "not a page token of this list");
    }
    q.after_date = parts[0];
    q.after_id = parts[1];
  }

  if (p.is(Role::kMember)) {
    if (p.household_id.empty() || p.household_id != req.household_id()) {
      return NotFoundFor("household", req.household_id());
    }
  } else {
    absl::StatusOr<IncomeScope> scope = ResolveIncomeScope(call, *directory_);
    if (!scope.ok()) return scope.status();
    absl::StatusOr<HouseholdFacts> household =
        HouseholdOrNotFound(call, *directory_, req.household_id(), "household", req.household_id());
    if (!household.ok()) return household.status();
    if (absl::Status s = RequireHouseholdInScope(call, *directory_, *scope, *household, "household",
                                                 req.household_id());
        !s.ok()) {
      return s;
    }
  }

  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::IncomeEntry> rows = ListEntries(tx, q);
    out->set_next_page_token(TrimToPage(rows, *page, filters, EntryKey));
    for (v1::IncomeEntry& e : rows) *out->add_entries() = std::move(e);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
