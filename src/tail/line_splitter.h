// SPDX-License-Identifier: Apache-2.0
#pragma once

// LineSplitter cuts a file's bytes into lines. Bytes arrive in blocks of any size; a line may span
// blocks. Each complete line is reported without its "\n" or "\r\n", with the file offset of its
// first byte. A line longer than max_line_bytes is reported in pieces of at most max_line_bytes
// (cut at a UTF-8 character boundary), every piece of it flagged `truncated`: never dropped, and
// memory stays bounded by max_line_bytes. Pure and allocation-free; one per tailed file.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "src/event/utf8.h"

namespace logship {

class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Reports lines found at the start of `data`, whose first byte is at file offset `offset`, by
  // calling emit(std::string_view line, uint64_t line_offset, uint64_t next_offset, bool truncated)
  // -> bool, where next_offset is the offset just past the line's terminator (where reading
  // resumes after it); a false return stops after that line. Returns how many bytes of `data`
  // were consumed: the caller keeps the rest
  // (an incomplete line, or lines not reported because emit said stop) and passes it again, first,
  // with the next bytes. An incomplete line kept is at most max_line_bytes + 1 bytes (a
  // full-length line and the '\r' of its "\r\n").
  template <class Emit>
  size_t Split(std::string_view data, uint64_t offset, Emit&& emit) {
    size_t pos = 0;
    while (pos < data.size()) {
      std::string_view rest = data.substr(pos);
      size_t limit = rest.size() < max_line_bytes_ ? rest.size() : max_line_bytes_;
      const void* nl = limit == 0 ? nullptr : std::memchr(rest.data(), '\n', limit);
      if (nl != nullptr) {
        size_t len = static_cast<size_t>(static_cast<const char*>(nl) - rest.data());
        size_t text_len = (len > 0 && rest[len - 1] == '\r') ? len - 1 : len;
        bool more =
            emit(rest.substr(0, text_len), offset + pos, offset + pos + len + 1, in_long_line_);
        in_long_line_ = false;
        pos += len + 1;
        if (!more) return pos;
        continue;
      }
      // No newline within max_line_bytes. Until the byte after that (both bytes of a "\r\n") is
      // buffered we cannot tell a full-length line (its terminator next) from a too-long one: wait
      // for more bytes.
      if (rest.size() <= max_line_bytes_) break;
      size_t end = 0;  // the full-length line's terminator ends at max_line_bytes_ + end
      if (rest[max_line_bytes_] == '\n') {
        end = 1;
      } else if (rest[max_line_bytes_] == '\r') {
        if (rest.size() == max_line_bytes_ + 1) break;
        if (rest[max_line_bytes_ + 1] == '\n') end = 2;
      }
      if (end > 0) {
        size_t text_len =
            end == 1 && rest[max_line_bytes_ - 1] == '\r' ? max_line_bytes_ - 1 : max_line_bytes_;
        bool more = emit(rest.substr(0, text_len), offset + pos,
                         offset + pos + max_line_bytes_ + end, in_long_line_);
        in_long_line_ = false;
        pos += max_line_bytes_ + end;
        if (!more) return pos;
        continue;
      }
      size_t cut = Utf8CutPoint(rest, max_line_bytes_);
      if (cut == 0) cut = max_line_bytes_;
      bool more = emit(rest.substr(0, cut), offset + pos, offset + pos + cut, true);
      in_long_line_ = true;
      pos += cut;
      if (!more) return pos;
    }
    return pos;
  }

  // True when the next line reported continues a line that was cut.
  bool in_long_line() const { return in_long_line_; }
  // Forgets a cut line in progress (the file was truncated and is read again from 0).
  void Reset() { in_long_line_ = false; }
  size_t max_line_bytes() const { return max_line_bytes_; }

 private:
  size_t max_line_bytes_;
  bool in_long_line_ = false;
};

}  // namespace logship
