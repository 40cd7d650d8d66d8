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
    hold_watcher_.Wake();
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
  std::string Problem() const override {
    std::lock_guard<std::mutex> lock(status_mu_);
    return problem_;
  }

 private:
  void Run();
  // Files to open (new ones, and parked ones that changed), with since when each has waited.
  struct Waiting {
    const FoundFile* found;
    TailedFile* parked;  // null: a file not open before
    int64_t since_ns;
  };
  void Scan(bool first);
  // Opens what waits, longest waiting first, within max_open_files (parking idle files to make
  // room in tailing mode); the rest stays deferred. Reports deferred files that went away.
  void OpenWaiting(std::vector<Waiting>& waiting, bool first, const std::set<FileKey>& found_keys,
                   std::vector<TailedFile*>& seen);
  // --once: opens deferred files into the slots that files read to their end freed. True if any.
  bool OpenDeferred();
  // Opens `found` (or adopts `fd`, already open on it) and starts tailing it. `found_keys` (the
  // first scan only) allows continuing the checkpoint of another file by content.
  TailedFile* Open(const FoundFile& found, bool first, TailState state, int fd = -1,
                   const std::set<FileKey>* found_keys = nullptr);
  // Resumes f from its own checkpoint (same inode, head and offset marker). True if it did.
  bool Resume(TailedFile& f, uint64_t size);
  // Continues in f a stream f is a copy of (copytruncate): a stream detached from a file found
  // truncated, or (at start) a checkpoint whose file is gone or was truncated. True if it did.
  bool AdoptStream(TailedFile& f, uint64_t size, const std::set<FileKey>* found_keys);
  void ContinueStream(TailedFile& f, TailedFile& detached, uint64_t size);
  void CheckTwin(TailedFile& f);
  void ReleaseTwins();
  size_t SlotsFree() const;
  size_t ParkIdle(size_t want);
  void Park(TailedFile& f);
  void Unpark(TailedFile& f);
  void ParkedFileGone(TailedFile& f);
  void CountLost(const std::string& path, uint64_t inode, uint64_t bytes, const char* why);
  void ForgetMissing(const ScanResult& found);
  void ReportSkipped(const ScanResult& found, bool first);
  // Ships the bytes after f's last newline as its last line: the file gets no more (renamed or
  // deleted), or --once reads it to its current end.
  void ShipUnterminated(TailedFile& f);
  // --once, at the end of an active file: its last line is shipped and, when files wait for a
  // slot, it is parked.
  void FinishOnce(TailedFile& f);
  // The offset marker of f at `offset`, when it has a descriptor (otherwise none).
  void UpdateMarker(TailedFile& f, uint64_t offset);
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
  // Held files. The holder thread opens, without reading, each new file the include patterns
  // match (within max_open_files) as soon as inotify reports it (else within rescan_interval),
  // whether the reader is reading, busy or blocked on a stalled sink, so that a file rotated away
  // and deleted before the reader looks can still be read; the reader's next scan takes it over.
  void HoldNewFiles();        // the holder thread
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
    int64_t since_ns = 0;  // monotonic: first found waiting
  };
  std::map<FileKey, DeferredFile> deferred_;
  // Files that appeared while every batch was in flight, opened (not read) so that rotating
  // and deleting them during a sink outage loses nothing; the next scan takes them over.
  struct HeldFile {
    int fd = -1;
    std::string path;
  };
  FileScanner hold_scanner_;                             // the holder thread's own
  FileWatcher hold_watcher_{/*report_modified=*/false};  // the holder thread's own
  std::thread holder_;
  mutable std::mutex hold_mu_;
  bool hold_stop_ = false;            // guarded by hold_mu_
  std::set<FileKey> known_;           // guarded by hold_mu_: files the reader has open
  std::map<FileKey, HeldFile> held_;  // guarded by hold_mu_

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
  Status save_status_;  // of the last save

  // Status for /status and /metrics: published by the source thread, read by the scraper.
  mutable std::mutex status_mu_;
  std::vector<InputFileStatus> status_;  // guarded by status_mu_
  std::string problem_;                  // guarded by status_mu_: why checkpoints are not saved
  bool status_stale_ = true;             // files_ changed since the last publication
  int64_t next_status_ns_ = 0;
  MetricsRegistry* metrics_ = nullptr;
  int collector_id_ = 0;

  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> bytes_total_{0};
  std::atomic<uint64_t> files_lost_{0};
  std::atomic<uint64_t> bytes_lost_{0};
  std::atomic<uint64_t> paths_skipped_{0};
  std::set<std::string> skipped_logged_;  // paths already reported as skipped
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
  if (!once_) holder_ = std::thread([this] { HoldNewFiles(); });
  return Status::Ok();
}

