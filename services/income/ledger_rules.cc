#include "services/income/ledger_rules.h"

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/status.h"

namespace cooplink::income {
namespace {

namespace ov1 = ::cooplink::orders::v1;

absl::CivilDay CreateDay(const ov1::Settlement& s) {
  return Today(absl::FromUnixMicros(TimestampMicros(s.create_time())));
}

bool AllowsSupportSource(v1::IncomeKind kind) {
  return kind == v1::INCOME_KIND_TRANSFER || kind == v1::INCOME_KIND_PRODUCTION_BUSINESS;
}

}  // namespace

absl::StatusOr<EntryInput> ValidateEntry(const v1::IncomeEntry& e, absl::CivilDay today) {
  FieldViolations v;
  EntryInput in;
  CheckId(v, "entry.household_id", e.household_id());
  in.household_id = e.household_id();
  if (e.kind() == v1::INCOME_KIND_UNSPECIFIED || !v1::IncomeKind_IsValid(e.kind())) {
    v.Add("entry.kind",
          "required: WAGE, PRODUCTION_BUSINESS, PROPERTY, TRANSFER or PRODUCTION_COST");
  }
  in.kind = e.kind();
  CheckFen(v, "entry.amount.fen", e.has_amount(), e.amount(), kEntryAmount);
  in.amount_fen = e.amount().fen();
  if (!e.has_occurred_date()) {
    v.Add("entry.occurred_date", "is required");
  } else if (std::optional<absl::CivilDay> day =
                 CheckDate(v, "entry.occurred_date", e.occurred_date())) {
    if (*day < absl::CivilDay(kFirstEntryYear, 1, 1) || *day > today) {
      v.Add("entry.occurred_date",
            absl::StrCat("must be from ", kFirstEntryYear, "-01-01 to today (Asia/Shanghai)"));
    }
    in.occurred = *day;
  }
  in.source = e.source();
  switch (e.source()) {
    case v1::INCOME_SOURCE_MANUAL:
      if (!e.cooperative_id().empty()) {
        v.Add("entry.cooperative_id", "must be empty for a MANUAL entry");
      }
      break;
    case v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION:
      if (e.cooperative_id().empty()) {
        v.Add("entry.cooperative_id", "is required for a COOPERATIVE_TRANSACTION entry");
      } else {
        CheckId(v, "entry.cooperative_id", e.cooperative_id());
      }
      if (e.kind() != v1::INCOME_KIND_PRODUCTION_BUSINESS &&
          e.kind() != v1::INCOME_KIND_UNSPECIFIED) {
        v.Add("entry.kind", "must be PRODUCTION_BUSINESS for a COOPERATIVE_TRANSACTION entry");
      }
      break;
    case v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT:
      v.Add("entry.source",
            "MARKETPLACE_SETTLEMENT entries come only from the settlement importer");
      break;
    default:
      v.Add("entry.source", "required: MANUAL or COOPERATIVE_TRANSACTION");
      break;
  }
  in.cooperative_id = e.cooperative_id();
  in.source_ref = CheckText(v, "entry.source_ref", e.source_ref(), kEntrySourceRef);
  in.note = CheckText(v, "entry.note", e.note(), kEntryNote);
  if (!e.support_source_id().empty()) {
    if (!AllowsSupportSource(e.kind())) {
      v.Add("entry.support_source_id", "allowed only on TRANSFER and PRODUCTION_BUSINESS entries");
    } else {
      CheckId(v, "entry.support_source_id", e.support_source_id());
    }
  }
  in.support_source_id = e.support_source_id();
  if (!v.empty()) return v.ToStatus();
  return in;
}

absl::Status RequireSourceRole(Role role, v1::IncomeSource source) {
  const bool allowed =
      role == Role::kPlatformAdmin ||
      (source == v1::INCOME_SOURCE_MANUAL && role == Role::kSocialWorker) ||
      (source == v1::INCOME_SOURCE_COOPERATIVE_TRANSACTION && role == Role::kCooperativeAdmin);
  if (allowed && source != v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT) return absl::OkStatus();
  return PermissionDenied("ROLE_NOT_ALLOWED",
                          absl::StrCat("role ", RoleName(role), " may not write ",
                                       v1::IncomeSource_Name(source), " entries"));
}

absl::Status CheckReversible(const v1::IncomeEntry& original) {
  if (!original.reversal_of().empty()) {
    return FailedPrecondition("IS_REVERSAL", "a reversing entry cannot be reversed");
  }
  if (!original.reversed_by().empty()) {
    return FailedPrecondition(
        "ALREADY_REVERSED",
        absl::StrCat("the entry is already reversed by ", original.reversed_by()),
        {{"reversed_by", original.reversed_by()}});
  }
  if (original.source() == v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT) {
    return FailedPrecondition(
        "IMPORTED_ENTRY",
        "a marketplace settlement entry is reversed only by a refund settlement from orders");
  }
  return absl::OkStatus();
}

std::string TruncateChars(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // A code point starts at every byte that is not a UTF-8 continuation byte.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return text.substr(0, i);
      ++chars;
    }
  }
  return text;
}

