// SPDX-License-Identifier: Apache-2.0
#pragma once

// Formats Unix nanoseconds as ISO-8601 UTC ("2026-11-24T10:15:30.123Z"), the form of @timestamp.
// The civil date of the last second formatted is cached, so a batch of events read in the same
// second formats its timestamps with a few stores each. Each TimestampFormatter is single-threaded.

#include <cstdint>

namespace logship {

enum class TimePrecision : uint8_t { kMillis, kMicros, kNanos };

class TimestampFormatter {
 public:
  // Longest output: "-292277-01-01T00:00:00.000000000Z" fits easily.
  static constexpr int kMaxLength = 40;
  // Writes the timestamp to `out` (kMaxLength bytes free) and returns the end of what it wrote.
  char* Format(int64_t unix_nanos, TimePrecision precision, char* out);

 private:
  int64_t cached_second_ = INT64_MIN;
  char cached_[32] = {};  // "YYYY-MM-DDTHH:MM:SS"
  int cached_len_ = 0;
};

}  // namespace logship
