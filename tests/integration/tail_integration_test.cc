// SPDX-License-Identifier: Apache-2.0
// The tailer end to end: a real logship process, real files written, rotated, truncated and
// deleted while it runs, and the spool read back.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "tests/integration/integration_fixture.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

uint64_t InodeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

class TailIntegrationTest : public IntegrationTest {
 protected:
  // Starts `logship run` in the background.
  std::unique_ptr<LogshipProcess> Start(const std::string& pipeline) {
    return std::make_unique<LogshipProcess>(std::vector<std::string>{"run", pipeline}, dir_.path());
  }
  bool WaitForLines(size_t n) {
    return WaitUntil([&] { return CountSpooledLines(out_) >= n; });
  }
  void StopCleanly(LogshipProcess& p) {
    p.Signal(SIGTERM);
    std::optional<int> code = p.Wait();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << p.Stderr();
  }
};

TEST_F(TailIntegrationTest, ShipsEveryLineWithEcsFields) {
  WriteFile(logs_ + "/a.log", "first\r\nsecond\n\nfourth\n");
  RunResult r = RunOnce(WritePipeline());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<SpooledEvent> events = Shipped();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_THAT(Messages(events), ElementsAreArray({"first", "second", "", "fourth"}));
  std::vector<int64_t> offsets;
  for (const auto& e : events) offsets.push_back(e.offset);
  EXPECT_THAT(offsets, ElementsAreArray({0, 7, 14, 15}));
  for (const auto& e : events) {
    EXPECT_EQ(e.path, logs_ + "/a.log");
    EXPECT_FALSE(e.host.empty());
    // ISO-8601 UTC with milliseconds: 2026-11-24T10:15:30.123Z
    ASSERT_EQ(e.timestamp.size(), 24u) << e.timestamp;
    EXPECT_EQ(e.timestamp[10], 'T');
    EXPECT_EQ(e.timestamp.back(), 'Z');
  }
}

// --once reads every file to its current end: a last line without its newline ships as it is
// (most real log samples end that way). A later run goes on after it.
TEST_F(TailIntegrationTest, OnceShipsALastLineWithoutNewline) {
  std::string pipeline = WritePipeline();
  WriteFile(logs_ + "/a.log", "one\ntw");
  WriteFile(logs_ + "/b.log", "only line, no newline");
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<SpooledEvent> events = Shipped();
  std::vector<std::string> m = Messages(events);
  std::sort(m.begin(), m.end());
  EXPECT_THAT(m, ElementsAreArray({"one", "only line, no newline", "tw"}));
  AppendFile(logs_ + "/a.log", "o\nthree\n");
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);  // nothing new: ships nothing
  events = Shipped();
  std::map<std::string, int64_t> offset;
  for (const auto& e : events) {
    if (e.path == logs_ + "/a.log") offset[e.message] = e.offset;
  }
  EXPECT_EQ(offset,
            (std::map<std::string, int64_t>{{"one", 0}, {"tw", 4}, {"o", 6}, {"three", 8}}));
  EXPECT_EQ(events.size(), 5u);
}

// Tailing, a line without its newline is held until the newline arrives (and /status shows the
// bytes held), then shipped whole.
TEST_F(TailIntegrationTest, TailingHoldsAPartialLineUntilItsNewlineArrives) {
  auto p = Start(WritePipeline());
  WriteFile(logs_ + "/a.log", "one\ntw");
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  AppendFile(logs_ + "/a.log", "o\nthree\n");
  ASSERT_TRUE(WaitForLines(3)) << p->Stderr();
  StopCleanly(*p);
  std::vector<SpooledEvent> events = Shipped();
  EXPECT_THAT(Messages(events), ElementsAreArray({"one", "two", "three"}));
  EXPECT_EQ(events[1].offset, 4);
}

TEST_F(TailIntegrationTest, RestartResumesFromCheckpointWithoutDuplicates) {
  std::string pipeline = WritePipeline();
  WriteFile(logs_ + "/a.log", Lines("x", 0, 100));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  AppendFile(logs_ + "/a.log", Lines("x", 100, 50));
  WriteFile(logs_ + "/b.log", Lines("y", 0, 10));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);  // nothing new: ships nothing
  std::vector<std::string> m = Messages(Shipped());
  EXPECT_EQ(m.size(), 160u);
  std::set<std::string> unique(m.begin(), m.end());
  EXPECT_EQ(unique.size(), 160u);
}

