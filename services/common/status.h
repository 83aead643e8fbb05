// One error path for every service: domain and storage code return absl::Status with a canonical
// code; rich details (google.rpc.BadRequest field violations, google.rpc.ErrorInfo with a
// machine-readable reason) ride along as payloads and are converted once, by ToGrpcStatus().
#ifndef COOPLINK_SERVICES_COMMON_STATUS_H_
#define COOPLINK_SERVICES_COMMON_STATUS_H_

#include <map>
#include <string>
#include <utility>
#include <vector>
#include "absl/strings/string_view.h"

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace cooplink {

// The ErrorInfo domain every cooplink service reports.
inline constexpr absl::string_view kErrorDomain = "cooplink";

// Collects field violations while a request is validated; ToStatus() yields INVALID_ARGUMENT
// with a google.rpc.BadRequest payload, or OK when nothing was added.
class FieldViolations {
 public:
  void Add(std::string field, std::string description) {
    violations_.emplace_back(std::move(field), std::move(description));
  }
  bool empty() const { return violations_.empty(); }
  absl::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

// INVALID_ARGUMENT naming one field.
absl::Status InvalidField(std::string field, std::string description);

// Attaches a google.rpc.ErrorInfo{reason, domain=kErrorDomain, metadata} payload to `status`.
// Metadata keys follow google.rpc.ErrorInfo: [a-z][a-zA-Z0-9-_]+, at most 64 characters; the
// values are what a program acts on (a number, a time), documented with the reason in the proto.
absl::Status WithReason(absl::Status status, absl::string_view reason,
                        const std::map<std::string, std::string>& metadata = {});

// Convenience constructors for the common cases, each with an ErrorInfo reason.
absl::Status NotFound(absl::string_view what, absl::string_view id);
absl::Status PermissionDenied(absl::string_view reason, absl::string_view message);
absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message,
                                const std::map<std::string, std::string>& metadata = {});

// The reason attached by WithReason, or "" when there is none (used by tests and the access log).
std::string ReasonOf(const absl::Status& status);
// The ErrorInfo metadata attached by WithReason (empty when there is none).
std::map<std::string, std::string> ReasonMetadataOf(const absl::Status& status);

// The single absl::Status -> grpc::Status conversion. Payloads that are google.rpc messages travel
// as google.rpc.Status details (the grpc-status-details-bin trailer).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse, for clients of another cooplink service: keeps the code, message and details.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_STATUS_H_