Status FileSource::Finish() {
  Join();
  ApplyAcks();
  SaveIfDue(/*force=*/true);
  PublishStatus(/*force=*/true);
  // What was delivered but could not be checkpointed will be read again: not a clean stop.
  if (!save_status_.ok()) return save_status_.WithContext(name_ + ": saving checkpoints");
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
      if (f.fd >= 0 && f.may_have_data && ReadSome(f)) progress = true;
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
    // for more lines are complete (documented: a trace the file continues later is split), and
    // files waiting for a slot under max_open_files take the slots of the files read.
    if (once_) {
      FlushAllGroups();
      if (OpenDeferred()) continue;
    }
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
      if (it != by_path_.end()) {
        it->second->may_have_data = true;
        it->second->grown_ns = Now();
      }
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
  ReportSkipped(found, first);
  const int64_t now = Now();
  std::vector<TailedFile*> seen;
  std::vector<Waiting> waiting;
  std::set<FileKey> found_keys;
  for (const FoundFile& ff : found.files) found_keys.insert({ff.device, ff.inode});
  // At start, files that have a checkpoint of their own (same inode) are opened first: a copy
  // matched by content (copytruncate while stopped) must never take the checkpoint of a file
  // that is still there.
  std::vector<const FoundFile*> order;
  for (const FoundFile& ff : found.files) order.push_back(&ff);
  if (first) {
    std::stable_partition(order.begin(), order.end(), [&](const FoundFile* ff) {
      return loaded_.count({ff->device, ff->inode}) > 0;
    });
  }
  for (const FoundFile* ffp : order) {
    const FoundFile& ff = *ffp;
    FileKey key{ff.device, ff.inode};
    auto it = by_inode_.find(key);
    if (it != by_inode_.end()) {
      TailedFile& f = *it->second;
      if (f.path != ff.path) {
        // Renamed to a path that still matches (app.log -> app.log.1 with app.log*): same file.
        spdlog::info("{}: '{}' was renamed to '{}'", name_, f.path, ff.path);
        UnmapPath(f);
        f.path = ff.path;
        dirty_ = true;
      }
      if (f.state != TailState::kParked) f.state = TailState::kActive;
      by_path_[f.path] = &f;
      seen.push_back(&f);
      if (f.state == TailState::kParked && ff.size != f.read_offset) {
        waiting.push_back(Waiting{&ff, &f, f.idle_since_ns});
      }
      continue;
    }
    auto d = deferred_.find(key);
    waiting.push_back(Waiting{&ff, nullptr, d != deferred_.end() ? d->second.since_ns : now});
  }
  // Existing files first: a truncation found now detaches the stream a new copy may continue.
  std::sort(seen.begin(), seen.end());
  // Index loop: ParkedFileGone may open (append to files_).
  for (size_t i = 0; i < files_.size(); ++i) {
    TailedFile& f = *files_[i];
    if (f.state == TailState::kClosed) continue;
    bool gone_away = !std::binary_search(seen.begin(), seen.end(), &f);
    if (f.state == TailState::kParked) {
      if (gone_away) ParkedFileGone(f);
      continue;
    }
    if (f.state == TailState::kActive && gone_away) {
      // Renamed away or deleted: finish it, then close it after rotate_wait without growth.
      f.state = TailState::kOrphaned;
      f.idle_since_ns = 0;
      UnmapPath(f);
    }
    // Polling backs up inotify: a missed event costs at most one rescan interval.
    f.may_have_data = true;
    if (!first) CheckTruncation(f);
  }
  OpenWaiting(waiting, first, found_keys, seen);
  // Files held open while the pipeline was stalled whose path is gone now (rotated out of the
  // include patterns, or deleted): read them to their end from the descriptor held.
  std::map<FileKey, HeldFile> gone;
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    gone.swap(held_);
  }
  for (auto& [key, h] : gone) {
    if (by_inode_.count(key) > 0) {
      ::close(h.fd);  // the reader opened it itself meanwhile
      continue;
    }
    FoundFile ff{h.path, key.first, key.second, 0, 0};
    spdlog::info(
        "{}: a file held open as '{}' went away while the pipeline was stalled; "
        "reading it to its end",
        name_, ff.path);
    if (TailedFile* f = Open(ff, first, TailState::kOrphaned, h.fd)) UnmapPath(*f);
  }
  PublishKnownFiles();
  ReleaseTwins();
  if (first) {
    RecoverRotated();
    ForgetMissing(found);
  }
}

