// SPDX-License-Identifier: Apache-2.0
// Back-pressure with a real logship process and a sink that cannot deliver: the Elasticsearch
// test server answers every bulk request 429 while logs are written, rotated and deleted. Memory
// stays bounded, reading pauses, /health says why, and once the server accepts again every line
// arrives, including those of files deleted during the outage. CI writes 32 MB; set
// LOGSHIP_BACKPRESSURE_MB=2048 for the full-size run (README, "Tests").
//
// Also: a file that disappears while waiting for a slot under max_open_files is a counted,
// logged loss, never a silent one.

#include <gmock/gmock.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "tests/lifecycle/lifecycle_fixture.h"
#include "tests/testing/es_bulk_server.h"
#include "tests/testing/kafka_test_broker.h"
#include "tests/testing/kafka_topic_reader.h"

namespace logship {
namespace {

using ::testing::HasSubstr;
using testing::HttpGet;
using testing::MetricValue;

// Peak resident set of `pid` in bytes (VmHWM), or 0.
uint64_t PeakRss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

class BackPressureTest : public testing::LifecycleTest {
 protected:
  // Writes LOGSHIP_BACKPRESSURE_MB (default 32) of numbered 190-byte lines into logs/app.log,
  // rotating every 4 MiB the way logrotate does with `rotate 1`: app.log -> app.log.N, and the
  // one before that deleted. Sets lines_, rotations_ and total_bytes_.
  void WriteRotatingLogs() {
    const char* env = std::getenv("LOGSHIP_BACKPRESSURE_MB");
    total_bytes_ = (env != nullptr ? std::stoull(env) : 32) << 20;
    const uint64_t rotate_bytes = 4 << 20;
    std::string pad(180, 'x');
    uint64_t in_file = 0;
    std::string chunk;
    for (uint64_t written = 0; written < total_bytes_;) {
      chunk.clear();
      for (int i = 0; i < 2000; ++i) chunk += "line-" + std::to_string(lines_++) + " " + pad + "\n";
      testing::AppendFile(dir_.Sub("logs/app.log"), chunk);
      written += chunk.size();
      in_file += chunk.size();
      if (in_file < rotate_bytes) continue;
      ++rotations_;
      std::string to = dir_.Sub("logs/app.log." + std::to_string(rotations_));
      ASSERT_EQ(std::rename(dir_.Sub("logs/app.log").c_str(), to.c_str()), 0);
      if (rotations_ >= 2) {
        std::remove(dir_.Sub("logs/app.log." + std::to_string(rotations_ - 1)).c_str());
      }
      in_file = 0;
      // Writers do not rotate faster than an agent rescans; give it one rescan to see the file.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }

  // While stalled: reading paused, the sink retries and /health names it, memory bounded.
  void ExpectStalled(const std::string& url, const std::string& sink) {
    std::string metrics = HttpGet(url, "/metrics").body;
    double read =
        MetricValue(metrics, "logship_bytes_read_total{pipeline=\"app\",input=\"input-0\"}");
    EXPECT_LT(read, static_cast<double>(total_bytes_) / 2) << "reading paused while stalled";
    testing::HttpReply health = HttpGet(url, "/health");
    EXPECT_EQ(health.status, 503);
    EXPECT_THAT(health.body, HasSubstr("\"id\":\"" + sink + "\""));
    uint64_t peak = PeakRss(process_->pid());
#if !defined(__SANITIZE_ADDRESS__)
    // The documented bound: about 64 MB plus the sink's buffers.
    EXPECT_LT(peak, 64u * 1024 * 1024 + 2 * (1u << 20)) << "peak RSS " << (peak >> 20) << " MiB";
#endif
    std::fprintf(stderr,
                 "%s stalled: wrote %llu MiB in %d rotations, read %.0f MiB, peak RSS %llu MiB\n",
                 sink.c_str(), static_cast<unsigned long long>(total_bytes_ >> 20), rotations_,
                 read / (1 << 20), static_cast<unsigned long long>(peak >> 20));
  }

  int lines_ = 0;
  int rotations_ = 0;
  uint64_t total_bytes_ = 0;
};

TEST_F(BackPressureTest, MemoryStaysBoundedWhileTheSinkIsStalledAndNothingIsLost) {
  testing::EsServerOptions es_options;
  es_options.tls = false;
  testing::EsBulkServer es(dir_.Sub("es"), nullptr, es_options);
  ASSERT_TRUE(es.started());
  es.SetControl(R"({"request_errors": [{"status": 429, "count": -1}]})");
  testing::WriteFile(dir_.Sub("pipeline.yaml"), R"(data_dir: data
http: {listen: "127.0.0.1:0"}
pipelines:
  app:
    inputs: [{type: file, include: ["logs/app.log*"], rescan_interval: 100ms}]
    sinks:
      - type: elasticsearch
        urls: [")" + es.url() + R"("]
        index: logs
        batch: {max_bytes: 1MiB, max_events: 4096}
        concurrency: 2
        retry: {initial_backoff: 50ms, max_backoff: 500ms}
)");
  std::string url = Start();
  ASSERT_FALSE(url.empty());

  WriteRotatingLogs();
  std::this_thread::sleep_for(std::chrono::seconds(1));

  EXPECT_GT(MetricValue(HttpGet(url, "/metrics").body,
                        "logship_sink_retries_total{pipeline=\"app\",sink=\"elasticsearch\"}"),
            0);
  ExpectStalled(url, "elasticsearch");

  es.SetControl("{}");  // the sink comes back
  ASSERT_TRUE(testing::WaitUntil([&] { return es.CountDocs() >= static_cast<size_t>(lines_); },
                                 std::chrono::seconds(600)))
      << es.CountDocs() << " of " << lines_ << "\n"
      << process_->Stderr();
  ASSERT_TRUE(testing::WaitUntil([&] { return HttpGet(url, "/health").status == 200; }));
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0) << process_->Stderr();

  std::set<std::string> seen;
  size_t docs = 0;
  for (const testing::EsStoredDoc& d : es.Docs()) {
    ++docs;
    seen.insert(d.message.substr(0, d.message.find(' ')));
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(lines_))
      << "every line arrived, those of deleted files included";
  EXPECT_EQ(docs, static_cast<size_t>(lines_)) << "and none twice";
}

TEST_F(BackPressureTest, KafkaBrokersDownMemoryStaysBoundedAndNothingIsLost) {
  testing::KafkaTestBroker broker(LOGSHIP_KAFKA_TEST_BROKER, dir_.path(), {"--topic", "bp:16"});
  ASSERT_TRUE(broker.ok()) << broker.Log();
  ASSERT_EQ(broker.Command("down -1"), "ok");
  testing::WriteFile(dir_.Sub("pipeline.yaml"), R"(data_dir: data
http: {listen: "127.0.0.1:0"}
pipelines:
  app:
    inputs: [{type: file, include: ["logs/app.log*"], rescan_interval: 100ms}]
    sinks:
      - type: kafka
        brokers: ")" + broker.bootstrap() + R"("
        topic: bp
        key: "{{log.offset}}"
        format: raw
        compression: lz4
)");
  std::string url = Start();
  ASSERT_FALSE(url.empty());
  WriteRotatingLogs();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ExpectStalled(url, "kafka");

  ASSERT_EQ(broker.Command("up -1"), "ok");  // the brokers come back
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return testing::KafkaTopicEndOffsets(broker.bootstrap(), "bp") >= lines_; },
      std::chrono::seconds(300)))
      << process_->Stderr();
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0) << process_->Stderr();

  testing::KafkaTopicContents topic = testing::ReadKafkaTopic(broker.bootstrap(), "bp");
  ASSERT_EQ(topic.error, "");
  std::set<std::string> seen;
  for (const std::string& v : topic.AllValues()) seen.insert(v.substr(0, v.find(' ')));
  EXPECT_EQ(seen.size(), static_cast<size_t>(lines_))
      << "every line arrived, those of deleted files included";
  // Produced again only after a delivery timeout: bounded by the batches in flight.
  EXPECT_LE(topic.messages.size() - static_cast<size_t>(lines_), 8u * 2048u);
}