TEST_F(TailIntegrationTest, FollowsAFileGrowingWhileItIsRead) {
  auto p = Start(WritePipeline());
  for (int round = 0; round < 20; ++round) {
    AppendFile(logs_ + "/a.log", Lines("g", round * 50, 50));
    ASSERT_TRUE(WaitForLines(static_cast<size_t>((round + 1) * 50))) << p->Stderr();
  }
  StopCleanly(*p);
  std::vector<std::string> m = Messages(Shipped());
  ASSERT_EQ(m.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(m[static_cast<size_t>(i)], "g-" + std::to_string(i));
}

TEST_F(TailIntegrationTest, RotationByRenameFinishesTheOldFileAndReadsTheNewOne) {
  // Only app.log matches: the renamed file is finished from its open descriptor.
  auto p = Start(WritePipeline("logs/app.log"));
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("r", 0, 100));
  ASSERT_TRUE(WaitForLines(100)) << p->Stderr();
  AppendFile(app, Lines("r", 100, 50));  // may or may not be read before the rename
  ASSERT_EQ(0, std::rename(app.c_str(), (logs_ + "/app.log.1").c_str()));
  WriteFile(app, Lines("r", 150, 100));
  ASSERT_TRUE(WaitForLines(250)) << p->Stderr();
  StopCleanly(*p);
  std::vector<std::string> m = Messages(Shipped());
  ASSERT_EQ(m.size(), 250u);
  std::set<std::string> unique(m.begin(), m.end());
  EXPECT_EQ(unique.size(), 250u);
  EXPECT_EQ(unique, [] {
    std::set<std::string> want;
    for (int i = 0; i < 250; ++i) want.insert("r-" + std::to_string(i));
    return want;
  }());
}

TEST_F(TailIntegrationTest, CopyTruncateStartsAgainAtZero) {
  auto p = Start(WritePipeline());
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("before", 0, 200));
  ASSERT_TRUE(WaitForLines(200)) << p->Stderr();
  // copytruncate: copy away, truncate in place (same inode), keep writing.
  WriteFile(logs_ + "/app.log.1.gz.bak", ReadFileOrEmpty(app));
  ASSERT_EQ(0, ::truncate(app.c_str(), 0));
  AppendFile(app, Lines("after", 0, 30));
  ASSERT_TRUE(WaitForLines(230)) << p->Stderr();
  StopCleanly(*p);
  std::vector<std::string> m = Messages(Shipped());
  ASSERT_EQ(m.size(), 230u);
  EXPECT_EQ(m[200], "after-0");
  EXPECT_EQ(m[229], "after-29");
  EXPECT_THAT(p->Stderr(), HasSubstr("reading it again from 0"));
}

TEST_F(TailIntegrationTest, CopyTruncateRefilledPastTheOldOffsetIsDetectedByFingerprint) {
  std::string pipeline = WritePipeline();
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("old", 0, 10));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  // While logship is stopped the file is truncated and refilled beyond the saved offset.
  WriteFile(app, Lines("newer-content", 0, 40));
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0);
  std::vector<std::string> m = Messages(Shipped());
  ASSERT_EQ(m.size(), 50u);
  EXPECT_EQ(m[10], "newer-content-0");
  EXPECT_EQ(m[49], "newer-content-39");
}

TEST_F(TailIntegrationTest, DeletedAndRecreatedFileIsReadFromTheStart) {
  auto p = Start(WritePipeline());
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("one", 0, 100));
  ASSERT_TRUE(WaitForLines(100)) << p->Stderr();
  ASSERT_EQ(0, ::unlink(app.c_str()));
  WriteFile(app, Lines("two", 0, 20));
  ASSERT_TRUE(WaitForLines(120)) << p->Stderr();
  StopCleanly(*p);
  std::vector<std::string> m = Messages(Shipped());
  ASSERT_EQ(m.size(), 120u);
  EXPECT_EQ(m[100], "two-0");
}

