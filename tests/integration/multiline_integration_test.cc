// SPDX-License-Identifier: Apache-2.0
// Multiline joining end to end: a real logship process, files with Java traces, the spool read
// back. A trace is one event with its first line's offset; a pending trace times out without new
// data; a SIGKILL in the middle of a trace neither loses nor splits it; rotation, truncation and
// shutdown never drop a pending trace.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "src/base/file_system.h"
#include "src/tail/checkpoint_store.h"
#include "tests/integration/integration_fixture.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// A log line of the application ("start line" of an event).
std::string Line(int n, const std::string& text) {
  return "2024-05-01 10:00:" + std::string(n < 10 ? "0" : "") + std::to_string(n) + ".000 " + text;
}

// The first half of trace `n`: its log line, the exception and two frames.
std::string TraceHead(int n) {
  return Line(n, "ERROR [main] c.e.App - request " + std::to_string(n) + " failed") + "\n" +
         "java.lang.IllegalStateException: order " + std::to_string(n) + "\n" +
         "\tat com.example.store.OrderStore.save(OrderStore.java:88)\n" +
         "\tat com.example.App.handle(App.java:42)\n";
}
// The rest of trace `n`: a cause, its frames and the elision line.
std::string TraceTail(int n) {
  return "Caused by: java.io.IOException: No space left on device (" + std::to_string(n) + ")\n" +
         "\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)\n" + "\t... 12 more\n";
}
// A whole trace as shipped: its lines joined by "\n".
std::string Joined(const std::string& lines) {
  std::string s = lines;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

class MultilineIntegrationTest : public IntegrationTest {
 protected:
  std::string Pipeline(const std::string& timeout, const std::string& include = "logs/*.log") {
    return WritePipeline(include,
                         "        multiline:\n"
                         "          start: '^\\d{4}-\\d{2}-\\d{2} '\n"
                         "          timeout: " +
                             timeout + "\n");
  }
  std::unique_ptr<LogshipProcess> Start(const std::string& pipeline) {
    return std::make_unique<LogshipProcess>(std::vector<std::string>{"run", pipeline}, dir_.path());
  }
  bool WaitForEvents(size_t n) {
    return WaitUntil([&] { return CountSpooledLines(out_) >= n; });
  }
  // The saved checkpoint offset of the file at `path` (or -1).
  int64_t CheckpointOf(const std::string& path) {
    Result<CheckpointStore> store =
        CheckpointStore::Open(PosixFileSystem(), dir_.Sub("data/app"), "input-0.checkpoints");
    if (!store.ok()) return -1;
    Result<LoadedCheckpoints> loaded = store->Load();
    if (!loaded.ok()) return -1;
    for (const FileCheckpoint& c : loaded->checkpoints.files) {
      if (c.path == path) return static_cast<int64_t>(c.offset);
    }
    return -1;
  }
  void StopCleanly(LogshipProcess& p) {
    p.Signal(SIGTERM);
    std::optional<int> code = p.Wait();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << p.Stderr();
  }
};

TEST_F(MultilineIntegrationTest, EachJavaTraceIsOneEventAtItsFirstLinesOffset) {
  std::string content = "\tat orphan.Frame(before any start line)\n";
  std::vector<int64_t> offsets = {0};
  std::vector<std::string> want = {"\tat orphan.Frame(before any start line)"};
  for (int n = 0; n < 3; ++n) {
    offsets.push_back(static_cast<int64_t>(content.size()));
    std::string trace = TraceHead(n) + TraceTail(n);
    want.push_back(Joined(trace));
    content += trace;
    offsets.push_back(static_cast<int64_t>(content.size()));
    std::string info = Line(n, "INFO  [main] c.e.App - next") + "\n";
    want.push_back(Joined(info));
    content += info;
  }
  WriteFile(logs_ + "/app.log", content);
  RunResult r = RunOnce(Pipeline("2s"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<SpooledEvent> events = Shipped();
  EXPECT_THAT(Messages(events), ElementsAreArray(want));
  std::vector<int64_t> got;
  for (const SpooledEvent& e : events) got.push_back(e.offset);
  EXPECT_THAT(got, ElementsAreArray(offsets));
  for (const SpooledEvent& e : events) EXPECT_TRUE(e.tags.empty()) << e.raw;
  // The last event was flushed at the end of --once, and the checkpoint covers it: a second run
  // ships nothing.
  ASSERT_EQ(RunOnce(Pipeline("2s")).exit_code, 0);
  EXPECT_EQ(Shipped().size(), want.size());
}

TEST_F(MultilineIntegrationTest, APendingTraceTimesOutWithoutNewData) {
  auto p = Start(Pipeline("200ms"));
  std::string app = logs_ + "/app.log";
  WriteFile(app, TraceHead(1));
  // Nothing follows the trace: only the timeout can ship it.
  ASSERT_TRUE(WaitForEvents(1)) << p->Stderr();
  // The rest of the trace comes after the timeout: it becomes one event of its own.
  AppendFile(app, TraceTail(1) + Line(2, "INFO next") + "\n");
  ASSERT_TRUE(WaitForEvents(3)) << p->Stderr();
  StopCleanly(*p);
  std::vector<SpooledEvent> events = Shipped();
  EXPECT_THAT(Messages(events),
              ElementsAre(Joined(TraceHead(1)), Joined(TraceTail(1)), Line(2, "INFO next")));
  EXPECT_EQ(events[1].offset, static_cast<int64_t>(TraceHead(1).size()));
}

TEST_F(MultilineIntegrationTest, ATraceWrittenInTwoPartsWithinTheTimeoutIsOneEvent) {
  auto p = Start(Pipeline("1h"));
  std::string app = logs_ + "/app.log";
  WriteFile(app, Line(0, "INFO before") + "\n" + TraceHead(1));
  ASSERT_TRUE(WaitForEvents(1)) << p->Stderr();  // "before" is complete: the trace began
  AppendFile(app, TraceTail(1));
  AppendFile(app, Line(2, "INFO after") + "\n");
  ASSERT_TRUE(WaitForEvents(2)) << p->Stderr();
  StopCleanly(*p);
  EXPECT_THAT(Messages(Shipped()),
              ElementsAre(Line(0, "INFO before"), Joined(TraceHead(1) + TraceTail(1))));
}

TEST_F(MultilineIntegrationTest, SigkillInTheMiddleOfATraceNeitherLosesNorSplitsIt) {
  std::string pipeline = Pipeline("1h");
  std::string app = logs_ + "/app.log";
  std::string before = Line(0, "INFO before") + "\n";
  WriteFile(app, before + TraceHead(1));
  auto p = Start(pipeline);
  // "before" is shipped and acknowledged, and the checkpoint saved at the trace's first line:
  // never inside it.
  ASSERT_TRUE(WaitUntil([&] { return CheckpointOf(app) == static_cast<int64_t>(before.size()); }))
      << p->Stderr();
  p->Signal(SIGKILL);
  ASSERT_TRUE(p->Wait().has_value());
  AppendFile(app, TraceTail(1) + Line(2, "INFO after") + "\n");
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<SpooledEvent> events = Shipped();
  EXPECT_THAT(Messages(events),
              ElementsAre(Line(0, "INFO before"), Joined(TraceHead(1) + TraceTail(1)),
                          Line(2, "INFO after")));
  EXPECT_EQ(events[1].offset, static_cast<int64_t>(before.size()));
  EXPECT_EQ(CheckpointOf(app), static_cast<int64_t>(ReadFileOrEmpty(app).size()));
}

TEST_F(MultilineIntegrationTest, OnceShipsAPendingTraceAndItsLaterRestIsOneEvent) {
  std::string pipeline = Pipeline("1h");
  std::string app = logs_ + "/app.log";
  WriteFile(app, TraceHead(1));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  // --once ships what exists, pending or not, and checkpoints past it.
  EXPECT_THAT(Messages(Shipped()), ElementsAre(Joined(TraceHead(1))));
  EXPECT_EQ(CheckpointOf(app), static_cast<int64_t>(TraceHead(1).size()));
  AppendFile(app, TraceTail(1) + Line(2, "INFO next") + "\n");
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<SpooledEvent> events = Shipped();
  EXPECT_THAT(Messages(events),
              ElementsAre(Joined(TraceHead(1)), Joined(TraceTail(1)), Line(2, "INFO next")));
  EXPECT_EQ(events[1].offset, static_cast<int64_t>(TraceHead(1).size()));
}

TEST_F(MultilineIntegrationTest, SigtermLeavesAPendingTraceForTheNextRun) {
  std::string pipeline = Pipeline("1h");
  std::string app = logs_ + "/app.log";
  std::string before = Line(0, "INFO before") + "\n";
  WriteFile(app, before + TraceHead(1));
  auto p = Start(pipeline);
  ASSERT_TRUE(WaitForEvents(1)) << p->Stderr();
  StopCleanly(*p);
  // Not shipped, not checkpointed: the file may still continue it.
  EXPECT_EQ(CheckpointOf(app), static_cast<int64_t>(before.size()));
  AppendFile(app, TraceTail(1));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  EXPECT_THAT(Messages(Shipped()),
              ElementsAre(Line(0, "INFO before"), Joined(TraceHead(1) + TraceTail(1))));
}

TEST_F(MultilineIntegrationTest, ARenamedFileShipsItsPendingTraceWhenClosed) {
  // Only app.log is included: the renamed file is finished and closed after rotate_wait.
  auto p = Start(Pipeline("1h", "logs/app.log"));
  std::string app = logs_ + "/app.log";
  WriteFile(app, Line(0, "INFO before") + "\n" + TraceHead(1) + TraceTail(1));
  ASSERT_TRUE(WaitForEvents(1)) << p->Stderr();
  ASSERT_EQ(0, std::rename(app.c_str(), (logs_ + "/app.log.1").c_str()));
  WriteFile(app, Line(2, "INFO new file") + "\n");
  ASSERT_TRUE(WaitForEvents(2)) << p->Stderr();
  StopCleanly(*p);
  std::vector<std::string> m = Messages(Shipped());
  EXPECT_THAT(m, ElementsAre(Line(0, "INFO before"), Joined(TraceHead(1) + TraceTail(1))));
}

TEST_F(MultilineIntegrationTest, CopyTruncateShipsThePendingTraceThenReadsFromZero) {
  auto p = Start(Pipeline("1h"));
  std::string app = logs_ + "/app.log";
  WriteFile(app, Line(0, "INFO before") + "\n" + TraceHead(1) + TraceTail(1));
  ASSERT_TRUE(WaitForEvents(1)) << p->Stderr();
  ASSERT_EQ(0, ::truncate(app.c_str(), 0));
  AppendFile(app, Line(3, "INFO after truncation") + "\n" + Line(4, "INFO last") + "\n");
  ASSERT_TRUE(WaitForEvents(3)) << p->Stderr();
  StopCleanly(*p);
  EXPECT_THAT(p->Stderr(), HasSubstr("reading it again from 0"));
  std::vector<SpooledEvent> events = Shipped();
  EXPECT_THAT(Messages(events),
              ElementsAre(Line(0, "INFO before"), Joined(TraceHead(1) + TraceTail(1)),
                          Line(3, "INFO after truncation")));
  EXPECT_EQ(events[2].offset, 0);
  // "last" waits for what follows it; the next --once ships it, once.
  ASSERT_EQ(RunOnce(Pipeline("1h")).exit_code, 0);
  EXPECT_EQ(Messages(Shipped()).back(), Line(4, "INFO last"));
  EXPECT_EQ(Shipped().size(), 4u);
}

TEST_F(MultilineIntegrationTest, MaxLinesCutsALongTraceIntoTaggedEventsLosingNothing) {
  std::string pipeline =
      WritePipeline("logs/*.log", "        multiline: {start: '^\\d{4}-', max_lines: 4}\n");
  std::string trace = TraceHead(1) + TraceTail(1);  // 7 lines
  WriteFile(logs_ + "/app.log", trace + Line(2, "INFO next") + "\n");
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<SpooledEvent> events = Shipped();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].message + "\n" + events[1].message, Joined(trace));
  EXPECT_THAT(events[0].tags, ElementsAre("truncated"));
  EXPECT_THAT(events[1].tags, ElementsAre("truncated"));
  EXPECT_TRUE(events[2].tags.empty());
}

TEST_F(MultilineIntegrationTest, ConfigErrorsHavePositions) {
  std::string pipeline = WritePipeline("logs/*.log",
                                       "        multiline:\n"
                                       "          start: '(bad'\n");
  RunResult r = RunLogship({"validate", pipeline}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out + r.err, HasSubstr("pipeline.yaml:11:18: option 'start': invalid regular "
                                       "expression '(bad': missing ): (bad"));
}

// The SIGKILL loop with traces: a writer appends traces, each in two writes with a pause between,
// while logship is killed at random moments and restarted; a final --once catches up. Every trace
// must be in the spool, and every event must be one whole trace: never a fragment.
TEST_F(MultilineIntegrationTest, SigkillLoopNeverLosesOrSplitsATrace) {
  std::string pipeline = Pipeline("1h");
  std::string app = logs_ + "/app.log";
  std::atomic<bool> stop{false};
  std::atomic<int> traces{0};
  auto trace = [](int n) { return TraceHead(n) + TraceTail(n); };
  std::thread writer([&] {
    int fd = ::open(app.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(fd, 0);
    for (int n = 0; !stop.load(); ++n) {
      std::string head = TraceHead(n), tail = TraceTail(n);
      ASSERT_EQ(::write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
      std::this_thread::sleep_for(std::chrono::microseconds(300 + 97 * (n % 7)));
      ASSERT_EQ(::write(fd, tail.data(), tail.size()), static_cast<ssize_t>(tail.size()));
      traces.store(n + 1);
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    ::close(fd);
  });
  std::mt19937 rng(20241124);
  for (int kill = 0; kill < 5; ++kill) {
    LogshipProcess p({"run", pipeline}, dir_.path());
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 900)(rng)));
    ASSERT_TRUE(p.Running()) << p.Stderr();
    p.Signal(SIGKILL);
    ASSERT_TRUE(p.Wait().has_value());
  }
  stop.store(true);
  writer.join();
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  int total = traces.load();
  ASSERT_GT(total, 0);
  std::map<std::string, int> want;  // message -> trace number
  for (int n = 0; n < total; ++n) want[Joined(trace(n))] = n;
  std::vector<int> seen(static_cast<size_t>(total), 0);
  size_t fragments = 0;
  for (const SpooledEvent& e : Shipped()) {
    auto it = want.find(e.message);
    if (it == want.end()) {
      if (++fragments <= 5) ADD_FAILURE() << "not a whole trace: " << e.message;
      continue;
    }
    ++seen[static_cast<size_t>(it->second)];
  }
  int missing = 0;
  int duplicates = 0;
  for (int n = 0; n < total; ++n) {
    if (seen[static_cast<size_t>(n)] == 0 && ++missing <= 5) ADD_FAILURE() << "trace " << n;
    duplicates += std::max(0, seen[static_cast<size_t>(n)] - 1);
  }
  EXPECT_EQ(fragments, 0u);
  EXPECT_EQ(missing, 0) << "of " << total << " traces";
  std::printf("multiline crash loop: %d traces, 5 kills, %d duplicates\n", total, duplicates);
}

}  // namespace
}  // namespace logship::testing
