// SPDX-License-Identifier: Apache-2.0
#include "src/replay/replay_source.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "src/event/utf8.h"
#include "src/tail/file_key.h"
#include "src/tail/line_splitter.h"
#include "src/tail/multiline_joiner.h"

namespace logship {
namespace {

class ReplaySource final : public Source {
 public:
  ReplaySource(const FileInputOptions& options, std::vector<ReplayFile> files, std::string name,
               Clock& clock)
      : options_(options), files_(std::move(files)), name_(std::move(name)), clock_(clock) {}
  ~ReplaySource() override {
    StopReading();
    Join();
  }

  Status Start(SourceContext& ctx) override {
    ctx_ = &ctx;
    uint64_t total = 0;
    for (const ReplayFile& f : files_) total += f.to - f.from;
    bytes_total_.store(total, std::memory_order_relaxed);
    buffer_size_ = options_.max_line_bytes + 1 + options_.read_buffer_bytes;
    buffer_ = std::make_unique_for_overwrite<char[]>(buffer_size_);
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }
  void StopReading() override { stop_.store(true, std::memory_order_relaxed); }
  void Join() override {
    if (thread_.joinable()) thread_.join();
  }
  // Nothing to save: a replay never moves a checkpoint.
  Status Finish() override { return Status::Ok(); }
  SourceProgress progress() const override {
    return SourceProgress{bytes_read_.load(std::memory_order_relaxed),
                          bytes_total_.load(std::memory_order_relaxed),
                          events_.load(std::memory_order_relaxed)};
  }

 private:
  // The file being replayed, as AddLine needs it.
  struct Current {
    const ReplayFile* file = nullptr;
    uint64_t id = 0;
    uint64_t key = 0;
  };

