// SPDX-License-Identifier: Apache-2.0
#include "src/host/metricset.h"

#include <fnmatch.h>

namespace logship {

bool MatchesAnyPattern(const std::vector<std::string>& patterns, std::string_view name) {
  if (patterns.empty()) return true;
  std::string n(name);  // fnmatch needs a terminated string; once per item and interval
  for (const std::string& p : patterns) {
    if (::fnmatch(p.c_str(), n.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace logship
