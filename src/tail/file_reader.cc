// SPDX-License-Identifier: Apache-2.0
#include "src/tail/file_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "src/base/hash.h"
#include "src/event/utf8.h"
#include "src/tail/file_key.h"

namespace logship {
namespace {

// The longest line the splitter reports: with multiline, a line must fit in one event.
size_t SplitterMaxLine(const FileInputOptions& o) {
  return o.multiline ? std::min(o.max_line_bytes, o.multiline->max_bytes) : o.max_line_bytes;
}

}  // namespace

FileReader::FileReader(const FileInputOptions& options, uint64_t id, std::string path)
    : options_(options), splitter_(SplitterMaxLine(options)) {
  origin_.id = id;
  origin_.path = std::move(path);
  if (options.multiline) joiner_ = std::make_unique<MultilineJoiner>(*options.multiline);
}

void FileReader::StartAt(uint64_t offset) {
  read_offset_ = split_offset_ = emitted_offset_ = offset;
  partial_.clear();
  lines_pending_ = false;
  splitter_.Reset();
  if (joiner_ != nullptr) {
    joiner_->Reset();
    if (offset > 0) joiner_->StartMidFile();
  }
}

void FileReader::Restart(uint64_t new_id) {
  StartAt(0);
  origin_.id = new_id;
  origin_.batch_generation = 0;
  origin_.file_key = 0;  // new contents: their first line names them
}

FileReader::ReadResult FileReader::ReadSome(ReadableFile& file, BatchFiller& out,
                                            std::span<char> buffer, uint64_t limit) {
  ReadResult result;
  if (!out.Ensure()) {
    result.status = Status::kStopped;
    return result;
  }
  char* buf = buffer.data();
  const size_t pending = partial_.size();
  if (pending > 0) std::memcpy(buf, partial_.data(), pending);
  size_t got = 0;
  if (!lines_pending_) {
    uint64_t room = std::min<uint64_t>(options_.read_buffer_bytes, buffer.size() - pending);
    if (limit != UINT64_MAX) room = std::min(room, limit > read_offset_ ? limit - read_offset_ : 0);
    if (room == 0) return result;  // kEnd: the window is read
    Result<size_t> n = file.ReadAt(read_offset_, buf + pending, static_cast<size_t>(room));
    if (!n.ok()) {
      result.status = Status::kError;
      result.error = n.status();
      return result;
    }
    if (*n == 0) return result;  // kEnd
    got = *n;
    read_offset_ += got;
  }
  result.status = Status::kData;
  result.bytes = got;
  std::string_view data(buf, pending + got);
  size_t consumed = SplitAndAdd(&file, out, data);
  partial_.assign(data.data() + consumed, data.size() - consumed);
  if (lines_pending_) {
    out.Emit();
  } else {
    TrimPartial();
  }
  return result;
}

void FileReader::TrimPartial() {
  constexpr size_t kKeptBytes = 64 * 1024;
  if (partial_.capacity() > kKeptBytes && partial_.size() <= kKeptBytes / 4) {
    std::string(partial_).swap(partial_);
  }
}

size_t FileReader::SplitAndAdd(ReadableFile* file, BatchFiller& out, std::string_view data) {
  out.StampReadTime();
  // One validation per block; per-line checks only when the block has invalid bytes.
  const bool all_valid = IsValidUtf8(data);
  const int64_t now = joiner_ != nullptr ? out.NowMonotonic() : 0;
  bool full = false;
  size_t consumed =
      splitter_.Split(data, split_offset_,
                      [&](std::string_view line, uint64_t offset, uint64_t next, bool truncated) {
                        uint32_t tags = truncated ? uint32_t{kTagTruncated} : 0u;
                        if (!all_valid && !IsValidUtf8(line)) tags |= kTagInvalidUtf8;
                        Add(out, file, line, offset, next, tags, now);
                        full = out.Full();
                        return !full;
                      });
  split_offset_ += consumed;
  lines_pending_ = full;
  return consumed;
}

bool FileReader::ShipPendingLines(ReadableFile* file, BatchFiller& out) {
  while (lines_pending_) {
    if (!out.Ensure()) return false;
    size_t consumed = SplitAndAdd(file, out, partial_);
    partial_.erase(0, consumed);
    if (lines_pending_) out.Emit();
  }
  TrimPartial();
  return true;
}

void FileReader::NameStream(ReadableFile& file) {
  if (origin_.file_key != 0) return;
  Result<FileInfo> info = file.Stat();
  if (info.ok()) origin_.file_key = ComputeFileKey(file, info->device, info->inode);
}

bool FileReader::ShipUnterminated(ReadableFile* file, BatchFiller& out) {
  if (partial_.empty() || lines_pending_) return true;
  if (!out.Ensure()) return false;
  uint32_t tags = IsValidUtf8(partial_) ? 0u : uint32_t{kTagInvalidUtf8};
  if (splitter_.in_long_line()) tags |= kTagTruncated;
  out.StampReadTime();
  Add(out, file, partial_, split_offset_, split_offset_ + partial_.size(), tags,
      out.NowMonotonic());
  split_offset_ += partial_.size();
  partial_.clear();
  if (out.Full()) out.Emit();
  return true;
}

bool FileReader::FlushGroup(ReadableFile* file, BatchFiller& out) {
  if (!group_pending()) return true;
  if (!out.Ensure()) return false;
  out.StampReadTime();
  joiner_->FlushAll(
      [&](const JoinedEvent& e) { AddEvent(out, file, e.text, e.offset, e.next_offset, e.tags); });
  if (out.Full()) out.Emit();
  return true;
}

bool FileReader::FlushGroupIfDue(ReadableFile* file, BatchFiller& out, int64_t now_ns) {
  if (!group_pending() || joiner_->NextDeadline() > now_ns) return true;
  return FlushGroup(file, out);
}

void FileReader::Add(BatchFiller& out, ReadableFile* file, std::string_view line, uint64_t offset,
                     uint64_t next, uint32_t tags, int64_t now_ns) {
  if (joiner_ == nullptr) {
    AddEvent(out, file, line, offset, next, tags);
    return;
  }
  joiner_->Add(line, offset, next, tags, now_ns, [&](const JoinedEvent& e) {
    AddEvent(out, file, e.text, e.offset, e.next_offset, e.tags);
  });
}

void FileReader::AddEvent(BatchFiller& out, ReadableFile* file, std::string_view text,
                          uint64_t offset, uint64_t next, uint32_t tags) {
  // See file_key.h: the same key `logship replay` gives the stream's lines.
  if (file != nullptr) NameStream(*file);
  // No file at hand (a group flushed after its file was closed, before any other event): a key
  // of the stream's own, never 0 (0 means "no file").
  if (origin_.file_key == 0) origin_.file_key = Hash64(origin_.path) ^ origin_.id ^ 1;
  out.Add(origin_, text, offset, next, tags);
  emitted_offset_ = next;
}

}  // namespace logship
