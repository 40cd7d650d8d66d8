// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_source.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/base/hash.h"
#include "src/event/utf8.h"
#include "src/pipeline/ack_tracker.h"
#include "src/tail/checkpoint_history.h"
#include "src/tail/checkpoint_store.h"
#include "src/tail/file_key.h"
#include "src/tail/file_scanner.h"
#include "src/tail/file_watcher.h"
#include "src/tail/tailed_file.h"

namespace logship {
namespace {

using FileKey = std::pair<uint64_t, uint64_t>;  // (device, inode)

class FileSource final : public Source {
 public:
  FileSource(FileInputOptions options, const PluginContext& ctx)
      : options_(std::move(options)),
        name_(ctx.component),
        data_dir_(ctx.data_dir),
        clock_(ctx.clock != nullptr ? ctx.clock : &RealClock()),
        scanner_(options_.include, options_.exclude),
        hold_scanner_(options_.include, options_.exclude) {}

  ~FileSource() override {
    StopReading();
    Join();
    if (metrics_ != nullptr && collector_id_ != 0) metrics_->RemoveCollector(collector_id_);
    for (auto& f : files_) {
      if (f->fd >= 0) ::close(f->fd);
    }
    for (auto& [key, h] : held_) ::close(h.fd);  // threads joined: no lock needed
  }

  Status Start(SourceContext& ctx) override;
  void StopReading() override {
    stop_.store(true, std::memory_order_relaxed);
    watcher_.Wake();
    {
      std::lock_guard<std::mutex> lock(hold_mu_);
      hold_stop_ = true;
    }
    hold_cv_.notify_all();
  }
  void Join() override {
    if (thread_.joinable()) thread_.join();
    if (holder_.joinable()) holder_.join();
  }
  Status Finish() override;
  SourceProgress progress() const override {
    return SourceProgress{bytes_read_.load(std::memory_order_relaxed),
                          bytes_total_.load(std::memory_order_relaxed),
                          events_.load(std::memory_order_relaxed)};
  }
  std::vector<InputFileStatus> Files() const override {
    std::lock_guard<std::mutex> lock(status_mu_);
    return status_;
  }

 private:
  void Run();
  void Scan(bool first);
  // Opens `found` (or adopts `fd`, already open on it) and starts tailing it.
  TailedFile* Open(const FoundFile& found, bool first, TailState state, int fd = -1);
  void RecoverRotated();
  bool ReadSome(TailedFile& f);
  void OnEndOfData(TailedFile& f);
  bool CheckTruncation(TailedFile& f);
  void Restart(TailedFile& f, const char* why);
  void FinishOrphan(TailedFile& f);
  static uint64_t FileKeyOf(const TailedFile& f);
  void AddLine(TailedFile& f, std::string_view line, uint64_t offset, uint64_t next, uint32_t tags);
  // Multiline: hands f's pending group to the batch (REQUIRES: a batch); emits a full batch.
  void FlushGroup(TailedFile& f);
  // Flushes the groups that timed out at files that reached their end; recomputes
  // next_group_deadline_.
  void FlushDueGroups();
  // End of --once: flushes every pending group.
  void FlushAllGroups();
  // The longest line the splitter reports: with multiline, a line must fit in one event.
  size_t SplitterMaxLine() const {
    return options_.multiline ? std::min(options_.max_line_bytes, options_.multiline->max_bytes)
                              : options_.max_line_bytes;
  }
  bool EnsureBatch();
  // Held files. While the reading thread is blocked (every batch in flight, or a sink's queue
  // full) for longer than rescan_interval, the holder thread opens, without reading, new files
  // the include patterns match (within max_open_files), so that files rotated and deleted during
  // a sink outage can still be read when it ends; the next scan takes them over.
  void MarkBlocked(bool blocked);
  void HoldWhileBlocked();    // the holder thread
  void PublishKnownFiles();   // what the holder must not open again
  int TakeHeld(FileKey key);  // the held descriptor of `key`, or -1
  bool IsHeld(FileKey key) const;
  size_t HeldCount() const;
  bool BatchFull() const {
    return batch_->events().size() >= ctx_->batch_max_events() ||
           batch_->payload_bytes() >= ctx_->batch_max_bytes();
  }
  void EmitBatch();
  // Emits the batch if it has held events for batch_timeout (a busy input never idles).
  void EmitIfOld() {
    if (batch_ && !batch_->events().empty() &&
        Now() - batch_started_ns_ >= ctx_->batch_timeout_ns()) {
      EmitBatch();
    }
  }
  void ApplyAcks() {
    TakeAcks();
    DropFinishedFiles();
  }
  // Moves acked_offset of files by the batches committed since the last call.
  void TakeAcks();
  // Erases closed files whose every emitted line is acknowledged. Never called while a caller
  // iterates files_ by iterator.
  void DropFinishedFiles();
  void SaveIfDue(bool force);
  // Adds the current state to the checkpoint history when a snapshot is due.
  void SnapshotIfDue();
  Checkpoints Snapshot() const;
  // Publishes files_ for Files() (and the lag gauges) at most once a second, or now if `force`.
  void PublishStatus(bool force);
  // Writes this input's gauges and counters during a scrape (any thread).
  void Collect(ScrapeWriter& w) const;
  void UpdateFingerprint(TailedFile& f);
  void Forget(TailedFile& f);  // drops an open file from the lookup tables
  // Drops f's path from by_path_, unless the path now names another file (a new app.log opened
  // in the same scan that found the old one renamed or gone).
  void UnmapPath(TailedFile& f);
  int64_t Now() const { return clock_->MonotonicNanos(); }

