// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/gzip_compressor.h"

#include <string>

namespace logship {

GzipCompressor::GzipCompressor(int level) {
  // windowBits 15 + 16: a gzip header and trailer rather than a zlib one; memLevel 8 is zlib's
  // default.
  ready_ = deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipCompressor::~GzipCompressor() {
  if (ready_) deflateEnd(&stream_);
}

Status GzipCompressor::Compress(std::string_view in, OutputBuffer& out) {
  out.clear();
  if (!ready_) return Status::Internal("gzip", "deflateInit2 failed");
  if (deflateReset(&stream_) != Z_OK) return Status::Internal("gzip", "deflateReset failed");
  // deflateBound is exact enough to finish in one call, whatever the input.
  size_t bound = deflateBound(&stream_, static_cast<uLong>(in.size())) + 32;
  char* dst = out.Reserve(bound);
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream_.avail_in = static_cast<uInt>(in.size());
  stream_.next_out = reinterpret_cast<Bytef*>(dst);
  stream_.avail_out = static_cast<uInt>(bound);
  int rc = deflate(&stream_, Z_FINISH);
  if (rc != Z_STREAM_END) {
    return Status::Internal("gzip", "deflate returned " + std::to_string(rc));
  }
  out.Commit(bound - stream_.avail_out);
  return Status::Ok();
}

}  // namespace logship
