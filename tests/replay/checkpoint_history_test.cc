// SPDX-License-Identifier: Apache-2.0
// The pieces under `logship replay` and `logship checkpoints`, without a logship process:
// snapshot names and times, the checkpoint history (due, skip unchanged, prune), the
// `checkpoint_history` options, CheckpointStore::Peek, and the state-directory lock.

#include "src/tail/checkpoint_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/state_dir_lock.h"
#include "src/tail/checkpoint_store.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadFileOrEmpty;
using testing::TempDir;
using testing::WriteFile;

constexpr int64_t kSecond = 1'000'000'000;
// 2026-01-24T10:15:30Z
constexpr int64_t kT0 = 1769249730;

Checkpoints StateAt(uint64_t offset) {
  Checkpoints c;
  c.files.push_back(FileCheckpoint{2049, 77, 12, 0xabcdef, offset, "/var/log/app.log"});
  return c;
}

std::vector<std::string> Names(const std::string& dir) {
  Result<std::vector<SnapshotInfo>> list =
      CheckpointHistory::List(PosixFileSystem(), dir, "input-0.checkpoints");
  EXPECT_TRUE(list.ok()) << list.status().ToString();
  std::vector<std::string> names;
  if (list.ok()) {
    for (const SnapshotInfo& s : *list) names.push_back(s.name);
  }
  return names;
}

TEST(SnapshotTimeTest, NamesAreUtcSecondsAndParseBack) {
  EXPECT_EQ(FormatSnapshotName(kT0), "20260124T101530Z");
  EXPECT_EQ(FormatRfc3339(kT0), "2026-01-24T10:15:30Z");
  Result<int64_t> t = ParseSnapshotTime("20260124T101530Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, kT0);
}

TEST(SnapshotTimeTest, Rfc3339WithZoneAndFraction) {
  EXPECT_EQ(ParseSnapshotTime("2026-01-24T10:15:30Z").value(), kT0);
  EXPECT_EQ(ParseSnapshotTime("2026-01-24t10:15:30z").value(), kT0);
  EXPECT_EQ(ParseSnapshotTime("2026-01-24 10:15:30Z").value(), kT0);
  EXPECT_EQ(ParseSnapshotTime("2026-01-24T11:15:30+01:00").value(), kT0);
  EXPECT_EQ(ParseSnapshotTime("2026-01-24T05:45:30-04:30").value(), kT0);
  // A fraction is dropped: a snapshot at :30 is at or before :30.999.
  EXPECT_EQ(ParseSnapshotTime("2026-01-24T10:15:30.999Z").value(), kT0);
}

TEST(SnapshotTimeTest, RejectsWhatIsNotATime) {
  for (const char* bad : {"", "yesterday", "20260124T101530", "2026-01-24T10:15:30",
                          "2026-02-30T00:00:00Z", "2026-01-24T24:00:00Z", "20261324T000000Z",
                          "2026-01-24T10:15:30+1:00", "2026-01-24T10:15:30.Z"}) {
    Result<int64_t> t = ParseSnapshotTime(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_THAT(std::string(t.status().message()), HasSubstr("'" + std::string(bad) + "'"));
    }
  }
}

TEST(CheckpointHistoryTest, OneSnapshotPerIntervalNamedByTime) {
  TempDir dir;
  CheckpointHistoryOptions options{Duration::Seconds(300), 12};
  Result<CheckpointHistory> h =
      CheckpointHistory::Open(PosixFileSystem(), dir.path(), "input-0.checkpoints", options);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  // 10:15:30 lies in the interval [10:15, 10:20): due; then not again before 10:20.
  const int64_t t0 = kT0 * kSecond;
  EXPECT_TRUE(h->Due(t0));
  ASSERT_TRUE(h->Take(StateAt(10), t0).ok());
  EXPECT_FALSE(h->Due(t0 + 200 * kSecond));
  EXPECT_EQ(h->UntilNextInterval(t0), 270 * kSecond);
  EXPECT_TRUE(h->Due(t0 + 270 * kSecond));
  ASSERT_TRUE(h->Take(StateAt(20), t0 + 271 * kSecond).ok());
  EXPECT_THAT(Names(dir.path()), ElementsAre("20260124T101530Z", "20260124T102001Z"));

  // A snapshot reads back as the state it was taken of, in the live copy's checked format.
  Result<std::vector<SnapshotInfo>> list =
      CheckpointHistory::List(PosixFileSystem(), dir.path(), "input-0.checkpoints");
  ASSERT_TRUE(list.ok());
  Result<Checkpoints> read = CheckpointHistory::Read(PosixFileSystem(), (*list)[1]);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->files, StateAt(20).files);
  EXPECT_EQ(read->saved_unix_nanos, t0 + 271 * kSecond);
  EXPECT_THAT(ReadFileOrEmpty((*list)[1].path), HasSubstr("logship-checkpoints 2\n"));
}

