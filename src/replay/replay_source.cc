// SPDX-License-Identifier: Apache-2.0
#include "src/replay/replay_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include "src/base/file_system.h"
#include "src/tail/batch_filler.h"
#include "src/tail/file_reader.h"
#include "src/tail/fingerprint.h"

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
    uint64_t total = 0;
    for (const ReplayFile& f : files_) total += f.to - f.from;
    bytes_total_.store(total, std::memory_order_relaxed);
    buffer_.resize(FileReader::BufferBytes(options_));
    // No acknowledgements: a replay never moves a checkpoint.
    filler_.emplace(ctx, clock_, stop_, /*tracker=*/nullptr);
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
                          filler_ ? filler_->events() : 0};
  }

 private:
  void Run() {
    for (size_t i = 0; i < files_.size() && !stopping(); ++i) Replay(files_[i], i + 1);
    filler_->Emit();
    filler_->Release();
  }
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  // Opens `f` and checks it is still the planned file; null (logged) otherwise.
  std::unique_ptr<ReadableFile> Open(const ReplayFile& f) {
    Result<std::unique_ptr<ReadableFile>> file = PosixFileSystem().OpenReadable(f.path);
    if (!file.ok()) {
      spdlog::warn("{}: cannot open '{}': {}; not replayed", name_, f.path,
                   file.status().message());
      return nullptr;
    }
    Result<FileInfo> info = (*file)->Stat();
    Result<bool> same = FingerprintMatches(**file, f.fingerprint);
    if (!info.ok() || info->device != f.device || info->inode != f.inode || !same.ok() || !*same) {
      spdlog::warn(
          "{}: '{}' is not the file planned any more (renamed or rewritten since); not "
          "replayed",
          name_, f.path);
      return nullptr;
    }
    return std::move(*file);
  }

  void Replay(const ReplayFile& f, uint64_t id) {
    std::unique_ptr<ReadableFile> file = Open(f);
    if (file == nullptr) {
      bytes_read_.fetch_add(f.to - f.from, std::memory_order_relaxed);  // counted as done
      return;
    }
    // The file input's read path, from the window's start (as it resumes from a checkpoint).
    FileReader reader(options_, id, f.path);
    reader.StartAt(f.from);
    FileReader::ReadResult r;
    while (!stopping()) {
      r = reader.ReadSome(*file, *filler_, buffer_, f.to);
      bytes_read_.fetch_add(r.bytes, std::memory_order_relaxed);
      if (r.status != FileReader::Status::kData) break;
    }
    if (r.status == FileReader::Status::kError) {
      spdlog::error("{}: reading '{}' failed at offset {}: {}", name_, f.path, reader.read_offset(),
                    r.error.message());
    } else if (r.status == FileReader::Status::kEnd && reader.read_offset() < f.to) {
      spdlog::warn("{}: '{}' ends at offset {}, before the window's end {}", name_, f.path,
                   reader.read_offset(), f.to);
    }
    if (stopping()) return;
    // The window ends at an acknowledged offset: bytes left before it were shipped as the
    // unterminated last line of a file closed after a rotation (or read by --once), so they are
    // shipped as that (unless the window was not read to its end: then they are only the start
    // of a line).
    if (reader.read_offset() == f.to && !reader.ShipUnterminated(file.get(), *filler_)) return;
    reader.FlushGroup(file.get(), *filler_);
  }

  const FileInputOptions options_;
  const std::vector<ReplayFile> files_;
  const std::string name_;
  Clock& clock_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::vector<char> buffer_;
  std::optional<BatchFiller> filler_;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> bytes_total_{0};
};

}  // namespace

std::unique_ptr<Source> MakeReplaySource(const FileInputOptions& options,
                                         std::vector<ReplayFile> files, std::string name,
                                         Clock& clock) {
  return std::make_unique<ReplaySource>(options, std::move(files), std::move(name), clock);
}

}  // namespace logship
