// SPDX-License-Identifier: Apache-2.0
#include "sinks/spool/spool_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "src/config/config_node.h"
#include "src/event/batch_pool.h"
#include "src/metrics/sink_stats.h"
#include "src/pipeline/ack_tracker.h"
#include "tests/sinks/spool/spool_test_util.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/fault_injecting_file_system.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

// Counts every allocation in this test binary, for the steady-state test below. Sanitizers bring
// their own allocator, so the count (and that test) is left out of sanitizer builds.

namespace logship {
namespace {

using ::logship::testing::FakeClock;
using ::logship::testing::ReadFileOrEmpty;
using ::logship::testing::ScriptedFileSystem;
using ::logship::testing::SpoolFiles;
using ::logship::testing::SpoolLines;
using ::logship::testing::TempDir;
using ::logship::testing::WaitUntil;
using ::logship::testing::WriteFile;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;

struct Submission {
  BatchPtr batch;
  AckHandle ack;
};

class SpoolSinkTest : public ::testing::Test {
 protected:
  SpoolSinkTest() {
    ctx_.pipeline = "app";
    ctx_.component = "pipelines.app.sinks[0]";
    ctx_.base_dir = tmp_.path();
    ctx_.data_dir = tmp_.Sub("data");
    ctx_.errors = &errors_;
    ctx_.claims = &claims_;
    ctx_.clock = &clock_;
  }

  // Parses `yaml`, the map of one sink, and builds the sink on `fs`.
  std::unique_ptr<Sink> Build(std::string_view yaml, FileSystem& fs) {
    Result<ConfigNode> node = ConfigNode::Parse(yaml, "pipeline.yaml");
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    if (!node.ok()) return nullptr;
    Result<SpoolSinkOptions> options = ParseSpoolSinkOptions(*node, ctx_);
    EXPECT_TRUE(options.ok()) << errors_.ToString();
    if (!options.ok()) return nullptr;
    return MakeSpoolSinkWithFileSystem(*options, ctx_, fs);
  }
  std::unique_ptr<Sink> Build(std::string_view yaml) { return Build(yaml, fs_); }

