// A membership server started in-process for a test suite (port 0, its own database, a fake clock
// starting 2026-03-01 09:00 CST), a stub talking to it over real gRPC, and helpers that create
// principals of every role through the API itself.
#ifndef COOPLINK_TESTS_SUPPORT_MEMBERSHIP_FIXTURE_H_
#define COOPLINK_TESTS_SUPPORT_MEMBERSHIP_FIXTURE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/common/clock.h"
#include "services/membership/membership_server.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {

namespace mv1 = ::cooplink::membership::v1;

class MembershipFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SetUpTestSuiteWith([](membership::MembershipConfig&) {});
  }
  // SetUpTestSuite with the server's configuration adjusted first (a suite's own SetUpTestSuite).
  static void SetUpTestSuiteWith(const std::function<void(membership::MembershipConfig&)>& adjust);
  static void TearDownTestSuite();

  // Test-suite-wide state.
  static membership::MembershipConfig* config_;
  static FakeClock* clock_;
  static std::unique_ptr<membership::MembershipServer>* server_;
  static std::unique_ptr<mv1::MembershipService::Stub>* stub_;
  static std::string* admin_token_;
  static std::unique_ptr<Database>* db_;  // direct access for row counts

  mv1::MembershipService::Stub& stub() { return **stub_; }
  const std::string& admin() { return *admin_token_; }
  Database& db() { return **db_; }

  // Each helper goes through the API as the platform admin and asserts success.
  mv1::Cooperative CreateCooperative(const std::string& name = "勐海县茶农专业合作社");
  mv1::Household CreateHousehold(const std::string& village_code = "530828100201");
  // A member of `cooperative_id` in `household_id` (farmer unless is_farmer=false).
  mv1::Member CreateMember(const std::string& cooperative_id, const std::string& household_id,
                           bool is_farmer = true);
  mv1::SocialWorker CreateSocialWorker();
  mv1::Partner CreatePartner();
  mv1::Assignment AssignCooperative(const std::string& worker_id,
                                    const std::string& cooperative_id);
  mv1::Assignment AssignVillage(const std::string& worker_id, const std::string& village_code);
  // Creates a principal with the role and scope and a bearer token for it.
  struct Caller {
    std::string id;     // principal id
    std::string token;  // bearer token
  };
  Caller CallerFor(const mv1::Principal& principal);
  std::string TokenFor(const mv1::Principal& principal) { return CallerFor(principal).token; }
  std::string CoopAdminToken(const std::string& cooperative_id);
  std::string WorkerToken(const std::string& social_worker_id);
  std::string MemberToken(const mv1::Member& member);
  std::string PartnerToken(const std::string& partner_id);
};

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_MEMBERSHIP_FIXTURE_H_
