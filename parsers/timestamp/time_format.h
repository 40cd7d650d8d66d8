// SPDX-License-Identifier: Apache-2.0
#pragma once

// TimeFormat is one timestamp format compiled at load time into a small program (strptime-style
// conversions, or a named format such as `iso8601`), and the parser that runs it over one string
// without allocating. TimeZoneConverter turns the civil (wall-clock) time a format read into Unix
// time for an IANA zone, through cctz and the system tzdata, caching one answer per civil hour so
// the zone is consulted rarely. A TimeFormat is immutable and may be shared; a TimeZoneConverter
// keeps a cache and belongs to one thread. cctz types never leave time_format.cc.
//
//   Result<TimeFormat> f = TimeFormat::Compile("%d/%b/%Y:%H:%M:%S %z");
//   Result<TimeZoneConverter> berlin = TimeZoneConverter::Load("Europe/Berlin");
//   ParsedTime t = f->Parse("24/Nov/2026:10:15:30 +0100", *berlin, read_time_ns);
//   if (t.status == TimeParseStatus::kOk) use(t.unix_nanos);

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/result.h"

namespace logship {

// Maps civil times of one time zone to Unix seconds and back. Civil times are counted in
// "civil seconds": seconds since 1970-01-01T00:00:00 on the zone's wall clock, so the Unix
// time of a civil time is its civil seconds minus the zone's UTC offset at that moment.
// A civil time in a repeated hour (autumn) maps to the earlier instant; a civil time in a
// skipped hour (spring) maps to the instant of the transition (cctz::convert's choice), e.g.
// Europe/Berlin 2026-03-29T02:30 -> 03:00 CEST = 01:00Z. Not thread-safe (the cache).
class TimeZoneConverter {
 public:
  // Loads an IANA zone ("UTC", "Europe/Berlin") from the system tzdata (/usr/share/zoneinfo, or
  // $TZDIR). NotFound when the zone does not exist or the name is not a zone name.
  static Result<TimeZoneConverter> Load(std::string_view name);
  static TimeZoneConverter Utc();

  TimeZoneConverter(TimeZoneConverter&&) noexcept;
  TimeZoneConverter& operator=(TimeZoneConverter&&) noexcept;
  ~TimeZoneConverter();

  const std::string& name() const { return name_; }
  bool is_utc() const { return utc_; }

  // Unix seconds of the civil time `civil_seconds` in this zone (see the class comment).
  int64_t ToUnixSeconds(int64_t civil_seconds) {
    if (utc_) return civil_seconds;
    const int64_t hour = FloorDiv(civil_seconds, 3600);
    const CacheEntry& e = to_unix_[static_cast<uint64_t>(hour) % kCacheSize];
    if (e.hour == hour) return civil_seconds - e.offset;
    return ToUnixSlow(civil_seconds, hour);
  }
  // Civil seconds of the instant `unix_seconds` on this zone's wall clock.
  int64_t ToCivilSeconds(int64_t unix_seconds) {
    if (utc_) return unix_seconds;
    const int64_t hour = FloorDiv(unix_seconds, 3600);
    const CacheEntry& e = to_civil_[static_cast<uint64_t>(hour) % kCacheSize];
    if (e.hour == hour) return unix_seconds + e.offset;
    return ToCivilSlow(unix_seconds, hour);
  }

  static int64_t FloorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
  }

 private:
  struct Zone;  // the cctz::time_zone
  static constexpr size_t kCacheSize = 16;
  struct CacheEntry {
    int64_t hour = INT64_MIN;  // hour number (civil or Unix) the offset holds for, throughout
    int64_t offset = 0;        // seconds east of UTC
  };

  TimeZoneConverter(std::string name, std::unique_ptr<Zone> zone);
  int64_t ToUnixSlow(int64_t civil_seconds, int64_t hour);
  int64_t ToCivilSlow(int64_t unix_seconds, int64_t hour);

  std::string name_;
  bool utc_ = false;
  std::unique_ptr<Zone> zone_;
  std::array<CacheEntry, kCacheSize> to_unix_{};
  std::array<CacheEntry, kCacheSize> to_civil_{};
};

