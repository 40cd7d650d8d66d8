// SPDX-License-Identifier: Apache-2.0
#pragma once

// Batch is the unit that moves through a pipeline: events, the arena their bytes live in, the
// files they came from with the offset each batch reaches, and an acknowledgement target. A source
// fills a batch, stages edit it in place, then it is frozen and shared read-only with every sink
// (std::shared_ptr<const Batch>), so fan-out copies nothing. Batches come from a BatchPool and
// return to it, keeping their capacity. Not thread-safe while being filled; immutable once shared.

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "src/event/arena.h"
#include "src/event/event.h"
#include "src/event/output_buffer.h"

namespace logship {

class AckTracker;

// A file that some events of the batch came from, and how far in it the batch reaches.
struct BatchSource {
  uint64_t file_id = 0;     // the source's identity for this file (generation included)
  std::string_view path;    // log.file.path, in the batch's arena
  uint64_t end_offset = 0;  // first byte after the last line of this file in the batch
  // Names the file's contents across runs and restarts: the same (file key, log.offset) is the
  // same line, so sinks can derive idempotent ids from it (Elasticsearch `id: offset`). A hash of
  // the device, the inode and the file's first line; 0 when the source has no files.
  uint64_t file_key = 0;
};

class Batch {
 public:
  Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // Empties the batch, keeping capacity.
  void Clear();

  Arena& arena() { return arena_; }
  std::vector<Event>& events() { return events_; }
  const std::vector<Event>& events() const { return events_; }
  std::vector<Field>& fields() { return fields_; }
  const std::vector<Field>& fields() const { return fields_; }
  std::vector<BatchSource>& sources() { return sources_; }
  const std::vector<BatchSource>& sources() const { return sources_; }

  // Appends an event and returns it; its message and other members are left for the caller.
  Event& AddEvent() { return events_.emplace_back(); }

  // Appends a field to `event` (which must belong to this batch). The key must outlive the batch
  // (a literal, a config string, or an arena copy).
  void AddField(Event& event, std::string_view key, Value value);
  // Returns the last live field of `event` named `key`, or nullptr.
  const Field* FindField(const Event& event, std::string_view key) const;
  Field* FindField(const Event& event, std::string_view key);
  // Calls fn(const Field&) for each live field of `event`, in insertion order.
  template <class Fn>
  void ForEachField(const Event& event, Fn&& fn) const {
    for (uint32_t i = event.first_field; i != kNoIndex; i = fields_[i].next) {
      if (!fields_[i].removed) fn(fields_[i]);
    }
  }

  // Bytes of event payload in the arena: what max_batch_bytes bounds.
  size_t payload_bytes() const { return arena_.used(); }

  // host.name of every event in the batch; static storage owned by the pipeline.
  std::string_view host_name;

  // Routing: which events go to which sink, for sinks with a `when:` condition. Empty means
  // every event goes to every sink. Otherwise sink s receives event i when
  // routes[s * events().size() + i] is non-zero. Set by the pipeline before the batch is shared.
  std::vector<uint8_t> routes;
  // True when event `i` goes to sink `sink` (dropped events go nowhere).
  bool RoutedTo(size_t sink, size_t i) const {
    if (events_[i].dropped) return false;
    return routes.empty() || routes[sink * events_.size() + i] != 0;
  }

  // The events' JSON documents, as JsonWriter::EncodeDocuments wrote them after the stages (on a
  // stage worker, so sinks copy instead of serializing, once for every sink), each followed by a
  // newline; a dropped event has none. Empty unless encoded: JsonWriter::WriteEvent then writes
  // the event itself. document_ends[i] is the end of event i's document, its newline included.
  OutputBuffer documents;
  std::vector<size_t> document_ends;
  bool has_documents() const { return !document_ends.empty(); }
  // Event i's document without its newline. REQUIRES: has_documents().
  std::string_view document(size_t i) const {
    size_t begin = i == 0 ? 0 : document_ends[i - 1];
    size_t end = document_ends[i];
    return std::string_view(documents.data() + begin, end > begin ? end - begin - 1 : 0);
  }

  // Acknowledgement target: the source's tracker and this batch's sequence number in it. A null
  // tracker means no one waits for this batch (e.g. metric samples).
  AckTracker* ack_tracker = nullptr;
  uint64_t sequence = 0;

 private:
  Arena arena_;
  std::vector<Event> events_;
  std::vector<Field> fields_;
  std::vector<BatchSource> sources_;
};

using BatchPtr = std::shared_ptr<const Batch>;

}  // namespace logship
