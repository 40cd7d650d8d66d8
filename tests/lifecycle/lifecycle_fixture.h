// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the reload and shutdown tests: a temp dir with logs/, a logship process and its
// status URL, and spool contents read as the unique numbers the tests write.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "tests/status/http_get.h"
#include "tests/testing/logship_process.h"
#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::system(("mkdir -p " + dir_.Sub("logs")).c_str()), 0); }

  // Starts logship on pipeline.yaml; returns the status URL when the file has `http:`.
  std::string Start(const std::string& stdout_path = "") {
    process_ = std::make_unique<LogshipProcess>(
        std::vector<std::string>{"run", dir_.Sub("pipeline.yaml")}, dir_.path(), stdout_path);
    return WaitUntilRunning(*process_);
  }

  // Counts how often each message appears in a spool directory.
  std::map<std::string, int> Messages(const std::string& spool) {
    std::map<std::string, int> seen;
    for (const SpooledEvent& e : ReadSpool(dir_.Sub(spool))) ++seen[e.message];
    return seen;
  }

  TempDir dir_;
  std::unique_ptr<LogshipProcess> process_;
};

}  // namespace logship::testing
