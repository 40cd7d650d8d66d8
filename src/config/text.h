// SPDX-License-Identifier: Apache-2.0
#pragma once

// Small ASCII helpers shared by the parsers of configuration values (sizes, durations).

#include <string_view>

namespace logship {

// `s` without leading and trailing spaces and tabs.
inline std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace logship
