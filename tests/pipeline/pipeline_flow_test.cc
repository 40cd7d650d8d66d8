// SPDX-License-Identifier: Apache-2.0
// A Pipeline with a real file input and an in-process sink: back-pressure bounds what is read
// while a sink holds every batch, checkpoints wait for acknowledgements, and steady-state reading
// allocates per batch, never per event.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "src/config/config_node.h"
#include "src/pipeline/pipeline.h"
#include "src/pipeline/registry.h"
#include "src/tail/checkpoint_store.h"
#include "src/tail/file_source.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using testing::TempDir;
using testing::WaitUntil;

// Holds every batch until released; then acknowledges what it holds and everything after.
class HoldingSink final : public Sink {
 public:
  HoldingSink() { held_.reserve(1024); }
  Status Start() override { return Status::Ok(); }
  void Submit(BatchPtr batch, AckHandle ack) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_ += batch->events().size();
    ++batches_;
    if (holding_) {
      held_.push_back({std::move(batch), ack});
      return;
    }
    ack.Done(AckStatus::kDelivered);
  }
  Status Stop(int64_t) override {
    Release();
    return Status::Ok();
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    holding_ = false;
    for (auto& h : held_) h.ack.Done(AckStatus::kDelivered);
    held_.clear();
  }
  void set_holding(bool h) {
    std::lock_guard<std::mutex> lock(mu_);
    holding_ = h;
  }
  size_t held() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.size();
  }
  uint64_t events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  uint64_t batches() {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_;
  }

 private:
  struct Held {
    BatchPtr batch;
    AckHandle ack;
  };
  std::mutex mu_;
  bool holding_ = false;
  std::vector<Held> held_;
  uint64_t events_ = 0;
  uint64_t batches_ = 0;
};

class PipelineFlowTest : public ::testing::Test {
 protected:
  // A pipeline reading logs/*.log into `sink_` (not owned by the pipeline's caller).
  std::unique_ptr<Pipeline> MakePipeline(size_t in_flight, bool once) {
    std::string yaml = "type: file\ninclude: [\"" + dir_.path() + "/logs/*.log\"]\n";
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "test.yaml");
    EXPECT_TRUE(node.ok());
    PluginContext ctx;
    ctx.pipeline = "p";
    ctx.component = "pipelines.p.inputs[0]";
    ctx.base_dir = dir_.path();
    ctx.data_dir = dir_.Sub("data/p");
    ctx.errors = &errors_;
    ctx.claims = &claims_;
    ctx.clock = &RealClock();
    Result<std::unique_ptr<Source>> source = MakeFileSource(*node, ctx);
    EXPECT_TRUE(source.ok()) << errors_.ToString();
    PipelineParts parts;
    parts.name = "p";
    parts.data_dir = dir_.Sub("data/p");
    parts.sources.push_back(std::move(*source));
    parts.source_names.push_back(ctx.component);
    auto sink = std::make_unique<HoldingSink>();
    sink_ = sink.get();
    SinkSlot slot;
    slot.name = "pipelines.p.sinks[0]";
    slot.sink = std::move(sink);
    parts.sinks.push_back(std::move(slot));
    parts.max_batches_in_flight = in_flight;
    parts.batch_max_events = 1024;
    parts.batch_max_bytes = 256 * 1024;
    return std::make_unique<Pipeline>(std::move(parts), "host", once, RealClock(), metrics_);
  }

  // Writes `lines` lines of 200 bytes; returns the file size.
  uint64_t WriteLog(int lines) {
    std::string line(199, 'x');
    line += '\n';
    std::string all;
    for (int i = 0; i < lines; ++i) all += line;
    ::system(("mkdir -p " + dir_.Sub("logs")).c_str());
    testing::WriteFile(dir_.Sub("logs/app.log"), all);
    return all.size();
  }

  uint64_t CheckpointedOffset() {
    Result<CheckpointStore> store =
        CheckpointStore::Open(PosixFileSystem(), dir_.Sub("data/p"), "input-0.checkpoints");
    EXPECT_TRUE(store.ok());
    Result<LoadedCheckpoints> loaded = store->Load();
    EXPECT_TRUE(loaded.ok());
    if (!loaded.ok() || loaded->checkpoints.files.empty()) return 0;
    return loaded->checkpoints.files[0].offset;
  }

  TempDir dir_;
  MetricsRegistry metrics_;
  ConfigErrors errors_;
  ResourceClaims claims_;
  HoldingSink* sink_ = nullptr;
};

