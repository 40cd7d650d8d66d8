// SPDX-License-Identifier: Apache-2.0
#pragma once

// GzipCompressor turns a request body into a gzip member (RFC 1952) with zlib, for
// `compression: gzip` (sent with Content-Encoding: gzip). It keeps one deflate state and resets
// it per body, so compressing allocates nothing once its output buffer has grown. Not
// thread-safe: one per worker.

#include <zlib.h>

#include <string_view>

#include "src/base/status.h"
#include "src/event/output_buffer.h"

namespace logship {

class GzipCompressor {
 public:
  // `level`: 1 (fastest) to 9 (smallest).
  explicit GzipCompressor(int level);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  // Replaces `out` with `in` compressed. Internal error only if zlib fails (out of memory).
  Status Compress(std::string_view in, OutputBuffer& out);

 private:
  z_stream stream_{};
  bool ready_ = false;
};

}  // namespace logship
