// SPDX-License-Identifier: Apache-2.0
// The host_metrics input's options, and the source itself against an in-process SourceContext:
// samples arrive as batches of message-less events with the common metric fields, no
// acknowledgement asked, split at the pipeline's batch limits; --once takes one snapshot; stopping
// is prompt even while no batch can be had.

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "src/config/config_node.h"
#include "src/event/batch_pool.h"
#include "src/event/json_writer.h"
#include "src/host/host_metrics_options.h"
#include "src/host/host_metrics_source.h"
#include "tests/testing/canonical_json.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using testing::TempDir;
using testing::WaitUntil;

class OptionsTest : public ::testing::Test {
 protected:
  Result<HostMetricsOptions> Parse(const std::string& yaml) {
    errors_ = ConfigErrors();
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "p.yaml");
    EXPECT_TRUE(node.ok());
    PluginContext ctx;
    ctx.pipeline = "p";
    ctx.component = "pipelines.p.inputs[0]";
    ctx.base_dir = "/etc/logship";
    ctx.errors = &errors_;
    return ParseHostMetricsOptions(*node, ctx);
  }
  std::string Errors() const { return errors_.ToString(); }
  ConfigErrors errors_;
};

TEST_F(OptionsTest, Defaults) {
  Result<HostMetricsOptions> o = Parse("type: host_metrics\n");
  ASSERT_TRUE(o.ok()) << Errors();
  EXPECT_EQ(o->interval.nanos, Duration::Seconds(10).nanos);
  EXPECT_EQ(o->metricsets, (std::vector<std::string>{"cpu", "load", "memory", "filesystem",
                                                     "diskio", "network", "uptime"}));
  EXPECT_FALSE(o->cpu.per_core);
  EXPECT_TRUE(o->filesystem.mounts.empty());
  EXPECT_FALSE(o->filesystem.ignore_types.has_value()) << "unset: the kernel's nodev types";
  EXPECT_EQ(o->proc_root, "/proc");
}

TEST_F(OptionsTest, EveryOption) {
  Result<HostMetricsOptions> o = Parse(R"(type: host_metrics
interval: 1s
metricsets: [cpu, filesystem, diskio, network]
cpu: {per_core: true}
filesystem: {mounts: ["/", "/data*"], ignore_types: []}
diskio: {devices: ["sd*"]}
network: {interfaces: [eth0]}
proc_root: host/proc
)");
  ASSERT_TRUE(o.ok()) << Errors();
  EXPECT_EQ(o->interval.nanos, Duration::Seconds(1).nanos);
  EXPECT_EQ(o->metricsets.size(), 4u);
  EXPECT_TRUE(o->cpu.per_core);
  EXPECT_EQ(o->filesystem.mounts, (std::vector<std::string>{"/", "/data*"}));
  ASSERT_TRUE(o->filesystem.ignore_types.has_value());
  EXPECT_TRUE(o->filesystem.ignore_types->empty()) << "[] reports every type";
  EXPECT_EQ(o->diskio.devices, std::vector<std::string>{"sd*"});
  EXPECT_EQ(o->network.interfaces, std::vector<std::string>{"eth0"});
  EXPECT_EQ(o->proc_root, "/etc/logship/host/proc") << "relative to the pipeline file";
}

TEST_F(OptionsTest, ProblemsAreReportedWithTheirPositions) {
  EXPECT_FALSE(Parse("type: host_metrics\nmetricsets: [cpu, disk]\n").ok());
  EXPECT_NE(Errors().find("p.yaml:2:"), std::string::npos) << Errors();
  EXPECT_NE(Errors().find("unknown metricset 'disk', known: cpu, load, memory, filesystem"),
            std::string::npos)
      << Errors();
  EXPECT_FALSE(Parse("type: host_metrics\nmetricsets: [cpu, cpu]\n").ok());
  EXPECT_NE(Errors().find("'cpu' is listed twice"), std::string::npos) << Errors();
  EXPECT_FALSE(Parse("type: host_metrics\nmetricsets: []\n").ok());
  EXPECT_NE(Errors().find("at least one metricset"), std::string::npos) << Errors();
  EXPECT_FALSE(Parse("type: host_metrics\ninterval: 1ms\n").ok());
  EXPECT_NE(Errors().find("at least 10ms"), std::string::npos) << Errors();
  EXPECT_FALSE(Parse("type: host_metrics\nintervall: 1s\n").ok());
  EXPECT_NE(Errors().find("intervall"), std::string::npos) << Errors();
  EXPECT_FALSE(Parse("type: host_metrics\ncpu: {percpu: true}\n").ok());
  EXPECT_NE(Errors().find("percpu"), std::string::npos) << Errors();
  EXPECT_FALSE(Parse("type: host_metrics\nnetwork: {interfaces: [\"\"]}\n").ok());
  EXPECT_NE(Errors().find("must not be empty"), std::string::npos) << Errors();
  // Options of a metricset that is off would silently do nothing.
  EXPECT_FALSE(Parse("type: host_metrics\nmetricsets: [cpu]\nfilesystem: {mounts: [/]}\n").ok());
  EXPECT_NE(Errors().find("p.yaml:3:"), std::string::npos) << Errors();
  EXPECT_NE(Errors().find("the filesystem metricset is not in 'metricsets'"), std::string::npos)
      << Errors();
}

