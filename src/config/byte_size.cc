// SPDX-License-Identifier: Apache-2.0
#include "src/config/byte_size.h"

#include <cstdio>

#include <limits>
#include <string>

#include "src/config/text.h"

namespace logship {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

struct Unit {
  std::string_view name;
  uint64_t multiplier;
};

constexpr Unit kUnits[] = {
    {"", 1},
    {"B", 1},
    {"K", uint64_t{1} << 10},
    {"KiB", uint64_t{1} << 10},
    {"KB", 1000},
    {"M", uint64_t{1} << 20},
    {"MiB", uint64_t{1} << 20},
    {"MB", 1000 * 1000},
    {"G", uint64_t{1} << 30},
    {"GiB", uint64_t{1} << 30},
    {"GB", 1000 * 1000 * 1000},
};

Status Invalid(std::string message) { return Status::InvalidArgument("", message); }

}  // namespace

Result<ByteSize> ParseByteSize(std::string_view text) {
  std::string quoted = "'" + std::string(text) + "'";
  std::string_view s = TrimBlanks(text);
  if (s.size() >= 2 && s[0] == '-' && IsAsciiDigit(s[1])) {
    return Invalid("size " + quoted + " is negative");
  }
  if (s.empty() || !IsAsciiDigit(s[0])) return Invalid("expected a size like 64MiB, got " + quoted);

  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t number = 0;
  bool overflow = false;
  size_t i = 0;
  for (; i < s.size() && IsAsciiDigit(s[i]); ++i) {
    uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (number > (kMax - digit) / 10) overflow = true;
    number = number * 10 + digit;
  }
  std::string_view unit = TrimBlanks(s.substr(i));
  for (const Unit& u : kUnits) {
    if (!EqualsIgnoreCase(unit, u.name)) continue;
    if (overflow || number > kMax / u.multiplier) {
      return Invalid("size " + quoted + " is too large (at most " + std::to_string(kMax) +
                     " bytes)");
    }
    return ByteSize{number * u.multiplier};
  }
  if (!unit.empty() && (unit[0] == '.' || unit[0] == ',' || IsAsciiDigit(unit[0]))) {
    return Invalid("expected a size like 64MiB (a whole number and a unit), got " + quoted);
  }
  return Invalid("unknown unit '" + std::string(unit) + "' in size " + quoted +
                 " (use B, KB, MB, GB, KiB, MiB, GiB)");
}

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double b = static_cast<double>(bytes);
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

}  // namespace logship
