// SPDX-License-Identifier: Apache-2.0
#include "src/event/timestamp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <string>

namespace logship {
namespace {

constexpr int64_t kNs = 1'000'000'000;

std::string Format(TimestampFormatter& f, int64_t ns, TimePrecision p) {
  char buf[TimestampFormatter::kMaxLength];
  char* end = f.Format(ns, p, buf);
  EXPECT_LE(end - buf, TimestampFormatter::kMaxLength);
  return std::string(buf, static_cast<size_t>(end - buf));
}

std::string FormatFresh(int64_t ns, TimePrecision p) {
  TimestampFormatter f;
  return Format(f, ns, p);
}

// An independent reference: the C library's gmtime_r on the floored second.
std::string Reference(int64_t ns, TimePrecision p) {
  int64_t sec = ns / kNs;
  int64_t frac = ns % kNs;
  if (frac < 0) {
    frac += kNs;
    --sec;
  }
  time_t t = static_cast<time_t>(sec);
  struct tm tm;
  EXPECT_NE(gmtime_r(&t, &tm), nullptr);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  switch (p) {
    case TimePrecision::kMillis:
      n += std::snprintf(buf + n, sizeof(buf) - n, "%03lld",
                         static_cast<long long>(frac / 1'000'000));
      break;
    case TimePrecision::kMicros:
      n += std::snprintf(buf + n, sizeof(buf) - n, "%06lld", static_cast<long long>(frac / 1'000));
      break;
    case TimePrecision::kNanos:
      n += std::snprintf(buf + n, sizeof(buf) - n, "%09lld", static_cast<long long>(frac));
      break;
  }
  return std::string(buf, static_cast<size_t>(n)) + "Z";
}

struct Known {
  int64_t ns;
  const char* millis;
  const char* micros;
  const char* nanos;
};

TEST(TimestampFormatterTest, KnownInstantsInAllPrecisions) {
  const Known cases[] = {
      {0, "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000000Z",
       "1970-01-01T00:00:00.000000000Z"},
      {1795515330 * kNs + 123'456'789, "2026-11-24T10:15:30.123Z", "2026-11-24T10:15:30.123456Z",
       "2026-11-24T10:15:30.123456789Z"},
      {1795515330 * kNs + 123'000'000, "2026-11-24T10:15:30.123Z", "2026-11-24T10:15:30.123000Z",
       "2026-11-24T10:15:30.123000000Z"},
      // Leap day, its last nanosecond, and the day after.
      {1709251199 * kNs + 999'999'999, "2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999999Z",
       "2024-02-29T23:59:59.999999999Z"},
      {1709251200 * kNs, "2024-03-01T00:00:00.000Z", "2024-03-01T00:00:00.000000Z",
       "2024-03-01T00:00:00.000000000Z"},
      // 2000 is a leap year (divisible by 400); 2100 is not.
      {951782400 * kNs, "2000-02-29T00:00:00.000Z", "2000-02-29T00:00:00.000000Z",
       "2000-02-29T00:00:00.000000000Z"},
      {4107542400 * kNs, "2100-03-01T00:00:00.000Z", "2100-03-01T00:00:00.000000Z",
       "2100-03-01T00:00:00.000000000Z"},
      // Before the epoch: floor, not truncation, so the fraction counts up from the second before.
      {-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999999Z",
       "1969-12-31T23:59:59.999999999Z"},
      {-1'000'000, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999000Z",
       "1969-12-31T23:59:59.999000000Z"},
      {-kNs, "1969-12-31T23:59:59.000Z", "1969-12-31T23:59:59.000000Z",
       "1969-12-31T23:59:59.000000000Z"},
      {-kNs - 1, "1969-12-31T23:59:58.999Z", "1969-12-31T23:59:58.999999Z",
       "1969-12-31T23:59:58.999999999Z"},
      // The whole range of int64 nanoseconds (years 1677 to 2262; year 9999 is not representable).
      {INT64_MAX, "2262-04-11T23:47:16.854Z", "2262-04-11T23:47:16.854775Z",
       "2262-04-11T23:47:16.854775807Z"},
      {INT64_MIN, "1677-09-21T00:12:43.145Z", "1677-09-21T00:12:43.145224Z",
       "1677-09-21T00:12:43.145224192Z"},
  };
  for (const Known& k : cases) {
    EXPECT_EQ(FormatFresh(k.ns, TimePrecision::kMillis), k.millis) << k.ns;
    EXPECT_EQ(FormatFresh(k.ns, TimePrecision::kMicros), k.micros) << k.ns;
    EXPECT_EQ(FormatFresh(k.ns, TimePrecision::kNanos), k.nanos) << k.ns;
    // The test's reference agrees, so the random tests below can rely on it.
    EXPECT_EQ(Reference(k.ns, TimePrecision::kNanos), k.nanos) << k.ns;
  }
}

TEST(TimestampFormatterTest, CacheFollowsSecondsGoingBackAndForth) {
  TimestampFormatter f;
  const int64_t a = 1795515330 * kNs;  // 2026-11-24T10:15:30
  const int64_t b = a + kNs;           // the next second
  const int64_t c = a + 86400 * kNs;   // the next day, same time of day
  const int64_t sequence[] = {
      a + 1, a + 999'999'999, b, a + 5, c + 7, a, b + 999'000'000, b, a, c, -1, 0, -1, -kNs, c,
      c + 1};
  for (int64_t ns : sequence) {
    for (TimePrecision p :
         {TimePrecision::kNanos, TimePrecision::kMillis, TimePrecision::kMicros}) {
      EXPECT_EQ(Format(f, ns, p), FormatFresh(ns, p)) << ns;
      EXPECT_EQ(Format(f, ns, p), Reference(ns, p)) << ns;
    }
  }
  EXPECT_EQ(Format(f, a + 123'000'000, TimePrecision::kMillis), "2026-11-24T10:15:30.123Z");
  EXPECT_EQ(Format(f, b + 456'000'000, TimePrecision::kMillis), "2026-11-24T10:15:31.456Z");
  EXPECT_EQ(Format(f, a + 789'000'000, TimePrecision::kMillis), "2026-11-24T10:15:30.789Z");
  EXPECT_EQ(Format(f, c, TimePrecision::kMillis), "2026-11-25T10:15:30.000Z");
}

TEST(TimestampFormatterTest, RandomInstantsMatchGmtime) {
  std::mt19937_64 rng(42);
  TimestampFormatter cached;
  int64_t last = 0;
  for (int i = 0; i < 50000; ++i) {
    int64_t ns;
    switch (rng() % 3) {
      case 0:  // anywhere in the representable range
        ns = static_cast<int64_t>(rng());
        break;
      case 1:  // near the previous one, as in a batch (kept clear of overflow)
        if (last > INT64_MAX / 2 || last < INT64_MIN / 2) last = 0;
        ns = last + static_cast<int64_t>(rng() % (4 * kNs)) - 2 * kNs;
        break;
      default:  // around the epoch
        ns = static_cast<int64_t>(rng() % (200 * kNs)) - 100 * kNs;
    }
    last = ns;
    auto p = static_cast<TimePrecision>(rng() % 3);
    ASSERT_EQ(Format(cached, ns, p), Reference(ns, p)) << ns;
  }
}

TEST(TimestampFormatterTest, ReturnsEndOfWhatItWrote) {
  TimestampFormatter f;
  char buf[TimestampFormatter::kMaxLength + 1];
  std::memset(buf, '#', sizeof(buf));
  char* end = f.Format(0, TimePrecision::kMillis, buf);
  EXPECT_EQ(end - buf, 24);
  EXPECT_EQ(*end, '#');
  end = f.Format(0, TimePrecision::kMicros, buf);
  EXPECT_EQ(end - buf, 27);
  end = f.Format(0, TimePrecision::kNanos, buf);
  EXPECT_EQ(end - buf, 30);
}

}  // namespace
}  // namespace logship
