// SPDX-License-Identifier: Apache-2.0
// The timestamp parser (parsers/timestamp/time_format.h) on arbitrary text. The first byte picks a
// format, a zone and a read time; the rest is parsed. Aborts on any inconsistency:
// - a success whose instant, written by TimestampFormatter, is not canonical ISO-8601 or does not
//   parse back (iso8601, UTC) to the same nanosecond;
// - a result that differs between a zone converter with a warm cache and a fresh one;
// - a yearless time more than 31 days after its read time;
// - the zone converter disagreeing with cctz itself on the civil time taken from the input.

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/timestamp/time_format.h"
#include "src/event/timestamp.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

using logship::ParsedTime;
using logship::TimeFormat;
using logship::TimeParseStatus;
using logship::TimeZoneConverter;

constexpr const char* kFormats[] = {"iso8601",
                                    "unix",
                                    "unix_ms",
                                    "unix_us",
                                    "unix_ns",
                                    "rfc3164",
                                    "nginx",
                                    "%Y-%m-%dT%H:%M:%S%z",
                                    "%Y-%m-%d %H:%M:%S.%f",
                                    "[%d/%b/%Y:%H:%M:%S %z]",
                                    "%a, %d %b %Y %H:%M:%S %Z",
                                    "%m/%d/%Y %I:%M:%S %p",
                                    "%Y-%j %T",
                                    "%s.%f",
                                    "%Y%m%d%H%M%S",
                                    "%b %e %H:%M:%S %z",
                                    "%e %B %y %H:%M:%E*S",
                                    "%F %T%z"};
constexpr int kFormatCount = sizeof(kFormats) / sizeof(kFormats[0]);
constexpr const char* kZones[] = {"UTC", "Europe/Berlin", "America/New_York"};
constexpr int kZoneCount = 3;
constexpr int64_t kReadTimes[] = {
    1795515330LL * 1'000'000'000,        // 2026-11-24T10:15:30Z
    1798761598LL * 1'000'000'000,        // 2026-12-31T23:59:58Z
    1798761605LL * 1'000'000'000 + 123,  // 2027-01-01T00:00:05Z
    -1'000'000'000LL * 1'000'000'000,    // 1938-04-24T22:13:20Z
};
constexpr int kReadTimeCount = 4;

struct Fixture {
  std::vector<TimeFormat> formats;
  std::vector<TimeZoneConverter> zones;  // warm: shared by every input
  std::vector<cctz::time_zone> cctz_zones;
  TimeFormat iso = TimeFormat::Compile("iso8601").value();
  TimeZoneConverter utc = TimeZoneConverter::Utc();

  Fixture() {
    for (const char* f : kFormats) formats.push_back(TimeFormat::Compile(f).value());
    for (const char* z : kZones) {
      zones.push_back(TimeZoneConverter::Load(z).value());
      cctz::time_zone tz;
      if (!cctz::load_time_zone(z, &tz)) std::abort();
      cctz_zones.push_back(tz);
    }
  }
};

Fixture& GetFixture() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

bool Digits(std::string_view s, size_t pos, size_t n) {
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}
int Num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" with every field in range.
bool CanonicalIso(std::string_view s) {
  if (s.size() != 30 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[29] != 'Z') {
    return false;
  }
  if (!Digits(s, 0, 4) || !Digits(s, 5, 2) || !Digits(s, 8, 2) || !Digits(s, 11, 2) ||
      !Digits(s, 14, 2) || !Digits(s, 17, 2) || !Digits(s, 20, 9)) {
    return false;
  }
  int year = Num(s, 0, 4);
  int month = Num(s, 5, 2);
  int day = Num(s, 8, 2);
  return year >= 1677 && year <= 2262 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
         Num(s, 11, 2) <= 23 && Num(s, 14, 2) <= 59 && Num(s, 17, 2) <= 59;
}

bool Same(const ParsedTime& a, const ParsedTime& b) {
  return a.status == b.status && (a.status != TimeParseStatus::kOk || a.unix_nanos == b.unix_nanos);
}

// The converter against cctz, on a civil time and an instant taken from the input's bytes.
void CheckConverter(Fixture& fx, int zone, std::string_view text) {
  uint64_t bits = 0;
  std::memcpy(&bits, text.data(), std::min<size_t>(text.size(), sizeof(bits)));
  // Years 1600 to 2400, in seconds around 1970.
  constexpr int64_t kSpan = 800LL * 366 * 86400;
  const int64_t value =
      static_cast<int64_t>(bits % static_cast<uint64_t>(kSpan)) - 370LL * 366 * 86400;
  const cctz::civil_second epoch(1970, 1, 1, 0, 0, 0);
  const int64_t expected_unix =
      cctz::convert(epoch + value, fx.cctz_zones[zone]).time_since_epoch().count();
  if (fx.zones[zone].ToUnixSeconds(value) != expected_unix) std::abort();
  const int64_t expected_civil =
      cctz::convert(cctz::time_point<cctz::seconds>(cctz::seconds(value)), fx.cctz_zones[zone]) -
      epoch;
  if (fx.zones[zone].ToCivilSeconds(value) != expected_civil) std::abort();
}

}  // namespace

LOGSHIP_FUZZ_TARGET(timestamp_parser) {
  if (size < 1) return 0;
  Fixture& fx = GetFixture();
  const int format = data[0] % kFormatCount;
  const int zone = (data[0] / kFormatCount) % kZoneCount;
  const int64_t read_time = kReadTimes[(data[0] / (kFormatCount * kZoneCount)) % kReadTimeCount];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const TimeFormat& f = fx.formats[format];
  const ParsedTime warm = f.Parse(text, fx.zones[zone], read_time);
  TimeZoneConverter fresh = TimeZoneConverter::Load(kZones[zone]).value();
  if (!Same(warm, f.Parse(text, fresh, read_time))) std::abort();
  if (!Same(warm, f.Parse(text, fx.zones[zone], read_time))) std::abort();

  if (warm.status == TimeParseStatus::kOk) {
    logship::TimestampFormatter formatter;
    char buf[logship::TimestampFormatter::kMaxLength];
    char* end = formatter.Format(warm.unix_nanos, logship::TimePrecision::kNanos, buf);
    const std::string_view iso(buf, static_cast<size_t>(end - buf));
    if (!CanonicalIso(iso)) std::abort();
    const ParsedTime back = fx.iso.Parse(iso, fx.utc, 0);
    if (back.status != TimeParseStatus::kOk || back.unix_nanos != warm.unix_nanos) std::abort();
    // Yearless formats never land more than 31 days after the read time.
    const std::string_view spec = kFormats[format];
    if (spec == "rfc3164" || spec == "%b %e %H:%M:%S %z") {
      const int64_t ahead = warm.unix_nanos / 1'000'000'000 - read_time / 1'000'000'000;
      if (ahead > TimeFormat::kYearInferenceFutureSeconds + 1) std::abort();
    }
  }
  CheckConverter(fx, zone, text);
  return 0;
}
