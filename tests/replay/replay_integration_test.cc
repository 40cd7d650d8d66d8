// SPDX-License-Identifier: Apache-2.0
// `logship replay` with a real logship process: a window between two snapshots (or a snapshot
// and the live checkpoints) re-shipped exactly, to every sink or one, through rotation, with the
// live state untouched; with Elasticsearch `id: offset` a replay makes no second document.

#include <signal.h>

#include <map>

#include "tests/replay/replay_fixture.h"
#include "tests/testing/es_bulk_server.h"

namespace logship::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Three runs ship lines 0-99, 100-199 and 200-299 of logs/app.log; the snapshots hold the
// offsets after each.
class ReplayWindowTest : public ReplayTest {
 protected:
  void ShipThreeRuns(const std::string& pipeline) {
    app_ = logs_ + "/app.log";
    for (int run = 0; run < 3; ++run) {
      if (run > 0) WaitForNextSecond();
      AppendFile(app_, Lines("line", run * 100, 100));
      RunResult r = RunOnce(pipeline);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ends_.push_back(ReadFileOrEmpty(app_).size());
    }
    // The state after run 3 is in the live copy; the snapshot of it needs one more start.
    WaitForNextSecond();
    RunResult r = RunOnce(pipeline);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    inode_ = InodeOf(app_);
    for (uint64_t end : ends_) {
      snapshot_.push_back(SnapshotWithOffset(inode_, end));
      ASSERT_FALSE(snapshot_.back().empty()) << "no snapshot holds offset " << end;
    }
  }

  std::string app_;
  uint64_t inode_ = 0;
  std::vector<uint64_t> ends_;         // app.log's size after run 1, 2, 3
  std::vector<std::string> snapshot_;  // a snapshot holding each of those offsets
};

TEST_F(ReplayWindowTest, AWindowIntoTheSpoolIsExactlyTheOriginalLines) {
  std::string pipeline = WritePipeline();
  ASSERT_NO_FATAL_FAILURE(ShipThreeRuns(pipeline));
  std::vector<SpooledEvent> original = ReadSpool(out_);
  ASSERT_EQ(Messages(original), Names("line", 0, 300));
  const std::string live = ReadFileOrEmpty(state_ + "/input-0.checkpoints");
  const std::string prev = ReadFileOrEmpty(state_ + "/input-0.checkpoints.prev");
  ASSERT_FALSE(live.empty());

  // From the snapshot after run 1 to the one after run 2: lines 100-199, nothing else.
  RunResult r = Logship({"replay", pipeline, "--since", snapshot_[0], "--until", snapshot_[1]});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("app/input-0: since snapshot " + snapshot_[0] + " until " +
                               snapshot_[1] + ": 1 file(s)"));
  std::vector<SpooledEvent> replayed = SpooledAfter(out_, original.size());
  ASSERT_THAT(Messages(replayed), ElementsAreArray(Names("line", 100, 100)));
  // The same lines as first shipped: same file, same offsets.
  for (size_t i = 0; i < replayed.size(); ++i) {
    EXPECT_EQ(replayed[i].path, original[100 + i].path);
    EXPECT_EQ(replayed[i].offset, original[100 + i].offset) << replayed[i].message;
  }

  // The live checkpoints did not move, not a byte; no replay state was left behind.
  EXPECT_EQ(ReadFileOrEmpty(state_ + "/input-0.checkpoints"), live);
  EXPECT_EQ(ReadFileOrEmpty(state_ + "/input-0.checkpoints.prev"), prev);
  Result<std::vector<DirEntry>> entries = PosixFileSystem().ListDir(state_);
  ASSERT_TRUE(entries.ok());
  for (const DirEntry& e : *entries) EXPECT_NE(e.name.rfind("replay-", 0), 0u) << e.name;

  // Without --until: up to the live checkpoints (lines 200-299 too). A time picks the newest
  // snapshot at or before it, here the one after run 2.
  Result<int64_t> at = ParseSnapshotTime(snapshot_[1]);
  ASSERT_TRUE(at.ok());
  size_t before = ReadSpool(out_).size();
  r = Logship({"replay", pipeline, "--since", FormatRfc3339(*at)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Messages(SpooledAfter(out_, before)), ElementsAreArray(Names("line", 200, 100)));
  EXPECT_EQ(ReadFileOrEmpty(state_ + "/input-0.checkpoints"), live);
}

