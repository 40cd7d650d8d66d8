// SPDX-License-Identifier: Apache-2.0
#include "src/event/arena.h"

#include <simdjson.h>

namespace logship {

static_assert(Arena::kPadding >= simdjson::SIMDJSON_PADDING, "arena padding must cover simdjson's");

Arena::Chunk Arena::MakeChunk(size_t size) {
  Chunk c{std::make_unique_for_overwrite<char[]>(size + kPadding), size};
  std::memset(c.data.get() + size, 0, kPadding);
  return c;
}

char* Arena::AllocateSlow(size_t n) {
  if (n > chunk_bytes_) {
    // An oversized request (a 10 MB line) gets a block of its own, and the chunk in use stays in
    // use. Moving past the kept chunks instead would leave them idle until the next Reset() and
    // make new ones for the requests that follow, so a batch that sees one huge line per fill
    // would grow its arena by a chunk or more on every recycle.
    large_.push_back(MakeChunk(n));
    used_ += n;
    return large_.back().data.get();
  }
  if (next_chunk_ == chunks_.size()) chunks_.push_back(MakeChunk(chunk_bytes_));
  Chunk& c = chunks_[next_chunk_++];
  cursor_ = c.data.get();
  left_ = c.size;
  char* p = cursor_;
  cursor_ += n;
  left_ -= n;
  used_ += n;
  return p;
}

void Arena::Reset() {
  // Oversized blocks are released so that one huge line does not pin memory.
  large_.clear();
  next_chunk_ = 0;
  cursor_ = nullptr;
  left_ = 0;
  used_ = 0;
}

size_t Arena::capacity() const {
  size_t total = 0;
  for (const Chunk& c : chunks_) total += c.size + kPadding;
  for (const Chunk& c : large_) total += c.size + kPadding;
  return total;
}

}  // namespace logship
