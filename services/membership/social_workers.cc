// Social workers and their caseloads (assignments of villages and cooperatives). The rules are in
// social_worker_rules.h, the SQL in social_worker_store.h.
//
// A worker's phone is personal data: it is stored only sealed (pii_columns.h); replies always
// carry the masked form and errors never echo it.
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"
#include "services/membership/cooperative_store.h"
#include "services/membership/membership.h"
#include "services/membership/membership_status.h"
#include "services/membership/social_worker_rules.h"
#include "services/membership/social_worker_store.h"

namespace cooplink::membership {

absl::Status Membership::CreateSocialWorker(const CallContext& call,
                                            const v1::CreateSocialWorkerRequest& req,
                                            v1::SocialWorker* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  auto key = MakeIdempotencyKey(p, "CreateSocialWorker", req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  const NewSocialWorker worker = ValidateNewSocialWorker(v, req.social_worker());
  if (!v.empty()) return v.ToStatus();
  // Sealed outside the transaction body: the body may run again after a deadlock.
  const SealedPhone phone = SealPhone(cipher_, kSocialWorkerPhoneContext, worker.phone);

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    InsertSocialWorker(tx, id, worker, phone, ToMicros(now));
    return LoadSocialWorker(tx, id, out);
  });
}

absl::Status Membership::GetSocialWorker(const CallContext& call,
                                         const v1::GetSocialWorkerRequest& req,
                                         v1::SocialWorker* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  FieldViolations v;
  CheckId(v, "id", req.id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckWorkerReadable(p, req.id()); !s.ok()) return s;
  return db_->Read([&](Tx& tx) { return LoadSocialWorker(tx, req.id(), out); });
}

absl::Status Membership::ListSocialWorkers(const CallContext& call,
                                           const v1::ListSocialWorkersRequest& req,
                                           v1::ListSocialWorkersResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin}); !s.ok()) return s;
  const std::string& prefix = req.county_code_prefix();
  if (auto s = CheckCountyCodePrefix(prefix); !s.ok()) return s;
  auto page = ParsePage(req.page_size(), req.page_token(), prefix);
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    LoadSocialWorkerPage(tx, prefix, *page, out);
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
  ValidateAssignment(v, req);
  if (!v.empty()) return v.ToStatus();
  const bool village = req.scope_case() == v1::AssignSocialWorkerRequest::kVillageCode;

  return RunIdempotent(*db_, *clock_, *key, out, [&](Tx& tx) -> absl::Status {
    // The worker's row lock serialises assignments of the worker; the insert comes before the
    // duplicate check, a locking read (lock order: social_worker_store.h).
    if (!LockSocialWorker(tx, req.social_worker_id())) {
      return ReferencedMissing("social_worker_id");
    }
    if (!village && !CooperativeExists(tx, req.cooperative_id())) {
      return ReferencedMissing("cooperative_id");
    }
    const absl::Time now = clock_->Now();
    const std::string id = NewId(now);
    InsertAssignment(tx, id, req, ToMicros(now));
    if (CountActiveAssignments(tx, req) > 1) {  // rolled back with the status
      return WithReason(absl::AlreadyExistsError(
                            village ? "the worker already has an active assignment of the village"
                                    : "the worker already has an active assignment of the "
                                      "cooperative"),
                        "ALREADY_EXISTS");
    }
    return LoadAssignment(tx, id, /*for_update=*/false, out);
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
    if (auto s = LoadAssignment(tx, req.assignment_id(), /*for_update=*/true, &current); !s.ok()) {
      return s;
    }
    if (auto s = CheckAssignmentActive(current); !s.ok()) return s;
    EndAssignment(tx, req.assignment_id(), ToMicros(clock_->Now()));
    return LoadAssignment(tx, req.assignment_id(), /*for_update=*/false, out);
  });
}

absl::Status Membership::ListAssignments(const CallContext& call,
                                         const v1::ListAssignmentsRequest& req,
                                         v1::ListAssignmentsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireRole(p, {Role::kPlatformAdmin, Role::kSocialWorker}); !s.ok()) return s;
  FieldViolations v;
  CheckId(v, "social_worker_id", req.social_worker_id());
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckWorkerReadable(p, req.social_worker_id()); !s.ok()) return s;
  auto page = ParsePage(req.page_size(), req.page_token(), req.social_worker_id());
  if (!page.ok()) return page.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (!SocialWorkerExists(tx, req.social_worker_id())) {
      return NotFound("social_worker", req.social_worker_id());
    }
    LoadAssignmentPage(tx, req.social_worker_id(), *page, out);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::membership
