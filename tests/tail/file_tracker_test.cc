// SPDX-License-Identifier: Apache-2.0
// Tests for src/tail/file_tracker.h, driven directly the way FileSource::Run drives it (see
// tests/tail/tail_input_fixture.h).
#include "src/tail/file_tracker.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/tail/batch_filler.h"
#include "src/tail/checkpoint_keeper.h"
#include "src/tail/file_input_options.h"
#include "src/tail/file_key.h"
#include "src/tail/file_reader.h"
#include "src/tail/tailed_file.h"
#include "tests/tail/tail_input_fixture.h"
#include "tests/tail/tail_test_fakes.h"
#include "tests/testing/fault_injecting_file_system.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using testing::AppendFile;
using ::testing::ElementsAre;
using testing::FakeSourceContext;
using testing::FaultInjectingFileSystem;
using testing::ShippedEvent;
using testing::TailFakeClock;
using testing::TempDir;
using ::testing::UnorderedElementsAreArray;
using testing::WriteFile;

class FileTrackerTest : public testing::TailInputTest {};

TEST_F(FileTrackerTest, NewFileIsFoundAndReadFromTheStart) {
  WriteFile(Log("a.log"), "a1\na2\n");
  Start(/*once=*/false);
  EXPECT_EQ(tracker().open_files(), 1u);
  ReadUntilIdle();
  EXPECT_THAT(TextsOf(Log("a.log")), ElementsAre("a1", "a2"));

  // A file created while running: found by the next scan, read from 0.
  WriteFile(Log("b.log"), "b1\nb2\n");
  AppendFile(Log("a.log"), "a3\n");
  tracker().Scan(false);
  EXPECT_EQ(tracker().open_files(), 2u);
  ReadUntilIdle();
  EXPECT_THAT(TextsOf(Log("a.log")), ElementsAre("a1", "a2", "a3"));
  EXPECT_THAT(TextsOf(Log("b.log")), ElementsAre("b1", "b2"));
  ASSERT_EQ(ctx_.events.size(), 5u);
  EXPECT_EQ(ctx_.events[3].offset, 0u);
  EXPECT_EQ(ctx_.events[4].offset, 3u);
  // A file not matching the include pattern is never opened.
  WriteFile(Log("c.txt"), "c\n");
  tracker().Scan(false);
  ReadUntilIdle();
  EXPECT_EQ(ctx_.events.size(), 5u);
}

TEST_F(FileTrackerTest, RenamedToAMatchingNameKeepsItsStream) {
  WriteFile(Log("a.log"), "1\n2\n");
  Start(false);
  ReadUntilIdle();
  ASSERT_EQ(ctx_.events.size(), 2u);
  const uint64_t id = ctx_.events[0].file_id;

  ASSERT_EQ(::rename(Log("a.log").c_str(), Log("a-1.log").c_str()), 0);
  AppendFile(Log("a-1.log"), "3\n");
  tracker().Scan(false);
  ReadUntilIdle();
  ASSERT_EQ(ctx_.events.size(), 3u);
  EXPECT_EQ(ctx_.events[2].text, "3");
  EXPECT_EQ(ctx_.events[2].offset, 4u);
  EXPECT_EQ(ctx_.events[2].file_id, id);
  EXPECT_EQ(ctx_.events[2].path, Log("a-1.log"));
  EXPECT_EQ(tracker().files().size(), 1u);
  EXPECT_EQ(tracker().open_files(), 1u);
  TailedFile* f = ByPath(Log("a-1.log"));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->id(), id);
  EXPECT_EQ(f->state, TailState::kActive);
}

