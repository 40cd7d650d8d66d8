// SPDX-License-Identifier: Apache-2.0
// Writes N JSON log lines of about 230 bytes each (bench/gen/json_log_lines.h) from a fixed seed,
// so every run and machine gets the same bytes.
//   gen_json_logs [--lines N] [--seed S] > app.log

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/gen/json_log_lines.h"

int main(int argc, char** argv) {
  uint64_t lines = 1'000'000;
  uint64_t seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--lines") == 0) lines = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  logship::bench::JsonLogLines gen(seed);
  std::string out;
  out.reserve(1 << 20);
  for (uint64_t n = 0; n < lines; ++n) {
    out += gen.Next();
    out += '\n';
    if (out.size() > (1 << 20) - 512) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
