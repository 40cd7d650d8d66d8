// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/spool_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/sinks/spool/spool_test_util.h"
#include "tests/testing/fault_injecting_file_system.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using ::logship::testing::FakeClock;
using ::logship::testing::ReadFileOrEmpty;
using ::logship::testing::ScriptedFileSystem;
using ::logship::testing::SpoolFiles;
using ::logship::testing::SpoolLines;
using ::logship::testing::TempDir;
using ::logship::testing::WriteFile;

constexpr int64_t kSecond = 1'000'000'000;

class SpoolWriterTest : public ::testing::Test {
 protected:
  SpoolWriterOptions Options(uint64_t max_file_bytes = 1 << 20,
                             int64_t max_age_ns = 3600 * kSecond) {
    return SpoolWriterOptions{dir_, max_file_bytes, max_age_ns};
  }
  // Write + Sync, asserting success.
  void Commit(SpoolWriter& w, std::string_view lines) {
    ASSERT_TRUE(w.Write(lines).ok());
    ASSERT_TRUE(w.Sync().ok());
  }

  TempDir tmp_;
  std::string dir_ = tmp_.Sub("spool");
  FakeClock clock_;
};

TEST_F(SpoolWriterTest, CreatesTheDirectoryAndNamesFilesByUtcTimeAndCounter) {
  SpoolWriter w(Options(), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  EXPECT_TRUE(SpoolFiles(dir_).empty()) << "no file before the first write";
  Commit(w, "{\"a\":1}\n");
  EXPECT_EQ(w.current_path(), dir_ + "/20261124T203406.123Z-000001.ndjson");
  EXPECT_EQ(ReadFileOrEmpty(w.current_path()), "{\"a\":1}\n");
}

TEST_F(SpoolWriterTest, CounterContinuesAfterTheHighestExistingFile) {
  ASSERT_TRUE(PosixFileSystem().CreateDirs(dir_).ok());
  WriteFile(dir_ + "/20200101T000000.000Z-000041.ndjson", "{\"old\":1}\n");
  WriteFile(dir_ + "/20190101T000000.000Z-000007.ndjson", "{\"older\":1}\n");
  WriteFile(dir_ + "/notes.txt", "not a spool file\n");
  SpoolWriter w(Options(), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"new\":1}\n");
  EXPECT_EQ(w.current_path(), dir_ + "/20261124T203406.123Z-000042.ndjson");
  EXPECT_EQ(ReadFileOrEmpty(dir_ + "/20200101T000000.000Z-000041.ndjson"), "{\"old\":1}\n");
}

TEST_F(SpoolWriterTest, NeverAppendsToAFileOfAnEarlierRun) {
  {
    SpoolWriter w(Options(), clock_, PosixFileSystem());
    ASSERT_TRUE(w.Open().ok());
    Commit(w, "{\"run\":1}\n");
  }
  SpoolWriter w(Options(), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"run\":2}\n");
  ASSERT_EQ(SpoolFiles(dir_).size(), 2u);
  EXPECT_EQ(SpoolLines(dir_), (std::vector<std::string>{"{\"run\":1}", "{\"run\":2}"}));
}

TEST_F(SpoolWriterTest, OpenCutsATornLastLineOffTheNewestFileOnly) {
  ASSERT_TRUE(PosixFileSystem().CreateDirs(dir_).ok());
  std::string older = dir_ + "/20200101T000000.000Z-000001.ndjson";
  std::string newest = dir_ + "/20200101T000000.000Z-000002.ndjson";
  WriteFile(older, "{\"a\":1}\n{\"b\":");  // not the newest: left alone
  WriteFile(newest, "{\"a\":1}\n{\"b\":2}\n{\"c\":");
  SpoolWriter w(Options(), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  EXPECT_EQ(ReadFileOrEmpty(newest), "{\"a\":1}\n{\"b\":2}\n");
  EXPECT_EQ(ReadFileOrEmpty(older), "{\"a\":1}\n{\"b\":");
}

TEST_F(SpoolWriterTest, OpenFindsTheLastNewlineOfALargeFileAcrossReadBlocks) {
  ASSERT_TRUE(PosixFileSystem().CreateDirs(dir_).ok());
  std::string newest = dir_ + "/20200101T000000.000Z-000002.ndjson";
  // 300 KiB of complete lines, then a torn line longer than the 64 KiB repair read block.
  std::string complete;
  while (complete.size() < 300 * 1024) complete += "{\"line\":\"" + std::string(100, 'x') + "\"}\n";
  WriteFile(newest, complete + "{\"torn\":\"" + std::string(150 * 1024, 'y'));
  SpoolWriter w(Options(), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  EXPECT_EQ(ReadFileOrEmpty(newest), complete);
}

TEST_F(SpoolWriterTest, OpenEmptiesANewestFileWithoutAnyCompleteLine) {
  ASSERT_TRUE(PosixFileSystem().CreateDirs(dir_).ok());
  std::string newest = dir_ + "/20200101T000000.000Z-000003.ndjson";
  WriteFile(newest, "{\"torn\":");
  SpoolWriter w(Options(), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  EXPECT_EQ(ReadFileOrEmpty(newest), "");
  Commit(w, "{\"x\":1}\n");
  EXPECT_EQ(w.current_path(), dir_ + "/20261124T203406.123Z-000004.ndjson");
}

TEST_F(SpoolWriterTest, RotatesBeforeAWriteWouldPassMaxFileBytes) {
  SpoolWriter w(Options(/*max_file_bytes=*/30), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  std::string line = "{\"n\":\"0123456789\"}\n";  // 19 bytes
  for (int i = 0; i < 5; ++i) Commit(w, line);
  std::vector<std::string> files = SpoolFiles(dir_);
  ASSERT_EQ(files.size(), 5u);
  for (const std::string& f : files) EXPECT_EQ(ReadFileOrEmpty(dir_ + "/" + f), line);
}

TEST_F(SpoolWriterTest, AWriteLargerThanMaxFileBytesGoesIntoAFileOfItsOwn) {
  SpoolWriter w(Options(/*max_file_bytes=*/10), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"big\":\"aaaaaaaaaaaaaaaa\"}\n");
  Commit(w, "{\"big\":\"bbbbbbbbbbbbbbbb\"}\n");
  EXPECT_EQ(SpoolFiles(dir_).size(), 2u);
}

TEST_F(SpoolWriterTest, RotatesAFileOlderThanMaxFileAge) {
  SpoolWriter w(Options(1 << 20, /*max_age_ns=*/60 * kSecond), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"a\":1}\n");
  clock_.Advance(59 * kSecond);
  Commit(w, "{\"a\":2}\n");
  EXPECT_EQ(SpoolFiles(dir_).size(), 1u);
  clock_.Advance(1 * kSecond);
  Commit(w, "{\"a\":3}\n");
  std::vector<std::string> files = SpoolFiles(dir_);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1], "20261124T203506.123Z-000002.ndjson");
  EXPECT_EQ(SpoolLines(dir_), (std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}));
}

TEST_F(SpoolWriterTest, NamesKeepSortingInWriteOrderWhenTheWallClockGoesBack) {
  SpoolWriter w(Options(/*max_file_bytes=*/8), clock_, PosixFileSystem());
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"a\":1}\n");
  clock_.SetUnixNanos(FakeClock::kStartUnixNanos - 3600 * kSecond);
  Commit(w, "{\"a\":2}\n");
  EXPECT_EQ(SpoolFiles(dir_), (std::vector<std::string>{"20261124T203406.123Z-000001.ndjson",
                                                        "20261124T203406.123Z-000002.ndjson"}));
}

TEST_F(SpoolWriterTest, AFailedSyncIsUndoneSoTheRetryWritesEachLineOnce) {
  ScriptedFileSystem fs;
  SpoolWriter w(Options(), clock_, fs);
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"a\":1}\n");
  fs.FailSyncs(1);
  ASSERT_TRUE(w.Write("{\"a\":2}\n{\"a\":3}\n").ok());
  Status s = w.Sync();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(w.current_path()), std::string_view::npos) << s.ToString();
  EXPECT_EQ(ReadFileOrEmpty(w.current_path()), "{\"a\":1}\n") << "the unsynced write is undone";
  Commit(w, "{\"a\":2}\n{\"a\":3}\n");
  EXPECT_EQ(SpoolLines(dir_), (std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}));
}

