// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared set-up for the replay and checkpoints tests: a temp dir with logs/, a pipeline file
// reading logs/*.log with a one-second checkpoint history, sinks of the test's choice, and
// helpers to run logship, read its snapshots and checkpoints, and wait for a new second (so that
// the next run's first snapshot lies in an interval of its own).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/tail/checkpoint_history.h"
#include "src/tail/checkpoint_store.h"
#include "tests/testing/logship_process.h"
#include "tests/testing/spool_reader.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {

class ReplayTest : public ::testing::Test {
 protected:
  static constexpr const char* kSpoolSink = "      - type: spool\n        path: ./out\n";

  void SetUp() override {
    logs_ = dir_.Sub("logs");
    out_ = dir_.Sub("out");
    state_ = dir_.Sub("data/app");
    ASSERT_EQ(0, ::system(("mkdir -p " + logs_).c_str()));
  }

  // A pipeline `app` reading logs/*.log (plus `input_extra` lines, indented 8) into `sinks`
  // (YAML list items, indented 6), with checkpoint_history {interval: 1s, keep: `keep`}.
  std::string WritePipeline(const std::string& sinks = kSpoolSink, int keep = 50,
                            const std::string& input_extra = "") {
    std::string path = dir_.Sub("pipeline.yaml");
    WriteFile(path,
              "data_dir: ./data\n"
              "shutdown_timeout: 20s\n"
              "pipelines:\n"
              "  app:\n"
              "    inputs:\n"
              "      - type: file\n"
              "        include: [\"logs/*.log\"]\n"
              "        rescan_interval: 100ms\n"
              "        rotate_wait: 300ms\n"
              "        checkpoint_history: {interval: 1s, keep: " +
                  std::to_string(keep) + "}\n" + input_extra + "    sinks:\n" + sinks);
    return path;
  }

  RunResult Logship(std::vector<std::string> args) {
    return RunLogship(std::move(args), dir_.path());
  }
  RunResult RunOnce(const std::string& pipeline) {
    return Logship({"run", "--once", "--no-progress", pipeline});
  }

  // Waits for the wall clock's next second: a run started after it takes a snapshot at its start
  // (unless the newest snapshot already holds that state).
  static void WaitForNextSecond() {
    const time_t start = ::time(nullptr);
    ASSERT_TRUE(WaitUntil([&] { return ::time(nullptr) > start; }));
  }

  std::vector<SnapshotInfo> Snapshots() {
    Result<std::vector<SnapshotInfo>> list =
        CheckpointHistory::List(PosixFileSystem(), state_, "input-0.checkpoints");
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : std::vector<SnapshotInfo>{};
  }

  static uint64_t InodeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return static_cast<uint64_t>(st.st_ino);
  }

  // The offset `state` holds for the file with `inode`, or -1.
  static int64_t OffsetIn(const Checkpoints& state, uint64_t inode) {
    for (const FileCheckpoint& c : state.files) {
      if (c.inode == inode) return static_cast<int64_t>(c.offset);
    }
    return -1;
  }

  Checkpoints Live() {
    Result<CheckpointStore> store =
        CheckpointStore::Open(PosixFileSystem(), state_, "input-0.checkpoints");
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return {};
    Result<LoadedCheckpoints> loaded = store->Peek();
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? loaded->checkpoints : Checkpoints{};
  }

  // The current copy of the live checkpoints as it is on disk (empty when missing or torn).
  Checkpoints LiveCopy() {
    const std::string path = state_ + "/input-0.checkpoints";
    Result<Checkpoints> c = CheckpointStore::Parse(ReadFileOrEmpty(path), path, nullptr);
    return c.ok() ? *c : Checkpoints{};
  }

  // The newest snapshot holding `offset` for the file with `inode` ("" when none does): a run's
  // state at its end is in the next run's first snapshot, or in its own last one when the next
  // run found nothing new to snapshot.
  std::string SnapshotWithOffset(uint64_t inode, uint64_t offset) {
    std::string found;
    for (const SnapshotInfo& s : Snapshots()) {
      Result<Checkpoints> c = CheckpointHistory::Read(PosixFileSystem(), s);
      EXPECT_TRUE(c.ok()) << c.status().ToString();
      if (c.ok() && OffsetIn(*c, inode) == static_cast<int64_t>(offset)) found = s.name;
    }
    return found;
  }

  static std::string Lines(const std::string& prefix, int from, int n) {
    std::string s;
    for (int i = from; i < from + n; ++i) s += prefix + "-" + std::to_string(i) + "\n";
    return s;
  }
  static std::vector<std::string> Names(const std::string& prefix, int from, int n) {
    std::vector<std::string> v;
    for (int i = from; i < from + n; ++i) v.push_back(prefix + "-" + std::to_string(i));
    return v;
  }
  static std::vector<std::string> Messages(const std::vector<SpooledEvent>& events) {
    std::vector<std::string> m;
    for (const auto& e : events) m.push_back(e.message);
    return m;
  }
  // Events of `dir` after the first `skip` (the spool's files sort in write order).
  static std::vector<SpooledEvent> SpooledAfter(const std::string& dir, size_t skip) {
    std::vector<SpooledEvent> all = ReadSpool(dir);
    if (skip >= all.size()) return {};
    return std::vector<SpooledEvent>(all.begin() + static_cast<std::ptrdiff_t>(skip), all.end());
  }

  TempDir dir_;
  std::string logs_;
  std::string out_;
  std::string state_;  // data/app
};

}  // namespace logship::testing