TEST_F(FileTrackerTest, RenamedOutOfTheGlobIsReadToItsEndThenClosed) {
  WriteFile(Log("a.log"), "1\n2\n");
  Start(false);
  ReadUntilIdle();
  const uint64_t id = ctx_.events.at(0).file_id;

  ASSERT_EQ(::rename(Log("a.log").c_str(), Log("a.log.1").c_str()), 0);
  AppendFile(Log("a.log.1"), "3\n4");  // written before the writer moved on; no last newline
  tracker().Scan(false);
  TailedFile* f = tracker().Find(id);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->state, TailState::kOrphaned);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("1", "2", "3"));
  // Kept open for rotate_wait, in case the writer still adds its last newline.
  EXPECT_NE(f->file, nullptr);
  EXPECT_EQ(f->reader.held_bytes(), 1u);

  clock_.Advance(options_.rotate_wait.nanos);
  tracker().Scan(false);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("1", "2", "3", "4"));
  EXPECT_EQ(ctx_.events.back().offset, 6u);
  for (const ShippedEvent& e : ctx_.events) EXPECT_EQ(e.file_id, id);
  EXPECT_EQ(tracker().open_files(), 0u);
  // Closed, and forgotten once every line is acknowledged.
  EXPECT_EQ(tracker().Find(id), nullptr);
  EXPECT_TRUE(tracker().files().empty());
}

TEST_F(FileTrackerTest, TruncationRestartsTheStreamAtZeroUnderANewId) {
  WriteFile(Log("a.log"), "1\n2\n3\n");
  Start(false);
  ReadUntilIdle();
  const uint64_t old_id = ctx_.events.at(0).file_id;
  const uint64_t inode = InodeOf(Log("a.log"));

  WriteFile(Log("a.log"), "4\n");  // copytruncate, then the writer goes on
  ASSERT_EQ(InodeOf(Log("a.log")), inode);
  tracker().Scan(false);
  TailedFile* f = ByPath(Log("a.log"));
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->id(), old_id);
  EXPECT_EQ(f->reader.read_offset(), 0u);
  EXPECT_EQ(f->acked_offset, 0u);
  // The stream read so far stays under its id, closed, for a copy to continue it.
  TailedFile* detached = tracker().Find(old_id);
  ASSERT_NE(detached, nullptr);
  EXPECT_EQ(detached->state, TailState::kClosed);
  EXPECT_EQ(detached->reader.emitted_offset(), 6u);

  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("1", "2", "3", "4"));
  EXPECT_EQ(ctx_.events[3].offset, 0u);
  EXPECT_EQ(ctx_.events[3].file_id, f->id());
}

// copytruncate with its copies in the glob: the copy continues the stream where it was read up to.
TEST_F(FileTrackerTest, CopyInTheGlobContinuesTheTruncatedStream) {
  WriteFile(Log("a.log"), "1\n2\n3\n");
  Start(false);
  ReadUntilIdle();
  const uint64_t old_id = ctx_.events.at(0).file_id;

  AppendFile(Log("a.log"), "4\n");  // not read before the rotation
  WriteFile(Log("a-1.log"), "1\n2\n3\n4\n");
  WriteFile(Log("a.log"), "5\n");
  tracker().Scan(false);
  ReadUntilIdle();

  EXPECT_THAT(TextsOf(Log("a.log")), ElementsAre("1", "2", "3", "5"));
  EXPECT_THAT(TextsOf(Log("a-1.log")), ElementsAre("4"));
  ASSERT_EQ(ctx_.events.size(), 5u);
  const ShippedEvent& four = ctx_.events[3].text == "4" ? ctx_.events[3] : ctx_.events[4];
  EXPECT_EQ(four.offset, 6u);
  EXPECT_EQ(four.file_id, old_id);
  // The copy carries the original's key: the same (file key, offset) names the same line.
  EXPECT_EQ(four.file_key, ctx_.events[0].file_key);
  const ShippedEvent& five = ctx_.events[3].text == "5" ? ctx_.events[3] : ctx_.events[4];
  EXPECT_EQ(five.offset, 0u);
  EXPECT_NE(five.file_id, old_id);
  TailedFile* copy = ByPath(Log("a-1.log"));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->id(), old_id);
}