TEST(CheckpointHistoryTest, UnchangedStateIsNotWrittenAgain) {
  TempDir dir;
  CheckpointHistoryOptions options{Duration::Seconds(1), 12};
  Result<CheckpointHistory> h =
      CheckpointHistory::Open(PosixFileSystem(), dir.path(), "input-0.checkpoints", options);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h->Take(StateAt(10), kT0 * kSecond).ok());
  ASSERT_TRUE(h->Take(StateAt(10), (kT0 + 1) * kSecond).ok());
  EXPECT_FALSE(h->Due((kT0 + 1) * kSecond + 5));  // the interval is used up all the same
  ASSERT_TRUE(h->Take(StateAt(11), (kT0 + 2) * kSecond).ok());
  EXPECT_THAT(Names(dir.path()), ElementsAre("20260124T101530Z", "20260124T101532Z"));

  // A new owner (the next run) knows the last state and the last interval from disk.
  Result<CheckpointHistory> again =
      CheckpointHistory::Open(PosixFileSystem(), dir.path(), "input-0.checkpoints", options);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->Due((kT0 + 2) * kSecond + 10));
  ASSERT_TRUE(again->Take(StateAt(11), (kT0 + 3) * kSecond).ok());
  EXPECT_EQ(Names(dir.path()).size(), 2u);
}

TEST(CheckpointHistoryTest, KeepsTheNewestKeepAndCleansDebris) {
  TempDir dir;
  CheckpointHistoryOptions options{Duration::Seconds(1), 3};
  // Debris of a snapshot cut short by a crash, and the live copies, which are not snapshots.
  WriteFile(dir.Sub("input-0.checkpoints.20200101T000000Z.tmp"), "torn");
  WriteFile(dir.Sub("input-0.checkpoints"), "live");
  WriteFile(dir.Sub("input-0.checkpoints.prev"), "live");
  WriteFile(dir.Sub("other.checkpoints.20200101T000000Z"), "another input's");
  Result<CheckpointHistory> h =
      CheckpointHistory::Open(PosixFileSystem(), dir.path(), "input-0.checkpoints", options);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_FALSE(PosixFileSystem().Exists(dir.Sub("input-0.checkpoints.20200101T000000Z.tmp")));
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(h->Take(StateAt(100 + i), (kT0 + i) * kSecond).ok());
  }
  EXPECT_THAT(Names(dir.path()),
              ElementsAre("20260124T101533Z", "20260124T101534Z", "20260124T101535Z"));
  EXPECT_EQ(ReadFileOrEmpty(dir.Sub("input-0.checkpoints")), "live");
  EXPECT_EQ(ReadFileOrEmpty(dir.Sub("other.checkpoints.20200101T000000Z")), "another input's");
}

TEST(CheckpointHistoryTest, AtOrBeforePicksTheNewestNotAfter) {
  std::vector<SnapshotInfo> s = {{"a", 100, ""}, {"b", 200, ""}, {"c", 300, ""}};
  EXPECT_EQ(CheckpointHistory::AtOrBefore(s, 99), nullptr);
  EXPECT_EQ(CheckpointHistory::AtOrBefore(s, 100)->name, "a");
  EXPECT_EQ(CheckpointHistory::AtOrBefore(s, 299)->name, "b");
  EXPECT_EQ(CheckpointHistory::AtOrBefore(s, 1000)->name, "c");
}

TEST(CheckpointHistoryTest, KeepZeroIsOff) {
  TempDir dir;
  Result<CheckpointHistory> h = CheckpointHistory::Open(
      PosixFileSystem(), dir.path(), "input-0.checkpoints", {Duration::Seconds(1), 0});
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->Due(kT0 * kSecond));
}

