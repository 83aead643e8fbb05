// ServiceClient against membership's generated gMock stub: the outgoing deadline (the caller's,
// less the margin, capped by config), the token and trace id it sends, the callee's status and
// details kept, and what it retries. A FakeClock measures the deadlines, so they are exact.
#include "services/common/service_client.h"

#include <gmock/gmock.h>
#include <grpcpp/test/client_context_test_peer.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "cooplink/membership/v1/membership_mock.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/server.h"

namespace cooplink {
namespace {

namespace mv1 = ::cooplink::membership::v1;
using Stub = mv1::MembershipService::StubInterface;
using ::testing::_;
using ::testing::DoAll;
using ::testing::Invoke;
using ::testing::Pair;
using ::testing::Return;
using ::testing::SetArgPointee;
using ::testing::UnorderedElementsAre;

class ServiceClientTest : public ::testing::Test {
 protected:
  ServiceClientTest()
      : stub_(std::make_shared<mv1::MockMembershipServiceStub>()),
        client_(stub_, "catalog-token", Options(), &clock_) {}

  static ServiceClientOptions Options() {
    ServiceClientOptions options;
    options.callee = "membership";
    options.deadline_cap = absl::Seconds(2);
    options.margin = absl::Milliseconds(50);
    options.retry.max_attempts = 3;
    options.retry.initial_backoff = absl::Microseconds(100);
    options.retry.max_backoff = absl::Microseconds(400);
    return options;
  }
  CallContext CallUntil(absl::Time deadline, std::string trace_id = {}) const {
    return CallContext(Principal{}, deadline, nullptr, std::move(trace_id));
  }
  // Records the deadline of every call and answers `status`.
  auto Answer(grpc::Status status) {
    return [this, status](grpc::ClientContext* ctx, const auto&, auto*) {
      deadlines_.push_back(absl::FromChrono(ctx->deadline()));
      return status;
    };
  }
  absl::StatusOr<mv1::Partner> GetPartner(const CallContext& call) {
    mv1::GetPartnerRequest req;
    req.set_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
    return client_.Read(call, &Stub::GetPartner, req);
  }
  absl::StatusOr<mv1::Assignment> Assign(const CallContext& call, std::string request_id) {
    mv1::AssignSocialWorkerRequest req;
    req.set_request_id(std::move(request_id));
    return client_.Write(call, &Stub::AssignSocialWorker, req);
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), absl::FixedTimeZone(8 * 3600))};
  std::shared_ptr<mv1::MockMembershipServiceStub> stub_;
  ServiceClient<Stub> client_;
  std::vector<absl::Time> deadlines_;
};

TEST_F(ServiceClientTest, DeadlineIsTheCallersLessTheMargin) {
  EXPECT_CALL(*stub_, GetPartner(_, _, _)).WillOnce(Invoke(Answer(grpc::Status::OK)));
  ASSERT_TRUE(GetPartner(CallUntil(clock_.Now() + absl::Milliseconds(800))).ok());
  EXPECT_EQ(deadlines_, std::vector<absl::Time>{clock_.Now() + absl::Milliseconds(750)});
}

TEST_F(ServiceClientTest, DeadlineIsCappedByConfig) {
  EXPECT_CALL(*stub_, GetPartner(_, _, _))
      .Times(2)
      .WillRepeatedly(Invoke(Answer(grpc::Status::OK)));
  ASSERT_TRUE(GetPartner(CallUntil(clock_.Now() + absl::Minutes(1))).ok());
  ASSERT_TRUE(GetPartner(CallContext::Internal(Principal{})).ok());  // background: no deadline
  EXPECT_EQ(deadlines_, std::vector<absl::Time>(2, clock_.Now() + absl::Seconds(2)));
}