// The copy is found before the truncation: it waits, then continues the stream.
TEST_F(FileTrackerTest, CopyFoundBeforeTheTruncationWaitsThenContinues) {
  WriteFile(Log("a.log"), "1\n2\n3\n");
  Start(false);
  ReadUntilIdle();
  const uint64_t old_id = ctx_.events.at(0).file_id;

  WriteFile(Log("a-1.log"), "1\n2\n3\n");  // copied; not truncated yet
  tracker().Scan(false);
  ReadUntilIdle();
  TailedFile* copy = ByPath(Log("a-1.log"));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->twin_of, old_id);
  EXPECT_EQ(copy->reader.read_offset(), 0u);
  EXPECT_EQ(ctx_.events.size(), 3u);

  WriteFile(Log("a.log"), "4\n");
  tracker().Scan(false);
  ReadUntilIdle();
  EXPECT_THAT(TextsOf(Log("a.log")), ElementsAre("1", "2", "3", "4"));
  EXPECT_TRUE(TextsOf(Log("a-1.log")).empty());
  EXPECT_EQ(copy->id(), old_id);
  EXPECT_EQ(copy->twin_of, 0u);
  EXPECT_EQ(copy->reader.read_offset(), 6u);
}

TEST_F(FileTrackerTest, RestartResumesAtTheCheckpoint) {
  WriteFile(Log("a.log"), "1\n2\n");
  Start(false);
  ReadUntilIdle();
  SaveCheckpoints();
  ASSERT_NE(ByPath(Log("a.log")), nullptr);
  EXPECT_EQ(ByPath(Log("a.log"))->acked_offset, 4u);

  AppendFile(Log("a.log"), "3\n");
  Start(false);                              // a new tracker and keeper on the same data dir
  ASSERT_EQ(tracker().loaded().size(), 0u);  // matched
  TailedFile* f = ByPath(Log("a.log"));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->reader.read_offset(), 4u);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("1", "2", "3"));
  EXPECT_EQ(ctx_.events.back().offset, 4u);
  // The same file: the same key in both runs (what replay and idempotent sink ids rely on).
  EXPECT_EQ(ctx_.events.back().file_key, ctx_.events.front().file_key);
  EXPECT_EQ(tracker().files_lost(), 0u);
}

