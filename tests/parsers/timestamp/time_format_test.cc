// SPDX-License-Identifier: Apache-2.0
// TimeFormat and TimeZoneConverter: every format family, zones across DST, the range of
// @timestamp, year inference for syslog times, and compile errors. Results are compared as
// ISO-8601 text written by TimestampFormatter (an independent formatter), in nanoseconds.

#include "parsers/timestamp/time_format.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "src/event/timestamp.h"

namespace logship {
namespace {

// 2026-11-24T10:15:30Z, the harness's read time.
constexpr int64_t kReadTime = 1795515330LL * 1'000'000'000;

std::string Iso(int64_t nanos) {
  TimestampFormatter f;
  char buf[TimestampFormatter::kMaxLength];
  return std::string(buf, f.Format(nanos, TimePrecision::kNanos, buf));
}

// Parses `text` with `spec` in `zone`; the result as ISO-8601 UTC with nanoseconds, or
// "no match" / "out of range".
std::string P(std::string_view spec, std::string_view text, std::string_view zone = "UTC",
              int64_t read_time = kReadTime) {
  Result<TimeFormat> format = TimeFormat::Compile(spec);
  if (!format.ok()) return "compile error: " + std::string(format.status().message());
  Result<TimeZoneConverter> tz = TimeZoneConverter::Load(zone);
  if (!tz.ok()) return "zone error: " + std::string(tz.status().message());
  ParsedTime t = format->Parse(text, *tz, read_time);
  switch (t.status) {
    case TimeParseStatus::kOk:
      return Iso(t.unix_nanos);
    case TimeParseStatus::kNoMatch:
      return "no match";
    case TimeParseStatus::kOutOfRange:
      return "out of range";
  }
  return "?";
}

int64_t At(std::string_view iso) {
  Result<TimeFormat> format = TimeFormat::Compile("iso8601");
  TimeZoneConverter utc = TimeZoneConverter::Utc();
  ParsedTime t = format->Parse(iso, utc, 0);
  EXPECT_EQ(t.status, TimeParseStatus::kOk) << iso;
  return t.unix_nanos;
}

std::string CompileError(std::string_view spec) {
  Result<TimeFormat> format = TimeFormat::Compile(spec);
  return format.ok() ? "ok" : std::string(format.status().message());
}

TEST(TimeFormatTest, Iso8601Rfc3339Forms) {
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30Z"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24t10:15:30z"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24 10:15:30Z"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30+01:00"), "2026-11-24T09:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30+0100"), "2026-11-24T09:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30+01"), "2026-11-24T09:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30-05:30"), "2026-11-24T15:45:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T00:15:30+02:00"), "2026-11-23T22:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30-00:00"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("rfc3339", "2026-11-24T10:15:30.5Z"), "2026-11-24T10:15:30.500000000Z");
  // Leniencies around RFC 3339: a comma, no seconds, a date alone.
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30,25Z"), "2026-11-24T10:15:30.250000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15Z"), "2026-11-24T10:15:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24"), "2026-11-24T00:00:00.000000000Z");
  // A leap second reads as the first second of the next minute.
  EXPECT_EQ(P("iso8601", "2016-12-31T23:59:60Z"), "2017-01-01T00:00:00.000000000Z");
}