  const FileInputOptions options_;
  const std::string name_;
  const std::string data_dir_;
  Clock* clock_;
  FileScanner scanner_;
  FileWatcher watcher_;
  SourceContext* ctx_ = nullptr;
  std::unique_ptr<AckTracker> tracker_;
  std::optional<CheckpointStore> store_;
  std::optional<CheckpointHistory> history_;  // unset with checkpoint_history.keep 0
  int64_t next_history_check_ns_ = 0;         // monotonic
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool once_ = false;

  // Files: every TailedFile lives in files_; the maps index the open ones.
  std::vector<std::unique_ptr<TailedFile>> files_;
  std::unordered_map<uint64_t, TailedFile*> by_id_;       // every file, by current id
  std::map<FileKey, TailedFile*> by_inode_;               // open files
  std::unordered_map<std::string, TailedFile*> by_path_;  // active files
  std::multimap<FileKey, FileCheckpoint> loaded_;         // from the last run, not yet matched
  uint64_t next_id_ = 1;
  std::atomic<size_t> open_files_{0};  // read by Collect on the scraping thread
  // Files found while max_open_files were open, waiting for a slot (as of the last scan).
  struct DeferredFile {
    std::string path;
    uint64_t size = 0;
  };
  std::map<FileKey, DeferredFile> deferred_;
  // Files that appeared while every batch was in flight, opened (not read) so that rotating
  // and deleting them during a sink outage loses nothing; the next scan takes them over.
  struct HeldFile {
    int fd = -1;
    std::string path;
  };
  FileScanner hold_scanner_;  // the holder thread's own
  std::thread holder_;
  mutable std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  bool hold_stop_ = false;                    // guarded by hold_mu_
  std::set<FileKey> known_;                   // guarded by hold_mu_: files the reader has open
  std::map<FileKey, HeldFile> held_;          // guarded by hold_mu_
  std::atomic<int64_t> blocked_since_ns_{0};  // monotonic; 0 while the reader runs

  // Reading.
  std::unique_ptr<char[]> buffer_;
  size_t buffer_size_ = 0;
  MutableBatch batch_{nullptr, BatchPool::Returner{}};
  uint64_t batch_generation_ = 0;
  int64_t batch_started_ns_ = 0;  // monotonic time of the current batch's first event
  int64_t read_time_ns_ = 0;
  // Multiline: no group times out before this (monotonic); at most the earliest real deadline.
  int64_t next_group_deadline_ = MultilineJoiner::kNoDeadline;

  // Checkpoints.
  std::vector<CommittedPosition> committed_;
  bool dirty_ = false;
  int64_t next_save_ns_ = 0;
  int64_t last_save_error_log_ns_ = 0;