TEST_F(BackPressureTest, AFileGoneBeforeASlotFreedIsACountedLoggedLoss) {
  testing::WriteFile(dir_.Sub("pipeline.yaml"), R"(data_dir: data
http: {listen: "127.0.0.1:0"}
pipelines:
  app:
    inputs: [{type: file, include: ["logs/*.log"], max_open_files: 1, rescan_interval: 2s}]
    sinks: [{type: spool, path: out}]
)");
  testing::WriteFile(dir_.Sub("logs/a.log"), "a\n");
  std::string url = Start();
  ASSERT_FALSE(url.empty());
  ASSERT_TRUE(testing::WaitUntil([&] { return testing::CountSpooledLines(dir_.Sub("out")) == 1; }));
  // a.log keeps growing, so it is never idle (a rescan_interval without growth) long enough to be
  // parked for b.log: b.log waits. inotify, not the rescan interval, notices b.log and its removal.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      testing::AppendFile(dir_.Sub("logs/a.log"), "a-" + std::to_string(i) + "\n");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  testing::WriteFile(dir_.Sub("logs/b.log"), std::string(99, 'b') + "\n");
  bool waited = testing::WaitUntil(
      [&] { return process_->Stderr().find("wait for a slot") != std::string::npos; });
  ASSERT_EQ(std::remove(dir_.Sub("logs/b.log").c_str()), 0);
  std::string metrics;
  bool counted = testing::WaitUntil([&] {
    metrics = HttpGet(url, "/metrics").body;
    return MetricValue(metrics, "logship_files_lost_total{pipeline=\"app\",input=\"input-0\"}") ==
           1;
  });
  stop.store(true);
  writer.join();
  ASSERT_TRUE(waited) << process_->Stderr();
  ASSERT_TRUE(counted) << metrics;
  EXPECT_EQ(MetricValue(metrics, "logship_bytes_lost_total{pipeline=\"app\",input=\"input-0\"}"),
            100)
      << process_->Stderr();
  EXPECT_THAT(process_->Stderr(), HasSubstr(dir_.Sub("logs/b.log") + "' (inode "));
  EXPECT_THAT(process_->Stderr(), HasSubstr("disappeared before it could be opened"));
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0);
}

}  // namespace
}  // namespace logship
