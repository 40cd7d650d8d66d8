// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_key.h"

#include <cstring>
#include <string_view>

#include "src/base/hash.h"

namespace logship {

uint64_t ComputeFileKey(ReadableFile& file, uint64_t device, uint64_t inode) {
  char head[256 + 16];
  std::memcpy(head, &device, 8);
  std::memcpy(head + 8, &inode, 8);
  Result<size_t> n = file.ReadAt(0, head + 16, 256);
  size_t len = n.ok() ? *n : 0;
  const void* nl = len > 0 ? std::memchr(head + 16, '\n', len) : nullptr;
  if (nl != nullptr) len = static_cast<size_t>(static_cast<const char*>(nl) - (head + 16));
  uint64_t key = Hash64(std::string_view(head, 16 + len));
  return key == 0 ? 1 : key;
}

}  // namespace logship
