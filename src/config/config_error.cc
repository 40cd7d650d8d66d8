// SPDX-License-Identifier: Apache-2.0
#include "src/config/config_error.h"

#include <algorithm>
#include <tuple>

namespace logship {

std::string ConfigError::ToString() const {
  std::string out = where.file;
  if (where.line > 0) {
    if (!out.empty()) out.push_back(':');
    out.append(std::to_string(where.line));
    if (where.column > 0) {
      out.push_back(':');
      out.append(std::to_string(where.column));
    }
  }
  if (!out.empty()) out.append(": ");
  out.append(message);
  return out;
}

void ConfigErrors::Add(const ConfigPosition& where, std::string message) {
  errors_.push_back(ConfigError{where, std::move(message)});
}

std::vector<ConfigError> ConfigErrors::Sorted() const {
  std::vector<ConfigError> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
  return sorted;
}

std::string ConfigErrors::ToString() const {
  std::string out;
  for (const ConfigError& error : Sorted()) {
    out.append(error.ToString());
    out.push_back('\n');
  }
  return out;
}

}  // namespace logship