  // Status for /status and /metrics: published by the source thread, read by the scraper.
  mutable std::mutex status_mu_;
  std::vector<InputFileStatus> status_;  // guarded by status_mu_
  bool status_stale_ = true;             // files_ changed since the last publication
  int64_t next_status_ns_ = 0;
  MetricsRegistry* metrics_ = nullptr;
  int collector_id_ = 0;

  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> bytes_total_{0};
  std::atomic<uint64_t> files_lost_{0};
  std::atomic<uint64_t> bytes_lost_{0};
  std::atomic<uint64_t> events_{0};
};

Status FileSource::Start(SourceContext& ctx) {
  ctx_ = &ctx;
  once_ = ctx.once();
  tracker_ = std::make_unique<AckTracker>(ctx.sink_count(), &ctx.ack_latency());
  metrics_ = &ctx.metrics();
  collector_id_ = metrics_->AddCollector([this](ScrapeWriter& w) { Collect(w); });
  Result<CheckpointStore> store =
      CheckpointStore::Open(PosixFileSystem(), data_dir_, options_.id + ".checkpoints");
  if (!store.ok()) return store.status().WithContext(name_);
  store_.emplace(std::move(*store));
  Result<LoadedCheckpoints> loaded = store_->Load();
  // A store that exists but cannot be read is never silently reset: the operator decides.
  if (!loaded.ok()) return loaded.status().WithContext(name_);
  for (const std::string& problem : loaded->problems) spdlog::warn("{}: {}", name_, problem);
  for (FileCheckpoint& c : loaded->checkpoints.files) {
    FileKey key{c.device, c.inode};
    loaded_.emplace(key, std::move(c));
  }
  if (!loaded->loaded_from.empty()) {
    spdlog::info("{}: resuming {} files from '{}'", name_, loaded_.size(), loaded->loaded_from);
  }
  if (options_.checkpoint_history.keep > 0) {
    Result<CheckpointHistory> history = CheckpointHistory::Open(
        PosixFileSystem(), data_dir_, options_.id + ".checkpoints", options_.checkpoint_history);
    // Without history the input still runs: only replays from later snapshots are lost.
    if (history.ok()) {
      history_.emplace(std::move(*history));
    } else {
      spdlog::warn("{}: checkpoint history: {}", name_, history.status().message());
    }
  }
  // The state at start, before anything is read: what this run acknowledges comes after it.
  SnapshotIfDue();
  buffer_size_ = options_.max_line_bytes + 1 + options_.read_buffer_bytes;
  buffer_ = std::make_unique_for_overwrite<char[]>(buffer_size_);
  thread_ = std::thread([this] { Run(); });
  if (!once_) holder_ = std::thread([this] { HoldWhileBlocked(); });
  return Status::Ok();
}

Status FileSource::Finish() {
  Join();
  ApplyAcks();
  SaveIfDue(/*force=*/true);
  PublishStatus(/*force=*/true);
  return Status::Ok();
}

void FileSource::Run() {
  Scan(/*first=*/true);
  int64_t interval = options_.rescan_interval.nanos;
  int64_t next_scan = Now() + interval;
  while (!stop_.load(std::memory_order_relaxed)) {
    bool progress = false;
    // Index loop: Open() during a read round never happens, but FinishOrphan may not erase.
    for (size_t i = 0; i < files_.size() && !stop_.load(std::memory_order_relaxed); ++i) {
      TailedFile& f = *files_[i];
      if (f.state != TailState::kClosed && f.may_have_data && ReadSome(f)) progress = true;
    }
    ApplyAcks();
    SaveIfDue(false);
    if (progress) status_stale_ = true;
    PublishStatus(false);
    if (next_group_deadline_ != MultilineJoiner::kNoDeadline && Now() >= next_group_deadline_) {
      FlushDueGroups();
    }
    EmitIfOld();
    if (progress) {
      if (!once_ && Now() >= next_scan) {
        Scan(false);
        next_scan = Now() + interval;
      }
      continue;
    }
    // Nothing more to read right now. --once: what exists is read, so the groups still waiting
    // for more lines are complete (documented: a trace the file continues later is split).
    if (once_) FlushAllGroups();
    // Ship what the batch holds rather than wait to fill it.
    EmitBatch();
    if (once_) break;
    int64_t now = Now();
    int64_t wake = std::min(next_scan, next_group_deadline_);
    if (dirty_) wake = std::min(wake, next_save_ns_);
    if (status_stale_) wake = std::min(wake, next_status_ns_);
    // Acknowledgements arrive from sink threads: look for them on the checkpoint interval.
    if (tracker_->in_flight() > 0) wake = std::min(wake, now + options_.checkpoint_interval.nanos);
    int timeout_ms = static_cast<int>(std::max<int64_t>(0, (wake - now) / 1'000'000) + 1);
    WatchEvents ev = watcher_.Wait(timeout_ms);
    for (const std::string& path : ev.modified) {
      auto it = by_path_.find(path);
      if (it != by_path_.end()) it->second->may_have_data = true;
    }
    if (ev.rescan || Now() >= next_scan) {
      Scan(false);
      next_scan = Now() + interval;
    }
  }
  EmitBatch();
  // Give the (empty) batch back: the pipeline counts batches in use to know all was delivered.
  batch_.reset();
}

void FileSource::Scan(bool first) {
  ScanResult found = scanner_.Scan();
  for (const std::string& dir : found.dirs) watcher_.WatchDir(dir);
  std::vector<TailedFile*> seen;
  size_t deferred = 0;
  std::map<FileKey, DeferredFile> still_deferred;
  for (const FoundFile& ff : found.files) {
    auto it = by_inode_.find({ff.device, ff.inode});
    if (it != by_inode_.end()) {
      TailedFile& f = *it->second;
      if (f.path != ff.path) {
        // Renamed to a path that still matches (app.log -> app.log.1 with app.log*): same file.
        spdlog::info("{}: '{}' was renamed to '{}'", name_, f.path, ff.path);
        UnmapPath(f);
        f.path = ff.path;
        dirty_ = true;
      }
      f.state = TailState::kActive;
      by_path_[f.path] = &f;
      seen.push_back(&f);
      continue;
    }
    if (!IsHeld({ff.device, ff.inode}) && open_files_ + HeldCount() >= options_.max_open_files) {
      ++deferred;
      still_deferred.emplace(FileKey{ff.device, ff.inode}, DeferredFile{ff.path, ff.size});
      continue;
    }
    if (TailedFile* f = Open(ff, first, TailState::kActive)) seen.push_back(f);
  }
  if (deferred > 0) {
    spdlog::warn("{}: {} matching files not opened yet: max_open_files ({}) reached", name_,
                 deferred, options_.max_open_files);
  }
  // Files held open while the pipeline was stalled whose path is gone now (rotated out of the
  // include patterns, or deleted): read them to their end from the descriptor held.
  std::map<FileKey, HeldFile> gone;
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    gone.swap(held_);
  }
  for (auto& [key, h] : gone) {
    FoundFile ff{h.path, key.first, key.second, 0, 0};
    spdlog::info(
        "{}: a file held open as '{}' went away while the pipeline was stalled; "
        "reading it to its end",
        name_, ff.path);
    if (TailedFile* f = Open(ff, first, TailState::kOrphaned, h.fd)) UnmapPath(*f);
  }
  PublishKnownFiles();
  // A file left waiting for a free slot that is now gone (deleted, or rotated out of the include
  // patterns) can no longer be read: its lines are lost. Say so, by file, and count it.
  for (const auto& [key, d] : deferred_) {
    if (still_deferred.count(key) > 0 || by_inode_.count(key) > 0) continue;
    uint64_t from = 0;
    auto saved = loaded_.find(key);
    if (saved != loaded_.end()) from = std::min(saved->second.offset, d.size);
    uint64_t lost = d.size - from;
    files_lost_.fetch_add(1, std::memory_order_relaxed);
    bytes_lost_.fetch_add(lost, std::memory_order_relaxed);
    spdlog::error(
        "{}: '{}' disappeared before it could be opened (max_open_files {} reached): "
        "{} bytes not shipped",
        name_, d.path, options_.max_open_files, lost);
  }
  deferred_.swap(still_deferred);
  std::sort(seen.begin(), seen.end());
  for (auto& fp : files_) {
    TailedFile& f = *fp;
    if (f.state == TailState::kClosed) continue;
    if (f.state == TailState::kActive && !std::binary_search(seen.begin(), seen.end(), &f)) {
      // Renamed away or deleted: finish it, then close it after rotate_wait without growth.
      f.state = TailState::kOrphaned;
      f.idle_since_ns = 0;
      UnmapPath(f);
    }
    // Polling backs up inotify: a missed event costs at most one rescan interval.
    f.may_have_data = true;
    if (!first) CheckTruncation(f);
  }
  if (first) {
    RecoverRotated();
    // Checkpoints of files that are gone, and not found rotated next to their old path, are
    // dropped; files found but deferred by max_open_files keep theirs until they are opened.
    std::multimap<FileKey, FileCheckpoint> keep;
    for (const FoundFile& ff : found.files) {
      FileKey key{ff.device, ff.inode};
      if (by_inode_.count(key) != 0) continue;
      auto [lo, hi] = loaded_.equal_range(key);
      for (auto it = lo; it != hi; ++it) keep.emplace(it->first, it->second);
    }
    if (loaded_.size() != keep.size()) dirty_ = true;
    loaded_ = std::move(keep);
  }
}

TailedFile* FileSource::Open(const FoundFile& found, bool first, TailState state, int fd) {
  if (fd < 0) fd = TakeHeld({found.device, found.inode});
  if (fd < 0) fd = ::open(found.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) {
      spdlog::warn("{}: cannot open '{}': {}", name_, found.path, std::strerror(errno));
    }
    return nullptr;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return nullptr;
  }
  auto file = std::make_unique<TailedFile>(next_id_++, SplitterMaxLine());
  TailedFile& f = *file;
  if (options_.multiline) f.joiner = std::make_unique<MultilineJoiner>(*options_.multiline);
  f.path = found.path;
  f.device = static_cast<uint64_t>(st.st_dev);
  f.inode = static_cast<uint64_t>(st.st_ino);
  f.fd = fd;
  f.input = &options_;
  f.state = state;
  uint64_t size = static_cast<uint64_t>(st.st_size);
  Result<Fingerprint> fp = ComputeFingerprint(fd, f.path);
  if (!fp.ok()) {
    spdlog::warn("{}: {}", name_, fp.status().message());
    ::close(fd);
    return nullptr;
  }
  f.fingerprint = *fp;

