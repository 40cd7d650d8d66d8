// SPDX-License-Identifier: Apache-2.0
// The crash model the checkpoint tests rely on: check it forgets exactly what it should.
#include "tests/testing/fault_injecting_file_system.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace logship::testing {
namespace {

class FaultInjectingFileSystemTest : public ::testing::Test {
 protected:
  // Creates `path` through the fault FS with `content`, synced, and its directory synced.
  void Durable(const std::string& path, std::string_view content) {
    auto f = fs_.NewWritableFile(path);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append(content).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
    ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  }

  TempDir dir_;
  FaultInjectingFileSystem fs_;
};

TEST_F(FaultInjectingFileSystemTest, UnsyncedAppendsAreDropped) {
  const std::string p = dir_.Sub("a");
  auto f = fs_.NewWritableFile(p);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("def").ok());
  EXPECT_EQ(ReadFileOrEmpty(p), "abcdef");
  fs_.SimulateCrash();
  EXPECT_EQ(ReadFileOrEmpty(p), "abc");
  // The writer died with the process.
  EXPECT_FALSE((*f)->Append("x").ok());
  EXPECT_FALSE((*f)->Sync().ok());
  EXPECT_EQ(ReadFileOrEmpty(p), "abc");
}

TEST_F(FaultInjectingFileSystemTest, CreationWithoutSyncDirIsUndone) {
  const std::string p = dir_.Sub("a");
  auto f = fs_.NewWritableFile(p);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(fs_.pending_dir_ops(), 1u);
  fs_.SimulateCrash();
  EXPECT_FALSE(fs_.Exists(p));
}

TEST_F(FaultInjectingFileSystemTest, CreationKeptWhenTheCrashKeepsItsDirOp) {
  const std::string p = dir_.Sub("a");
  auto f = fs_.NewWritableFile(p);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("def").ok());
  fs_.SimulateCrashKeepingDirOps(1);
  EXPECT_EQ(ReadFileOrEmpty(p), "abc");
}

TEST_F(FaultInjectingFileSystemTest, RenameWithoutSyncDirIsUndone) {
  const std::string a = dir_.Sub("a"), b = dir_.Sub("b");
  Durable(a, "AAA");
  Durable(b, "BBB");
  ASSERT_TRUE(fs_.Rename(a, b).ok());
  EXPECT_FALSE(fs_.Exists(a));
  EXPECT_EQ(ReadFileOrEmpty(b), "AAA");
  fs_.SimulateCrash();
  EXPECT_EQ(ReadFileOrEmpty(a), "AAA");
  EXPECT_EQ(ReadFileOrEmpty(b), "BBB");
}

TEST_F(FaultInjectingFileSystemTest, RenameOfFilesMadeOutsideIsUndone) {
  // Files written behind the wrapper's back are taken as durable when first touched.
  const std::string a = dir_.Sub("a"), b = dir_.Sub("b");
  WriteFile(a, "outside-a");
  WriteFile(b, "outside-b");
  ASSERT_TRUE(fs_.Rename(a, b).ok());
  fs_.SimulateCrash();
  EXPECT_EQ(ReadFileOrEmpty(a), "outside-a");
  EXPECT_EQ(ReadFileOrEmpty(b), "outside-b");
}

TEST_F(FaultInjectingFileSystemTest, SyncDirMakesRenamesAndRemovalsDurable) {
  const std::string a = dir_.Sub("a"), b = dir_.Sub("b"), c = dir_.Sub("c");
  Durable(a, "AAA");
  Durable(c, "CCC");
  ASSERT_TRUE(fs_.Rename(a, b).ok());
  ASSERT_TRUE(fs_.Remove(c).ok());
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  EXPECT_EQ(fs_.pending_dir_ops(), 0u);
  fs_.SimulateCrash();
  EXPECT_FALSE(fs_.Exists(a));
  EXPECT_EQ(ReadFileOrEmpty(b), "AAA");
  EXPECT_FALSE(fs_.Exists(c));
}

TEST_F(FaultInjectingFileSystemTest, RemovalWithoutSyncDirIsUndone) {
  const std::string a = dir_.Sub("a");
  Durable(a, "AAA");
  ASSERT_TRUE(fs_.Remove(a).ok());
  EXPECT_FALSE(fs_.Exists(a));
  fs_.SimulateCrash();
  EXPECT_EQ(ReadFileOrEmpty(a), "AAA");
}

