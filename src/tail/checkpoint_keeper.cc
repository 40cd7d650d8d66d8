// SPDX-License-Identifier: Apache-2.0
#include "src/tail/checkpoint_keeper.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace logship {

CheckpointKeeper::CheckpointKeeper(const FileInputOptions& options, std::string data_dir,
                                   std::string name, Clock& clock, FileSystem& fs)
    : options_(options),
      data_dir_(std::move(data_dir)),
      name_(std::move(name)),
      clock_(clock),
      fs_(fs) {}

Result<std::multimap<FileKey, FileCheckpoint>> CheckpointKeeper::Open(int sink_count,
                                                                      Histogram* ack_latency) {
  tracker_ = std::make_unique<AckTracker>(sink_count, ack_latency);
  Result<CheckpointStore> store =
      CheckpointStore::Open(fs_, data_dir_, options_.id + ".checkpoints");
  if (!store.ok()) return store.status().WithContext(name_);
  store_.emplace(std::move(*store));
  Result<LoadedCheckpoints> loaded = store_->Load();
  // A store that exists but cannot be read is never silently reset: the operator decides.
  if (!loaded.ok()) return loaded.status().WithContext(name_);
  for (const std::string& problem : loaded->problems) spdlog::warn("{}: {}", name_, problem);
  std::multimap<FileKey, FileCheckpoint> out;
  for (FileCheckpoint& c : loaded->checkpoints.files) {
    FileKey key{c.device, c.inode};
    out.emplace(key, std::move(c));
  }
  if (!loaded->loaded_from.empty()) {
    spdlog::info("{}: resuming {} files from '{}'", name_, out.size(), loaded->loaded_from);
  }
  if (options_.checkpoint_history.keep > 0) {
    Result<CheckpointHistory> history = CheckpointHistory::Open(
        fs_, data_dir_, options_.id + ".checkpoints", options_.checkpoint_history);
    // Without history the input still runs: only replays from later snapshots are lost.
    if (history.ok()) {
      history_.emplace(std::move(*history));
    } else {
      spdlog::warn("{}: checkpoint history: {}", name_, history.status().message());
    }
  }
  // The state at start, before anything is read: what this run acknowledges comes after it.
  SnapshotIfDue({}, out);
  return out;
}

bool CheckpointKeeper::TakeAcks(const std::function<TailedFile*(uint64_t id)>& find) {
  committed_.clear();
  if (tracker_ == nullptr || tracker_->TakeCommitted(&committed_) == 0) return false;
  bool moved = false;
  for (const CommittedPosition& p : committed_) {
    TailedFile* f = find(p.file_id);
    if (f == nullptr) continue;  // a stream restarted or forgotten since
    // Clamped: a copy continuing a stream may be shorter than what was read of the original.
    uint64_t end = std::min(p.end_offset, f->reader.emitted_offset());
    if (end > f->acked_offset) {
      f->acked_offset = end;
      moved = true;
    }
  }
  // Only a checkpoint that moved is worth a save (a write, two fsyncs, two renames).
  if (moved) dirty_ = true;
  return moved;
}

Checkpoints CheckpointKeeper::Snapshot(const std::vector<std::unique_ptr<TailedFile>>& files,
                                       const std::multimap<FileKey, FileCheckpoint>& loaded) const {
  Checkpoints c;
  c.files.reserve(files.size() + loaded.size());
  for (const auto& f : files) {
    FileCheckpoint fc{f->device,           f->inode,        f->fingerprint.len,
                      f->fingerprint.hash, f->acked_offset, f->path()};
    if (f->marker_offset == f->acked_offset) {
      fc.marker_len = f->marker.len;
      fc.marker = f->marker.hash;
    }
    fc.size = std::max(f->size, f->reader.read_offset());
    c.files.push_back(std::move(fc));
  }
  for (const auto& [key, saved] : loaded) c.files.push_back(saved);
  c.saved_unix_nanos = clock_.NowUnixNanos();
  return c;
}

void CheckpointKeeper::SnapshotIfDue(const std::vector<std::unique_ptr<TailedFile>>& files,
                                     const std::multimap<FileKey, FileCheckpoint>& loaded) {
  if (!history_) return;
  int64_t now = clock_.MonotonicNanos();
  if (now < next_history_check_ns_) return;
  int64_t unix_now = clock_.NowUnixNanos();
  if (history_->Due(unix_now)) {
    // Not fatal, like a late checkpoint: only the history has a gap.
    Status st = history_->Take(Snapshot(files, loaded), unix_now);
    if (!st.ok()) spdlog::warn("{}: checkpoint history: {}", name_, st.message());
  }
  next_history_check_ns_ = now + history_->UntilNextInterval(unix_now);
}

void CheckpointKeeper::SaveIfDue(std::vector<std::unique_ptr<TailedFile>>& files,
                                 const std::multimap<FileKey, FileCheckpoint>& loaded, bool force) {
  SnapshotIfDue(files, loaded);
  if (!dirty_ || !store_) return;
  int64_t now = clock_.MonotonicNanos();
  if (!force && now < next_save_ns_) return;
  next_save_ns_ = now + options_.checkpoint_interval.nanos;
  // The bytes each checkpoint resumes after, so that a restart can tell it is the same file.
  // A closed or parked file keeps the marker taken when its descriptor was closed (of where its
  // acknowledgements end).
  for (auto& f : files) {
    if (f->file == nullptr) continue;
    if (f->marker_offset == f->acked_offset && (f->marker.len > 0 || f->acked_offset == 0)) {
      continue;
    }
    f->marker_offset = f->acked_offset;
    f->marker = Fingerprint{};
    if (f->acked_offset == 0) continue;
    Result<Fingerprint> m = ComputeOffsetMarker(*f->file, f->acked_offset);
    if (m.ok()) f->marker = *m;
  }
  last_status_ = store_->Save(Snapshot(files, loaded));
  {
    std::lock_guard<std::mutex> lock(mu_);
    problem_ = last_status_.ok() ? "" : std::string(last_status_.message());
  }
  if (last_status_.ok()) {
    dirty_ = false;
    return;
  }
  // Keep reading: the checkpoint only lags, and lines are never lost by a late checkpoint.
  if (force || now - last_error_log_ns_ > 10'000'000'000) {
    last_error_log_ns_ = now;
    spdlog::error("{}: saving checkpoints failed: {}", name_, last_status_.message());
  }
}

}  // namespace logship