  // Where to start: the checkpoint of this very file (same inode and head bytes), else the
  // configured start for files present at start-up, else the beginning (a new file).
  uint64_t start = 0;
  bool resumed = false;
  auto [lo, hi] = loaded_.equal_range({f.device, f.inode});
  for (auto it = lo; it != hi; ++it) {
    Fingerprint saved{it->second.fingerprint_len, it->second.fingerprint};
    Result<bool> same = FingerprintMatches(fd, f.path, saved);
    if (!same.ok() || !*same) continue;
    start = it->second.offset;
    resumed = true;
    if (start > size) {
      spdlog::warn(
          "{}: '{}' is shorter ({} bytes) than its checkpoint ({}): truncated while "
          "stopped, reading it again from 0",
          name_, f.path, size, start);
      start = 0;
    }
    loaded_.erase(it);
    break;
  }
  if (!resumed) {
    if (lo != hi) {
      spdlog::info(
          "{}: '{}' reuses the inode of a file seen before but its content differs: "
          "reading it as a new file",
          name_, f.path);
    }
    if (first && options_.start_at_end) start = size;
  }
  f.read_offset = f.split_offset = f.emitted_offset = f.acked_offset = start;
  if (f.joiner != nullptr && start > 0) f.joiner->StartMidFile();
  if (first && size > start) bytes_total_.fetch_add(size - start, std::memory_order_relaxed);
  if (!first) bytes_total_.fetch_add(size, std::memory_order_relaxed);
  by_id_[f.id] = &f;
  by_inode_[{f.device, f.inode}] = &f;
  if (state == TailState::kActive) by_path_[f.path] = &f;
  ++open_files_;
  dirty_ = true;
  files_.push_back(std::move(file));
  return &f;
}

