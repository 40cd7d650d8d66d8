// SPDX-License-Identifier: Apache-2.0
#pragma once

// The command line every log generator shares: `--lines N` (default 1,000,000) and `--seed S`
// (default 42); the lines of `Gen` (a class with a `Gen(seed)` constructor and `Next()`) go to
// stdout in 1 MiB writes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace logship::bench {

template <typename Gen>
int RunGenerator(int argc, char** argv) {
  uint64_t lines = 1'000'000;
  uint64_t seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--lines") == 0) lines = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  Gen gen(seed);
  std::string out;
  out.reserve(1 << 20);
  for (uint64_t n = 0; n < lines; ++n) {
    out += gen.Next();
    out += '\n';
    if (out.size() > (1 << 20) - 1024) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace logship::bench