  void Run() {
    for (size_t i = 0; i < files_.size() && !stopping(); ++i) Replay(files_[i], i + 1);
    EmitBatch();
    // Give the (empty) batch back: the pipeline counts batches in use to know all was delivered.
    batch_.reset();
  }
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  // Opens `f` and checks it is still the planned file; -1 (logged) otherwise.
  int Open(const ReplayFile& f) {
    int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      spdlog::warn("{}: cannot open '{}': {}; not replayed", name_, f.path, std::strerror(errno));
      return -1;
    }
    struct stat st;
    Result<bool> same = FingerprintMatches(fd, f.path, f.fingerprint);
    if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_dev) != f.device ||
        static_cast<uint64_t>(st.st_ino) != f.inode || !same.ok() || !*same) {
      spdlog::warn(
          "{}: '{}' is not the file planned any more (renamed or rewritten since); not "
          "replayed",
          name_, f.path);
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void Replay(const ReplayFile& f, uint64_t id) {
    int fd = Open(f);
    if (fd < 0) {
      bytes_read_.fetch_add(f.to - f.from, std::memory_order_relaxed);  // counted as done
      return;
    }
    Current cur{&f, id, ComputeFileKey(fd, f.device, f.inode)};
    LineSplitter splitter(SplitterMaxLine());
    std::unique_ptr<MultilineJoiner> joiner;
    if (options_.multiline) {
      joiner = std::make_unique<MultilineJoiner>(*options_.multiline);
      // As the file input does when it resumes from a checkpoint.
      if (f.from > 0) joiner->StartMidFile();
    }
    char* buf = buffer_.get();
    uint64_t read_offset = f.from;
    uint64_t split_offset = f.from;
    size_t pending = 0;
    while (!stopping()) {
      size_t room = std::min<uint64_t>(options_.read_buffer_bytes, f.to - read_offset);
      room = std::min(room, buffer_size_ - pending);
      ssize_t n = 0;
      if (room > 0) {
        do {
          n = ::pread(fd, buf + pending, room, static_cast<off_t>(read_offset));
        } while (n < 0 && errno == EINTR);
      }
      if (n < 0) {
        spdlog::error("{}: reading '{}' failed at offset {}: {}", name_, f.path, read_offset,
                      std::strerror(errno));
        break;
      }
      if (n == 0) {
        if (read_offset < f.to) {
          spdlog::warn("{}: '{}' ends at offset {}, before the window's end {}", name_, f.path,
                       read_offset, f.to);
        }
        break;
      }
      read_offset += static_cast<uint64_t>(n);
      bytes_read_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      std::string_view data(buf, pending + static_cast<size_t>(n));
      size_t consumed = SplitAll(cur, splitter, joiner.get(), data, split_offset);
      if (consumed == SIZE_MAX) break;  // stopping
      split_offset += consumed;
      pending = data.size() - consumed;
      std::memmove(buf, data.data() + consumed, pending);
    }
    // The window ends at an acknowledged offset: bytes left before it were shipped as the
    // unterminated last line of a file closed after a rotation, so they are shipped as that
    // (unless the window was not read to its end: then they are only the start of a line).
    if (!stopping() && pending > 0 && read_offset == f.to && EnsureBatch()) {
      std::string_view rest(buf, pending);
      uint32_t tags = IsValidUtf8(rest) ? 0u : uint32_t{kTagInvalidUtf8};
      if (splitter.in_long_line()) tags |= kTagTruncated;
      Add(cur, joiner.get(), rest, split_offset, split_offset + pending, tags);
      if (BatchFull()) EmitBatch();
    }
    if (!stopping() && joiner != nullptr && joiner->pending() && EnsureBatch()) {
      read_time_ns_ = clock_.NowUnixNanos();
      joiner->FlushAll(
          [&](const JoinedEvent& e) { AddLine(cur, e.text, e.offset, e.next_offset, e.tags); });
      if (BatchFull()) EmitBatch();
    }
    ::close(fd);
  }

  // Splits `data` (starting at file offset `offset`) into lines, emitting full batches on the
  // way; returns the bytes consumed (the rest is an incomplete line), or SIZE_MAX when stopping.
  size_t SplitAll(const Current& cur, LineSplitter& splitter, MultilineJoiner* joiner,
                  std::string_view data, uint64_t offset) {
    read_time_ns_ = clock_.NowUnixNanos();
    // One validation per block; per-line checks only when the block has invalid bytes.
    const bool all_valid = IsValidUtf8(data);
    size_t consumed = 0;
    while (true) {
      if (!EnsureBatch()) return SIZE_MAX;
      bool full = false;
      consumed += splitter.Split(
          data.substr(consumed), offset + consumed,
          [&](std::string_view line, uint64_t line_offset, uint64_t next, bool truncated) {
            uint32_t tags = truncated ? uint32_t{kTagTruncated} : 0u;
            if (!all_valid && !IsValidUtf8(line)) tags |= kTagInvalidUtf8;
            Add(cur, joiner, line, line_offset, next, tags);
            full = BatchFull();
            return !full;
          });
      if (!full) return consumed;
      EmitBatch();
    }
  }

  void Add(const Current& cur, MultilineJoiner* joiner, std::string_view line, uint64_t offset,
           uint64_t next, uint32_t tags) {
    if (joiner == nullptr) {
      AddLine(cur, line, offset, next, tags);
      return;
    }
    joiner->Add(line, offset, next, tags, clock_.MonotonicNanos(), [&](const JoinedEvent& e) {
      AddLine(cur, e.text, e.offset, e.next_offset, e.tags);
    });
  }

  // As FileSource::AddLine: one BatchSource per file per batch, the event's fields the same.
  void AddLine(const Current& cur, std::string_view line, uint64_t offset, uint64_t next,
               uint32_t tags) {
    Batch& b = *batch_;
    if (b.sources().empty() || b.sources().back().file_id != cur.id) {
      b.sources().push_back(BatchSource{cur.id, b.arena().Copy(cur.file->path), next, cur.key});
    }
    b.sources().back().end_offset = next;
    Event& e = b.AddEvent();
    e.message = b.arena().Copy(line);
    e.timestamp_ns = read_time_ns_;
    e.offset = offset;
    e.source = static_cast<uint32_t>(b.sources().size() - 1);
    e.tags = tags;
    events_.fetch_add(1, std::memory_order_relaxed);
  }

  size_t SplitterMaxLine() const {
    return options_.multiline ? std::min(options_.max_line_bytes, options_.multiline->max_bytes)
                              : options_.max_line_bytes;
  }
  bool EnsureBatch() {
    while (!batch_) {
      if (stopping()) return false;
      batch_ = ctx_->AcquireBatch(100);
    }
    return true;
  }
  bool BatchFull() const {
    return batch_->events().size() >= ctx_->batch_max_events() ||
           batch_->payload_bytes() >= ctx_->batch_max_bytes();
  }
  void EmitBatch() {
    if (!batch_ || batch_->events().empty()) return;
    ctx_->Emit(std::move(batch_));
    batch_ = MutableBatch(nullptr, BatchPool::Returner{});
  }

  const FileInputOptions options_;
  const std::vector<ReplayFile> files_;
  const std::string name_;
  Clock& clock_;
  SourceContext* ctx_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<char[]> buffer_;
  size_t buffer_size_ = 0;
  MutableBatch batch_{nullptr, BatchPool::Returner{}};
  int64_t read_time_ns_ = 0;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> bytes_total_{0};
  std::atomic<uint64_t> events_{0};
};

}  // namespace

std::unique_ptr<Source> MakeReplaySource(const FileInputOptions& options,
                                         std::vector<ReplayFile> files, std::string name,
                                         Clock& clock) {
  return std::make_unique<ReplaySource>(options, std::move(files), std::move(name), clock);
}

}  // namespace logship