void FileSource::OpenWaiting(std::vector<Waiting>& waiting, bool first,
                             const std::set<FileKey>& found_keys, std::vector<TailedFile*>& seen) {
  std::map<FileKey, DeferredFile> still_deferred;
  size_t free_slots = SlotsFree();
  if (waiting.size() > free_slots && !once_) free_slots += ParkIdle(waiting.size() - free_slots);
  // Longest waiting first, so that every file gets its turn (in discovery order on a tie).
  std::stable_sort(waiting.begin(), waiting.end(),
                   [](const Waiting& a, const Waiting& b) { return a.since_ns < b.since_ns; });
  for (const Waiting& w : waiting) {
    FileKey key{w.found->device, w.found->inode};
    bool held = IsHeld(key);
    if (!held && free_slots == 0) {
      still_deferred.emplace(key, DeferredFile{w.found->path, w.found->size, w.since_ns});
      continue;
    }
    if (!held) --free_slots;
    if (w.parked != nullptr) {
      Unpark(*w.parked);
      continue;
    }
    if (TailedFile* f = Open(*w.found, first, TailState::kActive, -1, &found_keys)) {
      seen.push_back(f);
    }
  }
  if (!still_deferred.empty() && still_deferred.size() != deferred_.size()) {
    spdlog::warn("{}: {} matching files wait for a slot: max_open_files ({}) reached", name_,
                 still_deferred.size(), options_.max_open_files);
  }
  // A file left waiting for a free slot that is now gone (deleted, or rotated out of the include
  // patterns) can no longer be read: its lines are lost. Say so, by file, and count it.
  for (const auto& [key, d] : deferred_) {
    if (still_deferred.count(key) > 0 || by_inode_.count(key) > 0 || found_keys.count(key) > 0) {
      continue;
    }
    uint64_t from = 0;
    auto saved = loaded_.find(key);
    if (saved != loaded_.end()) from = std::min(saved->second.offset, d.size);
    CountLost(d.path, key.second, d.size - from, "disappeared before it could be opened");
  }
  deferred_.swap(still_deferred);
}

TailedFile* FileSource::Open(const FoundFile& found, bool first, TailState state, int fd,
                             const std::set<FileKey>* found_keys) {
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
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  f.size = size;
  f.grown_ns = Now();
  Result<Fingerprint> fp = ComputeFingerprint(fd, f.path);
  if (!fp.ok()) {
    spdlog::warn("{}: {}", name_, fp.status().message());
    ::close(fd);
    return nullptr;
  }
  f.fingerprint = *fp;
  by_id_[f.id] = &f;
  by_inode_[{f.device, f.inode}] = &f;
  if (state == TailState::kActive) by_path_[f.path] = &f;
  ++open_files_;
  dirty_ = true;
  files_.push_back(std::move(file));

  // Where to start: the checkpoint of this very file (same inode, head and bytes before the
  // offset), else the stream this file is a copy of (copytruncate), else the configured start for
  // files present at start-up, else the beginning (a new file).
  if (Resume(f, size)) return &f;
  if (AdoptStream(f, size, first ? found_keys : nullptr)) return &f;
  uint64_t start = first && options_.start_at_end ? size : 0;
  f.read_offset = f.split_offset = f.emitted_offset = f.acked_offset = start;
  if (f.joiner != nullptr && start > 0) f.joiner->StartMidFile();
  bytes_total_.fetch_add(size - start, std::memory_order_relaxed);
  // Not resumed and not a known copy: read from 0, unless it is a copy still being made of a file
  // that is about to be truncated (checked once, before its first bytes are read).
  f.check_twin = start == 0 && !first;
  return &f;
}

