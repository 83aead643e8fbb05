// Social workers and their caseloads (assignments of villages and cooperatives).
//
// A worker's phone is personal data: it is stored only encrypted, as a keyed look-up hash and in
// masked form; replies always carry the masked form and errors never echo it.
#include <algorithm>

#include <cppconn/resultset.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/identity.h"
#include "services/membership/internal.h"
#include "services/membership/membership.h"

namespace cooplink::membership {
namespace {

constexpr const char* kPhoneContext = "social_worker.phone";
constexpr int kAssignmentActive = 1;
constexpr int kAssignmentEnded = 2;

constexpr const char* kInsertSocialWorker =
    "INSERT INTO social_workers (id, name, organization, phone_enc, phone_hash, phone_masked, "
    "county_code, version, create_time_us, update_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
constexpr const char* kWorkerColumns =
    "SELECT id, name, organization, phone_masked, county_code, version, create_time_us, "
    "update_time_us FROM social_workers ";
const std::string kSelectSocialWorker = absl::StrCat(kWorkerColumns, "WHERE id = ?");
const std::string kListSocialWorkers = absl::StrCat(
    kWorkerColumns, "WHERE county_code LIKE CONCAT(?, '%') AND id > ? ORDER BY id LIMIT ?");
constexpr const char* kLockSocialWorker = "SELECT id FROM social_workers WHERE id = ? FOR UPDATE";
constexpr const char* kSocialWorkerExists = "SELECT 1 FROM social_workers WHERE id = ?";
constexpr const char* kCooperativeExists = "SELECT 1 FROM cooperatives WHERE id = ?";

constexpr const char* kInsertAssignment =
    "INSERT INTO assignments (id, social_worker_id, village_code, cooperative_id, state, "
    "create_time_us, end_time_us) VALUES (?, ?, ?, ?, ?, ?, NULL)";
constexpr const char* kAssignmentColumns =
    "SELECT id, social_worker_id, village_code, cooperative_id, state, create_time_us, "
    "end_time_us FROM assignments ";
const std::string kSelectAssignment = absl::StrCat(kAssignmentColumns, "WHERE id = ?");
const std::string kSelectAssignmentForUpdate =
    absl::StrCat(kAssignmentColumns, "WHERE id = ? FOR UPDATE");
const std::string kListAssignments = absl::StrCat(
    kAssignmentColumns, "WHERE social_worker_id = ? AND id > ? ORDER BY id LIMIT ?");
constexpr const char* kActiveVillageAssignment =
    "SELECT 1 FROM assignments WHERE social_worker_id = ? AND village_code = ? AND state = 1 "
    "LIMIT 1 LOCK IN SHARE MODE";
constexpr const char* kActiveCooperativeAssignment =
    "SELECT 1 FROM assignments WHERE social_worker_id = ? AND cooperative_id = ? AND state = 1 "
    "LIMIT 1 LOCK IN SHARE MODE";
constexpr const char* kEndAssignment =
    "UPDATE assignments SET state = ?, end_time_us = ? WHERE id = ?";

void WorkerFromRow(sql::ResultSet& rs, v1::SocialWorker* w) {
  w->set_id(rs.getString("id"));
  w->set_name(rs.getString("name"));
  w->set_organization(rs.getString("organization"));
  w->set_phone(GetOptionalString(rs, "phone_masked").value_or(""));
  w->set_county_code(rs.getString("county_code"));
  w->set_etag(Etag(rs.getInt64("version")));
  *w->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  *w->mutable_update_time() = ToTimestamp(rs.getInt64("update_time_us"));
}

void AssignmentFromRow(sql::ResultSet& rs, v1::Assignment* a) {
  a->set_id(rs.getString("id"));
  a->set_social_worker_id(rs.getString("social_worker_id"));
  if (auto village = GetOptionalString(rs, "village_code"); village.has_value()) {
    a->set_village_code(*village);
  }
  if (auto coop = GetOptionalString(rs, "cooperative_id"); coop.has_value()) {
    a->set_cooperative_id(*coop);
  }
  a->set_state(static_cast<v1::AssignmentState>(rs.getInt("state")));
  *a->mutable_create_time() = ToTimestamp(rs.getInt64("create_time_us"));
  if (!rs.isNull("end_time_us")) {
    *a->mutable_end_time() = ToTimestamp(rs.getInt64("end_time_us"));
  }
}

absl::Status LoadWorker(Tx& tx, const std::string& id, v1::SocialWorker* out) {
  auto rs = tx.Query(kSelectSocialWorker, id);
  if (!rs->next()) return NotFound("social_worker", id);
  WorkerFromRow(*rs, out);
  return absl::OkStatus();
}

absl::Status LoadAssignment(Tx& tx, const std::string& sql, const std::string& id,
                            v1::Assignment* out) {
  auto rs = tx.Query(sql, id);
  if (!rs->next()) return NotFound("assignment", id);
  AssignmentFromRow(*rs, out);
  return absl::OkStatus();
}

absl::Status ReferencedMissing(const std::string& field) {
  return FailedPrecondition("REFERENCED_RESOURCE_NOT_FOUND",
                            absl::StrCat(field, " names no existing resource"));
}

// A social worker may read only its own record and caseload; anyone else's reads as missing.
absl::Status CheckWorkerReadable(const Principal& p, const std::string& worker_id) {
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  if (p.is(Role::kSocialWorker) && p.social_worker_id != worker_id) {
    return NotFound("social_worker", worker_id);
  }
  return absl::OkStatus();
}

bool IsDigitPrefix(const std::string& s, size_t max_len) {
  return s.size() <= max_len && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

}  // namespace

absl::Status Membership::CreateSocialWorker(const CallContext& call,
                                            const v1::CreateSocialWorkerRequest& req,
                                            v1::SocialWorker* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateSocialWorker", req);
  if (!key.ok()) return key.status();
  const v1::SocialWorker& in = req.social_worker();
  FieldViolations v;
  const std::string name = CheckText(v, "social_worker.name", in.name(), 50);
  const std::string organization =
      CheckText(v, "social_worker.organization", in.organization(), 100, /*required=*/false);
  std::string phone;  // normalised; empty when none was given
  if (!Trimmed(in.phone()).empty()) {
    auto normalized = NormalizeMobilePhone(std::string_view(in.phone()));
    if (normalized.ok()) {
      phone = *normalized;
    } else {
      v.Add("social_worker.phone", "must be an 11-digit mainland mobile number");
    }
  }
  const std::string county_code = Trimmed(in.county_code());
  if (!IsRegionCode(std::string_view(county_code))) {
    v.Add("social_worker.county_code", "must be a 6-digit GB/T 2260 region code");
  }
  if (!v.empty()) return v.ToStatus();

  // Sealed outside the transaction body: the body may run again after a deadlock.
  SqlParam phone_enc = nullptr, phone_hash = nullptr, phone_masked = nullptr;
  if (!phone.empty()) {
    phone_enc = cipher_.Encrypt(phone, kPhoneContext);
    phone_hash = cipher_.LookupHash(phone, kPhoneContext);
    phone_masked = MaskPhone(std::string_view(phone));
  }
  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    tx.ExecuteParams(kInsertSocialWorker,
                     {Param(id), Param(name), Param(organization), phone_enc, phone_hash,
                      phone_masked, Param(county_code), Param(ToMicros(now)),
                      Param(ToMicros(now))});
    return LoadWorker(tx, id, out);
  });
}

