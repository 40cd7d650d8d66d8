// SPDX-License-Identifier: Apache-2.0
#pragma once

// Duration is a span of time written in configuration as a number with a unit: ns, us, ms, s, m, h,
// d, possibly combined ("1m30s"), or a bare integer meaning seconds. "200ms", "2s", "1h".

#include <cstdint>
#include <string_view>

#include "src/base/result.h"

namespace logship {

struct Duration {
  int64_t nanos = 0;
  static constexpr Duration Millis(int64_t n) { return Duration{n * 1'000'000}; }
  static constexpr Duration Seconds(int64_t n) { return Duration{n * 1'000'000'000}; }
  int64_t millis() const { return nanos / 1'000'000; }
  friend bool operator==(Duration a, Duration b) { return a.nanos == b.nanos; }
};

// InvalidArgument (with the text) for an unknown unit, a negative value or overflow.
Result<Duration> ParseDuration(std::string_view text);

}  // namespace logship