TEST_F(FaultInjectingFileSystemTest, KeepingAPrefixOfDirOps) {
  // tmp written and synced, then cur -> prev, tmp -> cur: the checkpoint store's sequence.
  const std::string cur = dir_.Sub("cur"), prev = dir_.Sub("prev"), tmp = dir_.Sub("tmp");
  Durable(cur, "old");
  auto f = fs_.NewWritableFile(tmp);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("new").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  ASSERT_TRUE(fs_.Rename(cur, prev).ok());
  ASSERT_TRUE(fs_.Rename(tmp, cur).ok());
  ASSERT_EQ(fs_.pending_dir_ops(), 3u);
  struct Want {
    std::string cur, prev, tmp;  // "" = missing
  };
  const Want want[] = {
      {"old", "", ""},
      {"old", "", "new"},
      {"", "old", "new"},
      {"new", "old", ""},
  };
  for (size_t keep = 0; keep < 4; ++keep) {
    TempDir d;
    FaultInjectingFileSystem fs;
    const std::string c = d.Sub("cur"), p = d.Sub("prev"), t = d.Sub("tmp");
    WriteFile(c, "old");
    auto w = fs.NewWritableFile(t);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append("new").ok());
    ASSERT_TRUE((*w)->Sync().ok());
    ASSERT_TRUE(fs.Rename(c, p).ok());
    ASSERT_TRUE(fs.Rename(t, c).ok());
    fs.SimulateCrashKeepingDirOps(keep);
    EXPECT_EQ(ReadFileOrEmpty(c), want[keep].cur) << keep;
    EXPECT_EQ(ReadFileOrEmpty(p), want[keep].prev) << keep;
    EXPECT_EQ(ReadFileOrEmpty(t), want[keep].tmp) << keep;
    EXPECT_EQ(fs.Exists(p), !want[keep].prev.empty()) << keep;
    EXPECT_EQ(fs.Exists(t), !want[keep].tmp.empty()) << keep;
  }
}

TEST_F(FaultInjectingFileSystemTest, TruncationByReopenCountsAsEmptyUntilSynced) {
  const std::string a = dir_.Sub("a");
  Durable(a, "old content");
  auto f = fs_.NewWritableFile(a);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("new").ok());
  fs_.SimulateCrash();
  EXPECT_TRUE(fs_.Exists(a));
  EXPECT_EQ(ReadFileOrEmpty(a), "");
}

TEST_F(FaultInjectingFileSystemTest, InjectedFaults) {
  const std::string a = dir_.Sub("a"), b = dir_.Sub("b");
  auto f = fs_.NewWritableFile(a);
  ASSERT_TRUE(f.ok());

  fs_.FailNextSyncs(2);
  EXPECT_FALSE((*f)->Sync().ok());
  EXPECT_FALSE(fs_.SyncDir(dir_.path()).ok());
  EXPECT_TRUE((*f)->Sync().ok());

  fs_.FailWritesAfterBytes(3);
  Status st = (*f)->Append("hello");
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find(a), std::string_view::npos);
  EXPECT_EQ(ReadFileOrEmpty(a), "hel");
  EXPECT_FALSE((*f)->Append("x").ok());
  fs_.ClearFaults();
  EXPECT_TRUE((*f)->Append("lo").ok());
  EXPECT_EQ(ReadFileOrEmpty(a), "hello");

  fs_.FailRenames(true);
  EXPECT_FALSE(fs_.Rename(a, b).ok());
  EXPECT_TRUE(fs_.Exists(a));
  fs_.FailRenames(false);

  fs_.FailOp(1);
  EXPECT_TRUE((*f)->Append("1").ok());
  EXPECT_FALSE((*f)->Append("2").ok());
  EXPECT_TRUE((*f)->Append("3").ok());
  EXPECT_EQ(ReadFileOrEmpty(a), "hello13");

  const uint64_t before = fs_.op_count();
  fs_.DieAfterOps(1);
  EXPECT_TRUE((*f)->Sync().ok());
  EXPECT_FALSE((*f)->Append("4").ok());
  EXPECT_FALSE(fs_.Rename(a, b).ok());
  EXPECT_FALSE(fs_.SyncDir(dir_.path()).ok());
  EXPECT_EQ(fs_.op_count(), before + 4);
  fs_.SimulateCrash();  // the file's creation was never SyncDir'd
  EXPECT_FALSE(fs_.Exists(a));
  EXPECT_TRUE(fs_.NewWritableFile(b).ok());  // alive again
}

}  // namespace
}  // namespace logship::testing
