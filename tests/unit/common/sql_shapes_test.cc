// Padding of variable-length SQL lists to a few fixed sizes.
#include "services/common/sql_shapes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace cooplink {
namespace {

TEST(SqlShapesTest, ShapeSizesArePowersOfFour) {
  EXPECT_EQ(ShapeSize(0), 1u);
  EXPECT_EQ(ShapeSize(1), 1u);
  EXPECT_EQ(ShapeSize(2), 4u);
  EXPECT_EQ(ShapeSize(4), 4u);
  EXPECT_EQ(ShapeSize(5), 16u);
  EXPECT_EQ(ShapeSize(64), 64u);
  EXPECT_EQ(ShapeSize(65), 256u);
  EXPECT_EQ(ShapeSize(1000), 1024u);
  std::set<size_t> sizes;
  for (size_t n = 1; n <= 10000; ++n) sizes.insert(ShapeSize(n));
  EXPECT_EQ(sizes.size(), 8u);  // 1, 4, 16, 64, 256, 1024, 4096, 16384
}

TEST(SqlShapesTest, RepeatedJoinsItems) {
  EXPECT_EQ(Repeated(0, "?"), "");
  EXPECT_EQ(Repeated(1, "?"), "?");
  EXPECT_EQ(Repeated(3, "?"), "?, ?, ?");
  EXPECT_EQ(Repeated(2, "(?, ?)", ","), "(?, ?),(?, ?)");
}

TEST(SqlShapesTest, PaddingRepeatsTheLastValue) {
  EXPECT_EQ(PaddedToShape(std::vector<int>{7}), std::vector<int>{7});
  EXPECT_EQ(PaddedToShape(std::vector<int>{1, 2}), (std::vector<int>{1, 2, 2, 2}));
  EXPECT_EQ(PaddedToShape(std::vector<int>{1, 2, 3, 4}), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(PaddedToShape(std::vector<int>(5, 1)).size(), 16u);
  EXPECT_TRUE(PaddedToShape(std::vector<int>{}).empty());
}

TEST(SqlShapesTest, InListsArePaddedAndBoundedInShapes) {
  std::string sql = "x IN ";
  std::vector<SqlParam> params;
  AppendInList({"a", "b", "c"}, &sql, &params);
  EXPECT_EQ(sql, "x IN (?, ?, ?, ?)");
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(std::get<std::string>(params[2]), "c");
  EXPECT_EQ(std::get<std::string>(params[3]), "c");

  std::set<std::string> texts;
  for (size_t n = 1; n <= 300; ++n) {
    std::string s;
    std::vector<SqlParam> p;
    AppendInList(std::vector<std::string>(n, "v"), &s, &p);
    EXPECT_EQ(p.size(), ShapeSize(n));
    texts.insert(s);
  }
  EXPECT_EQ(texts.size(), 6u);  // 1, 4, 16, 64, 256, 1024
}

}  // namespace
}  // namespace cooplink
