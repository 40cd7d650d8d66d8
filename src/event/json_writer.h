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
  // Appends `event` of `batch` to `out` as one JSON object, without a trailing newline: the
  // document EncodeDocuments wrote when the batch carries them, else written now.
  void WriteEvent(const Batch& batch, const Event& event, OutputBuffer& out) {
    if (batch.has_documents()) {
      out.Append(batch.document(static_cast<size_t>(&event - batch.events().data())));
    } else {
      Render(batch, event, out);
    }
  }
  // Writes every event's document into batch.documents (see Batch::documents).
  void EncodeDocuments(Batch& batch);

  // Appends `s` as a quoted, escaped JSON string.
  static void WriteString(std::string_view s, OutputBuffer& out);
  // Appends `v` as a JSON value.
  static void WriteValue(const Value& v, OutputBuffer& out);

 private:
  void Render(const Batch& batch, const Event& event, OutputBuffer& out);

  enum class Special : uint8_t { kNone, kTags };
  struct Entry {
    std::string_view key;
    Value value;
    Special special = Special::kNone;
    uint32_t rank = 0;  // first appearance of the key's root segment: the order of root members
  };
  void WriteFixed(const Batch& batch, const Event& event, OutputBuffer& out);
  void WriteGeneric(const Batch& batch, const Event& event, OutputBuffer& out);
  // How the events with one sequence of keys are written: the order of their entries, and
  // everything but the values (key names, nesting, commas, braces) rendered once, cut before each
  // value. Kept for the last few key sequences seen.
  struct Layout {
    std::string keys;              // the key sequence, concatenated
    std::vector<size_t> key_ends;  // end of each key in `keys`
    bool cacheable = false;
    std::vector<uint32_t> order;  // indices into entries_, in writing order
    OutputBuffer skeleton;
    std::vector<size_t> piece_ends;  // where each value goes in `skeleton`
  };
  static constexpr size_t kMaxLayouts = 8;
  void RankRoots();
  // Sorts entries so that every object's members are adjacent, drops shadowed duplicates and
  // turns a value that is also an object into that object's "value" member. Fills layout.order.
  void Arrange(Layout& layout);
  void BuildSkeleton(Layout& layout);
  void WriteArranged(const Layout& layout, OutputBuffer& out);
  // True when entries_ has exactly the keys, in the same order, that `layout` was made for.
  bool SameKeys(const Layout& layout) const;
  Layout* FindLayout();  // the cached layout for entries_' keys, or nullptr
  Layout* NewLayout();   // an empty slot, most recently used from now on
  void RememberKeys(Layout& layout);
  void WriteEntryValue(const Entry& e, OutputBuffer& out);
  void WriteTimestamp(const Event& event, OutputBuffer& out);

  TimestampFormatter timestamps_;
  std::vector<Entry> entries_;
  struct RootSlot {
    std::string_view root;
    uint32_t rank = 0;
    uint32_t generation = 0;
  };
  std::vector<RootSlot> roots_;  // open-addressing table: root segment -> rank
  uint32_t generation_ = 0;
  std::vector<std::unique_ptr<std::string>> moved_keys_;  // "<key>.value" for conflicts (rare)
  std::vector<std::unique_ptr<Layout>> layouts_;          // most recently used first
  uint32_t tags_ = 0;
  char timestamp_buf_[TimestampFormatter::kMaxLength];
};

}  // namespace logship