absl::Status Membership::GetSocialWorker(const CallContext& call, const v1::GetSocialWorkerRequest& req,
                                         v1::SocialWorker* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckWorkerReadable(p, req.id()); !s.ok()) return s;
  return db_->Read([&](Tx& tx) { return LoadWorker(tx, req.id(), out); });
}

absl::Status Membership::ListSocialWorkers(const CallContext& call,
                                           const v1::ListSocialWorkersRequest& req,
                                           v1::ListSocialWorkersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  const std::string& prefix = req.county_code_prefix();
  if (!IsDigitPrefix(prefix, 6)) {
    return InvalidField("county_code_prefix", "must be up to 6 digits");
  }
  auto page = ParsePage(req.page_size(), req.page_token(), prefix);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    auto rs = tx.Query(kListSocialWorkers, prefix, page->after, page->size + 1);
    FillPage(*rs, *page, prefix, out->mutable_social_workers(), out->mutable_next_page_token(),
             WorkerFromRow);
    return absl::OkStatus();
  });
}

absl::Status Membership::AssignSocialWorker(const CallContext& call,
                                            const v1::AssignSocialWorkerRequest& req,
                                            v1::Assignment* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "AssignSocialWorker", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "social_worker_id", req.social_worker_id());
  switch (req.scope_case()) {
    case v1::AssignSocialWorkerRequest::kVillageCode:
      if (!IsVillageCode(std::string_view(req.village_code()))) {
        v.Add("village_code", "must be a 12-digit village statistical division code");
      }
      break;
    case v1::AssignSocialWorkerRequest::kCooperativeId:
      CheckId(v, "cooperative_id", req.cooperative_id());
      break;
    case v1::AssignSocialWorkerRequest::SCOPE_NOT_SET:
      v.Add("scope", "exactly one of village_code or cooperative_id is required");
      break;
  }
  if (!v.empty()) return v.ToStatus();
  const bool village = req.scope_case() == v1::AssignSocialWorkerRequest::kVillageCode;

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    // Locking the worker's row serialises concurrent assignments of the same worker, so the
    // duplicate check below cannot race with another insert. That check is a locking read so it
    // sees rows committed after this transaction's snapshot was taken.
    if (!tx.Query(kLockSocialWorker, req.social_worker_id())->next()) {
      return ReferencedMissing("social_worker_id");
    }
    if (!village && !tx.Query(kCooperativeExists, req.cooperative_id())->next()) {
      return ReferencedMissing("cooperative_id");
    }
    const bool duplicate =
        village ? tx.Query(kActiveVillageAssignment, req.social_worker_id(), req.village_code())
                      ->next()
                : tx.Query(kActiveCooperativeAssignment, req.social_worker_id(),
                           req.cooperative_id())
                      ->next();
    if (duplicate) {
      return WithReason(
          absl::AlreadyExistsError(village
                                       ? "the worker already has an active assignment of the village"
                                       : "the worker already has an active assignment of the "
                                         "cooperative"),
          "ALREADY_EXISTS");
    }
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    tx.ExecuteParams(kInsertAssignment,
                     {Param(id), Param(req.social_worker_id()),
                      village ? Param(req.village_code()) : SqlParam(nullptr),
                      village ? SqlParam(nullptr) : Param(req.cooperative_id()),
                      Param(kAssignmentActive), Param(ToMicros(now))});
    return LoadAssignment(tx, kSelectAssignment, id, out);
  });
}

