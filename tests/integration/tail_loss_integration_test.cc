// SPDX-License-Identifier: Apache-2.0
// The tailer's no-silent-loss promise under the faults an operator meets (issue 11): inode reuse
// with an identical head while stopped, rotation faster than rescan_interval during a sink stall,
// a file moved away while stopped, copytruncate with the copies in the glob, more files than
// max_open_files, and a data directory where checkpoints cannot be saved. Each test runs a real
// logship process on real files and asserts the exact set of lines delivered, and the log line or
// counter the README promises.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "tests/integration/integration_fixture.h"
#include "tests/status/http_get.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

using ::testing::HasSubstr;

uint64_t InodeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

std::set<std::string> Expected(const std::string& prefix, int from, int n) {
  std::set<std::string> want;
  for (int i = from; i < from + n; ++i) want.insert(prefix + "-" + std::to_string(i));
  return want;
}

class TailLossTest : public IntegrationTest {
 protected:
  // Starts `logship run`; waits until it runs and returns its status URL ("" without `http:`).
  std::string Start(const std::string& pipeline, const std::string& stdout_path = "") {
    process_ = std::make_unique<LogshipProcess>(std::vector<std::string>{"run", pipeline},
                                                dir_.path(), stdout_path);
    return WaitUntilRunning(*process_);
  }
  int Stop() {
    process_->Signal(SIGTERM);
    std::optional<int> code = process_->Wait();
    return code.value_or(-1);
  }
  // Every message shipped, with how often.
  std::map<std::string, int> Counts() {
    std::map<std::string, int> seen;
    for (const SpooledEvent& e : Shipped()) ++seen[e.message];
    return seen;
  }
  // Asserts every line of `want` was shipped exactly once and nothing else.
  void ExpectExactlyOnce(const std::set<std::string>& want) {
    std::map<std::string, int> seen = Counts();
    size_t missing = 0;
    size_t duplicated = 0;
    std::string first_missing;
    std::string first_duplicated;
    for (const std::string& w : want) {
      auto it = seen.find(w);
      if (it == seen.end()) {
        if (missing++ == 0) first_missing = w;
      } else if (it->second > 1) {
        if (duplicated++ == 0) first_duplicated = w;
      }
    }
    size_t extra = 0;
    for (const auto& [m, n] : seen) extra += want.count(m) == 0 ? 1 : 0;
    std::string log = process_ != nullptr ? process_->Stderr() : "";
    EXPECT_EQ(missing, 0u) << "lines lost, the first: " << first_missing << "\n" << log;
    EXPECT_EQ(duplicated, 0u) << "lines shipped twice, the first: " << first_duplicated << "\n"
                              << log;
    EXPECT_EQ(extra, 0u) << "lines shipped that were never written";
  }
  double Metric(const std::string& url, const std::string& name) {
    return MetricValue(HttpGet(url, "/metrics").body,
                       name + "{pipeline=\"app\",input=\"input-0\"}");
  }

  std::unique_ptr<LogshipProcess> process_;
};

// 1. A file deleted and re-created while logship is stopped, with the same inode and the same
// first KiB (a banner or a CSV header): the checkpoint's offset marker (the bytes just before the
// offset) differs, so it is read as a new file from 0. Re-creating the same inode is up to the
// file system; rewriting the file in place (O_TRUNC) gives the same case deterministically.
TEST_F(TailLossTest, SameInodeAndHeaderWhileStoppedIsANewFile) {
  std::string pipeline = WritePipeline();
  std::string app = logs_ + "/app.log";
  std::string banner;
  for (int i = 0; i < 40; ++i) banner += "# banner line " + std::to_string(i) + " of this log\n";
  ASSERT_GT(banner.size(), 1024u);
  WriteFile(app, banner + Lines("old", 0, 1000));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  uint64_t inode = InodeOf(app);
  WriteFile(app, banner + Lines("newer", 0, 2000));  // same inode, same head, longer lines
  ASSERT_EQ(InodeOf(app), inode);
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not the bytes before its checkpoint"));
  std::map<std::string, int> seen = Counts();
  for (const std::string& line : Expected("newer", 0, 2000)) {
    ASSERT_EQ(seen[line], 1) << line;
  }
  for (const std::string& line : Expected("old", 0, 1000)) ASSERT_EQ(seen[line], 1) << line;
  for (const auto& [m, n] : seen) {
    EXPECT_TRUE(m.rfind("old-", 0) == 0 || m.rfind("newer-", 0) == 0 || m.rfind("# banner", 0) == 0)
        << "a torn line was shipped: " << m;
  }
}

