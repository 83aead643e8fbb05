#include "services/membership/social_worker_store.h"

#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "services/common/fields.h"
#include "services/membership/store_rows.h"

namespace cooplink::membership {
namespace {

constexpr int kAssignmentActive = v1::ASSIGNMENT_STATE_ACTIVE;
constexpr int kAssignmentEnded = v1::ASSIGNMENT_STATE_ENDED;

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

constexpr const char* kInsertAssignment =
    "INSERT INTO assignments (id, social_worker_id, village_code, cooperative_id, state, "
    "create_time_us, end_time_us) VALUES (?, ?, ?, ?, ?, ?, NULL)";
constexpr const char* kAssignmentColumns =
    "SELECT id, social_worker_id, village_code, cooperative_id, state, create_time_us, "
    "end_time_us FROM assignments ";
const std::string kSelectAssignment = absl::StrCat(kAssignmentColumns, "WHERE id = ?");
const std::string kSelectAssignmentForUpdate =
    absl::StrCat(kAssignmentColumns, "WHERE id = ? FOR UPDATE");
const std::string kListAssignments =
    absl::StrCat(kAssignmentColumns, "WHERE social_worker_id = ? AND id > ? ORDER BY id LIMIT ?");
// Locking reads on the scope's own index (social_worker_store.h).
constexpr const char* kCountActiveVillageAssignments =
    "SELECT COUNT(*) AS n FROM assignments FORCE INDEX (idx_assignments_village) "
    "WHERE village_code = ? AND social_worker_id = ? AND state = ? FOR UPDATE";
constexpr const char* kCountActiveCooperativeAssignments =
    "SELECT COUNT(*) AS n FROM assignments FORCE INDEX (idx_assignments_cooperative) "
    "WHERE cooperative_id = ? AND social_worker_id = ? AND state = ? FOR UPDATE";
constexpr const char* kEndAssignment =
    "UPDATE assignments SET state = ?, end_time_us = ? WHERE id = ?";

void WorkerFromRow(sql::ResultSet& rs, v1::SocialWorker* w) {
  w->set_id(rs.getString("id"));
  w->set_name(rs.getString("name"));
  w->set_organization(rs.getString("organization"));
  w->set_phone(StringOrEmpty(rs, "phone_masked"));
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

bool IsVillageAssignment(const v1::AssignSocialWorkerRequest& req) {
  return req.scope_case() == v1::AssignSocialWorkerRequest::kVillageCode;
}

}  // namespace

void InsertSocialWorker(Tx& tx, const std::string& id, const NewSocialWorker& worker,
                        const SealedPhone& phone, int64_t now_us) {
  tx.Execute(kInsertSocialWorker, id, worker.name, worker.organization, phone.enc, phone.hash,
             phone.masked, worker.county_code, now_us, now_us);
}

absl::Status LoadSocialWorker(Tx& tx, const std::string& id, v1::SocialWorker* out) {
  auto rs = tx.Query(kSelectSocialWorker, id);
  if (!rs->next()) return NotFound("social_worker", id);
  WorkerFromRow(*rs, out);
  return absl::OkStatus();
}

void LoadSocialWorkerPage(Tx& tx, const std::string& county_prefix, const PageRequest& page,
                          v1::ListSocialWorkersResponse* out) {
  auto rs =
      tx.Query(kListSocialWorkers, county_prefix, page.after, static_cast<int64_t>(page.size) + 1);
  FillPage(*rs, page, county_prefix, out->mutable_social_workers(), out->mutable_next_page_token(),
           WorkerFromRow);
}

bool SocialWorkerExists(Tx& tx, const std::string& id) {
  return tx.Query(kSocialWorkerExists, id)->next();
}

bool LockSocialWorker(Tx& tx, const std::string& id) {
  return tx.Query(kLockSocialWorker, id)->next();
}

void InsertAssignment(Tx& tx, const std::string& id, const v1::AssignSocialWorkerRequest& req,
                      int64_t now_us) {
  const bool village = IsVillageAssignment(req);
  tx.ExecuteParams(kInsertAssignment, {Param(id), Param(req.social_worker_id()),
                                       village ? Param(req.village_code()) : SqlParam(nullptr),
                                       village ? SqlParam(nullptr) : Param(req.cooperative_id()),
                                       Param(kAssignmentActive), Param(now_us)});
}

int64_t CountActiveAssignments(Tx& tx, const v1::AssignSocialWorkerRequest& req) {
  auto rs = IsVillageAssignment(req)
                ? tx.Query(kCountActiveVillageAssignments, req.village_code(),
                           req.social_worker_id(), kAssignmentActive)
                : tx.Query(kCountActiveCooperativeAssignments, req.cooperative_id(),
                           req.social_worker_id(), kAssignmentActive);
  return rs->next() ? rs->getInt64("n") : 0;
}

absl::Status LoadAssignment(Tx& tx, const std::string& id, bool for_update, v1::Assignment* out) {
  auto rs = tx.Query(for_update ? kSelectAssignmentForUpdate : kSelectAssignment, id);
  if (!rs->next()) return NotFound("assignment", id);
  AssignmentFromRow(*rs, out);
  return absl::OkStatus();
}

void EndAssignment(Tx& tx, const std::string& id, int64_t now_us) {
  tx.Execute(kEndAssignment, kAssignmentEnded, now_us, id);
}

void LoadAssignmentPage(Tx& tx, const std::string& social_worker_id, const PageRequest& page,
                        v1::ListAssignmentsResponse* out) {
  auto rs =
      tx.Query(kListAssignments, social_worker_id, page.after, static_cast<int64_t>(page.size) + 1);
  FillPage(*rs, page, social_worker_id, out->mutable_assignments(), out->mutable_next_page_token(),
           AssignmentFromRow);
}

}  // namespace cooplink::membership