// Files renamed while logship was stopped, to a name the globs do not match (app.log ->
// app.log.1 with include app.log): their checkpoint says lines remain, so look for the inode next
// to the old path and finish it. Without this, a rotation during a crash would lose the old file's
// last lines.
void FileSource::RecoverRotated() {
  std::map<std::string, std::vector<const FileCheckpoint*>> by_dir;
  for (const auto& [key, c] : loaded_) by_dir[DirName(c.path)].push_back(&c);
  for (const auto& [dir, wanted] : by_dir) {
    Result<std::vector<DirEntry>> entries = PosixFileSystem().ListDir(dir);
    if (!entries.ok()) continue;
    for (const DirEntry& e : *entries) {
      if (e.is_dir) continue;
      std::string path = JoinPath(dir, e.name);
      struct stat st;
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      FileKey key{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
      if (by_inode_.count(key) != 0) continue;
      bool wanted_here = std::any_of(wanted.begin(), wanted.end(), [&](const FileCheckpoint* c) {
        return c->device == key.first && c->inode == key.second &&
               c->offset < static_cast<uint64_t>(st.st_size);
      });
      if (!wanted_here || loaded_.count(key) == 0) continue;
      FoundFile ff{path, key.first, key.second, static_cast<uint64_t>(st.st_size), 0};
      size_t before = loaded_.size();
      TailedFile* f = Open(ff, /*first=*/true, TailState::kOrphaned);
      if (f == nullptr) continue;
      if (loaded_.size() == before) {
        // Opened but not resumed (its head changed): not our file after all.
        Forget(*f);
        ::close(f->fd);
        f->fd = -1;
        f->state = TailState::kClosed;
        f->emitted_offset = f->acked_offset;
        continue;
      }
      spdlog::info("{}: finishing '{}' (rotated while stopped) from offset {}", name_, path,
                   f->read_offset);
    }
  }
}

bool FileSource::EnsureBatch() {
  while (!batch_) {
    if (stop_.load(std::memory_order_relaxed)) return false;
    batch_ = ctx_->AcquireBatch(100);
    if (!batch_) {
      // Every batch is in flight (slow sinks): keep checkpoints moving while we wait. Closed
      // files stay: callers may be iterating files_.
      TakeAcks();
      SaveIfDue(false);
      MarkBlocked(true);
      continue;
    }
    ++batch_generation_;
  }
  MarkBlocked(false);
  return true;
}

void FileSource::MarkBlocked(bool blocked) {
  if (!blocked) {
    blocked_since_ns_.store(0, std::memory_order_relaxed);
  } else if (blocked_since_ns_.load(std::memory_order_relaxed) == 0) {
    blocked_since_ns_.store(Now(), std::memory_order_relaxed);
  }
}

void FileSource::PublishKnownFiles() {
  std::lock_guard<std::mutex> lock(hold_mu_);
  known_.clear();
  for (const auto& [key, f] : by_inode_) known_.insert(key);
}

int FileSource::TakeHeld(FileKey key) {
  std::lock_guard<std::mutex> lock(hold_mu_);
  auto it = held_.find(key);
  if (it == held_.end()) return -1;
  int fd = it->second.fd;
  held_.erase(it);
  return fd;
}

bool FileSource::IsHeld(FileKey key) const {
  std::lock_guard<std::mutex> lock(hold_mu_);
  return held_.count(key) > 0;
}

size_t FileSource::HeldCount() const {
  std::lock_guard<std::mutex> lock(hold_mu_);
  return held_.size();
}

void FileSource::HoldWhileBlocked() {
  const int64_t interval = options_.rescan_interval.nanos;
  std::unique_lock<std::mutex> lock(hold_mu_);
  while (!hold_stop_) {
    hold_cv_.wait_for(lock, std::chrono::nanoseconds(interval));
    if (hold_stop_) break;
    int64_t since = blocked_since_ns_.load(std::memory_order_relaxed);
    if (since == 0 || Now() - since < interval) continue;
    lock.unlock();
    ScanResult found = hold_scanner_.Scan();
    lock.lock();
    // Only while the reader is still blocked: once it runs again, its own scan takes over.
    if (blocked_since_ns_.load(std::memory_order_relaxed) == 0) continue;
    for (const FoundFile& ff : found.files) {
      FileKey key{ff.device, ff.inode};
      if (known_.count(key) > 0 || held_.count(key) > 0) continue;
      if (open_files_ + held_.size() >= options_.max_open_files) break;
      int fd = ::open(ff.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      struct stat st;
      if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_ino) != ff.inode ||
          static_cast<uint64_t>(st.st_dev) != ff.device) {
        ::close(fd);  // replaced between the scan and the open: the next scan sees the new one
        continue;
      }
      held_.emplace(key, HeldFile{fd, ff.path});
      spdlog::debug("{}: holding '{}' open while the pipeline is stalled", name_, ff.path);
    }
  }
}

void FileSource::EmitBatch() {
  if (!batch_ || batch_->events().empty()) return;
  batch_->ack_tracker = tracker_.get();
  batch_->sequence = tracker_->Register(batch_->sources());
  MarkBlocked(true);  // a sink's queue may be full: Emit then waits
  ctx_->Emit(std::move(batch_));
  MarkBlocked(false);
  batch_ = MutableBatch(nullptr, BatchPool::Returner{});
}

// See file_key.h: the same key `logship replay` gives the file's lines.
uint64_t FileSource::FileKeyOf(const TailedFile& f) {
  return ComputeFileKey(f.fd, f.device, f.inode);
}