// 2. Rotation every 200 ms while a sink is stalled (stdout into a pipe nobody reads), with
// rescan_interval 1s and only the live file in the glob: each generation lives at the matched path
// for less than a rescan, and is deleted soon after. The discovery thread sees each one through
// inotify and holds it open; once the sink drains, every line of every generation arrives.
TEST_F(TailLossTest, RotationFasterThanRescanDuringAStallLosesNothing) {
  std::string fifo = dir_.Sub("out.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::string pipeline = dir_.Sub("pipeline.yaml");
  WriteFile(pipeline, R"(data_dir: ./data
shutdown_timeout: 30s
pipelines:
  app:
    max_batches_in_flight: 2
    inputs:
      - type: file
        include: ["logs/app.log"]
        rescan_interval: 1s
        rotate_wait: 300ms
    sinks:
      - type: spool
        path: ./out
      - type: stdout
)");
  std::string app = logs_ + "/app.log";
  // Enough to fill the pipe and every batch in flight: the pipeline stalls on the first file.
  std::string pad(200, 'p');
  std::string first;
  int line = 0;
  for (; line < 5000; ++line) first += "gen-" + std::to_string(line) + " " + pad + "\n";
  WriteFile(app, first);
  Start(pipeline, fifo);
  const int kGenerations = 15;
  const int kPerGeneration = 1000;
  for (int g = 0; g < kGenerations; ++g) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // logrotate without copytruncate: app.log -> app.log.1 (the previous .1 is deleted by the
    // rename), a new app.log, and the writer goes on in it.
    ASSERT_EQ(std::rename(app.c_str(), (logs_ + "/app.log.1").c_str()), 0);
    std::string chunk;
    for (int i = 0; i < kPerGeneration; ++i, ++line) {
      chunk += "gen-" + std::to_string(line) + " " + pad + "\n";
    }
    WriteFile(app, chunk);
  }
  ::unlink((logs_ + "/app.log.1").c_str());
  // Drain the pipe until every line is in the spool.
  const size_t total = static_cast<size_t>(line);
  std::atomic<bool> done{false};
  std::thread drainer([&] {
    char buf[65536];
    while (!done.load()) {
      if (::read(reader, buf, sizeof(buf)) <= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
  });
  bool all = WaitUntil([&] { return CountSpooledLines(out_) >= total; }, std::chrono::seconds(120));
  int code = Stop();
  done.store(true);
  drainer.join();
  ::close(reader);
  ASSERT_TRUE(all) << CountSpooledLines(out_) << " of " << total << "\n" << process_->Stderr();
  EXPECT_EQ(code, 0) << process_->Stderr();
  std::set<std::string> want;
  for (int i = 0; i < line; ++i) want.insert("gen-" + std::to_string(i) + " " + pad);
  ExpectExactlyOnce(want);
}

// 3. A file moved out of the glob's reach while logship is down, with unread lines: logship cannot
// read it, but says so: path, inode and unread bytes in the log, and the lost counters. The lines
// are left unread by a stalled sink (stdout into a pipe nobody reads) and a SIGKILL.
TEST_F(TailLossTest, FileMovedAwayWhileStoppedIsReportedLost) {
  std::string fifo = dir_.Sub("out.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::string pipeline = dir_.Sub("pipeline.yaml");
  const std::string head = R"(data_dir: ./data
http:
  listen: 127.0.0.1:0
pipelines:
  app:
    inputs:
      - type: file
        include: ["logs/*.log"]
        checkpoint_interval: 50ms
    sinks:
      - type: spool
        path: ./out
)";
  WriteFile(pipeline, head + "      - type: stdout\n");
  std::string app = logs_ + "/app.log";
  std::string pad(300, 'u');
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "u-" + std::to_string(i) + " " + pad + "\n";
  WriteFile(app, text);
  uint64_t inode = InodeOf(app);
  Start(pipeline, fifo);
  // The checkpoint knows the file's whole size, and that it is not all acknowledged.
  uint64_t offset = 0;
  uint64_t size = 0;
  ASSERT_TRUE(WaitUntil([&] {
    std::string cp = ReadFileOrEmpty(dir_.Sub("data/app/input-0.checkpoints"));
    std::smatch m;
    static const std::regex kRecord(
        "\nfile [0-9]+ [0-9]+ [0-9]+ [0-9a-f]+ ([0-9]+) [0-9]+ [0-9a-f]+ ([0-9]+) ");
    if (!std::regex_search(cp, m, kRecord)) return false;
    offset = std::stoull(m[1]);
    size = std::stoull(m[2]);
    return size == text.size();
  })) << process_->Stderr();
  ASSERT_LT(offset, size);
  process_->Signal(SIGKILL);
  process_->Wait();
  ::close(reader);
  ASSERT_EQ(::system(("mkdir -p " + dir_.Sub("elsewhere")).c_str()), 0);
  ASSERT_EQ(std::rename(app.c_str(), dir_.Sub("elsewhere/app.log").c_str()), 0);
  WriteFile(pipeline, head);
  std::string url = Start(pipeline);
  ASSERT_FALSE(url.empty()) << process_->Stderr();
  std::string err = process_->Stderr();
  EXPECT_THAT(err, HasSubstr("'" + app + "' (inode " + std::to_string(inode) + ")"));
  EXPECT_THAT(err, HasSubstr(std::to_string(size - offset) + " bytes were never shipped"));
  EXPECT_EQ(Metric(url, "logship_files_lost_total"), 1);
  EXPECT_EQ(Metric(url, "logship_bytes_lost_total"), static_cast<double>(size - offset));
  EXPECT_EQ(Stop(), 0);
}

// 5a. copytruncate with the copies in the glob (app.log*): the copy is the same stream; it
// continues where the live file was read up to. Nothing lost, nothing shipped twice.
TEST_F(TailLossTest, CopyTruncateWithTheCopiesInTheGlobLosesAndDuplicatesNothing) {
  std::string pipeline = WritePipeline("logs/app.log*");
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("a", 0, 3000));
  Start(pipeline);
  ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) >= 3000; })) << process_->Stderr();
  int next = 3000;
  for (int round = 1; round <= 3; ++round) {
    // Lines logship may not have read yet when the copy is made: only the copy has them.
    AppendFile(app, Lines("a", next, 500));
    next += 500;
    std::string copy = logs_ + "/app.log." + std::to_string(round);
    WriteFile(copy, ReadFileOrEmpty(app));
    ASSERT_EQ(::truncate(app.c_str(), 0), 0);
    AppendFile(app, Lines("a", next, 700));
    next += 700;
    ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) >= static_cast<size_t>(next); }))
        << CountSpooledLines(out_) << " of " << next << "\n"
        << process_->Stderr();
  }
  EXPECT_EQ(Stop(), 0) << process_->Stderr();
  ExpectExactlyOnce(Expected("a", 0, next));
  EXPECT_THAT(process_->Stderr(), HasSubstr("is a copy of"));
}

