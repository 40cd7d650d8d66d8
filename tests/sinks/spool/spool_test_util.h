// SPDX-License-Identifier: Apache-2.0
#pragma once

// Fakes shared by the spool writer and spool sink tests: a clock the test moves by hand, a file
// system wrapper that fails or stalls appends and syncs on demand (and counts them), and readers
// for what ended up in a spool directory.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"

namespace logship::testing {

class FakeClock final : public Clock {
 public:
  // 2026-11-24T20:34:06.123Z.
  static constexpr int64_t kStartUnixNanos = 1'795'552'446'123'000'000;

  int64_t NowUnixNanos() override { return unix_ns_.load(); }
  int64_t MonotonicNanos() override { return mono_ns_.load(); }
  // Moves both clocks forward.
  void Advance(int64_t ns) {
    unix_ns_ += ns;
    mono_ns_ += ns;
  }
  // Sets wall time only (it may go back, as wall clocks do).
  void SetUnixNanos(int64_t ns) { unix_ns_ = ns; }

 private:
  std::atomic<int64_t> unix_ns_{kStartUnixNanos};
  std::atomic<int64_t> mono_ns_{1'000'000'000'000};
};

// Passes everything to `base`, except that the test can make the next appends or file syncs
// fail, or hold syncs until released. Thread-safe.
class ScriptedFileSystem final : public FileSystem {
 public:
  explicit ScriptedFileSystem(FileSystem& base = PosixFileSystem()) : base_(base) {}

  // The next `n` WritableFile::Sync calls fail with IoError (< 0: all of them until cleared).
  void FailSyncs(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_syncs_ = n;
  }
  // The next `n` appends write the first half of their data, then fail with IoError.
  void FailAppendsHalfway(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_appends_ = n;
  }
  // While set, WritableFile::Sync waits (before syncing) until cleared.
  void StallSyncs(bool stall) {
    std::lock_guard<std::mutex> lock(mu_);
    stall_syncs_ = stall;
    cv_.notify_all();
  }
  int stalled_syncs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stalled_;
  }
  int sync_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sync_calls_;
  }
  int failed_syncs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_syncs_;
  }
  int failed_appends() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_appends_;
  }

  Result<std::string> ReadFile(const std::string& path) override { return base_.ReadFile(path); }
  Result<std::string> ReadRange(const std::string& path, uint64_t offset, size_t length) override {
    return base_.ReadRange(path, offset, length);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return Wrap(base_.NewWritableFile(path));
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return Wrap(base_.NewAppendableFile(path));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_.Rename(from, to);
  }
  Status Remove(const std::string& path) override { return base_.Remove(path); }
  Status Truncate(const std::string& path, uint64_t size) override {
    return base_.Truncate(path, size);
  }
  Status SyncDir(const std::string& dir) override { return base_.SyncDir(dir); }
  Status CreateDirs(const std::string& dir) override { return base_.CreateDirs(dir); }
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override {
    return base_.ListDir(dir);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return base_.FileSize(path); }
  bool Exists(const std::string& path) override { return base_.Exists(path); }
  Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override {
    return base_.OpenReadable(path);
  }
  Result<FileInfo> Stat(const std::string& path) override { return base_.Stat(path); }

 private:
  class File final : public WritableFile {
   public:
    File(ScriptedFileSystem& fs, std::unique_ptr<WritableFile> base)
        : fs_(fs), base_(std::move(base)) {}
    Status Append(std::string_view data) override {
      if (fs_.TakeAppendFailure()) {
        (void)base_->Append(data.substr(0, data.size() / 2));
        return Status::IoError(path(), "injected write failure");
      }
      return base_->Append(data);
    }
    Status Sync() override {
      if (fs_.BeforeSync()) return Status::IoError(path(), "injected sync failure");
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }
    uint64_t size() const override { return base_->size(); }
    const std::string& path() const override { return base_->path(); }

   private:
    ScriptedFileSystem& fs_;
    std::unique_ptr<WritableFile> base_;
  };

  Result<std::unique_ptr<WritableFile>> Wrap(Result<std::unique_ptr<WritableFile>> file) {
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(new File(*this, std::move(file).value()));
  }
  bool TakeAppendFailure() {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_appends_ == 0) return false;
    --fail_appends_;
    ++failed_appends_;
    return true;
  }
  // Waits while stalled; true when this sync must fail.
  bool BeforeSync() {
    std::unique_lock<std::mutex> lock(mu_);
    ++sync_calls_;
    ++stalled_;
    cv_.wait(lock, [this] { return !stall_syncs_; });
    --stalled_;
    if (fail_syncs_ == 0) return false;
    if (fail_syncs_ > 0) --fail_syncs_;
    ++failed_syncs_;
    return true;
  }

  FileSystem& base_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int fail_syncs_ = 0;
  int fail_appends_ = 0;
  bool stall_syncs_ = false;
  int stalled_ = 0;
  int sync_calls_ = 0;
  int failed_syncs_ = 0;
  int failed_appends_ = 0;
};

// Names of the "*.ndjson" files in `dir`, sorted.
inline std::vector<std::string> SpoolFiles(const std::string& dir) {
  std::vector<std::string> names;
  Result<std::vector<DirEntry>> entries = PosixFileSystem().ListDir(dir);
  if (!entries.ok()) return names;
  for (const DirEntry& e : *entries) {
    if (!e.is_dir && std::string_view(e.name).ends_with(".ndjson")) names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Every line of every spool file of `dir`, in file-name order. A torn last line (no '\n') is
// returned as a line too, so tests see it.
inline std::vector<std::string> SpoolLines(const std::string& dir) {
  std::vector<std::string> lines;
  for (const std::string& name : SpoolFiles(dir)) {
    Result<std::string> content = PosixFileSystem().ReadFile(JoinPath(dir, name));
    if (!content.ok()) continue;
    std::string_view rest(*content);
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      lines.emplace_back(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
  }
  return lines;
}

}  // namespace logship::testing
