// SPDX-License-Identifier: Apache-2.0
// Hot reload with a real logship process: while events flow and the file is rewritten every few
// hundred milliseconds (and SIGHUP sent), the unchanged pipeline never restarts, the changed one
// drains and restarts from its checkpoints, and every line arrives exactly once. A broken file
// changes nothing that runs and is reported with FILE:LINE:COL.

#include <gmock/gmock.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "tests/lifecycle/lifecycle_fixture.h"

namespace logship {
namespace {

using ::testing::HasSubstr;
using testing::HttpGet;
using testing::MetricValue;

std::string PipelineFile(int version) {
  return R"(data_dir: data
http: {listen: "127.0.0.1:0"}
pipelines:
  steady:
    inputs: [{type: file, include: ["logs/a.log"]}]
    sinks: [{type: spool, path: out-a}]
  changing:
    inputs: [{type: file, include: ["logs/b.log"]}]
    stages: [{type: add_fields, fields: {config_version: ")" +
         std::to_string(version) + R"("}}]
    sinks: [{type: spool, path: out-b}]
)";
}

class ReloadTest : public testing::LifecycleTest {
 protected:
  // Saves the pipeline file the way editors do: a new file renamed over the old one.
  void Save(const std::string& text) {
    testing::WriteFile(dir_.Sub(".pipeline.yaml.tmp"), text);
    ASSERT_EQ(
        std::rename(dir_.Sub(".pipeline.yaml.tmp").c_str(), dir_.Sub("pipeline.yaml").c_str()), 0);
  }
};

TEST_F(ReloadTest, ReloadsWhileEventsFlowLoseAndDuplicateNothing) {
  testing::WriteFile(dir_.Sub("pipeline.yaml"), PipelineFile(0));
  std::string url = Start();
  ASSERT_FALSE(url.empty());

  const int kLines = 20000;
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    std::string a, b;
    for (int i = 0; i < kLines; ++i) {
      a += "a-" + std::to_string(i) + "\n";
      b += "b-" + std::to_string(i) + "\n";
      if (i % 500 == 499) {
        testing::AppendFile(dir_.Sub("logs/a.log"), a);
        testing::AppendFile(dir_.Sub("logs/b.log"), b);
        a.clear();
        b.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
      }
    }
    testing::AppendFile(dir_.Sub("logs/a.log"), a);
    testing::AppendFile(dir_.Sub("logs/b.log"), b);
    writing = false;
  });
  int reloads = 0;
  while (writing || reloads < 4) {
    ++reloads;
    Save(PipelineFile(reloads));
    if (reloads % 3 == 0) process_->Signal(SIGHUP);  // both ways of asking for a reload
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  writer.join();

  ASSERT_TRUE(testing::WaitUntil([&] {
    return testing::CountSpooledLines(dir_.Sub("out-a")) >= kLines &&
           testing::CountSpooledLines(dir_.Sub("out-b")) >= kLines;
  })) << process_->Stderr();
  std::string metrics = HttpGet(url, "/metrics").body;
  EXPECT_GE(MetricValue(metrics, "logship_config_reloads_total{result=\"ok\"}"), 3);
  EXPECT_EQ(MetricValue(metrics, "logship_config_reloads_total{result=\"failed\"}"), 0);
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0) << process_->Stderr();

  for (const char* which : {"a", "b"}) {
    std::map<std::string, int> seen = Messages(std::string("out-") + which);
    EXPECT_EQ(seen.size(), static_cast<size_t>(kLines)) << which << ": every line arrived";
    int duplicated = 0;
    for (const auto& [message, count] : seen) duplicated += count > 1;
    EXPECT_EQ(duplicated, 0) << which << ": no line arrived twice";
  }
  std::string log = process_->Stderr();
  EXPECT_THAT(log, ::testing::Not(HasSubstr("pipeline 'steady': stopping")))
      << "the unchanged pipeline kept running through every reload";
  size_t restarts = 0;
  for (size_t at = 0; (at = log.find("pipeline 'changing': started", at)) != std::string::npos;
       ++at) {
    ++restarts;
  }
  EXPECT_GE(restarts, 3u) << log;
  EXPECT_THAT(log, HasSubstr("state: reloading"));
}

TEST_F(ReloadTest, ABrokenFileChangesNothingAndIsReportedWithItsPosition) {
  testing::WriteFile(dir_.Sub("pipeline.yaml"), PipelineFile(0));
  std::string url = Start();
  ASSERT_FALSE(url.empty());
  testing::AppendFile(dir_.Sub("logs/a.log"), "before\n");
  ASSERT_TRUE(
      testing::WaitUntil([&] { return testing::CountSpooledLines(dir_.Sub("out-a")) == 1; }));

  Save(PipelineFile(1) +
       "  extra:\n    inputs: [{type: file, include: [\"logs/c.log\"]}]\n"
       "    sinks: [{type: spool, path: out-c, max_file_bytez: 1MiB}]\n");
  ASSERT_TRUE(testing::WaitUntil([&] {
    return HttpGet(url, "/status").body.find("\"result\":\"failed\"") != std::string::npos;
  }));
  std::string status = HttpGet(url, "/status").body;
  EXPECT_THAT(status, HasSubstr("pipeline.yaml:13:40:"));
  EXPECT_THAT(status, HasSubstr("max_file_bytez"));
  EXPECT_THAT(process_->Stderr(),
              HasSubstr("reload failed; the running pipelines go on unchanged"));
  EXPECT_THAT(process_->Stderr(), HasSubstr("pipeline.yaml:13:40:"));
  EXPECT_EQ(
      MetricValue(HttpGet(url, "/metrics").body, "logship_config_reloads_total{result=\"failed\"}"),
      1);
  // Still running as before: a new line ships, and nothing was restarted.
  testing::AppendFile(dir_.Sub("logs/a.log"), "after\n");
  testing::AppendFile(dir_.Sub("logs/b.log"), "b-after\n");
  ASSERT_TRUE(testing::WaitUntil([&] {
    return testing::CountSpooledLines(dir_.Sub("out-a")) == 2 &&
           testing::CountSpooledLines(dir_.Sub("out-b")) == 1;
  }));
  EXPECT_THAT(Messages("out-b").begin()->first, HasSubstr("b-after"));
  EXPECT_THAT(process_->Stderr(), ::testing::Not(HasSubstr("stopping for the reload")));

  // Fixed: the reload goes through.
  Save(PipelineFile(2));
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return HttpGet(url, "/status").body.find("\"result\":\"ok\"") != std::string::npos; }));
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0) << process_->Stderr();
}

}  // namespace
}  // namespace logship