  // A batch of `n` events numbered first, first+1, ... (message "event <i>", field n: i),
  // registered with the tracker. Events for which `dropped(i)` holds are marked dropped.
  Submission MakeBatch(int first, int n, const std::function<bool(int)>& dropped = {},
                       size_t message_padding = 0) {
    MutableBatch b = pool_.Acquire(60'000);
    EXPECT_NE(b, nullptr);
    for (int i = first; i < first + n; ++i) {
      Event& e = b->AddEvent();
      std::string message = "event " + std::to_string(i) + std::string(message_padding, '.');
      e.message = b->arena().Copy(message);
      e.timestamp_ns = clock_.NowUnixNanos();
      e.dropped = dropped && dropped(i);
      b->AddField(e, "n", Value::Int(i));
    }
    uint64_t seq = tracker_.Register(b->sources());
    b->ack_tracker = &tracker_;
    b->sequence = seq;
    return Submission{BatchPool::Freeze(std::move(b)), AckHandle(&tracker_, seq)};
  }
  void Submit(Sink& sink, int first, int n) {
    Submission s = MakeBatch(first, n);
    sink.Submit(std::move(s.batch), s.ack);
  }
  bool WaitAllAcked() {
    return WaitUntil([this] { return tracker_.in_flight() == 0; });
  }

  std::string SpoolDir() const { return tmp_.Sub("spool"); }

  // The field `n` of every line in the spool, checking that each line is one valid JSON event
  // whose message matches it.
  std::vector<int64_t> SpoolNumbers() {
    std::vector<int64_t> numbers;
    simdjson::dom::parser parser;
    for (const std::string& line : SpoolLines(SpoolDir())) {
      simdjson::dom::element doc;
      if (parser.parse(line).get(doc) != simdjson::SUCCESS) {
        ADD_FAILURE() << "not valid JSON: " << line;
        continue;
      }
      int64_t n = -1;
      std::string_view message;
      EXPECT_EQ(doc["n"].get(n), simdjson::SUCCESS) << line;
      EXPECT_EQ(doc["message"].get(message), simdjson::SUCCESS) << line;
      EXPECT_TRUE(message.starts_with("event " + std::to_string(n))) << line;
      numbers.push_back(n);
    }
    return numbers;
  }
  static std::vector<int64_t> Range(int64_t first, int64_t n) {
    std::vector<int64_t> v;
    for (int64_t i = first; i < first + n; ++i) v.push_back(i);
    return v;
  }

  TempDir tmp_;
  FakeClock clock_;
  ConfigErrors errors_;
  ResourceClaims claims_;
  PluginContext ctx_;
  ScriptedFileSystem fs_;
  // Declared before any sink a test makes, so every batch is back before the pool goes.
  BatchPool pool_{64};
  AckTracker tracker_{1};
};

TEST_F(SpoolSinkTest, WritesEveryEventOnceInOrderAsOneJsonLine) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  for (int b = 0; b < 10; ++b) Submit(*sink, b * 7, 7);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  EXPECT_EQ(SpoolNumbers(), Range(0, 70));
  EXPECT_EQ(pool_.in_use(), 0u) << "acknowledged batches go back to the pool";
}

TEST_F(SpoolSinkTest, SkipsDroppedEvents) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  Submission s = MakeBatch(0, 10, [](int i) { return i % 3 == 0; });
  sink->Submit(std::move(s.batch), s.ack);
  Submission all_dropped = MakeBatch(10, 2, [](int) { return true; });
  sink->Submit(std::move(all_dropped.batch), all_dropped.ack);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  EXPECT_EQ(SpoolNumbers(), (std::vector<int64_t>{1, 2, 4, 5, 7, 8}));
}

TEST_F(SpoolSinkTest, AcknowledgesOnlyAfterTheSyncReturned) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  fs_.StallSyncs(true);
  Submit(*sink, 0, 3);
  ASSERT_TRUE(WaitUntil([&] { return fs_.stalled_syncs() == 1; }));
  EXPECT_EQ(SpoolNumbers(), Range(0, 3)) << "written, and now being synced";
  EXPECT_EQ(tracker_.in_flight(), 1u) << "no acknowledgement before the sync returns";
  fs_.StallSyncs(false);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
}

TEST_F(SpoolSinkTest, RetriesAFailingSyncWithoutAcknowledgingOrDuplicating) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  fs_.FailSyncs(-1);
  Submit(*sink, 0, 5);
  ASSERT_TRUE(WaitUntil([&] { return fs_.failed_syncs() >= 2; }));
  EXPECT_EQ(tracker_.in_flight(), 1u);
  EXPECT_EQ(pool_.in_use(), 1u) << "the batch is held, not dropped";
  fs_.FailSyncs(0);
  ASSERT_TRUE(WaitAllAcked());
  Submit(*sink, 5, 5);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  EXPECT_EQ(SpoolNumbers(), Range(0, 10));
}

TEST_F(SpoolSinkTest, ReportsHealthRetriesAndEventsOutThroughItsStats) {
  MetricsRegistry registry;
  SinkHealth health;
  SinkStats stats = MakeSinkStats(registry, "app", "spool", &health);
  ctx_.sink_stats = &stats;
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  Submit(*sink, 0, 3);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(health.ok());
  EXPECT_EQ(stats.events_out->value(), 3u);
  EXPECT_GT(health.snapshot().last_success_unix_ns, 0);

  fs_.FailSyncs(-1);
  Submit(*sink, 3, 4);
  ASSERT_TRUE(WaitUntil([&] { return !health.ok(); }));
  EXPECT_THAT(health.snapshot().last_error, ::testing::HasSubstr("cannot write spool"));
  EXPECT_GE(stats.retries->value(), 1u);
  EXPECT_EQ(stats.events_out->value(), 3u) << "nothing counted before it is durable";

  fs_.FailSyncs(0);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(health.ok()) << "healthy again once a write succeeds";
  EXPECT_EQ(stats.events_out->value(), 7u);
  EXPECT_EQ(stats.queue_batches->value(), 0);
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  ctx_.sink_stats = nullptr;
}