void FileSource::AddLine(TailedFile& f, std::string_view line, uint64_t offset, uint64_t next,
                         uint32_t tags) {
  Batch& b = *batch_;
  if (b.events().empty()) batch_started_ns_ = Now();
  if (f.batch_generation != batch_generation_) {
    f.batch_generation = batch_generation_;
    f.batch_source = static_cast<uint32_t>(b.sources().size());
    if (f.file_key == 0) f.file_key = FileKeyOf(f);
    b.sources().push_back(BatchSource{f.id, b.arena().Copy(f.path), next, f.file_key});
  }
  b.sources()[f.batch_source].end_offset = next;
  Event& e = b.AddEvent();
  e.message = b.arena().Copy(line);
  e.timestamp_ns = read_time_ns_;
  e.offset = offset;
  e.source = f.batch_source;
  e.tags = tags;
  f.emitted_offset = next;
}

bool FileSource::ReadSome(TailedFile& f) {
  if (f.at_end) {
    // Back to a file whose end we had reached. Look for a truncation before reading on: one
    // truncated and refilled past our offset meanwhile (copytruncate, then writes) would otherwise
    // be read from the middle of its new content, and the fingerprint then extended over the new
    // head, so that its first lines were never read. (Before EnsureBatch: a restart may ship a
    // pending multiline group and emit the batch.)
    f.at_end = false;
    CheckTruncation(f);
  }
  if (!EnsureBatch()) return false;
  char* buf = buffer_.get();
  size_t pending = f.partial.size();
  if (pending > 0) std::memcpy(buf, f.partial.data(), pending);
  size_t got = 0;
  if (!f.partial_has_lines) {
    size_t room = std::min<size_t>(options_.read_buffer_bytes, buffer_size_ - pending);
    ssize_t n;
    do {
      n = ::pread(f.fd, buf + pending, room, static_cast<off_t>(f.read_offset));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      spdlog::error("{}: reading '{}' failed: {}", name_, f.path, std::strerror(errno));
      f.may_have_data = false;
      return false;
    }
    if (n == 0) {
      f.may_have_data = false;
      f.at_end = true;
      OnEndOfData(f);
      return false;
    }
    got = static_cast<size_t>(n);
    f.read_offset += got;
    f.idle_since_ns = 0;
    bytes_read_.fetch_add(got, std::memory_order_relaxed);
  }
  std::string_view data(buf, pending + got);
  read_time_ns_ = clock_->NowUnixNanos();
  // One validation per block; per-line checks only when the block has invalid bytes.
  bool all_valid = IsValidUtf8(data);
  bool full = false;
  size_t events = 0;
  MultilineJoiner* joiner = f.joiner.get();
  int64_t now = joiner != nullptr ? Now() : 0;
  auto add_joined = [&](const JoinedEvent& e) {
    AddLine(f, e.text, e.offset, e.next_offset, e.tags);
    ++events;
  };
  size_t consumed =
      f.splitter.Split(data, f.split_offset,
                       [&](std::string_view line, uint64_t offset, uint64_t next, bool truncated) {
                         uint32_t tags = truncated ? uint32_t{kTagTruncated} : 0u;
                         if (!all_valid && !IsValidUtf8(line)) tags |= kTagInvalidUtf8;
                         if (joiner == nullptr) {
                           AddLine(f, line, offset, next, tags);
                           ++events;
                         } else {
                           joiner->Add(line, offset, next, tags, now, add_joined);
                         }
                         full = BatchFull();
                         return !full;
                       });
  f.split_offset += consumed;
  f.partial.assign(data.data() + consumed, data.size() - consumed);
  f.partial_has_lines = full;
  events_.fetch_add(events, std::memory_order_relaxed);
  if (joiner != nullptr) {
    next_group_deadline_ = std::min(next_group_deadline_, joiner->NextDeadline());
  }
  if (full) EmitBatch();
  if (f.fingerprint.len < kFingerprintBytes && f.read_offset > f.fingerprint.len) {
    UpdateFingerprint(f);
  }
  return true;
}

void FileSource::UpdateFingerprint(TailedFile& f) {
  Result<Fingerprint> fp = ComputeFingerprint(f.fd, f.path);
  if (fp.ok()) {
    f.fingerprint = *fp;
    dirty_ = true;
  }
}

void FileSource::OnEndOfData(TailedFile& f) {
  if (CheckTruncation(f)) return;
  if (f.state != TailState::kOrphaned) return;
  int64_t now = Now();
  if (f.idle_since_ns == 0) f.idle_since_ns = now;
  if (once_ || now - f.idle_since_ns >= options_.rotate_wait.nanos) FinishOrphan(f);
}

// Detects copytruncate: the file is now shorter than what we read, or its head changed (it was
// truncated and refilled past our offset before we looked). Returns true when it restarted f.
bool FileSource::CheckTruncation(TailedFile& f) {
  if (f.fd < 0) return false;
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return false;
  if (static_cast<uint64_t>(st.st_size) < f.read_offset) {
    Restart(f, "truncated");
    return true;
  }
  if (f.fingerprint.len > 0) {
    Result<bool> same = FingerprintMatches(f.fd, f.path, f.fingerprint);
    if (same.ok() && !*same) {
      Restart(f, "rewritten from its start");
      return true;
    }
  }
  return false;
}