TEST_F(ServiceClientTest, CallerWithoutTimeLeftFailsWithoutACall) {
  EXPECT_CALL(*stub_, GetPartner(_, _, _)).Times(0);
  EXPECT_EQ(GetPartner(CallUntil(clock_.Now() - absl::Seconds(1))).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  // Less than the margin left is no time either.
  EXPECT_EQ(GetPartner(CallUntil(clock_.Now() + absl::Milliseconds(50))).status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST_F(ServiceClientTest, CancelledCallerFailsWithoutACall) {
  EXPECT_CALL(*stub_, GetPartner(_, _, _)).Times(0);
  const CallContext gone(Principal{}, absl::InfiniteFuture(), [] { return true; });
  EXPECT_EQ(GetPartner(gone).status().code(), absl::StatusCode::kCancelled);
}

TEST_F(ServiceClientTest, SendsTheServiceTokenAndTheTraceId) {
  std::multimap<std::string, std::string> sent;
  EXPECT_CALL(*stub_, GetPartner(_, _, _))
      .WillOnce([&](grpc::ClientContext* ctx, const auto&, auto*) {
        sent = grpc::testing::ClientContextTestPeer(ctx).GetSendInitialMetadata();
        return grpc::Status::OK;
      });
  ASSERT_TRUE(GetPartner(CallUntil(absl::InfiniteFuture(), "trace-0042")).ok());
  EXPECT_THAT(sent, UnorderedElementsAre(Pair("authorization", "Bearer catalog-token"),
                                         Pair("x-cooplink-trace-id", "trace-0042")));
}

TEST_F(ServiceClientTest, RepliesComeBack) {
  mv1::Partner partner;
  partner.set_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_CALL(*stub_, GetPartner(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(partner), Return(grpc::Status::OK)));
  auto got = GetPartner(CallContext::Internal(Principal{}));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id(), partner.id());
}

TEST_F(ServiceClientTest, CalleesCodeReasonAndFieldViolationsComeBackIntact) {
  FieldViolations violations;
  violations.Add("social_worker_id", "must be a ULID");
  EXPECT_CALL(*stub_, AssignSocialWorker(_, _, _))
      .WillOnce(Return(ToGrpcStatus(violations.ToStatus())))
      .WillOnce(Return(ToGrpcStatus(FailedPrecondition("COOPERATIVE_DISSOLVED", "dissolved"))));

  absl::Status invalid = Assign(CallContext::Internal(Principal{}), "r1").status();
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(invalid), "INVALID_ARGUMENT");
  auto payload = invalid.GetPayload("type.googleapis.com/google.rpc.BadRequest");
  ASSERT_TRUE(payload.has_value());
  google::rpc::BadRequest bad;
  ASSERT_TRUE(bad.ParseFromString(std::string(*payload)));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "social_worker_id");
  EXPECT_EQ(bad.field_violations(0).description(), "must be a ULID");

  absl::Status refused = Assign(CallContext::Internal(Principal{}), "r2").status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(), "dissolved");
  EXPECT_EQ(ReasonOf(refused), "COOPERATIVE_DISSOLVED");
}

TEST_F(ServiceClientTest, UnavailableReadIsRetriedWithinOneDeadline) {
  const grpc::Status down(grpc::StatusCode::UNAVAILABLE, "connection refused");
  EXPECT_CALL(*stub_, GetPartner(_, _, _))
      .WillOnce(Invoke(Answer(down)))
      .WillOnce(Invoke(Answer(down)))
      .WillOnce(Invoke(Answer(grpc::Status::OK)));
  EXPECT_TRUE(GetPartner(CallContext::Internal(Principal{})).ok());
  EXPECT_EQ(deadlines_, std::vector<absl::Time>(3, clock_.Now() + absl::Seconds(2)));
}

TEST_F(ServiceClientTest, RetriesStopAfterMaxAttempts) {
  EXPECT_CALL(*stub_, GetPartner(_, _, _))
      .Times(3)
      .WillRepeatedly(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  absl::Status s = GetPartner(CallContext::Internal(Principal{})).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "down");
}

