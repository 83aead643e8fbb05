// Monitoring lines (防止返贫监测线) as data: CreateMonitoringThreshold (platform admin; one per
// region and year; queues the re-evaluation of the region's households in the same transaction)
// and ListMonitoringThresholds (ordered by (region_code, year), keyset paging).
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/auth.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/limits.h"
#include "services/common/paging.h"
#include "services/income/income.h"
#include "services/income/income_limits.h"
#include "services/income/income_rules.h"
#include "services/income/threshold_store.h"

namespace cooplink::income {
namespace {

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

absl::Status Income::CreateMonitoringThreshold(const CallContext& call,
                                               const v1::CreateMonitoringThresholdRequest& req,
                                               v1::MonitoringThreshold* out) {
  const Principal& p = call.principal();
  if (absl::Status s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateMonitoringThreshold", req);
  if (!key.ok()) return key.status();
  const v1::MonitoringThreshold& in = req.threshold();
  FieldViolations v;
  const std::string region = Trimmed(in.region_code());
  if (!IsThresholdRegion(region)) {
    v.Add("threshold.region_code",
          "must be 6 digits naming a county, a prefecture (xxxx00), a province (xx0000) or "
          "000000");
  }
  CheckInteger(v, "threshold.year", in.year(), kThresholdYear);
  CheckFen(v, "threshold.amount_per_capita", in.has_amount_per_capita(), in.amount_per_capita(),
           kThresholdAmount);
  const std::string source =
      CheckText(v, "threshold.source_document", in.source_document(), kThresholdDocument);
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    if (LockThreshold(tx, region, in.year())) {
      return WithReason(
          absl::AlreadyExistsError(absl::StrCat("a monitoring threshold for region ", region,
                                                " and year ", in.year(), " already exists")),
          "ALREADY_EXISTS");
    }
    const absl::Time now = clock_->Now();
    v1::MonitoringThreshold t;
    t.set_id(NewId(now));
    t.set_region_code(region);
    t.set_year(in.year());
    t.mutable_amount_per_capita()->set_fen(in.amount_per_capita().fen());
    t.set_source_document(source);
    t.set_created_by(p.id);
    *t.mutable_create_time() = ToTimestamp(ToMicros(now));
    InsertThreshold(tx, t);
    // The region's households are re-evaluated by the review job (alert_reviews.cc).
    InsertReview(tx, {NewId(now), region, absl::StrCat("threshold ", t.id()), ""}, ToMicros(now));
    *out = std::move(t);
    return absl::OkStatus();
  });
}

absl::Status Income::ListMonitoringThresholds(const CallContext& call,
                                              const v1::ListMonitoringThresholdsRequest& req,
                                              v1::ListMonitoringThresholdsResponse* out) {
  if (absl::Status s = RequireRole(call.principal(), {Role::kPlatformAdmin, Role::kSocialWorker,
                                                      Role::kCooperativeAdmin, Role::kMember});
      !s.ok()) {
    return s;
  }
  FieldViolations v;
  const std::string& prefix = req.region_code_prefix();
  if (prefix.size() > static_cast<size_t>(kThresholdPrefix.max) || !AllDigits(prefix)) {
    v.Add("region_code_prefix", absl::StrCat("must be ", DescribeLimit(kThresholdPrefix)));
  }
  // year: any value filters (the contract states no bound; a year without lines lists none).
  if (!v.empty()) return v.ToStatus();
  const std::string filters = absl::StrCat("thresholds|", prefix, "|", req.year());
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  // The keyset: "<region_code>/<year>" of the last row returned.
  std::string after_region;
  int32_t after_year = 0;
  if (!page->after.empty()) {
    std::vector<std::string> parts = absl::StrSplit(page->after, '/');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &after_year)) {
      return InvalidField("page_token", "is not a token of this list");
    }
    after_region = parts[0];
  }
  return db_->Read([&](Tx& tx) -> absl::Status {
    std::vector<v1::MonitoringThreshold> rows =
        ListThresholds(tx, prefix, req.year(), after_region, after_year, page->size + 1);
    out->set_next_page_token(TrimToPage(rows, *page, filters, [](const v1::MonitoringThreshold& t) {
      return absl::StrCat(t.region_code(), "/", t.year());
    }));
    for (v1::MonitoringThreshold& t : rows) *out->add_thresholds() = std::move(t);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::income
