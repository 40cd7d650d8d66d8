// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/index_pattern.h"

#include <gtest/gtest.h>

#include <string>

#include "src/event/batch.h"

namespace logship {
namespace {

// 2026-11-24T23:59:59.999Z and one millisecond later.
constexpr int64_t kLastMs = 1'795'564'799'999'000'000;
constexpr int64_t kNextDay = kLastMs + 1'000'000;

std::string Render(IndexPattern& p, const Batch& b, const Event& e) {
  std::string out;
  EXPECT_TRUE(p.Render(b, e, out));
  return out;
}

TEST(IndexPatternTest, StrftimeOverTimestampInUtc) {
  Result<IndexPattern> p = IndexPattern::Parse("logs-app-%Y.%m.%d");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Batch b;
  Event& e = b.AddEvent();
  e.timestamp_ns = kLastMs;
  EXPECT_EQ(Render(*p, b, e), "logs-app-2026.11.24");
  e.timestamp_ns = kNextDay;
  EXPECT_EQ(Render(*p, b, e), "logs-app-2026.11.25");
  e.timestamp_ns = kLastMs;  // back again: the cache follows
  EXPECT_EQ(Render(*p, b, e), "logs-app-2026.11.24");
  e.timestamp_ns = -1;  // 1969-12-31T23:59:59.999999999Z
  EXPECT_EQ(Render(*p, b, e), "logs-app-1969.12.31");
}

TEST(IndexPatternTest, HoursAndMonthNamesAreLowerCase) {
  Result<IndexPattern> p = IndexPattern::Parse("logs-%b-%H");
  ASSERT_TRUE(p.ok());
  Batch b;
  Event& e = b.AddEvent();
  e.timestamp_ns = kLastMs;
  EXPECT_EQ(Render(*p, b, e), "logs-nov-23");
}

TEST(IndexPatternTest, FieldTemplatesAreLowerCasedAndMissingFieldsReported) {
  Result<IndexPattern> p = IndexPattern::Parse("logs-{{service}}-%Y");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Batch b;
  Event& with = b.AddEvent();
  with.timestamp_ns = kLastMs;
  b.AddField(with, "service", Value::String("Checkout%d"));
  Event& without = b.AddEvent();
  without.timestamp_ns = kLastMs;
  // A '%' in a field value is the value's, not a conversion.
  EXPECT_EQ(Render(*p, b, b.events()[0]), "logs-checkout%d-2026");
  std::string out;
  EXPECT_FALSE(p->Render(b, b.events()[1], out));
}

TEST(IndexPatternTest, ConstantNames) {
  Result<IndexPattern> p = IndexPattern::Parse("logs-app");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->constant());
  Batch b;
  Event& e = b.AddEvent();
  EXPECT_EQ(Render(*p, b, e), "logs-app");
  EXPECT_EQ(p->text(), "logs-app");
}

TEST(IndexPatternTest, RejectsWhatElasticsearchRefuses) {
  for (const char* bad : {"", "Logs", "logs/x", "logs*", "_logs", "logs-%", "logs-%Q", "logs-%T",
                          "logs-%D", "logs-%e", "logs-{{", "logs-{{}}", "a b", "a,b", "a#b"}) {
    EXPECT_FALSE(IndexPattern::Parse(bad).ok()) << bad;
  }
  EXPECT_TRUE(IndexPattern::Parse("logs-%%-%Y").ok());
}

}  // namespace
}  // namespace logship