void FileSource::Restart(TailedFile& f, const char* why) {
  spdlog::warn("{}: '{}' was {} (read up to offset {}): reading it again from 0", name_, f.path,
               why, f.read_offset);
  if (f.joiner != nullptr) {
    // The pending group holds complete lines read before the truncation: ship them (under the
    // old id, so their acknowledgement cannot move the new checkpoint), as lines read without
    // multiline would have been. Only a stopping pipeline (no batch) drops them.
    if (f.joiner->pending() && EnsureBatch()) FlushGroup(f);
    f.joiner->Reset();
  }
  // A new id, so that acknowledgements of lines read before cannot move the new checkpoint.
  by_id_.erase(f.id);
  f.id = next_id_++;
  by_id_[f.id] = &f;
  f.read_offset = f.split_offset = f.emitted_offset = f.acked_offset = 0;
  f.partial.clear();
  f.partial_has_lines = false;
  f.splitter.Reset();
  f.batch_generation = 0;
  f.file_key = 0;  // new contents: their first line names them
  f.may_have_data = true;
  Result<Fingerprint> fp = ComputeFingerprint(f.fd, f.path);
  f.fingerprint = fp.ok() ? *fp : Fingerprint{};
  dirty_ = true;
}

void FileSource::FinishOrphan(TailedFile& f) {
  // A renamed or deleted file will not get its last newline: ship what it ends with.
  if (!f.partial.empty() && !f.partial_has_lines && EnsureBatch()) {
    uint32_t tags = IsValidUtf8(f.partial) ? 0u : uint32_t{kTagInvalidUtf8};
    if (f.splitter.in_long_line()) tags |= kTagTruncated;
    read_time_ns_ = clock_->NowUnixNanos();
    if (f.joiner == nullptr) {
      AddLine(f, f.partial, f.split_offset, f.read_offset, tags);
      events_.fetch_add(1, std::memory_order_relaxed);
    } else {
      f.joiner->Add(f.partial, f.split_offset, f.read_offset, tags, Now(),
                    [&](const JoinedEvent& e) {
                      AddLine(f, e.text, e.offset, e.next_offset, e.tags);
                      events_.fetch_add(1, std::memory_order_relaxed);
                    });
    }
    f.split_offset = f.read_offset;
    f.partial.clear();
    if (BatchFull()) EmitBatch();
  }
  if (!f.partial.empty()) return;  // complete lines still pending: finish them first
  // Its group can get no more lines: ship it before closing.
  if (f.joiner != nullptr && f.joiner->pending()) {
    if (!EnsureBatch()) return;
    FlushGroup(f);
  }
  Forget(f);
  ::close(f.fd);
  f.fd = -1;
  f.state = TailState::kClosed;
  dirty_ = true;
}

void FileSource::Forget(TailedFile& f) {
  auto it = by_inode_.find({f.device, f.inode});
  if (it != by_inode_.end() && it->second == &f) by_inode_.erase(it);
  UnmapPath(f);
  if (f.fd >= 0) --open_files_;
}

void FileSource::UnmapPath(TailedFile& f) {
  auto it = by_path_.find(f.path);
  if (it != by_path_.end() && it->second == &f) by_path_.erase(it);
}

void FileSource::FlushGroup(TailedFile& f) {
  read_time_ns_ = clock_->NowUnixNanos();
  if (f.joiner->FlushAll(
          [&](const JoinedEvent& e) { AddLine(f, e.text, e.offset, e.next_offset, e.tags); })) {
    events_.fetch_add(1, std::memory_order_relaxed);
  }
  if (BatchFull()) EmitBatch();
}

void FileSource::FlushDueGroups() {
  int64_t now = Now();
  int64_t next = MultilineJoiner::kNoDeadline;
  // Index loop: EnsureBatch never erases from files_, but stays clear of iterators anyway.
  for (size_t i = 0; i < files_.size(); ++i) {
    TailedFile& f = *files_[i];
    if (f.joiner == nullptr || !f.joiner->pending()) continue;
    int64_t deadline = f.joiner->NextDeadline();
    // A group times out only at the end of what its file holds: lines read but not split yet,
    // or not read yet, would have joined it.
    if (deadline <= now && !f.may_have_data && !f.partial_has_lines && EnsureBatch()) {
      FlushGroup(f);
      continue;
    }
    next = std::min(next, deadline);
  }
  next_group_deadline_ = next;
}

void FileSource::FlushAllGroups() {
  for (size_t i = 0; i < files_.size(); ++i) {
    TailedFile& f = *files_[i];
    if (f.joiner == nullptr || !f.joiner->pending()) continue;
    if (!EnsureBatch()) return;
    FlushGroup(f);
  }
  next_group_deadline_ = MultilineJoiner::kNoDeadline;
}

void FileSource::TakeAcks() {
  committed_.clear();
  if (tracker_ != nullptr && tracker_->TakeCommitted(&committed_) > 0) {
    for (const CommittedPosition& p : committed_) {
      auto it = by_id_.find(p.file_id);
      if (it == by_id_.end()) continue;  // a file restarted or forgotten since
      TailedFile& f = *it->second;
      if (p.end_offset > f.acked_offset) f.acked_offset = p.end_offset;
    }
    dirty_ = true;
    status_stale_ = true;
  }
}

