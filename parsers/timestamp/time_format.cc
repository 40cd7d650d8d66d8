// SPDX-License-Identifier: Apache-2.0
#include "parsers/timestamp/time_format.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <algorithm>
#include <utility>

#include "src/base/status_macros.h"

namespace logship {

struct TimeZoneConverter::Zone {
  cctz::time_zone tz;
};

// The conversions a program is made of; see the table in time_format.h.
enum class TimeFormat::OpKind : uint8_t {
  kLiteral,    // one character, exactly
  kSpace,      // one or more spaces or tabs
  kYear,       // %Y
  kYear2,      // %y
  kMonth,      // %m
  kMonthName,  // %b %h %B
  kDay,        // %d
  kDaySpace,   // %e
  kYearDay,    // %j
  kHour,       // %H
  kHour12,     // %I
  kAmPm,       // %p
  kMinute,     // %M
  kSecond,     // %S %E*S
  kFraction,   // %f
  kWeekday,    // %a %A
  kOffset,     // %z %Ez %:z
  kZoneName,   // %Z
  kEpoch,      // %s
};

// What a program read from one string.
struct TimeFormat::Fields {
  int year = 1970;
  int month = 1;
  int day = 1;
  int year_day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int32_t nanos = 0;
  bool pm = false;
  bool has_offset = false;
  int32_t offset = 0;  // seconds east of UTC
  int64_t epoch = 0;
  bool epoch_overflow = false;
};

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86400;

// --- Calendar arithmetic (proleptic Gregorian; H. Hinnant's days_from_civil) ---

constexpr bool IsLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr int DaysInMonth(int64_t y, int m) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of the civil date y-m-d.
constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The civil year of the day `days` since 1970-01-01.
constexpr int64_t YearFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2);
}
static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);
static_assert(YearFromDays(-1) == 1969 && YearFromDays(0) == 1970 && YearFromDays(11016) == 2000);

// Unix nanoseconds of `seconds` + `nanos`; false when int64 cannot hold them.
// REQUIRES: 0 <= nanos < 1e9.
bool ToNanos(int64_t seconds, int64_t nanos, int64_t* out) {
  if (seconds < 0 && nanos > 0) {
    // The earliest representable second (-9223372037) holds nanos only from .145224192 up.
    ++seconds;
    nanos -= kNanosPerSecond;
  }
  int64_t r = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &r)) return false;
  return !__builtin_add_overflow(r, nanos, out);
}

ParsedTime Ok(int64_t nanos) { return ParsedTime{TimeParseStatus::kOk, nanos}; }
constexpr ParsedTime kNoMatch{TimeParseStatus::kNoMatch, 0};
constexpr ParsedTime kOutOfRange{TimeParseStatus::kOutOfRange, 0};

// --- cctz glue ---

using Seconds = cctz::time_point<cctz::seconds>;
Seconds AsTimePoint(int64_t unix_seconds) { return Seconds(cctz::seconds(unix_seconds)); }
int64_t UnixSeconds(const Seconds& tp) { return tp.time_since_epoch().count(); }
cctz::civil_second AsCivil(int64_t civil_seconds) {
  return cctz::civil_second(1970, 1, 1, 0, 0, civil_seconds);
}

// True for names that look like IANA zone names ("Europe/Berlin", "Etc/GMT+2"), so that a name
// can never reach outside the zoneinfo directory.
bool IsZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
  if (name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+' || c == '.';
  });
}

// --- Scanning ---

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Reads 1 to `max_digits` digits.
inline bool ReadNumber(const char*& p, const char* end, int max_digits, int* out) {
  int v = 0;
  int n = 0;
  while (n < max_digits && p < end && IsDigit(*p)) {
    v = v * 10 + (*p - '0');
    ++p;
    ++n;
  }
  *out = v;
  return n > 0;
}

// Reads exactly `digits` digits.
inline bool ReadFixed(const char*& p, const char* end, int digits, int* out) {
  if (end - p < digits) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    if (!IsDigit(p[i])) return false;
    v = v * 10 + (p[i] - '0');
  }
  p += digits;
  *out = v;
  return true;
}

