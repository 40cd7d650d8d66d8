// SPDX-License-Identifier: Apache-2.0
#pragma once

// Event is one row of a Batch: a log line or a metric sample. It owns nothing; its strings are
// views into the batch's arena, and its extra fields are a chain of Field records held by the
// batch, so a batch of events is built without one heap allocation per event. The well-known
// Elastic Common Schema fields (@timestamp, message, log.file.path, log.offset, host.name) are
// members, not Field records, because every event has them and the hot path should not search for
// them.

#include <cstdint>
#include <string_view>

#include "src/event/timestamp.h"
#include "src/event/value.h"

namespace logship {

// Built-in tags, written as the event's `tags` array. Bits, so tagging costs no allocation.
enum EventTag : uint32_t {
  kTagInvalidUtf8 = 1u << 0,  // the line held bytes that are not UTF-8; written as U+FFFD
  kTagTruncated = 1u << 1,    // the line was longer than max_line_bytes and cut into pieces
};
// The names of the tag bits, in bit order.
inline constexpr std::string_view kEventTagNames[] = {"invalid_utf8", "truncated"};
inline constexpr int kEventTagCount = 2;

inline constexpr uint32_t kNoIndex = 0xffffffffu;

struct Field {
  std::string_view key;  // dotted path: "http.request.method"
  Value value;
  uint32_t next = kNoIndex;  // next field of the same event in Batch::fields()
  bool removed = false;
};

struct Event {
  std::string_view message;
  int64_t timestamp_ns = 0;                          // @timestamp, Unix nanoseconds (UTC)
  TimePrecision precision = TimePrecision::kMillis;  // how @timestamp is written
  uint64_t offset = 0;              // log.offset: byte offset of the line's first byte
  uint32_t source = kNoIndex;       // index into Batch::sources(); kNoIndex: not from a file
  uint32_t tags = 0;                // EventTag bits
  uint32_t first_field = kNoIndex;  // chain of extra fields in Batch::fields()
  uint32_t last_field = kNoIndex;
  std::string_view error_type;  // error.type: the stage that failed ("json", "timestamp")
  std::string_view error_message;
  bool has_message = true;  // false for events with no message (metric samples)
  bool dropped = false;     // a stage dropped it; sinks skip it
};

// Tags `event` with a stage's failure (error.type, error.message). The first failure is kept:
// a later stage often fails only because an earlier one did (a field the json stage could not
// produce), and the root cause is what an operator needs to see. Both strings must live as long
// as the batch. Returns false when the event already had an error.
inline bool TagError(Event& event, std::string_view type, std::string_view message) {
  if (!event.error_type.empty()) return false;
  event.error_type = type;
  event.error_message = message;
  return true;
}

}  // namespace logship
