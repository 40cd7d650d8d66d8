// SPDX-License-Identifier: Apache-2.0
// A Pipeline with a real file input and an in-process sink: back-pressure bounds what is read
// while a sink holds every batch, checkpoints wait for acknowledgements, and steady-state reading
// allocates per batch, never per event.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>
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
    if (recording_) {
      for (const Event& e : batch->events()) {
        seen_.emplace_back(std::string(batch->sources()[e.source].path), e.offset);
      }
    }
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
  // Remembers (log.file.path, log.offset) of every event, in the order they arrive.
  void set_recording() { recording_ = true; }
  std::vector<std::pair<std::string, uint64_t>> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
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
  bool recording_ = false;
  std::vector<std::pair<std::string, uint64_t>> seen_;
  std::vector<Held> held_;
  uint64_t events_ = 0;
  uint64_t batches_ = 0;
};

// Spends an uneven amount of CPU on each batch, so that workers overtake each other.
class JitterStage final : public Stage {
 public:
  void Process(Batch& batch, const EventSelection&) override {
    uint64_t first = batch.events().empty() ? 0 : batch.events()[0].offset;
    volatile uint64_t spin = 0;
    for (uint64_t i = 0; i < (first * 7919) % 20000; ++i) spin = spin + i;
  }
};

class PipelineFlowTest : public ::testing::Test {
 protected:
  // A pipeline reading logs/*.log into `sink_` (not owned by the pipeline's caller).
  // With `workers` > 1, that many chains of one JitterStage.
  std::unique_ptr<Pipeline> MakePipeline(size_t in_flight, bool once, size_t workers = 1,
                                         size_t max_events = 1024) {
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
    parts.batch_max_events = max_events;
    if (workers > 1) {
      parts.stage_chains.resize(workers);
      for (StageChain& chain : parts.stage_chains) {
        chain.Add(std::make_unique<JitterStage>(), std::nullopt);
      }
    }
    parts.batch_max_bytes = 256 * 1024;
    return std::make_unique<Pipeline>(std::move(parts), "host", once, RealClock(), metrics_);
  }

  // Writes `lines` lines of 200 bytes to logs/<name>; returns the file size.
  uint64_t WriteLog(int lines, const std::string& name = "app.log") {
    std::string line(199, 'x');
    line += '\n';
    std::string all;
    for (int i = 0; i < lines; ++i) all += line;
    ::system(("mkdir -p " + dir_.Sub("logs")).c_str());
    testing::WriteFile(dir_.Sub("logs/" + name), all);
    return all.size();
  }

  void StalledSinkPausesReadingWithinTheBatchBound(size_t in_flight, size_t workers);

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

// With `workers` stage threads: a sink holding every batch stops reading within the pool's
// bound, and once it lets go everything arrives and is checkpointed.
void PipelineFlowTest::StalledSinkPausesReadingWithinTheBatchBound(size_t in_flight,
                                                                   size_t workers) {
  const int kLines = 100'000;  // 20 MB
  uint64_t size = WriteLog(kLines);
  auto pipeline = MakePipeline(in_flight, /*once=*/false, workers);
  sink_->set_holding(true);
  ASSERT_TRUE(pipeline->Start().ok());
  // The sink holds batches; once every batch of the pool is out, the source cannot get another.
  ASSERT_TRUE(WaitUntil(
      [&] { return pipeline->BatchesInUse() == in_flight && sink_->held() >= in_flight - 1; }));
  // Structural bound: at most the pool's batches (256 KiB each, plus one line of overflow) and
  // one read buffer (1 MiB max line + 256 KiB) can have been read.
  uint64_t bound = in_flight * (256 * 1024 + 200) + (1 << 20) + 256 * 1024 + 1;
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

TEST_F(PipelineFlowTest, AStalledSinkPausesReadingWithinTheBatchBound) {
  StalledSinkPausesReadingWithinTheBatchBound(4, 1);
}

TEST_F(PipelineFlowTest, AStalledSinkPausesFourWorkersWithinTheBatchBound) {
  StalledSinkPausesReadingWithinTheBatchBound(6, 4);
}

TEST_F(PipelineFlowTest, StageWorkersKeepEachFilesOrderAndLoseNothing) {
  const int kLines = 5000;
  WriteLog(kLines, "a.log");
  WriteLog(kLines, "b.log");
  // Many small batches from two files, on four workers that finish out of order.
  auto pipeline = MakePipeline(16, /*once=*/true, /*workers=*/4, /*max_events=*/7);
  EXPECT_EQ(pipeline->workers(), 4u);
  sink_->set_recording();
  ASSERT_TRUE(pipeline->Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return pipeline->SourcesDone() && pipeline->BatchesInUse() == 0; }));
  pipeline->StopReading();
  EXPECT_TRUE(pipeline->Drain(RealClock().MonotonicNanos() + 10'000'000'000));
  EXPECT_TRUE(pipeline->Finish().ok());
  std::map<std::string, std::vector<uint64_t>> by_file;
  for (const auto& [path, offset] : sink_->seen()) by_file[path].push_back(offset);
  ASSERT_EQ(by_file.size(), 2u);
  for (const auto& [path, offsets] : by_file) {
    ASSERT_EQ(offsets.size(), static_cast<size_t>(kLines)) << path;
    for (size_t i = 0; i < offsets.size(); ++i) {
      ASSERT_EQ(offsets[i], i * 200) << path << ": line " << i << " out of order";
    }
  }
}

TEST_F(PipelineFlowTest, DrainAtTheDeadlineWithAStalledSinkReleasesWhatWorkersHold) {
  WriteLog(50'000);
  auto pipeline = MakePipeline(8, /*once=*/false, /*workers=*/4, /*max_events=*/100);
  sink_->set_holding(true);
  ASSERT_TRUE(pipeline->Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return pipeline->BatchesInUse() == 8; }));
  pipeline->StopReading();
  // Drain gives up on the sink at the deadline (now); whatever the workers still hold, processed
  // or not, is released without an acknowledgement rather than left waiting for its turn.
  pipeline->Drain(RealClock().MonotonicNanos());
  EXPECT_TRUE(pipeline->Finish().ok());
  EXPECT_EQ(pipeline->BatchesInUse(), 0u) << "every batch came back to the pool";
  // The sink acknowledged what it held when it was stopped, and nothing else: the checkpoint
  // covers at most the lines it received.
  EXPECT_LE(CheckpointedOffset(), sink_->events() * 200);
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
