// SPDX-License-Identifier: Apache-2.0
// Every example in pipelines/ runs as shipped (`logship run --once`, its sample input) and its
// spool equals the expected output kept in tests/data/expected/<example>/<sink dir>.ndjson, after
// the parts that depend on the machine and the moment are masked: host.name, the checkout's path,
// the read time of events whose time did not come from the line, and the year a syslog line
// without one gets. To accept a deliberate change of output:
//   LOGSHIP_UPDATE_EXPECTED=1 build/tests/integration/tail_integration_test
//       --gtest_filter='ExamplePipelines*'   (one command line)

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/testing/logship_process.h"
#include "tests/testing/temp_dir.h"

namespace logship::testing {
namespace {

struct Example {
  std::string name;                 // pipelines/<name>.yaml
  std::vector<std::string> spools;  // spool directories below LOGSHIP_SPOOL_DIR ("" = itself)
  bool read_time = false;           // @timestamp is the read time for every event
};

std::string Normalize(const std::string& spool_text, const Example& ex) {
  std::string s = spool_text;
  s = std::regex_replace(s, std::regex(R"("host":\{"name":"[^"]*")"), R"("host":{"name":"HOST")");
  s = std::regex_replace(s, std::regex(std::string(LOGSHIP_SOURCE_DIR) + "/"), "SRC/");
  std::regex ts(R"(^\{"@timestamp":"[^"]*")");
  std::string out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    std::string line = s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? s.size() : nl + 1;
    // Events that failed a stage keep the read time, as do all events of a pipeline without a
    // timestamp stage.
    if (ex.read_time || line.find("\"error\":{") != std::string::npos) {
      line = std::regex_replace(line, ts, R"({"@timestamp":"READ_TIME")");
    }
    if (ex.name == "syslog") {
      line = std::regex_replace(line, std::regex(R"(^\{"@timestamp":"\d{4}-)"),
                                R"({"@timestamp":"YYYY-)");
    }
    out += line + "\n";
  }
  return out;
}

std::string ReadSpoolDir(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".ndjson") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& f : files) all += ReadFileOrEmpty(f);
  return all;
}

class ExamplePipelinesTest : public ::testing::TestWithParam<Example> {};

TEST_P(ExamplePipelinesTest, OutputMatchesTheExpectedFile) {
  const Example& ex = GetParam();
  TempDir dir;
  // The examples write under build/ by default; these variables move their state into the test's
  // own directory (the child process inherits them).
  ::setenv("LOGSHIP_DATA_DIR", dir.Sub("data").c_str(), 1);
  ::setenv("LOGSHIP_SPOOL_DIR", dir.Sub("out").c_str(), 1);
  std::string pipeline = std::string(LOGSHIP_SOURCE_DIR) + "/pipelines/" + ex.name + ".yaml";
  RunResult validate = RunLogship({"validate", pipeline}, dir.path());
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  RunResult run = RunLogship({"run", "--once", "--no-progress", pipeline}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const std::string& sub : ex.spools) {
    std::string spool = sub.empty() ? dir.Sub("out") : dir.Sub("out/" + sub);
    std::string got = Normalize(ReadSpoolDir(spool), ex);
    ASSERT_FALSE(got.empty()) << "nothing in " << spool;
    std::string expected_path = std::string(LOGSHIP_SOURCE_DIR) + "/tests/data/expected/" +
                                ex.name + (sub.empty() ? "" : "." + sub) + ".ndjson";
    if (::getenv("LOGSHIP_UPDATE_EXPECTED") != nullptr) WriteFile(expected_path, got);
    std::string expected = ReadFileOrEmpty(expected_path);
    EXPECT_EQ(got, expected) << "spool " << spool << " differs from " << expected_path;
  }
  // Running it again ships nothing more: the checkpoints cover everything.
  RunResult again = RunLogship({"run", "--once", "--no-progress", pipeline}, dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const std::string& sub : ex.spools) {
    std::string spool = sub.empty() ? dir.Sub("out") : dir.Sub("out/" + sub);
    std::string expected_path = std::string(LOGSHIP_SOURCE_DIR) + "/tests/data/expected/" +
                                ex.name + (sub.empty() ? "" : "." + sub) + ".ndjson";
    EXPECT_EQ(Normalize(ReadSpoolDir(spool), ex), ReadFileOrEmpty(expected_path));
  }
}

INSTANTIATE_TEST_SUITE_P(ExamplePipelines, ExamplePipelinesTest,
                         ::testing::Values(Example{"quickstart", {""}, true},
                                           Example{"nginx", {""}},
                                           Example{"json-app", {"all", "errors"}},
                                           Example{"syslog", {""}},
                                           Example{"java-multiline", {""}}),
                         [](const ::testing::TestParamInfo<Example>& info) {
                           std::string n = info.param.name;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace logship::testing