// 5b. The same while logship is stopped: the truncated file's checkpoint is continued in the copy.
TEST_F(TailLossTest, CopyTruncateWhileStoppedContinuesInTheCopy) {
  std::string pipeline = WritePipeline("logs/app.log*");
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("b", 0, 2000));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  AppendFile(app, Lines("b", 2000, 300));
  WriteFile(logs_ + "/app.log.1", ReadFileOrEmpty(app));
  ASSERT_EQ(::truncate(app.c_str(), 0), 0);
  AppendFile(app, Lines("b", 2300, 100));
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("continuing it at offset"));
  ExpectExactlyOnce(Expected("b", 0, 2400));
}

// 5c. copytruncate with only the live file in the glob: the lines between the copy and the
// truncate cannot be read (inherent), and the truncation is logged.
TEST_F(TailLossTest, CopyTruncateWithOnlyTheLiveFileIsLogged) {
  std::string pipeline = WritePipeline("logs/app.log");
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("c", 0, 100));
  Start(pipeline);
  ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) >= 100; })) << process_->Stderr();
  WriteFile(logs_ + "/app.log.1", ReadFileOrEmpty(app));
  ASSERT_EQ(::truncate(app.c_str(), 0), 0);
  AppendFile(app, Lines("d", 0, 10));
  ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) >= 110; })) << process_->Stderr();
  EXPECT_EQ(Stop(), 0);
  std::set<std::string> want = Expected("c", 0, 100);
  want.merge(Expected("d", 0, 10));
  ExpectExactlyOnce(want);
  EXPECT_THAT(process_->Stderr(), HasSubstr("was truncated (read up to offset"));
}

