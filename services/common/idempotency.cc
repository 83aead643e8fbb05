#include "services/common/idempotency.h"

#include <cppconn/exception.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <memory>

#include "services/common/crypto.h"
#include "services/common/limits.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

constexpr size_t kMaxRequestIdLength = static_cast<size_t>(kRequestIdLimit.max);

constexpr const char* kInsertKey =
    "INSERT INTO idempotency_keys (principal_id, request_id, method, request_hash, create_time_us) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr const char* kStoreReply =
    "UPDATE idempotency_keys SET reply = ? "
    "WHERE principal_id = ? AND method = ? AND request_id = ?";
constexpr const char* kPurgeKeys =
    "DELETE FROM idempotency_keys WHERE create_time_us < ? ORDER BY create_time_us LIMIT ?";
constexpr const char* kSelectKey =
    "SELECT request_hash, reply FROM idempotency_keys "
    "WHERE principal_id = ? AND method = ? AND request_id = ?";

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

std::string RequestFingerprint(const google::protobuf::Message& message) {
  return Sha256Hex(DeterministicBytes(message));
}

absl::StatusOr<IdempotencyKey> MakeIdempotencyKey(const Principal& principal,
                                                  absl::string_view method,
                                                  const google::protobuf::Message& request) {
  const auto* field = request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return absl::InternalError("mutating request has no request_id field");
  }
  std::string request_id = request.GetReflection()->GetString(request, field);
  if (!IsValidRequestId(request_id)) {
    return InvalidField("request_id", "required: 1-64 characters of A-Z a-z 0-9 _ -");
  }
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  copy->GetReflection()->ClearField(copy.get(), field);
  return IdempotencyKey{principal.id, std::move(request_id), std::string(method),
                        RequestFingerprint(*copy)};
}

namespace {

// The stored reply of `key`, or nullopt when the key is not stored; REQUEST_ID_REUSED when it is
// stored for another request, ABORTED while the first call has not stored its reply yet.
absl::StatusOr<bool> ReadStoredReply(Tx& tx, const IdempotencyKey& key,
                                     google::protobuf::Message* reply) {
  auto rs = tx.Query(kSelectKey, key.principal_id, key.method, key.request_id);
  if (!rs->next()) return false;
  if (std::string(rs->getString("request_hash")) != key.request_hash) {
    return FailedPrecondition("REQUEST_ID_REUSED",
                              "request_id was already used for a different request");
  }
  auto stored = GetOptionalString(*rs, "reply");
  auto bytes = stored ? Base64UrlDecode(*stored) : absl::StatusOr<std::string>();
  if (!stored || !bytes.ok() || !reply->ParseFromString(*bytes)) {
    return absl::DataLossError("stored reply for request_id is unreadable");
  }
  return true;
}

}  // namespace

absl::StatusOr<bool> ReplayIfSeen(Database& db, const IdempotencyKey& key,
                                  google::protobuf::Message* reply) {
  absl::StatusOr<bool> seen = false;
  absl::Status status = db.Read([&](Tx& tx) -> absl::Status {
    seen = ReadStoredReply(tx, key, reply);
    return seen.status();
  });
  if (!status.ok()) return status;
  return seen;
}

void StoreReply(Tx& tx, const IdempotencyKey& key, const google::protobuf::Message& reply) {
  tx.Execute(kStoreReply, Base64UrlEncode(reply.SerializeAsString()), key.principal_id, key.method,
             key.request_id);
}

absl::Status RunIdempotent(Database& db, const Clock& clock, const IdempotencyKey& key,
                           google::protobuf::Message* reply,
                           const std::function<absl::Status(Tx&)>& body) {
  bool seen_before = false;
  absl::Status status = db.Transact([&](Tx& tx) -> absl::Status {
    seen_before = false;
    try {
      tx.Execute(kInsertKey, key.principal_id, key.request_id, key.method, key.request_hash,
                 absl::ToUnixMicros(clock.Now()));
    } catch (const sql::SQLException& e) {
      if (e.getErrorCode() != kMysqlErrDupEntry) throw;
      seen_before = true;
      return absl::CancelledError("replay");  // rolls back; the stored reply is read below
    }
    reply->Clear();
    absl::Status s = body(tx);
    if (!s.ok()) return s;
    tx.Execute(kStoreReply, Base64UrlEncode(reply->SerializeAsString()), key.principal_id,
               key.method, key.request_id);
    return absl::OkStatus();
  });
  if (!seen_before) return status;

  return db.Read([&](Tx& tx) -> absl::Status {
    absl::StatusOr<bool> found = ReadStoredReply(tx, key, reply);
    if (!found.ok()) return found.status();
    if (!*found) return absl::AbortedError("concurrent request with the same request_id");
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> PurgeIdempotencyKeys(Database& db, absl::Time cutoff, int limit) {
  int64_t deleted = 0;
  absl::Status status = db.Transact([&](Tx& tx) {
    deleted = tx.Execute(kPurgeKeys, absl::ToUnixMicros(cutoff), static_cast<int64_t>(limit));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

}  // namespace cooplink
