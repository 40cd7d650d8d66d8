// SPDX-License-Identifier: Apache-2.0
#pragma once

// SpoolWriter appends complete NDJSON lines to a directory of files, durably. Files are named
// "<UTC yyyymmddTHHMMSS.mmmZ>-<counter>.ndjson", so names sort in write order; each run starts a
// new file and never appends to an old one. After a crash every complete line in the spool is one
// whole event: Open() cuts a torn last line off the newest file, and a failed Write or Sync undoes
// what it left behind, so a retry never duplicates a line. Not thread-safe: one owner thread. All
// I/O goes through the injected FileSystem; errors are Status values naming the file, never
// exceptions.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/base/status.h"

namespace logship {

struct SpoolWriterOptions {
  std::string dir;                             // absolute
  uint64_t max_file_bytes = 64ull << 20;       // rotate before a write would pass this size
  int64_t max_file_age_ns = 3600'000'000'000;  // rotate a file older than this (monotonic)
};

class SpoolWriter {
 public:
  // `clock` and `fs` must outlive the writer.
  SpoolWriter(SpoolWriterOptions options, Clock& clock, FileSystem& fs);
  ~SpoolWriter();
  SpoolWriter(const SpoolWriter&) = delete;
  SpoolWriter& operator=(const SpoolWriter&) = delete;

  // Creates the directory, repairs the newest existing spool file (a torn last line is cut off,
  // durably, with a warning) and picks the counter after the highest existing one. The first Write
  // creates a new file. Failure: a Status naming the directory or file; the writer stays closed.
  Status Open();

  // Appends `complete_lines` (REQUIRES: empty or ending in '\n') to the current file, first
  // rotating to a new file when the current one is non-empty, fully synced, and would pass
  // max_file_bytes or is older than max_file_age. (A file holding unsynced data is never rotated
  // away from, so callers that Write several times between Syncs may overshoot max_file_bytes.)
  // REQUIRES: Open() succeeded.
  //
  // Failure contract, for Write and Sync alike: the writer undoes everything written since the last
  // successful Sync (truncating the file back), so the caller retries exactly that, and the retry
  // cannot duplicate a line. For the usual caller, which Syncs after each Write, that is the failed
  // Write. If undoing fails too, the file is abandoned (it keeps its synced lines and possibly some
  // of the undone ones) and the next Write starts a new file.
  Status Write(std::string_view complete_lines);

  // Makes every Write so far durable: fdatasync of the current file, then of the directory when
  // the file was created since the last Sync (so its name survives a crash too). OK with nothing
  // to sync. Failure: see Write.
  Status Sync();

  // Closes the current file. Unsynced data is not synced. Safe to call more than once.
  Status Close();

  // The file being written ("" before the first Write, after Close or after an abandoned file).
  const std::string& current_path() const { return current_path_; }

 private:
  Status OpenNewFile();
  Status RepairNewestFile(const std::string& path);
  // Truncates the current file back to `size` and reopens it for appending; abandons it when that
  // fails. Returns `cause` so callers can `return RollBack(...)`.
  Status RollBack(uint64_t size, Status cause);
  std::string NextFileName();

  const SpoolWriterOptions options_;
  Clock& clock_;
  FileSystem& fs_;
  bool opened_ = false;

  std::unique_ptr<WritableFile> file_;
  std::string current_path_;
  int64_t file_opened_ns_ = 0;     // monotonic time the current file was created
  uint64_t synced_size_ = 0;       // size of the current file at its last successful Sync
  bool dirty_ = false;             // the current file changed (append, truncation) since then
  bool dir_sync_pending_ = false;  // the current file's name is not yet synced

  uint64_t next_counter_ = 0;
  std::string last_time_prefix_;  // the time part of the newest name so far: names never go back
};

}  // namespace logship
