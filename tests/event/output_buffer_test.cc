// SPDX-License-Identifier: Apache-2.0
#include "src/event/output_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace logship {
namespace {

TEST(OutputBufferTest, AppendPushAndView) {
  OutputBuffer out;
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.view(), "");
  out.Append("abc");
  out.Push('d');
  out.Append("");
  EXPECT_EQ(out.view(), "abcd");
  EXPECT_EQ(out.size(), 4u);
  EXPECT_FALSE(out.empty());
}

TEST(OutputBufferTest, ReserveThenCommitOrCommitTo) {
  OutputBuffer out;
  out.Append("x");
  char* p = out.Reserve(10);
  std::memcpy(p, "hello", 5);
  out.Commit(5);
  p = out.Reserve(3);
  p[0] = '!';
  p[1] = '?';
  out.CommitTo(p + 2);
  EXPECT_EQ(out.view(), "xhello!?");
}

TEST(OutputBufferTest, GrowingKeepsContent) {
  OutputBuffer out;
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    std::string piece = std::to_string(i) + ",";
    out.Append(piece);
    expected += piece;
  }
  out.Append(std::string(100000, 'z'));  // one append larger than doubling
  expected += std::string(100000, 'z');
  EXPECT_EQ(out.view(), expected);
  EXPECT_GE(out.capacity(), out.size());
}

TEST(OutputBufferTest, ClearKeepsCapacityAndShrinkToDropsIt) {
  OutputBuffer out;
  out.Append(std::string(10000, 'a'));
  size_t cap = out.capacity();
  out.clear();
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.capacity(), cap);
  const char* before = out.data();
  out.Append("b");
  EXPECT_EQ(out.data(), before);  // no reallocation after clear
  out.ShrinkTo(1);                // not empty: kept
  EXPECT_EQ(out.capacity(), cap);
  out.clear();
  out.ShrinkTo(cap);  // not above the limit: kept
  EXPECT_EQ(out.capacity(), cap);
  out.ShrinkTo(cap - 1);
  EXPECT_EQ(out.capacity(), 0u);
  out.Append("again");
  EXPECT_EQ(out.view(), "again");
}

TEST(OutputBufferTest, TruncateOnlyShortens) {
  OutputBuffer out;
  out.Append("abcdef");
  out.Truncate(10);
  EXPECT_EQ(out.view(), "abcdef");
  out.Truncate(3);
  EXPECT_EQ(out.view(), "abc");
  out.Truncate(0);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace logship