// A pipeline stand-in: lends batches from a small pool and records what is emitted.
class FakePipeline final : public SourceContext {
 public:
  explicit FakePipeline(size_t batches = 4) : pool_(batches) {}

  MutableBatch AcquireBatch(int64_t timeout_ms) override {
    MutableBatch b = pool_.Acquire(timeout_ms);
    if (b) b->host_name = "test-host";
    return b;
  }
  void Emit(MutableBatch batch) override {
    std::vector<std::string> lines;
    for (const Event& e : batch->events()) {
      out_.clear();
      writer_.WriteEvent(*batch, e, out_);
      lines.emplace_back(out_.view());
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (batch->ack_tracker != nullptr) acks_asked_ = true;
    batch_sizes_.push_back(batch->events().size());
    for (auto& l : lines) events_.push_back(std::move(l));
  }
  int sink_count() const override { return 1; }
  size_t batch_max_events() const override { return max_events_; }
  size_t batch_max_bytes() const override { return 1 << 20; }
  int64_t batch_timeout_ns() const override { return 200'000'000; }
  bool once() const override { return once_; }
  MetricsRegistry& metrics() override { return metrics_; }
  const std::string& pipeline_name() const override { return name_; }
  Histogram& ack_latency() override { return latency_; }

  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<size_t> batch_sizes() {
    std::lock_guard<std::mutex> lock(mu_);
    return batch_sizes_;
  }
  bool acks_asked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_asked_;
  }
  BatchPool& pool() { return pool_; }

  size_t max_events_ = 2048;
  bool once_ = false;

 private:
  BatchPool pool_;
  MetricsRegistry metrics_;
  std::string name_ = "p";
  Histogram& latency_ = metrics_.GetHistogram("test_latency", "test", {1.0});
  JsonWriter writer_;
  OutputBuffer out_;
  std::mutex mu_;
  std::vector<std::string> events_;
  std::vector<size_t> batch_sizes_;
  bool acks_asked_ = false;
};

class HostMetricsSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(std::string(LOGSHIP_SOURCE_DIR) + "/tests/data/proc/t0", dir_.Sub("proc"),
                          std::filesystem::copy_options::recursive);
  }
  std::unique_ptr<Source> Make(const std::string& options) {
    std::string yaml = "type: host_metrics\nproc_root: " + dir_.Sub("proc") + "\n" + options;
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "p.yaml");
    EXPECT_TRUE(node.ok());
    PluginContext ctx;
    ctx.pipeline = "p";
    ctx.component = "pipelines.p.inputs[0]";
    ctx.base_dir = dir_.path();
    ctx.errors = &errors_;
    Result<std::unique_ptr<Source>> source = MakeHostMetricsSource(*node, ctx);
    EXPECT_TRUE(source.ok()) << errors_.ToString();
    return source.ok() ? std::move(*source) : nullptr;
  }
  static size_t Count(const std::vector<std::string>& events, const std::string& needle) {
    size_t n = 0;
    for (const std::string& e : events) n += e.find(needle) != std::string::npos;
    return n;
  }
  TempDir dir_;
  ConfigErrors errors_;
};

TEST_F(HostMetricsSourceTest, SamplesBecomeEventsWithTheCommonMetricFields) {
  std::unique_ptr<Source> source = Make("interval: 20ms\n");
  FakePipeline pipeline;
  ASSERT_TRUE(source->Start(pipeline).ok());
  // The proc tree stays at t0: counters do not move, so the second sample gives zero deltas for
  // disks and interfaces (and nothing for cpu: no tick passed).
  ASSERT_TRUE(WaitUntil([&] { return Count(pipeline.events(), "\"name\":\"diskio\"") >= 2; }));
  source->StopReading();
  source->Join();
  std::vector<std::string> events = pipeline.events();
  EXPECT_FALSE(pipeline.acks_asked()) << "metric samples need no acknowledgement";
  EXPECT_EQ(Count(events, "\"name\":\"cpu\""), 0u);
  EXPECT_GE(Count(events, "\"name\":\"load\""), 2u);
  EXPECT_GE(source->progress().events, events.size());
  // The first sample of the gauges, exactly as the spool writes it (apart from the time).
  std::string load;
  for (const std::string& e : events) {
    if (e.find("\"name\":\"load\"") != std::string::npos) {
      load = e;
      break;
    }
  }
  size_t ts_end = load.find("\",");
  ASSERT_EQ(load.substr(0, 15), "{\"@timestamp\":\"");
  load = "{" + load.substr(ts_end + 2);
  EXPECT_EQ(
      testing::CanonicalJson(load),
      testing::CanonicalJson(
          R"({"host":{"name":"test-host"},"metricset":{"name":"load","period":20},)"
          R"("event":{"dataset":"system.load","module":"system"},"service":{"type":"system"},)"
          R"("system":{"load":{"1":1.5,"5":1.0,"15":0.5,"cores":2,)"
          R"("norm":{"1":0.75,"5":0.5,"15":0.25}}}})"));
  for (const std::string& e : events) {
    EXPECT_EQ(e.find("\"message\""), std::string::npos) << e;
    EXPECT_EQ(testing::CanonicalJson(e).rfind("INVALID", 0), std::string::npos) << e;
  }
}