TEST_F(TailIntegrationTest, InodeReusedByANewFileIsNotResumedAtAStaleOffset) {
  std::string pipeline = WritePipeline();
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("first-file", 0, 50));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  uint64_t old_inode = InodeOf(app);
  // Delete and create files until the file system hands the old inode out again (ext4 and tmpfs
  // usually do at once). A file with the same device and inode but other content must be read as
  // new, from offset 0.
  bool reused = false;
  for (int attempt = 0; attempt < 200 && !reused; ++attempt) {
    ASSERT_EQ(0, ::unlink(app.c_str()));
    WriteFile(app, Lines("second-file", 0, 60));
    reused = InodeOf(app) == old_inode;
    if (!reused) {
      // Keep the non-matching inode busy so the next create gets another one.
      ::link(app.c_str(), (logs_ + "/hold-" + std::to_string(attempt)).c_str());
    }
  }
  if (!reused) GTEST_SKIP() << "the file system did not reuse the inode";
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<std::string> m = Messages(Shipped());
  ASSERT_EQ(m.size(), 110u);
  EXPECT_EQ(m[50], "second-file-0");
  EXPECT_EQ(m[109], "second-file-59");
}

TEST_F(TailIntegrationTest, SameInodeRewrittenWhileStoppedIsReadAsANewFile) {
  std::string pipeline = WritePipeline();
  std::string app = logs_ + "/app.log";
  WriteFile(app, Lines("aaaa", 0, 50));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  uint64_t inode = InodeOf(app);
  // Rewrite in place (same inode, new head) to more bytes than the checkpoint offset.
  WriteFile(app, Lines("bbbb", 0, 80));
  ASSERT_EQ(InodeOf(app), inode);
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<std::string> m = Messages(Shipped());
  ASSERT_EQ(m.size(), 130u);
  EXPECT_EQ(m[50], "bbbb-0");
}

TEST_F(TailIntegrationTest, TenMegabyteLineIsCutIntoTaggedPiecesAndNothingIsLost) {
  std::string pipeline = WritePipeline("logs/*.log", "        max_line_bytes: 1MiB\n");
  std::string big(10 * 1024 * 1024, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  WriteFile(logs_ + "/big.log", "before\n" + big + "\nafter\n");
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<SpooledEvent> events = Shipped();
  ASSERT_EQ(events.size(), 12u);  // before, 10 pieces of 1 MiB, after
  EXPECT_EQ(events.front().message, "before");
  EXPECT_EQ(events.back().message, "after");
  std::string joined;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    joined += events[i].message;
    EXPECT_THAT(events[i].tags, ::testing::Contains("truncated"));
    EXPECT_LE(events[i].message.size(), 1u << 20);
    EXPECT_EQ(events[i].offset, static_cast<int64_t>(7 + joined.size() - events[i].message.size()));
  }
  EXPECT_EQ(joined, big);
  EXPECT_TRUE(events.back().tags.empty());
}

TEST_F(TailIntegrationTest, StartAtEndSkipsExistingContentOnly) {
  std::string pipeline = WritePipeline("logs/*.log", "        start_at: end\n");
  WriteFile(logs_ + "/a.log", Lines("old", 0, 100));
  auto p = Start(pipeline);
  // The first scan has happened once the checkpoint exists.
  ASSERT_TRUE(WaitUntil([&] {
    return ReadFileOrEmpty(dir_.Sub("data/app/input-0.checkpoints")).find("a.log") !=
           std::string::npos;
  })) << p->Stderr();
  AppendFile(logs_ + "/a.log", Lines("new", 0, 5));
  WriteFile(logs_ + "/b.log", Lines("fresh", 0, 3));  // appeared later: read from its start
  ASSERT_TRUE(WaitForLines(8)) << p->Stderr();
  StopCleanly(*p);
  std::vector<std::string> m = Messages(Shipped());
  std::sort(m.begin(), m.end());
  EXPECT_THAT(m, ElementsAreArray({"fresh-0", "fresh-1", "fresh-2", "new-0", "new-1", "new-2",
                                   "new-3", "new-4"}));
}

