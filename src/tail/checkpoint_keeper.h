// SPDX-License-Identifier: Apache-2.0
#pragma once

// CheckpointKeeper turns acknowledgements into saved offsets for one file input: it owns the
// AckTracker the input's batches register with, moves each stream's acked_offset by what every
// sink acknowledged, and saves the checkpoints of every file (with the offset marker of each
// checkpoint) at most every checkpoint_interval and at the end, plus a history snapshot when one
// is due. A checkpoint never moves past a line not acknowledged by every sink. A save that fails
// is retried on the next interval and reported: problem() (for /health) and last_status() (for
// the exit code). Owned by the input's thread, except problem() (any thread).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/metrics/metrics.h"
#include "src/pipeline/ack_tracker.h"
#include "src/tail/checkpoint_history.h"
#include "src/tail/checkpoint_store.h"
#include "src/tail/file_input_options.h"
#include "src/tail/tailed_file.h"

namespace logship {

using FileKey = std::pair<uint64_t, uint64_t>;  // (device, inode)

class CheckpointKeeper {
 public:
  // `name` names the input in logs; the store is <data_dir>/<options.id>.checkpoints.
  CheckpointKeeper(const FileInputOptions& options, std::string data_dir, std::string name,
                   Clock& clock, FileSystem& fs = PosixFileSystem());

  // Opens the store (and history) and reads the last run's checkpoints, keyed by (device, inode).
  // A store that exists but cannot be read fails: it is never silently reset.
  Result<std::multimap<FileKey, FileCheckpoint>> Open(int sink_count, Histogram* ack_latency);

  AckTracker& tracker() { return *tracker_; }
  // Moves the acked offsets of the streams `find` returns by id (null: a stream restarted or
  // forgotten since) by the batches every sink acknowledged since the last call. True, and dirty,
  // only if an offset moved: acknowledgements that move nothing cause no save.
  bool TakeAcks(const std::function<TailedFile*(uint64_t id)>& find);
  // Something to save changed (a file opened, renamed, closed...).
  void MarkDirty() { dirty_ = true; }
  bool dirty() const { return dirty_; }
  int64_t next_save_ns() const { return next_save_ns_; }
  // Saves the checkpoints of `files` and `loaded` (checkpoints of the last run not matched yet)
  // when dirty and the interval passed, or now if `force`; takes a history snapshot when due.
  void SaveIfDue(std::vector<std::unique_ptr<TailedFile>>& files,
                 const std::multimap<FileKey, FileCheckpoint>& loaded, bool force);
  // The last save's result (OK before any).
  const Status& last_status() const { return last_status_; }
  // Why checkpoints are not being saved, naming the store; empty when they are. Thread-safe.
  std::string problem() const {
    std::lock_guard<std::mutex> lock(mu_);
    return problem_;
  }

 private:
  Checkpoints Snapshot(const std::vector<std::unique_ptr<TailedFile>>& files,
                       const std::multimap<FileKey, FileCheckpoint>& loaded) const;
  void SnapshotIfDue(const std::vector<std::unique_ptr<TailedFile>>& files,
                     const std::multimap<FileKey, FileCheckpoint>& loaded);

  const FileInputOptions& options_;
  const std::string data_dir_;
  const std::string name_;
  Clock& clock_;
  FileSystem& fs_;
  std::unique_ptr<AckTracker> tracker_;
  std::optional<CheckpointStore> store_;
  std::optional<CheckpointHistory> history_;  // unset with checkpoint_history.keep 0
  int64_t next_history_check_ns_ = 0;         // monotonic
  std::vector<CommittedPosition> committed_;
  bool dirty_ = false;
  int64_t next_save_ns_ = 0;
  int64_t last_error_log_ns_ = 0;
  Status last_status_;
  mutable std::mutex mu_;
  std::string problem_;  // guarded by mu_
};

}  // namespace logship
