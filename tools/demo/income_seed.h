// The income part of the demo data (tools/run.sh): monitoring lines (the 2021 reference of
// ../shared/DOMAIN.md, labelled as derived, and the same figure carried into the current year,
// labelled as demo data), the support sources of 五社联动, a baseline and a year of entries for
// the producer household whose tea the 832 platform sold (its marketplace income arrives through
// the settlement importer: the seed waits for it), and a household below the line whose alert the
// demo social worker can acknowledge.
#ifndef COOPLINK_TOOLS_DEMO_INCOME_SEED_H_
#define COOPLINK_TOOLS_DEMO_INCOME_SEED_H_

#include <string>

namespace cooplink::demo {

struct IncomeDemo {
  std::string target;        // income's host:port
  std::string admin_token;   // platform admin
  std::string worker_token;  // the social worker assigned to the households' village
  std::string producer_household_id;
  std::string at_risk_household_id;
  bool expect_settlement = false;  // the demo order was settled: wait for its income
};

// Seeds income and prints DEMO_* lines (KEY=value) to stdout; exits the process on failure.
void SeedIncome(const IncomeDemo& demo);

}  // namespace cooplink::demo

#endif  // COOPLINK_TOOLS_DEMO_INCOME_SEED_H_
