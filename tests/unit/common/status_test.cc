// The single absl::Status -> grpc::Status conversion and its google.rpc details.
#include "services/common/status.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cooplink {
namespace {

google::rpc::Status Details(const grpc::Status& s) {
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(s.error_details()));
  return rpc;
}

TEST(StatusTest, OkConvertsToOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(StatusTest, FieldViolationsBecomeBadRequestDetails) {
  FieldViolations v;
  v.Add("member.resident_id", "check character mismatch");
  v.Add("member.phone", "must be an 11-digit mobile number");
  grpc::Status s = ToGrpcStatus(v.ToStatus());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status rpc = Details(s);
  EXPECT_EQ(rpc.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  google::rpc::BadRequest bad;
  bool found = false;
  for (const auto& any : rpc.details()) found = found || any.UnpackTo(&bad);
  ASSERT_TRUE(found);
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "member.resident_id");
  EXPECT_EQ(bad.field_violations(1).field(), "member.phone");
}

TEST(StatusTest, EmptyViolationsAreOk) { EXPECT_TRUE(FieldViolations().ToStatus().ok()); }

TEST(StatusTest, ReasonTravelsAsErrorInfo) {
  grpc::Status s = ToGrpcStatus(FailedPrecondition("EXIT_NOTICE_TOO_LATE", "too late"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "too late");
  google::rpc::ErrorInfo info;
  bool found = false;
  const google::rpc::Status rpc = Details(s);
  for (const auto& any : rpc.details()) found = found || any.UnpackTo(&info);
  ASSERT_TRUE(found);
  EXPECT_EQ(info.reason(), "EXIT_NOTICE_TOO_LATE");
  EXPECT_EQ(info.domain(), kErrorDomain);
}

TEST(StatusTest, EveryCanonicalCodeMapsToTheSameGrpcCode) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status in(static_cast<absl::StatusCode>(code), "x");
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(in).error_code()), code);
  }
}

TEST(StatusTest, RoundTripKeepsCodeMessageAndDetails) {
  absl::Status original = NotFound("member", "01ABC");
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  EXPECT_EQ(back.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(back.message(), original.message());
  EXPECT_EQ(ReasonOf(back), "NOT_FOUND");
}

}  // namespace
}  // namespace cooplink