TEST(TimeFormatTest, Iso8601FractionsOfAnyLength) {
  const char* expected[] = {"2026-11-24T10:15:30.100000000Z", "2026-11-24T10:15:30.120000000Z",
                            "2026-11-24T10:15:30.123000000Z", "2026-11-24T10:15:30.123400000Z",
                            "2026-11-24T10:15:30.123450000Z", "2026-11-24T10:15:30.123456000Z",
                            "2026-11-24T10:15:30.123456700Z", "2026-11-24T10:15:30.123456780Z",
                            "2026-11-24T10:15:30.123456789Z", "2026-11-24T10:15:30.123456789Z",
                            "2026-11-24T10:15:30.123456789Z", "2026-11-24T10:15:30.123456789Z"};
  const std::string digits = "123456789123";
  for (size_t n = 1; n <= 12; ++n) {
    SCOPED_TRACE(n);
    std::string text = "2026-11-24T10:15:30." + digits.substr(0, n);
    EXPECT_EQ(P("iso8601", text + "Z"), expected[n - 1]);
    EXPECT_EQ(P("iso8601", text + "+00:00"), expected[n - 1]);
    EXPECT_EQ(P("%Y-%m-%dT%H:%M:%S%z", text + "+0000"), expected[n - 1]);
    EXPECT_EQ(P("%Y-%m-%dT%H:%M:%S.%f%z", text + "Z"), expected[n - 1]);
    EXPECT_EQ(P("%Y-%m-%dT%H:%M:%E*S", text), expected[n - 1]);
  }
  // A fraction of 100 digits is read to its end.
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30.9" + std::string(100, '9') + "Z"),
            "2026-11-24T10:15:30.999999999Z");
}

TEST(TimeFormatTest, Iso8601Rejects) {
  for (const char* text : {"",
                           "2026",
                           "2026-11",
                           "2026-11-2",
                           "2026-13-01T00:00:00Z",
                           "2026-00-01T00:00:00Z",
                           "2026-11-31T00:00:00Z",
                           "2026-02-29T00:00:00Z",
                           "2026-11-24T24:00:00Z",
                           "2026-11-24T10:60:00Z",
                           "2026-11-24T10:15:61Z",
                           "2026-11-24T10:15:30.Z",
                           "2026-11-24T10:15:30Zjunk",
                           "2026-11-24T10:15:30+24:00",
                           "2026-11-24T10:15:30+01:60",
                           "2026-11-24T10:15:30+1",
                           "2026-11-24X10:15:30Z",
                           "2026-11-24T10:15:30 Z",
                           " 2026-11-24T10:15:30Z",
                           "2026/11/24T10:15:30Z",
                           "20261124T101530Z",
                           "garbage",
                           "2026-11-24T1:15:30Z",
                           "+2026-11-24T10:15:30Z"}) {
    EXPECT_EQ(P("iso8601", text), "no match") << text;
  }
}

TEST(TimeFormatTest, LeapDay) {
  EXPECT_EQ(P("iso8601", "2024-02-29T12:00:00Z"), "2024-02-29T12:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2000-02-29T12:00:00Z"), "2000-02-29T12:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2100-02-29T12:00:00Z"), "no match");  // not a leap year
  EXPECT_EQ(P("iso8601", "2023-02-29T12:00:00Z"), "no match");
  EXPECT_EQ(P("%d/%b/%Y", "29/Feb/2024"), "2024-02-29T00:00:00.000000000Z");
  EXPECT_EQ(P("%Y-%j", "2024-366"), "2024-12-31T00:00:00.000000000Z");
  EXPECT_EQ(P("%Y-%j", "2026-366"), "no match");
}