// A rescan is the safety net for writes inotify did not report (these tests never call Wait, so
// every write here is one): a file that grew is read, one with nothing new is left alone, and a
// rotated one is still read so that it can be closed once idle.
TEST_F(FileTrackerTest, RescanReadsOnlyFilesThatMayHoldSomethingNew) {
  WriteFile(Log("a.log"), "1\n");
  WriteFile(Log("b.log"), "1\n");
  Start(false);
  ReadUntilIdle();
  TailedFile* a = ByPath(Log("a.log"));
  TailedFile* b = ByPath(Log("b.log"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(a->may_have_data);

  AppendFile(Log("b.log"), "2\n");
  tracker().Scan(false);
  EXPECT_FALSE(a->may_have_data);  // as long as what was read of it
  EXPECT_TRUE(b->may_have_data);   // grew
  ReadUntilIdle();
  EXPECT_THAT(TextsOf(Log("b.log")), ElementsAre("1", "2"));

  // A write that leaves the size as read but changes the head (truncated and refilled): read
  // again from 0, as before.
  WriteFile(Log("a.log"), "X\n");
  tracker().Scan(false);
  ReadUntilIdle();
  EXPECT_THAT(TextsOf(Log("a.log")), ElementsAre("1", "X"));

  // Renamed out of the include pattern: read to its end, then closed after rotate_wait idle.
  ASSERT_EQ(std::rename(Log("b.log").c_str(), Log("b.old").c_str()), 0);
  tracker().Scan(false);
  EXPECT_EQ(b->state, TailState::kOrphaned);
  ReadUntilIdle();
  clock_.Advance(options_.rotate_wait.nanos);
  tracker().Scan(false);
  EXPECT_TRUE(b->may_have_data);
  ReadUntilIdle();  // closes it (and forgets it: b is gone now)
  EXPECT_EQ(tracker().open_files(), 1u);
  EXPECT_THAT(TextsOf(Log("b.log")), ElementsAre("1", "2"));
}

// Same inode, same first KiB, other bytes before the checkpoint (rewritten in place): another
// file, read from 0.
TEST_F(FileTrackerTest, RewrittenInPlaceWithTheSameHeadIsReadFromZero) {
  const std::string line = "# header line of a csv file, the same in every file";
  std::string header;
  std::vector<std::string> want;
  while (header.size() < 1100) {  // longer than the head fingerprint (1 KiB)
    header += line + "\n";
    want.push_back(line);
  }
  WriteFile(Log("a.log"), header + "old-1\nold-2\n");
  const uint64_t inode = InodeOf(Log("a.log"));
  Start(false);
  ReadUntilIdle();
  SaveCheckpoints();
  ASSERT_NE(ByPath(Log("a.log")), nullptr);
  ASSERT_EQ(ByPath(Log("a.log"))->acked_offset, header.size() + 12);
  ASSERT_EQ(ByPath(Log("a.log"))->fingerprint.len, 1024u);
  run_.reset();

  // Rewritten through O_TRUNC (same inode, same first KiB), longer than the checkpoint's offset.
  const std::string rewritten = header + "new-1\nnew-2\nnew-3\n";
  for (const char* l : {"new-1", "new-2", "new-3"}) want.push_back(l);
  int fd = ::open(Log("a.log").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, rewritten.data(), rewritten.size()),
            static_cast<ssize_t>(rewritten.size()));
  ::close(fd);
  ASSERT_EQ(InodeOf(Log("a.log")), inode);

  const size_t before = ctx_.events.size();
  Start(false);
  TailedFile* f = ByPath(Log("a.log"));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->reader.read_offset(), 0u);
  ReadUntilIdle();
  std::vector<std::string> texts;
  for (size_t i = before; i < ctx_.events.size(); ++i) texts.push_back(ctx_.events[i].text);
  EXPECT_EQ(texts, want);
  ASSERT_GT(ctx_.events.size(), before);
  EXPECT_EQ(ctx_.events[before].offset, 0u);
  EXPECT_EQ(tracker().files_lost(), 0u);
}

// --once with more files than max_open_files: files wait for the slots of files read to their
// end; every line is read once.
TEST_F(FileTrackerTest, MaxOpenFilesDefersTheRestUntilSlotsFree) {
  options_.max_open_files = 2;
  std::vector<std::string> want;
  for (char c = 'a'; c <= 'e'; ++c) {
    std::string content;
    for (int i = 0; i < 3; ++i) {
      std::string line = std::string(1, c) + std::to_string(i);
      content += line + "\n";
      want.push_back(line);
    }
    content += std::string(1, c) + "-last";  // unterminated: --once ships it
    want.push_back(std::string(1, c) + "-last");
    WriteFile(Log(std::string(1, c) + ".log"), content);
  }
  Start(/*once=*/true);
  EXPECT_EQ(tracker().open_files(), 2u);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), UnorderedElementsAreArray(want));
  EXPECT_EQ(ctx_.events.size(), want.size());
  EXPECT_LE(max_open_seen_, 2u);
  EXPECT_EQ(tracker().files_lost(), 0u);
  EXPECT_FALSE(tracker().OpenDeferred());
}

TEST_F(FileTrackerTest, FileThatCannotBeOpenedIsPickedUpWhenTheFaultClears) {
  WriteFile(Log("a.log"), "a1\n");
  WriteFile(Log("b.log"), "b1\nb2\n");
  fs_.FailOpensOf(Log("b.log"), true);
  Start(false);
  EXPECT_EQ(tracker().open_files(), 1u);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("a1"));
  tracker().Scan(false);  // still failing: still skipped
  ReadUntilIdle();
  EXPECT_EQ(ctx_.events.size(), 1u);

  fs_.FailOpensOf(Log("b.log"), false);
  tracker().Scan(false);
  EXPECT_EQ(tracker().open_files(), 2u);
  ReadUntilIdle();
  EXPECT_THAT(TextsOf(Log("b.log")), ElementsAre("b1", "b2"));
  EXPECT_EQ(ctx_.events.size(), 3u);
  EXPECT_EQ(tracker().files_lost(), 0u);
}

