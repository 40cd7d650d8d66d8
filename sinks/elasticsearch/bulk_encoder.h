// SPDX-License-Identifier: Apache-2.0
#pragma once

// BulkEncoder writes events as the body of an Elasticsearch `_bulk` request: per event an action
// line and a source line, each ending in '\n' (so a body always ends with one):
//   {"index":{"_index":"logs-app-2026.11.24"}}
//   {"@timestamp":"2026-11-24T10:15:30.123Z","message":"…",…}
// The action is `create` for data streams and for `id: offset`, whose deterministic _id
// "<file key as 16 hex digits>-<log.offset>" names the same line the same way after any restart,
// so a replay is answered 409 instead of indexed twice. The source line is the event exactly as
// JsonWriter writes it for every other sink.
// One encoder per thread; it keeps scratch space, so encoding allocates nothing in steady state.

#include <cstddef>
#include <string>

#include "sinks/elasticsearch/es_options.h"
#include "sinks/elasticsearch/index_pattern.h"
#include "src/event/batch.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"

namespace logship {

class BulkEncoder {
 public:
  enum class Encoded : uint8_t {
    kNoIndex,  // a field of the index template is not set: nothing was appended
    kPlain,    // appended, without an _id of ours
    kWithId,   // appended with a deterministic _id (a 409 on create means "already indexed")
  };

  // REQUIRES: `options` came from ParseEsSinkOptions (its index pattern is valid).
  explicit BulkEncoder(const EsSinkOptions& options);

  // Appends the action and source lines of `event` to `body`.
  Encoded Append(const Batch& batch, const Event& event, OutputBuffer& body);

  // Appends the event's JSON alone (no newline): the dead-letter record of an event that could
  // not be encoded.
  void WriteSource(const Batch& batch, const Event& event, OutputBuffer& out) {
    json_.WriteEvent(batch, event, out);
  }

  // The index template's text, for messages.
  const std::string& pattern() const { return pattern_.text(); }

  // Writes the deterministic _id of `event` to `out` (kMaxIdLength bytes free) and returns its
  // length; 0 when the event did not come from a file (no file key to name it by).
  static constexpr size_t kMaxIdLength = 16 + 1 + 20;
  static size_t OffsetId(const Batch& batch, const Event& event, char* out);

 private:
  IndexPattern pattern_;
  const bool create_;
  const bool offset_ids_;
  JsonWriter json_;
  std::string index_;           // scratch: the index name of the current event
  std::string prefix_for_;      // the index name action_prefix_ was built for
  OutputBuffer action_prefix_;  // {"index":{"_index":"<name>"   (no closing braces)
  bool have_prefix_ = false;
};

}  // namespace logship
