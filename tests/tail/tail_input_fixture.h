// SPDX-License-Identifier: Apache-2.0
#pragma once

// TailInputTest drives one file input the way FileSource::Run does (scan, then rounds of reads
// with BeforeRead / ReadSome / AfterRead or OnEndOfData, then acknowledgements and checkpoint
// saves), over real files in a temp dir, a FaultInjectingFileSystem, a clock moved by hand, and a
// fake pipeline that acknowledges every batch at once. Checkpoints go to a real CheckpointKeeper in
// the temp dir, through a FaultInjectingFileSystem of their own (keeper_fs_), so that a test can
// count the checkpoint store's operations apart from the tailer's. Fixture of file_tracker_test
// and checkpoint_keeper_test.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/tail/batch_filler.h"
#include "src/tail/checkpoint_keeper.h"
#include "src/tail/file_input_options.h"
#include "src/tail/file_reader.h"
#include "src/tail/file_tracker.h"
#include "src/tail/tailed_file.h"
#include "tests/tail/tail_test_fakes.h"
#include "tests/testing/fault_injecting_file_system.h"
#include "tests/testing/temp_dir.h"

namespace logship::testing {

// One run of a file input: its keeper (checkpoints in the data dir), filler and tracker.
struct InputRun {
  InputRun(const FileInputOptions& options, const std::string& data_dir, Clock& clock,
           FileSystem& fs, FileSystem& keeper_fs, FakeSourceContext& ctx,
           const std::atomic<bool>& stop, bool once)
      : keeper(options, data_dir, "test", clock, keeper_fs) {
    Result<std::multimap<FileKey, FileCheckpoint>> loaded = keeper.Open(1, nullptr);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    filler.emplace(ctx, clock, stop, &keeper.tracker());
    tracker = std::make_unique<FileTracker>(
        options, "test", clock, fs, once, *filler, keeper,
        loaded.ok() ? std::move(*loaded) : std::multimap<FileKey, FileCheckpoint>{});
  }

  CheckpointKeeper keeper;
  std::optional<BatchFiller> filler;
  std::unique_ptr<FileTracker> tracker;
};

class TailInputTest : public ::testing::Test {
 protected:
  TailInputTest() {
    logs_ = dir_.Sub("logs");
    EXPECT_EQ(::mkdir(logs_.c_str(), 0755), 0);
    options_.id = "t";
    Result<Glob> glob = Glob::Compile(logs_ + "/*.log");
    EXPECT_TRUE(glob.ok());
    options_.include.push_back(std::move(*glob));
    options_.checkpoint_history.keep = 0;
  }

  std::string Log(const std::string& name) const { return logs_ + "/" + name; }

  // Starts a run of the input on the data dir (ending the one before) and scans as at start.
  void Start(bool once) {
    run_.reset();
    once_ = once;
    buffer_.assign(FileReader::BufferBytes(options_), '\0');
    run_ = std::make_unique<InputRun>(options_, dir_.Sub("data"), clock_, fs_, keeper_fs_, ctx_,
                                      stop_, once);
    tracker().Scan(/*first=*/true);
  }
  FileTracker& tracker() { return *run_->tracker; }
  BatchFiller& filler() { return *run_->filler; }

  // FileSource::Read.
  bool Read(TailedFile& f) {
    if (!tracker().BeforeRead(f)) return false;
    FileReader::ReadResult r = f.reader.ReadSome(*f.file, filler(), buffer_);
    switch (r.status) {
      case FileReader::Status::kData:
        tracker().AfterRead(f, r.bytes);
        return true;
      case FileReader::Status::kEnd:
        tracker().OnEndOfData(f);
        return false;
      case FileReader::Status::kError:
        tracker().OnReadError(f, r.error);
        return false;
      case FileReader::Status::kStopped:
        return false;
    }
    return false;
  }

  // One round of FileSource::Run: every open file that may have data is read once; then the
  // acknowledgements are applied. True when something was read.
  bool ReadRound() {
    bool progress = false;
    std::vector<std::unique_ptr<TailedFile>>& files = tracker().files();
    for (size_t i = 0; i < files.size(); ++i) {
      TailedFile& f = *files[i];
      if (f.file != nullptr && f.may_have_data && Read(f)) progress = true;
      max_open_seen_ = std::max(max_open_seen_, tracker().open_files());
    }
    ApplyAcks();
    return progress;
  }

  // Rounds until nothing more can be read now (with --once, opening deferred files as slots free
  // up), then the batch is emitted (FileSource::Run does that at batch.timeout, or at the end of
  // --once) and its acknowledgement applied.
  void ReadUntilIdle() {
    for (int i = 0; i < 10'000; ++i) {
      if (ReadRound()) continue;
      if (once_) {
        for (auto& f : tracker().files())
          ASSERT_TRUE(f->reader.FlushGroup(f->file.get(), filler()));
        if (tracker().OpenDeferred()) continue;
      }
      filler().Emit();
      ApplyAcks();
      return;
    }
    FAIL() << "reading never settled";
  }

  void ApplyAcks() {
    run_->keeper.TakeAcks([this](uint64_t id) { return tracker().Find(id); });
    tracker().DropFinished();
  }

  void SaveCheckpoints() {
    ApplyAcks();
    run_->keeper.SaveIfDue(tracker().files(), tracker().loaded(), /*force=*/true);
    ASSERT_TRUE(run_->keeper.last_status().ok()) << run_->keeper.last_status().ToString();
  }

  TailedFile* ByPath(const std::string& path) {
    for (auto& f : tracker().files()) {
      if (f->path() == path && f->state != TailState::kClosed) return f.get();
    }
    return nullptr;
  }

  // The texts shipped from `path`, in order.
  std::vector<std::string> TextsOf(const std::string& path) const {
    std::vector<std::string> out;
    for (const ShippedEvent& e : ctx_.events) {
      if (e.path == path) out.push_back(e.text);
    }
    return out;
  }

  static uint64_t InodeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_ino;
  }

  TempDir dir_;
  std::string logs_;
  FaultInjectingFileSystem fs_;
  FaultInjectingFileSystem keeper_fs_;  // the checkpoint store's only
  TailFakeClock clock_;
  FakeSourceContext ctx_;
  std::atomic<bool> stop_{false};
  FileInputOptions options_;
  std::vector<char> buffer_;
  bool once_ = false;
  size_t max_open_seen_ = 0;
  std::unique_ptr<InputRun> run_;  // last: ends before what it refers to
};

}  // namespace logship::testing
