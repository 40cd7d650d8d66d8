// SPDX-License-Identifier: Apache-2.0
#pragma once

// FileTracker knows which files one file input follows, and what each one is:
// - discovery: include/exclude globs, inotify, rescans; in tailing mode a discovery thread opens
//   each new file as soon as inotify reports it (else within rescan_interval), whether the reader
//   is reading or blocked on a stalled sink, and holds it until the reader takes it, so that a file
//   rotated away and deleted before the reader looks is still read;
// - identity: a file seen before resumes from its checkpoint only with the same device, inode,
//   head fingerprint and offset marker; a copy made by copytruncate continues its original's
//   stream; anything else is a new file, read from 0;
// - life: rename and deletion (finished from the open descriptor), truncation (the stream read so
//   far is detached under its id and a new one starts at 0), max_open_files (files wait their
//   turn; idle ones are parked, least recently grown first);
// - what cannot be read is said: lost files and bytes, skipped paths, patterns matching nothing.
// Reading is the readers' (FileReader), checkpoints the keeper's (CheckpointKeeper). Owned by the
// input's thread, except Stop() and the counters (any thread).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/tail/batch_filler.h"
#include "src/tail/checkpoint_keeper.h"
#include "src/tail/file_input_options.h"
#include "src/tail/file_scanner.h"
#include "src/tail/file_watcher.h"
#include "src/tail/tailed_file.h"

namespace logship {

class FileTracker {
 public:
  // `loaded`: the last run's checkpoints (CheckpointKeeper::Open). `out` receives the lines a
  // truncation or a rotation makes final. All references must outlive the tracker.
  FileTracker(const FileInputOptions& options, std::string name, Clock& clock, FileSystem& fs,
              bool once, BatchFiller& out, CheckpointKeeper& keeper,
              std::multimap<FileKey, FileCheckpoint> loaded);
  ~FileTracker();
  FileTracker(const FileTracker&) = delete;
  FileTracker& operator=(const FileTracker&) = delete;

  // Tailing mode: starts the discovery thread.
  void StartDiscovery();
  // Ends Wait() and the discovery thread soon (any thread).
  void Stop();
  // Looks at the include patterns: opens new files (within max_open_files), notices renamed,
  // removed and truncated ones. `first`: the scan at start (checkpoints are matched, files gone
  // since the last run reported).
  void Scan(bool first);
  // Waits up to timeout_ms for inotify: files written to are marked to be read. True when the set
  // of files may have changed (a rescan is due). With until_event false, sleeps the whole timeout
  // (Stop() still ends it) and then marks what was written meanwhile.
  bool Wait(int timeout_ms, bool until_event = true);

  // Before reading f: false when f must not be read now (a likely copy waiting for its original's
  // truncation). Looks for a truncation first when the last read had reached the end.
  bool BeforeRead(TailedFile& f);
  // After a read of `bytes` bytes from f.
  void AfterRead(TailedFile& f, size_t bytes);
  // A read of f found nothing more: truncation, the end of a rotated file, --once's end of file.
  void OnEndOfData(TailedFile& f);
  // A read of f failed.
  void OnReadError(TailedFile& f, const Status& error);
  // --once: opens waiting files into the slots of files read to their end. True if any.
  bool OpenDeferred();
  // Forgets closed files whose every line is acknowledged. Never while iterating files().
  void DropFinished();

