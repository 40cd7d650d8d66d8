// SPDX-License-Identifier: Apache-2.0
// `logship checkpoints list|show|reset` and the checkpoint history, with a real logship process:
// snapshots appear and are pruned to `keep`; list shows offsets, sizes and lag; reset is refused
// while the pipeline runs (naming the pid), works when it is stopped, and the next run reads from
// the reset offset.

#include <signal.h>

#include <set>
#include <sstream>

#include "tests/replay/replay_fixture.h"

namespace logship::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::vector<std::string> Row(std::vector<std::string> words) { return words; }

// The whitespace-separated words of the line of `text` that starts (after blanks) with `first`.
std::vector<std::string> RowOf(const std::string& text, const std::string& first) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    if (!row.empty() && row[0] == first) return row;
  }
  return {};
}

TEST_F(ReplayTest, HistorySnapshotsAppearAndArePrunedToKeep) {
  std::string pipeline = WritePipeline(kSpoolSink, /*keep=*/3);
  const std::string app = logs_ + "/app.log";
  AppendFile(app, "first\n");
  LogshipProcess agent({"run", pipeline}, dir_.path());
  // Lines keep coming, so each second's snapshot differs from the one before.
  std::set<std::string> seen;
  int n = 0;
  ASSERT_TRUE(WaitUntil([&] {
    AppendFile(app, "line-" + std::to_string(n++) + "\n");
    for (const SnapshotInfo& s : Snapshots()) seen.insert(s.name);
    return seen.size() >= 6;
  }));
  agent.Signal(SIGTERM);
  std::optional<int> code = agent.Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << agent.Stderr();

  std::vector<SnapshotInfo> kept = Snapshots();
  ASSERT_EQ(kept.size(), 3u);
  // The newest three of all those taken, each a complete, checked copy.
  std::vector<std::string> newest(std::prev(seen.end(), 3), seen.end());
  std::vector<std::string> names;
  for (const SnapshotInfo& s : kept) {
    names.push_back(s.name);
    EXPECT_TRUE(CheckpointHistory::Read(PosixFileSystem(), s).ok()) << s.path;
  }
  EXPECT_GE(names.front(), newest.front());
  // No temp copies left beside them.
  Result<std::vector<DirEntry>> entries = PosixFileSystem().ListDir(state_);
  ASSERT_TRUE(entries.ok());
  for (const DirEntry& e : *entries) EXPECT_EQ(e.name.find(".tmp"), std::string::npos) << e.name;

  RunResult list = Logship({"checkpoints", "list", pipeline});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::string all;
  for (const std::string& name : names) all += " " + name;
  EXPECT_THAT(list.out, HasSubstr("snapshots (every 1s, keep 3):" + all + "\n"));
}

TEST_F(ReplayTest, HistoryCanBeTurnedOff) {
  std::string pipeline = WritePipeline(kSpoolSink, /*keep=*/0);
  AppendFile(logs_ + "/app.log", Lines("line", 0, 10));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  EXPECT_TRUE(Snapshots().empty());
  RunResult list = Logship({"checkpoints", "list", pipeline});
  EXPECT_THAT(list.out, HasSubstr("snapshots: off (checkpoint_history.keep: 0)"));
}

TEST_F(ReplayTest, ListShowsOffsetSizeAndLagPerFile) {
  std::string pipeline = WritePipeline();
  const std::string a = logs_ + "/a.log";
  const std::string b = logs_ + "/b.log";
  AppendFile(a, Lines("a", 0, 10));  // 10 lines of 4 bytes: 40
  AppendFile(b, Lines("b", 0, 5));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  const size_t a_acked = ReadFileOrEmpty(a).size();
  AppendFile(a, Lines("a", 10, 3));  // not shipped yet
  const size_t a_size = ReadFileOrEmpty(a).size();
  const size_t b_size = ReadFileOrEmpty(b).size();

  RunResult list = Logship({"checkpoints", "list", pipeline});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("app/input-0: " + state_ + "/input-0.checkpoints (generation "));
  EXPECT_EQ(RowOf(list.out, a), Row({a, std::to_string(a_acked), std::to_string(a_size),
                                     std::to_string(a_size - a_acked)}));
  EXPECT_EQ(RowOf(list.out, b), Row({b, std::to_string(b_size), std::to_string(b_size), "0"}));

  // A rotated file is shown where it is now; a deleted one as gone.
  ASSERT_EQ(::rename(a.c_str(), (a + ".1").c_str()), 0);
  ASSERT_EQ(::unlink(b.c_str()), 0);
  list = Logship({"checkpoints", "list", pipeline});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(RowOf(list.out, a + ".1"),
            Row({a + ".1", std::to_string(a_acked), std::to_string(a_size),
                 std::to_string(a_size - a_acked), "(checkpointed", "as", a + ")"}));
  EXPECT_EQ(RowOf(list.out, b), Row({b, std::to_string(b_size), "-", "-", "gone"}));

  // show: every record, as JSON too.
  RunResult show = Logship({"checkpoints", "show", pipeline, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("\"pipeline\":\"app\",\"input\":\"input-0\""));
  EXPECT_THAT(show.out, HasSubstr("\"snapshot\":null"));
  EXPECT_THAT(show.out,
              HasSubstr("\"offset\":" + std::to_string(a_acked) + ",\"on_disk\":{\"path\":\"" + a +
                        ".1\",\"size\":" + std::to_string(a_size) +
                        ",\"lag\":" + std::to_string(a_size - a_acked) + "}"));
  EXPECT_THAT(show.out, HasSubstr("\"on_disk\":null"));
  // A snapshot: the first one, taken when the run started, before anything was acknowledged.
  RunResult first =
      Logship({"checkpoints", "show", pipeline, "--snapshot", Snapshots().front().name});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("app/input-0: snapshot " + Snapshots().front().name + ": "));
  EXPECT_EQ(RowOf(first.out, a + ".1"), std::vector<std::string>{});
}

