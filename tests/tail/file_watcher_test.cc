// SPDX-License-Identifier: Apache-2.0
// Tests for src/tail/file_watcher.h with real inotify on a temp dir. Events are collected until
// the one a test waits for arrives (inotify keeps one queue in order, so everything caused before
// it has arrived too); no test sleeps or asserts on time.
#include "src/tail/file_watcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>

#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship {
namespace {

using testing::AppendFile;
using ::testing::Contains;
using ::testing::Not;
using testing::TempDir;
using testing::WaitUntil;
using testing::WriteFile;

bool Has(const WatchEvents& ev, const std::string& path) {
  return std::find(ev.modified.begin(), ev.modified.end(), path) != ev.modified.end();
}

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!watcher_.active()) GTEST_SKIP() << "no inotify here: the tailer polls";
    logs_ = dir_.Sub("logs");
    ASSERT_EQ(::mkdir(logs_.c_str(), 0755), 0);
  }

  // Waits (in short Wait()s) until `done` holds for everything reported so far, and returns it.
  template <class Done>
  WatchEvents CollectUntil(Done&& done) {
    WatchEvents all;
    bool ok = WaitUntil(
        [&] {
          WatchEvents ev = watcher_.Wait(20);
          all.modified.insert(all.modified.end(), ev.modified.begin(), ev.modified.end());
          all.rescan |= ev.rescan;
          all.woken |= ev.woken;
          return done(all);
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(ok) << "the expected event never came";
    return all;
  }

  // Makes an event that is surely reported (a write to a file created for it in `dir`, watched)
  // and waits for it: afterwards, every event caused before has been collected.
  WatchEvents Fence(const std::string& dir) {
    std::string marker = dir + "/fence-" + std::to_string(fences_++);
    WriteFile(marker, "");
    AppendFile(marker, "x");
    return CollectUntil([&](const WatchEvents& ev) { return Has(ev, marker); });
  }

  TempDir dir_;
  std::string logs_;
  FileWatcher watcher_;
  int fences_ = 0;
};

TEST_F(FileWatcherTest, ReportsWritesToFilesInAWatchedDirectory) {
  std::string a = logs_ + "/a.log";
  WriteFile(a, "");
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  AppendFile(a, "line\n");
  WatchEvents ev = CollectUntil([&](const WatchEvents& e) { return Has(e, a); });
  // An append to a file that exists changes no directory entry: no rescan needed.
  EXPECT_FALSE(ev.rescan);
  EXPECT_FALSE(ev.woken);
}

TEST_F(FileWatcherTest, NothingBeforeWatching) {
  std::string a = logs_ + "/a.log";
  WriteFile(a, "");
  AppendFile(a, "before\n");
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  WatchEvents ev = Fence(logs_);
  EXPECT_THAT(ev.modified, Not(Contains(a)));
}

TEST_F(FileWatcherTest, CreateRenameAndDeleteAskForARescan) {
  std::string a = logs_ + "/a.log";
  WriteFile(a, "x\n");
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  auto rescan = [](const WatchEvents& e) { return e.rescan; };

  WriteFile(logs_ + "/new.log", "");
  EXPECT_TRUE(CollectUntil(rescan).rescan) << "create";

  ASSERT_EQ(std::rename(a.c_str(), (logs_ + "/a.log.1").c_str()), 0);
  EXPECT_TRUE(CollectUntil(rescan).rescan) << "rename";

  ASSERT_EQ(::unlink((logs_ + "/a.log.1").c_str()), 0);
  EXPECT_TRUE(CollectUntil(rescan).rescan) << "delete";

  // A file moved in from an unwatched directory.
  WriteFile(dir_.Sub("outside.log"), "x\n");
  ASSERT_EQ(std::rename(dir_.Sub("outside.log").c_str(), (logs_ + "/moved-in.log").c_str()), 0);
  EXPECT_TRUE(CollectUntil(rescan).rescan) << "moved in";

  // A new subdirectory (the scanner may need to walk it).
  ASSERT_EQ(::mkdir((logs_ + "/sub").c_str(), 0755), 0);
  EXPECT_TRUE(CollectUntil(rescan).rescan) << "mkdir";
}

TEST_F(FileWatcherTest, WritesAfterARescanEventAreStillReported) {
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  std::string b = logs_ + "/b.log";
  AppendFile(b, "created and written\n");
  WatchEvents ev = CollectUntil([&](const WatchEvents& e) { return Has(e, b); });
  EXPECT_TRUE(ev.rescan);
}

TEST_F(FileWatcherTest, WatchDirIsIdempotentAndRefusesWhatIsNotADirectory) {
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  EXPECT_FALSE(watcher_.WatchDir(dir_.Sub("missing")));
  WriteFile(dir_.Sub("file"), "");
  EXPECT_FALSE(watcher_.WatchDir(dir_.Sub("file")));
  // One watch: one report per write.
  std::string a = logs_ + "/a.log";
  WriteFile(a, "");
  Fence(logs_);
  AppendFile(a, "x\n");
  WatchEvents ev = Fence(logs_);
  EXPECT_EQ(std::count(ev.modified.begin(), ev.modified.end(), a), 1);
}

TEST_F(FileWatcherTest, WakeEndsAWaitInProgress) {
  WatchEvents ev;
  std::thread waiter([&] { ev = watcher_.Wait(60'000); });
  watcher_.Wake();  // whether the thread is already in poll() or not yet: it returns at once
  waiter.join();
  EXPECT_TRUE(ev.woken);
  EXPECT_TRUE(ev.modified.empty());
}

TEST_F(FileWatcherTest, WakeBeforeWaitEndsTheNextWaitOnce) {
  watcher_.Wake();
  watcher_.Wake();  // coalesced
  EXPECT_TRUE(watcher_.Wait(60'000).woken);
  EXPECT_FALSE(watcher_.Wait(0).woken);
}

TEST_F(FileWatcherTest, WaitTimesOutWithNothing) {
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  WatchEvents ev = watcher_.Wait(0);
  EXPECT_TRUE(ev.modified.empty());
  EXPECT_FALSE(ev.rescan);
  EXPECT_FALSE(ev.woken);
}

// The tailer's sleep while a batch waits for more lines: writes do not end it, and it returns
// what they caused. (The events of writes made by this thread are queued by the time write()
// returns, so a zero timeout sees them.)
TEST_F(FileWatcherTest, SleepReturnsTheEventsThatCameMeanwhile) {
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  std::string a = logs_ + "/a.log";
  std::string b = logs_ + "/b.log";
  WriteFile(a, "");
  WriteFile(b, "");
  watcher_.Wait(0);  // the creations
  AppendFile(a, "1\n");
  AppendFile(b, "1\n");
  AppendFile(a, "2\n");
  WatchEvents ev = watcher_.Wait(0, /*until_event=*/false);
  EXPECT_TRUE(Has(ev, a));
  EXPECT_TRUE(Has(ev, b));
  EXPECT_FALSE(ev.rescan);
  EXPECT_FALSE(ev.woken);
  // Everything was collected: nothing is left for the next wait.
  EXPECT_TRUE(watcher_.Wait(0).modified.empty());
}

TEST_F(FileWatcherTest, WakeEndsASleep) {
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  std::string a = logs_ + "/a.log";
  WriteFile(a, "");
  watcher_.Wait(0);
  AppendFile(a, "1\n");
  WatchEvents ev;
  std::thread sleeper([&] { ev = watcher_.Wait(60'000, /*until_event=*/false); });
  watcher_.Wake();
  sleeper.join();
  EXPECT_TRUE(ev.woken);
  EXPECT_TRUE(Has(ev, a));  // what came before the wake-up is not lost
}

TEST_F(FileWatcherTest, KeepOnlyStopsWatchingTheOthers) {
  std::string other = dir_.Sub("other");
  ASSERT_EQ(::mkdir(other.c_str(), 0755), 0);
  std::string in_logs = logs_ + "/a.log", in_other = other + "/b.log";
  WriteFile(in_logs, "");
  WriteFile(in_other, "");
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  ASSERT_TRUE(watcher_.WatchDir(other));
  AppendFile(in_other, "x\n");
  CollectUntil([&](const WatchEvents& e) { return Has(e, in_other); });

  watcher_.KeepOnly({logs_});
  AppendFile(in_other, "not reported\n");
  AppendFile(in_logs, "reported\n");
  // The write to logs/ came after the one to other/: once it is in, other/'s would be too.
  WatchEvents ev = CollectUntil([&](const WatchEvents& e) { return Has(e, in_logs); });
  EXPECT_THAT(ev.modified, Not(Contains(in_other)));

  // Watching it again works.
  ASSERT_TRUE(watcher_.WatchDir(other));
  AppendFile(in_other, "reported again\n");
  CollectUntil([&](const WatchEvents& e) { return Has(e, in_other); });
}

TEST_F(FileWatcherTest, DeletedAndRecreatedDirectoryCanBeWatchedAgain) {
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  ASSERT_EQ(::rmdir(logs_.c_str()), 0);
  EXPECT_TRUE(CollectUntil([](const WatchEvents& e) { return e.rescan; }).rescan);
  // The watch is gone (IN_IGNORED); what the scanner finds next is watched anew.
  ASSERT_EQ(::mkdir(logs_.c_str(), 0755), 0);
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  std::string a = logs_ + "/a.log";
  WriteFile(a, "");
  AppendFile(a, "x\n");
  CollectUntil([&](const WatchEvents& e) { return Has(e, a); });
}

TEST_F(FileWatcherTest, DirectoryMovedAwayAndReplacedIsWatchedAtItsPath) {
  // logs/ -> logs.old/, and a new logs/: the watch followed the old directory, so the new one at
  // the path must be watched when the scanner reports it again.
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  std::string old_dir = dir_.Sub("logs.old");
  ASSERT_EQ(std::rename(logs_.c_str(), old_dir.c_str()), 0);
  EXPECT_TRUE(CollectUntil([](const WatchEvents& e) { return e.rescan; }).rescan);
  ASSERT_EQ(::mkdir(logs_.c_str(), 0755), 0);
  ASSERT_TRUE(watcher_.WatchDir(logs_));
  std::string a = logs_ + "/a.log";
  WriteFile(a, "");
  AppendFile(a, "x\n");
  WatchEvents ev = CollectUntil([&](const WatchEvents& e) { return Has(e, a); });
  // Writes in the moved directory are not reported under the old path.
  std::string moved = old_dir + "/m.log";
  WriteFile(moved, "");
  AppendFile(moved, "x\n");
  ev = Fence(logs_);
  EXPECT_THAT(ev.modified, Not(Contains(logs_ + "/m.log")));
}

}  // namespace
}  // namespace logship
