// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_tracker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>

#include "src/base/hash.h"

namespace logship {

FileTracker::FileTracker(const FileInputOptions& options, std::string name, Clock& clock,
                         FileSystem& fs, bool once, BatchFiller& out, CheckpointKeeper& keeper,
                         std::multimap<FileKey, FileCheckpoint> loaded)
    : options_(options),
      name_(std::move(name)),
      clock_(clock),
      fs_(fs),
      once_(once),
      out_(out),
      keeper_(keeper),
      scanner_(options.include, options.exclude, fs),
      loaded_(std::move(loaded)),
      hold_scanner_(options.include, options.exclude, fs) {}

FileTracker::~FileTracker() {
  Stop();
  if (holder_.joinable()) holder_.join();
}

void FileTracker::StartDiscovery() {
  holder_ = std::thread([this] { HoldNewFiles(); });
}

void FileTracker::Stop() {
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    hold_stop_ = true;
  }
  hold_watcher_.Wake();
  watcher_.Wake();
}

bool FileTracker::Wait(int timeout_ms, bool until_event) {
  WatchEvents ev = watcher_.Wait(timeout_ms, until_event);
  for (const std::string& path : ev.modified) {
    auto it = by_path_.find(path);
    if (it != by_path_.end()) {
      TailedFile& f = *it->second;
      f.may_have_data = true;
      f.grown_ns = Now();
      if (f.state == TailState::kParked) {
        // Known to hold more, should it go away before its turn.
        Result<FileInfo> info = fs_.Stat(path);
        if (info.ok() && info->device == f.device && info->inode == f.inode) f.size = info->size;
      }
      continue;
    }
    // A file waiting for a slot grew: know its size, should it go away before its turn.
    auto d = deferred_by_path_.find(path);
    if (d == deferred_by_path_.end()) continue;
    auto w = deferred_.find(d->second);
    Result<FileInfo> info = fs_.Stat(path);
    if (w != deferred_.end() && info.ok() && info->device == d->second.first &&
        info->inode == d->second.second) {
      w->second.size = info->size;
    }
  }
  return ev.rescan;
}

// ---- Scanning ------------------------------------------------------------------------------

void FileTracker::Scan(bool first) {
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
    if (it == by_inode_.end()) {
      auto d = deferred_.find(key);
      waiting.push_back(Waiting{&ff, nullptr, d != deferred_.end() ? d->second.since_ns : now});
      continue;
    }
    TailedFile& f = *it->second;
    if (f.path() != ff.path) {
      // Renamed to a path that still matches (app.log -> app.log.1 with app.log*): same file.
      spdlog::info("{}: '{}' was renamed to '{}'", name_, f.path(), ff.path);
      UnmapPath(f);
      f.reader.origin().path = ff.path;
      Changed();
    }
    if (f.state != TailState::kParked) f.state = TailState::kActive;
    by_path_[f.path()] = &f;
    seen.push_back(&f);
    if (f.state == TailState::kParked) {
      f.size = ff.size;  // what it is known to hold, should it go away before its turn
      if (ff.size != f.reader.read_offset()) waiting.push_back(Waiting{&ff, &f, f.idle_since_ns});
    }
  }
  // Files known before first: a truncation found now detaches the stream a new copy continues.
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
    // Polling backs up inotify: a missed event costs at most one rescan interval. An open file as
    // long as what was read of it, with the head it had, holds nothing new: it is not read (five
    // system calls saved per idle file and rescan: two more truncation checks and a read at its
    // end). A rotated one is, so that it is closed once idle for rotate_wait.
    if (first || CheckTruncation(f) != FileCheck::kNothingNew || f.state != TailState::kActive) {
      f.may_have_data = true;
    }
  }
  OpenWaiting(waiting, first, found_keys);
  // Files held open by the discovery thread whose path is gone now (rotated out of the include
  // patterns, or deleted): read them to their end from the descriptor held.
  std::map<FileKey, HeldFile> gone;
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    gone.swap(held_);
  }
  for (auto& [key, h] : gone) {
    if (by_inode_.count(key) > 0) continue;  // the reader opened it itself meanwhile
    FoundFile ff{h.path, key.first, key.second, 0, 0};
    // Created after this scan listed its directory, and still there: a live file.
    Result<FileInfo> now = fs_.Stat(h.path);
    if (now.ok() && now->device == key.first && now->inode == key.second) {
      Open(ff, first, TailState::kActive, std::move(h.file));
      continue;
    }
    spdlog::info("{}: '{}' went away before it was read; reading it to its end", name_, ff.path);
    if (TailedFile* f = Open(ff, first, TailState::kOrphaned, std::move(h.file))) UnmapPath(*f);
  }
  PublishKnownFiles();
  ReleaseTwins();
  if (first) {
    RecoverRotated(found_keys);
    ForgetMissing(found);
  }
  last_scan_ns_.store(Now(), std::memory_order_relaxed);
}

