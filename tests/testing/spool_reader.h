// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reads back what a spool sink wrote: every line of every .ndjson file under a directory, in file
// name order, parsed as JSON. A line that is not a valid JSON object fails the calling test.

#include <cstdint>
#include <string>
#include <vector>

namespace logship::testing {

struct SpooledEvent {
  std::string raw;  // the line as written
  std::string timestamp;
  std::string message;
  std::string path;  // log.file.path
  int64_t offset = -1;
  std::string host;
  std::vector<std::string> tags;
};

std::vector<SpooledEvent> ReadSpool(const std::string& dir);

// Complete lines ('\n'-terminated) in the spool now; safe while a writer is appending.
size_t CountSpooledLines(const std::string& dir);

}  // namespace logship::testing
