// SPDX-License-Identifier: Apache-2.0
#pragma once

// OutputBuffer is a growable byte buffer for serializers: reserve room once, then write through a
// raw pointer, so escaping a string costs no bounds check per byte. It keeps its capacity across
// clear(), so a sink that reuses one buffer allocates nothing per event. Not thread-safe.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace logship {

class OutputBuffer {
 public:
  OutputBuffer() = default;
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  // Makes room for n more bytes and returns where they go; call Commit with what was written.
  char* Reserve(size_t n) {
    if (capacity_ - size_ < n) Grow(n);
    return data_.get() + size_;
  }
  void Commit(size_t n) { size_ += n; }
  // Sets the end to `end`, a pointer inside the region handed out by Reserve.
  void CommitTo(const char* end) { size_ = static_cast<size_t>(end - data_.get()); }

  void Append(std::string_view s) {
    char* p = Reserve(s.size());
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    size_ += s.size();
  }
  void Push(char c) {
    *Reserve(1) = c;
    ++size_;
  }

  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return std::string_view(data_.get(), size_); }
  void clear() { size_ = 0; }
  void Truncate(size_t n) {
    if (n < size_) size_ = n;
  }
  size_t capacity() const { return capacity_; }
  // Drops the storage when it grew beyond `max_bytes` (after a huge event).
  void ShrinkTo(size_t max_bytes) {
    if (capacity_ > max_bytes && size_ == 0) {
      data_.reset();
      capacity_ = 0;
    }
  }

 private:
  void Grow(size_t n) {
    size_t want = size_ + n;
    size_t cap = capacity_ == 0 ? 4096 : capacity_;
    while (cap < want) cap *= 2;
    auto next = std::make_unique_for_overwrite<char[]>(cap);
    if (size_ > 0) std::memcpy(next.get(), data_.get(), size_);
    data_ = std::move(next);
    capacity_ = cap;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace logship