void FileTracker::OpenWaiting(std::vector<Waiting>& waiting, bool first,
                              const std::set<FileKey>& found_keys) {
  std::map<FileKey, DeferredFile> still_deferred;
  size_t free_slots = SlotsFree();
  if (waiting.size() > free_slots && !once_) free_slots += ParkIdle(waiting.size() - free_slots);
  // Longest waiting first, so that every file gets its turn (in discovery order on a tie).
  std::stable_sort(waiting.begin(), waiting.end(),
                   [](const Waiting& a, const Waiting& b) { return a.since_ns < b.since_ns; });
  for (const Waiting& w : waiting) {
    FileKey key{w.found->device, w.found->inode};
    if (w.parked == nullptr && by_inode_.count(key) > 0) continue;  // open already
    const bool held = IsHeld(key);
    if (!held && free_slots == 0) {
      still_deferred.emplace(key, DeferredFile{w.found->path, w.found->size, w.since_ns});
      continue;
    }
    if (!held) --free_slots;
    if (w.parked != nullptr) {
      Unpark(*w.parked);
    } else if (Open(*w.found, first, TailState::kActive, nullptr, &found_keys) == nullptr &&
               !fs_.Exists(w.found->path) && deferred_.count(key) > 0) {
      CountLost(w.found->path, key.second, UnreadBytes(key, w.found->size),
                "disappeared before it could be opened");
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
    CountLost(d.path, key.second, UnreadBytes(key, d.size),
              "disappeared before it could be opened");
  }
  deferred_.swap(still_deferred);
  deferred_by_path_.clear();
  for (const auto& [key, d] : deferred_) deferred_by_path_[d.path] = key;
}

bool FileTracker::OpenDeferred() {
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
  const size_t before = files_.size();
  OpenWaiting(waiting, /*first=*/true, keys);
  return files_.size() > before;
}

// ---- Identity ------------------------------------------------------------------------------

TailedFile* FileTracker::Open(const FoundFile& found, bool first, TailState state,
                              std::unique_ptr<ReadableFile> held,
                              const std::set<FileKey>* found_keys) {
  std::unique_ptr<ReadableFile> file = std::move(held);
  if (file == nullptr) file = TakeHeld({found.device, found.inode});
  if (file == nullptr) {
    Result<std::unique_ptr<ReadableFile>> opened = fs_.OpenReadable(found.path);
    if (!opened.ok()) {
      if (!opened.status().IsNotFound()) {
        spdlog::warn("{}: cannot open '{}': {}", name_, found.path, opened.status().message());
      }
      return nullptr;
    }
    file = std::move(*opened);
  }
  Result<FileInfo> info = file->Stat();
  if (!info.ok() || !info->regular()) return nullptr;
  Result<Fingerprint> fp = ComputeFingerprint(*file);
  if (!fp.ok()) {
    spdlog::warn("{}: {}", name_, fp.status().message());
    return nullptr;
  }
  auto owned = std::make_unique<TailedFile>(options_, next_id_++, found.path);
  TailedFile& f = *owned;
  f.file = std::move(file);
  f.device = info->device;
  f.inode = info->inode;
  f.state = state;
  f.size = info->size;
  f.grown_ns = Now();
  f.fingerprint = *fp;
  by_id_[f.id()] = &f;
  by_inode_[{f.device, f.inode}] = &f;
  if (state == TailState::kActive) by_path_[f.path()] = &f;
  ++open_files_;
  Changed();
  files_.push_back(std::move(owned));

  // Where to start: the checkpoint of this very file (same inode, head and bytes before the
  // offset), else the stream this file is a copy of (copytruncate), else the configured start for
  // files present at start-up, else the beginning (a new file).
  const uint64_t size = info->size;
  if (Resume(f, size)) return &f;
  if (AdoptStream(f, size, first ? found_keys : nullptr)) return &f;
  const uint64_t start = first && options_.start_at_end ? size : 0;
  f.reader.StartAt(start);
  f.acked_offset = start;
  bytes_total_.fetch_add(size - start, std::memory_order_relaxed);
  // Not resumed and not a known copy: read from 0, unless it is a copy still being made of a file
  // that is about to be truncated (checked once, before its first bytes are read).
  f.check_twin = start == 0 && !first && state == TailState::kActive;
  return &f;
}

bool FileTracker::Resume(TailedFile& f, uint64_t size) {
  auto [lo, hi] = loaded_.equal_range({f.device, f.inode});
  if (lo == hi) return false;
  bool explained = false;
  for (auto it = lo; it != hi; ++it) {
    const FileCheckpoint& c = it->second;
    Result<bool> same = FingerprintMatches(*f.file, {c.fingerprint_len, c.fingerprint});
    if (!same.ok() || !*same) continue;
    if (c.offset > size) {
      // Left to a copy that may hold the lines (ForgetMissing reports them otherwise).
      spdlog::warn(
          "{}: '{}' is shorter ({} bytes) than its checkpoint ({}): truncated while stopped, "
          "reading it again from 0",
          name_, f.path(), size, c.offset);
      explained = true;
      continue;
    }
    Result<bool> marker = OffsetMarkerMatches(*f.file, c.offset, {c.marker_len, c.marker});
    if (!marker.ok() || !*marker) {
      // Same inode and head, other bytes before the offset: a new file that reuses the inode of
      // a deleted one and starts alike (a banner, a CSV header), or one rewritten in place.
      spdlog::warn(
          "{}: '{}' has the inode and first bytes of a file read before, but not the bytes "
          "before its checkpoint (offset {}): it is another file; reading it from 0",
          name_, f.path(), c.offset);
      explained = true;
      continue;
    }
    f.reader.StartAt(c.offset);
    f.acked_offset = c.offset;
    if (size > c.offset) bytes_total_.fetch_add(size - c.offset, std::memory_order_relaxed);
    loaded_.erase(it);
    return true;
  }
  if (!explained) {
    spdlog::info(
        "{}: '{}' reuses the inode of a file seen before but its content differs: reading it as "
        "a new file",
        name_, f.path());
  }
  return false;
}

bool FileTracker::AdoptStream(TailedFile& f, uint64_t size, const std::set<FileKey>* found_keys) {
  // Running: a stream detached from a file just found truncated, whose head this file has.
  for (auto& dp : files_) {
    TailedFile& d = *dp;
    if (d.detached_ns == 0 || d.state != TailState::kClosed || d.fingerprint.len == 0) continue;
    Result<bool> same = FingerprintMatches(*f.file, d.fingerprint);
    if (!same.ok() || !*same) continue;
    ContinueStream(f, d, size);  // erases d from files_: leave the loop
    return true;
  }
  if (found_keys == nullptr) return false;
  // At start: a checkpoint whose file is gone or no longer has that content (truncated while
  // stopped), and this file has its head and the bytes before its offset.
  for (auto it = loaded_.begin(); it != loaded_.end(); ++it) {
    const FileCheckpoint& c = it->second;
    if (found_keys->count(it->first) > 0 && by_inode_.count(it->first) == 0) continue;
    if (c.fingerprint_len == 0 || c.offset == 0 || c.offset > size) continue;
    Result<bool> same = FingerprintMatches(*f.file, {c.fingerprint_len, c.fingerprint});
    if (!same.ok() || !*same) continue;
    Result<bool> marker = OffsetMarkerMatches(*f.file, c.offset, {c.marker_len, c.marker});
    if (!marker.ok() || !*marker) continue;
    spdlog::info(
        "{}: '{}' holds the lines of '{}' (inode {}) up to its checkpoint: a copy made before it "
        "was truncated or removed while logship was stopped; continuing it at offset {}",
        name_, f.path(), c.path, c.inode, c.offset);
    f.reader.StartAt(c.offset);
    f.acked_offset = c.offset;
    bytes_total_.fetch_add(size - c.offset, std::memory_order_relaxed);
    loaded_.erase(it);
    return true;
  }
  return false;
}

void FileTracker::ContinueStream(TailedFile& f, TailedFile& d, uint64_t size) {
  // The copy holds the stream's bytes up to where the copy was made: go on from where the stream
  // was read up to (or the copy's end, if lines were read from the original after the copy), under
  // the stream's id, so that acknowledgements of its lines in flight move this file's checkpoint.
  const uint64_t at = std::min(d.reader.emitted_offset(), size);
  spdlog::info(
      "{}: '{}' is a copy of '{}' made before it was truncated (copytruncate): continuing it at "
      "offset {} instead of reading it again",
      name_, f.path(), d.path(), at);
  by_id_.erase(f.id());
  EventOrigin& origin = f.reader.origin();
  origin.id = d.id();
  origin.file_key = d.reader.origin().file_key;
  origin.batch_generation = 0;
  by_id_[f.id()] = &f;
  f.reader.StartAt(at);
  f.acked_offset = std::min(d.acked_offset, at);
  if (size > at) bytes_total_.fetch_add(size - at, std::memory_order_relaxed);
  f.twin_of = 0;
  f.check_twin = false;
  f.may_have_data = true;
  std::erase_if(files_, [&](const std::unique_ptr<TailedFile>& p) { return p.get() == &d; });
  Changed();
}

// Before the first read of a new file: is it a copy of a file in the same directory that
// copytruncate is about to truncate, or has just truncated? Then it waits for that truncation to be
// seen (and continues the stream then). A new file with no bytes yet is looked at again later.
void FileTracker::CheckTwin(TailedFile& f) {
  f.check_twin = false;
  char mine[kFingerprintBytes];
  Result<size_t> n = f.file->ReadAt(0, mine, sizeof(mine));
  if (!n.ok()) return;
  if (*n == 0) {
    f.check_twin = true;  // empty yet: look again once it has bytes
    return;
  }
  const std::string dir = DirName(f.path());
  for (size_t i = 0; i < files_.size(); ++i) {
    TailedFile& o = *files_[i];
    if (&o == &f || o.file == nullptr || o.twin_of != 0 || o.reader.read_offset() == 0 ||
        o.state != TailState::kActive || DirName(o.path()) != dir) {
      continue;
    }
    // The whole head the original had when last read (it may be truncated already). A file with
    // fewer bytes than that is not taken for a copy: a new file's first few bytes (a date) often
    // equal another's, while logrotate's copy of a file is as long as the original.
    if (o.fingerprint.len == 0 || *n < o.fingerprint.len ||
        Hash64(std::string_view(mine, o.fingerprint.len)) != o.fingerprint.hash) {
      continue;
    }
    f.twin_of = o.id();
    f.twin_since_ns = Now();
    spdlog::info(
        "{}: '{}' starts like '{}': waiting up to rotate_wait for '{}' to be truncated "
        "(copytruncate) before reading it",
        name_, f.path(), o.path(), o.path());
    // Already truncated? Then the copy continues the stream at once.
    CheckTruncation(o);
    return;
  }
}

// Twins whose original was not truncated within rotate_wait (or went away) are files of their own.
void FileTracker::ReleaseTwins() {
  const int64_t now = Now();
  for (auto& fp : files_) {
    TailedFile& f = *fp;
    if (f.twin_of == 0) continue;
    TailedFile* original = Find(f.twin_of);
    bool original_open = original != nullptr && original->file != nullptr;
    if (original_open && now - f.twin_since_ns < options_.rotate_wait.nanos) continue;
    spdlog::info("{}: '{}' is not a copy of a truncated file: reading it from its start", name_,
                 f.path());
    f.twin_of = 0;
    f.may_have_data = true;
  }
}

// ---- Slots under max_open_files ----------------------------------------------------------

size_t FileTracker::SlotsFree() const {
  size_t used = open_files_ + HeldCount();
  return used >= options_.max_open_files ? 0 : options_.max_open_files - used;
}

// Parks up to `want` open files that were read to their end and have not grown for a rescan
// interval, least recently grown first; returns how many.
size_t FileTracker::ParkIdle(size_t want) {
  const int64_t quiet_since = Now() - options_.rescan_interval.nanos;
  std::vector<TailedFile*> idle;
  for (auto& fp : files_) {
    TailedFile& f = *fp;
    if (f.state == TailState::kActive && f.file != nullptr && f.at_end &&
        !f.reader.lines_pending() && f.twin_of == 0 && f.grown_ns <= quiet_since) {
      idle.push_back(&f);
    }
  }
  std::sort(idle.begin(), idle.end(),
            [](const TailedFile* a, const TailedFile* b) { return a->grown_ns < b->grown_ns; });
  size_t n = std::min(want, idle.size());
  for (size_t i = 0; i < n; ++i) Park(*idle[i]);
  return n;
}

void FileTracker::Park(TailedFile& f) {
  // A pending group ships after the descriptor is closed: name the stream while it is open.
  if (f.reader.group_pending()) f.reader.NameStream(*f.file);
  UpdateMarker(f, f.reader.emitted_offset());
  f.file.reset();
  --open_files_;
  f.state = TailState::kParked;
  f.idle_since_ns = Now();  // since when it waits for a slot again
}

void FileTracker::Unpark(TailedFile& f) {
  std::unique_ptr<ReadableFile> file = TakeHeld({f.device, f.inode});
  if (file == nullptr) {
    Result<std::unique_ptr<ReadableFile>> opened = fs_.OpenReadable(f.path());
    if (opened.ok()) file = std::move(*opened);
  }
  if (file == nullptr) return;
  Result<FileInfo> info = file->Stat();
  if (!info.ok() || info->device != f.device || info->inode != f.inode) {
    return;  // replaced since the scan: the next scan sees what is there now
  }
  f.file = std::move(file);
  ++open_files_;
  f.state = TailState::kActive;
  f.may_have_data = true;
  f.at_end = true;  // look for a truncation before reading on
}

// A parked file is no longer at its path. Look for it next to it (renamed out of the include
// patterns) and finish it there; otherwise what it got after it was parked is lost: say so.
void FileTracker::ParkedFileGone(TailedFile& f) {
  const std::string dir = DirName(f.path());
  Result<std::vector<DirEntry>> entries = fs_.ListDir(dir);
  if (entries.ok()) {
    for (const DirEntry& e : *entries) {
      if (e.is_dir) continue;
      std::string path = JoinPath(dir, e.name);
      Result<FileInfo> info = fs_.Stat(path);
      if (!info.ok() || info->device != f.device || info->inode != f.inode) continue;
      UnmapPath(f);
      f.reader.origin().path = path;
      Unpark(f);
      if (f.file != nullptr) {
        f.state = TailState::kOrphaned;
        f.idle_since_ns = 0;
        spdlog::info("{}: '{}' was renamed while waiting for a slot; finishing it", name_, path);
        return;
      }
    }
  }
  if (f.size > f.reader.read_offset()) {
    CountLost(f.path(), f.inode, f.size - f.reader.read_offset(),
              "was removed while parked, waiting for a slot under max_open_files");
  } else {
    // Anything written after the last scan and before the removal cannot be known.
    spdlog::info(
        "{}: '{}' (inode {}) was removed while parked; every line it had when last seen was "
        "shipped",
        name_, f.path(), f.inode);
  }
  by_inode_.erase({f.device, f.inode});
  UnmapPath(f);
  f.state = TailState::kOrphaned;
  FinishOrphan(f);
}

// ---- What cannot be read --------------------------------------------------------------------

uint64_t FileTracker::UnreadBytes(FileKey key, uint64_t size) const {
  auto saved = loaded_.find(key);
  uint64_t from = saved != loaded_.end() ? std::min(saved->second.offset, size) : 0;
  return size - from;
}

void FileTracker::CountLost(const std::string& path, uint64_t inode, uint64_t bytes,
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
void FileTracker::ForgetMissing(const ScanResult& found) {
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
  if (loaded_.size() != keep.size()) Changed();
  loaded_ = std::move(keep);
}

void FileTracker::ReportSkipped(const ScanResult& found, bool first) {
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
void FileTracker::RecoverRotated(const std::set<FileKey>& found_keys) {
  std::map<std::string, std::vector<const FileCheckpoint*>> by_dir;
  for (const auto& [key, c] : loaded_) by_dir[DirName(c.path)].push_back(&c);
  for (const auto& [dir, wanted] : by_dir) {
    Result<std::vector<DirEntry>> entries = fs_.ListDir(dir);
    if (!entries.ok()) continue;
    for (const DirEntry& e : *entries) {
      if (e.is_dir) continue;
      std::string path = JoinPath(dir, e.name);
      Result<FileInfo> info = fs_.Stat(path);
      if (!info.ok() || !info->regular()) continue;
      FileKey key{info->device, info->inode};
      // Open already, or matched by the patterns and waiting for a slot: not rotated away.
      if (by_inode_.count(key) != 0 || found_keys.count(key) != 0) continue;
      bool wanted_here = std::any_of(wanted.begin(), wanted.end(), [&](const FileCheckpoint* c) {
        return c->device == key.first && c->inode == key.second && c->offset < info->size;
      });
      if (!wanted_here || loaded_.count(key) == 0) continue;
      FoundFile ff{path, key.first, key.second, info->size, 0};
      size_t before = loaded_.size();
      TailedFile* f = Open(ff, /*first=*/true, TailState::kOrphaned);
      if (f == nullptr) continue;
      if (loaded_.size() == before) {
        // Opened but not resumed (its content changed): not our file after all.
        Forget(*f);
        f->file.reset();
        f->state = TailState::kClosed;
        f->reader.StartAt(f->acked_offset);
        continue;
      }
      spdlog::info("{}: finishing '{}' (rotated while stopped) from offset {}", name_, path,
                   f->reader.read_offset());
    }
  }
}

// ---- Reading hooks ---------------------------------------------------------------------------

bool FileTracker::BeforeRead(TailedFile& f) {
  if (f.check_twin) CheckTwin(f);
  if (f.twin_of != 0) {
    f.may_have_data = false;  // ReleaseTwins or the original's truncation decides
    return false;
  }
  if (f.at_end) {
    // Back to a file whose end we had reached. Look for a truncation before reading on: one
    // truncated and refilled past our offset meanwhile (copytruncate, then writes) would otherwise
    // be read from the middle of its new content, and the fingerprint then extended over the new
    // head, so that its first lines were never read.
    f.at_end = false;
    CheckTruncation(f);
  }
  return f.file != nullptr;
}

void FileTracker::AfterRead(TailedFile& f, size_t bytes) {
  if (bytes == 0) return;
  f.idle_since_ns = 0;
  f.grown_ns = Now();
  if (f.fingerprint.len < kFingerprintBytes && f.reader.read_offset() > f.fingerprint.len) {
    UpdateFingerprint(f);
  }
}

void FileTracker::OnReadError(TailedFile& f, const Status& error) {
  spdlog::error("{}: reading '{}' failed: {}", name_, f.path(), error.message());
  f.may_have_data = false;
}

void FileTracker::OnEndOfData(TailedFile& f) {
  f.may_have_data = false;
  f.at_end = true;
  if (CheckTruncation(f) == FileCheck::kRestarted) return;
  if (once_ && f.state == TailState::kActive) {
    FinishOnce(f);
    return;
  }
  if (f.state != TailState::kOrphaned) return;
  int64_t now = Now();
  if (f.idle_since_ns == 0) f.idle_since_ns = now;
  if (once_ || now - f.idle_since_ns >= options_.rotate_wait.nanos) FinishOrphan(f);
}

// --once reads each file to its current end: its unterminated last line ships, and when files
// wait for a slot it gives them its own.
void FileTracker::FinishOnce(TailedFile& f) {
  f.reader.ShipUnterminated(f.file.get(), out_);
  if (f.reader.held_bytes() > 0 || deferred_.empty()) return;
  // What --once read is complete: its group too, shipped while the file is open.
  if (!f.reader.FlushGroup(f.file.get(), out_)) return;
  Park(f);
}

void FileTracker::UpdateFingerprint(TailedFile& f) {
  Result<Fingerprint> fp = ComputeFingerprint(*f.file);
  if (fp.ok()) {
    f.fingerprint = *fp;
    Changed();
  }
}

void FileTracker::UpdateMarker(TailedFile& f, uint64_t offset) {
  if (f.marker_offset == offset && (f.marker.len > 0 || offset == 0)) return;
  f.marker_offset = offset;
  f.marker = Fingerprint{};
  if (f.file == nullptr || offset == 0) return;
  Result<Fingerprint> m = ComputeOffsetMarker(*f.file, offset);
  if (m.ok()) f.marker = *m;
}

// Detects copytruncate: the file is now shorter than what we read, or its head changed (it was
// truncated and refilled past our offset before we looked).
FileTracker::FileCheck FileTracker::CheckTruncation(TailedFile& f) {
  if (f.file == nullptr) return FileCheck::kMaybeMore;
  Result<FileInfo> info = f.file->Stat();
  if (!info.ok()) return FileCheck::kMaybeMore;
  f.size = info->size;
  if (info->size < f.reader.read_offset()) {
    Restart(f, "truncated");
    return FileCheck::kRestarted;
  }
  if (f.fingerprint.len > 0) {
    Result<bool> same = FingerprintMatches(*f.file, f.fingerprint);
    if (!same.ok()) return FileCheck::kMaybeMore;
    if (!*same) {
      Restart(f, "rewritten from its start");
      return FileCheck::kRestarted;
    }
  }
  return info->size == f.reader.read_offset() ? FileCheck::kNothingNew : FileCheck::kMaybeMore;
}

void FileTracker::Restart(TailedFile& f, const char* why) {
  spdlog::warn("{}: '{}' was {} (read up to offset {}): reading it again from 0", name_, f.path(),
               why, f.reader.read_offset());
  // Lines read before the truncation and not shipped yet (a full batch stopped them, or a
  // multiline group waits) are the old stream's: ship them (under the old id, so their
  // acknowledgement cannot move the new checkpoint). Only a stopping pipeline (no batch) drops
  // them, unacknowledged.
  if (f.reader.ShipPendingLines(f.file.get(), out_)) f.reader.FlushGroup(f.file.get(), out_);
  // The stream read so far is detached under its id: its checkpoint is kept (a copy of it, found
  // with its head, continues it: copytruncate with the copies in the glob), and its
  // acknowledgements cannot move the new checkpoint.
  const uint64_t old_id = f.id();
  TailedFile* detached = nullptr;
  if (f.reader.emitted_offset() > 0) {
    auto d = std::make_unique<TailedFile>(options_, old_id, f.path());
    d->reader.StartAt(f.reader.emitted_offset());
    d->reader.origin().file_key = f.reader.origin().file_key;
    d->device = f.device;
    d->inode = f.inode;
    d->fingerprint = f.fingerprint;
    d->acked_offset = f.acked_offset;
    d->marker = f.marker;
    d->marker_offset = f.marker_offset;
    d->size = std::max(f.size, f.reader.emitted_offset());
    d->state = TailState::kClosed;
    d->detached_ns = Now();
    detached = d.get();
    by_id_[old_id] = detached;
    files_.push_back(std::move(d));
  } else {
    by_id_.erase(old_id);
  }
  f.reader.Restart(next_id_++);
  by_id_[f.id()] = &f;
  f.acked_offset = 0;
  f.may_have_data = true;
  f.marker = Fingerprint{};
  f.marker_offset = 0;
  Result<Fingerprint> fp = ComputeFingerprint(*f.file);
  f.fingerprint = fp.ok() ? *fp : Fingerprint{};
  Changed();
  if (detached == nullptr) return;
  // A copy found before the truncation was seen (waiting for it, or not read yet) continues the
  // stream now.
  for (auto& tp : files_) {
    TailedFile& t = *tp;
    if (t.file == nullptr || &t == &f) continue;
    if (t.twin_of != old_id) {
      if (!t.check_twin || t.reader.read_offset() != 0) continue;
      Result<bool> same = FingerprintMatches(*t.file, detached->fingerprint);
      if (!same.ok() || !*same) continue;
    }
    Result<FileInfo> info = t.file->Stat();
    ContinueStream(t, *detached, info.ok() ? info->size : 0);  // erases `detached`: leave
    return;
  }
}

void FileTracker::FinishOrphan(TailedFile& f) {
  // A renamed or deleted file will not get its last newline: ship what it ends with.
  if (!f.reader.ShipUnterminated(f.file.get(), out_)) return;         // stopping
  if (f.reader.held_bytes() > 0 || f.reader.lines_pending()) return;  // lines to finish first
  // Its group can get no more lines: ship it before closing.
  if (!f.reader.FlushGroup(f.file.get(), out_)) return;
  // The marker of where its acknowledgements will end, while the descriptor is still open.
  UpdateMarker(f, f.reader.emitted_offset());
  Forget(f);
  f.file.reset();
  f.state = TailState::kClosed;
  Changed();
}

void FileTracker::Forget(TailedFile& f) {
  auto it = by_inode_.find({f.device, f.inode});
  if (it != by_inode_.end() && it->second == &f) by_inode_.erase(it);
  UnmapPath(f);
  if (f.file != nullptr) --open_files_;
  f.twin_of = 0;
}

void FileTracker::UnmapPath(TailedFile& f) {
  auto it = by_path_.find(f.path());
  if (it != by_path_.end() && it->second == &f) by_path_.erase(it);
}

void FileTracker::DropFinished() {
  if (open_files_ == files_.size()) return;  // no closed file waits for its acknowledgements
  // Closed files leave once everything read from them is acknowledged; a stream detached by a
  // truncation stays at least rotate_wait, for its copy to continue it.
  const int64_t now = Now();
  std::erase_if(files_, [this, now](const std::unique_ptr<TailedFile>& f) {
    if (f->state != TailState::kClosed || f->acked_offset < f->reader.emitted_offset()) {
      return false;
    }
    if (f->detached_ns != 0 && now - f->detached_ns < options_.rotate_wait.nanos) return false;
    auto it = by_id_.find(f->id());
    if (it != by_id_.end() && it->second == f.get()) by_id_.erase(it);
    Changed();
    return true;
  });
}

// ---- The discovery thread ---------------------------------------------------------------------

void FileTracker::HoldNewFiles() {
  const int interval_ms = static_cast<int>(options_.rescan_interval.millis());
  const int64_t interval_ns = options_.rescan_interval.nanos;
  bool scan = true;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(hold_mu_);
      if (hold_stop_) return;
    }
    if (scan) HoldFound();
    // Sleeps until a file is created, moved or deleted under the patterns (or rescan_interval).
    // Writes to files do not wake it: this watcher does not ask for them. On a timeout (inotify
    // may have missed something) it rescans only if the reader missed its own rescan, being
    // blocked by back-pressure (half an interval late: the two timers drift): while the reader
    // scans, its rescans find new files too, and a second rescan of every file finds nothing more.
    WatchEvents ev = hold_watcher_.Wait(interval_ms);
    const int64_t since_reader_scan = Now() - last_scan_ns_.load(std::memory_order_relaxed);
    scan = ev.rescan || since_reader_scan >= interval_ns + interval_ns / 2;
  }
}

void FileTracker::HoldFound() {
  ScanResult found = hold_scanner_.Scan();
  for (const std::string& dir : found.dirs) hold_watcher_.WatchDir(dir);
  std::lock_guard<std::mutex> lock(hold_mu_);
  if (hold_stop_) return;
  for (const FoundFile& ff : found.files) {
    FileKey key{ff.device, ff.inode};
    if (known_.count(key) > 0 || held_.count(key) > 0) continue;
    if (open_files_ + held_.size() >= options_.max_open_files) break;
    Result<std::unique_ptr<ReadableFile>> file = fs_.OpenReadable(ff.path);
    if (!file.ok()) continue;
    Result<FileInfo> info = (*file)->Stat();
    if (!info.ok() || info->inode != ff.inode || info->device != ff.device) {
      continue;  // replaced between the scan and the open: the next scan sees the new one
    }
    held_.emplace(key, HeldFile{std::move(*file), ff.path});
    spdlog::debug("{}: holding '{}' open until the reader takes it", name_, ff.path);
  }
}

void FileTracker::PublishKnownFiles() {
  std::lock_guard<std::mutex> lock(hold_mu_);
  known_.clear();
  for (const auto& [key, f] : by_inode_) known_.insert(key);
}

std::unique_ptr<ReadableFile> FileTracker::TakeHeld(FileKey key) {
  std::lock_guard<std::mutex> lock(hold_mu_);
  auto it = held_.find(key);
  if (it == held_.end()) return nullptr;
  std::unique_ptr<ReadableFile> file = std::move(it->second.file);
  held_.erase(it);
  return file;
}

bool FileTracker::IsHeld(FileKey key) const {
  std::lock_guard<std::mutex> lock(hold_mu_);
  return held_.count(key) > 0;
}

size_t FileTracker::HeldCount() const {
  std::lock_guard<std::mutex> lock(hold_mu_);
  return held_.size();
}

}  // namespace logship
