// SPDX-License-Identifier: Apache-2.0
#pragma once

// CheckpointHistory keeps past states of one file input's checkpoints: every `interval` (on UTC
// multiples of it: 10:00, 10:05, … for 5m) a snapshot of the acknowledged offsets, the newest
// `keep` of them, so that `logship replay --since` can re-ship what was acknowledged after a
// moment, and `logship checkpoints show --snapshot` can show it.
//
// On disk, next to the live copy `<store>` (e.g. `input-0.checkpoints`): one file per snapshot,
// `<store>.<UTC yyyymmddTHHMMSSZ>` (`input-0.checkpoints.20260124T101500Z`), in the live copy's
// format (generation, checksum) and written the same atomic way (temp file, fsync, rename, fsync
// of the directory): a crash leaves a complete snapshot or none. The name is the snapshot's
// time, so names sort in time order and users can type them. A snapshot equal to the one before
// it is not written: an idle input keeps an older history rather than `keep` copies of one state.
//
// The owner (the file source's thread) calls Due/Take; any process may call the static readers.
// Not thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/result.h"
#include "src/tail/checkpoint_store.h"
#include "src/tail/file_input_options.h"

namespace logship {

// A snapshot's name for a time: "20260124T101530Z" (UTC, to the second).
std::string FormatSnapshotName(int64_t unix_seconds);
// RFC 3339 with a 'Z': "2026-01-24T10:15:30Z".
std::string FormatRfc3339(int64_t unix_seconds);

// Parses a snapshot name ("20260124T101530Z") or an RFC 3339 time ("2026-01-24T10:15:30Z",
// "2026-01-24T11:15:30.250+01:00"; a space for the 'T' and a lower-case 't'/'z' are accepted) into
// Unix seconds (a fraction is dropped: a snapshot at 10:15:30 is "at or before" 10:15:30.250).
// InvalidArgument naming `text` otherwise.
Result<int64_t> ParseSnapshotTime(std::string_view text);

struct SnapshotInfo {
  std::string name;  // "20260124T101530Z"
  int64_t unix_seconds = 0;
  std::string path;  // absolute: <dir>/<store>.<name>
};

class CheckpointHistory {
 public:
  // `dir` and `store` as given to CheckpointStore::Open (the directory and the live copy's name).
  // Reads the snapshots there (to know when the next is due, and the last state) and removes the
  // temp files of snapshots a crash interrupted. Creates nothing.
  static Result<CheckpointHistory> Open(FileSystem& fs, std::string dir, std::string store,
                                        CheckpointHistoryOptions options);

  // The snapshots of `store` in `dir`, oldest first. An empty list when the directory is missing.
  static Result<std::vector<SnapshotInfo>> List(FileSystem& fs, const std::string& dir,
                                                const std::string& store);
  // The newest snapshot taken at or before `unix_seconds`, or nullptr.
  static const SnapshotInfo* AtOrBefore(const std::vector<SnapshotInfo>& snapshots,
                                        int64_t unix_seconds);
  // Reads and checks one snapshot (Corruption naming it when its checksum fails).
  static Result<Checkpoints> Read(FileSystem& fs, const SnapshotInfo& snapshot);

  // True when a snapshot is due at `now_unix_ns`: the history is on and the last snapshot (or
  // the last Take that found nothing changed) lies in an earlier interval.
  bool Due(int64_t now_unix_ns) const;
  // Nanoseconds from `now_unix_ns` to the start of the next interval (when Due turns true next).
  int64_t UntilNextInterval(int64_t now_unix_ns) const;
  // Writes `state` as the snapshot for `now_unix_ns` unless it equals the last snapshot, then
  // removes the oldest snapshots beyond `keep`. On failure the interval is still used up (the
  // next attempt is in the next interval) and the Status names the file.
  Status Take(const Checkpoints& state, int64_t now_unix_ns);

  const CheckpointHistoryOptions& options() const { return options_; }

 private:
  CheckpointHistory(FileSystem* fs, std::string dir, std::string store,
                    CheckpointHistoryOptions options);
  int64_t IntervalOf(int64_t unix_ns) const;
  Status Prune();

  FileSystem* fs_;
  std::string dir_;
  std::string store_;
  CheckpointHistoryOptions options_;
  int64_t last_interval_ = -1;  // interval index of the last snapshot or Take
  bool have_last_ = false;
  std::vector<FileCheckpoint> last_files_;  // the last snapshot's files
};

}  // namespace logship