// 6. More matching files than max_open_files, with --once: a file read to its end gives its slot
// to the next, and every file is read.
TEST_F(TailLossTest, OnceReadsEveryFileBeyondMaxOpenFiles) {
  std::string pipeline = WritePipeline("logs/*.log", "        max_open_files: 1024\n");
  std::set<std::string> want;
  for (int f = 0; f < 2000; ++f) {
    std::string prefix = "f" + std::to_string(f);
    WriteFile(logs_ + "/" + prefix + ".log", Lines(prefix, 0, 5));
    want.merge(Expected(prefix, 0, 5));
  }
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectExactlyOnce(want);
  // A second run finds every checkpoint: nothing again.
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  ExpectExactlyOnce(want);
}

// 6b. Tailing with more files than max_open_files: files read to their end are parked, least
// recently grown first, so that waiting files get their turn; parked files that grow again are
// read on when their turn comes back.
TEST_F(TailLossTest, TailingRotatesTheOpenSetSoEveryFileIsRead) {
  std::string pipeline = WritePipeline("logs/*.log", "        max_open_files: 1024\n");
  std::set<std::string> want;
  for (int f = 0; f < 2000; ++f) {
    std::string prefix = "t" + std::to_string(f);
    WriteFile(logs_ + "/" + prefix + ".log", Lines(prefix, 0, 10));
    want.merge(Expected(prefix, 0, 10));
  }
  Start(pipeline);
  ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) >= 20000; }))
      << CountSpooledLines(out_) << "\n"
      << process_->Stderr();
  // Every file grows again, parked or not.
  for (int f = 0; f < 2000; ++f) {
    std::string prefix = "t" + std::to_string(f);
    AppendFile(logs_ + "/" + prefix + ".log", Lines(prefix, 10, 5));
    want.merge(Expected(prefix, 10, 5));
  }
  ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) >= 30000; }))
      << CountSpooledLines(out_) << "\n"
      << process_->Stderr();
  EXPECT_EQ(Stop(), 0) << process_->Stderr();
  ExpectExactlyOnce(want);
}

