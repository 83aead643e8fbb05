// Storage of members and their capital contributions: the SQL statements (named constants in
// member_store.cc), row mapping and small functions that run in the caller's transaction.
// Personal data arrives here already sealed (pii_columns.h); rows are read in the masked view,
// with the ciphertexts handed aside for the sensitive view.
//
// Locking: a change to the set of ACTIVE members of a cooperative, or to whether one is a farmer,
// first locks the cooperative row (cooperative_store.h LockCooperative), then the member row,
// writes, and only then counts with LoadComposition. LoadComposition is a locking read (FOR UPDATE:
// on TiDB, and on every server, the one read that sees the latest committed rows rather than the
// transaction's snapshot), so under the cooperative's lock it counts exactly. It is forced onto
// idx_members_cooperative: on a small table the optimizer may otherwise scan the whole table and
// lock other cooperatives' members, which deadlocks concurrent changes of different cooperatives.
// Writing before the locking read means the read's gap locks are taken last, when the transaction
// has nothing left to wait for (the same discipline as social_worker_store.h).
#ifndef COOPLINK_SERVICES_MEMBERSHIP_MEMBER_STORE_H_
#define COOPLINK_SERVICES_MEMBERSHIP_MEMBER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "cooplink/membership/v1/membership.pb.h"
#include "services/common/db.h"
#include "services/common/paging.h"
#include "services/membership/member_rules.h"
#include "services/membership/pii_columns.h"

namespace cooplink::membership {

namespace v1 = ::cooplink::membership::v1;

// A member row to insert: ACTIVE, with no contribution yet.
struct NewMemberRow {
  std::string id;
  std::string cooperative_id;
  std::string household_id;  // "" for an organization
  std::string name;
  SealedResidentId resident_id;
  SealedPhone phone;
  bool is_farmer = false;
  v1::MemberKind kind = v1::MEMBER_KIND_NATURAL_PERSON;
  std::optional<std::string> birth_date;  // SQL date, natural persons
  std::string join_date;                  // SQL date
};
void InsertMember(Tx& tx, const NewMemberRow& row, int64_t now_us);

// The ciphertexts of a member row, for the sensitive view.
struct SealedMemberPii {
  std::string resident_id_enc;  // "" for an organization
  std::optional<std::string> phone_enc;
};
// NOT_FOUND("member", id) when there is none. With `for_update` the row stays locked.
absl::Status LoadMember(Tx& tx, const std::string& id, bool for_update, v1::Member* out,
                        SealedMemberPii* sealed = nullptr);
// The cooperative and household of a member; false when there is no such member.
bool LoadMemberPlacement(Tx& tx, const std::string& id, std::string* cooperative_id,
                         std::string* household_id);
// ListMembers: the cooperative's members, optionally of one household and in one state.
void LoadMemberPage(Tx& tx, const v1::ListMembersRequest& req, const PageRequest& page,
                    const std::string& filters, v1::ListMembersResponse* out);

// Changes of a locked member row; each bumps its version except UpdateMemberPhone, which
// always runs together with UpdateMemberFields.
void UpdateMemberFields(Tx& tx, const std::string& id, const std::string& name, bool is_farmer,
                        int64_t now_us);
void UpdateMemberPhone(Tx& tx, const std::string& id, const SealedPhone& phone);
void UpdateContributionTotal(Tx& tx, const std::string& id, int64_t total_fen, int64_t now_us);
void MarkExitRequested(Tx& tx, const std::string& id, int64_t notice_time_us,
                       const std::string& effective_date_sql, const std::string& reason);
// EXITED, with the refund; frees the person to join the cooperative again.
void MarkExited(Tx& tx, const std::string& id, int64_t refund_fen, int64_t now_us);

// The cooperative's ACTIVE members counted by a locking read (see the file comment).
Composition LoadComposition(Tx& tx, const std::string& cooperative_id);

void InsertContribution(Tx& tx, const std::string& id, const v1::Member& member, int64_t amount_fen,
                        const std::string& date_sql, const std::string& note,
                        const std::string& recorded_by, int64_t now_us);
absl::Status LoadContribution(Tx& tx, const std::string& id, v1::CapitalContribution* out);
void LoadContributionPage(Tx& tx, const std::string& member_id, const PageRequest& page,
                          v1::ListCapitalContributionsResponse* out);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_MEMBER_STORE_H_