bool FileSource::Resume(TailedFile& f, uint64_t size) {
  auto [lo, hi] = loaded_.equal_range({f.device, f.inode});
  if (lo == hi) return false;
  for (auto it = lo; it != hi; ++it) {
    const FileCheckpoint& c = it->second;
    Result<bool> same = FingerprintMatches(f.fd, f.path, {c.fingerprint_len, c.fingerprint});
    if (!same.ok() || !*same) continue;
    uint64_t start = c.offset;
    if (start > size) {
      spdlog::warn(
          "{}: '{}' is shorter ({} bytes) than its checkpoint ({}): truncated while "
          "stopped, reading it again from 0",
          name_, f.path, size, start);
      start = 0;
    } else {
      Result<bool> marker = OffsetMarkerMatches(f.fd, f.path, start, {c.marker_len, c.marker});
      if (!marker.ok() || !*marker) {
        // Same inode and head, other bytes before the offset: a new file that reuses the inode of
        // a deleted one and starts alike (a banner, a CSV header), or one rewritten in place.
        spdlog::warn(
            "{}: '{}' has the inode and first bytes of a file read before, but not the bytes "
            "before its checkpoint (offset {}): it is another file; reading it from 0",
            name_, f.path, start);
        continue;
      }
    }
    f.read_offset = f.split_offset = f.emitted_offset = f.acked_offset = start;
    if (f.joiner != nullptr && start > 0) f.joiner->StartMidFile();
    if (size > start) bytes_total_.fetch_add(size - start, std::memory_order_relaxed);
    loaded_.erase(it);
    return true;
  }
  spdlog::info(
      "{}: '{}' reuses the inode of a file seen before but its content differs: "
      "reading it as a new file",
      name_, f.path);
  return false;
}

bool FileSource::AdoptStream(TailedFile& f, uint64_t size, const std::set<FileKey>* found_keys) {
  // Running: a stream detached from a file just found truncated, whose head this file has.
  for (auto& dp : files_) {
    TailedFile& d = *dp;
    if (d.detached_ns == 0 || d.state != TailState::kClosed || d.fingerprint.len == 0) continue;
    Result<bool> same = FingerprintMatches(f.fd, f.path, d.fingerprint);
    if (!same.ok() || !*same) continue;
    ContinueStream(f, d, size);
    return true;
  }
  if (found_keys == nullptr) return false;
  // At start: a checkpoint whose file is gone or no longer has that content (truncated while
  // stopped), and this file has its head and the bytes before its offset.
  for (auto it = loaded_.begin(); it != loaded_.end(); ++it) {
    const FileCheckpoint& c = it->second;
    if (found_keys->count(it->first) > 0 && by_inode_.count(it->first) == 0) continue;
    if (c.fingerprint_len == 0 || c.offset == 0 || c.offset > size) continue;
    Result<bool> same = FingerprintMatches(f.fd, f.path, {c.fingerprint_len, c.fingerprint});
    if (!same.ok() || !*same) continue;
    Result<bool> marker = OffsetMarkerMatches(f.fd, f.path, c.offset, {c.marker_len, c.marker});
    if (!marker.ok() || !*marker) continue;
    spdlog::info(
        "{}: '{}' holds the lines of '{}' (inode {}) up to its checkpoint: a copy made before it "
        "was truncated or removed while logship was stopped; continuing it at offset {}",
        name_, f.path, c.path, c.inode, c.offset);
    f.read_offset = f.split_offset = f.emitted_offset = f.acked_offset = c.offset;
    if (f.joiner != nullptr) f.joiner->StartMidFile();
    bytes_total_.fetch_add(size - c.offset, std::memory_order_relaxed);
    loaded_.erase(it);
    return true;
  }
  return false;
}

void FileSource::ContinueStream(TailedFile& f, TailedFile& d, uint64_t size) {
  // The copy holds the stream's bytes up to where the copy was made: go on from where the stream
  // was read up to (or the copy's end, if lines were read from the original after the copy), under
  // the stream's id, so that acknowledgements of its lines in flight move this file's checkpoint.
  const uint64_t at = std::min(d.emitted_offset, size);
  spdlog::info(
      "{}: '{}' is a copy of '{}' made before it was truncated (copytruncate): continuing it at "
      "offset {} instead of reading it again",
      name_, f.path, d.path, at);
  by_id_.erase(f.id);
  f.id = d.id;
  by_id_[f.id] = &f;
  f.file_key = d.file_key;
  f.read_offset = f.split_offset = f.emitted_offset = at;
  f.acked_offset = std::min(d.acked_offset, at);
  if (f.joiner != nullptr && at > 0) f.joiner->StartMidFile();
  if (size > at) bytes_total_.fetch_add(size - at, std::memory_order_relaxed);
  f.twin_of = 0;
  f.check_twin = false;
  f.may_have_data = true;
  // The detached stream is now this file: drop it.
  d.detached_ns = 0;
  d.emitted_offset = d.acked_offset;
  d.id = 0;
  std::erase_if(files_, [&](const std::unique_ptr<TailedFile>& p) { return p.get() == &d; });
  dirty_ = true;
}

