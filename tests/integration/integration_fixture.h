// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared set-up for integration tests: a temp dir with logs/, a pipeline file pointing at it with a
// spool sink in out/, and helpers to run logship and read what it shipped.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/logship_process.h"
#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"

namespace logship::testing {

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logs_ = dir_.Sub("logs");
    out_ = dir_.Sub("out");
    ASSERT_EQ(0, ::system(("mkdir -p " + logs_).c_str()));
  }

  // Writes a pipeline file with one file input (`input_extra` lines are added under it, indented
  // by 8 spaces) and one spool sink, and returns its path.
  std::string WritePipeline(const std::string& include = "logs/*.log",
                            const std::string& input_extra = "",
                            const std::string& pipeline_extra = "") {
    std::string path = dir_.Sub("pipeline.yaml");
    std::string text =
        "data_dir: ./data\n"
        "shutdown_timeout: 20s\n"
        "pipelines:\n"
        "  app:\n" +
        pipeline_extra +
        "    inputs:\n"
        "      - type: file\n"
        "        include: [\"" +
        include +
        "\"]\n"
        "        rescan_interval: 100ms\n"
        "        rotate_wait: 300ms\n" +
        input_extra +
        "    sinks:\n"
        "      - type: spool\n"
        "        path: ./out\n";
    WriteFile(path, text);
    return path;
  }

  RunResult RunOnce(const std::string& pipeline) {
    return RunLogship({"run", "--once", pipeline}, dir_.path());
  }

  std::vector<SpooledEvent> Shipped() { return ReadSpool(out_); }

  // Lines "prefix-0" ... "prefix-(n-1)", each ending in '\n'.
  static std::string Lines(const std::string& prefix, int from, int n) {
    std::string s;
    for (int i = from; i < from + n; ++i) s += prefix + "-" + std::to_string(i) + "\n";
    return s;
  }

  static std::vector<std::string> Messages(const std::vector<SpooledEvent>& events) {
    std::vector<std::string> m;
    for (const auto& e : events) m.push_back(e.message);
    return m;
  }

  TempDir dir_;
  std::string logs_;
  std::string out_;
};

}  // namespace logship::testing