v1::IncomeEntry ReversalOf(const v1::IncomeEntry& original, const std::string& reason) {
  v1::IncomeEntry r;
  r.set_household_id(original.household_id());
  r.set_kind(original.kind());
  r.mutable_amount()->set_fen(-original.amount().fen());
  *r.mutable_occurred_date() = original.occurred_date();
  r.set_source(original.source());
  r.set_source_ref(original.source_ref());
  r.set_note(TruncateChars(reason, kReversalNoteChars));
  r.set_reversal_of(original.id());
  r.set_cooperative_id(original.cooperative_id());
  r.set_support_source_id(original.support_source_id());
  return r;
}

std::string ImportKey(const std::string& settlement_id, const std::string& household_id) {
  return absl::StrCat(settlement_id, "/", household_id);
}

std::vector<v1::IncomeEntry> SettlementEntries(const ov1::Settlement& s) {
  std::vector<v1::IncomeEntry> out;
  const common::v1::Date day = ToDate(CreateDay(s));
  for (const ov1::ProducerPayout& p : s.payouts()) {
    if (p.amount().fen() == 0) continue;
    v1::IncomeEntry e;
    e.set_household_id(p.household_id());
    e.set_kind(v1::INCOME_KIND_PRODUCTION_BUSINESS);
    e.mutable_amount()->set_fen(p.amount().fen());
    *e.mutable_occurred_date() = day;
    e.set_source(v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT);
    e.set_source_ref(ImportKey(s.id(), p.household_id()));
    e.set_note(absl::StrCat("settlement of order ", s.order_id()));
    e.set_recorded_by(kImporterPrincipal);
    e.set_cooperative_id(s.cooperative_id());
    out.push_back(std::move(e));
  }
  return out;
}

v1::IncomeEntry RefundEntry(const ov1::Settlement& reversal, const ov1::ProducerPayout& payout,
                            absl::CivilDay original_date) {
  v1::IncomeEntry e;
  e.set_household_id(payout.household_id());
  e.set_kind(v1::INCOME_KIND_PRODUCTION_BUSINESS);
  e.mutable_amount()->set_fen(payout.amount().fen());
  *e.mutable_occurred_date() = ToDate(original_date);
  e.set_source(v1::INCOME_SOURCE_MARKETPLACE_SETTLEMENT);
  e.set_source_ref(ImportKey(reversal.id(), payout.household_id()));
  e.set_note(absl::StrCat("refund of order ", reversal.order_id(), ": reverses settlement ",
                          reversal.reversed_settlement_id()));
  e.set_recorded_by(kImporterPrincipal);
  e.set_cooperative_id(reversal.cooperative_id());
  return e;
}

}  // namespace cooplink::income
