// SPDX-License-Identifier: Apache-2.0
// A real logship process with `http: {listen: 127.0.0.1:0}`: its /metrics is checked by
// Prometheus's promtool while events flow, its counters must equal what reached the spool, and
// `logship status` must show the live pipeline.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <regex>
#include <string>
#include <thread>

#include "tests/status/http_get.h"
#include "tests/status/promtool.h"
#include "tests/testing/logship_process.h"
#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using ::testing::HasSubstr;
using testing::HttpGet;
using testing::LogshipProcess;
using testing::MetricValue;

class StatusIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::system(("mkdir -p " + dir_.Sub("logs")).c_str()), 0);
    testing::WriteFile(dir_.Sub("pipeline.yaml"), R"(data_dir: data
http: {listen: "127.0.0.1:0"}
pipelines:
  app:
    inputs:
      - type: file
        id: applogs
        include: ["logs/*.log"]
    stages:
      - type: json
    sinks:
      - type: spool
        path: out
)");
  }

  // Starts logship and returns the base URL it serves on (read from its log).
  std::string Start() {
    process_ = std::make_unique<LogshipProcess>(
        std::vector<std::string>{"run", dir_.Sub("pipeline.yaml")}, dir_.path());
    std::string url;
    EXPECT_TRUE(testing::WaitUntil([&] {
      std::smatch m;
      std::string err = process_->Stderr();
      static const std::regex kServing("serving /metrics.* on (http://127\\.0\\.0\\.1:[0-9]+)");
      if (!std::regex_search(err, m, kServing)) return false;
      url = m[1];
      return true;
    })) << process_->Stderr();
    return url;
  }

  testing::TempDir dir_;
  std::unique_ptr<LogshipProcess> process_;
};

TEST_F(StatusIntegrationTest, MetricsPassPromtoolWhileEventsFlowAndCountersMatchTheSpool) {
  std::string url = Start();
  ASSERT_FALSE(url.empty());
  const int kLines = 30000;
  const int kBroken = 300;  // every 100th line is not JSON: a parse error, still shipped
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    std::string chunk;
    for (int i = 0; i < kLines; ++i) {
      if (i % 100 == 99) {
        chunk += "broken {" + std::to_string(i) + "\n";
      } else {
        chunk += "{\"n\":" + std::to_string(i) + ",\"msg\":\"hello\"}\n";
      }
      if (chunk.size() > 16384) {
        testing::AppendFile(dir_.Sub("logs/app.log"), chunk);
        chunk.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    testing::AppendFile(dir_.Sub("logs/app.log"), chunk);
    writing = false;
  });

  // Scrape while the writer runs: at least one scrape must land mid-flow and pass promtool.
  int checked_mid_flow = 0;
  std::string last_problem;
  while (writing || checked_mid_flow == 0) {
    testing::HttpReply r = HttpGet(url, "/metrics");
    ASSERT_EQ(r.status, 200);
    double out = MetricValue(r.body, "logship_events_out_total{pipeline=\"app\",sink=\"spool\"}");
    if (out > 0 && out < kLines) {
      testing::PromtoolResult check = testing::PromtoolCheckMetrics(r.body);
      EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << r.body;
      ++checked_mid_flow;
    }
    if (!writing && checked_mid_flow == 0) break;  // the agent outran us: checked below anyway
  }
  writer.join();

  std::string metrics;
  ASSERT_TRUE(testing::WaitUntil([&] {
    metrics = HttpGet(url, "/metrics").body;
    return MetricValue(metrics, "logship_events_out_total{pipeline=\"app\",sink=\"spool\"}") ==
           kLines;
  })) << metrics;
  testing::PromtoolResult check = testing::PromtoolCheckMetrics(metrics);
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << metrics;
  EXPECT_EQ(MetricValue(metrics, "logship_events_in_total{pipeline=\"app\"}"), kLines);
  EXPECT_EQ(MetricValue(metrics, "logship_parse_errors_total{pipeline=\"app\",stage=\"json\"}"),
            kBroken);
  EXPECT_EQ(MetricValue(metrics, "logship_events_read_total{pipeline=\"app\",input=\"applogs\"}"),
            kLines);
  EXPECT_GT(MetricValue(metrics, "logship_bytes_read_total{pipeline=\"app\",input=\"applogs\"}"),
            kLines * 10);
  EXPECT_EQ(MetricValue(metrics, "logship_open_files{pipeline=\"app\",input=\"applogs\"}"), 1);
  EXPECT_GT(MetricValue(metrics, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(MetricValue(metrics, "logship_ack_latency_seconds_count{pipeline=\"app\"}"), 0);
  // The lag gauge reaches 0 once the checkpoint covers the whole file.
  std::string lag_series =
      "logship_checkpoint_lag_bytes{pipeline=\"app\",input=\"applogs\",file=\"" +
      dir_.Sub("logs/app.log") + "\"}";
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return MetricValue(HttpGet(url, "/metrics").body, lag_series) == 0; }));

  testing::HttpReply health = HttpGet(url, "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "{\"status\":\"ok\"}\n");
  testing::HttpReply status = HttpGet(url, "/status");
  EXPECT_THAT(status.body, HasSubstr("\"path\":\"" + dir_.Sub("logs/app.log") + "\""));
  EXPECT_THAT(status.body, HasSubstr("\"state\":\"running\""));

  testing::RunResult table = testing::RunLogship({"status", "--url", url}, dir_.path());
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("pipeline app"));
  EXPECT_THAT(table.out, HasSubstr(dir_.Sub("logs/app.log")));
  EXPECT_THAT(table.out, HasSubstr("spool"));
  EXPECT_THAT(table.out, HasSubstr(std::to_string(kLines)));

  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0) << process_->Stderr();
  EXPECT_EQ(testing::CountSpooledLines(dir_.Sub("out")), static_cast<size_t>(kLines))
      << "the counter equals the events shipped";
}

TEST_F(StatusIntegrationTest, StatusCommandFailsClearlyWithoutAnAgent) {
  testing::RunResult r =
      testing::RunLogship({"status", "--url", "http://127.0.0.1:1"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("http://127.0.0.1:1"));
  EXPECT_THAT(r.err, HasSubstr("cannot fetch /status"));
}

TEST_F(StatusIntegrationTest, AnInvalidListenAddressIsAConfigurationError) {
  testing::WriteFile(dir_.Sub("bad.yaml"), R"(http: {listen: "127.0.0.1"}
pipelines:
  app:
    inputs: [{type: file, include: ["logs/*.log"]}]
    sinks: [{type: spool, path: out}]
)");
  testing::RunResult r = testing::RunLogship({"validate", dir_.Sub("bad.yaml")}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out + r.err, HasSubstr("bad.yaml:1:"));
  EXPECT_THAT(r.out + r.err, HasSubstr("listen"));
}

}  // namespace
}  // namespace logship