TEST_F(SpoolWriterTest, AFailedWriteIsUndoneSoTheRetryWritesEachLineOnce) {
  ScriptedFileSystem fs;
  SpoolWriter w(Options(), clock_, fs);
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"a\":1}\n");
  fs.FailAppendsHalfway(1);
  ASSERT_FALSE(w.Write("{\"a\":2}\n{\"a\":3}\n").ok());
  EXPECT_EQ(ReadFileOrEmpty(w.current_path()), "{\"a\":1}\n") << "half a write is undone";
  Commit(w, "{\"a\":2}\n{\"a\":3}\n");
  EXPECT_EQ(SpoolFiles(dir_).size(), 1u);
  EXPECT_EQ(SpoolLines(dir_), (std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}));
}

TEST_F(SpoolWriterTest, AFailedWriteOfANewFileCanBeRetried) {
  ScriptedFileSystem fs;
  SpoolWriter w(Options(), clock_, fs);
  ASSERT_TRUE(w.Open().ok());
  fs.FailAppendsHalfway(1);
  ASSERT_FALSE(w.Write("{\"a\":1}\n").ok());
  fs.FailSyncs(1);
  ASSERT_TRUE(w.Write("{\"a\":1}\n").ok());
  ASSERT_FALSE(w.Sync().ok());
  Commit(w, "{\"a\":1}\n");
  EXPECT_EQ(SpoolLines(dir_), (std::vector<std::string>{"{\"a\":1}"}));
}