  std::vector<std::unique_ptr<TailedFile>>& files() { return files_; }
  // The stream named `id`, or null (restarted or forgotten since).
  TailedFile* Find(uint64_t id) {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  const std::multimap<FileKey, FileCheckpoint>& loaded() const { return loaded_; }

  // Counters, readable from any thread.
  size_t open_files() const { return open_files_.load(std::memory_order_relaxed); }
  uint64_t files_lost() const { return files_lost_.load(std::memory_order_relaxed); }
  uint64_t bytes_lost() const { return bytes_lost_.load(std::memory_order_relaxed); }
  uint64_t paths_skipped() const { return paths_skipped_.load(std::memory_order_relaxed); }
  uint64_t bytes_total() const { return bytes_total_.load(std::memory_order_relaxed); }

 private:
  // A file to open (new, or parked and changed), and since when it waits.
  struct Waiting {
    const FoundFile* found;
    TailedFile* parked;  // null: a file not open before
    int64_t since_ns;
  };
  struct DeferredFile {
    std::string path;
    uint64_t size = 0;
    int64_t since_ns = 0;  // monotonic: first found waiting
  };
  struct HeldFile {
    std::unique_ptr<ReadableFile> file;
    std::string path;
  };

  void OpenWaiting(std::vector<Waiting>& waiting, bool first, const std::set<FileKey>& found_keys);
  // Opens `found` (or adopts `held`, already open on it) and starts tailing it. `found_keys`
  // (the first scan only) allows continuing the checkpoint of another file by content.
  TailedFile* Open(const FoundFile& found, bool first, TailState state,
                   std::unique_ptr<ReadableFile> held = nullptr,
                   const std::set<FileKey>* found_keys = nullptr);
  bool Resume(TailedFile& f, uint64_t size);
  bool AdoptStream(TailedFile& f, uint64_t size, const std::set<FileKey>* found_keys);
  void ContinueStream(TailedFile& f, TailedFile& detached, uint64_t size);
  void CheckTwin(TailedFile& f);
  void ReleaseTwins();
  size_t SlotsFree() const;
  size_t ParkIdle(size_t want);
  void Park(TailedFile& f);
  void Unpark(TailedFile& f);
  void ParkedFileGone(TailedFile& f);
  // Bytes of a file of `size` beyond its checkpoint from the last run (all of it without one).
  uint64_t UnreadBytes(FileKey key, uint64_t size) const;
  void CountLost(const std::string& path, uint64_t inode, uint64_t bytes, const char* why);
  void ForgetMissing(const ScanResult& found);
  void ReportSkipped(const ScanResult& found, bool first);
  void RecoverRotated(const std::set<FileKey>& found_keys);
  // What CheckTruncation found: f restarted at 0; f as long as what was read of it, with the same
  // head; or anything else (longer, or its size could not be read).
  enum class FileCheck { kRestarted, kNothingNew, kMaybeMore };
  FileCheck CheckTruncation(TailedFile& f);
  void Restart(TailedFile& f, const char* why);
  void FinishOnce(TailedFile& f);
  void FinishOrphan(TailedFile& f);
  void Forget(TailedFile& f);
  void UnmapPath(TailedFile& f);
  void UpdateFingerprint(TailedFile& f);
  void UpdateMarker(TailedFile& f, uint64_t offset);
  void Changed() { keeper_.MarkDirty(); }
  int64_t Now() const { return clock_.MonotonicNanos(); }

  // Held files (the discovery thread).
  void HoldNewFiles();
  // One rescan of the discovery thread: opens and holds the new files it finds.
  void HoldFound();
  void PublishKnownFiles();
  std::unique_ptr<ReadableFile> TakeHeld(FileKey key);
  bool IsHeld(FileKey key) const;
  size_t HeldCount() const;

  const FileInputOptions& options_;
  const std::string name_;
  Clock& clock_;
  FileSystem& fs_;
  const bool once_;
  BatchFiller& out_;
  CheckpointKeeper& keeper_;
  FileScanner scanner_;
  FileWatcher watcher_;

  // Every TailedFile lives in files_; the maps index them.
  std::vector<std::unique_ptr<TailedFile>> files_;
  std::unordered_map<uint64_t, TailedFile*> by_id_;       // every stream, by current id
  std::map<FileKey, TailedFile*> by_inode_;               // open and parked files
  std::unordered_map<std::string, TailedFile*> by_path_;  // active and parked files
  std::multimap<FileKey, FileCheckpoint> loaded_;         // from the last run, not yet matched
  std::map<FileKey, DeferredFile> deferred_;              // found while max_open_files were open
  std::unordered_map<std::string, FileKey> deferred_by_path_;  // the same, by path
  std::set<std::string> skipped_logged_;                       // paths already reported as skipped
  uint64_t next_id_ = 1;

  FileScanner hold_scanner_;  // the discovery thread's own
  FileWatcher hold_watcher_{/*report_modified=*/false};
  std::thread holder_;
  mutable std::mutex hold_mu_;
  bool hold_stop_ = false;            // guarded by hold_mu_
  std::set<FileKey> known_;           // guarded by hold_mu_: files the reader has
  std::map<FileKey, HeldFile> held_;  // guarded by hold_mu_

  // Monotonic time of the reader's last Scan: the discovery thread's timed rescans are only needed
  // while the reader does not scan.
  std::atomic<int64_t> last_scan_ns_{0};
  std::atomic<size_t> open_files_{0};
  std::atomic<uint64_t> files_lost_{0};
  std::atomic<uint64_t> bytes_lost_{0};
  std::atomic<uint64_t> paths_skipped_{0};
  std::atomic<uint64_t> bytes_total_{0};
};

}  // namespace logship