TEST_F(SpoolSinkTest, RetriesAFailingWriteWithoutDuplicating) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  Submit(*sink, 0, 4);
  ASSERT_TRUE(WaitAllAcked());
  fs_.FailAppendsHalfway(2);
  Submit(*sink, 4, 4);
  Submit(*sink, 8, 4);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(fs_.failed_appends(), 2);
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  EXPECT_EQ(SpoolNumbers(), Range(0, 12));
}

TEST_F(SpoolSinkTest, AcknowledgedEventsSurviveACrash) {
  testing::FaultInjectingFileSystem crashy;
  {
    std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\nmax_file_bytes: 4KiB\n", crashy);
    ASSERT_TRUE(sink->Start().ok());
    for (int b = 0; b < 20; ++b) Submit(*sink, b * 5, 5);
    ASSERT_TRUE(WaitAllAcked());
    EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  }
  crashy.SimulateCrash();
  EXPECT_EQ(SpoolNumbers(), Range(0, 100));
}

TEST_F(SpoolSinkTest, RotatesBySize) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\nmax_file_bytes: 4KiB\n");
  ASSERT_TRUE(sink->Start().ok());
  for (int b = 0; b < 10; ++b) {
    Submission s = MakeBatch(b * 5, 5, {}, /*message_padding=*/200);
    sink->Submit(std::move(s.batch), s.ack);
    ASSERT_TRUE(WaitAllAcked());  // one batch per write, so each write is well under 4KiB
  }
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  std::vector<std::string> files = SpoolFiles(SpoolDir());
  EXPECT_GT(files.size(), 1u);
  for (const std::string& f : files) {
    EXPECT_LE(ReadFileOrEmpty(SpoolDir() + "/" + f).size(), 4096u) << f;
  }
  EXPECT_EQ(SpoolNumbers(), Range(0, 50));
}

TEST_F(SpoolSinkTest, RotatesByAge) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\nmax_file_age: 1m\n");
  ASSERT_TRUE(sink->Start().ok());
  Submit(*sink, 0, 2);
  ASSERT_TRUE(WaitAllAcked());
  clock_.Advance(30 * kSecond);
  Submit(*sink, 2, 2);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_EQ(SpoolFiles(SpoolDir()).size(), 1u);
  clock_.Advance(30 * kSecond);
  Submit(*sink, 4, 2);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  EXPECT_EQ(SpoolFiles(SpoolDir()).size(), 2u);
  EXPECT_EQ(SpoolNumbers(), Range(0, 6));
}

TEST_F(SpoolSinkTest, StartRepairsATornLastLineAndContinuesTheCounter) {
  ASSERT_TRUE(PosixFileSystem().CreateDirs(SpoolDir()).ok());
  std::string old_file = SpoolDir() + "/20200101T000000.000Z-000005.ndjson";
  WriteFile(old_file, "{\"message\":\"event 100\",\"n\":100}\n{\"message\":\"event 1");
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  EXPECT_EQ(ReadFileOrEmpty(old_file), "{\"message\":\"event 100\",\"n\":100}\n");
  Submit(*sink, 0, 1);
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  EXPECT_EQ(SpoolFiles(SpoolDir()),
            (std::vector<std::string>{"20200101T000000.000Z-000005.ndjson",
                                      "20261124T203406.123Z-000006.ndjson"}));
  EXPECT_EQ(SpoolNumbers(), (std::vector<int64_t>{100, 0}));
}

TEST_F(SpoolSinkTest, SubmitBlocksWhileTheQueueIsFull) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\nqueue_batches: 1\n");
  ASSERT_TRUE(sink->Start().ok());
  fs_.StallSyncs(true);
  Submit(*sink, 0, 1);  // taken by the worker, which then stalls in its sync
  ASSERT_TRUE(WaitUntil([&] { return fs_.stalled_syncs() == 1; }));
  Submit(*sink, 1, 1);  // fills the queue
  Submission third = MakeBatch(2, 1);
  std::atomic<bool> returned{false};
  std::thread submitter([&] {
    sink->Submit(std::move(third.batch), third.ack);
    returned = true;
  });
  // Not a timing assertion: Submit must not return at all while the writer is stalled, however
  // long we look; a short look only makes the check weaker, never flaky.
  EXPECT_FALSE(WaitUntil([&] { return returned.load(); }, std::chrono::milliseconds(200)));
  EXPECT_EQ(tracker_.in_flight(), 3u);
  fs_.StallSyncs(false);
  ASSERT_TRUE(WaitUntil([&] { return returned.load(); }));
  submitter.join();
  ASSERT_TRUE(WaitAllAcked());
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
  EXPECT_EQ(SpoolNumbers(), Range(0, 3));
}

