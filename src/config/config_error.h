// SPDX-License-Identifier: Apache-2.0
#pragma once

// ConfigErrors collects every problem found in a pipeline file, each with its position, so that
// `logship validate` reports all of them at once as "FILE:LINE:COL: message". Lines and columns are
// 1-based. Not thread-safe (configuration is read on one thread).

#include <string>
#include <vector>

namespace logship {

struct ConfigPosition {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

struct ConfigError {
  ConfigPosition where;
  std::string message;
  // "FILE:LINE:COL: message" (or "FILE: message" without a position).
  std::string ToString() const;
};

class ConfigErrors {
 public:
  void Add(const ConfigPosition& where, std::string message);
  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  // Errors sorted by file, line, column (stable for equal positions).
  std::vector<ConfigError> Sorted() const;
  const std::vector<ConfigError>& all() const { return errors_; }
  // Every error on its own line, sorted.
  std::string ToString() const;

 private:
  std::vector<ConfigError> errors_;
};

}  // namespace logship
