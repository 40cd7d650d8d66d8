// SPDX-License-Identifier: Apache-2.0
#pragma once

// Clock gives wall time (for @timestamp and file names) and monotonic time (for deadlines and
// intervals). Injected rather than called statically, so tests can fix time (abseil's Clock idea).

#include <chrono>
#include <cstdint>

namespace logship {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch.
  virtual int64_t NowUnixNanos() = 0;
  // Nanoseconds on a clock that never goes back.
  virtual int64_t MonotonicNanos() = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnixNanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t MonotonicNanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// The process's real clock; stateless, lives for the whole process.
inline Clock& RealClock() {
  static SystemClock* clock = new SystemClock();
  return *clock;
}

}  // namespace logship