TEST_F(SpoolSinkTest, StopDeliversWhatIsQueued) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  fs_.StallSyncs(true);
  Submit(*sink, 0, 2);
  ASSERT_TRUE(WaitUntil([&] { return fs_.stalled_syncs() == 1; }));
  Submit(*sink, 2, 2);
  Submit(*sink, 4, 2);
  Submit(*sink, 6, 2);
  Status stopped;
  std::thread stopper([&] { stopped = sink->Stop(clock_.MonotonicNanos() + kHour); });
  fs_.StallSyncs(false);
  stopper.join();
  EXPECT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_EQ(tracker_.in_flight(), 0u);
  EXPECT_EQ(SpoolNumbers(), Range(0, 8));
}

TEST_F(SpoolSinkTest, StopDeadlineInterruptsRetryingAndLeavesTheGroupUnacknowledged) {
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  fs_.FailSyncs(-1);
  Submit(*sink, 0, 2);
  ASSERT_TRUE(WaitUntil([&] { return fs_.failed_syncs() >= 1; }));
  Submit(*sink, 2, 2);
  Status stopped = sink->Stop(clock_.MonotonicNanos());
  EXPECT_FALSE(stopped.ok());
  EXPECT_NE(stopped.message().find("pipelines.app.sinks[0]"), std::string_view::npos);
  EXPECT_EQ(tracker_.in_flight(), 2u) << "nothing acknowledged";
  EXPECT_EQ(pool_.in_use(), 0u) << "but every batch released";
  EXPECT_TRUE(SpoolNumbers().empty()) << "the failed write was undone";
}

TEST_F(SpoolSinkTest, AllocatesNothingPerEventInSteadyState) {
  if (!::logship::testing::AllocationCountingAvailable()) {
    GTEST_SKIP() << "allocations are not counted in this build";
  }
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  ASSERT_TRUE(sink->Start().ok());
  for (int b = 0; b < 3; ++b) {
    Submit(*sink, b * 2000, 2000);
    ASSERT_TRUE(WaitAllAcked());
  }
  Submission batch = MakeBatch(6000, 2000);  // built before counting
  ::logship::testing::StartCountingAllocations();
  sink->Submit(std::move(batch.batch), batch.ack);
  ASSERT_TRUE(WaitAllAcked());
  uint64_t allocations = ::logship::testing::StopCountingAllocations();
  EXPECT_LT(allocations, 20u) << "2000 events written with " << allocations << " allocations";
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos() + kHour).ok());
}

TEST_F(SpoolSinkTest, StartFailureNamesTheSinkAndThePath) {
  WriteFile(SpoolDir(), "a file where the spool directory should be");
  std::unique_ptr<Sink> sink = Build("type: spool\npath: spool\n");
  Status s = sink->Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("pipelines.app.sinks[0]"), std::string_view::npos) << s.ToString();
  EXPECT_NE(s.message().find(SpoolDir()), std::string_view::npos) << s.ToString();
  EXPECT_TRUE(sink->Stop(clock_.MonotonicNanos()).ok());
}

