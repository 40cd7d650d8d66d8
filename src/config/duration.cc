// SPDX-License-Identifier: Apache-2.0
#include "src/config/duration.h"

#include <limits>
#include <string>

#include "src/config/text.h"

namespace logship {
namespace {

bool IsUnitChar(char c) {
  // Letters, and the bytes of a UTF-8 "µ".
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
}

struct Unit {
  std::string_view name;
  int64_t nanos;
};

constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // µs
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60 * int64_t{1'000'000'000}},
    {"h", 3600 * int64_t{1'000'000'000}},
    {"d", 86400 * int64_t{1'000'000'000}},
};

Status Invalid(std::string message) { return Status::InvalidArgument("", message); }

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  std::string_view s = TrimBlanks(text);
  if (s.size() >= 2 && s[0] == '-' && (IsAsciiDigit(s[1]) || s[1] == '.')) {
    return Invalid("duration " + quoted + " is negative");
  }
  if (s.empty() || !IsAsciiDigit(s[0])) {
    return Invalid("expected a duration like 2s or 200ms, got " + quoted);
  }
  const Status too_large = Invalid("duration " + quoted + " is too large");
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();

  __int128 total = 0;
  bool bare_integer = true;  // only digits so far: a bare integer means seconds
  size_t i = 0;
  while (i < s.size()) {
    // One "<number>[.<fraction>] <unit>" component.
    size_t start = i;
    __int128 whole = 0;
    for (; i < s.size() && IsAsciiDigit(s[i]); ++i) {
      whole = whole * 10 + (s[i] - '0');
      if (whole > kMax) return too_large;
    }
    __int128 fraction = 0;
    __int128 scale = 1;
    bool bad_number = i == start;
    if (i < s.size() && s[i] == '.') {
      bare_integer = false;
      size_t fraction_start = ++i;
      for (; i < s.size() && IsAsciiDigit(s[i]); ++i) {
        if (scale < 1'000'000'000'000'000'000) {  // digits beyond 18 are below a nanosecond
          fraction = fraction * 10 + (s[i] - '0');
          scale *= 10;
        }
      }
      if (i == fraction_start) bad_number = true;
    }
    if (bad_number) {
      return Invalid("expected a duration like 2s or 200ms, got " + quoted);
    }
    std::string_view number = s.substr(start, i - start);
    while (i < s.size() && s[i] == ' ') ++i;
    size_t unit_start = i;
    while (i < s.size() && IsUnitChar(s[i])) ++i;
    std::string_view unit = s.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      if (bare_integer && i == s.size()) {
        if (whole * 1'000'000'000 > kMax) return too_large;
        return Duration{static_cast<int64_t>(whole * 1'000'000'000)};
      }
      if (i < s.size() && !IsAsciiDigit(s[i])) {
        return Invalid("expected a duration like 2s or 200ms, got " + quoted);
      }
      return Invalid("missing unit after '" + std::string(number) + "' in duration " + quoted +
                     " (use ns, us, ms, s, m, h, d)");
    }
    bare_integer = false;
    const Unit* found = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit) found = &u;
    }
    if (found == nullptr) {
      return Invalid("unknown unit '" + std::string(unit) + "' in duration " + quoted +
                     " (use ns, us, ms, s, m, h, d)");
    }
    total += whole * found->nanos + fraction * found->nanos / scale;
    if (total > kMax) return too_large;
    while (i < s.size() && s[i] == ' ') ++i;
  }
  return Duration{static_cast<int64_t>(total)};
}

}  // namespace logship