TEST_F(FileTrackerTest, ReadErrorStopsTheFileUntilTheNextScanWithNothingLost) {
  WriteFile(Log("a.log"), "1\n");
  Start(false);
  ReadUntilIdle();
  AppendFile(Log("a.log"), "2\n");
  fs_.FailReadsOf(Log("a.log"), true);
  tracker().Scan(false);
  ReadUntilIdle();
  EXPECT_EQ(ctx_.events.size(), 1u);
  TailedFile* f = ByPath(Log("a.log"));
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->may_have_data);
  fs_.FailReadsOf(Log("a.log"), false);
  tracker().Scan(false);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("1", "2"));
}

TEST_F(FileTrackerTest, FifoMatchingTheGlobIsCountedOnceAsSkipped) {
  ASSERT_EQ(::mkfifo(Log("pipe.log").c_str(), 0644), 0);
  WriteFile(Log("a.log"), "a\n");
  Start(false);
  for (int i = 0; i < 3; ++i) tracker().Scan(false);
  EXPECT_EQ(tracker().paths_skipped(), 1u);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("a"));
  EXPECT_EQ(tracker().open_files(), 1u);

  ASSERT_EQ(::mkfifo(Log("other.log").c_str(), 0644), 0);
  tracker().Scan(false);
  tracker().Scan(false);
  EXPECT_EQ(tracker().paths_skipped(), 2u);
}

// A checkpointed file with unread bytes that is gone when the input starts again: counted lost,
// with the bytes it had beyond its checkpoint. One gone with every line shipped is not.
TEST_F(FileTrackerTest, CheckpointedFileGoneAtStartIsCountedLost) {
  WriteFile(Log("a.log"), "1\n2\n");
  WriteFile(Log("b.log"), "x\n");
  Start(false);
  ReadUntilIdle();
  ApplyAcks();
  AppendFile(Log("a.log"), "3\n45\n");  // seen by the scan, never read
  tracker().Scan(false);
  SaveCheckpoints();
  run_.reset();

  ASSERT_EQ(::unlink(Log("a.log").c_str()), 0);
  ASSERT_EQ(::unlink(Log("b.log").c_str()), 0);
  Start(false);
  EXPECT_EQ(tracker().files_lost(), 1u);
  EXPECT_EQ(tracker().bytes_lost(), 5u);
  EXPECT_TRUE(tracker().loaded().empty());
  EXPECT_EQ(tracker().open_files(), 0u);
}

// A batch filled mid-block leaves complete lines read but not yet added (lines_pending). A
// truncation seen then must not drop them: they were read before it, as a pending multiline group
// is (FileTracker::Restart flushes that one).
// Regression (found by this test when the tracker was split, fixed since).
TEST_F(FileTrackerTest, TruncationWithLinesPendingShipsThem) {
  ctx_.max_events = 3;
  std::vector<std::string> want;
  std::string content;
  for (int i = 0; i < 10; ++i) {
    want.push_back("line-" + std::to_string(i));
    content += want.back() + "\n";
  }
  WriteFile(Log("a.log"), content);
  Start(false);
  ASSERT_TRUE(ReadRound());
  TailedFile* f = ByPath(Log("a.log"));
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->reader.lines_pending());
  ASSERT_EQ(ctx_.events.size(), 3u);

  // copytruncate to a name the glob does not match, then the writer goes on; the rescan comes
  // between two rounds, as in FileSource::Run.
  WriteFile(Log("a.log.1"), content);
  WriteFile(Log("a.log"), "new\n");
  tracker().Scan(false);
  ReadUntilIdle();
  want.push_back("new");
  EXPECT_EQ(ctx_.Texts(), want);
}