// Before the first read of a new file: is it a copy, still being made, of a file in the same
// directory that copytruncate is about to truncate? Then wait for that truncation.
void FileSource::CheckTwin(TailedFile& f) {
  f.check_twin = false;
  char mine[kFingerprintBytes];
  char theirs[kFingerprintBytes];
  ssize_t n = ::pread(f.fd, mine, sizeof(mine), 0);
  if (n <= 0) {
    f.check_twin = n == 0;  // empty yet: look again once it has bytes
    return;
  }
  const std::string dir = DirName(f.path);
  for (auto& op : files_) {
    TailedFile& o = *op;
    if (&o == &f || o.fd < 0 || o.twin_of != 0 || o.read_offset == 0 ||
        o.state != TailState::kActive || DirName(o.path) != dir) {
      continue;
    }
    ssize_t m = ::pread(o.fd, theirs, static_cast<size_t>(n), 0);
    if (m != n || std::memcmp(mine, theirs, static_cast<size_t>(n)) != 0) continue;
    f.twin_of = o.id;
    f.twin_since_ns = Now();
    spdlog::info(
        "{}: '{}' starts like '{}': waiting up to rotate_wait for '{}' to be truncated "
        "(copytruncate) before reading it",
        name_, f.path, o.path, o.path);
    return;
  }
}

// Twins whose original was not truncated within rotate_wait (or went away) are files of their own.
void FileSource::ReleaseTwins() {
  const int64_t now = Now();
  for (auto& fp : files_) {
    TailedFile& f = *fp;
    if (f.twin_of == 0) continue;
    auto it = by_id_.find(f.twin_of);
    bool original_open = it != by_id_.end() && it->second->fd >= 0;
    if (original_open && now - f.twin_since_ns < options_.rotate_wait.nanos) continue;
    spdlog::info("{}: '{}' is not a copy of a truncated file: reading it from its start", name_,
                 f.path);
    f.twin_of = 0;
    f.may_have_data = true;
  }
}

size_t FileSource::SlotsFree() const {
  size_t used = open_files_ + HeldCount();
  return used >= options_.max_open_files ? 0 : options_.max_open_files - used;
}

// Parks up to `want` open files that were read to their end and have not grown for a rescan
// interval, least recently grown first; returns how many.
size_t FileSource::ParkIdle(size_t want) {
  const int64_t quiet_since = Now() - options_.rescan_interval.nanos;
  std::vector<TailedFile*> idle;
  for (auto& fp : files_) {
    TailedFile& f = *fp;
    if (f.state == TailState::kActive && f.fd >= 0 && f.at_end && !f.partial_has_lines &&
        f.twin_of == 0 && f.grown_ns <= quiet_since) {
      idle.push_back(&f);
    }
  }
  std::sort(idle.begin(), idle.end(),
            [](const TailedFile* a, const TailedFile* b) { return a->grown_ns < b->grown_ns; });
  size_t n = std::min(want, idle.size());
  for (size_t i = 0; i < n; ++i) Park(*idle[i]);
  return n;
}

void FileSource::Park(TailedFile& f) {
  ::close(f.fd);
  f.fd = -1;
  --open_files_;
  f.state = TailState::kParked;
  f.idle_since_ns = Now();  // when it started waiting for a slot again
  status_stale_ = true;
}

void FileSource::Unpark(TailedFile& f) {
  FileKey key{f.device, f.inode};
  int fd = TakeHeld(key);
  if (fd < 0) fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_dev) != f.device ||
                  static_cast<uint64_t>(st.st_ino) != f.inode)) {
    ::close(fd);
    fd = -1;
  }
  if (fd < 0) return;  // replaced since the scan: the next scan sees what is there now
  f.fd = fd;
  ++open_files_;
  f.state = TailState::kActive;
  f.may_have_data = true;
  f.at_end = true;  // look for a truncation before reading on
  status_stale_ = true;
}

// A parked file is no longer at its path. Look for it next to it (renamed out of the include
// patterns), and finish it there; otherwise what it got after it was parked is lost: say so.
void FileSource::ParkedFileGone(TailedFile& f) {
  const std::string dir = DirName(f.path);
  Result<std::vector<DirEntry>> entries = PosixFileSystem().ListDir(dir);
  if (entries.ok()) {
    for (const DirEntry& e : *entries) {
      if (e.is_dir) continue;
      std::string path = JoinPath(dir, e.name);
      struct stat st;
      if (::stat(path.c_str(), &st) != 0 || static_cast<uint64_t>(st.st_dev) != f.device ||
          static_cast<uint64_t>(st.st_ino) != f.inode) {
        continue;
      }
      UnmapPath(f);
      f.path = path;
      Unpark(f);
      if (f.fd >= 0) {
        f.state = TailState::kOrphaned;
        f.idle_since_ns = 0;
        spdlog::info("{}: '{}' was renamed while waiting for a slot; finishing it", name_, path);
        return;
      }
    }
  }
  spdlog::warn(
      "{}: '{}' (inode {}) was removed while waiting for a slot under max_open_files ({}); it had "
      "been read to offset {}: anything written to it after that was not read",
      name_, f.path, f.inode, options_.max_open_files, f.read_offset);
  files_lost_.fetch_add(1, std::memory_order_relaxed);
  by_inode_.erase({f.device, f.inode});
  UnmapPath(f);
  f.state = TailState::kOrphaned;
  FinishOrphan(f);
}

