// The structured logger: field order, escaping, one whole line per event under concurrency.
#include "services/common/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cooplink {
namespace {

const absl::Time kTime = absl::FromUnixSeconds(1772326800);  // 2026-03-01T01:00:00Z

TEST(LogTest, TimeLevelAndMessageComeFirstThenFieldsInOrder) {
  EXPECT_EQ(FormatLogLine(kTime, LogLevel::kInfo, "serving",
                          {{"service", "membership"}, {"port", 50051}}),
            "{\"ts\":\"2026-03-01T01:00:00+00:00\",\"level\":\"info\",\"msg\":\"serving\","
            "\"service\":\"membership\",\"port\":50051}\n");
  EXPECT_EQ(FormatLogLine(kTime, LogLevel::kWarn, "x",
                          {{"ok", true}, {"ms", 1.5}, {"n", int64_t{-7}}, {"u", uint64_t{7}}}),
            "{\"ts\":\"2026-03-01T01:00:00+00:00\",\"level\":\"warn\",\"msg\":\"x\","
            "\"ok\":true,\"ms\":1.500,\"n\":-7,\"u\":7}\n");
}

TEST(LogTest, StringsAreEscapedAndUtf8PassesThrough) {
  EXPECT_EQ(JsonEscape("a\"b\\c\nd\te\x01"), "a\\\"b\\\\c\\nd\\te\\u0001");
  EXPECT_EQ(JsonEscape("普洱茶"), "普洱茶");
  const std::string line =
      FormatLogLine(kTime, LogLevel::kError, "say \"hi\"\n", {{"what", "line1\nline2"}});
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line per event
  EXPECT_NE(line.find("\"msg\":\"say \\\"hi\\\"\\n\""), std::string::npos);
}

TEST(LogTest, ConcurrentLinesNeverInterleave) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    Logger logger(file);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < 200; ++i) {
          logger.Log(LogLevel::kInfo, "tick", {{"thread", t}, {"i", i}});
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, n);
  std::fclose(file);
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 800u);
  for (const std::string& line : lines) {
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
  }
}

}  // namespace
}  // namespace cooplink