// Files with checkpoints and unread bytes, more of them than max_open_files at start: those left
// waiting for a slot are not "rotated while stopped" (they are at their path) and must wait.
// Regression (found by this test when the tracker was split, fixed since).
TEST_F(FileTrackerTest, RestartWithMoreCheckpointedFilesThanSlotsKeepsTheLimit) {
  WriteFile(Log("a.log"), "a1\n");
  WriteFile(Log("c.log"), "c1\n");
  Start(false);
  ReadUntilIdle();
  SaveCheckpoints();
  run_.reset();

  AppendFile(Log("a.log"), "a2\n");
  AppendFile(Log("c.log"), "c2\n");
  options_.max_open_files = 1;
  Start(false);
  EXPECT_LE(tracker().open_files(), 1u);
  EXPECT_LE(tracker().files().size(), 1u);
}

// The same with --once: every file is read in its turn, each line once.
// Regression (found by this test when the tracker was split, fixed since).
TEST_F(FileTrackerTest, OnceWithMoreCheckpointedFilesThanSlotsReadsEachLineOnce) {
  WriteFile(Log("a.log"), "a1\n");
  WriteFile(Log("c.log"), "c1\n");
  Start(false);
  ReadUntilIdle();
  SaveCheckpoints();
  run_.reset();

  AppendFile(Log("a.log"), "a2\n");
  AppendFile(Log("c.log"), "c2\n");
  options_.max_open_files = 1;
  max_open_seen_ = 0;  // the first run had no limit
  Start(/*once=*/true);
  ReadUntilIdle();
  EXPECT_THAT(TextsOf(Log("a.log")), ElementsAre("a1", "a2"));
  EXPECT_THAT(TextsOf(Log("c.log")), ElementsAre("c1", "c2"));
  EXPECT_LE(max_open_seen_, 1u);
}

// --once: a file waiting for a slot whose every line was shipped (checkpoint == size) and that is
// removed before its turn has no bytes lost.
// Regression (found by this test when the tracker was split, fixed since).
TEST_F(FileTrackerTest, DeferredFileGoneWithNothingUnreadLosesNoBytes) {
  WriteFile(Log("a.log"), "a1\n");
  WriteFile(Log("c.log"), "c1\nc2\n");
  Start(false);
  ReadUntilIdle();
  SaveCheckpoints();
  run_.reset();

  AppendFile(Log("a.log"), "a2\n");
  options_.max_open_files = 1;
  Start(/*once=*/true);
  ASSERT_NE(ByPath(Log("a.log")), nullptr);
  ASSERT_EQ(ByPath(Log("c.log")), nullptr);  // waits
  ASSERT_EQ(::unlink(Log("c.log").c_str()), 0);
  ReadUntilIdle();
  EXPECT_THAT(ctx_.Texts(), ElementsAre("a1", "c1", "c2", "a2"));
  EXPECT_EQ(tracker().bytes_lost(), 0u);
}

// --once, multiline, more files than slots: a file whose only event is a group still pending when
// the file is parked gets its file key from the file, like every other event (and like replay).
// Regression (found by this test when the tracker was split, fixed since).
TEST_F(FileTrackerTest, GroupFlushedAfterParkingKeepsTheFileKey) {
  Result<MultilineOptions> ml = MultilineOptions::Make(MultilineOptions::Mode::kStart, "^\\d");
  ASSERT_TRUE(ml.ok());
  options_.multiline = *ml;
  options_.max_open_files = 1;
  WriteFile(Log("a.log"), "1 x\n  y\n");
  WriteFile(Log("b.log"), "2 z\n");
  Start(/*once=*/true);
  ReadUntilIdle();
  ASSERT_THAT(ctx_.Texts(), ElementsAre("1 x\n  y", "2 z"));
  Result<std::unique_ptr<ReadableFile>> a = PosixFileSystem().OpenReadable(Log("a.log"));
  ASSERT_TRUE(a.ok());
  Result<FileInfo> info = (*a)->Stat();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(ctx_.events[0].file_key, ComputeFileKey(**a, info->device, info->inode));
}

}  // namespace
}  // namespace logship