void FileSource::DropFinishedFiles() {
  if (open_files_ == files_.size()) return;  // no closed file waits for its acknowledgements
  // Closed files leave once everything read from them is acknowledged.
  std::erase_if(files_, [this](const std::unique_ptr<TailedFile>& f) {
    if (f->state != TailState::kClosed || f->acked_offset < f->emitted_offset) return false;
    by_id_.erase(f->id);
    dirty_ = true;
    status_stale_ = true;
    return true;
  });
}

void FileSource::PublishStatus(bool force) {
  int64_t now = Now();
  if (!force && (!status_stale_ || now < next_status_ns_)) return;
  next_status_ns_ = now + 1'000'000'000;
  status_stale_ = false;
  std::vector<InputFileStatus> files;
  files.reserve(files_.size());
  for (const auto& f : files_) {
    InputFileStatus s;
    s.path = f->path;
    s.inode = f->inode;
    s.size = f->read_offset;
    struct stat st;
    if (f->fd >= 0 && ::fstat(f->fd, &st) == 0) s.size = static_cast<uint64_t>(st.st_size);
    s.acked_offset = f->acked_offset;
    s.state = f->state == TailState::kActive     ? "active"
              : f->state == TailState::kOrphaned ? "rotated"
                                                 : "closed";
    files.push_back(std::move(s));
  }
  std::lock_guard<std::mutex> lock(status_mu_);
  status_.swap(files);
}

void FileSource::Collect(ScrapeWriter& w) const {
  const std::string& pipeline = ctx_->pipeline_name();
  Labels labels = {{"pipeline", pipeline}, {"input", options_.id}};
  w.Counter("logship_bytes_read_total", "Bytes an input read from its files.", labels,
            static_cast<double>(bytes_read_.load(std::memory_order_relaxed)));
  w.Counter("logship_events_read_total", "Events an input read (before stages).", labels,
            static_cast<double>(events_.load(std::memory_order_relaxed)));
  w.Counter("logship_files_lost_total",
            "Files that disappeared while waiting for a slot under max_open_files.", labels,
            static_cast<double>(files_lost_.load(std::memory_order_relaxed)));
  w.Counter("logship_bytes_lost_total", "Bytes of those files that were never shipped.", labels,
            static_cast<double>(bytes_lost_.load(std::memory_order_relaxed)));
  w.Gauge("logship_open_files", "Files an input holds open.", labels,
          static_cast<double>(open_files_.load(std::memory_order_relaxed)));
  std::lock_guard<std::mutex> lock(status_mu_);
  for (const InputFileStatus& f : status_) {
    Labels fl = {{"pipeline", pipeline}, {"input", options_.id}, {"file", f.path}};
    uint64_t lag = f.size > f.acked_offset ? f.size - f.acked_offset : 0;
    w.Gauge("logship_checkpoint_lag_bytes",
            "Per file: its size minus the acknowledged offset (bytes not yet delivered).", fl,
            static_cast<double>(lag));
  }
}

Checkpoints FileSource::Snapshot() const {
  Checkpoints c;
  c.files.reserve(files_.size() + loaded_.size());
  for (const auto& f : files_) {
    c.files.push_back(FileCheckpoint{f->device, f->inode, f->fingerprint.len, f->fingerprint.hash,
                                     f->acked_offset, f->path});
  }
  for (const auto& [key, saved] : loaded_) c.files.push_back(saved);
  c.saved_unix_nanos = clock_->NowUnixNanos();
  return c;
}

void FileSource::SnapshotIfDue() {
  if (!history_) return;
  int64_t now = Now();
  if (now < next_history_check_ns_) return;
  int64_t unix_now = clock_->NowUnixNanos();
  if (history_->Due(unix_now)) {
    // Not fatal, like a late checkpoint: only the history has a gap.
    Status st = history_->Take(Snapshot(), unix_now);
    if (!st.ok()) spdlog::warn("{}: checkpoint history: {}", name_, st.message());
  }
  next_history_check_ns_ = now + history_->UntilNextInterval(unix_now);
}

void FileSource::SaveIfDue(bool force) {
  SnapshotIfDue();
  if (!dirty_ || !store_) return;
  int64_t now = Now();
  if (!force && now < next_save_ns_) return;
  next_save_ns_ = now + options_.checkpoint_interval.nanos;
  Status st = store_->Save(Snapshot());
  if (st.ok()) {
    dirty_ = false;
    return;
  }
  // Keep reading: the checkpoint only lags, and lines are never lost by a late checkpoint.
  if (force || now - last_save_error_log_ns_ > 10'000'000'000) {
    last_save_error_log_ns_ = now;
    spdlog::error("{}: saving checkpoints failed: {}", name_, st.message());
  }
}

}  // namespace

Result<std::unique_ptr<Source>> MakeFileSource(const ConfigNode& node, PluginContext& ctx) {
  int index = 0;
  // The input's index is the number after the last '[' of the component path.
  size_t open = ctx.component.rfind('[');
  if (open != std::string::npos) index = std::atoi(ctx.component.c_str() + open + 1);
  Result<FileInputOptions> options = ParseFileInputOptions(node, ctx, index);
  if (!options.ok()) return options.status();
  ctx.claims->Claim(ctx.data_dir + "/" + options->id + ".checkpoints", ctx.component, node,
                    *ctx.errors);
  return std::unique_ptr<Source>(new FileSource(std::move(*options), ctx));
}

}  // namespace logship