TEST_F(ServiceClientTest, NoRetryWhenTheBackoffWouldOutlastTheDeadline) {
  ServiceClientOptions options = Options();
  options.retry.initial_backoff = absl::Seconds(1);
  options.retry.max_backoff = absl::Seconds(1);
  ServiceClient<Stub> client(stub_, "catalog-token", options, &clock_);
  EXPECT_CALL(*stub_, GetPartner(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  mv1::GetPartnerRequest req;
  EXPECT_EQ(client.Read(CallUntil(clock_.Now() + absl::Milliseconds(300)), &Stub::GetPartner, req)
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(ServiceClientTest, UnavailableWriteIsRetriedOnlyWithARequestId) {
  const grpc::Status down(grpc::StatusCode::UNAVAILABLE, "down");
  EXPECT_CALL(*stub_, AssignSocialWorker(_, _, _))
      .WillOnce(Return(down))
      .WillOnce(Return(grpc::Status::OK))  // with a request_id: a second attempt
      .WillOnce(Return(down));             // without: sent once
  EXPECT_TRUE(Assign(CallContext::Internal(Principal{}), "req-1").ok());
  EXPECT_EQ(Assign(CallContext::Internal(Principal{}), "").status().code(),
            absl::StatusCode::kUnavailable);
}

// A write the callee dedupes by another key (catalog's CreateReservation by reservation_id) is
// retried like a read when the caller says so, request_id or not.
TEST_F(ServiceClientTest, IdempotentWriteIsRetriedWithoutARequestId) {
  const grpc::Status down(grpc::StatusCode::UNAVAILABLE, "down");
  const mv1::AssignSocialWorkerRequest req;  // without a request_id
  EXPECT_CALL(*stub_, AssignSocialWorker(_, _, _))
      .WillOnce(Return(down))
      .WillOnce(Return(grpc::Status::OK))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::NOT_FOUND, "no")));  // not retried
  EXPECT_TRUE(
      client_.IdempotentWrite(CallContext::Internal(Principal{}), &Stub::AssignSocialWorker, req)
          .ok());
  EXPECT_EQ(
      client_.IdempotentWrite(CallContext::Internal(Principal{}), &Stub::AssignSocialWorker, req)
          .status()
          .code(),
      absl::StatusCode::kNotFound);
}

TEST_F(ServiceClientTest, OtherCodesAreNotRetried) {
  for (grpc::StatusCode code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::NOT_FOUND, grpc::StatusCode::ABORTED, grpc::StatusCode::INTERNAL}) {
    EXPECT_CALL(*stub_, GetPartner(_, _, _)).WillOnce(Return(grpc::Status(code, "no")));
    EXPECT_CALL(*stub_, AssignSocialWorker(_, _, _)).WillOnce(Return(grpc::Status(code, "no")));
    EXPECT_EQ(GetPartner(CallContext::Internal(Principal{})).status().code(),
              static_cast<absl::StatusCode>(code));
    EXPECT_EQ(Assign(CallContext::Internal(Principal{}), "req-1").status().code(),
              static_cast<absl::StatusCode>(code));
    ::testing::Mock::VerifyAndClearExpectations(stub_.get());
  }
}

TEST(ClientTlsTest, DialsWithTlsWhenServingTlsOrGivenACaFile) {
  ServerOptions plain;
  EXPECT_FALSE(ClientTlsFor(plain, "").enabled);
  EXPECT_TRUE(ClientTlsFor(plain, "/etc/cooplink/ca.pem").enabled);
  ServerOptions tls;
  tls.tls_cert_file = "/etc/cooplink/cert.pem";
  tls.tls_key_file = "/etc/cooplink/key.pem";
  EXPECT_TRUE(ClientTlsFor(tls, "").enabled);
}

// A self-signed P-256 certificate for localhost and 127.0.0.1, written as PEM files next to the
// test.
struct SelfSigned {
  std::string cert_file = absl::StrCat(::testing::TempDir(), "/service_client_test_cert.pem");
  std::string key_file = absl::StrCat(::testing::TempDir(), "/service_client_test_key.pem");

  SelfSigned() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    FILE* out = std::fopen(cert_file.c_str(), "w");
    PEM_write_X509(out, cert);
    std::fclose(out);
    out = std::fopen(key_file.c_str(), "w");
    PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~SelfSigned() {
    std::remove(cert_file.c_str());
    std::remove(key_file.c_str());
  }
};

grpc::StatusCode HealthCheck(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  return grpc::health::v1::Health::NewStub(channel)->Check(&ctx, req, &resp).error_code();
}

TEST(ClientTlsTest, TlsChannelVerifiesTheServerWithTheCaFile) {
  const SelfSigned pem;
  ServerOptions serving;
  serving.tls_cert_file = pem.cert_file;
  serving.tls_key_file = pem.key_file;
  serving.drain_timeout = absl::ZeroDuration();
  auto host = ServiceHost::Start(serving, {}, {});
  ASSERT_TRUE(host.ok()) << host.status();
  const std::string target = absl::StrCat("127.0.0.1:", (*host)->port());

  auto tls = MakeChannel(target, ClientTlsFor(serving, pem.cert_file));
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_EQ(HealthCheck(*tls), grpc::StatusCode::OK);
  // A plaintext client is refused by the TLS server.
  EXPECT_EQ(HealthCheck(*MakeChannel(target, ClientTls{})), grpc::StatusCode::UNAVAILABLE);
}

TEST(ClientTlsTest, UnreadableCaFileIsAnError) {
  EXPECT_FALSE(
      MakeChannel("127.0.0.1:1", {.enabled = true, .ca_file = "/nonexistent/ca.pem"}).ok());
  EXPECT_TRUE(MakeChannel("127.0.0.1:1", {}).ok());
}

}  // namespace
}  // namespace cooplink