void FileSource::CountLost(const std::string& path, uint64_t inode, uint64_t bytes,
                           const char* why) {
  files_lost_.fetch_add(1, std::memory_order_relaxed);
  bytes_lost_.fetch_add(bytes, std::memory_order_relaxed);
  spdlog::error("{}: '{}' (inode {}) {}: {} bytes were never shipped", name_, path, inode, why,
                bytes);
}

// After the first scan: checkpoints of files not found (and not found rotated next to their old
// path) are dropped. A file left with unread bytes cannot be read any more: its path, inode and
// the bytes it had beyond the checkpoint are logged and counted. Files found but waiting for a
// slot keep their checkpoints until they are opened.
void FileSource::ForgetMissing(const ScanResult& found) {
  std::multimap<FileKey, FileCheckpoint> keep;
  for (const FoundFile& ff : found.files) {
    FileKey key{ff.device, ff.inode};
    if (by_inode_.count(key) != 0) continue;
    auto [lo, hi] = loaded_.equal_range(key);
    for (auto it = lo; it != hi; ++it) keep.emplace(it->first, it->second);
  }
  for (const auto& [key, c] : loaded_) {
    if (keep.count(key) > 0) continue;
    if (c.size > c.offset) {
      CountLost(c.path, c.inode, c.size - c.offset,
                "was moved out of the include patterns' reach, removed or replaced while logship "
                "was stopped, with unread lines");
    } else {
      spdlog::info(
          "{}: forgetting '{}' (inode {}): it is gone, and every line it had when last seen was "
          "shipped",
          name_, c.path, c.inode);
    }
  }
  if (loaded_.size() != keep.size()) dirty_ = true;
  loaded_ = std::move(keep);
}

void FileSource::ReportSkipped(const ScanResult& found, bool first) {
  for (const SkippedPath& s : found.skipped) {
    if (!skipped_logged_.insert(s.path).second) continue;
    paths_skipped_.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("{}: skipping '{}': it matches the include patterns but is {}, not a regular file",
                 name_, s.path, s.what);
  }
  if (!first) return;
  for (size_t i = 0; i < found.matches_per_include.size(); ++i) {
    if (found.matches_per_include[i] > 0) continue;
    spdlog::warn("{}: include pattern '{}' matches no file yet; files are picked up as they appear",
                 name_, options_.include[i].pattern());
  }
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
      continue;
    }
    ++batch_generation_;
  }
  return true;
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

void FileSource::HoldNewFiles() {
  const int interval_ms = static_cast<int>(options_.rescan_interval.millis());
  while (true) {
    {
      std::lock_guard<std::mutex> lock(hold_mu_);
      if (hold_stop_) return;
    }
    ScanResult found = hold_scanner_.Scan();
    for (const std::string& dir : found.dirs) hold_watcher_.WatchDir(dir);
    {
      std::lock_guard<std::mutex> lock(hold_mu_);
      if (hold_stop_) return;
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
        spdlog::debug("{}: holding '{}' open until the reader takes it", name_, ff.path);
      }
    }
    // Sleeps until a file is created, moved or deleted under the patterns (or rescan_interval).
    // Writes to files do not wake it: this watcher does not ask for them.
    WatchEvents ev = hold_watcher_.Wait(interval_ms);
    if (ev.rescan || ev.woken) continue;
  }
}

void FileSource::EmitBatch() {
  if (!batch_ || batch_->events().empty()) return;
  batch_->ack_tracker = tracker_.get();
  batch_->sequence = tracker_->Register(batch_->sources());
  ctx_->Emit(std::move(batch_));
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
  if (f.check_twin) CheckTwin(f);
  if (f.twin_of != 0) {
    f.may_have_data = false;  // ReleaseTwins or the original's truncation decides
    return false;
  }
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
    f.grown_ns = Now();
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
  if (once_ && f.state == TailState::kActive) {
    FinishOnce(f);
    return;
  }
  if (f.state != TailState::kOrphaned) return;
  int64_t now = Now();
  if (f.idle_since_ns == 0) f.idle_since_ns = now;
  if (once_ || now - f.idle_since_ns >= options_.rotate_wait.nanos) FinishOrphan(f);
}

