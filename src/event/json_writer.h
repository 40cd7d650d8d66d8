// SPDX-License-Identifier: Apache-2.0
#pragma once

// JsonWriter turns an Event into one JSON object in the Elastic Common Schema layout:
//   {"@timestamp":"…Z","message":"…","log":{"file":{"path":"…"},"offset":N},"host":{"name":"…"},
//    …fields…,"tags":[…],"error":{"type":"…","message":"…"}}
// Dotted keys become nested objects, merged with the built-in ones ("log.level" lands inside
// "log"). When the same key is set twice the last value wins; when a key is both a value and an
// object ("a": 1 and "a.b": 2), the value is written inside the object as "value" (and competes
// with an explicit "a.value": the later wins), so no object ever repeats a key. Doubles always
// carry a fraction or an exponent ("3.0"), so they never read back as integers. Output is always
// valid JSON and valid UTF-8 (see utf8.h). One writer per thread; it keeps scratch space, so
// writing allocates nothing in steady state.

#include <string_view>
#include <vector>

#include "src/event/batch.h"
#include "src/event/output_buffer.h"
#include "src/event/timestamp.h"

namespace logship {

class JsonWriter {
 public:
  // Appends `event` of `batch` to `out` as one JSON object, without a trailing newline.
  void WriteEvent(const Batch& batch, const Event& event, OutputBuffer& out);

  // Appends `s` as a quoted, escaped JSON string.
  static void WriteString(std::string_view s, OutputBuffer& out);
  // Appends `v` as a JSON value.
  static void WriteValue(const Value& v, OutputBuffer& out);

 private:
  enum class Special : uint8_t { kNone, kTags };
  struct Entry {
    std::string_view key;
    Value value;
    Special special = Special::kNone;
    bool done = false;
  };
  void WriteFixed(const Batch& batch, const Event& event, OutputBuffer& out);
  void WriteGeneric(const Batch& batch, const Event& event, OutputBuffer& out);
  // Writes the members of the object at `prefix` (ending in '.' unless empty) from the entries in
  // `candidates`, which all start with `prefix`.
  void WriteObject(size_t prefix_len, const std::vector<uint32_t>& candidates, OutputBuffer& out,
                   int depth);
  static std::string_view Rest(const Entry& e, size_t prefix_len);
  static std::string_view Member(const Entry& e, size_t prefix_len, bool nest);
  void WriteEntryValue(const Entry& e, OutputBuffer& out);
  void WriteTimestamp(const Event& event, OutputBuffer& out);

  TimestampFormatter timestamps_;
  std::vector<Entry> entries_;
  std::vector<std::vector<uint32_t>> scratch_;  // one candidate list per nesting depth
  uint32_t tags_ = 0;
  std::string_view timestamp_text_;
  char timestamp_buf_[TimestampFormatter::kMaxLength];
};

}  // namespace logship
