// Membership, catalog, orders and income servers started in-process for a test suite (port 0,
// their own databases, one fake clock), stubs over real gRPC, and helpers that build the income
// world through the APIs: households in villages, social workers assigned to them, tokens.
// The settlement importer runs (it follows orders' WatchOrderEvents like in production) unless a
// suite turns it off with SetUpIncomeSuiteWith.
#ifndef COOPLINK_TESTS_SUPPORT_INCOME_FIXTURE_H_
#define COOPLINK_TESTS_SUPPORT_INCOME_FIXTURE_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "cooplink/income/v1/income.grpc.pb.h"
#include "services/income/income_server.h"
#include "tests/support/orders_fixture.h"

namespace cooplink::testing {

namespace iv1 = ::cooplink::income::v1;

// A social worker assigned to one village, with its token.
struct WorkerWorld {
  mv1::SocialWorker worker;
  std::string village_code;
  std::string token;
};

class IncomeFixture : public OrdersFixture {
 protected:
  static void SetUpTestSuite() {
    SetUpIncomeSuiteWith([](income::IncomeConfig&) {});
  }
  // SetUpTestSuite with income's configuration adjusted first (a suite's own SetUpTestSuite).
  static void SetUpIncomeSuiteWith(const std::function<void(income::IncomeConfig&)>& adjust);
  static void TearDownTestSuite();

  static std::unique_ptr<income::IncomeServer>* income_server_;
  static std::unique_ptr<iv1::IncomeService::Stub>* income_stub_;

  iv1::IncomeService::Stub& income() { return **income_stub_; }
  income::Income& income_domain() { return (*income_server_)->income(); }
  Database& income_db() { return (*income_server_)->database(); }

  // A fresh 12-digit village code in `county` (unique per call, so tests do not share villages).
  std::string NewVillage(const std::string& county = "530828");
  // A household in `village_code` with `resident_size` residents, created by the platform admin.
  mv1::Household NewHousehold(const std::string& village_code, int resident_size = 4);
  // A social worker assigned to `village_code`, and its token.
  WorkerWorld NewWorker(const std::string& village_code);

  // RecordIncomeEntry of a MANUAL entry as `token`; asserts success.
  iv1::IncomeEntry RecordManual(const std::string& token, const std::string& household_id,
                                iv1::IncomeKind kind, int64_t fen, absl::CivilDay day);

  // --- Surplus distributions and reports (helper SURPLUS) ---
  // One ledger row written straight into income's database (tests of readers that must not
  // depend on the ledger RPCs): any kind and source, an optional cooperative and support source.
  // Returns the entry's id.
  std::string InsertEntryRow(const std::string& household_id, iv1::IncomeKind kind,
                             iv1::IncomeSource source, int64_t fen, absl::CivilDay day,
                             const std::string& cooperative_id = "",
                             const std::string& support_source_id = "");
  // CreateMonitoringThreshold of `region` for `year` by the platform admin; expects success.
  iv1::MonitoringThreshold CreateLine(const std::string& region, int year, int64_t fen);
  // A member of `cooperative_id` who joined on `join` (a new household in `village_code` unless
  // `household_id` is given), created by the platform admin; and a member token for it.
  std::pair<mv1::Member, std::string> NewMemberJoined(const std::string& cooperative_id,
                                                      const std::string& village_code,
                                                      absl::CivilDay join,
                                                      const std::string& household_id = "");
  // RecordCapitalContribution by the platform admin; asserts success.
  void RecordContribution(const std::string& member_id, int64_t fen, absl::CivilDay day);
};

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_INCOME_FIXTURE_H_