TEST_F(HostMetricsSourceTest, ASampleLargerThanABatchIsSplitAcrossBatches) {
  std::unique_ptr<Source> source = Make("interval: 1h\nmetricsets: [load, memory, uptime]\n");
  FakePipeline pipeline;
  pipeline.max_events_ = 2;
  ASSERT_TRUE(source->Start(pipeline).ok());
  ASSERT_TRUE(WaitUntil([&] { return pipeline.events().size() == 3; }));
  source->StopReading();
  source->Join();
  EXPECT_EQ(pipeline.batch_sizes(), (std::vector<size_t>{2, 1}));
}

TEST_F(HostMetricsSourceTest, OnceTakesOneSnapshotAndEnds) {
  std::unique_ptr<Source> source = Make("interval: 1h\n");
  FakePipeline pipeline;
  pipeline.once_ = true;
  ASSERT_TRUE(source->Start(pipeline).ok());
  source->Join();  // ends by itself
  std::vector<std::string> events = pipeline.events();
  EXPECT_EQ(Count(events, "\"name\":\"load\""), 1u);
  EXPECT_EQ(Count(events, "\"name\":\"memory\""), 1u);
  EXPECT_EQ(Count(events, "\"name\":\"uptime\""), 1u);
  EXPECT_EQ(Count(events, "\"name\":\"filesystem\""), 1u);
  // Counter-based metricsets need two samples: no made-up zeros.
  EXPECT_EQ(Count(events, "\"name\":\"cpu\""), 0u);
  EXPECT_EQ(Count(events, "\"name\":\"diskio\""), 0u);
  EXPECT_EQ(Count(events, "\"name\":\"network\""), 0u);
  EXPECT_EQ(pipeline.pool().in_use(), 0u);
}

TEST_F(HostMetricsSourceTest, AMetricsetThatFailsDoesNotStopTheOthers) {
  std::filesystem::remove(dir_.Sub("proc/meminfo"));
  std::unique_ptr<Source> source = Make("interval: 20ms\nmetricsets: [memory, uptime]\n");
  FakePipeline pipeline;
  ASSERT_TRUE(source->Start(pipeline).ok());
  ASSERT_TRUE(WaitUntil([&] { return Count(pipeline.events(), "\"name\":\"uptime\"") >= 2; }));
  source->StopReading();
  source->Join();
  EXPECT_EQ(Count(pipeline.events(), "\"name\":\"memory\""), 0u);
  std::string scrape = pipeline.metrics().RenderPrometheus();
  EXPECT_NE(scrape.find("logship_host_metrics_errors_total{pipeline=\"p\",input=\"pipelines.p."
                        "inputs[0]\",metricset=\"memory\"}"),
            std::string::npos)
      << scrape;
}

TEST_F(HostMetricsSourceTest, StartFailsOnAMissingProcRootNamingIt) {
  std::unique_ptr<Source> source = Make("interval: 1s\n");
  std::filesystem::remove_all(dir_.Sub("proc"));
  FakePipeline pipeline;
  Status st = source->Start(pipeline);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(dir_.Sub("proc")), std::string_view::npos) << st.message();
  EXPECT_NE(st.message().find("pipelines.p.inputs[0]"), std::string_view::npos) << st.message();
}

TEST_F(HostMetricsSourceTest, StopsWhileEveryBatchIsHeldElsewhere) {
  std::unique_ptr<Source> source = Make("interval: 10ms\n");
  FakePipeline pipeline(1);
  MutableBatch held = pipeline.pool().Acquire(1000);  // the only batch: the source must wait
  ASSERT_TRUE(held);
  ASSERT_TRUE(source->Start(pipeline).ok());
  source->StopReading();
  source->Join();  // returns: the source gives up waiting for a batch once told to stop
  EXPECT_TRUE(pipeline.events().empty());
}

}  // namespace
}  // namespace logship
