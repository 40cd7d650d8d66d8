// SPDX-License-Identifier: Apache-2.0
#include "src/config/duration.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

int64_t Nanos(std::string_view text) {
  Result<Duration> duration = ParseDuration(text);
  EXPECT_TRUE(duration.ok()) << text << ": " << duration.status().ToString();
  return duration.ok() ? duration->nanos : -1;
}

std::string ErrorOf(std::string_view text) {
  Result<Duration> duration = ParseDuration(text);
  EXPECT_FALSE(duration.ok()) << text << " parsed as " << (duration.ok() ? duration->nanos : 0);
  if (duration.ok()) return "";
  EXPECT_EQ(duration.status().code(), Status::Code::kInvalidArgument);
  return std::string(duration.status().message());
}

TEST(DurationTest, ParsesSingleUnits) {
  EXPECT_EQ(Nanos("10ns"), 10);
  EXPECT_EQ(Nanos("500us"), 500'000);
  EXPECT_EQ(Nanos("3\xC2\xB5s"), 3'000);
  EXPECT_EQ(Nanos("200ms"), 200'000'000);
  EXPECT_EQ(Nanos("2s"), 2 * kSecond);
  EXPECT_EQ(Nanos("5m"), 300 * kSecond);
  EXPECT_EQ(Nanos("1h"), 3600 * kSecond);
  EXPECT_EQ(Nanos("1d"), 86400 * kSecond);
}

TEST(DurationTest, ParsesCombinedUnits) {
  EXPECT_EQ(Nanos("1m30s"), 90 * kSecond);
  EXPECT_EQ(Nanos("1h30m"), 5400 * kSecond);
  EXPECT_EQ(Nanos("1h 30m 15s"), 5415 * kSecond);
  EXPECT_EQ(Nanos("2s500ms"), 2500'000'000);
}

TEST(DurationTest, BareIntegerMeansSeconds) {
  EXPECT_EQ(Nanos("30"), 30 * kSecond);
  EXPECT_EQ(Nanos("0"), 0);
  EXPECT_EQ(Nanos(" 5 "), 5 * kSecond);
}

TEST(DurationTest, ParsesFractionsAndSpaceBeforeUnit) {
  EXPECT_EQ(Nanos("1.5s"), 1500'000'000);
  EXPECT_EQ(Nanos("0.25h"), 900 * kSecond);
  EXPECT_EQ(Nanos("2 s"), 2 * kSecond);
}

TEST(DurationTest, HelpersMatchParsedValues) {
  EXPECT_EQ(Duration::Millis(200), Duration{Nanos("200ms")});
  EXPECT_EQ(Duration::Seconds(90), Duration{Nanos("1m30s")});
  EXPECT_EQ(Duration{Nanos("1.5s")}.millis(), 1500);
}

TEST(DurationTest, RejectsUnknownUnits) {
  EXPECT_EQ(ErrorOf("5x"), "unknown unit 'x' in duration '5x' (use ns, us, ms, s, m, h, d)");
  EXPECT_EQ(ErrorOf("5 sec"),
            "unknown unit 'sec' in duration '5 sec' (use ns, us, ms, s, m, h, d)");
  EXPECT_EQ(ErrorOf("2S"), "unknown unit 'S' in duration '2S' (use ns, us, ms, s, m, h, d)");
}

TEST(DurationTest, RejectsMissingUnitInCombinedDuration) {
  EXPECT_EQ(ErrorOf("1m30"),
            "missing unit after '30' in duration '1m30' (use ns, us, ms, s, m, h, d)");
  EXPECT_EQ(ErrorOf("1.5"),
            "missing unit after '1.5' in duration '1.5' (use ns, us, ms, s, m, h, d)");
}

TEST(DurationTest, RejectsMalformedText) {
  EXPECT_EQ(ErrorOf(""), "expected a duration like 2s or 200ms, got ''");
  EXPECT_EQ(ErrorOf("abc"), "expected a duration like 2s or 200ms, got 'abc'");
  EXPECT_EQ(ErrorOf("s"), "expected a duration like 2s or 200ms, got 's'");
  EXPECT_EQ(ErrorOf("2s!"), "expected a duration like 2s or 200ms, got '2s!'");
  EXPECT_EQ(ErrorOf("1.s"), "expected a duration like 2s or 200ms, got '1.s'");
}

TEST(DurationTest, RejectsNegativeDurations) {
  EXPECT_EQ(ErrorOf("-2s"), "duration '-2s' is negative");
  EXPECT_EQ(ErrorOf("-5"), "duration '-5' is negative");
}

TEST(DurationTest, RejectsOverflow) {
  EXPECT_EQ(Nanos("106751d"), int64_t{106751} * 86400 * kSecond);
  EXPECT_EQ(ErrorOf("106752d"), "duration '106752d' is too large");
  EXPECT_EQ(ErrorOf("9223372037"), "duration '9223372037' is too large");
  EXPECT_EQ(ErrorOf("99999999999999999999999s"),
            "duration '99999999999999999999999s' is too large");
  EXPECT_EQ(ErrorOf("100000d100000d"), "duration '100000d100000d' is too large");
}

}  // namespace
}  // namespace logship
