// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/spool_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

#include "src/base/check.h"
#include "src/base/status_macros.h"

namespace logship {
namespace {

constexpr std::string_view kSuffix = ".ndjson";
constexpr size_t kTimePrefixLength = 20;  // "yyyymmddTHHMMSS.mmmZ"
constexpr int kCounterDigits = 6;

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// True for "<yyyymmddTHHMMSS.mmmZ>-<counter>.ndjson"; sets *counter.
bool ParseSpoolFileName(std::string_view name, uint64_t* counter) {
  if (name.size() < kTimePrefixLength + 1 + kCounterDigits + kSuffix.size()) return false;
  if (!name.ends_with(kSuffix)) return false;
  std::string_view t = name.substr(0, kTimePrefixLength);
  if (!IsDigits(t.substr(0, 8)) || t[8] != 'T' || !IsDigits(t.substr(9, 6)) || t[15] != '.' ||
      !IsDigits(t.substr(16, 3)) || t[19] != 'Z' || name[kTimePrefixLength] != '-') {
    return false;
  }
  std::string_view digits = name.substr(kTimePrefixLength + 1);
  digits.remove_suffix(kSuffix.size());
  if (!IsDigits(digits) || digits.size() > 18) return false;
  uint64_t n = 0;
  for (char c : digits) n = n * 10 + static_cast<uint64_t>(c - '0');
  *counter = n;
  return true;
}

std::string FormatTimePrefix(int64_t unix_nanos) {
  if (unix_nanos < 0) unix_nanos = 0;
  time_t seconds = static_cast<time_t>(unix_nanos / 1'000'000'000);
  int millis = static_cast<int>((unix_nanos / 1'000'000) % 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace

SpoolWriter::SpoolWriter(SpoolWriterOptions options, Clock& clock, FileSystem& fs)
    : options_(std::move(options)), clock_(clock), fs_(fs) {}

SpoolWriter::~SpoolWriter() { (void)Close(); }

Status SpoolWriter::Open() {
  (void)Close();
  bool existed = fs_.Exists(options_.dir);
  LOGSHIP_RETURN_IF_ERROR(fs_.CreateDirs(options_.dir));
  LOGSHIP_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, fs_.ListDir(options_.dir));

  std::string newest;
  uint64_t max_counter = 0;
  for (const DirEntry& e : entries) {
    uint64_t counter = 0;
    if (e.is_dir || !ParseSpoolFileName(e.name, &counter)) continue;
    if (counter > max_counter) max_counter = counter;
    if (e.name > newest) newest = e.name;
  }
  next_counter_ = max_counter + 1;
  last_time_prefix_ = newest.substr(0, std::min(newest.size(), kTimePrefixLength));

  if (!newest.empty()) LOGSHIP_RETURN_IF_ERROR(RepairNewestFile(JoinPath(options_.dir, newest)));
  LOGSHIP_RETURN_IF_ERROR(fs_.SyncDir(options_.dir));
  // A directory we just made is only durable once its parent is synced too.
  if (!existed) LOGSHIP_RETURN_IF_ERROR(fs_.SyncDir(DirName(options_.dir)));
  opened_ = true;
  return Status::Ok();
}

Status SpoolWriter::RepairNewestFile(const std::string& path) {
  // Only the newest file can end in a torn line: a file is rotated away from only when fully
  // synced, and a failed write is truncated away (or its file abandoned, see Write).
  // Reads backwards in blocks to the last newline, so memory stays small whatever the file size.
  LOGSHIP_ASSIGN_OR_RETURN(uint64_t size, fs_.FileSize(path));
  if (size == 0) return Status::Ok();
  constexpr uint64_t kBlock = 64 * 1024;
  uint64_t keep = 0;
  for (uint64_t end = size; end > 0;) {
    uint64_t start = end > kBlock ? end - kBlock : 0;
    LOGSHIP_ASSIGN_OR_RETURN(std::string block,
                             fs_.ReadRange(path, start, static_cast<size_t>(end - start)));
    if (end == size && !block.empty() && block.back() == '\n') return Status::Ok();
    size_t nl = block.rfind('\n');
    if (nl != std::string::npos) {
      keep = start + nl + 1;
      break;
    }
    end = start;
  }
  uint64_t torn = size - keep;
  LOGSHIP_RETURN_IF_ERROR(fs_.Truncate(path, keep));
  // Crash window: until the truncation is synced, the torn bytes may come back. That is harmless
  // while this file is still the newest (the next Open cuts them again), so the sync below must
  // happen before any newer file exists, i.e. before Open returns.
  LOGSHIP_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs_.NewAppendableFile(path));
  LOGSHIP_RETURN_IF_ERROR(file->Sync());
  LOGSHIP_RETURN_IF_ERROR(file->Close());
  spdlog::warn("spool file '{}': cut {} bytes of a torn last line (left by a crash)", path, torn);
  return Status::Ok();
}

std::string SpoolWriter::NextFileName() {
  std::string prefix = FormatTimePrefix(clock_.NowUnixNanos());
  // If the wall clock went back, keep the newest time seen so names still sort in write order;
  // the counter (always increasing) then orders files with the same time.
  if (prefix < last_time_prefix_) prefix = last_time_prefix_;
  last_time_prefix_ = prefix;
  char counter[32];
  std::snprintf(counter, sizeof(counter), "-%0*llu", kCounterDigits,
                static_cast<unsigned long long>(next_counter_++));
  return prefix + counter + std::string(kSuffix);
}

Status SpoolWriter::OpenNewFile() {
  std::string path = JoinPath(options_.dir, NextFileName());
  // Never truncate an existing file (only possible if something else writes here).
  while (fs_.Exists(path)) path = JoinPath(options_.dir, NextFileName());
  LOGSHIP_ASSIGN_OR_RETURN(file_, fs_.NewWritableFile(path));
  current_path_ = std::move(path);
  file_opened_ns_ = clock_.MonotonicNanos();
  synced_size_ = 0;
  dirty_ = false;
  // Crash window: until the directory is synced the file's name may be lost with its contents;
  // nothing in it is acknowledged before that (Sync syncs the directory first time round).
  dir_sync_pending_ = true;
  return Status::Ok();
}

Status SpoolWriter::Write(std::string_view complete_lines) {
  LOGSHIP_CHECK(opened_) << "SpoolWriter::Write before Open";
  if (complete_lines.empty()) return Status::Ok();
  LOGSHIP_CHECK(complete_lines.back() == '\n') << "spool writes must end with a newline";

  if (file_ != nullptr && file_->size() > 0 && !dirty_) {
    bool too_big = file_->size() + complete_lines.size() > options_.max_file_bytes;
    bool too_old = clock_.MonotonicNanos() - file_opened_ns_ >= options_.max_file_age_ns;
    if (too_big || too_old) {
      Status closed = file_->Close();
      // Everything in the file is synced already, so a failed close loses nothing.
      if (!closed.ok()) spdlog::warn("spool: closing a rotated file: {}", closed.ToString());
      file_.reset();
      current_path_.clear();
    }
  }
  if (file_ == nullptr) LOGSHIP_RETURN_IF_ERROR(OpenNewFile());

  dirty_ = true;
  Status s = file_->Append(complete_lines);
  if (!s.ok()) return RollBack(synced_size_, std::move(s));
  return Status::Ok();
}

Status SpoolWriter::Sync() {
  if (file_ == nullptr || (!dirty_ && !dir_sync_pending_)) return Status::Ok();
  Status s = file_->Sync();
  if (s.ok() && dir_sync_pending_) s = fs_.SyncDir(options_.dir);
  if (!s.ok()) return RollBack(synced_size_, std::move(s));
  synced_size_ = file_->size();
  dirty_ = false;
  dir_sync_pending_ = false;
  return Status::Ok();
}

Status SpoolWriter::RollBack(uint64_t size, Status cause) {
  // After a failed write or fdatasync the kernel may have dropped the dirty pages and marked them
  // clean, so a later fdatasync could "succeed" without writing them. Cutting the unsynced tail off
  // and writing it again dirties fresh pages: the retry really reaches the disk, at the same
  // offsets, so no line is written twice. The truncation itself becomes durable with the retry's
  // Sync (dirty_ stays true meanwhile, so the file is not rotated away from before that).
  std::string path = current_path_;
  (void)file_->Close();
  file_.reset();
  Status undo = fs_.Truncate(path, size);
  if (undo.ok()) {
    Result<std::unique_ptr<WritableFile>> reopened = fs_.NewAppendableFile(path);
    if (reopened.ok() && (*reopened)->size() == size) {
      file_ = std::move(reopened).value();
      return cause;
    }
    undo = reopened.ok() ? Status::IoError(path, "size after truncation is not as expected")
                         : reopened.status();
  }
  // Abandoned: the file keeps its synced lines and maybe some undone ones (a retry may then repeat
  // them in the next file, at-least-once), possibly with a torn last line that no reader of
  // complete lines will see.
  spdlog::error("spool file '{}': cannot undo a failed write ({}); continuing in a new file", path,
                undo.ToString());
  current_path_.clear();
  synced_size_ = 0;
  dirty_ = false;
  dir_sync_pending_ = false;
  return cause;
}

Status SpoolWriter::Close() {
  if (file_ == nullptr) return Status::Ok();
  Status s = file_->Close();
  file_.reset();
  current_path_.clear();
  return s;
}

}  // namespace logship
