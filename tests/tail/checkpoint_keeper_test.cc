// SPDX-License-Identifier: Apache-2.0
// Tests for src/tail/checkpoint_keeper.h: when checkpoints are saved. A save costs a write, two
// fsyncs and two renames, so the keeper saves only when an offset moved, at most once per
// checkpoint_interval, and always at the end. Saves are counted as operations on the checkpoint
// store's own FaultInjectingFileSystem (tests/tail/tail_input_fixture.h); time is a hand-moved
// clock, so nothing here depends on timing.
#include "src/tail/checkpoint_keeper.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "src/event/batch.h"
#include "src/tail/checkpoint_store.h"
#include "tests/tail/tail_input_fixture.h"
#include "tests/testing/temp_dir.h"

namespace logship {
namespace {

using testing::AppendFile;
using testing::WriteFile;

constexpr int64_t kMillis = 1'000'000;

class CheckpointKeeperTest : public testing::TailInputTest {
 protected:
  CheckpointKeeperTest() { options_.checkpoint_interval = Duration::Seconds(1); }

  CheckpointKeeper& keeper() { return run_->keeper; }

  // FileSource's periodic save; returns how many operations it made on the checkpoint store.
  uint64_t PeriodicSave() {
    const uint64_t before = keeper_fs_.op_count();
    keeper().SaveIfDue(tracker().files(), tracker().loaded(), /*force=*/false);
    EXPECT_TRUE(keeper().last_status().ok()) << keeper().last_status().ToString();
    return keeper_fs_.op_count() - before;
  }

  // The offset of `path` in the checkpoint store on disk (UINT64_MAX: none).
  uint64_t SavedOffset(const std::string& path) {
    Result<CheckpointStore> store = CheckpointStore::Open(fs_, dir_.Sub("data"), "t.checkpoints");
    EXPECT_TRUE(store.ok());
    Result<LoadedCheckpoints> loaded = store->Peek();
    EXPECT_TRUE(loaded.ok());
    for (const FileCheckpoint& c : loaded->checkpoints.files) {
      if (c.path == path) return c.offset;
    }
    return UINT64_MAX;
  }
};

TEST_F(CheckpointKeeperTest, NothingMovedNothingWritten) {
  WriteFile(Log("a.log"), "1\n2\n");
  Start(/*once=*/false);
  ReadUntilIdle();
  EXPECT_GT(PeriodicSave(), 0u);
  EXPECT_EQ(SavedOffset(Log("a.log")), 4u);
  EXPECT_FALSE(keeper().dirty());

  // Idle: however long it stays so, the checkpoint file is not rewritten.
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1500 * kMillis);
    ReadUntilIdle();
    EXPECT_EQ(PeriodicSave(), 0u) << "round " << i;
  }
}

TEST_F(CheckpointKeeperTest, AcknowledgementsThatMoveNoOffsetCauseNoSave) {
  WriteFile(Log("a.log"), "1\n");
  Start(false);
  ReadUntilIdle();
  EXPECT_GT(PeriodicSave(), 0u);
  clock_.Advance(1500 * kMillis);

  // A batch of a stream forgotten since (a file truncated and restarted, a closed file dropped):
  // its acknowledgement has no checkpoint to move.
  BatchSource gone{/*file_id=*/999'999, "gone.log", /*end_offset=*/100, /*file_key=*/1};
  std::vector<BatchSource> sources = {gone};
  uint64_t seq = keeper().tracker().Register(sources);
  keeper().tracker().Done(seq, AckStatus::kDelivered);
  EXPECT_FALSE(keeper().TakeAcks([this](uint64_t id) { return tracker().Find(id); }));
  EXPECT_FALSE(keeper().dirty());
  EXPECT_EQ(PeriodicSave(), 0u);
}

TEST_F(CheckpointKeeperTest, SavesAreCoalescedToOnePerInterval) {
  WriteFile(Log("a.log"), "1\n");
  Start(false);
  ReadUntilIdle();
  EXPECT_GT(PeriodicSave(), 0u);

  // Lines acknowledged every 100 ms: saved once the interval since the last save has passed,
  // then with everything acknowledged until then.
  std::string expected = "1\n";
  for (int i = 0; i < 9; ++i) {
    clock_.Advance(100 * kMillis);
    AppendFile(Log("a.log"), "x\n");
    expected += "x\n";
    tracker().Scan(false);
    ReadUntilIdle();
    EXPECT_TRUE(keeper().dirty());
    EXPECT_EQ(PeriodicSave(), 0u) << "at " << (i + 1) * 100 << " ms";
  }
  EXPECT_EQ(SavedOffset(Log("a.log")), 2u);
  clock_.Advance(100 * kMillis);
  EXPECT_GT(PeriodicSave(), 0u);
  EXPECT_EQ(SavedOffset(Log("a.log")), expected.size());
  EXPECT_FALSE(keeper().dirty());
}

TEST_F(CheckpointKeeperTest, TheFinalSaveWritesWhatThePeriodicOneHeldBack) {
  WriteFile(Log("a.log"), "1\n");
  Start(false);
  ReadUntilIdle();
  EXPECT_GT(PeriodicSave(), 0u);

  clock_.Advance(10 * kMillis);
  AppendFile(Log("a.log"), "2\n3\n");
  tracker().Scan(false);
  ReadUntilIdle();
  EXPECT_EQ(PeriodicSave(), 0u);  // within the interval: held back
  EXPECT_EQ(SavedOffset(Log("a.log")), 2u);

  // Shutdown (FileSource::Finish) saves at once, whatever the interval.
  SaveCheckpoints();
  EXPECT_EQ(SavedOffset(Log("a.log")), 6u);

  // The next run resumes after every acknowledged line: nothing is read twice.
  ctx_.events.clear();
  Start(false);
  ReadUntilIdle();
  EXPECT_TRUE(ctx_.events.empty());
}

}  // namespace
}  // namespace logship
