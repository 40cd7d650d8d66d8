// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading the small text files of /proc (stat, meminfo, diskstats, net/dev, …): ProcFileReader
// reads a whole file into a buffer it keeps, so sampling every interval reuses its memory, and
// LineCursor/FieldCursor walk the text without copying. /proc files report a size of 0, so a file
// is read until end of file. Not thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/base/result.h"

namespace logship {

class ProcFileReader {
 public:
  // The whole content of `path`, valid until the next Read. A Status naming the path when it
  // cannot be opened or read.
  Result<std::string_view> Read(const std::string& path);

 private:
  std::string buffer_;
};

// Yields the lines of a text, without their '\n'.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}
  // The next line, or nullopt after the last one.
  std::optional<std::string_view> Next();

 private:
  std::string_view rest_;
};

// Yields the fields of a text separated by spaces, tabs and line ends.
class FieldCursor {
 public:
  explicit FieldCursor(std::string_view line) : rest_(line) {}
  // The next field; empty after the last one.
  std::string_view Next();
  // The next field as an unsigned decimal integer; nullopt when missing or not a number.
  std::optional<uint64_t> NextUint();
  // The next field as a decimal number ("2.25"); nullopt when missing or not a number.
  std::optional<double> NextDouble();
  // What has not been consumed yet.
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// `text` as an unsigned decimal integer, all of it; nullopt otherwise.
std::optional<uint64_t> ParseUint(std::string_view text);

// The number of CPUs /proc/stat lists (its "cpuN" lines); 0 when none.
int CountCpus(std::string_view proc_stat);

// Undoes the octal escapes the kernel writes in /proc/self/mounts ("\040" for a space).
std::string UnescapeMountField(std::string_view field);

}  // namespace logship