enum class TimeParseStatus : uint8_t {
  kOk,
  kNoMatch,     // the text does not have the format (or names an impossible date)
  kOutOfRange,  // a valid time that int64 Unix nanoseconds cannot hold (before 1677, after 2262)
};

struct ParsedTime {
  TimeParseStatus status = TimeParseStatus::kNoMatch;
  int64_t unix_nanos = 0;
};

// Conversions of a strptime-style format (the whole text must match):
//   %Y year (1-4 digits)   %y 2-digit year (69-99: 19xx, 00-68: 20xx)   %m month   %d day
//   %e day, space-padded   %j day of year   %b %h %B English month name, full or abbreviated,
//   any case   %a %A weekday name (checked, ignored)   %H hour   %I hour (12-hour) with %p AM/PM
//   %M minute   %S second (0-60), then an optional fraction (".5", ",123456789123": any length,
//   truncated past nanoseconds) unless the format itself continues with '.' or ','   %E*S same
//   %f fraction digits   %z offset: Z, +hh, +hhmm, +hh:mm   %Z UTC, GMT or Z (other names do
//   not match)   %s Unix seconds   %T = %H:%M:%S   %F = %Y-%m-%d   %D = %m/%d/%y   %R = %H:%M
//   %n %t whitespace   %% a '%'. A space matches one or more spaces or tabs; other characters
//   match themselves. Numbers take up to their width in digits (at least one).
// Named formats: iso8601 (alias rfc3339): any RFC 3339 date-time ('T', 't' or ' ' separator,
// fraction of any length, Z or +hh:mm or +hhmm or +hh) and also a date-time without an offset or
// without seconds, or a date alone; unix, unix_ms, unix_us, unix_ns: an integer or decimal
// number ("1732443330.123", "-1.5", "1.7e9") of that unit; rfc3164 = "%b %e %H:%M:%S" (syslog,
// no year); nginx = "%d/%b/%Y:%H:%M:%S %z" (also Apache's common log time).
// A format without a year takes it from the reference time (see Parse).
class TimeFormat {
 public:
  // Compiles `spec`. InvalidArgument naming the problem: an unknown conversion and where it is,
  // a '%' at the end, an unknown named format, a format with no date in it.
  static Result<TimeFormat> Compile(std::string_view spec);

  // Parses all of `text`. Times without an offset in the text are civil times in `zone`. When the
  // format has no year, the year is the one of `reference_unix_nanos` (the event's read time) on
  // the zone's wall clock, except that the result may not lie more than 31 days after the
  // reference: the latest year that satisfies this is chosen (so "Dec 31 23:59:59" read on Jan 1
  // is last year's, and "Jan 1 00:00:01" read on Dec 31 at 23:59:58 is next year's).
  // Never allocates.
  ParsedTime Parse(std::string_view text, TimeZoneConverter& zone,
                   int64_t reference_unix_nanos) const;

  const std::string& spec() const { return spec_; }

  // How far after the reference time a yearless time may lie.
  static constexpr int64_t kYearInferenceFutureSeconds = 31 * 86400;

 private:
  enum class Kind : uint8_t { kProgram, kIso8601, kUnix };
  enum class OpKind : uint8_t;
  struct Op {
    OpKind kind;
    char literal = 0;   // kLiteral: the character
    bool flag = false;  // kSecond: may take a fraction
  };
  struct Fields;

  TimeFormat() = default;
  Status AppendOps(std::string_view program, std::string_view spec, size_t offset);
  ParsedTime RunProgram(std::string_view text, TimeZoneConverter& zone,
                        int64_t reference_unix_nanos) const;
  bool RunOp(const Op& op, const char*& p, const char* end, Fields& f) const;
  ParsedTime Finish(const Fields& f, TimeZoneConverter& zone, int64_t reference_unix_nanos) const;

  std::string spec_;
  Kind kind_ = Kind::kProgram;
  int unix_shift_ = 9;  // kUnix: decimal digits from the unit to nanoseconds (s 9, ms 6, us 3)
  std::vector<Op> ops_;
  bool has_year_ = false;
  bool has_month_day_ = false;
  bool has_year_day_ = false;
  bool has_epoch_ = false;
  bool has_hour12_ = false;
};

}  // namespace logship