TEST_F(PipelineFlowTest, AStalledSinkPausesReadingWithinTheBatchBound) {
  const int kLines = 100'000;  // 20 MB
  uint64_t size = WriteLog(kLines);
  const size_t kInFlight = 4;
  auto pipeline = MakePipeline(kInFlight, /*once=*/false);
  sink_->set_holding(true);
  ASSERT_TRUE(pipeline->Start().ok());
  // The sink holds batches; once every batch of the pool is out, the source cannot get another.
  ASSERT_TRUE(WaitUntil(
      [&] { return pipeline->BatchesInUse() == kInFlight && sink_->held() >= kInFlight - 1; }));
  // Structural bound: at most the pool's batches (256 KiB each, plus one line of overflow) and
  // one read buffer (1 MiB max line + 256 KiB) can have been read.
  uint64_t bound = kInFlight * (256 * 1024 + 200) + (1 << 20) + 256 * 1024 + 1;
  EXPECT_LE(pipeline->progress().bytes_read, bound);
  EXPECT_LT(pipeline->progress().bytes_read, size);
  EXPECT_EQ(CheckpointedOffset(), 0u) << "nothing is acknowledged yet";

  sink_->Release();
  ASSERT_TRUE(WaitUntil([&] { return sink_->events() == static_cast<uint64_t>(kLines); }));
  ASSERT_TRUE(WaitUntil([&] { return CheckpointedOffset() == size; }));
  pipeline->StopReading();
  EXPECT_TRUE(pipeline->Drain(RealClock().MonotonicNanos() + 10'000'000'000));
  EXPECT_TRUE(pipeline->Finish().ok());
  EXPECT_EQ(CheckpointedOffset(), size);
}

TEST_F(PipelineFlowTest, SteadyStateReadingAllocatesPerBatchNotPerEvent) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "no allocation counting here";
  // Warm up on a first part of the file: the pool's batches and the buffers reach their
  // working size. Then count while a second, larger part is appended and read.
  WriteLog(40'000);
  auto pipeline = MakePipeline(8, /*once=*/false);
  ASSERT_TRUE(pipeline->Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return sink_->events() == 40'000; }));
  uint64_t batches_before = sink_->batches();
  std::string more;
  for (int i = 0; i < 160'000; ++i) more += std::string(199, 'y') + "\n";
  testing::StartCountingAllocations();
  testing::AppendFile(dir_.Sub("logs/app.log"), more);
  ASSERT_TRUE(WaitUntil([&] { return sink_->events() == 200'000; }));
  uint64_t allocations = testing::StopCountingAllocations();
  uint64_t events = sink_->events() - 40'000;
  uint64_t batches = sink_->batches() - batches_before;
  // A batch costs a few allocations (its shared handle, a checkpoint save now and then); an
  // allocation per event would be over 1000 per batch.
  std::printf("%llu allocations for %llu events in %llu batches\n",
              static_cast<unsigned long long>(allocations), static_cast<unsigned long long>(events),
              static_cast<unsigned long long>(batches));
  EXPECT_LE(allocations, 8 * batches + 200) << events << " events in " << batches << " batches";
  pipeline->StopReading();
  EXPECT_TRUE(pipeline->Drain(RealClock().MonotonicNanos() + 10'000'000'000));
  EXPECT_TRUE(pipeline->Finish().ok());
}

}  // namespace
}  // namespace logship