TEST_F(ReplayTest, ResetIsRefusedWhileThePipelineRunsAndWorksWhenStopped) {
  std::string pipeline = WritePipeline();
  const std::string app = logs_ + "/app.log";
  AppendFile(app, Lines("line", 0, 20));
  {
    LogshipProcess agent({"run", pipeline}, dir_.path());
    ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) == 20; }));
    RunResult refused =
        Logship({"checkpoints", "reset", pipeline, "--file", "app.log", "--to", "beginning"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.err, HasSubstr("checkpoints change only while their pipeline is stopped"));
    EXPECT_THAT(refused.err, HasSubstr("pipeline 'app' is already run by another logship (pid " +
                                       std::to_string(agent.pid()) + ")"));
    EXPECT_TRUE(agent.Running());
    agent.Signal(SIGTERM);
    std::optional<int> code = agent.Wait();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << agent.Stderr();
  }
  const uint64_t inode = InodeOf(app);
  ASSERT_EQ(OffsetIn(Live(), inode), static_cast<int64_t>(ReadFileOrEmpty(app).size()));

  // To the start of line 15 ("line-0\n".."line-9\n" are 7 bytes, "line-10\n".. 8).
  const uint64_t line15 = 10 * 7 + 5 * 8;
  RunResult bad = Logship(
      {"checkpoints", "reset", pipeline, "--file", "app.log", "--to", std::to_string(line15 + 1)});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr(app + ": offset " + std::to_string(line15 + 1) +
                                 " is not the start of a line"));
  RunResult none =
      Logship({"checkpoints", "reset", pipeline, "--file", "nothing.log", "--to", "0"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("no file on disk matches --file 'nothing.log'"));

  const std::string current_before = ReadFileOrEmpty(state_ + "/input-0.checkpoints");
  RunResult reset =
      Logship({"checkpoints", "reset", pipeline, "--file", app, "--to", std::to_string(line15)});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_THAT(reset.out, HasSubstr("app/input-0: " + app + ": 150 -> " + std::to_string(line15)));
  EXPECT_EQ(OffsetIn(Live(), inode), static_cast<int64_t>(line15));
  // Written the checkpoint store's way: the old copy kept as .prev, a newer generation.
  EXPECT_EQ(ReadFileOrEmpty(state_ + "/input-0.checkpoints.prev"), current_before);

  // The next run reads from there: lines 15-19 a second time, then the new ones.
  AppendFile(app, Lines("line", 20, 2));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<std::string> expected = Names("line", 0, 20);
  for (const std::string& l : Names("line", 15, 7)) expected.push_back(l);
  EXPECT_THAT(Messages(ReadSpool(out_)), ElementsAreArray(expected));

  // beginning and end.
  ASSERT_EQ(Logship({"checkpoints", "reset", pipeline, "--file", "app.log", "--to", "beginning"})
                .exit_code,
            0);
  EXPECT_EQ(OffsetIn(Live(), inode), 0);
  AppendFile(app, "partial line without its newline");
  ASSERT_EQ(
      Logship({"checkpoints", "reset", pipeline, "--file", "app.log", "--to", "end"}).exit_code, 0);
  EXPECT_EQ(OffsetIn(Live(), inode), static_cast<int64_t>(150 + 2 * 8));  // before the partial
}

TEST_F(ReplayTest, ResetAddsACheckpointForAFileNotReadYetAndLeavesGoneFiles) {
  std::string pipeline = WritePipeline();
  const std::string old = logs_ + "/old.log";
  AppendFile(old, Lines("old", 0, 3));  // 18 bytes
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  ASSERT_EQ(::unlink(old.c_str()), 0);
  const std::string big = logs_ + "/big.log";
  AppendFile(big, Lines("big", 0, 100));
  RunResult reset = Logship({"checkpoints", "reset", pipeline, "--file", "*.log", "--to", "end"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_THAT(reset.out,
              HasSubstr(big + ": (new) -> " + std::to_string(ReadFileOrEmpty(big).size())));
  EXPECT_THAT(reset.err, HasSubstr(old + ": no longer on disk, left at 18"));
  AppendFile(big, Lines("big", 100, 2));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<std::string> expected = Names("old", 0, 3);
  expected.push_back("big-100");
  expected.push_back("big-101");
  EXPECT_THAT(Messages(ReadSpool(out_)), ElementsAreArray(expected));
}

}  // namespace
}  // namespace logship::testing
