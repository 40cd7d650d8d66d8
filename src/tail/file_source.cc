// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/tail/batch_filler.h"
#include "src/tail/checkpoint_keeper.h"
#include "src/tail/file_reader.h"
#include "src/tail/file_tracker.h"

namespace logship {
namespace {

// The `type: file` input: one thread that reads the files its FileTracker follows with their
// FileReaders into one BatchFiller, and moves checkpoints with its CheckpointKeeper.
class FileSource final : public Source {
 public:
  FileSource(FileInputOptions options, const PluginContext& ctx)
      : options_(std::move(options)),
        name_(ctx.component),
        data_dir_(ctx.data_dir),
        clock_(ctx.clock != nullptr ? ctx.clock : &RealClock()),
        keeper_(options_, data_dir_, name_, *clock_, PosixFileSystem()) {}

  ~FileSource() override {
    StopReading();
    Join();
    if (metrics_ != nullptr && collector_id_ != 0) metrics_->RemoveCollector(collector_id_);
  }

  Status Start(SourceContext& ctx) override;
  void StopReading() override {
    stop_.store(true, std::memory_order_relaxed);
    if (tracker_) tracker_->Stop();
  }
  void Join() override {
    if (thread_.joinable()) thread_.join();
  }
  Status Finish() override;
  SourceProgress progress() const override {
    return SourceProgress{bytes_read_.load(std::memory_order_relaxed),
                          tracker_ ? tracker_->bytes_total() : 0, filler_ ? filler_->events() : 0};
  }
  std::vector<InputFileStatus> Files() const override {
    std::lock_guard<std::mutex> lock(status_mu_);
    return status_;
  }
  std::string Problem() const override { return keeper_.problem(); }

 private:
  void Run();
  // One read of f; true when it read something.
  bool Read(TailedFile& f);
  // Moves acknowledged offsets, and forgets closed files whose lines are all acknowledged.
  void ApplyAcks();
  // Multiline: ships the groups that timed out at files that reached their end; recomputes
  // next_group_deadline_.
  void FlushDueGroups();
  // End of --once: ships every pending group.
  void FlushAllGroups();
  // Publishes the files for Files() (and the lag gauges) at most once a second, or now if
  // `force`.
  void PublishStatus(bool force);
  // Writes this input's gauges and counters during a scrape (any thread).
  void Collect(ScrapeWriter& w) const;
  int64_t Now() const { return clock_->MonotonicNanos(); }

  const FileInputOptions options_;
  const std::string name_;
  const std::string data_dir_;
  Clock* clock_;
  CheckpointKeeper keeper_;
  SourceContext* ctx_ = nullptr;
  std::optional<BatchFiller> filler_;
  std::unique_ptr<FileTracker> tracker_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool once_ = false;
  std::vector<char> buffer_;  // shared by every reader of this thread
  // Multiline: no group times out before this (monotonic); at most the earliest real deadline.
  int64_t next_group_deadline_ = MultilineJoiner::kNoDeadline;