absl::Status Membership::UnassignSocialWorker(const CallContext& call,
                                              const v1::UnassignSocialWorkerRequest& req,
                                              v1::Assignment* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "UnassignSocialWorker", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "assignment_id", req.assignment_id());
  if (!v.empty()) return v.ToStatus();

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Assignment current;
    if (auto s = LoadAssignment(tx, kSelectAssignmentForUpdate, req.assignment_id(), &current);
        !s.ok()) {
      return s;
    }
    if (current.state() == v1::ASSIGNMENT_STATE_ENDED) {
      return FailedPrecondition("ASSIGNMENT_ENDED", "the assignment has already ended");
    }
    tx.Execute(kEndAssignment, kAssignmentEnded, ToMicros(clock_->Now()), req.assignment_id());
    return LoadAssignment(tx, kSelectAssignment, req.assignment_id(), out);
  });
}

absl::Status Membership::ListAssignments(const CallContext& call, const v1::ListAssignmentsRequest& req,
                                         v1::ListAssignmentsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  FieldViolations v;
  CheckId(v, "social_worker_id", req.social_worker_id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckWorkerReadable(p, req.social_worker_id()); !s.ok()) return s;
  const std::string& filters = req.social_worker_id();
  auto page = ParsePage(req.page_size(), req.page_token(), filters);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (!tx.Query(kSocialWorkerExists, req.social_worker_id())->next()) {
      return NotFound("social_worker", req.social_worker_id());
    }
    auto rs = tx.Query(kListAssignments, req.social_worker_id(), page->after, page->size + 1);
    FillPage(*rs, *page, filters, out->mutable_assignments(), out->mutable_next_page_token(),
             AssignmentFromRow);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::membership