TEST_F(ReplayWindowTest, SinkSelectsOneSinkById) {
  // Two spool sinks: their ids are spool-0 and spool-1, as in /metrics.
  std::string pipeline = WritePipeline(
      "      - type: spool\n        path: ./out\n"
      "      - type: spool\n        path: ./out2\n");
  ASSERT_NO_FATAL_FAILURE(ShipThreeRuns(pipeline));
  const std::string out2 = dir_.Sub("out2");
  size_t in_out = ReadSpool(out_).size();
  size_t in_out2 = ReadSpool(out2).size();
  ASSERT_EQ(in_out, 300u);
  ASSERT_EQ(in_out2, 300u);

  RunResult r = Logship({"replay", pipeline, "--since", snapshot_[1], "--sink", "spool-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadSpool(out_).size(), in_out);
  EXPECT_THAT(Messages(SpooledAfter(out2, in_out2)), ElementsAreArray(Names("line", 200, 100)));

  r = Logship({"replay", pipeline, "--since", snapshot_[1], "--sink", "kafka"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--sink 'kafka': no such sink (sinks: spool-0, spool-1)"));
}

TEST_F(ReplayWindowTest, FileGlobSelectsFiles) {
  std::string pipeline = WritePipeline();
  AppendFile(logs_ + "/other.log", Lines("other", 0, 10));
  ASSERT_NO_FATAL_FAILURE(ShipThreeRuns(pipeline));
  size_t before = ReadSpool(out_).size();
  RunResult r = Logship({"replay", pipeline, "--since", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no checkpoint snapshot at or before 2000-01-01T00:00:00Z"));
  // The first snapshot knew no file: everything up to the live offsets, of app.log only.
  r = Logship({"replay", pipeline, "--since", Snapshots().front().name, "--file", "app.log"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Messages(SpooledAfter(out_, before)), ElementsAreArray(Names("line", 0, 300)));
}

TEST_F(ReplayTest, MultilineEventsAreJoinedAsTheyWereShipped) {
  std::string pipeline = WritePipeline(kSpoolSink, 50, "        multiline: {start: '^\\d'}\n");
  const std::string app = logs_ + "/app.log";
  auto trace = [](int i) {
    std::string n = std::to_string(i);
    return n + " error " + n + "\n  at a.b(" + n + ")\n  at c.d(" + n + ")\n";
  };
  std::string first, second;
  for (int i = 0; i < 20; ++i) first += trace(i);
  for (int i = 20; i < 40; ++i) second += trace(i);
  AppendFile(app, first);
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  WaitForNextSecond();
  AppendFile(app, second);
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  std::vector<SpooledEvent> original = ReadSpool(out_);
  ASSERT_EQ(original.size(), 40u);
  std::string since = SnapshotWithOffset(InodeOf(app), first.size());
  ASSERT_FALSE(since.empty());

  RunResult r = Logship({"replay", pipeline, "--since", since});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<SpooledEvent> replayed = SpooledAfter(out_, original.size());
  ASSERT_EQ(replayed.size(), 20u);
  for (size_t i = 0; i < replayed.size(); ++i) {
    EXPECT_EQ(replayed[i].message, original[20 + i].message);
    EXPECT_EQ(replayed[i].offset, original[20 + i].offset);
  }
  EXPECT_EQ(replayed[0].message, "20 error 20\n  at a.b(20)\n  at c.d(20)");
}

TEST_F(ReplayTest, RotatedFilesAreFoundUnderTheirNewNames) {
  std::string pipeline = WritePipeline();
  const std::string app = logs_ + "/app.log";
  AppendFile(app, Lines("line", 0, 50));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  const uint64_t old_inode = InodeOf(app);
  const uint64_t end1 = ReadFileOrEmpty(app).size();
  WaitForNextSecond();
  AppendFile(app, Lines("line", 50, 50));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  // Rotation by rename to a name the include pattern does not match, then a new app.log.
  ASSERT_EQ(::rename(app.c_str(), (app + ".1").c_str()), 0);
  AppendFile(app, Lines("line", 100, 20));
  RunResult third = RunOnce(pipeline);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  std::vector<SpooledEvent> original = ReadSpool(out_);
  ASSERT_EQ(Messages(original), Names("line", 0, 120));

  std::string since = SnapshotWithOffset(old_inode, end1);
  ASSERT_FALSE(since.empty());
  RunResult r = Logship({"replay", pipeline, "--since", since});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<SpooledEvent> replayed = SpooledAfter(out_, original.size());
  // The rest of the rotated file (now app.log.1), then the new app.log from its start.
  std::map<std::string, std::vector<std::string>> by_file;
  for (const SpooledEvent& e : replayed) by_file[e.path].push_back(e.message);
  EXPECT_THAT(by_file[app + ".1"], ElementsAreArray(Names("line", 50, 50)));
  EXPECT_THAT(by_file[app], ElementsAreArray(Names("line", 100, 20)));
  EXPECT_EQ(replayed.size(), 70u);
  for (const SpooledEvent& e : replayed) {
    if (e.path == app + ".1") {
      EXPECT_EQ(e.offset, original[static_cast<size_t>(std::stoi(e.message.substr(5)))].offset);
    }
  }
}

TEST_F(ReplayTest, RunsBesideTheLiveAgentWithoutTouchingItsState) {
  std::string pipeline = WritePipeline(
      "      - type: spool\n        path: ./out\n"
      "      - type: stdout\n");
  const std::string app = logs_ + "/app.log";
  AppendFile(app, Lines("line", 0, 40));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  const uint64_t end1 = ReadFileOrEmpty(app).size();
  WaitForNextSecond();
  AppendFile(app, Lines("line", 40, 40));

  LogshipProcess agent({"run", pipeline}, dir_.path());
  ASSERT_TRUE(WaitUntil([&] { return CountSpooledLines(out_) == 80; }));
  const uint64_t inode = InodeOf(app);
  const uint64_t end2 = ReadFileOrEmpty(app).size();
  // The current copy itself (not a save in progress) holds everything.
  ASSERT_TRUE(WaitUntil([&] { return OffsetIn(LiveCopy(), inode) == static_cast<int64_t>(end2); }));
  std::string since = SnapshotWithOffset(inode, end1);
  ASSERT_FALSE(since.empty());
  const std::string live = ReadFileOrEmpty(state_ + "/input-0.checkpoints");

  // Into a spool: refused, as two processes cannot share a spool directory.
  RunResult refused = Logship({"replay", pipeline, "--since", since});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err,
              HasSubstr("pipeline 'app': is running (logship pid " + std::to_string(agent.pid()) +
                        ") and sink 'spool' writes a spool directory"));

  // To stdout: the lines the agent shipped after the snapshot, while it keeps running.
  RunResult r = Logship({"replay", pipeline, "--since", since, "--sink", "stdout"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& line : Names("line", 40, 40)) {
    EXPECT_THAT(r.out, HasSubstr("\"message\":\"" + line + "\"")) << line;
  }
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("\"message\":\"line-39\"")));
  EXPECT_TRUE(agent.Running());
  EXPECT_EQ(ReadFileOrEmpty(state_ + "/input-0.checkpoints"), live);
  EXPECT_EQ(CountSpooledLines(out_), 80u);

  agent.Signal(SIGTERM);
  std::optional<int> code = agent.Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << agent.Stderr();
}

TEST_F(ReplayTest, ElasticsearchOffsetIdsMakeNoSecondDocument) {
  EsServerOptions options;
  options.tls = false;
  EsBulkServer server(dir_.Sub("server"), nullptr, options);
  ASSERT_TRUE(server.started());
  std::string pipeline =
      WritePipeline("      - type: elasticsearch\n        urls: [\"" + server.url() +
                    "\"]\n        index: logs\n        id: offset\n");
  const std::string app = logs_ + "/app.log";
  AppendFile(app, Lines("line", 0, 30));
  ASSERT_EQ(RunOnce(pipeline).exit_code, 0);
  ASSERT_EQ(server.CountDocs(), 30u);
  std::map<std::string, std::string> ids;  // message -> _id
  for (const EsStoredDoc& d : server.Docs()) ids[d.message] = d.id;

  RunResult r = Logship({"replay", pipeline, "--since", Snapshots().front().name});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every line was sent again, under the _id it was first stored with: a 409, no new document.
  std::map<std::string, std::string> resent;
  for (const EsRequestRecord& req : server.Requests()) {
    for (const EsItemRecord& item : req.items) {
      if (item.status == 409) resent[item.message] = item.id;
    }
  }
  EXPECT_EQ(resent, ids);
  EXPECT_EQ(server.CountDocs(), 30u);
}

TEST_F(ReplayTest, UsageErrorsNameTheProblem) {
  std::string pipeline = WritePipeline();
  RunResult r = Logship({"replay", pipeline, "--since", "last tuesday"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--since 'last tuesday': not a snapshot name"));
  r = Logship({"replay", pipeline, "--since", "20260101T000000Z", "--until", "20250101T000000Z"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is before --since"));
  r = Logship({"replay", pipeline, "--since", "20260101T000000Z", "--pipeline", "web"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("pipeline 'web': not in " + pipeline + " (it has: app)"));
  r = Logship({"replay", pipeline, "--since", "20260101T000000Z"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("input app/input-0: no checkpoint snapshot at or before "
                               "2026-01-01T00:00:00Z (--since); it has none yet"));
}

}  // namespace
}  // namespace logship::testing