TEST_F(TailIntegrationTest, InvalidUtf8AndNulBytesAreShippedTaggedAsValidJson) {
  static const char kContent[] = "ok\nbad \xff\xfe here\nnul \0 byte\n";
  WriteFile(logs_ + "/a.log", std::string(kContent, sizeof(kContent) - 1));
  RunResult r = RunOnce(WritePipeline());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<SpooledEvent> events = Shipped();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].message, "bad \xEF\xBF\xBD\xEF\xBF\xBD here");
  EXPECT_THAT(events[1].tags, ElementsAreArray({"invalid_utf8"}));
  EXPECT_EQ(events[2].message, std::string("nul \0 byte", 10));
  EXPECT_THAT(events[2].raw, HasSubstr("\\u0000"));
}

TEST_F(TailIntegrationTest, SigtermDrainsAndCheckpointsEverything) {
  std::string pipeline = WritePipeline();
  WriteFile(logs_ + "/a.log", Lines("t", 0, 5000));
  auto p = Start(pipeline);
  ASSERT_TRUE(WaitForLines(5000)) << p->Stderr();
  StopCleanly(*p);
  // Everything was acknowledged, so a second run ships nothing more.
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  EXPECT_EQ(Shipped().size(), 5000u);
}

TEST_F(TailIntegrationTest, CorruptCheckpointFallsBackToThePreviousCopyAndSaysSo) {
  std::string pipeline = WritePipeline();
  WriteFile(logs_ + "/a.log", Lines("c", 0, 10));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  AppendFile(logs_ + "/a.log", Lines("c", 10, 10));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::string current = dir_.Sub("data/app/input-0.checkpoints");
  std::string text = ReadFileOrEmpty(current);
  ASSERT_FALSE(text.empty());
  text[text.size() / 2] ^= 0x20;  // one flipped bit: the checksum catches it
  WriteFile(current, text);
  AppendFile(logs_ + "/a.log", Lines("c", 20, 5));
  RunResult r = RunOnce(pipeline);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(current));
  // The previous copy is older: some lines may come again (at most the 10 of the second run),
  // none is lost.
  std::vector<std::string> m = Messages(Shipped());
  std::set<std::string> unique(m.begin(), m.end());
  EXPECT_EQ(unique.size(), 25u);
  EXPECT_GE(m.size(), 25u);
  EXPECT_LE(m.size(), 35u);
}

TEST_F(TailIntegrationTest, AllCheckpointCopiesCorruptRefusesToStart) {
  std::string pipeline = WritePipeline();
  WriteFile(logs_ + "/a.log", Lines("c", 0, 10));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  for (const char* suffix : {"", ".prev"}) {
    std::string path = dir_.Sub(std::string("data/app/input-0.checkpoints") + suffix);
    WriteFile(path, "garbage\n");
  }
  RunResult r = RunOnce(pipeline);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("input-0.checkpoints"));
  EXPECT_EQ(Shipped().size(), 10u);  // neither reset to zero nor skipped
}

TEST_F(TailIntegrationTest, ASecondLogshipOnTheSamePipelineStateRefusesToStart) {
  std::string pipeline = WritePipeline();
  WriteFile(logs_ + "/a.log", Lines("l", 0, 10));
  auto first = Start(pipeline);
  ASSERT_TRUE(WaitForLines(10)) << first->Stderr();
  RunResult second = RunOnce(pipeline);
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_THAT(second.err, HasSubstr("is already run by another logship (pid " +
                                    std::to_string(first->pid()) + ")"));
  StopCleanly(*first);
  EXPECT_EQ(Shipped().size(), 10u);
  EXPECT_EQ(RunOnce(pipeline).exit_code, 0);  // the lock went with the first process
}

TEST_F(TailIntegrationTest, ExcludedFilesAreNotRead) {
  WriteFile(logs_ + "/a.log", "keep\n");
  WriteFile(logs_ + "/b.log.gz", "skip\n");
  std::string path = dir_.Sub("pipeline.yaml");
  WriteFile(path,
            "pipelines:\n"
            "  app:\n"
            "    inputs:\n"
            "      - type: file\n"
            "        include: [\"logs/**\"]\n"
            "        exclude: [\"*.gz\"]\n"
            "    sinks:\n"
            "      - {type: spool, path: ./out}\n");
  ASSERT_EQ(RunOnce(path).exit_code, 0);
  EXPECT_THAT(Messages(Shipped()), ElementsAreArray({"keep"}));
}

}  // namespace
}  // namespace logship::testing