// Reads fraction digits (at least one, any number); keeps nanoseconds, truncating the rest.
inline bool ReadFraction(const char*& p, const char* end, int32_t* nanos) {
  static constexpr int32_t kScale[10] = {0,     100000000, 10000000, 1000000, 100000,
                                         10000, 1000,      100,      10,      1};
  int32_t v = 0;
  int n = 0;
  while (p < end && IsDigit(*p)) {
    if (n < 9) v = v * 10 + (*p - '0');
    ++n;
    ++p;
  }
  if (n == 0) return false;
  *nanos = v * kScale[std::min(n, 9)];
  return true;
}

// Case-insensitive: does `text` start with `word` (lower-case)?
inline bool StartsWithWord(const char* p, const char* end, std::string_view word) {
  if (end - p < static_cast<std::ptrdiff_t>(word.size())) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Lower(p[i]) != word[i]) return false;
  }
  return true;
}

// The first three letters of a name, lower-cased, as one number.
constexpr uint32_t Key3(char a, char b, char c) {
  return static_cast<uint32_t>(static_cast<unsigned char>(a)) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b)) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(c));
}

// Reads an English name from `names` (lower-case), full or abbreviated to three letters.
template <size_t N>
inline bool ReadName(const char*& p, const char* end, const std::string_view (&names)[N],
                     int* index) {
  if (end - p < 3) return false;
  const uint32_t key = Key3(Lower(p[0]), Lower(p[1]), Lower(p[2]));
  for (size_t i = 0; i < N; ++i) {
    if (key != Key3(names[i][0], names[i][1], names[i][2])) continue;
    p += 3;
    std::string_view rest = names[i].substr(3);
    if (!rest.empty() && StartsWithWord(p, end, rest)) p += rest.size();
    *index = static_cast<int>(i);
    return true;
  }
  return false;
}

constexpr std::string_view kMonthNames[12] = {"january",   "february", "march",    "april",
                                              "may",       "june",     "july",     "august",
                                              "september", "october",  "november", "december"};
constexpr std::string_view kWeekdayNames[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                               "friday", "saturday", "sunday"};

// Reads a UTC offset: Z, z, +hh, +hhmm, +hh:mm (or '-').
inline bool ReadOffset(const char*& p, const char* end, int32_t* offset) {
  if (p == end) return false;
  if (*p == 'Z' || *p == 'z') {
    ++p;
    *offset = 0;
    return true;
  }
  if (*p != '+' && *p != '-') return false;
  const int sign = *p == '-' ? -1 : 1;
  ++p;
  int hh = 0;
  int mm = 0;
  if (!ReadFixed(p, end, 2, &hh)) return false;
  if (p < end && *p == ':') {
    ++p;
    if (!ReadFixed(p, end, 2, &mm)) return false;
  } else if (end - p >= 2 && IsDigit(p[0]) && IsDigit(p[1])) {
    ReadFixed(p, end, 2, &mm);
  }
  if (hh > 23 || mm > 59) return false;
  *offset = sign * (hh * 3600 + mm * 60);
  return true;
}

// Reads a zone name that means UTC: UTC, GMT or Z, in any case. Other names (CET, PST) are
// ambiguous or need a date to resolve, so they do not match.
inline bool ReadUtcName(const char*& p, const char* end) {
  const char* begin = p;
  while (p < end && p - begin < 4 && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))) ++p;
  const size_t n = static_cast<size_t>(p - begin);
  return (n == 1 && Lower(*begin) == 'z') ||
         (n == 3 && (StartsWithWord(begin, p, "utc") || StartsWithWord(begin, p, "gmt")));
}

// Reads Unix seconds: an optional '-' and digits. Sets *overflow when int64 cannot hold them.
inline bool ReadEpoch(const char*& p, const char* end, int64_t* epoch, bool* overflow) {
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  if (p == end || !IsDigit(*p)) return false;
  int64_t v = 0;
  while (p < end && IsDigit(*p)) {
    const int d = *p - '0';
    if (__builtin_mul_overflow(v, int64_t{10}, &v) ||
        __builtin_add_overflow(v, negative ? -d : d, &v)) {
      *overflow = true;
    }
    ++p;
  }
  *epoch = v;
  return true;
}