void FileSource::FinishOnce(TailedFile& f) {
  ShipUnterminated(f);
  if (!f.partial.empty() || deferred_.empty()) return;
  UpdateMarker(f, f.emitted_offset);
  Park(f);
}

bool FileSource::OpenDeferred() {
  if (deferred_.empty() || SlotsFree() == 0) return false;
  std::vector<FoundFile> files;
  std::set<FileKey> keys;
  for (const auto& [key, d] : deferred_) {
    files.push_back(FoundFile{d.path, key.first, key.second, d.size, 0});
    keys.insert(key);
  }
  std::vector<Waiting> waiting;
  for (const FoundFile& ff : files) {
    waiting.push_back(Waiting{&ff, nullptr, deferred_[{ff.device, ff.inode}].since_ns});
  }
  std::vector<TailedFile*> opened;
  const size_t before = open_files_;
  OpenWaiting(waiting, /*first=*/true, keys, opened);
  PublishStatus(/*force=*/false);
  return open_files_ > before || !opened.empty();
}

void FileSource::UpdateMarker(TailedFile& f, uint64_t offset) {
  if (f.marker_offset == offset && (f.marker.len > 0 || offset == 0)) return;
  f.marker_offset = offset;
  f.marker = Fingerprint{};
  if (f.fd < 0 || offset == 0) return;
  Result<Fingerprint> m = ComputeOffsetMarker(f.fd, f.path, offset);
  if (m.ok()) f.marker = *m;
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
  // The stream read so far is detached under the old id: its checkpoint is kept (a copy of it,
  // found with its head, continues it: copytruncate with the copies in the glob), and its
  // acknowledgements cannot move the new checkpoint.
  const uint64_t old_id = f.id;
  TailedFile* detached = nullptr;
  if (f.emitted_offset > 0) {
    auto d = std::make_unique<TailedFile>(old_id, SplitterMaxLine());
    d->path = f.path;
    d->device = f.device;
    d->inode = f.inode;
    d->fingerprint = f.fingerprint;
    d->file_key = f.file_key;
    d->acked_offset = f.acked_offset;
    d->read_offset = d->split_offset = d->emitted_offset = f.emitted_offset;
    d->marker = f.marker;
    d->marker_offset = f.marker_offset;
    d->size = std::max(f.size, f.emitted_offset);
    d->state = TailState::kClosed;
    d->detached_ns = Now();
    d->input = &options_;
    detached = d.get();
    by_id_[old_id] = detached;
    files_.push_back(std::move(d));
  } else {
    by_id_.erase(old_id);
  }
  f.id = next_id_++;
  by_id_[f.id] = &f;
  f.read_offset = f.split_offset = f.emitted_offset = f.acked_offset = 0;
  f.partial.clear();
  f.partial_has_lines = false;
  f.splitter.Reset();
  f.batch_generation = 0;
  f.file_key = 0;  // new contents: their first line names them
  f.may_have_data = true;
  f.marker = Fingerprint{};
  f.marker_offset = 0;
  Result<Fingerprint> fp = ComputeFingerprint(f.fd, f.path);
  f.fingerprint = fp.ok() ? *fp : Fingerprint{};
  dirty_ = true;
  if (detached == nullptr) return;
  // A copy found before the truncation was seen (waiting for it, or not read yet) continues the
  // stream now.
  for (auto& tp : files_) {
    TailedFile& t = *tp;
    if (t.fd < 0 || &t == &f) continue;
    if (t.twin_of != old_id) {
      if (!t.check_twin || t.read_offset != 0) continue;
      Result<bool> same = FingerprintMatches(t.fd, t.path, detached->fingerprint);
      if (!same.ok() || !*same) continue;
    }
    struct stat st;
    uint64_t size = ::fstat(t.fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    ContinueStream(t, *detached, size);  // erases `detached` from files_: leave the loop
    return;
  }
}

void FileSource::ShipUnterminated(TailedFile& f) {
  if (f.partial.empty() || f.partial_has_lines || !EnsureBatch()) return;
  uint32_t tags = IsValidUtf8(f.partial) ? 0u : uint32_t{kTagInvalidUtf8};
  if (f.splitter.in_long_line()) tags |= kTagTruncated;
  read_time_ns_ = clock_->NowUnixNanos();
  if (f.joiner == nullptr) {
    AddLine(f, f.partial, f.split_offset, f.read_offset, tags);
    events_.fetch_add(1, std::memory_order_relaxed);
  } else {
    f.joiner->Add(f.partial, f.split_offset, f.read_offset, tags, Now(), [&](const JoinedEvent& e) {
      AddLine(f, e.text, e.offset, e.next_offset, e.tags);
      events_.fetch_add(1, std::memory_order_relaxed);
    });
  }
  f.split_offset = f.read_offset;
  f.partial.clear();
  if (BatchFull()) EmitBatch();
}

void FileSource::FinishOrphan(TailedFile& f) {
  // A renamed or deleted file will not get its last newline: ship what it ends with.
  ShipUnterminated(f);
  if (!f.partial.empty()) return;  // complete lines still pending: finish them first
  // Its group can get no more lines: ship it before closing.
  if (f.joiner != nullptr && f.joiner->pending()) {
    if (!EnsureBatch()) return;
    FlushGroup(f);
  }
  // The marker of where its acknowledgements will end, while the descriptor is still open.
  UpdateMarker(f, f.emitted_offset);
  Forget(f);
  if (f.fd >= 0) ::close(f.fd);
  f.fd = -1;
  f.state = TailState::kClosed;
  dirty_ = true;
}

void FileSource::Forget(TailedFile& f) {
  auto it = by_inode_.find({f.device, f.inode});
  if (it != by_inode_.end() && it->second == &f) by_inode_.erase(it);
  UnmapPath(f);
  if (f.fd >= 0) --open_files_;
  f.twin_of = 0;
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
      // Clamped: a copy continuing a stream (ContinueStream) may be shorter than what was read.
      uint64_t end = std::min(p.end_offset, f.emitted_offset);
      if (end > f.acked_offset) f.acked_offset = end;
    }
    dirty_ = true;
    status_stale_ = true;
  }
}

