// SPDX-License-Identifier: Apache-2.0
#pragma once

// JsonWriter turns an Event into one JSON object in the Elastic Common Schema layout:
//   {"@timestamp":"…Z","message":"…","log":{"file":{"path":"…"},"offset":N},"host":{"name":"…"},
//    …fields…,"tags":[…],"error":{"message":"…","type":"…"}}
// Dotted keys become nested objects, merged with the built-in ones ("log.level" lands inside
// "log"). When the same key is set twice the last value wins; when a key is both a value and an
// object ("a": 1 and "a.b": 2), the value is written inside the object as "value" (and competes
// with an explicit "a.value": the later wins), so no object ever repeats a key. Doubles always
// carry a fraction or an exponent ("3.0"), so they never read back as integers. Output is always
// valid JSON and valid UTF-8 (see utf8.h). One writer per thread; it keeps scratch space, so
// writing allocates nothing in steady state.

#include <memory>
#include <string>
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
    uint32_t rank = 0;  // first appearance of the key's root segment: the order of root members
  };
  void WriteFixed(const Batch& batch, const Event& event, OutputBuffer& out);
  void WriteGeneric(const Batch& batch, const Event& event, OutputBuffer& out);
  void RankRoots();
  // Sorts entries so that every object's members are adjacent, drops shadowed duplicates and
  // turns a value that is also an object into that object's "value" member. Fills order_.
  void Arrange();
  void BuildSkeleton();
  void WriteArranged(OutputBuffer& out);
  // True when entries_ has exactly the keys, in the same order, that order_ was computed for.
  bool SameKeysAsBefore() const;
  void RememberKeys();
  void WriteEntryValue(const Entry& e, OutputBuffer& out);
  void WriteTimestamp(const Event& event, OutputBuffer& out);

  TimestampFormatter timestamps_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> order_;  // indices into entries_, in writing order
  struct RootSlot {
    std::string_view root;
    uint32_t rank = 0;
    uint32_t generation = 0;
  };
  std::vector<RootSlot> roots_;  // open-addressing table: root segment -> rank
  uint32_t generation_ = 0;
  std::vector<std::unique_ptr<std::string>> moved_keys_;  // "<key>.value" for conflicts (rare)
  std::string keys_;              // the keys order_ was computed for, concatenated
  std::vector<size_t> key_ends_;  // end of each of them in keys_
  bool arrangement_valid_ = false;
  OutputBuffer skeleton_;           // keys, braces and commas of the current arrangement
  std::vector<size_t> piece_ends_;  // where each value goes in skeleton_
  uint32_t tags_ = 0;
  char timestamp_buf_[TimestampFormatter::kMaxLength];
};

}  // namespace logship