Result<FileInputOptions> ParseInput(const std::string& yaml, ConfigErrors& errors) {
  Result<ConfigNode> node = ConfigNode::Parse(yaml, "p.yaml");
  EXPECT_TRUE(node.ok());
  PluginContext ctx;
  ctx.component = "pipelines.app.inputs[0]";
  ctx.base_dir = "/tmp";
  ctx.errors = &errors;
  return ParseFileInputOptions(*node, ctx, 0);
}

TEST(CheckpointHistoryOptionsTest, DefaultsAndKeys) {
  ConfigErrors errors;
  Result<FileInputOptions> d = ParseInput("{type: file, include: [a.log]}", errors);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->checkpoint_history.interval, Duration::Seconds(300));
  EXPECT_EQ(d->checkpoint_history.keep, 12u);
  Result<FileInputOptions> o = ParseInput(
      "{type: file, include: [a.log], checkpoint_history: {interval: 1m, keep: 3}}", errors);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->checkpoint_history.interval, Duration::Seconds(60));
  EXPECT_EQ(o->checkpoint_history.keep, 3u);
}

TEST(CheckpointHistoryOptionsTest, BadValuesHaveTheirPosition) {
  ConfigErrors errors;
  Result<FileInputOptions> o = ParseInput(
      "{type: file, include: [a.log], checkpoint_history: {interval: 10ms, keep: 99999, "
      "every: 1m}}",
      errors);
  EXPECT_FALSE(o.ok());
  std::string all;
  for (const ConfigError& e : errors.Sorted()) all += e.ToString() + "\n";
  EXPECT_THAT(all, HasSubstr("option 'interval': must be between 1s and 7 days"));
  EXPECT_THAT(all, HasSubstr("option 'keep': must be between 0 (no history) and 10000"));
  EXPECT_THAT(all, HasSubstr("unknown option 'every'"));
  EXPECT_THAT(all, HasSubstr("p.yaml:1:"));
}

TEST(CheckpointStorePeekTest, ReadsTheNewestCopyAndChangesNothing) {
  TempDir dir;
  Result<CheckpointStore> store =
      CheckpointStore::Open(PosixFileSystem(), dir.path(), "input-0.checkpoints");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->Save(StateAt(5)).ok());
  ASSERT_TRUE(store->Save(StateAt(9)).ok());
  // A complete temp copy of a newer Save that died before its rename.
  WriteFile(dir.Sub("input-0.checkpoints.tmp"), CheckpointStore::Serialize(StateAt(12), 99));
  const std::string current = ReadFileOrEmpty(dir.Sub("input-0.checkpoints"));

  Result<CheckpointStore> reader =
      CheckpointStore::Open(PosixFileSystem(), dir.path(), "input-0.checkpoints");
  ASSERT_TRUE(reader.ok());
  Result<LoadedCheckpoints> peek = reader->Peek();
  ASSERT_TRUE(peek.ok()) << peek.status().ToString();
  EXPECT_EQ(peek->checkpoints.files, StateAt(12).files);
  EXPECT_EQ(peek->generation, 99u);
  // Load would have promoted the temp copy; Peek leaves every file as it was.
  EXPECT_TRUE(PosixFileSystem().Exists(dir.Sub("input-0.checkpoints.tmp")));
  EXPECT_EQ(ReadFileOrEmpty(dir.Sub("input-0.checkpoints")), current);
}

TEST(StateDirLockTest, SecondHolderIsRefusedWithThePid) {
  TempDir dir;
  const std::string state = dir.Sub("app");
  Result<std::optional<long>> nobody = StateDirLock::Holder(state);
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());
  {
    Result<StateDirLock> first = StateDirLock::Acquire(state, "app");
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    // flock locks belong to the open file: a second open in this process conflicts too.
    Result<StateDirLock> second = StateDirLock::Acquire(state, "app");
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(std::string(second.status().message()),
              state + "/lock: pipeline 'app' is already run by another logship (pid " +
                  std::to_string(::getpid()) + ")");
    Result<std::optional<long>> holder = StateDirLock::Holder(state);
    ASSERT_TRUE(holder.ok()) << holder.status().ToString();
    ASSERT_TRUE(holder->has_value());
    EXPECT_EQ(**holder, static_cast<long>(::getpid()));
  }
  // Released with the object.
  Result<std::optional<long>> after = StateDirLock::Holder(state);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
  EXPECT_TRUE(StateDirLock::Acquire(state, "app").ok());
}

}  // namespace
}  // namespace logship