void FileSource::DropFinishedFiles() {
  if (open_files_ == files_.size()) return;  // no closed file waits for its acknowledgements
  // Closed files leave once everything read from them is acknowledged; a stream detached by a
  // truncation stays at least rotate_wait, for its copy to continue it.
  const int64_t now = Now();
  std::erase_if(files_, [this, now](const std::unique_ptr<TailedFile>& f) {
    if (f->state != TailState::kClosed || f->acked_offset < f->emitted_offset) return false;
    if (f->detached_ns != 0 && now - f->detached_ns < options_.rotate_wait.nanos) return false;
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
    if (f->fd >= 0 && ::fstat(f->fd, &st) == 0) {
      s.size = static_cast<uint64_t>(st.st_size);
      f->size = s.size;
    }
    s.acked_offset = f->acked_offset;
    // An unterminated last line is held until its newline (or the file's rotation) arrives.
    s.held_bytes = f->partial_has_lines ? 0 : f->partial.size();
    s.state = f->twin_of != 0                    ? "waiting"
              : f->state == TailState::kActive   ? "active"
              : f->state == TailState::kOrphaned ? "rotated"
              : f->state == TailState::kParked   ? "parked"
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
            "Files with unread lines that disappeared before they could be read: while waiting "
            "for a slot under max_open_files, or moved away or removed while logship was stopped.",
            labels, static_cast<double>(files_lost_.load(std::memory_order_relaxed)));
  w.Counter("logship_bytes_lost_total", "Bytes of those files that were never shipped (at least).",
            labels, static_cast<double>(bytes_lost_.load(std::memory_order_relaxed)));
  w.Counter("logship_paths_skipped_total",
            "Paths the include patterns match that are not regular files (FIFOs, sockets, "
            "directories), each counted once.",
            labels, static_cast<double>(paths_skipped_.load(std::memory_order_relaxed)));
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
    if (f->id == 0) continue;
    FileCheckpoint fc{f->device,           f->inode,        f->fingerprint.len,
                      f->fingerprint.hash, f->acked_offset, f->path};
    if (f->marker_offset == f->acked_offset) {
      fc.marker_len = f->marker.len;
      fc.marker = f->marker.hash;
    }
    fc.size = std::max(f->size, f->read_offset);
    c.files.push_back(std::move(fc));
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
  // The bytes each checkpoint resumes after, so that a restart can tell it is the same file.
  for (auto& f : files_) UpdateMarker(*f, f->acked_offset);
  Status st = store_->Save(Snapshot());
  save_status_ = st;
  {
    std::lock_guard<std::mutex> lock(status_mu_);
    problem_ = st.ok() ? "" : std::string(st.message());
  }
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
