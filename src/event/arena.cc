// SPDX-License-Identifier: Apache-2.0
#include "src/event/arena.h"

#include <simdjson.h>

#include <algorithm>

namespace logship {

static_assert(Arena::kPadding >= simdjson::SIMDJSON_PADDING, "arena padding must cover simdjson's");

void Arena::NewChunk(size_t min_bytes) {
  // Reuse a kept chunk when it is large enough; an oversized request gets a chunk of its own.
  while (next_chunk_ < chunks_.size()) {
    Chunk& c = chunks_[next_chunk_++];
    if (c.size >= min_bytes) {
      cursor_ = c.data.get();
      left_ = c.size;
      return;
    }
  }
  size_t size = std::max(chunk_bytes_, min_bytes);
  chunks_.push_back(Chunk{std::make_unique_for_overwrite<char[]>(size + kPadding), size});
  std::memset(chunks_.back().data.get() + size, 0, kPadding);
  next_chunk_ = chunks_.size();
  cursor_ = chunks_.back().data.get();
  left_ = size;
}

void Arena::Reset() {
  // Oversized chunks (a 10 MB line) are released so that one huge line does not pin memory.
  std::erase_if(chunks_, [this](const Chunk& c) { return c.size > chunk_bytes_; });
  next_chunk_ = 0;
  cursor_ = nullptr;
  left_ = 0;
  used_ = 0;
}

size_t Arena::capacity() const {
  size_t total = 0;
  for (const Chunk& c : chunks_) total += c.size + kPadding;
  return total;
}

}  // namespace logship
