// SPDX-License-Identifier: Apache-2.0
#pragma once

// Arena hands out byte ranges that stay valid until Reset(). Memory comes in chunks that are
// kept across Reset(), so a recycled batch allocates nothing in steady state; a request larger than
// a chunk gets a block of its own, freed by Reset(). Every chunk and block keeps
// kPadding spare bytes past its last allocation, so any range it returned may be parsed in place by
// simdjson (which reads up to SIMDJSON_PADDING bytes past the end). Not thread-safe.

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

namespace logship {

class Arena {
 public:
  static constexpr size_t kPadding = 64;  // == SIMDJSON_PADDING; checked in arena.cc

  explicit Arena(size_t chunk_bytes = 256 * 1024) : chunk_bytes_(chunk_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns n writable bytes (n may be 0).
  char* Allocate(size_t n) {
    if (n > left_) return AllocateSlow(n);
    char* p = cursor_;
    cursor_ += n;
    left_ -= n;
    used_ += n;
    return p;
  }

  // Copies `s` into the arena and returns the copy.
  std::string_view Copy(std::string_view s) {
    char* p = Allocate(s.size());
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
  }

  // Copies the concatenation of `parts` into the arena and returns it.
  std::string_view Concat(std::initializer_list<std::string_view> parts) {
    size_t size = 0;
    for (std::string_view p : parts) size += p.size();
    char* out = Allocate(size);
    char* cursor = out;
    for (std::string_view p : parts) {
      if (!p.empty()) std::memcpy(cursor, p.data(), p.size());
      cursor += p.size();
    }
    return std::string_view(out, size);
  }

  // Forgets every allocation; keeps the standard-size chunks, frees the oversized blocks.
  void Reset();

  // Bytes handed out since the last Reset().
  size_t used() const { return used_; }
  // Bytes held, used or not.
  size_t capacity() const;

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size;  // usable bytes, padding excluded
  };
  static Chunk MakeChunk(size_t size);
  char* AllocateSlow(size_t n);

  size_t chunk_bytes_;
  std::vector<Chunk> chunks_;  // all of chunk_bytes_; kept across Reset()
  size_t next_chunk_ = 0;      // chunks_[next_chunk_ - 1] is the one in use
  std::vector<Chunk> large_;   // one per request larger than chunk_bytes_; freed by Reset()
  char* cursor_ = nullptr;
  size_t left_ = 0;
  size_t used_ = 0;
};

}  // namespace logship
