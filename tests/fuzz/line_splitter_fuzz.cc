// SPDX-License-Identifier: Apache-2.0
// The line splitter fed the input in pieces (sizes taken from the first bytes), as the tailer
// feeds it blocks: every byte must come out exactly once, in order, pieces within max_line_bytes.

#include <cstdlib>
#include <string>
#include <string_view>

#include "src/tail/line_splitter.h"
#include "tests/fuzz/fuzz_target.h"

LOGSHIP_FUZZ_TARGET(line_splitter) {
  if (size < 2) return 0;
  size_t max_line = 1 + data[0] % 64;
  size_t block = 1 + data[1] % 32;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  logship::LineSplitter splitter(max_line);
  std::string pending;
  uint64_t pending_offset = 0;
  uint64_t expect_offset = 0;
  std::string rebuilt;
  auto emit = [&](std::string_view line, uint64_t offset, uint64_t next, bool) {
    if (offset != expect_offset || next <= offset) std::abort();
    if (line.size() > max_line + 1) std::abort();  // a lone '\r' may ride on a full piece
    rebuilt.append(input.substr(offset, next - offset));
    expect_offset = next;
    return true;
  };
  for (size_t pos = 0; pos < input.size(); pos += block) {
    pending.append(input.substr(pos, block));
    size_t used = splitter.Split(pending, pending_offset, emit);
    pending.erase(0, used);
    pending_offset += used;
  }
  // Whatever was not emitted is still pending: together they are the input.
  if (rebuilt + pending != input) std::abort();
  return 0;
}
