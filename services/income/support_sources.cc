// Support sources (五社联动): the table of programmes and organisations that entries name.
// CreateSupportSource (platform admin; a name is unique: ALREADY_EXISTS) and ListSupportSources
// (every role but partner, by id, optionally of one kind).
#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/common/status.h"
#include "services/income/income.h"
#include "services/income/ledger_rules.h"
#include "services/income/ledger_store.h"

namespace cooplink::income {

absl::Status Income::CreateSupportSource(const CallContext& call,
                                         const v1::CreateSupportSourceRequest& req,
                                         v1::SupportSource* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateSupportSource", req);
  if (!key.ok()) return key.status();
  const v1::SupportSource& in = req.source();
  FieldViolations v;
  const std::string name = CheckText(v, "source.name", in.name(), kSourceName);
  if (in.kind() == v1::SUPPORT_SOURCE_KIND_UNSPECIFIED ||
      !v1::SupportSourceKind_IsValid(in.kind())) {
    v.Add("source.kind", "required: a SupportSourceKind");
  }
  const std::string organization =
      CheckText(v, "source.organization", in.organization(), kSourceOrganization);
  if (!v.empty()) return v.ToStatus();
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (SupportSourceNameTaken(tx, name)) {
      return WithReason(
          absl::AlreadyExistsError(absl::StrCat("a support source named ", name, " exists")),
          "ALREADY_EXISTS");
    }
    const absl::Time now = clock_->Now();
    v1::SupportSource s;
    s.set_id(NewId(now));
    s.set_name(name);
    s.set_kind(in.kind());
    s.set_organization(organization);
    s.set_created_by(p.id);
    *s.mutable_create_time() = ToTimestamp(ToMicros(now));
    InsertSupportSource(tx, s);
    *out = std::move(s);
    return absl::OkStatus();
  });
}

absl::Status Income::ListSupportSources(const CallContext& call,
                                        const v1::ListSupportSourcesRequest& req,
                                        v1::ListSupportSourcesResponse* out) {
  if (absl::Status s = RequireRole(call.principal(), {Role::kPlatformAdmin, Role::kSocialWorker,
                                                      Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  if (!v1::SupportSourceKind_IsValid(req.kind())) {
    return InvalidField("kind", "not a known SupportSourceKind");
  }
  const std::string filters = absl::StrCat("support_sources|", req.kind());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::SupportSource> rows =
        LoadSupportSources(tx, req.kind(), page->after, page->size + 1);
    out->set_next_page_token(
        TrimToPage(rows, *page, filters, [](const v1::SupportSource& s) { return s.id(); }));
    for (v1::SupportSource& s : rows) *out->add_sources() = std::move(s);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
