// The opt-in SQL capture behind the offline SQL gate (services/common/sql_capture.h).
#include "services/common/sql_capture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace cooplink {
namespace {

using std::string_literals::operator""s;  // "a\0b"s keeps the NUL bytes

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string FreshPath(const std::string& name) {
  const std::string path = absl::StrCat(testing::TempDir(), "/", name, "-", getpid(), ".txt");
  std::remove(path.c_str());
  return path;
}

TEST(SqlCaptureTest, WritesEachDistinctTextOnceFollowedByANul) {
  const std::string path = FreshPath("capture");
  {
    SqlCapture capture(path);
    capture.Record("SELECT id FROM t WHERE id = ?");
    capture.Record("INSERT INTO t (id, note)\nVALUES (?, ?)");
    capture.Record("SELECT id FROM t WHERE id = ?");
  }
  EXPECT_EQ(ReadFile(path),
            "SELECT id FROM t WHERE id = ?\0INSERT INTO t (id, note)\nVALUES (?, ?)\0"s);
}

TEST(SqlCaptureTest, AppendsToAnExistingFile) {
  const std::string path = FreshPath("append");
  SqlCapture(path).Record("SELECT 1");
  SqlCapture(path).Record("SELECT 2");
  EXPECT_EQ(ReadFile(path), "SELECT 1\0SELECT 2\0"s);
}

TEST(SqlCaptureTest, AnUnwritablePathStopsCaptureWithoutFailingTheCaller) {
  SqlCapture capture(absl::StrCat(testing::TempDir(), "/no-such-dir/sql.txt"));
  capture.Record("SELECT 1");
  capture.Record("SELECT 2");
  EXPECT_EQ(ReadFile(capture.path()), "");
}

TEST(SqlCaptureTest, FromEnvironmentIsOffUnlessTheDirectoryIsSet) {
  unsetenv(kSqlCaptureDirEnv);
  EXPECT_EQ(SqlCapture::FromEnvironment(), nullptr);
  setenv(kSqlCaptureDirEnv, "", 1);
  EXPECT_EQ(SqlCapture::FromEnvironment(), nullptr);
  setenv(kSqlCaptureDirEnv, "/tmp/capture-dir", 1);
  auto capture = SqlCapture::FromEnvironment();
  ASSERT_NE(capture, nullptr);
  EXPECT_EQ(capture->path(), absl::StrCat("/tmp/capture-dir/sql-", getpid(), ".txt"));
  unsetenv(kSqlCaptureDirEnv);
}

}  // namespace
}  // namespace cooplink