TEST(TimeFormatTest, StrptimeOffsets) {
  const std::string f = "%Y-%m-%dT%H:%M:%S%z";
  EXPECT_EQ(P(f, "2026-11-24T10:15:30+0100"), "2026-11-24T09:15:30.000000000Z");
  EXPECT_EQ(P(f, "2026-11-24T10:15:30+01:00"), "2026-11-24T09:15:30.000000000Z");
  EXPECT_EQ(P(f, "2026-11-24T10:15:30-0800"), "2026-11-24T18:15:30.000000000Z");
  EXPECT_EQ(P(f, "2026-11-24T10:15:30Z"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P(f, "2026-11-24T10:15:30"), "no match");
  EXPECT_EQ(P(f, "2026-11-24T10:15:30+2500"), "no match");
  // An offset in the text wins over the configured zone.
  EXPECT_EQ(P(f, "2026-07-01T10:00:00+0000", "Europe/Berlin"), "2026-07-01T10:00:00.000000000Z");
  EXPECT_EQ(P("%Y-%m-%dT%H:%M:%S%Ez", "2026-11-24T10:15:30+05:45"),
            "2026-11-24T04:30:30.000000000Z");
  EXPECT_EQ(P("%Y-%m-%dT%H:%M:%S%:z", "2026-11-24T10:15:30-03:30"),
            "2026-11-24T13:45:30.000000000Z");
}

TEST(TimeFormatTest, ZoneNamesOnlyUtc) {
  const std::string f = "%Y-%m-%d %H:%M:%S %Z";
  EXPECT_EQ(P(f, "2026-11-24 10:15:30 UTC", "Europe/Berlin"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P(f, "2026-11-24 10:15:30 GMT", "Europe/Berlin"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P(f, "2026-11-24 10:15:30 Z", "Europe/Berlin"), "2026-11-24T10:15:30.000000000Z");
  // Abbreviations are ambiguous (CST is three zones): never guessed.
  EXPECT_EQ(P(f, "2026-11-24 10:15:30 CET"), "no match");
  EXPECT_EQ(P(f, "2026-11-24 10:15:30 UTCX"), "no match");
  EXPECT_EQ(P(f, "2026-11-24 10:15:30 "), "no match");
}

TEST(TimeFormatTest, MonthAndWeekdayNames) {
  const std::string f = "%d/%b/%Y:%H:%M:%S %z";
  EXPECT_EQ(P(f, "24/Nov/2026:10:15:30 +0000"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P(f, "24/nov/2026:10:15:30 +0000"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P(f, "24/NOV/2026:10:15:30 +0000"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P(f, "24/November/2026:10:15:30 +0000"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P(f, "24/Nox/2026:10:15:30 +0000"), "no match");
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int m = 0; m < 12; ++m) {
    std::string expected =
        "2026-" + std::string(m < 9 ? "0" : "") + std::to_string(m + 1) + "-01T00:00:00.000000000Z";
    EXPECT_EQ(P("%b %d %Y", std::string(months[m]) + " 01 2026"), expected);
  }
  EXPECT_EQ(P("%B %d, %Y", "September 5, 2026"), "2026-09-05T00:00:00.000000000Z");
  EXPECT_EQ(P("%B %d, %Y", "may 5, 2026"), "2026-05-05T00:00:00.000000000Z");
  EXPECT_EQ(P("%h %d %Y", "Jun 30 2026"), "2026-06-30T00:00:00.000000000Z");
  // RFC 1123 (HTTP dates): the weekday is read and ignored.
  EXPECT_EQ(P("%a, %d %b %Y %H:%M:%S %Z", "Tue, 24 Nov 2026 10:15:30 GMT"),
            "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("%A, %d %b %Y %H:%M:%S %Z", "Tuesday, 24 Nov 2026 10:15:30 GMT"),
            "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("%a %b %e %H:%M:%S %Y", "Sun Nov  1 10:15:30 2026"),
            "2026-11-01T10:15:30.000000000Z");  // asctime; the weekday is not checked
  EXPECT_EQ(P("%a, %d %b %Y", "Tux, 24 Nov 2026"), "no match");
}

TEST(TimeFormatTest, NginxAndApache) {
  EXPECT_EQ(P("nginx", "24/Nov/2026:10:15:30 +0100"), "2026-11-24T09:15:30.000000000Z");
  EXPECT_EQ(P("nginx", "01/Jan/2026:00:00:00 -0700"), "2026-01-01T07:00:00.000000000Z");
  EXPECT_EQ(P("nginx", "24/Nov/2026:10:15:30"), "no match");
  // Apache's %t, brackets included, and its %{msec_frac} variant.
  EXPECT_EQ(P("[%d/%b/%Y:%H:%M:%S %z]", "[10/Oct/2000:13:55:36 -0700]"),
            "2000-10-10T20:55:36.000000000Z");
  EXPECT_EQ(P("%d/%b/%Y:%H:%M:%S.%f %z", "10/Oct/2000:13:55:36.123 -0700"),
            "2000-10-10T20:55:36.123000000Z");
  // Apache error log: "Tue Nov 24 10:15:30.123456 2026".
  EXPECT_EQ(P("%a %b %d %H:%M:%S %Y", "Tue Nov 24 10:15:30.123456 2026"),
            "2026-11-24T10:15:30.123456000Z");
}

TEST(TimeFormatTest, OtherStrptimeConversions) {
  EXPECT_EQ(P("%Y-%m-%d %H:%M:%S,%f", "2026-11-24 10:15:30,123"),
            "2026-11-24T10:15:30.123000000Z");  // log4j
  EXPECT_EQ(P("%Y-%m-%d %H:%M:%S", "2026-11-24 10:15:30.5"), "2026-11-24T10:15:30.500000000Z");
  EXPECT_EQ(P("%Y-%m-%d %H:%M:%S", "2026-11-24 10:15:30."), "no match");
  EXPECT_EQ(P("%Y%m%d%H%M%S", "20261124101530"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("%F %T", "2026-11-24 10:15:30"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("%D %R", "11/24/26 10:15"), "2026-11-24T10:15:00.000000000Z");
  EXPECT_EQ(P("%d.%m.%y %H:%M", "24.11.69 10:15"), "1969-11-24T10:15:00.000000000Z");
  EXPECT_EQ(P("%d.%m.%y %H:%M", "24.11.68 10:15"), "2068-11-24T10:15:00.000000000Z");
  EXPECT_EQ(P("%Y-%m-%d", "2026-1-5"), "2026-01-05T00:00:00.000000000Z");
  EXPECT_EQ(P("%Y-%j %T", "2026-328 10:15:30"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("%Y-%m-%d%%", "2026-11-24%"), "2026-11-24T00:00:00.000000000Z");
  EXPECT_EQ(P("%Y-%m-%d%n%H", "2026-11-24 \t 10"), "2026-11-24T10:00:00.000000000Z");
  // A space matches one or more blanks.
  EXPECT_EQ(P("%Y-%m-%d %H:%M", "2026-11-24    10:15"), "2026-11-24T10:15:00.000000000Z");
  EXPECT_EQ(P("%Y-%m-%d %H:%M", "2026-11-2410:15"), "no match");
  // The whole text must match.
  EXPECT_EQ(P("%Y-%m-%d", "2026-11-24 trailing"), "no match");
  EXPECT_EQ(P("%Y-%m-%d %H", "2026-11-24"), "no match");
}

TEST(TimeFormatTest, TwelveHourClock) {
  const std::string f = "%m/%d/%Y %I:%M:%S %p";
  EXPECT_EQ(P(f, "11/24/2026 12:05:00 AM"), "2026-11-24T00:05:00.000000000Z");
  EXPECT_EQ(P(f, "11/24/2026 01:05:00 AM"), "2026-11-24T01:05:00.000000000Z");
  EXPECT_EQ(P(f, "11/24/2026 12:05:00 PM"), "2026-11-24T12:05:00.000000000Z");
  EXPECT_EQ(P(f, "11/24/2026 01:05:00 pm"), "2026-11-24T13:05:00.000000000Z");
  EXPECT_EQ(P(f, "11/24/2026 11:59:59 PM"), "2026-11-24T23:59:59.000000000Z");
  EXPECT_EQ(P(f, "11/24/2026 13:05:00 PM"), "no match");
  EXPECT_EQ(P(f, "11/24/2026 00:05:00 AM"), "no match");
  EXPECT_EQ(P(f, "11/24/2026 01:05:00 XM"), "no match");
}

TEST(TimeFormatTest, EpochSecondsConversion) {
  EXPECT_EQ(P("%s", "1795515330"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("%s.%f", "1795515330.123456"), "2026-11-24T10:15:30.123456000Z");
  EXPECT_EQ(P("%s", "-1"), "1969-12-31T23:59:59.000000000Z");
  EXPECT_EQ(P("%s", "99999999999999999999999"), "out of range");
  EXPECT_EQ(P("%s", "x"), "no match");
}

TEST(TimeFormatTest, UnixFormats) {
  EXPECT_EQ(P("unix", "1795515330"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("unix", "1795515330.123"), "2026-11-24T10:15:30.123000000Z");
  EXPECT_EQ(P("unix", "1795515330.123456789123"), "2026-11-24T10:15:30.123456789Z");
  EXPECT_EQ(P("unix", "1.7955153301e9"), "2026-11-24T10:15:30.100000000Z");
  EXPECT_EQ(P("unix", "17955153301E-1"), "2026-11-24T10:15:30.100000000Z");
  EXPECT_EQ(P("unix", "-1.5"), "1969-12-31T23:59:58.500000000Z");
  EXPECT_EQ(P("unix", "0"), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(P("unix", "-0"), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(P("unix", ".5"), "1970-01-01T00:00:00.500000000Z");
  EXPECT_EQ(P("unix", "5."), "1970-01-01T00:00:05.000000000Z");
  EXPECT_EQ(P("unix", "0e999999999999"), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(P("unix_ms", "1795515330123"), "2026-11-24T10:15:30.123000000Z");
  EXPECT_EQ(P("unix_ms", "1795515330123.456"), "2026-11-24T10:15:30.123456000Z");
  EXPECT_EQ(P("unix_us", "1795515330123456"), "2026-11-24T10:15:30.123456000Z");
  EXPECT_EQ(P("unix_us", "1795515330123456.7"), "2026-11-24T10:15:30.123456700Z");
  EXPECT_EQ(P("unix_ns", "1795515330123456789"), "2026-11-24T10:15:30.123456789Z");
  EXPECT_EQ(P("unix_ns", "1795515330123456789.9"), "2026-11-24T10:15:30.123456789Z");
  EXPECT_EQ(P("unix_ns", "9223372036854775807"), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(P("unix_ns", "-9223372036854775808"), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(P("unix_ns", "9223372036854775808"), "out of range");
  EXPECT_EQ(P("unix_ns", "-9223372036854775809"), "out of range");
  EXPECT_EQ(P("unix", "9223372037"), "out of range");
  EXPECT_EQ(P("unix", "1e400"), "out of range");
  EXPECT_EQ(P("unix", "1e-400"), "1970-01-01T00:00:00.000000000Z");
  for (const char* text : {"", "-", ".", "-.", "e5", "1e", "1e+", "1.2.3", "12a", " 12", "12 ",
                           "+12", "0x10", "nan", "inf", "1,5", "null", "true"}) {
    EXPECT_EQ(P("unix", text), "no match") << text;
  }
}

TEST(TimeFormatTest, TimeZonesWithoutOffset) {
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30", "Europe/Berlin"), "2026-11-24T09:15:30.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-07-01T10:00:00", "Europe/Berlin"), "2026-07-01T08:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-07-01T10:00:00", "America/New_York"),
            "2026-07-01T14:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30", "Asia/Kolkata"), "2026-11-24T04:45:30.000000000Z");
  EXPECT_EQ(P("%Y-%m-%d %H:%M:%S", "2026-11-24 10:15:30", "Australia/Lord_Howe"),
            "2026-11-23T23:15:30.000000000Z");  // +11:00 in summer (a 30-minute DST)
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30", "Nowhere/Atlantis"),
            "zone error: time zone 'Nowhere/Atlantis': unknown (not in the system tzdata, "
            "/usr/share/zoneinfo)");
  EXPECT_EQ(P("iso8601", "2026-11-24T10:15:30", "../../etc/passwd"),
            "zone error: time zone '../../etc/passwd': not a time zone name");
}

TEST(TimeFormatTest, BerlinDstTransitions) {
  const std::string z = "Europe/Berlin";
  // Spring: 02:00 CET becomes 03:00 CEST on 2026-03-29; 02:xx does not exist.
  EXPECT_EQ(P("iso8601", "2026-03-29T01:59:59", z), "2026-03-29T00:59:59.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-03-29T02:00:00", z), "2026-03-29T01:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-03-29T02:30:00", z), "2026-03-29T01:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-03-29T03:00:00", z), "2026-03-29T01:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-03-29T03:30:00", z), "2026-03-29T01:30:00.000000000Z");
  // Autumn: 03:00 CEST becomes 02:00 CET on 2026-10-25; 02:xx happens twice: the first (CEST).
  EXPECT_EQ(P("iso8601", "2026-10-25T01:59:59", z), "2026-10-24T23:59:59.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-10-25T02:00:00", z), "2026-10-25T00:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-10-25T02:30:00", z), "2026-10-25T00:30:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-10-25T02:59:59.999", z), "2026-10-25T00:59:59.999000000Z");
  EXPECT_EQ(P("iso8601", "2026-10-25T03:00:00", z), "2026-10-25T02:00:00.000000000Z");
  // With an offset the ambiguity is gone.
  EXPECT_EQ(P("iso8601", "2026-10-25T02:30:00+01:00", z), "2026-10-25T01:30:00.000000000Z");
}

TEST(TimeFormatTest, NewYorkDstTransitions) {
  const std::string z = "America/New_York";
  EXPECT_EQ(P("iso8601", "2026-03-08T01:59:59", z), "2026-03-08T06:59:59.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-03-08T02:30:00", z), "2026-03-08T07:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-03-08T03:00:00", z), "2026-03-08T07:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-01T00:59:59", z), "2026-11-01T04:59:59.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-01T01:30:00", z), "2026-11-01T05:30:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2026-11-01T02:00:00", z), "2026-11-01T07:00:00.000000000Z");
}

// The per-hour cache must give exactly what cctz gives, whatever order times arrive in.
TEST(TimeFormatTest, ConverterMatchesCctzEveryQuarterHour) {
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                           "Asia/Kathmandu", "America/Sao_Paulo"}) {
    SCOPED_TRACE(name);
    Result<TimeZoneConverter> zone = TimeZoneConverter::Load(name);
    ASSERT_TRUE(zone.ok());
    cctz::time_zone tz;
    ASSERT_TRUE(cctz::load_time_zone(name, &tz));
    const cctz::civil_second epoch(1970, 1, 1, 0, 0, 0);
    const int64_t start = cctz::civil_second(2025, 1, 1, 0, 0, 0) - epoch;
    const int64_t end = cctz::civil_second(2027, 1, 1, 0, 0, 0) - epoch;
    int mismatches = 0;
    for (int pass = 0; pass < 2; ++pass) {  // cold, then warm in the other direction
      for (int64_t i = 0; i <= (end - start) / 900; ++i) {
        int64_t civil = pass == 0 ? start + i * 900 : end - i * 900;
        civil += 7;  // not always on the hour
        int64_t expected = cctz::convert(epoch + civil, tz).time_since_epoch().count();
        if (zone->ToUnixSeconds(civil) != expected && ++mismatches < 5) {
          ADD_FAILURE() << "civil " << civil << ": " << zone->ToUnixSeconds(civil) << " vs "
                        << expected;
        }
        int64_t unix = start + i * 900 - 3 * 3600;
        int64_t expected_civil =
            (cctz::convert(cctz::time_point<cctz::seconds>(cctz::seconds(unix)), tz) - epoch);
        if (zone->ToCivilSeconds(unix) != expected_civil && ++mismatches < 5) {
          ADD_FAILURE() << "unix " << unix;
        }
      }
    }
    EXPECT_EQ(mismatches, 0);
  }
}