// Checkpoints that cannot be saved: /health fails naming the checkpoint store, and a stop exits 3
// (0 would claim everything was checkpointed). Root ignores file modes, so the save is made to
// fail by a directory standing where the store writes its temp copy.
TEST_F(TailLossTest, UnsavableCheckpointsFailHealthAndTheExitCode) {
  std::string pipeline = WritePipeline();
  WriteFile(pipeline, ReadFileOrEmpty(pipeline) + "http:\n  listen: 127.0.0.1:0\n");
  WriteFile(logs_ + "/a.log", Lines("h", 0, 10));
  std::string url = Start(pipeline);
  ASSERT_FALSE(url.empty()) << process_->Stderr();
  ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) >= 10; })) << process_->Stderr();
  ASSERT_EQ(HttpGet(url, "/health").status, 200);
  std::string tmp = dir_.Sub("data/app/input-0.checkpoints.tmp");
  ASSERT_EQ(::mkdir(tmp.c_str(), 0700), 0) << tmp;
  AppendFile(logs_ + "/a.log", Lines("h", 10, 10));
  ASSERT_TRUE(WaitUntil([&] { return HttpGet(url, "/health").status == 503; }))
      << process_->Stderr();
  HttpReply health = HttpGet(url, "/health");
  EXPECT_THAT(health.body, HasSubstr("failing_inputs"));
  EXPECT_THAT(health.body, HasSubstr("checkpoint store"));
  EXPECT_THAT(HttpGet(url, "/status").body, HasSubstr("failing_inputs"));
  EXPECT_EQ(Stop(), 3) << process_->Stderr();
  EXPECT_THAT(process_->Stderr(), HasSubstr("saving checkpoints failed"));
  // Once the store is writable again, nothing was lost: the next run ships what is left.
  ASSERT_EQ(::rmdir(tmp.c_str()), 0);
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::map<std::string, int> seen = Counts();
  for (const std::string& line : Expected("h", 0, 20)) EXPECT_GE(seen[line], 1) << line;
}

// Paths that match but cannot be tailed, and patterns that match nothing, are said once.
TEST_F(TailLossTest, SkippedPathsAndEmptyPatternsAreReported) {
  std::string pipeline =
      WritePipeline("logs/*.log", "        include: [\"logs/*.log\", \"nowhere/*.log\"]\n");
  // The input already has an include: write the pipeline by hand instead.
  WriteFile(pipeline, R"(data_dir: ./data
pipelines:
  app:
    inputs:
      - type: file
        include: ["logs/*.log", "nowhere/*.log"]
    sinks:
      - type: spool
        path: ./out
)");
  ASSERT_EQ(::mkfifo((logs_ + "/pipe.log").c_str(), 0600), 0);
  ASSERT_EQ(::mkdir((logs_ + "/dir.log").c_str(), 0700), 0);
  WriteFile(logs_ + "/a.log", Lines("s", 0, 3));
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("skipping '" + logs_ + "/pipe.log'"));
  EXPECT_THAT(r.err, HasSubstr("a FIFO"));
  EXPECT_THAT(r.err, HasSubstr("skipping '" + logs_ + "/dir.log'"));
  EXPECT_THAT(r.err, HasSubstr("a directory"));
  EXPECT_THAT(r.err, HasSubstr("'" + dir_.Sub("nowhere/*.log") + "' matches no file yet"));
  ExpectExactlyOnce(Expected("s", 0, 3));
}

TEST_F(TailLossTest, ValidateRejectsAPipelineNameDefinedTwice) {
  std::string pipeline = dir_.Sub("pipeline.yaml");
  WriteFile(pipeline, R"(data_dir: ./data
pipelines:
  app:
    inputs: [{type: file, include: ["logs/*.log"]}]
    sinks: [{type: spool, path: ./out}]
  app:
    inputs: [{type: file, include: ["logs/*.txt"]}]
    sinks: [{type: spool, path: ./out2}]
)");
  RunResult r = RunLogship({"validate", pipeline}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out + r.err, HasSubstr(pipeline + ":6:3: pipeline 'app' is defined twice"));
}

}  // namespace
}  // namespace logship::testing
