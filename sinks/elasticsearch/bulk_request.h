// SPDX-License-Identifier: Apache-2.0
#pragma once

// BulkRequest is one `_bulk` body on its way to Elasticsearch, with where each document's lines
// are in it and which submitted batch each document belongs to. The body is self-contained: once
// a batch is encoded the batch itself can go back to its pool, because retries (the whole body,
// or only the items that got 429/5xx), splits (413) and dead letters (the source line) are all
// cut from these bytes. Requests are reused (Reset keeps capacity), so steady-state sending
// allocates nothing. Owned by one thread.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "src/event/output_buffer.h"

namespace logship {

// One document: its action line is body[begin, source), its source line body[source, end - 1)
// followed by '\n'.
struct BulkDoc {
  size_t begin = 0;
  size_t source = 0;
  size_t end = 0;
  uint32_t group = 0;          // the submitted batch it belongs to (the sink's ack group)
  uint16_t attempts = 0;       // item-level 429/5xx answers so far
  bool deterministic = false;  // sent with `create` and our own _id: a 409 means "already there"
};

struct BulkRequest {
  OutputBuffer body;  // NDJSON: action and source line per document
  OutputBuffer wire;  // the body as sent (gzip-compressed), when compression is on
  bool wire_ready = false;
  std::vector<BulkDoc> docs;
  int attempt = 0;             // failed whole-request attempts so far
  int64_t not_before_ns = 0;   // monotonic time before which it is not sent (backoff)
  size_t endpoint = SIZE_MAX;  // where the last attempt went

  void Reset() {
    body.clear();
    wire.clear();
    wire_ready = false;
    docs.clear();
    attempt = 0;
    not_before_ns = 0;
    endpoint = SIZE_MAX;
  }

  // The source line of `doc`, without its newline: the document itself.
  std::string_view Source(const BulkDoc& doc) const {
    return std::string_view(body.data() + doc.source, doc.end - doc.source - 1);
  }

  // Appends `doc` of `from` (action and source lines) to this request.
  void CopyDoc(const BulkRequest& from, const BulkDoc& doc) {
    size_t at = body.size();
    body.Append(std::string_view(from.body.data() + doc.begin, doc.end - doc.begin));
    BulkDoc copy = doc;
    copy.begin = at;
    copy.source = at + (doc.source - doc.begin);
    copy.end = at + (doc.end - doc.begin);
    docs.push_back(copy);
    wire_ready = false;
  }
};

}  // namespace logship