TEST_F(SpoolWriterTest, SyncedLinesSurviveACrashAndUnsyncedOnesNeverTearALine) {
  testing::FaultInjectingFileSystem fs;
  {
    SpoolWriter w(Options(/*max_file_bytes=*/20), clock_, fs);
    ASSERT_TRUE(w.Open().ok());
    Commit(w, "{\"a\":1}\n");
    Commit(w, "{\"a\":2}\n");
    Commit(w, "{\"a\":3}\n");                  // rotates
    ASSERT_TRUE(w.Write("{\"a\":4}\n").ok());  // never synced
    fs.SimulateCrash();
  }
  EXPECT_EQ(SpoolLines(dir_), (std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}));
  SpoolWriter w(Options(), clock_, fs);
  ASSERT_TRUE(w.Open().ok());
  Commit(w, "{\"a\":4}\n");
  EXPECT_EQ(SpoolLines(dir_),
            (std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "{\"a\":3}", "{\"a\":4}"}));
}

TEST_F(SpoolWriterTest, AFailedFirstSyncOfANewFileIsUndone) {
  testing::FaultInjectingFileSystem fs;
  SpoolWriter w(Options(), clock_, fs);
  ASSERT_TRUE(w.Open().ok());
  ASSERT_TRUE(w.Write("{\"a\":1}\n").ok());
  fs.FailNextSyncs(1);  // the data or the directory: either way nothing counts as written
  ASSERT_FALSE(w.Sync().ok());
  Commit(w, "{\"a\":1}\n");
  EXPECT_EQ(SpoolLines(dir_), (std::vector<std::string>{"{\"a\":1}"}));
}

TEST_F(SpoolWriterTest, OpenFailsNamingTheDirectory) {
  WriteFile(dir_, "a file where the spool directory should be");
  SpoolWriter w(Options(), clock_, PosixFileSystem());
  Status s = w.Open();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir_), std::string_view::npos) << s.ToString();
}

}  // namespace
}  // namespace logship