  // Status for /status and /metrics: published by the source thread, read by the scraper.
  mutable std::mutex status_mu_;
  std::vector<InputFileStatus> status_;  // guarded by status_mu_
  bool status_stale_ = true;             // files changed since the last publication
  int64_t next_status_ns_ = 0;
  MetricsRegistry* metrics_ = nullptr;
  int collector_id_ = 0;
  std::atomic<uint64_t> bytes_read_{0};
};

Status FileSource::Start(SourceContext& ctx) {
  ctx_ = &ctx;
  once_ = ctx.once();
  Result<std::multimap<FileKey, FileCheckpoint>> loaded =
      keeper_.Open(ctx.sink_count(), &ctx.ack_latency());
  if (!loaded.ok()) return loaded.status();
  // While every batch is in flight (slow sinks), checkpoints keep moving.
  filler_.emplace(ctx, *clock_, stop_, &keeper_.tracker(), [this] {
    keeper_.TakeAcks([this](uint64_t id) { return tracker_->Find(id); });
    keeper_.SaveIfDue(tracker_->files(), tracker_->loaded(), false);
  });
  tracker_ = std::make_unique<FileTracker>(options_, name_, *clock_, PosixFileSystem(), once_,
                                           *filler_, keeper_, std::move(*loaded));
  metrics_ = &ctx.metrics();
  collector_id_ = metrics_->AddCollector([this](ScrapeWriter& w) { Collect(w); });
  buffer_.resize(FileReader::BufferBytes(options_));
  thread_ = std::thread([this] { Run(); });
  if (!once_) tracker_->StartDiscovery();
  return Status::Ok();
}

Status FileSource::Finish() {
  Join();
  if (!tracker_) return Status::Ok();  // never started: nothing read, nothing to save
  ApplyAcks();
  keeper_.SaveIfDue(tracker_->files(), tracker_->loaded(), /*force=*/true);
  PublishStatus(/*force=*/true);
  // What was delivered but could not be checkpointed will be read again: not a clean stop.
  const Status& st = keeper_.last_status();
  if (!st.ok()) return st.WithContext(name_ + ": saving checkpoints");
  return Status::Ok();
}

void FileSource::Run() {
  tracker_->Scan(/*first=*/true);
  const int64_t interval = options_.rescan_interval.nanos;
  int64_t next_scan = Now() + interval;
  while (!stop_.load(std::memory_order_relaxed)) {
    bool progress = false;
    // Index loop: a read may detach a stream (append to files()); nothing erases during a round.
    std::vector<std::unique_ptr<TailedFile>>& files = tracker_->files();
    for (size_t i = 0; i < files.size() && !stop_.load(std::memory_order_relaxed); ++i) {
      TailedFile& f = *files[i];
      if (f.file != nullptr && f.may_have_data && Read(f)) {
        progress = true;
        // The rest of a block a full batch cut is shipped before the next file's turn: otherwise
        // every file of a large set could hold a block's worth of lines at once.
        while (f.reader.lines_pending() && !stop_.load(std::memory_order_relaxed) && Read(f)) {
        }
      }
    }
    ApplyAcks();
    keeper_.SaveIfDue(tracker_->files(), tracker_->loaded(), false);
    if (progress) status_stale_ = true;
    PublishStatus(false);
    if (next_group_deadline_ != MultilineJoiner::kNoDeadline && Now() >= next_group_deadline_) {
      FlushDueGroups();
    }
    filler_->EmitIfOld();
    if (progress) {
      if (!once_ && Now() >= next_scan) {
        tracker_->Scan(false);
        next_scan = Now() + interval;
      }
      continue;
    }
    // Nothing more to read right now. --once: what exists is read, so the groups still waiting
    // for more lines are complete (documented: a trace the file continues later is split), and
    // files waiting for a slot under max_open_files take the slots of the files read.
    if (once_) {
      FlushAllGroups();
      if (tracker_->OpenDeferred()) continue;
      filler_->Emit();
      break;
    }
    // Tailing: the batch waits for more lines until it is full or batch.timeout after its first
    // event (EmitIfOld). Shipping it at once would cost a stage run, a sink write with its fsync
    // and an acknowledgement for every write the application makes (100 a second for a logger
    // that flushes every 10 ms), where one per batch.timeout carries the same lines. Its lines are
    // not acknowledged meanwhile, so a crash reads them again: the wait costs latency, never data.
    // For the same reason writes do not wake this thread while a batch waits: it sleeps until the
    // batch is due and then reads everything written meanwhile, one wake-up instead of one per
    // write. (The files stay open, so a rename or a deletion meanwhile loses nothing.)
    const bool batch_waiting = filler_->deadline_ns() != BatchFiller::kNoDeadline;
    int64_t now = Now();
    int64_t wake = std::min({next_scan, next_group_deadline_, filler_->deadline_ns()});
    if (keeper_.dirty()) wake = std::min(wake, keeper_.next_save_ns());
    if (status_stale_) wake = std::min(wake, next_status_ns_);
    // Acknowledgements arrive from sink threads: look for them on the checkpoint interval.
    if (keeper_.tracker().in_flight() > 0) {
      wake = std::min(wake, now + options_.checkpoint_interval.nanos);
    }
    int timeout_ms = static_cast<int>(std::max<int64_t>(0, (wake - now) / 1'000'000) + 1);
    bool rescan = tracker_->Wait(timeout_ms, /*until_event=*/!batch_waiting);
    if (rescan || Now() >= next_scan) {
      tracker_->Scan(false);
      next_scan = Now() + interval;
    }
  }
  filler_->Emit();
  filler_->Release();
}

bool FileSource::Read(TailedFile& f) {
  if (!tracker_->BeforeRead(f)) return false;
  FileReader::ReadResult r = f.reader.ReadSome(*f.file, *filler_, buffer_);
  bytes_read_.fetch_add(r.bytes, std::memory_order_relaxed);
  switch (r.status) {
    case FileReader::Status::kData:
      tracker_->AfterRead(f, r.bytes);
      next_group_deadline_ = std::min(next_group_deadline_, f.reader.group_deadline());
      return true;
    case FileReader::Status::kEnd:
      tracker_->OnEndOfData(f);
      return false;
    case FileReader::Status::kError:
      tracker_->OnReadError(f, r.error);
      return false;
    case FileReader::Status::kStopped:
      return false;
  }
  return false;
}

void FileSource::ApplyAcks() {
  if (keeper_.TakeAcks([this](uint64_t id) { return tracker_->Find(id); })) status_stale_ = true;
  tracker_->DropFinished();
}

void FileSource::FlushDueGroups() {
  const int64_t now = Now();
  int64_t next = MultilineJoiner::kNoDeadline;
  for (auto& fp : tracker_->files()) {
    TailedFile& f = *fp;
    if (!f.reader.group_pending()) continue;
    // A group times out only at the end of what its file holds: lines read but not split yet,
    // or not read yet, would have joined it.
    if (!f.may_have_data && !f.reader.lines_pending() &&
        f.reader.FlushGroupIfDue(f.file.get(), *filler_, now) && !f.reader.group_pending()) {
      continue;
    }
    next = std::min(next, f.reader.group_deadline());
  }
  next_group_deadline_ = next;
}

void FileSource::FlushAllGroups() {
  for (auto& fp : tracker_->files()) {
    if (!fp->reader.FlushGroup(fp->file.get(), *filler_)) return;
  }
  next_group_deadline_ = MultilineJoiner::kNoDeadline;
}

void FileSource::PublishStatus(bool force) {
  int64_t now = Now();
  if (!force && (!status_stale_ || now < next_status_ns_)) return;
  next_status_ns_ = now + 1'000'000'000;
  status_stale_ = false;
  std::vector<InputFileStatus> files;
  files.reserve(tracker_->files().size());
  for (const auto& f : tracker_->files()) {
    InputFileStatus s;
    s.path = f->path();
    s.inode = f->inode;
    s.size = f->reader.read_offset();
    if (f->file != nullptr) {
      Result<FileInfo> info = f->file->Stat();
      if (info.ok()) f->size = s.size = info->size;
    }
    s.acked_offset = f->acked_offset;
    // An unterminated last line is held until its newline (or the file's rotation) arrives.
    s.held_bytes = f->reader.held_bytes();
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
            static_cast<double>(filler_ ? filler_->events() : 0));
  w.Counter("logship_files_lost_total",
            "Files with unread lines that disappeared before they could be read: while waiting "
            "for a slot under max_open_files, or moved away or removed while logship was stopped.",
            labels, static_cast<double>(tracker_->files_lost()));
  w.Counter("logship_bytes_lost_total", "Bytes of those files that were never shipped (at least).",
            labels, static_cast<double>(tracker_->bytes_lost()));
  w.Counter("logship_paths_skipped_total",
            "Paths the include patterns match that are not regular files (FIFOs, sockets, "
            "directories), each counted once.",
            labels, static_cast<double>(tracker_->paths_skipped()));
  w.Gauge("logship_open_files", "Files an input holds open.", labels,
          static_cast<double>(tracker_->open_files()));
  std::lock_guard<std::mutex> lock(status_mu_);
  for (const InputFileStatus& f : status_) {
    Labels fl = {{"pipeline", pipeline}, {"input", options_.id}, {"file", f.path}};
    uint64_t lag = f.size > f.acked_offset ? f.size - f.acked_offset : 0;
    w.Gauge("logship_checkpoint_lag_bytes",
            "Per file: its size minus the acknowledged offset (bytes not yet delivered).", fl,
            static_cast<double>(lag));
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
