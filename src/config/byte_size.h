// SPDX-License-Identifier: Apache-2.0
#pragma once

// ByteSize is a size in bytes written in configuration as a plain integer or with a unit:
// B, KB/MB/GB (powers of 1000), KiB/MiB/GiB (powers of 1024), K/M/G as KiB/MiB/GiB. "1MiB", "64
// MB".

#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/result.h"

namespace logship {

struct ByteSize {
  uint64_t bytes = 0;
  static constexpr ByteSize KiB(uint64_t n) { return ByteSize{n << 10}; }
  static constexpr ByteSize MiB(uint64_t n) { return ByteSize{n << 20}; }
  static constexpr ByteSize GiB(uint64_t n) { return ByteSize{n << 30}; }
  friend bool operator==(ByteSize a, ByteSize b) { return a.bytes == b.bytes; }
};

// InvalidArgument (with the text) for anything else, negative values and overflow.
Result<ByteSize> ParseByteSize(std::string_view text);

// A size for people to read, in powers of 1024: "512 B", "3.4 MiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace logship