// RFC 3339 (and the ISO 8601 forms around it): date [sep time [fraction] [offset]].
ParsedTime ParseIso8601(std::string_view text, TimeZoneConverter& zone) {
  const char* p = text.data();
  const char* end = p + text.size();
  int year = 0;
  int month = 0;
  int day = 0;
  if (!ReadFixed(p, end, 4, &year) || p == end || *p++ != '-' || !ReadFixed(p, end, 2, &month) ||
      p == end || *p++ != '-' || !ReadFixed(p, end, 2, &day)) {
    return kNoMatch;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return kNoMatch;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int32_t nanos = 0;
  int32_t offset = 0;
  bool has_offset = false;
  if (p != end) {
    if (*p != 'T' && *p != 't' && *p != ' ') return kNoMatch;
    ++p;
    if (!ReadFixed(p, end, 2, &hour) || p == end || *p++ != ':' || !ReadFixed(p, end, 2, &minute)) {
      return kNoMatch;
    }
    if (p != end && *p == ':') {
      ++p;
      if (!ReadFixed(p, end, 2, &second)) return kNoMatch;
      if (p != end && (*p == '.' || *p == ',')) {
        ++p;
        if (!ReadFraction(p, end, &nanos)) return kNoMatch;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return kNoMatch;
    if (p != end) {
      if (!ReadOffset(p, end, &offset) || p != end) return kNoMatch;
      has_offset = true;
    }
  }
  const int64_t civil =
      DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  const int64_t seconds = has_offset ? civil - offset : zone.ToUnixSeconds(civil);
  int64_t out = 0;
  if (!ToNanos(seconds, nanos, &out)) return kOutOfRange;
  return Ok(out);
}

// A decimal number of `shift` decimal digits above nanoseconds: "1732443330.123" (s: shift 9),
// "-1.5", "1.7e9". Digits past nanoseconds are truncated.
ParsedTime ParseUnix(std::string_view text, int shift) {
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = false;
  if (p != end && *p == '-') {
    negative = true;
    ++p;
  }
  const char* int_begin = p;
  while (p < end && IsDigit(*p)) ++p;
  const char* int_end = p;
  const char* frac_begin = p;
  const char* frac_end = p;
  if (p < end && *p == '.') {
    frac_begin = ++p;
    while (p < end && IsDigit(*p)) ++p;
    frac_end = p;
  }
  if (int_begin == int_end && frac_begin == frac_end) return kNoMatch;
  int64_t exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exp_negative = false;
    if (p < end && (*p == '+' || *p == '-')) exp_negative = *p++ == '-';
    if (p == end || !IsDigit(*p)) return kNoMatch;
    while (p < end && IsDigit(*p)) {
      exponent = std::min<int64_t>(exponent * 10 + (*p - '0'), 1'000'000);
      ++p;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (p != end) return kNoMatch;
  // The digits int.frac, of which the first `point` form the integer number of nanoseconds.
  const int64_t int_len = int_end - int_begin;
  const int64_t frac_len = frac_end - frac_begin;
  const int64_t point = int_len + shift + exponent;
  auto digit = [&](int64_t i) -> int {
    if (i < int_len) return int_begin[i] - '0';
    if (i < int_len + frac_len) return frac_begin[i - int_len] - '0';
    return 0;
  };
  uint64_t magnitude = 0;
  bool nonzero = false;
  for (int64_t i = 0; i < point; ++i) {
    const int d = digit(i);
    if (!nonzero) {
      if (d == 0) {
        // Only zeros remain once past the digits: the number is 0.
        if (i >= int_len + frac_len) break;
        continue;
      }
      nonzero = true;
    }
    if (__builtin_mul_overflow(magnitude, uint64_t{10}, &magnitude) ||
        __builtin_add_overflow(magnitude, static_cast<uint64_t>(d), &magnitude)) {
      return kOutOfRange;
    }
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (negative) {
    if (magnitude > kMaxPositive + 1) return kOutOfRange;
    return Ok(magnitude == kMaxPositive + 1 ? INT64_MIN : -static_cast<int64_t>(magnitude));
  }
  if (magnitude > kMaxPositive) return kOutOfRange;
  return Ok(static_cast<int64_t>(magnitude));
}

}  // namespace

// --- TimeZoneConverter ---

TimeZoneConverter::TimeZoneConverter(std::string name, std::unique_ptr<Zone> zone)
    : name_(std::move(name)), utc_(zone == nullptr), zone_(std::move(zone)) {}
TimeZoneConverter::TimeZoneConverter(TimeZoneConverter&&) noexcept = default;
TimeZoneConverter& TimeZoneConverter::operator=(TimeZoneConverter&&) noexcept = default;
TimeZoneConverter::~TimeZoneConverter() = default;

TimeZoneConverter TimeZoneConverter::Utc() { return TimeZoneConverter("UTC", nullptr); }

Result<TimeZoneConverter> TimeZoneConverter::Load(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  const std::string subject = "time zone '" + std::string(name) + "'";
  if (!IsZoneName(name)) return Status::NotFound(subject, "not a time zone name");
  auto zone = std::make_unique<Zone>();
  if (!cctz::load_time_zone(std::string(name), &zone->tz)) {
    return Status::NotFound(subject, "unknown (not in the system tzdata, /usr/share/zoneinfo)");
  }
  return TimeZoneConverter(std::string(name), std::move(zone));
}

int64_t TimeZoneConverter::ToUnixSlow(int64_t civil_seconds, int64_t hour) {
  const cctz::time_zone& tz = zone_->tz;
  // The hour is cached when every civil second in it has one instant, at one offset: both of its
  // ends are unique with the same offset and no transition falls between them.
  const int64_t start = hour * 3600;
  const cctz::time_zone::civil_lookup first = tz.lookup(AsCivil(start));
  const cctz::time_zone::civil_lookup last = tz.lookup(AsCivil(start + 3599));
  if (first.kind == cctz::time_zone::civil_lookup::UNIQUE &&
      last.kind == cctz::time_zone::civil_lookup::UNIQUE) {
    const int64_t offset = start - UnixSeconds(first.pre);
    if (start + 3599 - UnixSeconds(last.pre) == offset) {
      cctz::time_zone::civil_transition next;
      if (!tz.next_transition(first.pre, &next) ||
          UnixSeconds(tz.lookup(next.to).trans) > UnixSeconds(last.pre)) {
        to_unix_[static_cast<uint64_t>(hour) % kCacheSize] = CacheEntry{hour, offset};
        return civil_seconds - offset;
      }
    }
  }
  // A transition hour: ask cctz each time (repeated: the earlier instant; skipped: the transition).
  return UnixSeconds(cctz::convert(AsCivil(civil_seconds), tz));
}

int64_t TimeZoneConverter::ToCivilSlow(int64_t unix_seconds, int64_t hour) {
  const cctz::time_zone& tz = zone_->tz;
  const int64_t start = hour * 3600;
  const int64_t offset = tz.lookup(AsTimePoint(start)).offset;
  if (tz.lookup(AsTimePoint(start + 3599)).offset == offset) {
    cctz::time_zone::civil_transition next;
    if (!tz.next_transition(AsTimePoint(start), &next) ||
        UnixSeconds(tz.lookup(next.to).trans) >= start + 3600) {
      to_civil_[static_cast<uint64_t>(hour) % kCacheSize] = CacheEntry{hour, offset};
      return unix_seconds + offset;
    }
  }
  return unix_seconds + tz.lookup(AsTimePoint(unix_seconds)).offset;
}

// --- TimeFormat: compiling ---

Status TimeFormat::AppendOps(std::string_view program, std::string_view spec, size_t offset) {
  static constexpr std::pair<char, OpKind> kConversions[] = {
      {'Y', OpKind::kYear},      {'y', OpKind::kYear2},     {'m', OpKind::kMonth},
      {'b', OpKind::kMonthName}, {'h', OpKind::kMonthName}, {'B', OpKind::kMonthName},
      {'d', OpKind::kDay},       {'e', OpKind::kDaySpace},  {'j', OpKind::kYearDay},
      {'H', OpKind::kHour},      {'I', OpKind::kHour12},    {'p', OpKind::kAmPm},
      {'M', OpKind::kMinute},    {'S', OpKind::kSecond},    {'f', OpKind::kFraction},
      {'a', OpKind::kWeekday},   {'A', OpKind::kWeekday},   {'z', OpKind::kOffset},
      {'Z', OpKind::kZoneName},  {'s', OpKind::kEpoch},     {'n', OpKind::kSpace},
      {'t', OpKind::kSpace}};
  static constexpr std::pair<char, std::string_view> kShorthands[] = {
      {'T', "%H:%M:%S"}, {'F', "%Y-%m-%d"}, {'D', "%m/%d/%y"}, {'R', "%H:%M"}};
  auto add = [this](OpKind kind, char literal = 0) {
    // Consecutive blanks match as one run.
    if (kind == OpKind::kSpace && !ops_.empty() && ops_.back().kind == OpKind::kSpace) return;
    ops_.push_back(Op{kind, literal});
  };
  const std::string subject = "format '" + std::string(spec) + "'";
  for (size_t i = 0; i < program.size(); ++i) {
    const char c = program[i];
    if (c != '%') {
      (c == ' ' || c == '\t') ? add(OpKind::kSpace) : add(OpKind::kLiteral, c);
      continue;
    }
    if (i + 1 >= program.size()) {
      return Status::InvalidArgument(subject, "'%' at the end (write %% for a literal '%')");
    }
    const size_t at = offset + i + 1;  // 1-based position of the '%' in the spec
    const std::string_view rest = program.substr(i + 1);
    ++i;
    // Two-letter forms: %E*S (seconds with any fraction), %Ez and %:z (offset with a colon).
    if (rest.substr(0, 3) == "E*S" || rest.substr(0, 2) == "Ez" || rest.substr(0, 2) == ":z") {
      add(rest[0] == 'E' && rest[1] == '*' ? OpKind::kSecond : OpKind::kOffset);
      i += rest[1] == '*' ? 2 : 1;
      continue;
    }
    if (rest[0] == '%') {
      add(OpKind::kLiteral, '%');
      continue;
    }
    bool known = false;
    for (const auto& [letter, expansion] : kShorthands) {
      if (rest[0] != letter) continue;
      LOGSHIP_RETURN_IF_ERROR(AppendOps(expansion, spec, at - 1));
      known = true;
    }
    for (const auto& [letter, kind] : kConversions) {
      if (rest[0] != letter) continue;
      add(kind);
      known = true;
    }
    if (!known) {
      const size_t length =
          (rest[0] == 'E' || rest[0] == ':') ? std::min<size_t>(3, rest.size() + 1) : 2;
      return Status::InvalidArgument(
          subject, "unknown conversion '" + std::string(program.substr(i - 1, length)) +
                       "' at position " + std::to_string(at) +
                       " (known: %Y %y %m %d %e %j %b %B %h %a %A %H %I %p %M %S %E*S %f "
                       "%z %Z %s %T %F %D %R %n %t %%)");
    }
  }
  return Status::Ok();
}

Result<TimeFormat> TimeFormat::Compile(std::string_view spec) {
  TimeFormat f;
  f.spec_ = std::string(spec);
  if (spec == "iso8601" || spec == "rfc3339") {
    f.kind_ = Kind::kIso8601;
    return f;
  }
  static constexpr std::pair<std::string_view, int> kUnixUnits[] = {
      {"unix", 9}, {"unix_ms", 6}, {"unix_us", 3}, {"unix_ns", 0}};
  for (const auto& [name, shift] : kUnixUnits) {
    if (spec == name) {
      f.kind_ = Kind::kUnix;
      f.unix_shift_ = shift;
      return f;
    }
  }
  std::string_view program = spec;
  if (spec == "rfc3164") {
    program = "%b %e %H:%M:%S";
  } else if (spec == "nginx") {
    program = "%d/%b/%Y:%H:%M:%S %z";
  } else if (spec.find('%') == std::string_view::npos) {
    return Status::InvalidArgument(
        "format '" + std::string(spec) + "'",
        "unknown named format (known: iso8601, rfc3339, unix, unix_ms, unix_us, unix_ns, "
        "rfc3164, nginx; strptime-style formats use %Y, %m, ...)");
  }
  LOGSHIP_RETURN_IF_ERROR(f.AppendOps(program, spec, 0));
  bool has_month = false;
  bool has_day = false;
  for (size_t i = 0; i < f.ops_.size(); ++i) {
    Op& op = f.ops_[i];
    has_month = has_month || op.kind == OpKind::kMonth || op.kind == OpKind::kMonthName;
    has_day = has_day || op.kind == OpKind::kDay || op.kind == OpKind::kDaySpace;
    f.has_year_ = f.has_year_ || op.kind == OpKind::kYear || op.kind == OpKind::kYear2;
    f.has_year_day_ = f.has_year_day_ || op.kind == OpKind::kYearDay;
    f.has_hour12_ = f.has_hour12_ || op.kind == OpKind::kHour12;
    f.has_epoch_ = f.has_epoch_ || op.kind == OpKind::kEpoch;
    if (op.kind == OpKind::kSecond) {
      // "%S.%f" reads the fraction itself; a bare %S takes an optional one.
      const bool explicit_fraction = i + 1 < f.ops_.size() &&
                                     f.ops_[i + 1].kind == OpKind::kLiteral &&
                                     (f.ops_[i + 1].literal == '.' || f.ops_[i + 1].literal == ',');
      op.flag = !explicit_fraction;
    }
  }
  f.has_month_day_ = has_month && has_day;
  if (!f.has_month_day_ && !f.has_year_day_ && !f.has_epoch_) {
    return Status::InvalidArgument("format '" + std::string(spec) + "'",
                                   "has no date: it needs a month (%m, %b) and a day (%d, %e), "
                                   "or a day of the year (%j), or Unix seconds (%s)");
  }
  return f;
}

// --- TimeFormat: parsing ---

ParsedTime TimeFormat::Parse(std::string_view text, TimeZoneConverter& zone,
                             int64_t reference_unix_nanos) const {
  switch (kind_) {
    case Kind::kIso8601:
      return ParseIso8601(text, zone);
    case Kind::kUnix:
      return ParseUnix(text, unix_shift_);
    case Kind::kProgram:
      break;
  }
  return RunProgram(text, zone, reference_unix_nanos);
}

ParsedTime TimeFormat::RunProgram(std::string_view text, TimeZoneConverter& zone,
                                  int64_t reference_unix_nanos) const {
  const char* p = text.data();
  const char* end = p + text.size();
  Fields f;
  for (const Op& op : ops_) {
    if (!RunOp(op, p, end, f)) return kNoMatch;
  }
  if (p != end) return kNoMatch;
  return Finish(f, zone, reference_unix_nanos);
}

bool TimeFormat::RunOp(const Op& op, const char*& p, const char* end, Fields& f) const {
  int v = 0;
  switch (op.kind) {
    case OpKind::kLiteral:
      if (p == end || *p != op.literal) return false;
      ++p;
      return true;
    case OpKind::kSpace:
      if (p == end || (*p != ' ' && *p != '\t')) return false;
      while (p < end && (*p == ' ' || *p == '\t')) ++p;
      return true;
    case OpKind::kYear:
      return ReadNumber(p, end, 4, &f.year);
    case OpKind::kYear2:
      if (!ReadNumber(p, end, 2, &v)) return false;
      f.year = v < 69 ? 2000 + v : 1900 + v;
      return true;
    case OpKind::kMonth:
      return ReadNumber(p, end, 2, &f.month) && f.month >= 1 && f.month <= 12;
    case OpKind::kMonthName:
      if (!ReadName(p, end, kMonthNames, &v)) return false;
      f.month = v + 1;
      return true;
    case OpKind::kDaySpace:
      if (p < end && *p == ' ') ++p;
      [[fallthrough]];
    case OpKind::kDay:
      return ReadNumber(p, end, 2, &f.day) && f.day >= 1;
    case OpKind::kYearDay:
      return ReadNumber(p, end, 3, &f.year_day) && f.year_day >= 1 && f.year_day <= 366;
    case OpKind::kHour:
      return ReadNumber(p, end, 2, &f.hour) && f.hour <= 23;
    case OpKind::kHour12:
      return ReadNumber(p, end, 2, &f.hour) && f.hour >= 1 && f.hour <= 12;
    case OpKind::kAmPm:
      if (StartsWithWord(p, end, "am") || StartsWithWord(p, end, "pm")) {
        f.pm = Lower(*p) == 'p';
        p += 2;
        return true;
      }
      return false;
    case OpKind::kMinute:
      return ReadNumber(p, end, 2, &f.minute) && f.minute <= 59;
    case OpKind::kSecond:
      if (!ReadNumber(p, end, 2, &f.second) || f.second > 60) return false;
      if (op.flag && end - p >= 2 && (*p == '.' || *p == ',') && IsDigit(p[1])) {
        ++p;
        ReadFraction(p, end, &f.nanos);
      }
      return true;
    case OpKind::kFraction:
      return ReadFraction(p, end, &f.nanos);
    case OpKind::kWeekday:
      return ReadName(p, end, kWeekdayNames, &v);
    case OpKind::kOffset:
      if (!ReadOffset(p, end, &f.offset)) return false;
      f.has_offset = true;
      return true;
    case OpKind::kZoneName:
      if (!ReadUtcName(p, end)) return false;
      f.offset = 0;
      f.has_offset = true;
      return true;
    case OpKind::kEpoch:
      return ReadEpoch(p, end, &f.epoch, &f.epoch_overflow);
  }
  return false;
}

ParsedTime TimeFormat::Finish(const Fields& f, TimeZoneConverter& zone,
                              int64_t reference_unix_nanos) const {
  int64_t out = 0;
  if (has_epoch_) {
    if (f.epoch_overflow || !ToNanos(f.epoch, f.nanos, &out)) return kOutOfRange;
    return Ok(out);
  }
  int hour = f.hour;
  if (has_hour12_) hour = f.hour % 12 + (f.pm ? 12 : 0);
  const int64_t time_of_day = hour * 3600 + f.minute * 60 + f.second;
  // Days since 1970 of the date read, in `year`; false when the date does not exist then.
  auto days_in = [&](int64_t year, int64_t* days) {
    if (has_month_day_) {
      if (f.day > DaysInMonth(year, f.month)) return false;
      *days = DaysFromCivil(year, f.month, f.day);
      return true;
    }
    if (f.year_day > (IsLeapYear(year) ? 366 : 365)) return false;
    *days = DaysFromCivil(year, 1, 1) + f.year_day - 1;
    return true;
  };
  auto to_unix = [&](int64_t civil) {
    return f.has_offset ? civil - f.offset : zone.ToUnixSeconds(civil);
  };
  int64_t days = 0;
  if (has_year_) {
    if (!days_in(f.year, &days)) return kNoMatch;
    if (!ToNanos(to_unix(days * kSecondsPerDay + time_of_day), f.nanos, &out)) return kOutOfRange;
    return Ok(out);
  }
  // No year: the latest year that puts the time at most kYearInferenceFutureSeconds after the
  // reference (read) time, starting from the reference's own year on the same wall clock.
  const int64_t reference = TimeZoneConverter::FloorDiv(reference_unix_nanos, kNanosPerSecond);
  const int64_t reference_civil =
      f.has_offset ? reference + f.offset : zone.ToCivilSeconds(reference);
  const int64_t reference_year =
      YearFromDays(TimeZoneConverter::FloorDiv(reference_civil, kSecondsPerDay));
  const int64_t limit = reference + kYearInferenceFutureSeconds;
  // Offsets are under a day, so a candidate this far past the limit on the wall clock is out
  // without asking the zone (this keeps next year's candidate away from the zone cache).
  const int64_t margin = 2 * kSecondsPerDay;
  for (int64_t year = reference_year + 1; year >= reference_year - 8; --year) {
    if (!days_in(year, &days)) continue;
    const int64_t civil = days * kSecondsPerDay + time_of_day;
    if (civil - reference_civil > kYearInferenceFutureSeconds + margin) continue;
    const int64_t seconds = to_unix(civil);
    if (seconds > limit) continue;
    if (!ToNanos(seconds, f.nanos, &out)) return kOutOfRange;
    return Ok(out);
  }
  return kNoMatch;
}

}  // namespace logship