TEST_F(SpoolSinkTest, ParsesOptionsWithDefaults) {
  Result<ConfigNode> node = ConfigNode::Parse("type: spool\npath: out/../spool\n", "pipeline.yaml");
  ASSERT_TRUE(node.ok());
  Result<SpoolSinkOptions> o = ParseSpoolSinkOptions(*node, ctx_);
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  EXPECT_EQ(o->path, SpoolDir());
  EXPECT_EQ(o->max_file_bytes, ByteSize::MiB(64));
  EXPECT_EQ(o->max_file_age, Duration::Seconds(3600));
  EXPECT_EQ(o->queue_batches, 4);

  node = ConfigNode::Parse(
      "type: spool\npath: /abs/spool\nmax_file_bytes: 1MiB\nmax_file_age: 90s\n"
      "queue_batches: 1024\nwhen: ignored for now\n",
      "pipeline.yaml");
  ASSERT_TRUE(node.ok());
  o = ParseSpoolSinkOptions(*node, ctx_);
  ASSERT_TRUE(o.ok()) << errors_.ToString();
  EXPECT_EQ(o->path, "/abs/spool");
  EXPECT_EQ(o->max_file_bytes, ByteSize::MiB(1));
  EXPECT_EQ(o->max_file_age, Duration::Seconds(90));
  EXPECT_EQ(o->queue_batches, 1024);
}

TEST_F(SpoolSinkTest, TwoSinksOnOnePathIsAConfigErrorWithItsPosition) {
  Result<ConfigNode> root = ConfigNode::Parse(
      "sinks:\n"
      "  - type: spool\n"
      "    path: out\n"
      "  - type: spool\n"
      "    path: ./out/\n",
      "pipeline.yaml");
  ASSERT_TRUE(root.ok());
  std::vector<ConfigNode> sinks = root->Get("sinks").Elements();
  ASSERT_EQ(sinks.size(), 2u);
  ctx_.component = "pipelines.app.sinks[0]";
  EXPECT_TRUE(MakeSpoolSink(sinks[0], ctx_).ok()) << errors_.ToString();
  ctx_.component = "pipelines.app.sinks[1]";
  Result<std::unique_ptr<Sink>> second = MakeSpoolSink(sinks[1], ctx_);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("pipelines.app.sinks[1]"), std::string_view::npos);
  std::string errors = errors_.ToString();
  EXPECT_EQ(errors_.size(), 1u) << errors;
  EXPECT_NE(errors.find("pipeline.yaml:5:"), std::string::npos) << errors;
  EXPECT_NE(errors.find("already used by pipelines.app.sinks[0]"), std::string::npos) << errors;
  EXPECT_NE(errors.find(tmp_.Sub("out")), std::string::npos) << errors;
}

TEST_F(SpoolSinkTest, BadOptionsAreReportedWithTheirPositions) {
  Result<ConfigNode> node = ConfigNode::Parse(
      "type: spool\n"
      "max_file_bytes: 1KiB\n"
      "max_file_age: 0s\n"
      "queue_batches: 2000\n"
      "colour: blue\n",
      "pipeline.yaml");
  ASSERT_TRUE(node.ok());
  Result<std::unique_ptr<Sink>> sink = MakeSpoolSink(*node, ctx_);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(sink.status().message().find("pipelines.app.sinks[0]"), std::string_view::npos);
  std::string errors = errors_.ToString();
  EXPECT_EQ(errors_.size(), 5u) << errors;
  for (const char* expected : {"pipeline.yaml:1:", "pipeline.yaml:2:", "pipeline.yaml:3:",
                               "pipeline.yaml:4:", "pipeline.yaml:5:"}) {
    EXPECT_NE(errors.find(expected), std::string::npos) << expected << " in\n" << errors;
  }
  for (const char* expected :
       {"path", "max_file_bytes", "max_file_age", "queue_batches", "colour"}) {
    EXPECT_NE(errors.find(expected), std::string::npos) << expected << " in\n" << errors;
  }
}

TEST_F(SpoolSinkTest, WrongTypesAndAnEmptyPathAreErrors) {
  Result<ConfigNode> node = ConfigNode::Parse(
      "type: spool\n"
      "path: ''\n"
      "max_file_bytes: lots\n"
      "queue_batches: [1]\n",
      "pipeline.yaml");
  ASSERT_TRUE(node.ok());
  EXPECT_FALSE(MakeSpoolSink(*node, ctx_).ok());
  std::string errors = errors_.ToString();
  EXPECT_EQ(errors_.size(), 3u) << errors;
  for (const char* expected : {"pipeline.yaml:2:", "pipeline.yaml:3:", "pipeline.yaml:4:"}) {
    EXPECT_NE(errors.find(expected), std::string::npos) << expected << " in\n" << errors;
  }
}

}  // namespace
}  // namespace logship
