// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs Prometheus's own linter, `promtool check metrics`, over an exposition: the real consumer
// decides whether /metrics is valid, not our reading of the format.

#include <cstdio>
#include <string>

#include "tests/testing/temp_dir.h"

namespace logship::testing {

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

inline PromtoolResult PromtoolCheckMetrics(const std::string& exposition) {
  TempDir dir;
  std::string in = dir.Sub("metrics.txt");
  WriteFile(in, exposition);
  std::string cmd = "promtool check metrics < '" + in + "' 2>&1";
  PromtoolResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace logship::testing