TEST(TimeFormatTest, Before1970AndTheEdgesOfInt64) {
  EXPECT_EQ(P("iso8601", "1969-12-31T23:59:59.5Z"), "1969-12-31T23:59:59.500000000Z");
  EXPECT_EQ(At("1969-12-31T23:59:59.5Z"), -500'000'000);
  EXPECT_EQ(P("iso8601", "1900-01-01T00:00:00Z"), "1900-01-01T00:00:00.000000000Z");
  EXPECT_EQ(P("%d/%b/%Y:%H:%M:%S %z", "20/Jul/1969:20:17:40 +0000"),
            "1969-07-20T20:17:40.000000000Z");
  // Berlin in 1950 (CET, no DST that year) and 1945 (double summer time, +03:00 in June).
  EXPECT_EQ(P("iso8601", "1950-06-01T12:00:00", "Europe/Berlin"), "1950-06-01T11:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "1945-06-01T12:00:00", "Europe/Berlin"), "1945-06-01T09:00:00.000000000Z");
  // int64 nanoseconds: 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z.
  EXPECT_EQ(P("iso8601", "1677-09-21T00:12:44Z"), "1677-09-21T00:12:44.000000000Z");
  EXPECT_EQ(P("iso8601", "1677-09-21T00:12:43.145224192Z"), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(P("iso8601", "1677-09-21T00:12:43.145224191Z"), "out of range");
  EXPECT_EQ(P("iso8601", "2262-04-11T23:47:16.854775807Z"), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(P("iso8601", "2262-04-11T23:47:16.854775808Z"), "out of range");
  EXPECT_EQ(P("iso8601", "9999-12-31T23:59:59.999999999Z"), "out of range");
  EXPECT_EQ(P("iso8601", "9999-12-31T23:59:59", "Europe/Berlin"), "out of range");
  EXPECT_EQ(P("iso8601", "0000-01-01T00:00:00Z"), "out of range");
  EXPECT_EQ(P("%Y-%m-%d", "1-1-1"), "out of range");
  EXPECT_EQ(P("%Y-%m-%d", "9999-12-31"), "out of range");
  EXPECT_EQ(P("iso8601", "2262-04-12T01:00:00+02:00"), "2262-04-11T23:00:00.000000000Z");
  EXPECT_EQ(P("iso8601", "2262-04-11T23:00:00-01:00"), "out of range");
}

TEST(TimeFormatTest, SyslogYearInference) {
  EXPECT_EQ(P("rfc3164", "Nov 24 10:15:30"), "2026-11-24T10:15:30.000000000Z");
  EXPECT_EQ(P("rfc3164", "Nov  4 10:15:30"), "2026-11-04T10:15:30.000000000Z");
  EXPECT_EQ(P("rfc3164", "Nov 4 10:15:30"), "2026-11-04T10:15:30.000000000Z");
  EXPECT_EQ(P("rfc3164", "Nov 24 10:15:30.123456"), "2026-11-24T10:15:30.123456000Z");
  EXPECT_EQ(P("rfc3164", "Jan  1 00:00:00"), "2026-01-01T00:00:00.000000000Z");
  // The writer's clock slightly ahead of ours: still this year, up to 31 days ahead.
  EXPECT_EQ(P("rfc3164", "Nov 24 10:16:00"), "2026-11-24T10:16:00.000000000Z");
  EXPECT_EQ(P("rfc3164", "Dec 24 10:15:30"), "2026-12-24T10:15:30.000000000Z");
  EXPECT_EQ(P("rfc3164", "Dec 26 10:15:30"), "2025-12-26T10:15:30.000000000Z");
  EXPECT_EQ(P("rfc3164", "Nov 31 10:15:30"), "no match");
  EXPECT_EQ(P("rfc3164", "Nov 24 10:15"), "no match");
  // Feb 29 goes back to the last leap year.
  EXPECT_EQ(P("rfc3164", "Feb 29 12:00:00"), "2024-02-29T12:00:00.000000000Z");
  // The format's own offset sets the wall clock the year is read on.
  EXPECT_EQ(P("%b %d %H:%M:%S %z", "Nov 24 10:15:30 +0100"), "2026-11-24T09:15:30.000000000Z");
}

TEST(TimeFormatTest, SyslogYearAcrossNewYear) {
  // Written on Dec 31 just before midnight, read just after: last year.
  EXPECT_EQ(P("rfc3164", "Dec 31 23:59:59", "UTC", At("2027-01-01T00:00:05Z")),
            "2026-12-31T23:59:59.000000000Z");
  // Written just after midnight by a clock a little ahead of ours (read on Dec 31): next year.
  EXPECT_EQ(P("rfc3164", "Jan  1 00:00:01", "UTC", At("2026-12-31T23:59:58Z")),
            "2027-01-01T00:00:01.000000000Z");
  // Replayed old logs: December read in January, last year; January read in December, this year.
  EXPECT_EQ(P("rfc3164", "Dec  1 08:00:00", "UTC", At("2027-01-10T00:00:00Z")),
            "2026-12-01T08:00:00.000000000Z");
  EXPECT_EQ(P("rfc3164", "Jan  5 08:00:00", "UTC", At("2026-12-31T12:00:00Z")),
            "2027-01-05T08:00:00.000000000Z");  // within 31 days ahead: next year
  EXPECT_EQ(P("rfc3164", "Feb  5 08:00:00", "UTC", At("2026-12-31T12:00:00Z")),
            "2026-02-05T08:00:00.000000000Z");
  // The year is read on the zone's wall clock: 2026-12-31T23:30Z is already 2027 in Berlin.
  EXPECT_EQ(P("rfc3164", "Jan  1 00:20:00", "Europe/Berlin", At("2026-12-31T23:30:00Z")),
            "2026-12-31T23:20:00.000000000Z");
  EXPECT_EQ(P("rfc3164", "Dec 31 23:50:00", "Europe/Berlin", At("2026-12-31T23:30:00Z")),
            "2026-12-31T22:50:00.000000000Z");
  // In New York it is still 2026 at 2027-01-01T03:00Z.
  EXPECT_EQ(P("rfc3164", "Dec 31 21:59:00", "America/New_York", At("2027-01-01T03:00:00Z")),
            "2027-01-01T02:59:00.000000000Z");
}

TEST(TimeFormatTest, CompileErrors) {
  EXPECT_EQ(CompileError("%Y-%m-%d"), "ok");
  EXPECT_EQ(CompileError("%Y-%Q-%d"),
            "format '%Y-%Q-%d': unknown conversion '%Q' at position 4 (known: %Y %y %m %d %e %j "
            "%b %B %h %a %A %H %I %p %M %S %E*S %f %z %Z %s %T %F %D %R %n %t %%)");
  EXPECT_EQ(CompileError("%Y-%m-%d %"),
            "format '%Y-%m-%d %': '%' at the end (write %% for a literal '%')");
  EXPECT_EQ(CompileError("%Y-%m-%d %Ex").substr(0, 52),
            "format '%Y-%m-%d %Ex': unknown conversion '%Ex' at p");
  EXPECT_EQ(CompileError("iso8061"),
            "format 'iso8061': unknown named format (known: iso8601, rfc3339, unix, unix_ms, "
            "unix_us, unix_ns, rfc3164, nginx; strptime-style formats use %Y, %m, ...)");
  EXPECT_NE(CompileError(""), "ok");
  EXPECT_EQ(CompileError("%H:%M:%S"),
            "format '%H:%M:%S': has no date: it needs a month (%m, %b) and a day (%d, %e), or a "
            "day of the year (%j), or Unix seconds (%s)");
  EXPECT_NE(CompileError("%Y-%m"), "ok");
  for (const char* ok : {"iso8601", "rfc3339", "unix", "unix_ms", "unix_us", "unix_ns", "rfc3164",
                         "nginx", "%s", "%Y-%j", "%b %d", "%F %T%z", "%e %B %Y %I%p"}) {
    EXPECT_EQ(CompileError(ok), "ok") << ok;
  }
}

}  // namespace
}  // namespace logship
