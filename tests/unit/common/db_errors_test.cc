// Server error codes and messages -> statuses, on every target (db_errors.h), and the migration
// lock's name (migrations.h). No database.
#include "services/common/db_errors.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/migrations.h"
#include "services/common/status.h"

namespace cooplink {
namespace {

TEST(DbErrorsTest, ConflictsOfEveryServerAreRetryable) {
  for (int code : {1213, 1205, 9007, 8002, 8022, 8028}) {
    EXPECT_EQ(ClassifyDbError(code), DbErrorKind::kRetryable) << code;
  }
}

TEST(DbErrorsTest, LostConnectionsIncludeMysqlsIdleDisconnect) {
  for (int code : {2002, 2003, 2006, 2013, 2014, 2027, 2055, 1053, 1927, 4031}) {
    EXPECT_TRUE(IsConnectionError(code)) << code;
    EXPECT_EQ(ClassifyDbError(code), DbErrorKind::kConnectionLost) << code;
  }
}

TEST(DbErrorsTest, DuplicateKeyCheckViolationsAndTheRest) {
  EXPECT_EQ(ClassifyDbError(1062), DbErrorKind::kDuplicateKey);
  EXPECT_EQ(ClassifyDbError(4025), DbErrorKind::kCheckViolation);  // MariaDB
  EXPECT_EQ(ClassifyDbError(3819), DbErrorKind::kCheckViolation);  // MySQL, TiDB
  for (int code : {0, 1064, 1146, 1406, 8001, 9001}) {
    EXPECT_EQ(ClassifyDbError(code), DbErrorKind::kOther) << code;
    EXPECT_FALSE(IsConnectionError(code)) << code;
  }
}

TEST(DbErrorsTest, TheConstraintNameIsReadFromEachServersMessage) {
  EXPECT_EQ(
      ViolatedCheckConstraint(
          "CONSTRAINT `chk_cooperatives_fee` failed for `cooplink_membership`.`cooperatives`"),
      "chk_cooperatives_fee");
  EXPECT_EQ(ViolatedCheckConstraint("Check constraint 'chk_stock_available' is violated."),
            "chk_stock_available");
  EXPECT_EQ(ViolatedCheckConstraint("Duplicate entry '42' for key 'PRIMARY'"), std::nullopt);
  EXPECT_EQ(ViolatedCheckConstraint("CONSTRAINT `` failed for `a`.`b`"), std::nullopt);
  EXPECT_EQ(ViolatedCheckConstraint("Check constraint 'x' y"), std::nullopt);  // no end
  // Anything but an identifier is not trusted into a status message.
  EXPECT_EQ(ViolatedCheckConstraint("Check constraint '13800138000 x' is violated."), std::nullopt);
}

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> fields;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(ToGrpcStatus(s).error_details())) return fields;
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) fields.push_back(v.field());
    }
  }
  return fields;
}

TEST(DbErrorsTest, DeclaredRulesGiveTheirCodeAndReason) {
  const std::vector<CheckConstraintRule> rules = {
      InputRule("chk_a", "thing.amount", "must be greater than 0"),
      StateRule("chk_b", "STOCK_NEGATIVE", "stock cannot go below 0"),
  };
  const absl::Status input = CheckViolationStatus(rules, "chk_a");
  EXPECT_EQ(input.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(input), "INVALID_ARGUMENT");
  EXPECT_EQ(Fields(input), std::vector<std::string>{"thing.amount"});

  const absl::Status state = CheckViolationStatus(rules, "chk_b");
  EXPECT_EQ(state.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(state), "STOCK_NEGATIVE");
  EXPECT_EQ(state.message(), "stock cannot go below 0");
}

TEST(DbErrorsTest, UndeclaredOrUnparsedConstraintsAreStillPreciseNotInternal) {
  const absl::Status undeclared = CheckViolationStatus({}, "chk_c");
  EXPECT_EQ(undeclared.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(undeclared), "CHECK_CONSTRAINT_VIOLATED");
  EXPECT_TRUE(absl::StrContains(undeclared.message(), "chk_c"));

  const absl::Status unparsed = CheckViolationStatus({}, std::nullopt);
  EXPECT_EQ(unparsed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(unparsed), "CHECK_CONSTRAINT_VIOLATED");
}

TEST(MigrationLockNameTest, ShortNamesKeepTheNameEveryReleaseUsed) {
  EXPECT_EQ(MigrationLockName("cooplink_membership"), "cooplink_migrate_cooplink_membership");
  const std::string just_fits(64 - 17, 'd');  // 17 = "cooplink_migrate_"
  EXPECT_EQ(MigrationLockName(just_fits), "cooplink_migrate_" + just_fits);
}

TEST(MigrationLockNameTest, LongNamesAreHashedStablyWithinSixtyFourCharacters) {
  const std::string a(60, 'a');
  std::string b = a;
  b.back() = 'b';  // same first 59 characters
  EXPECT_LE(MigrationLockName(a).size(), 64u);
  EXPECT_LE(MigrationLockName(std::string(64, 'z')).size(), 64u);
  EXPECT_TRUE(absl::StartsWith(MigrationLockName(a), "cooplink_migrate_sha256_"));
  EXPECT_EQ(MigrationLockName(a), MigrationLockName(std::string(60, 'a')));
  EXPECT_NE(MigrationLockName(a), MigrationLockName(b));
  // SHA-256("a" x 60), first 32 hex digits: pinned, so a release cannot change it unnoticed.
  EXPECT_EQ(MigrationLockName(a), "cooplink_migrate_sha256_11ee391211c6256460b6ed375957fadd");
}

}  // namespace
}  // namespace cooplink
