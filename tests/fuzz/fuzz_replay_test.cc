// SPDX-License-Identifier: Apache-2.0
// Replays every kept fuzz input (corpus and regressions) through its target in the normal test
// suite. A target returns normally on any input; a crash or sanitizer report fails the test.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

#define LOGSHIP_DECLARE(name) int LogshipFuzz_##name(const uint8_t* data, size_t size);
#include "fuzz_targets.inc"
#undef LOGSHIP_DECLARE

namespace logship {
namespace {

using FuzzFn = int (*)(const uint8_t*, size_t);

struct Target {
  std::string name;
  FuzzFn fn;
};

std::vector<Target> Targets() {
  std::vector<Target> t;
#define LOGSHIP_DECLARE(name) t.push_back({#name, &LogshipFuzz_##name});
#include "fuzz_targets.inc"
#undef LOGSHIP_DECLARE
  return t;
}

std::vector<std::string> InputsOf(const std::string& name) {
  std::vector<std::string> files;
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string src = LOGSHIP_SOURCE_DIR;
  for (const auto& e : fs::directory_iterator(src + "/tests/fuzz/corpus/" + name, ec)) {
    if (e.is_regular_file()) files.push_back(e.path().string());
  }
  for (const auto& e : fs::directory_iterator(src + "/tests/regress", ec)) {
    if (e.is_regular_file() && e.path().filename().string().rfind("fuzz_" + name + "_", 0) == 0) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

class FuzzReplayTest : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzReplayTest, EveryKeptInputRunsClean) {
  const Target& target = GetParam();
  std::vector<std::string> inputs = InputsOf(target.name);
  // Edge inputs every target must take, kept or not.
  std::vector<std::string> builtin = {"", std::string(1, '\0'), "\n", "\xff\xfe",
                                      std::string(4096, '{')};
  for (const std::string& in : builtin) {
    target.fn(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  }
  for (const std::string& path : inputs) {
    std::string data = testing::ReadFileOrEmpty(path);
    SCOPED_TRACE(path);
    target.fn(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  RecordProperty("inputs", static_cast<int>(inputs.size()));
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplayTest, ::testing::ValuesIn(Targets()),
                         [](const ::testing::TestParamInfo<Target>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace logship
